"""A record's audit history: every event of every table its document is made of.

pghistory keeps one event table per tracked table; a record's history is the union
of the events of the record itself, its details, its claims (and their shared claim
rows, where deprecation lives) and their evidence links, newest first, each with
who, when, the request id and reason, and the fields that changed.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Claim, Evidence

HIDDEN_FIELDS = {"updated_at", "revision", "public_id", "claim_ptr", "claim_ptr_id", "pgh_obj", "pgh_obj_id"}


@dataclass
class HistoryRow:
    at: object
    label: str
    table: str
    object_id: object
    context: dict
    changes: list = field(default_factory=list)
    user: object = None


def _event_model(model):
    # pghistory names each event model after its tracked model (core.history.tracked).
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def _sources(record):
    """(event model, filter) pairs covering everything the record's document shows."""
    if isinstance(record, (Authority, Programme)):
        return [(type(record), {"pgh_obj_id": record.pk})]
    if isinstance(record, SanctionAction):
        claim_ids = [record.pk, *record.targets.values_list("pk", flat=True)]
        own = [(SanctionAction, {"pgh_obj_id": record.pk}), (SanctionTarget, {"action_id": record.pk})]
    else:
        claim_ids = [
            record.pk,
            *record.names.values_list("pk", flat=True),
            *record.identifiers.values_list("pk", flat=True),
            *record.relationships.values_list("pk", flat=True),
        ]
        own = [
            (Entity, {"pgh_obj_id": record.pk}),
            (Person, {"pgh_obj_id": record.pk}),
            (Organisation, {"pgh_obj_id": record.pk}),
            (Name, {"entity_id": record.pk}),
            (Identifier, {"entity_id": record.pk}),
            (Relationship, {"subject_id": record.pk}),
        ]
    return [*own, (Claim, {"pgh_obj_id__in": claim_ids}), (Evidence, {"claim_id__in": claim_ids})]


def record_history(record):
    rows = []
    for model, lookup in _sources(record):
        events = _event_model(model).objects.filter(**lookup).select_related("pgh_context").order_by("pgh_id")
        previous = {}
        for event in events:
            data = {
                f.attname: getattr(event, f.attname)
                for f in event._meta.concrete_fields
                if not f.name.startswith("pgh_") and f.attname not in HIDDEN_FIELDS
            }
            before = previous.get(event.pgh_obj_id)
            if event.pgh_label == "update" and before is not None:
                changes = [(k, before.get(k), v) for k, v in data.items() if before.get(k) != v]
            elif event.pgh_label == "delete":
                changes = [(k, v, None) for k, v in data.items()]
            else:
                changes = [(k, None, v) for k, v in data.items() if v not in (None, "", [])]
            previous[event.pgh_obj_id] = data
            if event.pgh_label == "update" and not changes:
                continue  # only hidden bookkeeping fields moved
            rows.append(
                HistoryRow(
                    at=event.pgh_created_at,
                    label=event.pgh_label,
                    table=str(model._meta.verbose_name),
                    object_id=event.pgh_obj_id,
                    context=(event.pgh_context.metadata if event.pgh_context else {}),
                    changes=changes,
                )
            )
    users = get_user_model().objects.in_bulk({r.context.get("user") for r in rows if r.context.get("user")})
    for row in rows:
        row.user = users.get(row.context.get("user"))
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows
