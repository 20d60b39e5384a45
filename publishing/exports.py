"""Bulk exports of the published entities, streamed from the database.

Three files of the current published entities (``PublishedRecord`` heads of type
entity whose latest operation is an upsert: never an unpublished or retracted one),
ordered by entity id:

* ``entities.jsonl``: each entity's published document, one per line, as PostgreSQL
  stores it (``document::text``, passed through as bytes, never parsed);
* ``entities.ftm.json``: FollowTheMoney entities, one JSON object per line (mapping
  below and in the README);
* ``entities.csv``: one row per entity, the columns of ``CSV_COLUMNS``: each entity's
  line as publication stored it on the head (``csv_row``), passed through as bytes.

Each export is a generator of ``bytes`` chunks (one per batch of rows fetched), for a
``StreamingHttpResponse``. Rows come through a server-side cursor, so memory does
not grow with the number of entities. A server-side cursor lives in a transaction,
and a streaming response is iterated after the view returned (outside any request
transaction), so each export opens its own read-only REPEATABLE READ transaction
when the first chunk is asked for, and ends it after the last one or when the
consumer stops (closing the generator). All the queries of one export therefore see
one snapshot; the number of queries doesn't depend on the number of entities.
"""

import csv
import io
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from itertools import islice
from typing import Callable, Iterator

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from psycopg.adapt import Loader

from entities.models import Entity, Identifier, Name, Organisation, Relationship
from sanctions.models import SanctionAction, SanctionTarget
from sources.models import Source

from .documents import countries, is_sanctioned
from .models import PublishedRecord, PublishedVersion, RecordType
from .tags import source_tag_sql

ROWS_PER_FETCH = 1000

HEADS = PublishedRecord._meta.db_table
VERSIONS = PublishedVersion._meta.db_table
ENTITY, SANCTION = RecordType.ENTITY.value, RecordType.SANCTION.value
UPSERT = PublishedVersion.Operation.UPSERT.value
CURRENT_ENTITIES = f"FROM {HEADS} h WHERE h.record_type = '{ENTITY}' AND h.operation = '{UPSERT}'"


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    # stream() → a generator of bytes chunks, one per batch of rows_per_fetch rows
    stream: Callable[..., Iterator[bytes]]
    description: str

    @property
    def content_disposition(self):
        return f'attachment; filename="{self.filename}"'


class UnknownExport(LookupError):
    pass


def get_export(filename):
    """The export served under ``filename``; UnknownExport names the ones there are."""
    try:
        return EXPORTS[filename]
    except KeyError:
        raise UnknownExport(f"No export named {filename!r}; there are: {', '.join(EXPORTS)}.") from None


# ------------------------------------------------------------------- reading rows


@contextmanager
def _snapshot():
    """One consistent, read-only view of the published model for a whole export."""
    if connection.in_atomic_block:
        # A caller's transaction (a test, a command): read in it. Only the first
        # statement of a transaction may set its isolation level.
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class _Utf8Bytes(Loader):
    """A text column as the bytes the server sent (Django sets client_encoding UTF8)."""

    def load(self, data):
        return bytes(data)


def _batches(sql, rows_per_fetch, raw_text=False):
    """Lists of rows of ``sql``, fetched ``rows_per_fetch`` at a time from a server-side
    cursor (call inside ``_snapshot``)."""
    with connection.chunked_cursor() as cursor:
        if raw_text:
            cursor.cursor.adapters.register_loader("text", _Utf8Bytes)
        cursor.execute(sql)
        while rows := cursor.fetchmany(rows_per_fetch):
            yield rows


# ------------------------------------------------------------------------- JSONL


def entities_jsonl(rows_per_fetch=ROWS_PER_FETCH):
    # jsonb's text form has no raw newline (JSON escapes control characters), so a
    # document is exactly one line.
    with _snapshot():
        sql = f"SELECT h.document::text {CURRENT_ENTITIES} ORDER BY h.record_id"
        for rows in _batches(sql, rows_per_fetch, raw_text=True):
            yield b"\n".join(row[0] for row in rows) + b"\n"


# ------------------------------------------------------------- rows with context

def _iso(timestamp):
    """A timestamp as ISO 8601 text in UTC, formatted by the database (parsing it into
    a datetime only to format it again costs more than the rest of a CSV row)."""
    return f"""to_char(({timestamp}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


# Per entity: its document, when it was first and last published, and what the
# FollowTheMoney mapping needs from other records, in the same query: the kind of
# each entity it points at that is still published (relationship objects, parent
# organisation) and the summary, programme and authority of each action in its
# sanctions section.
ENTITY_COLUMNS = [
    "h.document",
    _iso("""(SELECT v.published_at FROM {VERSIONS} v
               WHERE v.record_type = h.record_type AND v.record_id = h.record_id AND v.version = 1)""".format(
        VERSIONS=VERSIONS
    )),
    _iso("h.published_at"),
    "h.version",
    f"""(SELECT jsonb_object_agg(o.record_id, jsonb_build_object(
                'kind', o.document -> 'kind', 'org_kind', o.document #> '{{organisation,org_kind}}'))
           FROM {HEADS} o
          WHERE o.record_type = '{ENTITY}' AND o.operation = '{UPSERT}'
            AND o.record_id IN (SELECT r ->> 'object' FROM jsonb_array_elements(h.document -> 'relationships') r
                                UNION ALL SELECT h.document #>> '{{organisation,parent}}'))""",
    f"""(SELECT jsonb_object_agg(a.record_id, jsonb_build_object(
                'summary', a.document -> 'summary', 'programme', a.document -> 'programme',
                'authority', a.document -> 'authority'))
           FROM {HEADS} a
          WHERE a.record_type = '{SANCTION}' AND a.operation = '{UPSERT}'
            AND a.record_id IN (SELECT s ->> 'action' FROM jsonb_array_elements(h.document -> 'sanctions') s))""",
]


@dataclass
class EntityRow:
    document: dict
    first_published_at: str  # ISO 8601, UTC
    last_published_at: str
    version: int
    entities: dict = field(default_factory=dict)  # entity id → {"kind", "org_kind"}, published ones only
    actions: dict = field(default_factory=dict)  # action id → {"summary", "programme", "authority"}


def _entity_rows(rows_per_fetch):
    """Batches of EntityRow."""
    sql = f"SELECT {', '.join(ENTITY_COLUMNS)} {CURRENT_ENTITIES} ORDER BY h.record_id"
    for rows in _batches(sql, rows_per_fetch):
        # Django has psycopg hand jsonb over as text (its JSONField decodes it).
        yield [
            EntityRow(json.loads(doc), first, last, version, *(json.loads(c) if c else {} for c in context))
            for doc, first, last, version, *context in rows
        ]


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    ("id", "public id of the entity"),
    ("kind", "person or organisation"),
    ("org_kind", "kind of organisation (government_body, company, ...); empty for persons"),
    ("caption", "the primary name (else the first name)"),
    ("names", "every current name, primary first"),
    ("countries", "ISO 3166-1 alpha-2: a person's nationalities, an organisation's countries"),
    ("birth_date", "partial ISO date (1960, 1960-05, 1960-05-17); persons only"),
    ("identifiers", "scheme:country:value (country may be empty), e.g. registration:RU:1027700001234"),
    ("sanctioned", "true when a designation or export control targeting it is announced or in force"),
    ("authorities", "authorities of every action targeting it (any kind or status)"),
    ("programmes", "their programmes"),
    ("measures", "measures against it (asset_freeze, travel_ban, ...)"),
    ("actions", "public ids of those actions"),
    ("first_published_at", "when its first version was published (ISO 8601, UTC)"),
    ("last_published_at", "when its current version was published"),
    ("version", "its current published version"),
]


def join_values(values):
    """Several values in one cell: ``;``-separated, ``\\`` and ``;`` inside a value
    escaped with a backslash (``split_values`` reverses it)."""
    return ";".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in dict.fromkeys(values) if v)


def split_values(cell):
    values, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    if current or values:
        values.append("".join(current))
    return values


def _utc_iso(when):
    """A timestamp as the other exports give it: ISO 8601 in UTC, microseconds, Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def csv_row(document, first_published_at, last_published_at, version):
    """An entity's line of entities.csv, CRLF-terminated. Publication stores it on the
    entity's head (``services._append``): every cell changes only with a new version, so
    the export streams stored lines as entities.jsonl streams documents, instead of
    parsing and formatting a million documents per download."""
    doc = document
    sanctions = doc["sanctions"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow([  # RFC 4180: quotes where needed, CRLF line ends
        doc["id"],
        doc["kind"],
        (doc.get("organisation") or {}).get("org_kind", ""),
        doc["caption"],
        join_values(n["value"] for n in doc["names"]),
        join_values(countries(doc)),
        (doc.get("person") or {}).get("birth_date", ""),
        join_values(f"{i['scheme']}:{i['country']}:{i['value']}" for i in doc["identifiers"]),
        "true" if is_sanctioned(sanctions) else "false",
        join_values(s["authority"] for s in sanctions),
        join_values(s["programme"] or "" for s in sanctions),
        join_values(m for s in sanctions for m in s["measures"]),
        join_values(s["action"] for s in sanctions),
        _utc_iso(first_published_at),
        _utc_iso(last_published_at),
        str(version),
    ])
    return buffer.getvalue()


def _csv_header():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([name for name, _ in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def entities_csv(rows_per_fetch=ROWS_PER_FETCH):
    yield _csv_header()
    with _snapshot():
        sql = f"SELECT h.csv_row {CURRENT_ENTITIES} ORDER BY h.record_id"
        for rows in _batches(sql, rows_per_fetch, raw_text=True):
            yield b"".join(row[0] for row in rows)


# ---------------------------------------------------------------- FollowTheMoney


def ftm_id(*ids):
    """A stable FollowTheMoney id from ours: ``sdb-`` and the ids joined by ``-``
    (FTM ids allow letters, digits, ``.`` and ``-``; ours have ``_``)."""
    return "sdb-" + "-".join(i.replace("_", "-") for i in ids)


def ftm_entity(schema, entity_id, **properties):
    """A FollowTheMoney entity: every property a list of strings, empty values and
    repeats left out (FTM has no empty values)."""
    props = {}
    for name, values in properties.items():
        values = [values] if isinstance(values, str) or values is None else values
        values = [v for v in dict.fromkeys(values) if v]
        if values:
            props[name] = values
    return {"id": entity_id, "schema": schema, "properties": props}


def ftm_schema(kind, org_kind=None):
    if kind == Entity.Kind.PERSON:
        return "Person"
    if org_kind == Organisation.Kind.COMPANY:
        return "Company"
    if org_kind in (Organisation.Kind.GOVERNMENT_BODY, Organisation.Kind.MILITARY_UNIT):
        return "PublicBody"
    return "Organization"  # armed groups, international organisations, media, research bodies, other


# What each of our schemata is, for the ranges of edge properties.
SCHEMA_IS = {
    "Person": {"Person", "LegalEntity"},
    "Organization": {"Organization", "LegalEntity"},
    "PublicBody": {"PublicBody", "Organization", "LegalEntity"},
    "Company": {"Company", "Organization", "LegalEntity", "Asset"},
}

# Relationship kind → (edge schema, subject's property and the schema it needs,
# object's property and the schema it needs). A pair the edge can't hold (an
# organisation "employee of" something, a person "owner of" a non-company) and the
# kinds FTM has no edge for become an UnknownLink with the kind as role.
RELATIONSHIP_EDGES = {
    Relationship.Kind.HEAD_OF: ("Directorship", "director", "LegalEntity", "organization", "Organization"),
    Relationship.Kind.DEPUTY_HEAD_OF: ("Directorship", "director", "LegalEntity", "organization", "Organization"),
    Relationship.Kind.MEMBER_OF: ("Membership", "member", "LegalEntity", "organization", "Organization"),
    Relationship.Kind.PART_OF: ("Membership", "member", "LegalEntity", "organization", "Organization"),
    Relationship.Kind.SPOKESPERSON_FOR: ("Representation", "agent", "LegalEntity", "client", "LegalEntity"),
    Relationship.Kind.EMPLOYEE_OF: ("Employment", "employee", "Person", "employer", "Organization"),
    Relationship.Kind.OWNER_OF: ("Ownership", "owner", "LegalEntity", "asset", "Asset"),
    Relationship.Kind.ASSOCIATE_OF: ("Associate", "person", "Person", "associate", "Person"),
}
UNKNOWN_LINK = ("UnknownLink", "subject", "LegalEntity", "object", "LegalEntity")

NAME_PROPERTY = {
    Name.Type.PRIMARY: "name",
    Name.Type.ALIAS: "alias",
    Name.Type.TRANSLITERATION: "alias",
    Name.Type.WEAK_ALIAS: "weakAlias",
    Name.Type.PREVIOUS: "previousName",
}
IDENTIFIER_PROPERTY = {
    Identifier.Scheme.REGISTRATION: "registrationNumber",
    Identifier.Scheme.TAX: "taxNumber",
    Identifier.Scheme.LEI: "leiCode",
    Identifier.Scheme.PASSPORT: "passportNumber",  # Person only
    Identifier.Scheme.IMO: "imoNumber",  # organisations only
}
PERSON_ONLY, ORGANISATION_ONLY = {"passportNumber"}, {"imoNumber"}

# ISO 639-1 → the ISO 639-3 codes FollowTheMoney's language type accepts (it knows
# fewer languages than ISO 639-1 has; others are left out).
FTM_LANGUAGES = {
    "af": "afr", "am": "amh", "ar": "ara", "az": "aze", "be": "bel", "bg": "bul", "bn": "ben", "bs": "bos",
    "ca": "cat", "cs": "ces", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "es": "spa", "et": "est",
    "fa": "fas", "fi": "fin", "fr": "fra", "ga": "gle", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
    "hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "km": "khm",
    "kn": "kan", "ko": "kor", "ky": "kir", "lb": "ltz", "lo": "lao", "lt": "lit", "lv": "lav", "mk": "mkd",
    "mn": "mon", "ms": "msa", "mt": "mlt", "my": "mya", "ne": "nep", "nl": "nld", "no": "nor", "pl": "pol",
    "ps": "pus", "pt": "por", "ro": "ron", "ru": "rus", "si": "sin", "sk": "slk", "sl": "slv", "sq": "sqi",
    "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam", "te": "tel", "tg": "tgk", "th": "tha", "tk": "tuk",
    "tl": "tgl", "tr": "tur", "uk": "ukr", "ur": "urd", "uz": "uzb", "vi": "vie", "zh": "zho",
}  # fmt: skip

KIND_LABELS = dict(SanctionAction.Kind.choices)
STATUS_LABELS = dict(SanctionAction.Status.choices)
MEASURE_LABELS = dict(SanctionTarget.Measure.choices)
RELATIONSHIP_LABELS = dict(Relationship.Kind.choices)
SCHEME_LABELS = dict(Identifier.Scheme.choices)


def _lower(countries):
    return [c.lower() for c in countries if c]


def _date(timestamp):
    return timestamp[:10] if timestamp else ""


def _articles(citations):
    return [ftm_id(c["source"]) for c in citations]


def ftm_article(source):
    """Bibliographic data only: the article text stays out (third parties' copyright,
    and size); what partners need of it is in the quotes (Documentation)."""
    return ftm_entity(
        "Article",
        ftm_id(source.public_id),
        title=source.title,
        publisher=source.publisher,
        author=source.author,
        sourceUrl=source.link_url,
        publishedAt=source.published,
        language=FTM_LANGUAGES.get(source.language),
        retrievedAt=source.retrieved_at.date().isoformat() if source.retrieved_at else "",
    )


def ftm_entities(row):
    """The FTM entities one published entity document maps to: the entity, its
    identifications, sanctions, relationships and documentation."""
    doc, related, actions = row.document, row.entities, row.actions
    entity_id = ftm_id(doc["id"])
    details = doc.get("person") or doc.get("organisation") or {}
    schema = ftm_schema(doc["kind"], details.get("org_kind"))
    props = defaultdict(list)
    for name in doc["names"]:
        props[NAME_PROPERTY[name["type"]]].append(name["value"])
    if not props["name"]:
        props["name"].append(doc["caption"])
    for ident in doc["identifiers"]:
        prop = IDENTIFIER_PROPERTY.get(ident["scheme"], "idNumber")
        if prop in (ORGANISATION_ONLY if schema == "Person" else PERSON_ONLY):
            prop = "idNumber"
        props[prop].append(ident["value"])
    if schema == "Person":
        props.update(
            title=details["title"],
            gender=details["gender"],
            birthDate=details["birth_date"],
            nationality=_lower(details["nationalities"]),
        )
    else:
        props["country"] = _lower(details["countries"])
        if details["parent"] in related:
            props["parent"] = ftm_id(details["parent"])
    if is_sanctioned(doc["sanctions"]):
        props["topics"] = "sanction"
    out = [
        ftm_entity(
            schema,
            entity_id,
            **props,
            createdAt=_date(row.first_published_at),
            modifiedAt=_date(row.last_published_at),
        )
    ]

    for ident in doc["identifiers"]:
        out.append(
            ftm_entity(
                "Identification",
                ftm_id(ident["id"]),
                holder=entity_id,
                type=SCHEME_LABELS.get(ident["scheme"], ident["scheme"]),
                number=ident["value"],
                country=_lower([ident["country"]]),
                proof=_articles(ident["citations"]),
            )
        )

    for sanction in doc["sanctions"]:
        action = actions.get(sanction["action"]) or {}
        out.append(
            ftm_entity(
                "Sanction",
                ftm_id(sanction["target_claim"]),
                entity=entity_id,
                authority=sanction["authority"],
                country=_lower([(action.get("authority") or {}).get("country", "")]),
                program=sanction["programme"],
                programId=(action.get("programme") or {}).get("code"),
                status=STATUS_LABELS.get(sanction["status"], sanction["status"]),
                description=KIND_LABELS.get(sanction["kind"], sanction["kind"]),
                provisions=[MEASURE_LABELS.get(m, m) for m in sanction["measures"]],
                listingDate=sanction["announced_date"],
                startDate=sanction["in_force_date"],
                endDate=sanction["end_date"],
                summary=action.get("summary"),
            )
        )

    for rel in doc["relationships"]:
        target = related.get(rel["object"])
        if target is None:  # retracted since: partners can't follow the link
            continue
        edge, subject_prop, subject_is, object_prop, object_is = RELATIONSHIP_EDGES.get(rel["kind"], UNKNOWN_LINK)
        if subject_is not in SCHEMA_IS[schema] or object_is not in SCHEMA_IS[ftm_schema(**target)]:
            edge, subject_prop, _, object_prop, _ = UNKNOWN_LINK
        role = rel["role"] or RELATIONSHIP_LABELS.get(rel["kind"], rel["kind"])
        out.append(
            ftm_entity(
                edge,
                ftm_id(rel["id"]),
                **{subject_prop: entity_id, object_prop: ftm_id(rel["object"])},
                **({"relationship": role} if edge == "Associate" else {"role": role}),
                startDate=rel["start"],
                endDate=rel["end"],
                proof=_articles(rel["citations"]),
            )
        )

    # One Documentation per article the entity's claims cite: every quote from it.
    cited = defaultdict(lambda: ([], []))
    claims = [doc, *doc["names"], *doc["identifiers"], *doc["relationships"]]
    for citation in (c for claim in claims for c in claim["citations"]):
        quotes, translations = cited[citation["source"]]
        quotes.append(citation["quote"])
        translations.append(citation["translation"])
    for source_id, (quotes, translations) in sorted(cited.items()):
        out.append(
            ftm_entity(
                "Documentation",
                ftm_id(doc["id"], source_id),
                entity=entity_id,
                document=ftm_id(source_id),
                summary=quotes,
                description=translations,
            )
        )
    return out


def _json_lines(objects):
    return "".join(
        json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n" for o in objects
    ).encode("utf-8")


def cited_sources():
    """The sources the current published entity documents cite: by the ``source:<id>``
    tag publication gives each head (publishing.tags; GIN-indexed), so finding them
    doesn't read every document before the first line goes out."""
    table = Source._meta.db_table
    cited = RawSQL(
        f"EXISTS (SELECT 1 {CURRENT_ENTITIES} AND h.tags @> {source_tag_sql(table + '.public_id')})",
        (),
        output_field=BooleanField(),
    )
    return (
        Source.objects.filter(cited)
        .only("public_id", "title", "publisher", "author", "url", "published", "language", "retrieved_at")
        .order_by("public_id")
    )


def entities_ftm(rows_per_fetch=ROWS_PER_FETCH):
    with _snapshot():
        # Articles first, so that a reader meets every document before its references.
        sources = cited_sources().iterator(chunk_size=rows_per_fetch)
        while batch := list(islice(sources, rows_per_fetch)):
            yield _json_lines(map(ftm_article, batch))
        for rows in _entity_rows(rows_per_fetch):
            yield _json_lines(entity for row in rows for entity in ftm_entities(row))


EXPORTS = {
    e.filename: e
    for e in (
        Export(
            "entities.jsonl",
            "application/x-ndjson",
            entities_jsonl,
            "Every published entity document, one per line.",
        ),
        Export(
            "entities.ftm.json",
            "application/x-ndjson",
            entities_ftm,
            "FollowTheMoney entities (persons, organisations, sanctions, relationships, articles), one per line.",
        ),
        Export(
            "entities.csv",
            "text/csv; charset=utf-8; header=present",
            entities_csv,
            "One row per published entity.",
        ),
    )
}
