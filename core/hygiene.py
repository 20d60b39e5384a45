"""Refuse malformed requests before any view sees them.

PostgreSQL rejects NUL in text, psycopg can't encode a lone surrogate (which a JSON
``\\ud800`` escape decodes to, and which no response can carry either), and Django
would quietly turn invalid UTF-8 into U+FFFD; each would surface deep inside a view
(or reach the audit history, which stores the URL). So NUL bytes and invalid UTF-8 in
the path, a query parameter or a form, JSON or text body, NUL and lone surrogates in
a JSON document, malformed JSON or JSON nested absurdly deep (Python's parser would
overflow its stack) and a charset other than UTF-8 (Django would decode the query and
form with it) are answered 400, naming where; a body over REQUEST_BODY_MAX_BYTES is answered 413
before it is read (Django itself would answer 400 once a view read it). The limit holds
for multipart bodies too: the one upload (a saved web page for article import) is an
article, well within it. The paths in
LARGE_BODY_PATHS (the admin's source form) take up to LARGE_BODY_MAX_BYTES instead, so
that their form can answer a text over its own limit with a field error, keeping what
was typed; a browser (Accept: text/html) gets the 413 as a page, not as JSON.
"""

import codecs
import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

# No request body this application takes nests more than a few levels.
MAX_JSON_DEPTH = 32
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadRequest(Exception):
    pass


def _wsgi_bytes(value):
    """The bytes behind a WSGI environ string (PEP 3333: bytes decoded as latin-1)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _text(raw, where):
    """``raw`` as text, or BadRequest naming ``where``."""
    if b"\x00" in raw:
        raise BadRequest(f"{where} contains a NUL byte.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{where} is not valid UTF-8 (byte {exc.start}).") from None


def check_urlencoded(data, label):
    """Each name and value of an application/x-www-form-urlencoded string (a query
    string or a form body): no NUL, valid UTF-8, once percent-decoded."""
    for number, field in enumerate(data.split(b"&"), start=1):
        if not field:
            continue
        raw_name, _, raw_value = field.partition(b"=")
        name = _text(unquote_to_bytes(raw_name.replace(b"+", b" ")), f"The name of {label} {number}")
        _text(unquote_to_bytes(raw_value.replace(b"+", b" ")), f"{label.capitalize()} {name!r}")


def _shown(text):
    """``text`` safe to quote in a message: NUL and lone surrogates as escapes."""
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def _json_strings(document):
    """(path, string) for every key and string of ``document`` in document order, walked
    without recursion; BadRequest past MAX_JSON_DEPTH levels."""
    pending = [("body", document, 0)]
    while pending:
        path, value, depth = pending.pop()
        if isinstance(value, str):
            yield path, value
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise BadRequest(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, dict):
            children = []
            for key, item in value.items():
                item_path = f"{path}.{_shown(key)}"
                children += [(item_path, key, depth + 1), (item_path, item, depth + 1)]
        else:
            children = [(f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value)]
        pending.extend(reversed(children))


def check_json(body):
    _text(body, "The JSON body")
    if not body.strip():
        return  # no document: the view says what it lacks
    try:
        document = json.loads(body)
    except RecursionError:
        raise BadRequest(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except json.JSONDecodeError as exc:
        # Refused here, not by the view: its parser, further down the stack, could
        # overflow on a malformed body this one read to its end.
        raise BadRequest(
            f"The JSON body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise BadRequest(f"The JSON body is not valid JSON: {str(exc).split(';')[0]}.") from None
    for path, text in _json_strings(document):
        bad = _NOT_TEXT.search(text)
        if bad is None:
            continue
        if bad.group() == "\x00":
            raise BadRequest(f"The JSON body contains a NUL character (\\u0000) at {path}.")
        raise BadRequest(
            f"The JSON body contains a lone surrogate (\\u{ord(bad.group()):04x}) at {path}: "
            "escape characters beyond U+FFFF as a pair, or send them as UTF-8."
        )


def check_charset(request):
    """Django decodes the query string and a form body with the charset the Content-Type
    declares: anything but UTF-8 (of which ASCII is a part) would bypass the checks here."""
    charset = request.content_params.get("charset")
    if charset is None:
        return
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        name = None  # Django ignores a charset it doesn't know
    if name not in (None, "utf-8", "ascii"):
        raise BadRequest(f"The Content-Type header declares charset={_shown(charset)}; send UTF-8.")


def check_multipart(request):
    """Django decodes multipart text fields replacing invalid UTF-8 with U+FFFD: a name
    or value holding U+FFFD that the body doesn't hold as UTF-8 was not valid UTF-8."""
    body = request.body  # read first: Django then parses the form from this copy
    for name, values in request.POST.lists():
        shown_name = _shown(name)
        for text, where in [
            (name, f"The name of form field {shown_name!r}"),
            *((v, f"Form field {shown_name!r}") for v in values),
        ]:
            if "\x00" in text:
                raise BadRequest(f"{where} contains a NUL byte.")
            if "\ufffd" in text and text.encode("utf-8") not in body:
                raise BadRequest(f"{where} is not valid UTF-8.")


def check_body(request):
    content_type = (request.content_type or "").lower()
    if "*" in content_type and request.body:
        # A pattern is for Accept; as a body's type, parsers would take it for JSON
        # (DRF matches "*/*" to application/json) behind the checks below.
        raise BadRequest(f"The Content-Type {request.content_type!r} is a pattern, not a type: send application/json.")
    if content_type == "application/x-www-form-urlencoded":
        check_urlencoded(request.body, "form field")
    elif content_type == "application/json" or content_type.endswith("+json"):
        check_json(request.body)
    elif content_type.startswith("text/"):
        _text(request.body, "The body")
    elif content_type == "multipart/form-data":
        check_multipart(request)  # parsed by Django; file parts stay binary


def content_length(request):
    value = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(value)
    except ValueError:
        raise BadRequest(f"The Content-Length header {value!r} is not a number.") from None
    if length < 0:
        raise BadRequest(f"The Content-Length header {value!r} is negative.")
    return length


def body_limit(request):
    """The largest body ``request``'s path takes, in bytes (None: no limit)."""
    path = request.META.get("PATH_INFO", "")
    if any(re.match(pattern, path) for pattern in settings.LARGE_BODY_PATHS):
        return settings.LARGE_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def too_large(request, limit):
    message = f"The request body is larger than the limit of {limit} bytes."
    if "text/html" not in request.META.get("HTTP_ACCEPT", ""):
        return JsonResponse({"detail": message}, status=413)
    # A browser's form post: a page the curator can read, and the way back to the form.
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Too large</title></head>"
        f"<body><h1>Too large to send</h1><p>{escape(message)} Nothing was saved.</p>"
        "<p>Go back to the form: your browser usually still holds what you typed. "
        "Shorten the text, or split it into parts, and send it again.</p></body></html>"
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


# Django replaces PATH_INFO with a copy in which invalid UTF-8 is percent-escaped,
# which a path asking for a literal "%FF" also gives: the WSGI entry point keeps the
# path as the server decoded it under this key (see keep_raw_path).
RAW_PATH_KEY = "sanctions.raw_path_info"


def keep_raw_path(application):
    """Wrap a WSGI application so that RequestHygieneMiddleware sees the raw path."""

    def wrapped(environ, start_response):
        environ[RAW_PATH_KEY] = environ.get("PATH_INFO", "")
        return application(environ, start_response)

    return wrapped


class RequestHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            _text(_wsgi_bytes(request.META.get(RAW_PATH_KEY, request.META.get("PATH_INFO", ""))), "The URL path")
            check_charset(request)
            check_urlencoded(_wsgi_bytes(request.META.get("QUERY_STRING", "")), "query parameter")
            limit = body_limit(request)
            if limit is not None and content_length(request) > limit:
                return too_large(request, limit)
            check_body(request)
        except BadRequest as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        return self.get_response(request)
