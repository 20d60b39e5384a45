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

from entities.models import Entity, Identifier, Name, Relationship
from sanctions.models import SanctionAction, SanctionTarget
from sources.models import Evidence

from .models import RecordType

# Plain strings: record keys are (type, id) tuples, and an enum member doesn't hash
# like its value.
ENTITY, SANCTION = RecordType.ENTITY.value, RecordType.SANCTION.value
NAME_TYPE_ORDER = {value: i for i, value in enumerate(Name.Type.values)}


def canonical_json(document):
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(document):
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


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
    references: set = field(default_factory=set)  # entity ids the document points at


def _citations_by_claim(claim_ids):
    """claim pk → its citations as documents show them, ordered by source, start, end."""
    by_claim = defaultdict(list)
    rows = (
        Evidence.objects.filter(claim_id__any=claim_ids)
        .order_by("citation__source__public_id", "citation__start", "citation__end")
        .values_list("claim_id", "citation__source__public_id", "citation__start", "citation__end",
                     "citation__quote", "citation__translation")
    )
    for claim_pk, source, start, end, quote, translation in rows:
        by_claim[claim_pk].append(
            {"source": source, "start": start, "end": end, "quote": quote, "translation": translation}
        )
    return by_claim


def _cited(citations, claim_pk, rendered, label):
    cited = citations.get(claim_pk, [])
    if not cited:
        rendered.uncited.append(label)
    return cited


def _children(model, fk, parent_pks, fields, order=()):
    """parent pk → [row tuple] of the *current* (not deprecated) claims of ``model``; the
    tuples hold ``fields`` (the parent pk first, the claim pk second)."""
    by_parent = defaultdict(list)
    rows = (
        model.objects.filter(**{f"{fk}__any": parent_pks}, deprecated_at__isnull=True)
        .order_by(*order, "pk")
        .values_list(fk, "pk", *fields)
    )
    for row in rows:
        by_parent[row[0]].append(row)
    return by_parent


# --------------------------------------------------------------------------- entities
#
# Rendering reads plain rows (values_list), a fixed number of queries for any number of
# records, and builds the documents in Python: a batch of ten thousand records renders
# in well under a second, where ORM instances and prefetches took tens of seconds.

ENTITY_FIELDS = (
    "pk", "public_id", "kind", "deprecated_at", "deprecated_reason", "merged_into__public_id",
    "person__pk", "person__title", "person__gender", "person__birth_date", "person__nationalities",
    "organisation__pk", "organisation__org_kind", "organisation__countries", "organisation__parent__public_id",
)
RELATIONSHIP_KINDS = dict(Relationship.Kind.choices)


def render_entities(entity_ids, sanctions_by_entity):
    """The documents of the entities with these public ids. ``sanctions_by_entity``:
    entity id → the sanctions section (see module docstring)."""
    entities = list(Entity.objects.filter(public_id__any=list(entity_ids)).values_list(*ENTITY_FIELDS))
    pks = [row[0] for row in entities]
    # Every name, current or not, in the order Entity.caption reads them.
    all_names = defaultdict(list)
    for row in (
        Name.objects.filter(entity_id__any=pks)
        .order_by("entity_id", "type", "value", "pk")
        .values_list("entity_id", "pk", "value", "type", "lang", "deprecated_at")
    ):
        all_names[row[0]].append(row)
    identifiers = _children(Identifier, "entity_id", pks, ("scheme", "value", "country"))
    relationships = _children(
        Relationship, "subject_id", pks, ("kind", "object__public_id", "role", "start", "end")
    )
    claim_pks = [*pks, *(r[1] for rows in all_names.values() for r in rows if r[5] is None)]
    claim_pks += [r[1] for rows in (*identifiers.values(), *relationships.values()) for r in rows]
    citations = _citations_by_claim(claim_pks)
    return [
        _render_entity(row, all_names[row[0]], identifiers[row[0]], relationships[row[0]], citations,
                       sanctions_by_entity.get(row[1], []))
        for row in entities
    ]


def _retraction(record_type, record_id, reason, **extra):
    return Rendered(
        record_type,
        record_id,
        {"id": record_id, "type": record_type, "retracted": True, "reason": reason, **extra},
        retracted=True,
    )


def _caption(names):
    """Entity.caption from name rows in its order: the first current primary name, else
    the first current name."""
    current = [n for n in names if n[5] is None]
    for n in current:
        if n[3] == Name.Type.PRIMARY:
            return n[2]
    return current[0][2] if current else "(unnamed)"


def _render_entity(row, all_names, identifiers, relationships, citations, sanctions):
    (pk, public_id, kind, deprecated_at, deprecated_reason, merged_into, person, title, gender, birth_date,
     nationalities, org, org_kind, countries, parent) = row
    if merged_into:
        return _retraction(ENTITY, public_id, "merged", merged_into=merged_into)
    if deprecated_at:
        return _retraction(ENTITY, public_id, deprecated_reason)
    r = Rendered(ENTITY, public_id, {})
    names = sorted(
        (n for n in all_names if n[5] is None), key=lambda n: (NAME_TYPE_ORDER[n[3]], n[2], n[4], n[1])
    )
    doc = {
        "id": public_id,
        "type": ENTITY,
        "kind": kind,
        "caption": _caption(all_names),
        "citations": _cited(citations, pk, r, f"the {kind} itself"),
        "names": [
            {
                "id": claim_id(n_pk),
                "value": value,
                "type": type_,
                "lang": lang,
                "citations": _cited(citations, n_pk, r, f"name “{value}”"),
            }
            for _, n_pk, value, type_, lang, _ in names
        ],
        "identifiers": [
            {
                "id": claim_id(i_pk),
                "scheme": scheme,
                "value": value,
                "country": country,
                "citations": _cited(citations, i_pk, r, f"identifier {value}"),
            }
            for _, i_pk, scheme, value, country in sorted(identifiers, key=lambda i: (i[2], i[3], i[1]))
        ],
        "relationships": [],
        "sanctions": sanctions,
    }
    for _, rel_pk, rel_kind, obj, role, start, end in sorted(relationships, key=lambda x: (x[2], x[3], x[1])):
        r.references.add(obj)
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
        doc["person"] = {
            "title": title if person else "",
            "gender": gender if person else "",
            "birth_date": birth_date if person else "",
            "nationalities": sorted(nationalities) if person else [],
        }
    else:
        if org and parent:
            r.references.add(parent)
        doc["organisation"] = {
            "org_kind": org_kind if org else "",
            "countries": sorted(countries) if org else [],
            "parent": parent if org else None,
        }
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

ACTION_FIELDS = (
    "pk", "public_id", "deprecated_at", "deprecated_reason", "authority__name", "authority__short_name",
    "authority__country", "programme_id", "programme__name", "programme__code", "kind", "status",
    "announced_date", "in_force_date", "end_date", "summary",
)


def render_actions(action_ids):
    """The documents of the sanction actions with these public ids."""
    actions = list(SanctionAction.objects.filter(public_id__any=list(action_ids)).values_list(*ACTION_FIELDS))
    pks = [row[0] for row in actions]
    targets = _children(SanctionTarget, "action_id", pks, ("entity__public_id", "measures"))
    citations = _citations_by_claim([*pks, *(t[1] for rows in targets.values() for t in rows)])
    return [_render_action(row, targets[row[0]], citations) for row in actions]


def _render_action(row, targets, citations):
    (pk, public_id, deprecated_at, deprecated_reason, authority, short_name, country, programme_id, programme,
     code, kind, status, announced_date, in_force_date, end_date, summary) = row
    if deprecated_at:
        return _retraction(SANCTION, public_id, deprecated_reason)
    r = Rendered(SANCTION, public_id, {})
    targets = sorted(targets, key=lambda t: (t[2], t[1]))
    r.references.update(t[2] for t in targets)
    r.document = {
        "id": public_id,
        "type": SANCTION,
        "authority": {"name": authority, "short_name": short_name, "country": country},
        "programme": ({"name": programme, "code": code} if programme_id else None),
        "kind": kind,
        "status": status,
        "announced_date": announced_date,
        "in_force_date": in_force_date,
        "end_date": end_date,
        "summary": summary,
        "citations": _cited(citations, pk, r, "the action itself"),
        "targets": [
            {
                "id": claim_id(t_pk),
                "entity": entity,
                "measures": sorted(measures),
                "citations": _cited(citations, t_pk, r, f"target {entity}"),
            }
            for _, t_pk, entity, measures in targets
        ],
    }
    return r


# ---------------------------------------------------------------------------- diffs

SECTIONS = ("names", "identifiers", "relationships", "targets", "sanctions")


def diff_documents(before, after):
    """What changed between two documents of one record, claim by claim.

    Returns a list of {"part", "change": added|changed|removed, "before", "after"};
    list sections are compared by claim id (sanctions by action), the rest by key.
    """
    before, after = before or {}, after or {}
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in SECTIONS and isinstance(old or [], list) and isinstance(new or [], list):
            changes.extend(_diff_section(key, old or [], new or []))
        elif old is None:
            changes.append({"part": key, "change": "added", "before": None, "after": new})
        elif new is None:
            changes.append({"part": key, "change": "removed", "before": old, "after": None})
        else:
            changes.append({"part": key, "change": "changed", "before": old, "after": new})
    return changes


def _diff_section(part, old, new):
    key = "action" if part == "sanctions" else "id"
    olds = {item.get(key): item for item in old}
    news = {item.get(key): item for item in new}
    out = []
    for k in list(olds) + [k for k in news if k not in olds]:
        o, n = olds.get(k), news.get(k)
        if o == n:
            continue
        change = "added" if o is None else "removed" if n is None else "changed"
        out.append({"part": part, "change": change, "before": o, "after": n})
    return out
