"""The change feed: every published version after a cursor, in publication order."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import parse_limit
from core.api.views import StrictQueryParams
from publishing.models import PARTNER_RECORD_TYPES, PublishedVersion

from . import serializers

PARTNER_TYPES = [value for value, _ in PARTNER_RECORD_TYPES]


class ChangesView(StrictQueryParams, APIView):
    """The change feed."""

    extra_query_params = {None: ("after", "limit")}

    @extend_schema(
        summary="Change feed",
        description="Every published version in publication order. Start from `after=0` and keep passing the "
        "page's `last_seq`: applying each `upsert` (store the document) and `retract` (drop the record) in "
        "order rebuilds the current published state. Sequence numbers are assigned in commit order, so a "
        "reader never skips a change.",
        parameters=[
            OpenApiParameter(
                "after", {"type": "integer", "minimum": 0}, description="Return changes with seq greater than this."
            ),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 500}, description="Default 100."),
        ],
        responses=serializers.ChangesPageSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("after", "0")
        try:
            after = int(raw)
            if after < 0:
                raise ValueError
        except ValueError:
            raise ValidationError({"after": ["Must be a whole number ≥ 0 (a seq from the feed)."]}) from None
        limit = parse_limit(request)
        rows = list(
            # Authorities and programmes reach partners inside the sanction documents.
            PublishedVersion.objects.filter(seq__gt=after, record_type__in=PARTNER_TYPES)
            .order_by("seq")
            .only("seq", "record_type", "record_id", "version", "operation", "document", "published_at")[:limit]
        )
        last = rows[-1].seq if rows else after
        next_url = None
        if len(rows) == limit:
            params = request.query_params.copy()
            params["after"] = str(last)
            next_url = request.build_absolute_uri(request.path) + "?" + params.urlencode()
        return Response(
            {
                "next": next_url,
                "last_seq": last,
                "results": [
                    {
                        "seq": r.seq,
                        "record_type": r.record_type,
                        "record_id": r.record_id,
                        "version": r.version,
                        "operation": r.operation,
                        "published_at": r.published_at,
                        "document": r.document,
                    }
                    for r in rows
                ],
            }
        )
