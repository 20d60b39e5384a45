import re
import uuid

from pghistory.middleware import HistoryMiddleware

# A caller's id is kept only if it's a plausible token (a proxy's id, say), never
# arbitrary text that would end up in logs and history.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestHistoryMiddleware(HistoryMiddleware):
    """Give every request an id (X-Request-ID, taken from the caller when sane) and
    attach user, url and that id to the audit history of whatever the request writes."""

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        response = super().__call__(request)
        response["X-Request-ID"] = request.request_id
        return response

    def get_context(self, request):
        return {**super().get_context(request), "request_id": request.request_id}
