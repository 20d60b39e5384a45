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
from dataclasses import dataclass, field

from django.db.models import Prefetch

from entities.models import Entity, Identifier, Name, Relationship
from sanctions.models import SanctionAction, SanctionTarget
from sources.models import Citation

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


def claim_id(claim):
    return f"clm_{claim.pk}"


@dataclass
class Rendered:
    """A record's document plus what publishing it depends on."""

    record_type: str
    record_id: str
    document: dict
    retracted: bool = False
    uncited: list = field(default_factory=list)  # human-readable labels of claims without citations
    references: set = field(default_factory=set)  # entity ids the document points at


def _citations_prefetch(path="citations"):
    return Prefetch(
        path,
        queryset=Citation.objects.select_related("source")
        .only("id", "start", "end", "quote", "translation", "source__public_id")
        .order_by("source__public_id", "start", "end"),
    )


def _citations(claim, rendered, label):
    cited = [
        {
            "source": c.source.public_id,
            "start": c.start,
            "end": c.end,
            "quote": c.quote,
            "translation": c.translation,
        }
        for c in claim.citations.all()
    ]
    if not cited:
        rendered.uncited.append(label)
    return cited


def _current(claims):
    return [c for c in claims if c.deprecated_at is None]


# --------------------------------------------------------------------------- entities


def entity_queryset():
    return Entity.objects.select_related("person", "organisation__parent", "merged_into").prefetch_related(
        _citations_prefetch(),
        Prefetch("names", queryset=Name.objects.prefetch_related(_citations_prefetch())),
        Prefetch("identifiers", queryset=Identifier.objects.prefetch_related(_citations_prefetch())),
        Prefetch(
            "relationships",
            queryset=Relationship.objects.select_related("object").prefetch_related(_citations_prefetch()),
        ),
    )


def render_entities(entities, sanctions_by_entity):
    """``sanctions_by_entity``: entity id → the sanctions section (see module docstring)."""
    return [_render_entity(e, sanctions_by_entity.get(e.public_id, [])) for e in entities]


def _retraction(record_type, record_id, reason, **extra):
    return Rendered(
        record_type,
        record_id,
        {"id": record_id, "type": record_type, "retracted": True, "reason": reason, **extra},
        retracted=True,
    )


def _render_entity(entity, sanctions):
    if entity.merged_into_id:
        return _retraction(ENTITY, entity.public_id, "merged", merged_into=entity.merged_into.public_id)
    if entity.deprecated_at:
        return _retraction(ENTITY, entity.public_id, entity.deprecated_reason)
    r = Rendered(ENTITY, entity.public_id, {})
    names = sorted(_current(entity.names.all()), key=lambda n: (NAME_TYPE_ORDER[n.type], n.value, n.lang, n.pk))
    doc = {
        "id": entity.public_id,
        "type": ENTITY,
        "kind": entity.kind,
        "caption": entity.caption,
        "citations": _citations(entity, r, f"the {entity.kind} itself"),
        "names": [
            {
                "id": claim_id(n),
                "value": n.value,
                "type": n.type,
                "lang": n.lang,
                "citations": _citations(n, r, f"name “{n.value}”"),
            }
            for n in names
        ],
        "identifiers": [
            {
                "id": claim_id(i),
                "scheme": i.scheme,
                "value": i.value,
                "country": i.country,
                "citations": _citations(i, r, f"identifier {i.value}"),
            }
            for i in sorted(_current(entity.identifiers.all()), key=lambda i: (i.scheme, i.value, i.pk))
        ],
        "relationships": [],
        "sanctions": sanctions,
    }
    for rel in sorted(_current(entity.relationships.all()), key=lambda x: (x.kind, x.object.public_id, x.pk)):
        r.references.add(rel.object.public_id)
        doc["relationships"].append(
            {
                "id": claim_id(rel),
                "kind": rel.kind,
                "object": rel.object.public_id,
                "role": rel.role,
                "start": rel.start,
                "end": rel.end,
                "citations": _citations(rel, r, f"relationship “{rel.get_kind_display()}” to {rel.object.public_id}"),
            }
        )
    if entity.kind == Entity.Kind.PERSON:
        person = getattr(entity, "person", None)
        doc["person"] = {
            "title": person.title if person else "",
            "gender": person.gender if person else "",
            "birth_date": person.birth_date if person else "",
            "nationalities": sorted(person.nationalities) if person else [],
        }
    else:
        org = getattr(entity, "organisation", None)
        parent = org.parent.public_id if org and org.parent_id else None
        if parent:
            r.references.add(parent)
        doc["organisation"] = {
            "org_kind": org.org_kind if org else "",
            "countries": sorted(org.countries) if org else [],
            "parent": parent,
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


def action_queryset():
    return SanctionAction.objects.select_related("authority", "programme").prefetch_related(
        _citations_prefetch(),
        Prefetch(
            "targets",
            queryset=SanctionTarget.objects.select_related("entity").prefetch_related(_citations_prefetch()),
        ),
    )


def render_actions(actions):
    return [_render_action(a) for a in actions]


def _render_action(action):
    if action.deprecated_at:
        return _retraction(SANCTION, action.public_id, action.deprecated_reason)
    r = Rendered(SANCTION, action.public_id, {})
    targets = sorted(_current(action.targets.all()), key=lambda t: (t.entity.public_id, t.pk))
    r.references.update(t.entity.public_id for t in targets)
    r.document = {
        "id": action.public_id,
        "type": SANCTION,
        "authority": {
            "name": action.authority.name,
            "short_name": action.authority.short_name,
            "country": action.authority.country,
        },
        "programme": ({"name": action.programme.name, "code": action.programme.code} if action.programme_id else None),
        "kind": action.kind,
        "status": action.status,
        "announced_date": action.announced_date,
        "in_force_date": action.in_force_date,
        "end_date": action.end_date,
        "summary": action.summary,
        "citations": _citations(action, r, "the action itself"),
        "targets": [
            {
                "id": claim_id(t),
                "entity": t.entity.public_id,
                "measures": sorted(t.measures),
                "citations": _citations(t, r, f"target {t.entity.public_id}"),
            }
            for t in targets
        ],
    }
    return r


# ---------------------------------------------------------------------------- tags

# What makes an entity "sanctioned" for partners: a designation or export control that
# was announced or is in force (not one only considered, threatened, lifted, advisory).
SANCTIONING_KINDS = frozenset({"designation", "export_control"})
SANCTIONING_STATUSES = frozenset({"announced", "in_force"})


def _cited_sources(node, found):
    if isinstance(node, dict):
        for citation in node.get("citations") or ():
            found.add(citation["source"])
        for value in node.values():
            if isinstance(value, (dict, list)):
                _cited_sources(value, found)
    elif isinstance(node, list):
        for item in node:
            _cited_sources(item, found)
    return found


def tags(document):
    """The published document's facets as "facet:value" strings, one GIN-indexed array
    the API filters on (``tags @> [...]``): kind, name words, countries, authorities,
    programmes, measures, statuses, cited sources, and "sanctioned" for entities."""
    # The matcher's words, spelling-folded: q finds "Schoigu" as "Shoigu", "Muhammad" as "Mohammad".
    from screening.names import fold, tokenise

    if document.get("retracted"):
        return []
    out = {f"kind:{document['kind']}"}
    out.update(f"source:{s}" for s in _cited_sources(document, set()))
    if document["type"] == ENTITY:
        for name in [document["caption"], *(n["value"] for n in document["names"])]:
            out.update(f"name:{fold(t)}" for t in tokenise(name))
        details = document.get("person") or document.get("organisation") or {}
        out.update(f"country:{c}" for c in details.get("nationalities", details.get("countries", [])))
        entries = document["sanctions"]
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
        out.add(f"authority:{entry['authority']}")
        if entry["programme"]:
            out.add(f"programme:{entry['programme']}")
        out.add(f"status:{entry['status']}")
        out.update(f"measure:{m}" for m in entry["measures"])
        if document["type"] == ENTITY and entry["kind"] in SANCTIONING_KINDS and entry["status"] in SANCTIONING_STATUSES:
            out.add("sanctioned")
    return sorted(out)


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
