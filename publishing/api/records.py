"""Partner API over the published model: entities and sanctions, as lists with filters
and one by one (ETags, "as of", tombstones).

Only PublishedRecord heads and PublishedVersion rows are read: partners never see the
write model. Documents go out exactly as published, with their version and time.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.views import StrictQueryParams, etag_matches, parse_instant
from publishing import documents
from publishing.models import PublishedRecord, PublishedVersion
from publishing.publication import published_as_of

from . import serializers
from .filters import EntityFilter, SanctionFilter

UPSERT = PublishedVersion.Operation.UPSERT


def item(row):
    """A published row (head or version) as the API shows it."""
    return {**row.document, "version": row.version, "published_at": row.published_at}


def etag(row):
    return f'"{row.version}-{row.content_hash[:24]}"'


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="Return the version that was published at this ISO 8601 time (404 if none was yet).",
)
DETAIL_RESPONSES = {
    304: OpenApiResponse(description="Not modified: the `If-None-Match` ETag is still current."),
    308: OpenApiResponse(
        serializers.TombstoneSerializer,
        description="Merged into another entity: `Location` and `merged_into` point at the kept one.",
    ),
    404: OpenApiResponse(description="Never published (or not yet at `as_of`)."),
    410: OpenApiResponse(serializers.TombstoneSerializer, description="Withdrawn: the tombstone says why."),
}


class PublishedViewSet(StrictQueryParams, viewsets.GenericViewSet):
    record_type = None
    keyset_field = "record_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[A-Za-z0-9_]{1,32}"
    extra_query_params = {"retrieve": ("as_of",)}

    def get_queryset(self):
        return PublishedRecord.objects.filter(record_type=self.record_type, operation=UPSERT).only(
            "record_id", "document", "version", "published_at"
        )

    def list(self, request):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([item(r) for r in rows])

    def retrieve(self, request, id):
        row = self._version_at(id, request.query_params.get("as_of"))
        tag = etag(row)
        if etag_matches(request, tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        headers = {"ETag": tag}
        if row.operation == UPSERT:
            return Response(item(row), headers=headers)
        tombstone = dict(row.document)
        kept = tombstone.get("merged_into")
        if kept:
            tombstone["detail"] = f"{id} was merged into {kept}; use that id."
            headers["Location"] = reverse(f"api:{self.basename}-detail", kwargs={"id": kept}, request=request)
            return Response(tombstone, status=status.HTTP_308_PERMANENT_REDIRECT, headers=headers)
        tombstone["detail"] = f"{id} was withdrawn ({tombstone.get('reason') or 'no reason given'})."
        return Response(tombstone, status=status.HTTP_410_GONE, headers=headers)

    def _version_at(self, record_id, as_of):
        if as_of is None:
            row = (
                PublishedRecord.objects.filter(record_type=self.record_type, record_id=record_id)
                .defer("tags", "target_ids", "csv_row")  # what a detail doesn't show
                .first()
            )
            if row is None:
                raise NotFound(f"No published {self.record_type} has the id {record_id!r}.")
            return row
        when = parse_instant(as_of, "as_of")
        row = published_as_of(self.record_type, record_id, when)
        if row is None:
            raise NotFound(f"{record_id!r} had not been published at {when.isoformat()}.")
        return row


ENTITY_EXAMPLE = OpenApiExample(
    "A person",
    value={
        "id": "ent_2ulapwfs6qxc",
        "type": "entity",
        "kind": "person",
        "caption": "Hossein Salami",
        "citations": [
            {"source": "src_k3mf0aqjslv4", "start": 812, "end": 826, "quote": "Hossein Salami", "translation": ""}
        ],
        "property_citations": {
            "title": [
                {
                    "source": "src_k3mf0aqjslv4",
                    "start": 802,
                    "end": 826,
                    "quote": "Maj. Gen. Hossein Salami",
                    "translation": "",
                }
            ],
            "nationalities:IR": [
                {"source": "src_k3mf0aqjslv4", "start": 771, "end": 778, "quote": "Iran's", "translation": ""}
            ],
        },
        "names": [
            {
                "id": "clm_41",
                "value": "Hossein Salami",
                "type": "primary",
                "lang": "en",
                "citations": [
                    {
                        "source": "src_k3mf0aqjslv4",
                        "start": 812,
                        "end": 826,
                        "quote": "Hossein Salami",
                        "translation": "",
                    }
                ],
            }
        ],
        "identifiers": [],
        "relationships": [
            {
                "id": "clm_57",
                "kind": "head_of",
                "object": "ent_5hx2ykq3bsdn",
                "role": "commander",
                "start": "",
                "end": "",
                "citations": [],
            }
        ],
        "sanctions": [
            {
                "action": "act_b7c4r2lq0vzs",
                "authority": "Council of the European Union",
                "programme": None,
                "kind": "designation",
                "status": "in_force",
                "announced_date": "2023-07",
                "in_force_date": "",
                "end_date": "",
                "measures": ["asset_freeze", "travel_ban"],
                "target_claim": "clm_90",
            }
        ],
        "person": {"title": "Maj. Gen.", "gender": "", "birth_date": "", "nationalities": ["IR"]},
        "version": 3,
        "published_at": "2026-11-20T09:14:03.512Z",
    },
    response_only=True,
)


def published_views(serializer, plural, singular, list_description, **retrieve):
    """The schema of a record type's list and detail views: the same parameters and
    responses for every type, its serializer, names and descriptions."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"Published {plural}", description=list_description, responses=serializer(many=True)
        ),
        retrieve=extend_schema(
            summary=f"One published {singular}",
            parameters=[AS_OF],
            responses={200: serializer, **DETAIL_RESPONSES},
            **retrieve,
        ),
    )


@published_views(
    serializers.EntitySerializer,
    "entities",
    "entity",
    "Persons and organisations, ordered by id; every filter narrows the list (AND).",
    description="The published document: names, identifiers, relationships, sanctions with measures, and for "
    "every claim its citations, and for each of its values (birth date, nationality...) its own. "
    "Send `If-None-Match` with the ETag to get 304 when unchanged.",
    examples=[ENTITY_EXAMPLE],
)
class EntityViewSet(PublishedViewSet):
    record_type = documents.ENTITY
    filterset_class = EntityFilter
    private_query_params = frozenset({"q"})  # names screened through the list


@published_views(
    serializers.SanctionSerializer,
    "sanction actions",
    "sanction action",
    "Designations, delistings, export controls, threats; ordered by id.",
)
class SanctionViewSet(PublishedViewSet):
    record_type = documents.SANCTION
    filterset_class = SanctionFilter
