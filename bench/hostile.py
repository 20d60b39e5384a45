"""Hostile inputs for every partner API endpoint: each must be answered below 500 (a 4xx
naming what is wrong, or the data asked for), never with a server error.

One list, two runners: tests/partners/test_hostile_inputs.py sends every case through
Django's test client; `.ci/api-contract` sends them over HTTP to gunicorn:

    .venv/bin/python bench/hostile.py http://127.0.0.1:8099 API_KEY

The cases are derived from the live OpenAPI schema: every path (its parameters and
format suffixes), every query parameter, every leaf of every example request body and
of a body built from the request schema, so a new endpoint or parameter is covered
without editing this file. Pure Python, no Django: importable by the tests.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import sys
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes, urlsplit

# Values for query parameters and path segments, as the raw bytes sent (percent-encoded
# on the wire, so the server sees exactly these bytes).
TEXTS = {
    "NUL": b"a\x00b",
    "lone surrogate as UTF-8": "\ud800".encode("utf-8", "surrogatepass"),
    "invalid UTF-8": b"caf\xe9",
    "overlong UTF-8": b"\xc0\xaf",
    "right-to-left override": "\u202eRI".encode(),
    "right-to-left mark": "\u200fIR".encode(),
    "combining marks": ("e" + "\u0301" * 300).encode(),
    "emoji sequence": "\U0001f469\u200d\U0001f469\u200d\U0001f467".encode(),
    "line separator": "a\u2028b".encode(),
    "byte order mark": "\ufeffIR".encode(),
    "zero-width space": "I\u200bR".encode(),
    "1e999": b"1e999",
    "400 digits": b"9" * 400,
    "negative": b"-1",
    "zero": b"0",
    "NaN": b"NaN",
    "Infinity": b"Infinity",
    "fraction": b"1.5",
    "blank": b" ",
    "SQL": b"' OR 1=1 --",
    "LIKE wildcards": b"%_\\",
    "HTML": b"<script>alert(1)</script>",
    "long": b"a" * 3000,
    "offset past year 9999": b"9999-12-31T23:59:59-23:59",
    "30 February": b"2026-02-30T00:00",
    "24:00": b"2026-01-01T24:00",
    "year 0": b"0000-01-01",
}


def _cursor(decoded: bytes) -> bytes:
    return base64.urlsafe_b64encode(decoded).rstrip(b"=")


# Opaque cursors this API never gave out (sent to every parameter, not only `cursor`).
CURSORS = {
    "cursor holding NUL": _cursor(b'{"after":"\\u0000"}'),
    "cursor holding a lone surrogate": _cursor(b'{"after":"\\ud800"}'),
    "cursor holding invalid UTF-8": _cursor(b'{"after":"\xff"}'),
    "cursor holding a number": _cursor(b'{"after":1e999}'),
    "cursor nested deep": _cursor(b"[" * 2500),
    "cursor not base64": b"!!!",
}

VALUES = TEXTS | CURSORS

# Names of unknown query parameters.
NAMES = {k: TEXTS[k] for k in ("NUL", "invalid UTF-8", "lone surrogate as UTF-8", "emoji sequence", "long")}

# Format suffixes a router may accept: served or 404, never an error.
SUFFIXES = [".json", ".api", ".xml", ".csv", "%00"]

# JSON literals that replace each leaf of a request body in turn.
LITERALS = {
    "NUL escape": '"a\\u0000b"',
    "lone surrogate": '"\\ud800"',
    "lone low surrogate": '"\\udfff"',
    "surrogates reversed": '"\\udc00\\ud800"',
    "right-to-left override": json.dumps("\u202eRI", ensure_ascii=False),
    "combining marks": json.dumps("e" + "\u0301" * 300, ensure_ascii=False),
    "emoji": json.dumps("\U0001f642", ensure_ascii=False),
    "line separator": json.dumps("a\u2028b", ensure_ascii=False),
    "byte order mark": json.dumps("\ufeffIR", ensure_ascii=False),
    "1e999": "1e999",
    "-1e999": "-1e999",
    "1e-999": "1e-999",
    "400 digits": "9" * 400,
    "5000 digits": "9" * 5000,
    "NaN": "NaN",
    "Infinity": "Infinity",
    "true": "true",
    "null": "null",
    "object": '{"k": "v"}',
    "list": "[1]",
    "100 deep": "[" * 100 + "]" * 100,
    "long": json.dumps("a" * 100_000),
    "empty": '""',
}

JSON = "application/json"


def _deep(levels):
    return b"[" * levels + b"]" * levels


# Whole bodies (content type, bytes) for every operation that takes one; None: the
# operation's own example, as bytes.
BODIES = {
    "nested 50000 deep, unclosed": (JSON, b"[" * 50_000),
    "nested 50000 deep": (JSON, _deep(50_000)),
    "nested 900 deep": (JSON, _deep(900)),
    "NUL key": (JSON, b'{"\\u0000": 1}'),
    "lone surrogate key": (JSON, b'{"\\ud800": 1}'),
    "not JSON": (JSON, b"{"),
    "empty": (JSON, b""),
    "null": (JSON, b"null"),
    "a list": (JSON, b"[]"),
    "a string": (JSON, b'"x"'),
    "a huge number": (JSON, b"9" * 5000),
    "duplicate keys": (JSON, b'{"queries": [], "queries": 1}'),
    "invalid UTF-8": (JSON, b'{"name": "caf\xe9"}'),
    "UTF-16": (JSON, '{"queries": []}'.encode("utf-16")),
    "declared UTF-16": (JSON + "; charset=utf-16", '{"queries": []}'.encode("utf-16-le")),
    "declared unicode_escape": (JSON + "; charset=unicode_escape", b'{"queries": [{"name": "\\\\ud800"}]}'),
    "form": ("application/x-www-form-urlencoded", b"queries=x&limit=1e999"),
    "form, invalid UTF-8": ("application/x-www-form-urlencoded", b"queries=caf%E9"),
    "multipart, invalid UTF-8": (
        "multipart/form-data; boundary=B",
        b'--B\r\nContent-Disposition: form-data; name="queries"\r\n\r\ncaf\xe9\r\n--B--\r\n',
    ),
    "multipart, NUL": (
        "multipart/form-data; boundary=B",
        b'--B\r\nContent-Disposition: form-data; name="queries"\r\n\r\na\x00b\r\n--B--\r\n',
    ),
    "multipart without boundary": ("multipart/form-data", b"x"),
    "XML": ("application/xml", b"<queries/>"),
    "text": ("text/plain", b"hello"),
    "text, invalid UTF-8": ("text/plain", b"caf\xe9"),
    "example without a content type": ("", None),
    "example as text/plain": ("text/plain", None),
    "example with a BOM": (JSON, b"\xef\xbb\xbf"),  # the example follows the BOM
    "over the size limit": (JSON, b" " * 3_000_000),
}

# Request headers, each sent alone with every operation (with its example body, if any).
HEADERS = {
    "Accept: XML": {"Accept": "application/xml"},
    "Accept: odd quality": {"Accept": "application/json;q=1e999, */*;q=NaN"},
    "Accept: version": {"Accept": "application/json; version=\xe9"},
    "If-None-Match: garbage": {"If-None-Match": '"\x7f, W/'},
    "If-None-Match: star": {"If-None-Match": "*"},
    "X-Request-ID: long": {"X-Request-ID": "a" * 5000},
    "Authorization: latin-1": {"Authorization": "Bearer sdb_\xe9\xff"},
    "Authorization: empty bearer": {"Authorization": "Bearer "},
    "Authorization: basic": {"Authorization": "Basic Zm9vOmJhcg=="},
    "Content-Type: charset unicode_escape": {"Content-Type": "text/plain; charset=unicode_escape"},
    "Content-Length: not a number": {"Content-Length": "lots"},
}

# Beyond the API: a deeply nested body to pages anyone may reach, without logging in.
ANY_URL = ["/", "/admin/login/", "/healthz", "/trace/entity/ent_x/", "/api/v1/schema/", "/api/v1/entities/"]


@dataclass
class Case:
    label: str
    method: str
    path: str  # percent-encoded, with its query string
    body: bytes | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    authenticated: bool = True


def _quote(raw: bytes) -> str:
    return quote_from_bytes(raw, safe="")


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def built_body(schema, node):
    """A value with every property the request schema names: strings are "x" (or the
    first choice), numbers their default or minimum, lists one item."""
    node = _resolve(schema, node)
    kind = node.get("type")
    if "enum" in node:
        return node["enum"][0]
    if kind == "object" or "properties" in node:
        return {name: built_body(schema, sub) for name, sub in node.get("properties", {}).items()}
    if kind == "array":
        return [built_body(schema, node.get("items", {}))]
    if kind in ("integer", "number"):
        return node.get("default", node.get("minimum", 1))
    if kind == "boolean":
        return True
    return "x"


def _leaves(value, path=()):
    """Paths to every scalar, list and object in ``value``."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(value, path, literal):
    """``value`` as JSON text with the item at ``path`` replaced by the JSON ``literal``
    (which json.dumps could not always write: 1e999, NaN, lone surrogates)."""
    marker = "\ue000hostile\ue000"

    def put(node, rest):
        if not rest:
            return marker
        copy = dict(node) if isinstance(node, dict) else list(node)
        copy[rest[0]] = put(node[rest[0]], rest[1:])
        return copy

    return json.dumps(put(value, path), ensure_ascii=False).replace(json.dumps(marker, ensure_ascii=False), literal)


def _body_bases(schema, operation):
    content = operation.get("requestBody", {}).get("content", {}).get(JSON)
    if content is None:
        return []
    bases = [example["value"] for example in content.get("examples", {}).values()]
    if "example" in content:
        bases.append(content["example"])
    bases.append(built_body(schema, content["schema"]))
    return bases


def _concrete(path, ids):
    for name, value in ids.get(path, {}).items():
        path = path.replace("{" + name + "}", _quote(value.encode()))
    return path


def sample_ids(schema, get_json):
    """A real value for each path parameter, per path: a choice from the schema, else the
    first id of the list endpoint above it (``get_json(path)`` → its parsed answer)."""
    ids = {}
    for path, operations in schema["paths"].items():
        params = [p for op in operations.values() for p in op.get("parameters", ()) if p["in"] == "path"]
        values = {}
        for param in params:
            if param["schema"].get("enum"):
                values[param["name"]] = param["schema"]["enum"][0]
            else:
                listing = path.split("{" + param["name"] + "}")[0]
                results = (get_json(listing) or {}).get("results") or [{}]
                values[param["name"]] = str(results[0].get("id", "unknown"))
        ids[path] = values
    return ids


def _operation_cases(schema, ids, template, method, operation):
    path = _concrete(template, ids)
    bases = _body_bases(schema, operation)
    example = json.dumps(bases[0], ensure_ascii=False).encode() if bases else None

    def case(label, target=path, body=example, content_type=JSON if example else None, **kwargs):
        return Case(f"{method} {template}: {label}", method, target, body, content_type, **kwargs)

    for param in operation.get("parameters", ()):
        name = param["name"]
        if param["in"] == "query":
            for label, value in VALUES.items():
                yield case(f"{name}={label}", f"{path}?{_quote(name.encode())}={_quote(value)}")
            yield case(f"{name} twice", f"{path}?{name}=1&{name}=2")
            # Django decodes the query string with the charset the Content-Type declares
            yield case(
                f"{name} read as unicode_escape",
                f"{path}?{name}=%5Cud800%5Cx00",
                headers={"Content-Type": "text/plain; charset=unicode_escape"},
            )
        elif param["in"] == "path":
            for label, value in VALUES.items():
                yield case(f"{{{name}}}={label}", _concrete(template.replace("{" + name + "}", _quote(value)), ids))
    for label, value in NAMES.items():
        yield case(f"unknown parameter named {label}", f"{path}?{_quote(value)}=x")
    for suffix in SUFFIXES:
        yield case(f"suffix {suffix}", path.rstrip("/") + suffix)
    for label, headers in HEADERS.items():
        yield case(label, headers=headers, authenticated="Authorization" not in headers)
    if not bases:
        return
    for label, (content_type, body) in BODIES.items():
        if body is None:
            body = example
        elif label == "example with a BOM":
            body += example
        yield case(f"body {label}", body=body, content_type=content_type)
    for base in bases:
        for where in _leaves(base):
            shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where) or "body"
            for label, literal in LITERALS.items():
                yield case(f"{shown}={label}", body=_replaced(base, where, literal).encode("utf-8", "surrogatepass"))


def cases(schema, ids):
    """Every hostile case for the operations of ``schema``; ``ids`` from sample_ids."""
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield from _operation_cases(schema, ids, template, method.upper(), operation)
    for url in ANY_URL:
        for label in ("nested 50000 deep, unclosed", "nested 50000 deep"):
            content_type, body = BODIES[label]
            yield Case(f"POST {url}: {label}, not logged in", "POST", url, body, content_type, authenticated=False)


# ------------------------------------------------------------------ over HTTP


def send(connection, case, key):
    headers = {"Connection": "keep-alive"}
    if case.authenticated:
        headers["Authorization"] = f"Bearer {key}"
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    headers.update(case.headers)
    connection.putrequest(case.method, case.path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value.encode("latin-1"))
    if "Content-Length" not in headers:
        connection.putheader("Content-Length", str(len(case.body or b"")))
    connection.endheaders(case.body)
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Connection", "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8099")
    parser.add_argument("key", help="a partner API key")
    args = parser.parse_args(argv)
    base = urlsplit(args.base_url)

    def connect():
        return http.client.HTTPConnection(base.hostname, base.port or 80, timeout=120)

    def get_json(path):
        connection = connect()
        connection.request("GET", path, headers={"Authorization": f"Bearer {args.key}", "Accept": JSON})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return json.loads(body) if response.status == 200 else None

    schema = get_json("/api/v1/schema/?format=json")
    all_cases = list(cases(schema, sample_ids(schema, get_json)))
    failures, statuses = [], {}
    connection, fresh = connect(), True
    for case in all_cases:
        try:
            status, keep = send(connection, case, args.key)
        except (OSError, http.client.HTTPException) as exc:
            status, keep = f"no answer ({exc.__class__.__name__})", "close"
            if not fresh:
                # A kept-alive connection the server had already closed (its keep-alive
                # timeout): every HTTP client sends again on a new one, and so does this.
                connection.close()
                connection = connect()
                try:
                    status, keep = send(connection, case, args.key)
                except (OSError, http.client.HTTPException) as exc:
                    status, keep = f"no answer ({exc.__class__.__name__})", "close"
        fresh = False
        statuses[status] = statuses.get(status, 0) + 1
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{status}  {case.label}")
        if keep.lower() == "close" or not isinstance(status, int):
            connection.close()
            connection, fresh = connect(), True
    connection.close()
    counts = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
    print(f"{len(all_cases)} hostile requests; answers {counts}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(failures)} answered 5xx or not at all")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
