"""The search tags of published records: how a document's facets are encoded for the
API's filters, in one place.

Each tag is "facet:value" (``tag``), cut to the length of an element of
``PublishedRecord.tags`` (``TAG_MAX``), which one GIN index serves: the filters look
for ``tags @> [...]``. ``tags`` lists a document's; SQL that finds the records citing a
source builds the same tag with ``source_tag_sql`` (or ``source_tag`` in the ORM).
"""

from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, Func, Value
from django.db.models.functions import Concat

from core.names import search_keys

from .documents import ENTITY, SANCTION, cited, countries, is_sanctioned
from .models import PublishedRecord

TAG_MAX = PublishedRecord._meta.get_field("tags").base_field.max_length
SOURCE = "source"
_TAG_ARRAY = f"::varchar({TAG_MAX})[]"


def tag(facet, value):
    """One tag. Cut to TAG_MAX characters (a programme's name or a name's word may be
    longer): the filters cut what they look for the same way, so it still matches."""
    return f"{facet}:{value}"[:TAG_MAX]


def tags(document):
    """The published document's facets as "facet:value" strings, one GIN-indexed array
    the API filters on (``tags @> [...]``): kind, name words, countries, authorities,
    programmes, measures, statuses, cited sources, and "sanctioned" for entities."""
    # The match index's word keys: q finds "Schoigu" as "Shoigu", "Muhammad" as "Mohammad",
    # "باقری" as "Bagheri", as match/ does.
    if document.get("retracted") or document["type"] not in (ENTITY, SANCTION):
        return []  # authorities and programmes are filtered on through the actions showing them
    out = {tag("kind", document["kind"])}
    out.update(tag(SOURCE, citation["source"]) for _, citation in cited(document))
    if document["type"] == ENTITY:
        for name in [document["caption"], *(n["value"] for n in document["names"])]:
            out.update(tag("name", k) for k in search_keys(name))
        out.update(tag("country", c) for c in countries(document))
        entries = document["sanctions"]
        if is_sanctioned(entries):
            out.add("sanctioned")
    else:
        entries = [
            {
                "authority": document["authority"]["name"],
                "programme": document["programme"]["name"] if document["programme"] else None,
                "kind": document["kind"],
                "status": document["status"],
                "measures": sorted({m for t in document["targets"] for m in t["measures"]}),
            }
        ]
    for entry in entries:
        out.add(tag("authority", entry["authority"]))
        if entry["programme"]:
            out.add(tag("programme", entry["programme"]))
        out.add(tag("status", entry["status"]))
        out.update(tag("measure", m) for m in entry["measures"])
    return sorted(out)


def refill(published_record_model, schema_editor):
    """Recompute every head's tags, as approval would: for data migrations that change
    what tags hold (heads are writable only inside approval, migration 0002; this sets
    the same guard for its own transaction)."""
    schema_editor.execute("SELECT set_config('publishing.writer', 'approve', true)")
    for head in published_record_model.objects.only("pk", "document").iterator(chunk_size=2000):
        published_record_model.objects.filter(pk=head.pk).update(tags=tags(head.document))
    schema_editor.execute("SELECT set_config('publishing.writer', '', true)")


def source_tag_sql(public_id_sql):
    """SQL for the one-element tag array of a source whose public id ``public_id_sql``
    computes (``tags @> <this>`` finds the records citing it)."""
    return f"ARRAY['{SOURCE}:' || {public_id_sql}]{_TAG_ARRAY}"


def source_tag(expression):
    """``source_tag_sql`` as an ORM expression."""
    return Func(
        Concat(Value(f"{SOURCE}:"), expression, output_field=CharField()),
        template=f"ARRAY[%(expressions)s]{_TAG_ARRAY}",
        output_field=ArrayField(CharField()),
    )
