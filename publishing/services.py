"""The review workflow: record edits into change sets, submit, reject, approve+publish.

These functions are the only way into the published model. Each checks the
acting user's permissions itself (the admin's buttons are a convenience, not the
guard), runs in one transaction, and the database re-checks what matters most
(four eyes, append-only, who may insert published rows: migration 0002).
"""

import json
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core import history
from core.copyin import copy_rows, reserve_ids
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import SanctionAction, SanctionTarget
from sources.models import Claim

from . import diffs, documents, exports, signals, tags
from .models import (
    ChangeSet,
    ChangeSetEditor,
    ChangeSetItem,
    Decision,
    PublishedRecord,
    PublishedVersion,
    RecordRevision,
)

# Approvals take this transaction-level advisory lock, so sequence numbers are
# assigned in commit order and a change-feed reader never skips a late commit.
PUBLISH_LOCK = 0x5AFE_0001

RECORD_MODELS = {documents.ENTITY: Entity, documents.SANCTION: SanctionAction}


class WorkflowError(Exception):
    """A request the workflow refuses; the message says what to do instead."""


class StaleRecord(WorkflowError):
    pass


def record_key(record):
    if isinstance(record, Entity):
        return (documents.ENTITY, record.public_id)
    if isinstance(record, SanctionAction):
        return (documents.SANCTION, record.public_id)
    raise TypeError(f"{type(record).__name__} is not a published record")


def owning_record(obj):
    """The entity or sanction action whose published document shows ``obj``
    (None for objects no document shows, such as a source's metadata)."""
    if isinstance(obj, Claim) and type(obj) is Claim:
        obj = obj.specific()
    if isinstance(obj, (Entity, SanctionAction)):
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
    if latest and expected in by_revision:
        parts = describe_changes(diffs.diff_documents(by_revision[expected].document, latest.document))
        if parts:
            message += "; they changed: " + "; ".join(parts)
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


def open_change_set(user):
    change_set = ChangeSet.objects.filter(created_by=user, state=ChangeSet.State.OPEN).order_by("-id").first()
    return change_set or ChangeSet.objects.create(created_by=user)


# ------------------------------------------------------------------------ rendering


def _ids_by_type(keys):
    by_type = defaultdict(list)
    for record_type, record_id in keys:
        by_type[record_type].append(record_id)
    return by_type.items()


def pending_item(key):
    """The ChangeSetItem of the record waiting for review, if any."""
    return (
        ChangeSetItem.objects.filter(record_type=key[0], record_id=key[1], pending=True)
        .select_related("change_set")
        .first()
    )


def heads(keys):
    """(type, id) → PublishedRecord, for those of ``keys`` ever published."""
    found = {}
    for record_type, ids in _ids_by_type(keys):
        for head in PublishedRecord.objects.filter(record_type=record_type, record_id__any=ids).defer("tags", "csv_row"):
            found[(head.record_type, head.record_id)] = head
    return found


# A few entities (an edit in the admin): the GIN index of target_ids finds their actions.
# Thousands (a bulk publication): an overlap with the whole list compares every action's
# targets with every id, and the GIN index, probed per id and scanning its pending list
# each time, took seconds per batch; one pass over the published actions, each target
# looked up in the hashed list, takes a fraction of that.
GIN_LOOKUP_MAX = 200


def _sanctions_for(entity_ids):
    entity_ids = list(entity_ids)
    heads_ = PublishedRecord.objects.filter(record_type=documents.SANCTION, operation=PublishedVersion.Operation.UPSERT)
    if len(entity_ids) <= GIN_LOOKUP_MAX:
        heads_ = heads_.filter(target_ids__overlap=entity_ids)
    else:
        heads_ = heads_.filter(
            RawSQL("EXISTS (SELECT 1 FROM unnest(target_ids) t WHERE t = ANY(%s))", [entity_ids],
                   output_field=BooleanField())
        )
    return documents.sanctions_section(h.document for h in heads_.only("document"))


def draft_documents(keys):
    """(type, id) → Rendered: what approving these records now would publish."""
    keys = list(keys)
    entity_ids = [rid for rtype, rid in keys if rtype == documents.ENTITY]
    action_ids = [rid for rtype, rid in keys if rtype == documents.SANCTION]
    rendered = []
    if entity_ids:
        rendered += documents.render_entities(entity_ids, _sanctions_for(entity_ids))
    if action_ids:
        rendered += documents.render_actions(action_ids)
    return {(r.record_type, r.record_id): r for r in rendered}


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


def current_revisions(keys, lock=False):
    """ "type:id" → revision of each record (row-locked when ``lock``)."""
    revisions = {}
    for record_type, ids in _ids_by_type(keys):
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
    problems = publication_problems(draft_documents(keys), set(keys))
    if problems:
        raise WorkflowError("Fix these before submitting: " + "; ".join(problems))
    with history.context(workflow=f"submitted change set #{change_set.pk}", change_set=change_set.pk):
        change_set.state = ChangeSet.State.SUBMITTED
        change_set.submitted_by, change_set.submitted_at = user, timezone.now()
        change_set.save()
        Decision.objects.create(change_set=change_set, kind=Decision.Kind.SUBMIT, user=user, comment=comment)
    return change_set


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


def publication_problems(drafts, keys_in_set):
    """Why these drafts can't be published: uncited claims, references to entities
    that partners would not find (neither published nor in this change set)."""
    problems = []
    for key, r in sorted(drafts.items()):
        for label in r.uncited:
            problems.append(f"{key[1]}: {label} has no citation")
    referenced = {(documents.ENTITY, rid) for r in drafts.values() for rid in r.references}
    missing = referenced - set(keys_in_set)
    if missing:
        published = heads(missing)
        for key in sorted(missing):
            head = published.get(key)
            if head is None or head.operation != PublishedVersion.Operation.UPSERT:
                problems.append(f"{key[1]} is referenced but not published; add it to this change set")
    return problems


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
        Decision.objects.create(change_set=change_set, kind=Decision.Kind.APPROVE, user=user, comment=comment)
    return change_set


def publish(keys, change_set, approver):
    """Render and append published versions (call only from ``approve``)."""
    # The database refuses published rows written without this setting (migration 0002).
    # It is transaction-local; it is unset at once so that nothing later in a caller's
    # transaction can write published rows, and on an error the savepoint's rollback
    # undoes it (a statement to unset it would fail in the aborted transaction and hide
    # the error).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('publishing.writer', 'approve', true)")
        _publish(list(keys), change_set, approver)
        cursor.execute("SELECT set_config('publishing.writer', '', true)")


def _publish(keys, change_set, approver):
    now = timezone.now()
    action_keys = [k for k in keys if k[0] == documents.SANCTION]
    entity_keys = [k for k in keys if k[0] == documents.ENTITY]

    action_drafts = draft_documents(action_keys)
    problems = publication_problems(action_drafts, keys)
    old_action_heads = heads(action_keys)
    # Actions first: entities' sanctions sections are built from published actions.
    versions = _append(action_drafts, old_action_heads, change_set, approver, now)

    dependents = set()
    for key, r in action_drafts.items():
        dependents.update(t["entity"] for t in r.document.get("targets", []))
        old = old_action_heads.get(key)
        if old:
            dependents.update(old.target_ids)
    entity_drafts = draft_documents(entity_keys)
    problems += publication_problems(entity_drafts, keys)
    if problems:
        raise WorkflowError("This change set can't be published: " + "; ".join(problems))
    entity_ids_in_set = {rid for _, rid in entity_keys}
    dependent_keys = [(documents.ENTITY, rid) for rid in sorted(dependents - entity_ids_in_set)]
    dependent_heads = heads(dependent_keys)
    sections = _sanctions_for(rid for _, rid in dependent_keys) if dependent_keys else {}
    for key, head in dependent_heads.items():
        if head.operation != PublishedVersion.Operation.UPSERT:
            continue
        document = {**head.document, "sanctions": sections.get(key[1], [])}
        entity_drafts[key] = documents.Rendered(key[0], key[1], document)
    versions += _append(entity_drafts, {**heads(entity_keys), **dependent_heads}, change_set, approver, now)
    signals.versions_published.send(sender=PublishedVersion, versions=versions)


_VERSION_COLUMNS = ("seq", "record_type", "record_id", "version", "operation", "document", "content_hash",
                   "change_set_id", "approved_by_id", "published_at")
_HEAD_COLUMNS = ("latest_id", "record_type", "record_id", "version", "operation", "document", "content_hash",
                 "published_at")


def _first_published(versions, now):
    """record id → when its first version was published (now, for a first version)."""
    later = [v.record_id for v in versions if v.record_type == documents.ENTITY and v.version > 1]
    first = dict(
        PublishedVersion.objects.filter(record_type=documents.ENTITY, version=1, record_id__any=later)
        .values_list("record_id", "published_at")
    ) if later else {}
    return defaultdict(lambda: now, first)


def _text_array(json_column):
    return (f"ARRAY(SELECT e.value FROM jsonb_array_elements_text({json_column}) WITH ORDINALITY AS e(value, o) "
            "ORDER BY e.o)")


def _append(drafts, old_heads, change_set, approver, now):
    """Append a version for each draft that differs from its head, and move the heads.

    In bulk: the versions are COPYed with sequence numbers drawn in one query (under
    PUBLISH_LOCK, so in commit order), each document serialised once, as its canonical
    JSON, which also gives its hash. The heads are upserted from the new versions in
    one statement, joined to their tags and targets (computed here) COPYed into a
    temporary table. Returns the versions, in ``seq`` order."""
    versions, texts = [], []
    for key, r in sorted(drafts.items()):
        head = old_heads.get(key)
        text = documents.canonical_json(r.document)
        digest = documents.content_hash(r.document, text)
        if head is not None and head.content_hash == digest:
            continue
        if head is None and r.retracted:
            continue  # never published: nothing to take back
        version = PublishedVersion(
            record_type=key[0],
            record_id=key[1],
            version=head.version + 1 if head else 1,
            operation=PublishedVersion.Operation.RETRACT if r.retracted else PublishedVersion.Operation.UPSERT,
            document=r.document,
            content_hash=digest,
            change_set=change_set,
            approved_by=approver,
            published_at=now,
        )
        version._state.adding, version._state.db = False, connection.alias
        versions.append(version)
        texts.append(text)
    if not versions:
        return versions
    with connection.cursor() as django_cursor, connection.wrap_database_errors:
        cursor = django_cursor.cursor  # psycopg's, for COPY
        for version, seq in zip(versions, reserve_ids(cursor, PublishedVersion, len(versions))):
            version.seq = seq
        copy_rows(cursor, PublishedVersion._meta.db_table, _VERSION_COLUMNS, (
            (v.seq, v.record_type, v.record_id, v.version, v.operation, text, v.content_hash, change_set.pk,
             approver.pk, now)
            for v, text in zip(versions, texts)
        ))
        # The actions' and then the entities' heads, in one transaction: a fresh table each.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.publishing_new_heads")
        cursor.execute(
            "CREATE TEMPORARY TABLE publishing_new_heads (seq bigint PRIMARY KEY, target_ids jsonb, tags jsonb, "
            "csv_row text) ON COMMIT DROP"
        )
        first_published = _first_published(versions, now)
        # The arrays travel as JSON (json.dumps is C; psycopg's array quoting is Python).
        copy_rows(cursor, "publishing_new_heads", ("seq", "target_ids", "tags", "csv_row"), (
            (v.seq, json.dumps(sorted({t["entity"] for t in v.document.get("targets", [])})),
             json.dumps(tags.tags(v.document), ensure_ascii=False),
             exports.csv_row(v.document, first_published[v.record_id], now, v.version)
             if v.record_type == documents.ENTITY and v.operation == PublishedVersion.Operation.UPSERT else "")
            for v in versions
        ))
        columns = ", ".join(_HEAD_COLUMNS)
        selected = ", ".join(f"v.{'seq' if c == 'latest_id' else c}" for c in _HEAD_COLUMNS)
        updates = ", ".join(
            f"{c} = EXCLUDED.{c}" for c in (*_HEAD_COLUMNS[3:], "latest_id", "target_ids", "tags", "csv_row")
        )
        cursor.execute(
            f"INSERT INTO {PublishedRecord._meta.db_table} ({columns}, target_ids, tags, csv_row) "
            f"SELECT {selected}, {_text_array('h.target_ids')}, {_text_array('h.tags')}, h.csv_row "
            "FROM publishing_new_heads h "
            f"JOIN {PublishedVersion._meta.db_table} v ON v.seq = h.seq "
            f"ON CONFLICT (record_type, record_id) DO UPDATE SET {updates}"
        )
    return versions


def published_as_of(record_type, record_id, when):
    """The version of a record partners saw at ``when`` (None before the first)."""
    return (
        PublishedVersion.objects.filter(record_type=record_type, record_id=record_id, published_at__lte=when)
        .order_by("-seq")
        .first()
    )
