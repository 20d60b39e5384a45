"""The review workflow and the published model.

Write model (entities, sanctions, sources) ──edits──► ChangeSet (open → submitted)
──approve (a second person)──► PublishedVersion rows, appended, never changed.

A *record* is what gets published as one document: an entity or a sanction action,
named by (record_type, record_id) where record_id is the public id. Partners only
ever read PublishedVersion; the database refuses UPDATE and DELETE on it, refuses
INSERTs that don't come from ``services.approve`` and refuses an approval by anyone
who edited the change set (migration 0002).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.fields import EnumField
from core.history import tracked


class RecordType(models.TextChoices):
    ENTITY = "entity", "entity"
    SANCTION = "sanction", "sanction action"
    # Reference data shown inside sanction documents; partners get them only there.
    AUTHORITY = "authority", "authority"
    PROGRAMME = "programme", "programme"


# The record types partners read as records of their own (feed, sources' citations).
PARTNER_RECORD_TYPES = [(RecordType.ENTITY.value, "entity"), (RecordType.SANCTION.value, "sanction action")]


@tracked()
class ChangeSet(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "open"
        SUBMITTED = "submitted", "submitted for review"
        PUBLISHED = "published", "approved and published"
        # Given up by its curators: drafts discarded, edits of published records reverted.
        ABANDONED = "abandoned", "abandoned"

    title = models.CharField(max_length=200, blank=True, help_text="What this batch of edits is about.")
    state = EnumField(choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        permissions = [
            ("submit_changeset", "Can submit a change set for review"),
            ("review_changeset", "Can approve or reject a change set"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "abandoned"])
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="changeset_submitted_has_submitter",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="changeset_published_has_approver",
            ),
            # Four eyes, the cheap part; the editors table is checked by a trigger.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (~Q(approved_by=models.F("created_by")) & ~Q(approved_by=models.F("submitted_by"))),
                name="changeset_not_approved_by_its_author",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}".rstrip() if self.pk else "new change set"

    @property
    def is_open(self):
        return self.state == self.State.OPEN


class ChangeSetItem(models.Model):
    """A record edited in a change set. A record is in at most one unpublished change set."""

    change_set = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="items")
    record_type = EnumField(choices=RecordType.choices)
    record_id = models.CharField(max_length=32)
    pending = models.BooleanField(default=True, help_text="Not yet published.")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["change_set_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change_set", "record_type", "record_id"], name="item_once_per_set"),
            models.UniqueConstraint(
                fields=["record_type", "record_id"], condition=Q(pending=True), name="item_in_one_pending_set"
            ),
        ]

    def __str__(self):
        return f"{self.record_type} {self.record_id}"


class ChangeSetEditor(models.Model):
    """Everyone who edited a record of the change set: none of them may approve it."""

    change_set = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="editors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_edit_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change_set", "user"], name="editor_once_per_set")]

    def __str__(self):
        return str(self.user)


class Decision(models.Model):
    """The review log of a change set: submitted, rejected (back to open), approved,
    abandoned by its curators."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", "submitted"
        REJECT = "reject", "rejected"
        APPROVE = "approve", "approved"
        ABANDON = "abandon", "abandoned"

    change_set = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="decisions")
    kind = EnumField(choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    # An approval: the last history event id of each write-model table it saw
    # ({"entities_nameevent": 123, ...}), so abandoning a later change set can put a
    # record back as this approval published it (publishing.discarding.revert).
    history_marks = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.user} {self.at:%Y-%m-%d %H:%M}"


class RecordRevision(models.Model):
    """The draft document of a record after each save through the workflow: tells a
    curator whose save was refused exactly what the other person changed."""

    record_type = EnumField(choices=RecordType.choices)
    record_id = models.CharField(max_length=32)
    revision = models.PositiveIntegerField()
    document = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    change_set = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="revisions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "revision"], name="revision_once"),
        ]


class PublishedVersion(models.Model):
    """One published state of a record: append-only; ``seq`` orders the change feed."""

    class Operation(models.TextChoices):
        UPSERT = "upsert", "upsert"
        RETRACT = "retract", "retract"

    seq = models.BigAutoField(primary_key=True)
    record_type = EnumField(choices=RecordType.choices)
    record_id = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    operation = EnumField(choices=Operation.choices)
    document = models.JSONField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of the document.")
    change_set = models.ForeignKey(ChangeSet, on_delete=models.PROTECT, related_name="published_versions")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "version"], name="published_version_once"),
        ]
        indexes = [models.Index(fields=["record_type", "record_id", "-seq"], name="published_record_latest")]

    def __str__(self):
        return f"{self.record_id} v{self.version} ({self.operation}, seq {self.seq})"


class PublishedRecord(models.Model):
    """The latest published version of each record: an index over PublishedVersion
    that ``services.approve`` keeps, for reading current state without scanning the log."""

    record_type = EnumField(choices=RecordType.choices)
    record_id = models.CharField(max_length=32)
    latest = models.OneToOneField(PublishedVersion, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    operation = EnumField(choices=PublishedVersion.Operation.choices)
    document = models.JSONField()
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    # Sanction actions: the entities they target, to rebuild those entities'
    # sanctions sections when an action is published (GIN-indexed overlap query).
    target_ids = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    # The partner API's filters: "facet:value" strings (publishing.tags), one GIN index.
    tags = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    # Entities: this version's line of entities.csv (exports.csv_row); "" otherwise.
    csv_row = models.TextField(default="", blank=True)

    class Meta:
        ordering = ["record_type", "record_id"]
        constraints = [models.UniqueConstraint(fields=["record_type", "record_id"], name="published_record_once")]
        indexes = [
            GinIndex(fields=["target_ids"], name="published_record_targets"),
            GinIndex(fields=["tags"], name="published_record_tags"),
            models.Index(fields=["record_type", "published_at"], name="published_record_updated"),
        ]

    def __str__(self):
        return f"{self.record_id} v{self.version}"
