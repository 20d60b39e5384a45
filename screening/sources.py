"""Where the index gets its records from.

A source is a callable returning an iterable of ``EntityRecord`` (with ``__len__`` if it
can tell how many, for the progress bar). ``rebuild_match_index`` takes the dotted path
of one; the publication workflow will supply one that reads published documents.
"""
from django.db.models import Prefetch

from .records import EntityRecord, NameRecord


class WriteModelRecords:
    """Every live entity of the write model (not deprecated, not merged away), with its
    live names and identifiers. For development until published documents exist."""

    def __init__(self, chunk_size: int = 2000):
        from entities.models import Entity, Identifier, Name

        self.chunk_size = chunk_size
        self.queryset = (
            Entity.objects.filter(deprecated_at__isnull=True, merged_into__isnull=True)
            .select_related("person", "organisation")
            .prefetch_related(
                Prefetch("names", queryset=Name.objects.filter(deprecated_at__isnull=True).order_by("id")),
                Prefetch("identifiers", queryset=Identifier.objects.filter(deprecated_at__isnull=True).order_by("id")),
            )
            .order_by("id")
        )

    def __len__(self):
        return self.queryset.count()

    def __iter__(self):
        # Chunks by primary key, each its own query: a server-side cursor (iterator())
        # left open while the index is rebuilt makes its COPY FREEZE fail ("prior
        # transaction activity") as soon as there is more than one COPY batch.
        last = 0
        while chunk := list(self.queryset.filter(pk__gt=last)[: self.chunk_size]):
            for entity in chunk:
                record = entity_record(entity)
                if record.names:
                    yield record
            last = chunk[-1].pk


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
