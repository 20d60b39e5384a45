"""``entities.ftm.json``: FollowTheMoney entities, one JSON object per line: first an
Article per source the current published entities cite, then each entity mapped
(``ftm_entities``: the entity, its identifications, sanctions, relationships and
documentation; mapping below and in the README)."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from entities.models import Entity, Identifier, Name, Organisation, Relationship
from sanctions.models import SanctionAction, SanctionTarget
from sources.models import Source

from ..documents import cited as cited_in
from ..documents import is_sanctioned
from ..tags import source_tag_sql
from .shared import (
    CURRENT_ENTITIES,
    ENTITY,
    HEADS,
    ROWS_PER_FETCH,
    SANCTION,
    UPSERT,
    VERSIONS,
    Export,
    batches,
    snapshot,
)

# ------------------------------------------------------------- rows with context


def _iso(timestamp):
    """A timestamp as ISO 8601 text in UTC, formatted by the database (parsing it into
    a datetime only to format it again costs more than mapping the rest of the row)."""
    return f"""to_char(({timestamp}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


# Per entity: its document, when it was first and last published, and what the
# FollowTheMoney mapping needs from other records, in the same query: the kind of
# each entity it points at that is still published (relationship objects, parent
# organisation) and the summary, programme and authority of each action in its
# sanctions section.
ENTITY_COLUMNS = [
    "h.document",
    _iso(f"""(SELECT v.published_at FROM {VERSIONS} v
               WHERE v.record_type = h.record_type AND v.record_id = h.record_id AND v.version = 1)"""),
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
    for rows in batches(sql, rows_per_fetch):
        # Django has psycopg hand jsonb over as text (its JSONField decodes it).
        yield [
            EntityRow(json.loads(doc), first, last, version, *(json.loads(c) if c else {} for c in context))
            for doc, first, last, version, *context in rows
        ]


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
    for _, citation in cited_in(doc):  # the claims' and their properties' (birth date, country...)
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
    with snapshot():
        # Articles first, so that a reader meets every document before its references.
        sources = cited_sources().iterator(chunk_size=rows_per_fetch)
        while batch := list(islice(sources, rows_per_fetch)):
            yield _json_lines(map(ftm_article, batch))
        for rows in _entity_rows(rows_per_fetch):
            yield _json_lines(entity for row in rows for entity in ftm_entities(row))


EXPORT = Export(
    "entities.ftm.json",
    "application/x-ndjson",
    entities_ftm,
    "FollowTheMoney entities (persons, organisations, sanctions, relationships, articles), one per line.",
)
