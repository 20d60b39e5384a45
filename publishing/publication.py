"""The publication itself: render the drafts of a change set's records, append their
versions and move the heads (``publish``, called only from ``services.approve``), and
read what is published (``heads``, ``published_as_of``).

Appending is done in bulk, with COPY; each entity's head also gets its search tags
(``tags``) and its line of entities.csv (``exports.csvfile.csv_row``), so that the
API's filters and the CSV export read stored values instead of documents.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from core.copyin import copy_rows, reserve_ids
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Claim, Evidence

from . import documents, signals, tags
from .exports.csvfile import csv_row
from .models import ChangeSetItem, PublishedRecord, PublishedVersion

# Approvals take this transaction-level advisory lock, so sequence numbers are
# assigned in commit order and a change-feed reader never skips a late commit.
PUBLISH_LOCK = 0x5AFE_0001


class WorkflowError(Exception):
    """A request the workflow refuses; the message says what to do instead."""


def ids_by_type(keys):
    """(type, [ids]) pairs of ``keys``, for one query per record type."""
    by_type = defaultdict(list)
    for record_type, record_id in keys:
        by_type[record_type].append(record_id)
    return by_type.items()


def heads(keys):
    """(type, id) → PublishedRecord, for those of ``keys`` ever published."""
    found = {}
    for record_type, ids in ids_by_type(keys):
        for head in PublishedRecord.objects.filter(record_type=record_type, record_id__any=ids).defer(
            "tags", "csv_row"
        ):
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
            RawSQL(
                "EXISTS (SELECT 1 FROM unnest(target_ids) t WHERE t = ANY(%s))",
                [entity_ids],
                output_field=BooleanField(),
            )
        )
    return documents.sanctions_section(h.document for h in heads_.only("document"))


def draft_documents(keys):
    """(type, id) → Rendered: what approving these records now would publish."""
    keys = list(keys)
    ids = defaultdict(list)
    for record_type, record_id in keys:
        ids[record_type].append(record_id)
    rendered = []
    if ids[documents.ENTITY]:
        rendered += documents.render_entities(ids[documents.ENTITY], _sanctions_for(ids[documents.ENTITY]))
    if ids[documents.AUTHORITY]:
        rendered += documents.render_authorities(ids[documents.AUTHORITY])
    if ids[documents.PROGRAMME]:
        rendered += documents.render_programmes(ids[documents.PROGRAMME])
    drafts = {(r.record_type, r.record_id): r for r in rendered}
    if ids[documents.SANCTION]:
        references = _shown_references(ids[documents.SANCTION], drafts)
        for r in documents.render_actions(ids[documents.SANCTION], references):
            drafts[(r.record_type, r.record_id)] = r
    return drafts


def _shown_references(action_ids, drafts):
    """(type, id) → the authority or programme document each action shows: the draft
    when it is published with the action, else its published version, so that an
    unreviewed rename never reaches partners through an unrelated approval. One
    never published is rendered as it stands, and ``publication_problems`` refuses it."""
    wanted = documents.action_references(action_ids)
    shown = {key: drafts[key].document for key in wanted if key in drafts}
    published = heads(wanted - set(shown))
    shown.update(
        (key, head.document) for key, head in published.items() if head.operation == PublishedVersion.Operation.UPSERT
    )
    missing = wanted - set(shown)
    if missing:
        for r in [
            *documents.render_authorities(i for t, i in missing if t == documents.AUTHORITY),
            *documents.render_programmes(i for t, i in missing if t == documents.PROGRAMME),
        ]:
            shown[(r.record_type, r.record_id)] = r.document
    return shown


def publication_problems(drafts, keys_in_set):
    """Why these drafts can't be published: uncited claims, references to records
    that partners would not find (neither published nor in this change set)."""
    problems = []
    for key, r in sorted(drafts.items()):
        for label in r.uncited:
            problems.append(f"{key[1]}: {label} has no citation")
    referenced = {key for r in drafts.values() for key in r.references}
    missing = referenced - set(keys_in_set)
    if missing:
        published = heads(missing)
        waiting = {
            (t, i): cs
            for t, i, cs in ChangeSetItem.objects.filter(
                pending=True, record_id__any=[i for _, i in missing]
            ).values_list("record_type", "record_id", "change_set_id")
        }
        for key in sorted(missing):
            head = published.get(key)
            if head is not None and head.operation == PublishedVersion.Operation.UPSERT:
                continue
            if key in waiting:
                problems.append(
                    f"{key[0]} {key[1]} is referenced but not published: it waits for review in change set "
                    f"#{waiting[key]}; publish that first"
                )
            else:
                problems.append(f"{key[0]} {key[1]} is referenced but not published; add it to this change set")
    return problems


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
    reference_keys = [k for k in keys if k[0] in (documents.AUTHORITY, documents.PROGRAMME)]
    action_keys = [k for k in keys if k[0] == documents.SANCTION]
    entity_keys = [k for k in keys if k[0] == documents.ENTITY]

    # Authorities and programmes first: actions show their published versions.
    reference_drafts = draft_documents(reference_keys)
    versions = _append(reference_drafts, heads(reference_keys), change_set, approver, now)
    action_drafts = draft_documents(action_keys)
    problems = publication_problems(action_drafts, keys)
    old_action_heads = heads(action_keys)
    # The published actions that show a renamed authority or programme show the new
    # version, and nothing else of their own unreviewed edits.
    for key, (head, rendered) in _reshow(versions, exclude=action_keys).items():
        old_action_heads[key], action_drafts[key] = head, rendered
    # Then actions: entities' sanctions sections are built from published actions.
    versions += _append(action_drafts, old_action_heads, change_set, approver, now)

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


@dataclass
class _Shown:
    """A new authority or programme version, and how to tell the action documents that
    show it: by id, or (documents published before ids) by the name it had before, a
    programme's also by one of the names its authority was published under."""

    part: str  # "authority" or "programme"
    record_id: str
    document: dict
    old_name: str | None = None
    authority_names: frozenset = frozenset()

    def in_(self, action_document):
        shown = action_document.get(self.part)
        if not shown:
            return False  # no programme: never one to replace
        if "id" in shown:
            return shown["id"] == self.record_id
        if self.old_name is None or shown.get("name") != self.old_name:
            return False
        return self.part == "authority" or (action_document.get("authority") or {}).get("name") in self.authority_names


def _reshow(reference_versions, exclude):
    """(type, id) → (head, Rendered), for each published action (but those in
    ``exclude``) that shows one of these new authority or programme versions: its
    published document with the new version in place, and nothing else changed."""
    changed = []
    for v in reference_versions:
        if v.version == 1:
            continue  # never shown by a published action before
        before = PublishedVersion.objects.get(record_type=v.record_type, record_id=v.record_id, version=v.version - 1)
        if v.record_type == documents.AUTHORITY:
            changed.append(_Shown("authority", v.record_id, v.document, before.document["name"]))
        else:
            names = PublishedVersion.objects.filter(
                record_type=documents.AUTHORITY, record_id=v.document["authority"]
            ).values_list(KeyTextTransform("name", "document"), flat=True)
            changed.append(_Shown("programme", v.record_id, v.document, before.document["name"], frozenset(names)))
    if not changed:
        return {}
    condition = Q(_connector=Q.OR)
    for shown in changed:  # a first cut in SQL; _Shown.in_ decides
        condition |= Q(**{f"document__{shown.part}__id": shown.record_id})
        condition |= Q(**{f"document__{shown.part}__id__isnull": True, f"document__{shown.part}__name": shown.old_name})
    found = PublishedRecord.objects.filter(
        condition, record_type=documents.SANCTION, operation=PublishedVersion.Operation.UPSERT
    ).defer("tags", "csv_row")
    skip = set(exclude)
    out = {}
    for head in found:
        key = (head.record_type, head.record_id)
        document = dict(head.document)
        for shown in changed:
            if shown.in_(head.document):
                document[shown.part] = documents.as_shown_in_action(shown.document)
        if key not in skip and document != head.document:
            out[key] = (head, documents.Rendered(key[0], key[1], document))
    return out


# What a version and a head both hold, in the tables' own order (a head also has tags,
# targets and its CSV line, written from a temporary table).
_RECORD_COLUMNS = ("record_type", "record_id", "version", "operation", "document", "content_hash")
_VERSION_COLUMNS = ("seq", *_RECORD_COLUMNS, "change_set_id", "approved_by_id", "published_at")
_HEAD_COLUMNS = ("latest_id", *_RECORD_COLUMNS, "published_at")


def _first_published(versions, now):
    """record id → when its first version was published (now, for a first version)."""
    later = [v.record_id for v in versions if v.record_type == documents.ENTITY and v.version > 1]
    first = (
        dict(
            PublishedVersion.objects.filter(record_type=documents.ENTITY, version=1, record_id__any=later).values_list(
                "record_id", "published_at"
            )
        )
        if later
        else {}
    )
    return defaultdict(lambda: now, first)


def _text_array(json_column):
    return (
        f"ARRAY(SELECT e.value FROM jsonb_array_elements_text({json_column}) WITH ORDINALITY AS e(value, o) "
        "ORDER BY e.o)"
    )


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
        for version, seq in zip(versions, reserve_ids(cursor, PublishedVersion, len(versions)), strict=True):
            version.seq = seq
        copy_rows(
            cursor,
            PublishedVersion._meta.db_table,
            _VERSION_COLUMNS,
            (
                (
                    v.seq,
                    v.record_type,
                    v.record_id,
                    v.version,
                    v.operation,
                    text,
                    v.content_hash,
                    change_set.pk,
                    approver.pk,
                    now,
                )
                for v, text in zip(versions, texts, strict=True)
            ),
        )
        # The actions' and then the entities' heads, in one transaction: a fresh table each.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.publishing_new_heads")
        cursor.execute(
            "CREATE TEMPORARY TABLE publishing_new_heads (seq bigint PRIMARY KEY, target_ids jsonb, tags jsonb, "
            "csv_row text) ON COMMIT DROP"
        )
        first_published = _first_published(versions, now)
        # The arrays travel as JSON (json.dumps is C; psycopg's array quoting is Python).
        copy_rows(
            cursor,
            "publishing_new_heads",
            ("seq", "target_ids", "tags", "csv_row"),
            (
                (
                    v.seq,
                    json.dumps(sorted({t["entity"] for t in v.document.get("targets", [])})),
                    json.dumps(tags.tags(v.document), ensure_ascii=False),
                    csv_row(v.document, first_published[v.record_id], now, v.version)
                    if v.record_type == documents.ENTITY and v.operation == PublishedVersion.Operation.UPSERT
                    else "",
                )
                for v in versions
            ),
        )
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


def event_model(model):
    """The history (pghistory event) model of a tracked model."""
    return model._meta.apps.get_model(model._meta.app_label, f"{model.__name__}Event")


# The tables a record is made of, whose history lets a record be put back as published.
HISTORY_MODELS = (Claim, Evidence, Citation, Entity, Person, Organisation, Name, Identifier, Relationship)
HISTORY_MODELS += (SanctionAction, SanctionTarget, Authority, Programme)


def history_marks():
    """The last history event id of each table a record is made of (kept by approvals)."""
    tables = [event_model(m)._meta.db_table for m in HISTORY_MODELS]
    selects = ", ".join(f"(SELECT coalesce(max(pgh_id), 0) FROM {connection.ops.quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def published_as_of(record_type, record_id, when):
    """The version of a record partners saw at ``when`` (None before the first)."""
    return (
        PublishedVersion.objects.filter(record_type=record_type, record_id=record_id, published_at__lte=when)
        .order_by("-seq")
        .first()
    )
