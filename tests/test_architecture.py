"""The layering the README describes, beyond what `lint-imports` checks: no app imports
another inside a function (a hidden import is how an upward dependency hides), except
in AppConfig.ready(), where an app connects itself to the apps below it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "core", "sources", "entities", "sanctions", "publishing", "screening", "partners", "corpus")


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _imports_in_functions(path):
    tree = ast.parse(path.read_text(), str(path))
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or func.name == "ready":
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                yield from ((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield node.lineno, node.module


def test_no_app_imports_another_inside_a_function():
    hidden = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for app, path in _modules()
        for line, module in _imports_in_functions(path)
        if module.split(".")[0] in APPS and module.split(".")[0] != app
    ]
    assert not hidden, "Import at module level (or turn the call around with a signal): " + "; ".join(hidden)
