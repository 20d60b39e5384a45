"""Settings come from the environment; a malformed value stops start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.DATABASES['default']['NAME'])"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


KEY = "k" * 60
URL = "postgres://u@127.0.0.1:5432/appdb"


@pytest.mark.parametrize(
    "env,message",
    [
        ({"DEBUG": "maybe", "SECRET_KEY": KEY, "DATABASE_URL": URL}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0", "DATABASE_URL": URL}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "short", "DATABASE_URL": URL}, "SECRET_KEY must be at least 50"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL must be a postgres://"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": "postgres://u@host:5432"}, "DATABASE_URL names no database"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": URL, "ALLOWED_HOSTS": "a.example,,b.example"}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": KEY, "DATABASE_URL": URL, "CONN_MAX_AGE": "forever"},
            "CONN_MAX_AGE='forever' is not an integer",
        ),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_it(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_well_formed_settings_are_read():
    result = load_settings(DEBUG="off", SECRET_KEY=KEY, DATABASE_URL=URL, ALLOWED_HOSTS="api.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "appdb"]
