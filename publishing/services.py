"""The review workflow: record edits into change sets, submit, reject, approve.

These functions are the only way into the published model. Each checks the
acting user's permissions itself (the admin's buttons are a convenience, not the
guard), runs in one transaction, and the database re-checks what matters most
(four eyes, append-only, who may insert published rows: migration 0002). Approving
publishes through ``publication``, whose names callers also find here.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core import history
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Claim

from . import diffs, documents
from .models import ChangeSet, ChangeSetEditor, ChangeSetItem, Decision, RecordRevision
from .publication import (
    PUBLISH_LOCK,
    WorkflowError,
    draft_documents,
    heads,
    history_marks,
    ids_by_type,
    publication_problems,
    publish,
    published_as_of,
)

# Callers (admin, corpus, tests, benchmarks) know the whole workflow as publishing.services.
__all__ = [
    "PUBLISH_LOCK",
    "RECORD_MODELS",
    "StaleRecord",
    "WorkflowError",
    "approve",
    "bulk_change_set",
    "check_revision",
    "current_revisions",
    "describe_changes",
    "draft_documents",
    "editor_ids",
    "heads",
    "open_change_set",
    "owning_record",
    "pending_item",
    "pending_keys",
    "publication_problems",
    "publish",
    "published_as_of",
    "record_edit",
    "record_key",
    "reject",
    "review_diff",
    "shown_revisions",
    "stale_message",
    "submit",
]

RECORD_MODELS = {
    documents.ENTITY: Entity,
    documents.SANCTION: SanctionAction,
    documents.AUTHORITY: Authority,
    documents.PROGRAMME: Programme,
}
RECORD_TYPES = {model: record_type for record_type, model in RECORD_MODELS.items()}


class StaleRecord(WorkflowError):
    pass


def record_key(record):
    try:
        return (RECORD_TYPES[type(record)], record.public_id)
    except KeyError:
        raise TypeError(f"{type(record).__name__} is not a published record") from None


def owning_record(obj):
    """The entity or sanction action whose published document shows ``obj``
    (None for objects no document shows, such as a source's metadata)."""
    if isinstance(obj, Claim) and type(obj) is Claim:
        obj = obj.specific()
    if type(obj) in RECORD_TYPES:
        return obj
    if isinstance(obj, (Person, Organisation, Name, Identifier)):
        return obj.entity
    if isinstance(obj, Relationship):
        return obj.subject
    if isinstance(obj, SanctionTarget):
        return obj.action
    return None


# ------------------------------------------------------------------------ editing


def check_revision(record, expected):
    """Lock the record's row and refuse the save if it changed since ``expected``.

    Call inside the transaction that saves the record: the row lock makes a second,
    concurrent save wait, and then see the new revision and be refused.
    """
    model = type(record)
    current = model.objects.select_for_update().values_list("revision", flat=True).get(pk=record.pk)
    if current == expected:
        return
    raise StaleRecord(stale_message(record_key(record), expected, current))


def stale_message(key, expected, current):
    saves = list(
        RecordRevision.objects.filter(
            record_type=key[0], record_id=key[1], revision__in=[expected, current]
        ).select_related("saved_by")
    )
    by_revision = {r.revision: r for r in saves}
    latest = by_revision.get(current)
    who = f" by {latest.saved_by} at {timezone.localtime(latest.saved_at):%H:%M:%S}" if latest else ""
    message = (
        f"{key[1]} was saved{who} while you were editing (revision {current}; your page showed "
        f"revision {expected}). Your changes were not saved. Reload the page to see theirs"
    )
    # The page showed revision ``expected``; one written outside the admin (an import) has
    # no saved draft, and was published as it stood.
    shown = by_revision.get(expected) or heads([key]).get(key)
    if latest and shown:
        # An entity's sanctions section follows the actions published meanwhile: not their edit.
        before, after = ({k: v for k, v in r.document.items() if k != "sanctions"} for r in (shown, latest))
        parts = describe_changes(diffs.diff_documents(before, after))
        if parts:
            message += "; they changed: " + "; ".join(parts)
        else:
            message += "; they changed nothing partners see (internal fields such as notes)"
    return message + "."


def describe_changes(changes):
    """Plain-language lines for a diff: "names 'A' → 'B'", "status added"..."""
    out = []
    for change in changes:
        before, after = documents.claim_label(change["before"]), documents.claim_label(change["after"])
        if change["change"] == "changed" and before != after:
            out.append(f"{change['part']} {before!r} → {after!r}")
        else:
            out.append(f"{change['part']} {after if after is not None else before!r} {change['change']}")
    return out


@transaction.atomic
def record_edit(user, record):
    """Note that ``user`` just saved ``record``: bump its revision and put it in a
    change set: the pending one it's already in, else the user's open one."""
    if not user.has_perm("publishing.add_changeset"):
        raise PermissionDenied("Only curators can edit records for publication.")
    model = type(record)
    model.objects.filter(pk=record.pk).update(revision=F("revision") + 1)
    record.refresh_from_db(fields=["revision"])
    key = record_key(record)
    item = pending_item(key)
    if item is None:
        change_set = open_change_set(user)
        ChangeSetItem.objects.create(change_set=change_set, record_type=key[0], record_id=key[1])
    else:
        change_set = item.change_set
    ChangeSetEditor.objects.get_or_create(change_set=change_set, user=user)
    RecordRevision.objects.create(
        record_type=key[0],
        record_id=key[1],
        revision=record.revision,
        document=draft_documents([key])[key].document,
        saved_by=user,
        change_set=change_set,
    )
    return change_set


@transaction.atomic
def bulk_change_set(user, keys, title=""):
    """``record_edit`` for records written in bulk (imports, the synthetic dataset): a
    new change set of ``user`` holding every key, in a few statements. No revision is
    bumped and no draft kept per save: those serve concurrent editing in the admin,
    which a bulk write does not race with. A record already waiting in another change
    set is refused by the database (one pending change set per record)."""
    if not user.has_perm("publishing.add_changeset"):
        raise PermissionDenied("Only curators can edit records for publication.")
    change_set = ChangeSet.objects.create(created_by=user, title=title)
    ChangeSetItem.objects.bulk_create(
        [ChangeSetItem(change_set=change_set, record_type=t, record_id=i) for t, i in keys], batch_size=5000
    )
    ChangeSetEditor.objects.create(change_set=change_set, user=user)
    return change_set


def own_open_change_sets(user):
    """The open change sets ``user`` started, newest first: the first is the one their
    edits join."""
    return ChangeSet.objects.filter(created_by=user, state=ChangeSet.State.OPEN).order_by("-id")


def open_change_set(user):
    return own_open_change_sets(user).first() or ChangeSet.objects.create(created_by=user)


# ---------------------------------------------------------------- what review shows


def pending_item(key):
    """The ChangeSetItem of the record waiting for review, if any."""
    return (
        ChangeSetItem.objects.filter(record_type=key[0], record_id=key[1], pending=True)
        .select_related("change_set")
        .first()
    )


def review_diff(change_set):
    """For the reviewer: per record, the published and the proposed document and the
    claim-by-claim changes, plus the revisions shown (approval checks them)."""
    keys = pending_keys(change_set)
    drafts = draft_documents(keys)
    published = heads(keys)
    rows = []
    for key in keys:
        draft = drafts.get(key)
        head = published.get(key)
        before = head.document if head else None
        after = draft.document if draft else None
        rows.append(
            {
                "key": key,
                "published": head,
                "draft": draft,
                "changes": diffs.diff_documents(before, after),
                "unchanged": head is not None
                and draft is not None
                and head.content_hash == documents.content_hash(after),
            }
        )
    return rows


def pending_keys(change_set):
    return [
        (t, i)
        for t, i in change_set.items.filter(pending=True)
        .order_by("record_type", "record_id")
        .values_list("record_type", "record_id")
    ]


def shown_revisions(change_set):
    """What the review page shows and approval checks: each pending record's revision."""
    return current_revisions(pending_keys(change_set))


def current_revisions(keys, lock=False):
    """ "type:id" → revision of each record (row-locked when ``lock``)."""
    revisions = {}
    for record_type, ids in ids_by_type(keys):
        qs = RECORD_MODELS[record_type].objects.filter(public_id__any=ids).order_by("pk")
        if lock:
            qs = qs.select_for_update(of=("self",))
        for public_id, revision in qs.values_list("public_id", "revision"):
            revisions[f"{record_type}:{public_id}"] = revision
    return revisions


# ------------------------------------------------------------------------- review


def editor_ids(change_set):
    """Everyone who may not approve the change set: its author, submitter and editors."""
    ids = set(change_set.editors.values_list("user_id", flat=True))
    return ids | {change_set.created_by_id, change_set.submitted_by_id} - {None}


@transaction.atomic
def submit(change_set, user, comment=""):
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if not user.has_perm("publishing.submit_changeset"):
        raise PermissionDenied("You don't have permission to submit change sets.")
    if user.pk not in editor_ids(change_set):
        raise PermissionDenied("Only someone who edited this change set can submit it.")
    if change_set.state != ChangeSet.State.OPEN:
        raise WorkflowError(f"Change set #{change_set.pk} is {change_set.get_state_display()}, not open.")
    keys = pending_keys(change_set)
    if not keys:
        raise WorkflowError(f"Change set #{change_set.pk} has no edits to submit.")
    keys += _take_in_new_references(change_set, keys)
    problems = publication_problems(draft_documents(keys), set(keys))
    if problems:
        raise WorkflowError("Fix these before submitting: " + "; ".join(problems))
    with history.context(workflow=f"submitted change set #{change_set.pk}", change_set=change_set.pk):
        change_set.state = ChangeSet.State.SUBMITTED
        change_set.submitted_by, change_set.submitted_at = user, timezone.now()
        change_set.save()
        Decision.objects.create(change_set=change_set, kind=Decision.Kind.SUBMIT, user=user, comment=comment)
    return change_set


def _take_in_new_references(change_set, keys):
    """The authorities and programmes the change set's actions show that were never
    published and wait in no change set (written outside the admin: the seed corpus,
    imports, older databases) join it, so the reviewer sees and approves them."""
    actions = [record_id for record_type, record_id in keys if record_type == documents.SANCTION]
    wanted = documents.action_references(actions) - set(keys) if actions else set()
    if not wanted:
        return []
    waiting = set(
        ChangeSetItem.objects.filter(pending=True, record_id__any=[i for _, i in wanted]).values_list(
            "record_type", "record_id"
        )
    )
    new = sorted(wanted - set(heads(wanted)) - waiting)
    if not new:
        return []
    try:
        with transaction.atomic():
            ChangeSetItem.objects.bulk_create(
                [ChangeSetItem(change_set=change_set, record_type=t, record_id=i) for t, i in new]
            )
    except IntegrityError:  # a concurrent submission took one of them first
        raise WorkflowError(
            "An authority or programme this change set shows was just taken into another change set; "
            "submit again to see which."
        ) from None
    # Whoever wrote them may not approve them (four eyes), like any editor of the set.
    for record_type, model in ((documents.AUTHORITY, Authority), (documents.PROGRAMME, Programme)):
        ids = [i for t, i in new if t == record_type]
        pks = model.objects.filter(public_id__in=ids).values_list("pk", flat=True) if ids else []
        for user_id in history.editor_ids(model, pks):
            ChangeSetEditor.objects.get_or_create(change_set=change_set, user_id=user_id)
    return new


def _check_reviewer(change_set, user):
    if not user.has_perm("publishing.review_changeset"):
        raise PermissionDenied("You don't have permission to review change sets.")
    if user.pk in editor_ids(change_set):
        raise PermissionDenied(
            f"You edited records in change set #{change_set.pk}, so someone else must review it (four eyes)."
        )
    if change_set.state != ChangeSet.State.SUBMITTED:
        raise WorkflowError(f"Change set #{change_set.pk} is {change_set.get_state_display()}, not submitted.")


@transaction.atomic
def reject(change_set, user, comment):
    """Send the change set back to its curators, open again, with the reviewer's comment."""
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    _check_reviewer(change_set, user)
    if not comment.strip():
        raise WorkflowError("Say why the change set is rejected, so the curator knows what to fix.")
    with history.context(workflow=f"rejected change set #{change_set.pk}: {comment}", change_set=change_set.pk):
        change_set.state = ChangeSet.State.OPEN
        change_set.submitted_by = change_set.submitted_at = None
        change_set.save()
        Decision.objects.create(change_set=change_set, kind=Decision.Kind.REJECT, user=user, comment=comment)
    return change_set


@transaction.atomic
def approve(change_set, user, shown_revisions, comment=""):
    """Publish every record of the change set, all or nothing.

    ``shown_revisions`` ("type:id" → revision) is what the reviewer's diff showed;
    if any record changed since, the approval is refused so nobody approves what
    they didn't see.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    _check_reviewer(change_set, user)
    keys = pending_keys(change_set)
    current = current_revisions(keys, lock=True)
    if {k: int(v) for k, v in (shown_revisions or {}).items()} != current:
        changed = sorted(
            k for k in set(current) | set(shown_revisions or {}) if current.get(k) != (shown_revisions or {}).get(k)
        )
        raise StaleRecord(
            "Records changed after the diff was shown (" + ", ".join(changed) + "); reload the review page and "
            "check the changes again."
        )
    with history.context(
        workflow=f"approved change set #{change_set.pk}: {comment}".rstrip(": "), change_set=change_set.pk
    ):
        publish(keys, change_set, user)
        change_set.items.filter(pending=True).update(pending=False)
        change_set.state = ChangeSet.State.PUBLISHED
        change_set.approved_by, change_set.approved_at = user, timezone.now()
        change_set.save()
        Decision.objects.create(
            change_set=change_set, kind=Decision.Kind.APPROVE, user=user, comment=comment, history_marks=history_marks()
        )
    return change_set
