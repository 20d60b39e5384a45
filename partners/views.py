"""What every partner API view shares: strict query parameters and ETags."""
from rest_framework.exceptions import ValidationError

BASE_PARAMS = frozenset({"format"})


class StrictQueryParams:
    """Refuse query parameters the endpoint doesn't know: a typo ("contry=IR") must be
    an error, not a silently unfiltered answer."""

    extra_query_params = {}  # action → names allowed besides the filters

    def allowed_query_params(self):
        allowed = set(BASE_PARAMS) | set(self.extra_query_params.get(getattr(self, "action", None), ()))
        if getattr(self, "action", None) == "list":
            filterset = getattr(self, "filterset_class", None)
            allowed |= set(filterset.base_filters) if filterset else set()
            allowed |= {"limit", "cursor"}
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            known = ", ".join(sorted(self.allowed_query_params())) or "none"
            raise ValidationError({name: [f"Unknown parameter; this endpoint takes: {known}."] for name in unknown})


def etag_matches(request, etag):
    given = request.headers.get("If-None-Match", "")
    return given.strip() == "*" or etag in [t.strip() for t in given.split(",")]
