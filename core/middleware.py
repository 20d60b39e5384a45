import logging
import re
import time
import uuid

from django.conf import settings
from django.utils.functional import empty
from pghistory.middleware import HistoryMiddleware

from .logs import current_request_id

# A caller's id is kept only if it's a plausible token (a proxy's id, say), never
# arbitrary text that would end up in logs and history.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Probes poll these every few seconds; their lines would drown the rest at INFO.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

request_log = logging.getLogger("sanctions.request")


class RequestLogMiddleware:
    """Outermost: give every request an id (X-Request-ID, taken from the caller when
    sane; returned on the response; kept in the audit history of what it writes, see
    RequestHistoryMiddleware) and log one line per request when its response is done.

    Views may add fields to the line through ``request.log_extra`` (a dict: add keys,
    don't replace it), e.g. the prefix of the API key that authenticated the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.log_extra = {}
        started = time.perf_counter()
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        if response.streaming:
            # An export streams for a while after the view returns: log when it's sent.
            response._resource_closers.append(lambda: self.log(request, response, started))
        else:
            self.log(request, response, started)
        return response

    def log(self, request, response, started):
        fields = {
            "request_id": request.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "remote_addr": request.META.get("REMOTE_ADDR"),
        }
        if not response.streaming:
            # CommonMiddleware set it for most responses: no need to join the body again.
            fields["bytes"] = int(response.get("Content-Length") or len(response.content))
        user = _loaded_user(request)
        if user is not None and user.is_authenticated:
            fields["user_id"] = user.pk
        fields.update(request.log_extra)
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        request_log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=fields)


def _loaded_user(request):
    """The request's user if something already loaded it: logging never costs a query."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user


class RequestHistoryMiddleware(HistoryMiddleware):
    """Attach user, url and the request's id to the audit history of whatever the
    request writes."""

    def get_context(self, request):
        return {**super().get_context(request), "request_id": request.request_id}


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY with every response that has none of its own.

    The admin, the source reader and the trace pages load scripts and styles from
    static files only, so the policy needs no 'unsafe-inline'.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        # Django's debug pages (DEBUG only) style themselves inline.
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if policy and not debug_page and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
