"""Audit history of the write model (django-pghistory).

Every tracked table gets PostgreSQL triggers that copy each inserted, updated or
deleted row into an append-only event table, so ORM bulk writes and raw SQL are
recorded as well as admin saves. Statement-level triggers keep bulk writes cheap
(one trigger call per statement, not per row). The context of each event (user,
request id, url, reason, change set) is set by core.middleware for requests and by
the services and commands for everything else.
"""

import uuid

import pghistory
import pghistory.runtime
import pgtrigger


def tracked():
    """Class decorator: record every insert, update and delete of the model."""
    # Fresh tracker instances per model: pghistory binds them to the model they track.
    return pghistory.track(
        pghistory.InsertEvent(level=pgtrigger.Statement),
        pghistory.UpdateEvent(level=pgtrigger.Statement),
        pghistory.DeleteEvent(level=pgtrigger.Statement),
        # A claim's subtypes share its primary key, so each event table needs its
        # own reverse accessor name (entity.entityevent_history, ...).
        obj_field=pghistory.ObjForeignKey(related_name="%(class)s_history"),
    )


def context(**metadata):
    """Attach metadata (user=pk, reason=..., workflow=..., change_set=...) to the
    history of what follows.

    Outside a request, starts a context of its own with a request id, so events
    written by commands and services can be grouped and traced too. Inside one, it
    adds to that context, which covers the whole request: so services use their own
    keys (workflow, change_set) rather than overwrite the caller's reason.
    """
    if not hasattr(pghistory.runtime._tracker, "value"):  # no context yet: this starts one
        metadata.setdefault("request_id", uuid.uuid4().hex)
    return pghistory.context(**metadata)


def editor_ids(model, pks):
    """The ids of the users whose requests or commands wrote these rows of a tracked
    model, from the context of its history events."""
    event_model = model._meta.apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    contexts = event_model.objects.filter(pgh_obj_id__in=list(pks), pgh_context__isnull=False).values_list(
        "pgh_context__metadata", flat=True
    )
    return {metadata.get("user") for metadata in contexts if metadata and metadata.get("user")}
