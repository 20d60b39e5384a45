"""What every partner API view shares: strict query parameters, times, ETags."""

from django.utils.http import parse_etags
from rest_framework.exceptions import ValidationError

from core import instants

BASE_PARAMS = frozenset({"format"})


class StrictQueryParams:
    """Refuse query parameters the endpoint doesn't know: a typo ("contry=IR") must be
    an error, not a silently unfiltered answer."""

    extra_query_params = {}  # action → names allowed besides the filters
    # Parameters whose values logs and the access log must not show (a name searched for
    # is a partner's customer); every parameter the endpoint doesn't take is hidden too.
    private_query_params = frozenset()

    def allowed_query_params(self):
        allowed = set(BASE_PARAMS) | set(self.extra_query_params.get(getattr(self, "action", None), ()))
        if getattr(self, "action", None) == "list":
            filterset = getattr(self, "filterset_class", None)
            allowed |= set(filterset.base_filters) if filterset else set()
            allowed |= {"limit", "cursor"}
        return allowed

    def initial(self, request, *args, **kwargs):
        # For the access log (partners.middleware), known before authentication can fail.
        request._request.loggable_query_params = self.allowed_query_params() - self.private_query_params
        super().initial(request, *args, **kwargs)
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return  # dispatch answers 405
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            known = ", ".join(sorted(self.allowed_query_params())) or "none"
            raise ValidationError({name: [f"Unknown parameter; this endpoint takes: {known}."] for name in unknown})
        empty = sorted(name for name, value in request.query_params.items() if not value.strip())
        if empty:
            raise ValidationError({name: ["Give a value or leave the parameter out."] for name in empty})


def parse_instant(value, field):
    """An ISO 8601 date-time as an aware UTC datetime (core.instants), or a 400 naming ``field``."""
    try:
        return instants.parse_instant(value)
    except ValueError as exc:
        raise ValidationError({field: [str(exc)]}) from None


def etag_matches(request, etag):
    """If-None-Match names ``etag``: the weak comparison RFC 9110 asks for, so a tag a
    compressing proxy turned weak (W/"...") still gets its 304."""
    given = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in given or any(t.removeprefix("W/") == etag.removeprefix("W/") for t in given)
