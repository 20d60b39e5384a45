import time

from .models import AccessLogEntry, ApiKey

API_PREFIX = "/api/"


class AccessLogMiddleware:
    """One access-log row per API request (documentation pages excepted): key or staff
    user, endpoint, status, time. DRF copies the authenticated user and key onto the
    Django request, so they are known here after the view ran."""

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
        user = getattr(request, "user", None)
        AccessLogEntry.objects.create(
            key=key,
            user=user if user is not None and getattr(user, "pk", None) and user.is_authenticated else None,
            method=request.method[:10],
            path=request.get_full_path()[:2000],
            endpoint=endpoint[:100],
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000),
            request_id=getattr(request, "request_id", "")[:64],
        )
        return response
