import math
import time

from django.conf import settings
from django.http import JsonResponse

from core.logs import redact, redacted_query

from .models import AccessLogEntry, ApiKey, AuthFailure
from .throttling import count_in_window

API_PREFIX = "/api/"


class AccessLogMiddleware:
    """One access-log row per API request (documentation pages excepted): key or staff
    user, endpoint, status, time. DRF copies the authenticated user and key onto the
    Django request, so they are known here after the view ran.

    Requests refused for want of a valid key (401) are counted per client address and
    minute (AuthFailure); past API_AUTH_FAILURE_LIMIT in a minute they are answered 429
    and get no row of their own: the count holds them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        endpoint = match.view_name if match else ""
        if endpoint in ("api:schema", "api:docs"):
            return response
        key = getattr(request, "auth", None)
        key = key if isinstance(key, ApiKey) else None
        if key is not None and hasattr(request, "log_extra"):
            request.log_extra["api_key"] = key.prefix  # the request's JSON log line (core.middleware)
        if response.status_code == 401:
            refused = _count_failure(request)
            if refused:
                return refused
        user = getattr(request, "user", None)
        AccessLogEntry.objects.create(
            key=key,
            user=user if user is not None and getattr(user, "pk", None) and user.is_authenticated else None,
            method=request.method[:10],
            path=logged_path(request)[:2000],
            endpoint=endpoint[:100],
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000),
            request_id=getattr(request, "request_id", "")[:64],
        )
        return response


def logged_path(request):
    """The path with the query string, showing only the values of the parameters the
    endpoint declared loggable (its filters; not a searched name); none when the
    request never reached an endpoint. A key pasted anywhere in it is masked."""
    path = redact(request.path)
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return path
    return f"{path}?{redacted_query(query, getattr(request, 'loggable_query_params', frozenset()))}"


def _count_failure(request):
    """Count a failed authentication for the client's address; over the limit, the 429
    that replaces the 401, else None."""
    count, seconds = count_in_window(
        AuthFailure, "remote_addr", (request.META.get("REMOTE_ADDR") or "")[:45], keep_history=True
    )
    if count <= settings.API_AUTH_FAILURE_LIMIT:
        return None
    wait = max(1, math.ceil(seconds))
    response = JsonResponse(
        {"detail": f"Too many requests without a valid API key from your address. Try again in {wait} seconds."},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
