"""Where the index gets its records from.

A source is a callable returning an iterable of ``EntityRecord`` (with ``__len__`` if it
can tell how many, for the progress bar). ``rebuild_match_index`` takes the dotted path
of one: by default ``published_records``, the published entity documents, which is all
partners may be matched against; ``write_model_records`` (every live entity of the
write model, reviewed or not) is there for development.

Both read in chunks by primary key, one query per chunk, rather than through a
server-side cursor: ``rebuild`` writes with COPY FREEZE, which PostgreSQL refuses while
the transaction has a cursor open ("prior transaction activity").
"""

from django.db.models import Prefetch

from entities.models import Entity, Identifier, Name
from publishing.models import PublishedRecord, PublishedVersion, RecordType

from .records import EntityRecord, NameRecord

CHUNK = 2000


def _chunks(queryset, chunk_size):
    """The rows of ``queryset`` (ordered by nothing but its primary key) in chunks,
    each chunk one query (plus its prefetches) that is finished before it is used."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        rows = list(page.order_by("pk")[:chunk_size])
        if not rows:
            return
        yield rows
        if len(rows) < chunk_size:
            return
        last = rows[-1].pk


# --------------------------------------------------------------------- published documents


def record_from_document(document: dict) -> EntityRecord | None:
    """A published entity document (``publishing.documents``) as an index record; None
    for a retraction or an entity without names (nothing to match it by)."""
    if document.get("retracted") or not document.get("names"):
        return None
    details = document.get("person") or document.get("organisation") or {}
    return EntityRecord(
        entity_id=document["id"],
        kind=document["kind"],
        names=[NameRecord(n["value"], n["type"], n.get("lang") or "") for n in document["names"]],
        birth_date=details.get("birth_date") or "",
        countries=tuple(details.get("nationalities") or details.get("countries") or ()),
        identifiers=[(i["scheme"], i["value"]) for i in document.get("identifiers", ())],
    )


class PublishedRecords:
    """The latest published version of every entity that is published and not
    retracted: what partners see, so what they are matched against."""

    def __init__(self, chunk_size: int = CHUNK):
        self.chunk_size = chunk_size
        self.queryset = (
            PublishedRecord.objects.filter(record_type=RecordType.ENTITY, operation=PublishedVersion.Operation.UPSERT)
            .exclude(document__names=[])
            .only("pk", "document")
        )

    def __len__(self):
        return self.queryset.count()

    def __iter__(self):
        for chunk in _chunks(self.queryset, self.chunk_size):
            for head in chunk:
                record = record_from_document(head.document)
                if record is not None:
                    yield record


def published_records():
    return PublishedRecords()


# --------------------------------------------------------------------------- write model


class WriteModelRecords:
    """Every live entity of the write model (not deprecated, not merged away), with its
    live names and identifiers, reviewed or not. For development only: partners must
    never be matched against unpublished data."""

    def __init__(self, chunk_size: int = CHUNK):
        self.chunk_size = chunk_size
        self.queryset = (
            Entity.objects.filter(deprecated_at__isnull=True, merged_into__isnull=True)
            .select_related("person", "organisation")
            .prefetch_related(
                Prefetch("names", queryset=Name.objects.filter(deprecated_at__isnull=True).order_by("id")),
                Prefetch("identifiers", queryset=Identifier.objects.filter(deprecated_at__isnull=True).order_by("id")),
            )
        )

    def __len__(self):
        return self.queryset.count()

    def __iter__(self):
        for chunk in _chunks(self.queryset, self.chunk_size):
            for entity in chunk:
                record = entity_record(entity)
                if record.names:
                    yield record


def entity_record(entity) -> EntityRecord:
    """An ``entities.Entity`` (with names, identifiers and details loaded) as a record."""
    person = getattr(entity, "person", None) if entity.kind == "person" else None
    organisation = getattr(entity, "organisation", None) if entity.kind == "organisation" else None
    countries = (person.nationalities if person else organisation.countries if organisation else []) or []
    return EntityRecord(
        entity_id=entity.public_id,
        kind=entity.kind,
        names=[NameRecord(n.value, n.type, n.lang) for n in entity.names.all() if n.deprecated_at is None],
        birth_date=person.birth_date if person else "",
        countries=tuple(countries),
        identifiers=[(i.scheme, i.value) for i in entity.identifiers.all() if i.deprecated_at is None],
    )


def write_model_records():
    return WriteModelRecords()
