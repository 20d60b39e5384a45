"""Taking back unreviewed work: discarding a draft, abandoning a change set.

A *draft* is a record that was never published. An editor of its change set may
discard it: the record and its claims leave the write model (citations and sources
stay; the audit history keeps every deleted row, with who and why in its context), and
its item leaves the change set, all in one transaction. A record that other records
point at is refused, naming them; a published record is never deleted (the database
refuses too, publishing 0009).

Abandoning a change set discards its drafts and puts each published record it edited
back as it was last published (``revert``): every row of the record (its claims,
details and evidence) is restored from its history events as of the approval that
published it, then the record is rendered again and must give the published document
byte for byte, else nothing is changed and the curator is told which record could not
be put back.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import ProtectedError, Q, RestrictedError

from core import history
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Claim, Evidence

from . import documents
from .models import ChangeSet, ChangeSetItem, Decision, RecordRevision
from .publication import WorkflowError, draft_documents, event_model, heads, ids_by_type
from .services import RECORD_MODELS, current_revisions, editor_ids, pending_keys, record_key

# Referrers first: an action shows its programme and authority, an authority its entity.
DELETE_ORDER = (documents.SANCTION, documents.PROGRAMME, documents.AUTHORITY, documents.ENTITY)


def change_permission(record_type):
    opts = RECORD_MODELS[record_type]._meta
    return f"{opts.app_label}.change_{opts.model_name}"


def may_discard(user, change_set):
    """Whether ``user`` may discard drafts of ``change_set`` (buttons only; the services
    check again: a curator who only edited the set discards only drafts they created)."""
    return change_set.is_open and user.pk in editor_ids(change_set)


def may_abandon(user, change_set):
    """Whether ``user`` may abandon ``change_set``: the curator who started it, not one
    who only cited a quote in it (abandoning discards everyone's drafts in it)."""
    return change_set.is_open and user.pk == change_set.created_by_id


# ------------------------------------------------------------------------ discarding


def what_goes(record):
    """For the confirmation page: (label, [lines]) of what discarding ``record`` removes."""
    if isinstance(record, Entity):
        return [
            *(f"name “{n.value}” ({n.get_type_display()})" for n in record.names.all()),
            *(f"identifier {i}" for i in record.identifiers.all()),
            *(f"relationship: {r}" for r in record.relationships.select_related("subject", "object")),
            *(["person details"] if hasattr(record, "person") else []),
            *(["organisation details"] if hasattr(record, "organisation") else []),
        ]
    if isinstance(record, SanctionAction):
        return [f"target {t.entity.caption} ({t.entity.public_id})" for t in record.targets.select_related("entity")]
    return []


def blockers(keys):
    """Lines naming the records that point at these records and are not among them."""
    ids = dict(ids_by_type(keys))
    entity_pks = dict(Entity.objects.filter(public_id__in=ids.get(documents.ENTITY, [])).values_list("pk", "public_id"))
    actions = ids.get(documents.SANCTION, [])
    lines = []
    for t in (
        SanctionTarget.objects.filter(entity_id__in=entity_pks)
        .exclude(action__public_id__in=actions)
        .select_related("action")
    ):
        lines.append(f"{entity_pks[t.entity_id]} is a target of sanction action {t.action.public_id}")
    related = Relationship.objects.filter(object_id__in=entity_pks).exclude(subject_id__in=entity_pks)
    for r in related.select_related("subject").prefetch_related("subject__names"):
        lines.append(f"{entity_pks[r.object_id]} is the object of a relationship of {r.subject}")
    children = Organisation.objects.filter(parent_id__in=entity_pks).exclude(entity_id__in=entity_pks)
    for o in children.select_related("entity").prefetch_related("entity__names"):
        lines.append(f"{entity_pks[o.parent_id]} is the parent organisation of {o.entity}")
    for e in Entity.objects.filter(merged_into_id__in=entity_pks).exclude(pk__in=entity_pks):
        lines.append(f"{e} was merged into {entity_pks[e.merged_into_id]}")
    authorities = ids.get(documents.AUTHORITY, [])
    for a in Authority.objects.filter(entity_id__in=entity_pks).exclude(public_id__in=authorities):
        lines.append(f"{entity_pks[a.entity_id]} is the organisation of authority {a.name} ({a.public_id})")
    programmes = ids.get(documents.PROGRAMME, [])
    shown_programmes = Programme.objects.filter(authority__public_id__in=authorities).exclude(public_id__in=programmes)
    for p in shown_programmes.select_related("authority"):
        lines.append(f"{p.authority.public_id} is the authority of programme {p.name} ({p.public_id})")
    shown = Q(authority__public_id__in=authorities) | Q(programme__public_id__in=programmes)
    for a in SanctionAction.objects.filter(shown).exclude(public_id__in=actions).select_related("authority"):
        lines.append(f"sanction action {a.public_id} shows {a.authority.public_id} or its programme")
    return lines


def _checked_item(user, key):
    """The open change set item of ``key`` that ``user`` may discard, row-locked."""
    if not user.has_perm(change_permission(key[0])):
        raise PermissionDenied(f"You don't have permission to change {key[0]} records.")
    if heads([key]):
        raise WorkflowError(
            f"{key[1]} is published, so it can't be discarded: deprecate it with a reason, or abandon the change "
            "set to put it back as published."
        )
    item = ChangeSetItem.objects.filter(record_type=key[0], record_id=key[1], pending=True).first()
    if item is None:
        raise WorkflowError(f"{key[1]} is in no change set waiting for review; there is no draft to discard.")
    change_set = _locked_open_set(user, item.change_set_id, "discard its drafts")
    return change_set


def _locked_open_set(user, pk, what):
    """The change set ``pk``, row-locked, if it is open and ``user`` edited it."""
    change_set = ChangeSet.objects.select_for_update().get(pk=pk)
    if user.pk not in editor_ids(change_set):
        raise PermissionDenied(f"Only someone who edited change set #{pk} can {what}.")
    if not change_set.is_open:
        raise WorkflowError(
            f"Change set #{pk} is {change_set.get_state_display()}; only an open one (or one a reviewer sent "
            f"back) lets you {what}."
        )
    return change_set


@transaction.atomic
def discard(user, record, reason=""):
    """Remove the never-published ``record`` and its claims from the write model and its
    change set. Returns the change set it was in."""
    key = record_key(record)
    change_set = _checked_item(user, key)
    if user.pk not in (change_set.created_by_id, getattr(record, "created_by_id", None)):
        raise PermissionDenied(
            f"Only the curator who created {key[1]}, or who started change set #{change_set.pk}, can discard it."
        )
    why = f": {reason.strip()}" if reason.strip() else ""
    with history.context(
        workflow=f"discarded draft {key[1]} from change set #{change_set.pk}{why}",
        change_set=change_set.pk,
        user=user.pk,
    ):
        _discard([key], change_set)
    return change_set


def _discard(keys, change_set, keep_items=False):
    problems = blockers(keys)
    if problems:
        raise WorkflowError(
            f"{', '.join(i for _, i in keys)} can't be discarded: other records refer to it ("
            + "; ".join(problems)
            + "). Change or discard those first."
        )
    ids = dict(ids_by_type(keys))
    entity_pks = list(Entity.objects.filter(public_id__in=ids.get(documents.ENTITY, [])).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        # The database refuses to delete claims unless the transaction says it discards.
        cursor.execute("SELECT set_config('sources.discard', 'on', true)")
        for record_type in DELETE_ORDER:
            if record_type == documents.ENTITY:
                # Links among the discarded entities themselves, which PROTECT would refuse.
                Relationship.objects.filter(subject_id__in=entity_pks).delete()
                Organisation.objects.filter(entity_id__in=entity_pks).delete()
                Entity.objects.filter(pk__in=entity_pks, merged_into__isnull=False).update(merged_into=None)
            if ids.get(record_type):
                try:
                    RECORD_MODELS[record_type].objects.filter(public_id__in=ids[record_type]).delete()
                except (ProtectedError, RestrictedError) as exc:
                    # A record that came to refer to it since the check above (a target
                    # added meanwhile): refused like one found by the check.
                    referrers = "; ".join(sorted({str(o) for o in exc.args[1]}))
                    raise WorkflowError(
                        f"{', '.join(i for _, i in keys)} can't be discarded: other records now refer to it "
                        f"({referrers}). Change or discard those first."
                    ) from None
        cursor.execute("SELECT set_config('sources.discard', '', true)")
    if keep_items:
        return
    wanted = Q()
    for record_type, record_ids in ids.items():
        wanted |= Q(record_type=record_type, record_id__in=record_ids)
    ChangeSetItem.objects.filter(wanted, change_set=change_set, pending=True).delete()


# ------------------------------------------------------------------------- abandoning


@transaction.atomic
def abandon(change_set, user, reason):
    """Give up ``change_set``: discard its drafts, revert its edits of published records,
    and close it as abandoned with the user's reason."""
    if not user.has_perm("publishing.add_changeset"):
        raise PermissionDenied("Only curators can abandon change sets.")
    change_set = _locked_open_set(user, change_set.pk, "abandon it")
    if user.pk != change_set.created_by_id:
        raise PermissionDenied(
            f"Only {change_set.created_by}, who started change set #{change_set.pk}, can abandon it "
            "(it would discard their drafts too)."
        )
    if not reason.strip():
        raise WorkflowError("Say why the change set is abandoned (the field reason is empty).")
    keys = pending_keys(change_set)
    for record_type in {t for t, _ in keys}:
        if not user.has_perm(change_permission(record_type)):
            raise PermissionDenied(f"You don't have permission to change {record_type} records.")
    published = heads(keys)
    drafts = [k for k in keys if k not in published]
    with history.context(
        workflow=f"abandoned change set #{change_set.pk}: {reason.strip()}", change_set=change_set.pk, user=user.pk
    ):
        # Reverting first drops what the edits made published records point at (a new
        # target, a relationship), which would otherwise keep the drafts from going.
        edited = [k for k in keys if k in published]
        if edited:
            revert(edited, published, change_set, user)
        if drafts:
            _discard(drafts, change_set, keep_items=True)
        # The items stay, no longer pending: the abandoned set still tells what it held.
        change_set.items.filter(pending=True).update(pending=False)
        change_set.state = ChangeSet.State.ABANDONED
        change_set.save()
        Decision.objects.create(change_set=change_set, kind=Decision.Kind.ABANDON, user=user, comment=reason.strip())
    return change_set


# --------------------------------------------------------------------------- reverting


def _parts(record_type, pk):
    """(model, filter of its events) for the tables whose rows make up the record (its
    claims' own rows and evidence are added by ``revert``)."""
    if record_type == documents.ENTITY:
        return [
            (Entity, Q(pgh_obj_id=pk)),
            (Person, Q(pgh_obj_id=pk)),
            (Organisation, Q(pgh_obj_id=pk)),
            (Name, Q(entity_id=pk)),
            (Identifier, Q(entity_id=pk)),
            (Relationship, Q(subject_id=pk)),
        ]
    if record_type == documents.SANCTION:
        return [(SanctionAction, Q(pgh_obj_id=pk)), (SanctionTarget, Q(action_id=pk))]
    return [(RECORD_MODELS[record_type], Q(pgh_obj_id=pk))]


def _cuts(keys):
    """key → ("marks", {table: last event id}) or ("time", approved_at): where the
    history of each record stood when its write-model state was last published."""
    cuts = {}
    items = (
        ChangeSetItem.objects.filter(
            record_id__in=[i for _, i in keys], pending=False, change_set__state=ChangeSet.State.PUBLISHED
        )
        .order_by("change_set__approved_at")
        .values_list("record_type", "record_id", "change_set_id", "change_set__approved_at")
    )
    last = {(t, i): (cs, at) for t, i, cs, at in items}
    marks = dict(
        Decision.objects.filter(
            change_set_id__in=[cs for cs, _ in last.values()], kind=Decision.Kind.APPROVE, history_marks__isnull=False
        ).values_list("change_set_id", "history_marks")
    )
    for key in keys:
        if key not in last:
            raise WorkflowError(f"{key[1]} was published without a change set of its own; it can't be put back.")
        change_set_id, approved_at = last[key]
        cuts[key] = ("marks", marks[change_set_id]) if change_set_id in marks else ("time", approved_at)
    return cuts


def _after(cut, table):
    kind, value = cut
    return Q(pgh_id__gt=value.get(table, 0)) if kind == "marks" else Q(pgh_created_at__gt=value)


def _plan(model, selection, cut, key):
    """(deletes, updates, inserts) that put the rows of ``model`` named by ``selection``
    (a filter of its events) back as they were at ``cut``."""
    events = event_model(model)
    after = _after(cut, events._meta.db_table)
    touched = set(events.objects.filter(selection).filter(after).values_list("pgh_obj_id", flat=True))
    if not touched:
        return [], [], []
    attnames = [f.attname for f in model._meta.local_concrete_fields]
    before = {
        row["pgh_obj_id"]: row
        for row in events.objects.filter(~after, pgh_obj_id__in=touched)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_obj_id", "pgh_label", *attnames)
    }
    first_after = dict(
        events.objects.filter(after, pgh_obj_id__in=touched - set(before))
        .order_by("pgh_obj_id", "pgh_id")
        .distinct("pgh_obj_id")
        .values_list("pgh_obj_id", "pgh_label")
    )
    if any(label != "insert" for label in first_after.values()):
        raise WorkflowError(f"{key[1]}: its history has no record of some rows before its last publication.")
    pk = model._meta.pk.attname
    current = {row[pk]: row for row in model._base_manager.filter(pk__in=touched).values(*attnames)}
    deletes, updates, inserts = [], [], []
    for obj in touched:
        old = before.get(obj)
        wanted = None if old is None or old["pgh_label"] == "delete" else {a: old[a] for a in attnames}
        if wanted is None and obj in current:
            deletes.append(obj)
        elif wanted is not None and obj not in current:
            inserts.append(wanted)
        elif wanted is not None and wanted != current[obj]:
            updates.append({a: v for a, v in wanted.items() if v != current[obj][a] or a == pk})
    return deletes, updates, inserts


def revert(keys, published, change_set, user):
    """Put these published records back as they were last published (see module doc)."""
    cuts = _cuts(keys)
    revisions = current_revisions(keys, lock=True)
    plans = []
    for key in keys:
        model = RECORD_MODELS[key[0]]
        pk = model._base_manager.values_list("pk", flat=True).get(public_id=key[1])
        parts = _parts(key[0], pk)
        claims = {pk} if issubclass(model, Claim) else set()
        for part, selection in parts:
            if issubclass(part, Claim) and part is not model:
                claims |= set(event_model(part).objects.filter(selection).values_list("pgh_obj_id", flat=True))
        if claims:
            parts = [(Claim, Q(pgh_obj_id__in=claims)), *parts, (Evidence, Q(claim_id__in=claims))]
        plans += [(part, _plan(part, selection, cuts[key], key)) for part, selection in parts]
        if claims:
            # A citation's translation edited in the set goes back too; only updated: a
            # citation made since stays (other records may cite it), it just backs less.
            cited = event_model(Evidence).objects.filter(claim_id__in=claims).values("citation_id")
            _, updates, _ = _plan(Citation, Q(pgh_obj_id__in=cited), cuts[key], key)
            plans.append((Citation, ([], updates, [])))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('sources.discard', 'on', true)")
        # Rows that did not exist then go first (unique constraints), children before parents.
        for model, (deletes, _, _) in reversed(plans):
            if deletes:
                model._base_manager.filter(pk__in=deletes)._raw_delete(connection.alias)
        for model, (_, updates, _) in plans:
            for values in updates:
                pk = model._meta.pk.attname
                model._base_manager.filter(pk=values[pk]).update(**{a: v for a, v in values.items() if a != pk})
        for model, (_, _, inserts) in plans:
            for values in inserts:
                _insert(cursor, model, values)
        cursor.execute("SELECT set_config('sources.discard', '', true)")
    for key in keys:
        model = RECORD_MODELS[key[0]]
        revision = revisions[f"{key[0]}:{key[1]}"] + 1
        model._base_manager.filter(public_id=key[1]).update(revision=revision)
    drafts = draft_documents(keys)
    wrong = [key[1] for key in keys if documents.content_hash(drafts[key].document) != published[key].content_hash]
    if wrong:
        raise WorkflowError(
            "These records could not be put back exactly as published (their history since then is incomplete or "
            f"was written while the approval ran): {', '.join(wrong)}. Nothing was changed; edit them back by hand."
        )
    RecordRevision.objects.bulk_create(
        RecordRevision(
            record_type=key[0],
            record_id=key[1],
            revision=revisions[f"{key[0]}:{key[1]}"] + 1,
            document=drafts[key].document,
            saved_by=user,
            change_set=change_set,
        )
        for key in keys
    )


def _insert(cursor, model, values):
    fields = [f for f in model._meta.local_concrete_fields if f.attname in values]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    cursor.execute(
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})",
        [f.get_db_prep_save(values[f.attname], connection) for f in fields],
    )
