"""Render records of the write model into the JSON documents that get published.

One function per record type renders many records in a fixed number of queries.
Documents hold only current claims (deprecated ones drop out), each with its
citations, in a stable order, so the same write-model state always renders the
same bytes and the content hash tells whether anything changed.

An entity's ``sanctions`` section is not rendered from the write model: it comes
from the *published* documents of the actions that target it, so publishing an
entity never leaks an unreviewed edit of an action, and publishing an action
updates its targets' documents without touching their own unreviewed edits.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Claim, Evidence, Source

from .models import RecordType

# Plain strings: record keys are (type, id) tuples, and an enum member doesn't hash
# like its value.
ENTITY, SANCTION = RecordType.ENTITY.value, RecordType.SANCTION.value
AUTHORITY, PROGRAMME = RecordType.AUTHORITY.value, RecordType.PROGRAMME.value
NAME_TYPE_ORDER = {value: i for i, value in enumerate(Name.Type.values)}


def canonical_json(document):
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(document, text=None):
    """SHA-256 of the document's canonical JSON (``text``, when the caller has it)."""
    return hashlib.sha256((text if text is not None else canonical_json(document)).encode("utf-8")).hexdigest()


def claim_label(item):
    """What names a claim of a document in a sentence: its value, the entity it
    points at, or its id; a plain value is its own label."""
    if isinstance(item, dict):
        for key in ("value", "entity", "object", "action", "id"):
            if item.get(key):
                return item[key]
    return item


def claim_id(pk):
    """A claim's id in documents (its primary key: stable, and unique across claim types)."""
    return f"clm_{pk}"


@dataclass
class Rendered:
    """A record's document plus what publishing it depends on."""

    record_type: str
    record_id: str
    document: dict
    retracted: bool = False
    uncited: list = field(default_factory=list)  # human-readable labels of claims without citations
    references: set = field(default_factory=set)  # (type, id) of the records the document points at


# Rendering reads plain rows (values_list) and builds the documents in Python, in a fixed
# number of queries for any number of records. Every query looks rows up by primary or
# foreign key (``__any``: one array parameter), never joins a table of millions of rows
# (claims, citations, entities) as a whole: a batch of ten thousand records renders in
# about a second whatever the size of the database, where ORM instances with prefetches
# took tens of seconds, and joins let PostgreSQL hash whole tables.


def _deprecated(claim_pks):
    """claim pk → deprecation reason, for those of these claims that are deprecated."""
    return dict(
        Claim.objects.filter(pk__any=list(claim_pks), deprecated_at__isnull=False).values_list(
            "pk", "deprecated_reason"
        )
    )


def _public_ids(model, pks):
    return dict(model.objects.filter(pk__any=list(set(pks))).values_list("pk", "public_id")) if pks else {}


def _citations_by_claim(claim_pks):
    """(claim pk, property) → its citations as documents show them, ordered by source,
    start, end; property "" for the claim itself (see Evidence.property)."""
    evidence = list(
        Evidence.objects.filter(claim_id__any=list(claim_pks)).values_list("claim_id", "property", "citation_id")
    )
    citations = {
        pk: row
        for pk, *row in Citation.objects.filter(pk__any=list({c for *_, c in evidence})).values_list(
            "pk", "source_id", "start", "end", "quote", "translation"
        )
    }
    sources = _public_ids(Source, {source_id for source_id, *_ in citations.values()})
    rows = defaultdict(list)
    for claim_pk, prop, citation_pk in evidence:
        source_id, start, end, quote, translation = citations[citation_pk]
        rows[claim_pk, prop].append((sources[source_id], start, end, quote, translation))
    # Public ids are lower-case ASCII letters, digits and "_" of one length: Python's
    # order is the database's, whatever its collation.
    return {
        claim_pk: [
            {"source": source, "start": start, "end": end, "quote": quote, "translation": translation}
            for source, start, end, quote, translation in sorted(cited)
        ]
        for claim_pk, cited in rows.items()
    }


def _cited(citations, claim_pk, rendered, label, prop=""):
    cited = citations.get((claim_pk, prop), [])
    if not cited:
        rendered.uncited.append(label)
    return cited


def _property_citations(citations, claim_pk, properties, rendered, of=""):
    """{key: citations} of a claim's non-empty properties ((key, label) pairs, see
    Claim.cited_properties); each one without a citation is named in ``uncited``."""
    return {key: _cited(citations, claim_pk, rendered, f"{of}{label}", key) for key, label in properties}


def _by_parent(model, fk, parent_pks, fields, order=()):
    """parent pk → [row tuples (parent pk, claim pk, *fields)] of ``model``'s claims."""
    by_parent = defaultdict(list)
    for row in (
        model.objects.filter(**{f"{fk}__any": parent_pks}).order_by(fk, *order, "pk").values_list(fk, "pk", *fields)
    ):
        by_parent[row[0]].append(row)
    return by_parent


# --------------------------------------------------------------------------- entities

RELATIONSHIP_KINDS = dict(Relationship.Kind.choices)


def render_entities(entity_ids, sanctions_by_entity):
    """The documents of the entities with these public ids. ``sanctions_by_entity``:
    entity id → the sanctions section (see module docstring)."""
    entities = list(
        Entity.objects.filter(public_id__any=list(entity_ids)).values_list("pk", "public_id", "kind", "merged_into_id")
    )
    pks = [row[0] for row in entities]
    persons = {
        row[0]: row[1:]
        for row in Person.objects.filter(entity_id__any=pks).values_list(
            "entity_id", "title", "gender", "birth_date", "nationalities"
        )
    }
    organisations = {
        row[0]: row[1:]
        for row in Organisation.objects.filter(entity_id__any=pks).values_list(
            "entity_id", "org_kind", "countries", "parent_id"
        )
    }
    # Every name, current or not, in the order Entity.caption reads them (Name's ordering).
    names = _by_parent(Name, "entity_id", pks, ("value", "type", "lang"), order=("type", "value"))
    identifiers = _by_parent(Identifier, "entity_id", pks, ("scheme", "value", "country"))
    relationships = _by_parent(Relationship, "subject_id", pks, ("kind", "object_id", "role", "start", "end"))
    claims = [*pks, *(r[1] for group in (names, identifiers, relationships) for rows in group.values() for r in rows)]
    deprecated = _deprecated(claims)
    citations = _citations_by_claim(pk for pk in claims if pk not in deprecated)
    linked = _public_ids(
        Entity,
        [r[3] for r in entities if r[3]]
        + [o[2] for o in organisations.values() if o[2]]
        + [r[3] for rows in relationships.values() for r in rows],
    )
    return [
        _render_entity(
            row,
            persons.get(row[0]),
            organisations.get(row[0]),
            names[row[0]],
            identifiers[row[0]],
            relationships[row[0]],
            deprecated,
            linked,
            citations,
            sanctions_by_entity.get(row[1], []),
        )
        for row in entities
    ]


def _retraction(record_type, record_id, reason, **extra):
    return Rendered(
        record_type,
        record_id,
        {"id": record_id, "type": record_type, "retracted": True, "reason": reason, **extra},
        retracted=True,
    )


def _caption(names, deprecated):
    """Entity.caption from name rows in its order: the first current primary name, else
    the first current name."""
    current = [n for n in names if n[1] not in deprecated]
    for n in current:
        if n[3] == Name.Type.PRIMARY:
            return n[2]
    return current[0][2] if current else "(unnamed)"


def _render_entity(row, person, org, all_names, identifiers, relationships, deprecated, linked, citations, sanctions):
    pk, public_id, kind, merged_into = row
    if merged_into:
        return _retraction(ENTITY, public_id, "merged", merged_into=linked[merged_into])
    if pk in deprecated:
        return _retraction(ENTITY, public_id, deprecated[pk])
    r = Rendered(ENTITY, public_id, {})
    names = sorted(
        (n for n in all_names if n[1] not in deprecated), key=lambda n: (NAME_TYPE_ORDER[n[3]], n[2], n[4], n[1])
    )
    doc = {
        "id": public_id,
        "type": ENTITY,
        "kind": kind,
        "caption": _caption(all_names, deprecated),
        "citations": _cited(citations, pk, r, f"the {kind} itself"),
        "property_citations": {},
        "names": [
            {
                "id": claim_id(n_pk),
                "value": value,
                "type": type_,
                "lang": lang,
                "citations": _cited(citations, n_pk, r, f"name “{value}”"),
            }
            for _, n_pk, value, type_, lang in names
        ],
        "identifiers": [
            {
                "id": claim_id(i_pk),
                "scheme": scheme,
                "value": value,
                "country": country,
                "citations": _cited(citations, i_pk, r, f"identifier {value}"),
            }
            for _, i_pk, scheme, value, country in sorted(
                (i for i in identifiers if i[1] not in deprecated), key=lambda i: (i[2], i[3], i[1])
            )
        ],
        "relationships": [],
        "sanctions": sanctions,
    }
    current = [
        (rel_pk, kind_, linked[obj], role, start, end)
        for _, rel_pk, kind_, obj, role, start, end in relationships
        if rel_pk not in deprecated
    ]
    for rel_pk, rel_kind, obj, role, start, end in sorted(current, key=lambda x: (x[1], x[2], x[0])):
        r.references.add((ENTITY, obj))
        doc["relationships"].append(
            {
                "id": claim_id(rel_pk),
                "kind": rel_kind,
                "object": obj,
                "role": role,
                "start": start,
                "end": end,
                "citations": _cited(
                    citations, rel_pk, r, f"relationship “{RELATIONSHIP_KINDS.get(rel_kind, rel_kind)}” to {obj}"
                ),
            }
        )
    if kind == Entity.Kind.PERSON:
        title, gender, birth_date, nationalities = person or ("", "", "", [])
        doc["person"] = {
            "title": title,
            "gender": gender,
            "birth_date": birth_date,
            "nationalities": sorted(nationalities),
        }
        properties = Person.properties_of(title, gender, birth_date, nationalities)
    else:
        org_kind, countries, parent_pk = org or ("", [], None)
        parent = linked[parent_pk] if parent_pk else None
        if parent:
            r.references.add((ENTITY, parent))
        doc["organisation"] = {"org_kind": org_kind, "countries": sorted(countries), "parent": parent}
        properties = Organisation.properties_of(org_kind, countries)
    doc["property_citations"] = _property_citations(citations, pk, properties, r)
    r.document = doc
    return r


def sanctions_section(action_documents):
    """entity id → its sanctions section, from published action documents."""
    section = {}
    for action in sorted(action_documents, key=lambda d: d["id"]):
        if action.get("retracted"):
            continue
        for target in action["targets"]:
            section.setdefault(target["entity"], []).append(
                {
                    "action": action["id"],
                    "authority": action["authority"]["name"],
                    "programme": action["programme"]["name"] if action["programme"] else None,
                    "kind": action["kind"],
                    "status": action["status"],
                    "announced_date": action["announced_date"],
                    "in_force_date": action["in_force_date"],
                    "end_date": action["end_date"],
                    "measures": target["measures"],
                    "target_claim": target["id"],
                }
            )
    return section


# ------------------------------------------------------------------------- sanctions


def render_authorities(ids):
    return [
        Rendered(AUTHORITY, pid, {"id": pid, "type": AUTHORITY, "name": name, "short_name": short, "country": country})
        for pid, name, short, country in Authority.objects.filter(public_id__any=list(ids)).values_list(
            "public_id", "name", "short_name", "country"
        )
    ]


def render_programmes(ids):
    return [
        Rendered(PROGRAMME, pid, {"id": pid, "type": PROGRAMME, "authority": authority, "name": name, "code": code})
        for pid, authority, name, code in Programme.objects.filter(public_id__any=list(ids)).values_list(
            "public_id", "authority__public_id", "name", "code"
        )
    ]


def action_references(action_ids):
    """(type, id) of the authority and programme each of these actions shows."""
    keys = set()
    for authority, programme in SanctionAction.objects.filter(public_id__any=list(action_ids)).values_list(
        "authority__public_id", "programme__public_id"
    ):
        keys.add((AUTHORITY, authority))
        if programme:
            keys.add((PROGRAMME, programme))
    return keys


def as_shown_in_action(reference_document):
    """An authority's or programme's document as a sanction document embeds it."""
    return {k: v for k, v in reference_document.items() if k not in ("type", "authority")}


def render_actions(action_ids, references):
    """The documents of the sanction actions with these public ids. ``references``:
    (type, id) → the document of each authority and programme they show, as it is to
    be published (never the write model's row as such: see publication.draft_documents)."""
    actions = list(
        SanctionAction.objects.filter(public_id__any=list(action_ids)).values_list(
            "pk",
            "public_id",
            "authority__public_id",
            "programme__public_id",
            "kind",
            "status",
            "announced_date",
            "in_force_date",
            "end_date",
            "summary",
        )
    )
    pks = [row[0] for row in actions]
    targets = _by_parent(SanctionTarget, "action_id", pks, ("entity_id", "measures"))
    claims = [*pks, *(t[1] for rows in targets.values() for t in rows)]
    deprecated = _deprecated(claims)
    citations = _citations_by_claim(pk for pk in claims if pk not in deprecated)
    entities = _public_ids(Entity, [t[2] for rows in targets.values() for t in rows])
    return [_render_action(row, references, targets[row[0]], deprecated, entities, citations) for row in actions]


def _render_action(row, references, targets, deprecated, entities, citations):
    pk, public_id, authority, programme, kind, status, announced_date, in_force_date, end_date, summary = row
    if pk in deprecated:
        return _retraction(SANCTION, public_id, deprecated[pk])
    r = Rendered(SANCTION, public_id, {})
    current = sorted(
        ((t_pk, entities[entity_pk], measures) for _, t_pk, entity_pk, measures in targets if t_pk not in deprecated),
        key=lambda t: (t[1], t[0]),
    )
    r.references.update((ENTITY, entity) for _, entity, _ in current)
    r.references.add((AUTHORITY, authority))
    if programme:
        r.references.add((PROGRAMME, programme))
    r.document = {
        "id": public_id,
        "type": SANCTION,
        "authority": as_shown_in_action(references[(AUTHORITY, authority)]),
        "programme": as_shown_in_action(references[(PROGRAMME, programme)]) if programme else None,
        "kind": kind,
        "status": status,
        "announced_date": announced_date,
        "in_force_date": in_force_date,
        "end_date": end_date,
        "summary": summary,
        "citations": _cited(citations, pk, r, "the action itself"),
        "property_citations": _property_citations(
            citations, pk, SanctionAction.properties_of(announced_date, in_force_date, end_date), r
        ),
        "targets": [
            {
                "id": claim_id(t_pk),
                "entity": entity,
                "measures": sorted(measures),
                "citations": _cited(citations, t_pk, r, f"target {entity}"),
                "property_citations": _property_citations(
                    citations, t_pk, SanctionTarget.properties_of(measures), r, of=f"target {entity}: "
                ),
            }
            for t_pk, entity, measures in current
        ],
    }
    return r


# ---------------------------------------------------------------------------- tags

# What makes an entity "sanctioned" for partners: a designation or export control that
# was announced or is in force (not one only considered, threatened, lifted, advisory).
SANCTIONING_KINDS = frozenset({"designation", "export_control"})
SANCTIONING_STATUSES = frozenset({"announced", "in_force"})


def is_sanctioned(sanctions_section):
    """An entity document's sanctions section makes it "sanctioned": the API's filter,
    the CSV column and the FollowTheMoney topic all mean this."""
    return any(s["kind"] in SANCTIONING_KINDS and s["status"] in SANCTIONING_STATUSES for s in sanctions_section)


def countries(document):
    """An entity's countries: a person's nationalities, an organisation's countries."""
    details = document.get("person") or document.get("organisation") or {}
    return details.get("nationalities") or details.get("countries") or []


def cited(node, claim=None):
    """(claim id, citation) for every citation in a document, in document order; the
    record's own citations come with the record's id, a property's with
    "<claim id>:<property>" ("ent_…:birth_date", "clm_90:measures:asset_freeze")."""
    if isinstance(node, dict):
        claim = node.get("id", claim)
        for citation in node.get("citations") or ():
            yield claim, citation
        for key, citations in sorted((node.get("property_citations") or {}).items()):
            for citation in citations:
                yield f"{claim}:{key}", citation
        for key, value in node.items():
            if key not in ("citations", "property_citations") and isinstance(value, (dict, list)):
                yield from cited(value, claim)
    elif isinstance(node, list):
        for item in node:
            yield from cited(item, claim)
