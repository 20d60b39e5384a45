"""Refuse malformed requests before any view sees them.

PostgreSQL rejects NUL in text, and Django would quietly turn invalid UTF-8 into
U+FFFD; either would surface deep inside a view (or reach the audit history, which
stores the URL). So NUL bytes and invalid UTF-8 in the path, a query parameter or a
form, JSON or text body are answered 400, naming where; a body over
DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 before it is read (Django itself would
answer 400 once a view read it). Nothing here takes file uploads, so the limit holds
for multipart bodies too.
"""

import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import JsonResponse

_JSON_NUL = re.compile(rb"\\u0000")


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


def _json_strings(value, path="body"):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]")


def check_json(body):
    _text(body, "The JSON body")
    if not _JSON_NUL.search(body):
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON after all: the view answers that
    for path, text in _json_strings(document):
        if "\x00" in text:
            raise BadRequest(f"The JSON body contains a NUL character (\\u0000) at {path}.")


def check_body(request):
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        check_urlencoded(request.body, "form field")
    elif content_type == "application/json" or content_type.endswith("+json"):
        check_json(request.body)
    elif content_type.startswith("text/"):
        _text(request.body, "The body")
    elif content_type == "multipart/form-data":
        # Parsed by Django (file parts stay binary); its text fields must hold no NUL.
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise BadRequest(f"Form field {name.replace(chr(0), '')!r} contains a NUL byte.")


def content_length(request):
    value = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(value)
    except ValueError:
        raise BadRequest(f"The Content-Length header {value!r} is not a number.") from None
    if length < 0:
        raise BadRequest(f"The Content-Length header {value!r} is negative.")
    return length


def too_large():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse({"detail": f"The request body is larger than the limit of {limit} bytes."}, status=413)


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
            check_urlencoded(_wsgi_bytes(request.META.get("QUERY_STRING", "")), "query parameter")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and content_length(request) > limit:
                return too_large()
            check_body(request)
        except BadRequest as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        return self.get_response(request)
