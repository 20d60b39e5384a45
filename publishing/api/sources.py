"""Partner API: the sources that published documents cite, with their text and the
published citations into it. A source nobody published a claim from is not shown."""

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Length
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound

from core.api.views import StrictQueryParams
from publishing.documents import cited
from publishing.models import PARTNER_RECORD_TYPES, PublishedRecord, PublishedVersion
from publishing.tags import source_tag
from sources.models import Source

UPSERT = PublishedVersion.Operation.UPSERT


def published_citing(source_expression):
    return PublishedRecord.objects.filter(operation=UPSERT, tags__contains=source_tag(source_expression))


def published_source_id(**lookup):
    """The public id of the source ``lookup`` finds, if a published document cites it:
    a partner is never pointed at a source this API answers 404 for."""
    sources = Source.objects.filter(Exists(published_citing(OuterRef("public_id"))), **lookup)
    return Subquery(sources.values("public_id")[:1])


class SourceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="Stable source id (src_…), as cited.")
    sha256 = serializers.CharField(source="text_sha256", help_text="SHA-256 of the UTF-8 text: the cited bytes.")
    length = serializers.SerializerMethodField(help_text="Length of the text in code points (citation offsets).")
    published = serializers.CharField(help_text="YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.")
    supersedes = serializers.CharField(
        source="supersedes_public_id",
        read_only=True,
        allow_null=True,
        help_text="The source this one corrects, if published documents cite it.",
    )
    superseded_by = serializers.CharField(
        source="superseded_by_public_id",
        read_only=True,
        allow_null=True,
        help_text="The source correcting this one, once published documents cite it.",
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "publisher",
            "url",
            "author",
            "language",
            "published",
            "retrieved_at",
            "sha256",
            "length",
            "supersedes",
            "superseded_by",
        ]

    def get_length(self, source) -> int:
        return source.text_length


class PublishedCitationSerializer(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=PARTNER_RECORD_TYPES)
    record_id = serializers.CharField()
    claim = serializers.CharField(
        help_text="The claim's id, or the record's id for the record itself; followed by \":<property>\" when the "
        'quote states one of its values ("ent_…:birth_date", "clm_90:measures:asset_freeze").'
    )
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    translation = serializers.CharField(allow_blank=True)


class SourceDetailSerializer(SourceSerializer):
    text = serializers.CharField(help_text="The article text; citations index it in code points.")
    citations = PublishedCitationSerializer(many=True, source="published_citations")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text", "citations"]


def citations_into(source_id, heads):
    """Every citation of ``source_id`` in the given published documents, in text order."""
    found = [
        {
            "record_type": head.record_type,
            "record_id": head.record_id,
            "claim": claim,
            **{k: c[k] for k in ("start", "end", "quote", "translation")},
        }
        for head in heads
        for claim, c in cited(head.document)
        if c["source"] == source_id
    ]
    found.sort(key=lambda c: (c["start"], c["end"], c["record_type"], c["record_id"], c["claim"]))
    return found


@extend_schema_view(
    list=extend_schema(summary="Cited sources", description="Sources cited by published documents, by id."),
    retrieve=extend_schema(
        summary="One cited source", description="Metadata, SHA-256, the text, and every published citation into it."
    ),
)
class SourceViewSet(StrictQueryParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    keyset_field = "public_id"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[A-Za-z0-9_]{1,32}"
    filter_backends = []

    def get_serializer_class(self):
        return SourceDetailSerializer if self.action == "retrieve" else SourceSerializer

    def get_queryset(self):
        queryset = Source.objects.filter(Exists(published_citing(OuterRef("public_id")))).annotate(
            text_length=Length("text"),
            supersedes_public_id=published_source_id(pk=OuterRef("supersedes_id")),
            superseded_by_public_id=published_source_id(supersedes=OuterRef("pk")),
        )
        # Lists show metadata only; articles can be long.
        return queryset if self.action == "retrieve" else queryset.defer("text")

    def get_object(self):
        source = self.get_queryset().filter(public_id=self.kwargs["id"]).first()
        if source is None:
            raise NotFound(f"No published document cites a source with the id {self.kwargs['id']!r}.")
        heads = published_citing(Value(source.public_id)).only("record_type", "record_id", "document")
        source.published_citations = citations_into(source.public_id, heads)
        return source
