"""Sources (immutable article text), citations (exact spans) and the claim/evidence link.

Every fact in the write model (an entity, a name, an identifier, a relationship, a
sanction action or target) is a Claim by multi-table inheritance, so one Evidence
table links any claim to the citations that state it, with real foreign keys.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.fields import EnumField, LanguageField, PartialDateField, URLField
from core.history import tracked
from core.ids import new_public_id

from . import text as textlib


def _new_source_id():
    return new_public_id("src")


@tracked()
class Source(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_new_source_id, editable=False)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    url = URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    language = LanguageField(help_text="ISO 639-1 code of the article's language.")
    published = PartialDateField(verbose_name="published date")
    retrieved_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(help_text="The article text, exactly as published. Fixed once cited.")
    text_sha256 = models.CharField(max_length=64, editable=False, verbose_name="text SHA-256")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # A correction is a new source; one-to-one, so a source is superseded at most once.
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        editable=False,
        help_text="The source whose text this one corrects.",
    )
    correction_note = models.TextField(blank=True, editable=False, help_text="What the corrected text changes.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="source_text_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(supersedes=models.F("id")), name="source_not_superseding_itself"
            ),
        ]

    def __str__(self):
        label = self.title or self.publisher or "untitled"
        return f"{label} ({self.public_id})"

    def clean(self):
        try:
            self.text = textlib.normalise(self.text or "")
        except ValidationError as exc:
            raise ValidationError({"text": exc.messages}) from None
        if not self.text.strip():
            raise ValidationError({"text": "The article text is empty."})
        limit = settings.SOURCE_TEXT_MAX_CHARS
        if limit is not None and len(self.text) > limit:
            raise ValidationError(
                {
                    "text": f"The article text is {len(self.text):,} characters long; the limit is {limit:,} "
                    "(SOURCE_TEXT_MAX_CHARS). Shorten it, or add it as several sources."
                }
            )
        if self.pk and self.text_changed() and self.citations.exists():
            raise ValidationError(
                {"text": "This source is cited, so its text can't change. Add the corrected text as a new source."}
            )

    @property
    def link_url(self):
        """The URL when it is safe to link (http/https only; a form validates that, a raw
        write might not)."""
        return self.url if self.url.lower().startswith(("https://", "http://")) else ""

    @property
    def is_superseded(self):
        """True when a corrected source replaces this one (uses a select_related reverse
        one-to-one when present)."""
        try:
            return self.superseded_by is not None
        except Source.DoesNotExist:
            return False

    def text_changed(self):
        stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        return stored is not None and stored != self.text

    def save(self, *args, **kwargs):
        self.text = textlib.normalise(self.text)
        if self.pk and self.text_changed() and self.citations.exists():
            raise ValidationError(f"Source {self.public_id} is cited; its text can't change.")
        self.text_sha256 = self.digest(self.text)
        super().save(*args, **kwargs)

    @staticmethod
    def digest(text):
        """The ``text_sha256`` a source with this text has (the text normalised as stored)."""
        return hashlib.sha256(textlib.normalise(text).encode("utf-8")).hexdigest()


@tracked()
class Citation(models.Model):
    """An exact span of a source: W3C Web Annotation TextPosition + TextQuote selectors."""

    class MetadataField(models.TextChoices):
        NONE = "", "—"
        TITLE = "title", "title"
        PUBLISHER = "publisher", "publisher"
        PUBLISHED = "published", "published date"
        AUTHOR = "author", "author"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    start = models.PositiveIntegerField(help_text="Code-point offset of the first character.")
    end = models.PositiveIntegerField(help_text="Code-point offset after the last character.")
    quote = models.TextField(editable=False)
    prefix = models.CharField(max_length=textlib.CONTEXT, blank=True, editable=False)
    suffix = models.CharField(max_length=textlib.CONTEXT, blank=True, editable=False)
    translation = models.TextField(blank=True, help_text="English translation of a non-English quote.")
    metadata_field = EnumField(
        choices=MetadataField.choices,
        blank=True,
        default="",
        help_text="Set when the quote shows the source's own metadata (e.g. “(AP)” for the publisher).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reanchored_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reanchored_as",
        editable=False,
        help_text="The citation of the superseded source this one was re-anchored from.",
    )

    class Meta:
        ordering = ["source_id", "start", "end"]
        constraints = [
            models.UniqueConstraint(fields=["source", "start", "end"], name="citation_unique_span"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="citation_end_after_start",
                violation_error_message="The end offset must be after the start offset.",
            ),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” [{self.source.public_id if self.source_id else '?'} {self.start}–{self.end}]"

    def anchor(self):
        """Fill quote, prefix and suffix from the offsets: the server, not the client,
        decides what the span says."""
        self.quote, self.prefix, self.suffix = textlib.span_context(self.source.text, self.start, self.end)

    def check_span(self):
        quote, prefix, suffix = textlib.span_context(self.source.text, self.start, self.end)
        if (quote, prefix, suffix) != (self.quote, self.prefix, self.suffix):
            raise ValidationError(
                "The quote does not match the source text at %(start)s–%(end)s: "
                "the text there is %(actual)r, the citation says %(quote)r.",
                code="quote_mismatch",
                params={"start": self.start, "end": self.end, "actual": quote, "quote": self.quote},
            )

    def clean(self):
        if self.source_id is None or self.start is None or self.end is None:
            return
        if not self.quote:
            try:
                self.anchor()
            except ValidationError as exc:
                raise ValidationError({"end": exc.messages}) from None
        self.check_span()

    def save(self, *args, **kwargs):
        if not self.quote:
            self.anchor()
        self.check_span()
        super().save(*args, **kwargs)


class ClaimCitationsField(models.ManyToManyField):
    """Claim.citations as forms (the admin's citations widget) read and save it: the
    citations backing the claim itself, never those backing one of its properties
    (Evidence.property), which the widget would otherwise show as the claim's and whose
    evidence ``.set()`` would delete with a citation taken off the list."""

    def value_from_object(self, obj):
        if obj.pk is None:
            return []
        return [e.citation for e in obj.evidence.all() if not e.property]  # prefetched by the admin's inlines

    def save_form_data(self, instance, data):
        wanted = {c.pk: c for c in data or ()}
        own = Evidence.objects.filter(claim=instance, property="")
        own.exclude(citation_id__in=list(wanted)).delete()
        have = set(own.values_list("citation_id", flat=True))
        Evidence.objects.bulk_create(Evidence(claim=instance, citation=c) for pk, c in wanted.items() if pk not in have)


@tracked()
class Claim(models.Model):
    """One fact of the write model, backed by citations; deprecated, never deleted."""

    class Type(models.TextChoices):
        ENTITY = "entity", "entity"
        NAME = "name", "name"
        IDENTIFIER = "identifier", "identifier"
        RELATIONSHIP = "relationship", "relationship"
        SANCTION_ACTION = "sanctionaction", "sanction action"
        SANCTION_TARGET = "sanctiontarget", "sanction target"

    claim_type = EnumField(choices=Type.choices, editable=False)
    # Every citation linked to the claim, its properties' too; forms edit only the claim's own.
    citations = ClaimCitationsField(Citation, through="Evidence", related_name="claims", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    deprecated_at = models.DateTimeField(null=True, blank=True, editable=False)
    deprecated_reason = models.TextField(
        blank=True, help_text="Why this claim is wrong or outdated. A claim is deprecated, never deleted."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deprecated_at__isnull=True, deprecated_reason="")
                | (models.Q(deprecated_at__isnull=False) & ~models.Q(deprecated_reason="")),
                name="claim_deprecated_with_reason",
                violation_error_message="A deprecated claim needs a reason.",
            ),
        ]

    @property
    def is_deprecated(self):
        return self.deprecated_at is not None

    def specific(self):
        """The Name, Entity, SanctionAction... this claim row is."""
        return getattr(self, f"as_{self.claim_type}") if type(self) is Claim else self

    def owner_record(self):
        """The record (entity or sanction action) whose admin page edits this claim and
        whose trace page shows it. Claim models that live on another record override it."""
        return self

    # A regular expression every Evidence.property of this claim model matches (the keys
    # cited_properties() gives); empty: no property. verify_provenance checks it.
    property_keys = ""

    def cited_properties(self):
        """[(key, label)] of the values of this claim that partners see besides the claim
        itself, each needing its own citations (Evidence.property = key); only the
        non-empty ones. Claim models with such values override it."""
        return []

    @classmethod
    def display_queryset(cls):
        """Rows of this claim model that str(), owner_record() and created_by need no
        further query for; each claim model adds its own select/prefetch_related."""
        return cls._default_manager.select_related("created_by")

    def save(self, *args, **kwargs):
        if not self.claim_type and type(self) is not Claim:
            self.claim_type = type(self)._meta.model_name
        # The reason field drives deprecation, so a form needs only that one field.
        if self.deprecated_reason.strip() and self.deprecated_at is None:
            self.deprecated_at = timezone.now()
        elif not self.deprecated_reason.strip():
            self.deprecated_reason, self.deprecated_at = "", None
        super().save(*args, **kwargs)


class ClaimProperty:
    """One property of a claim (a key of its ``cited_properties()``), as the reader
    offers it to cite: it stands in for the claim where a claim is listed or picked
    (same claim_type, record and permissions), with the id "<claim pk>:<key>"."""

    def __init__(self, claim, key, label):
        self.claim, self.key, self.label = claim, key, label
        self._meta = claim._meta
        self.claim_type = claim.claim_type
        self.created_by_id = claim.created_by_id

    def __eq__(self, other):
        return isinstance(other, ClaimProperty) and (self.claim.pk, self.key) == (other.claim.pk, other.key)

    def __hash__(self):
        return hash((self.claim.pk, self.key))

    @property
    def pk(self):
        return f"{self.claim.pk}:{self.key}"

    @property
    def is_deprecated(self):
        return self.claim.is_deprecated

    def owner_record(self):
        return self.claim.owner_record()

    def __str__(self):
        # A record's own property needs no more; a target's says which target.
        return self.label if self.claim.owner_record() is self.claim else f"{self.claim}: {self.label}"

    @classmethod
    def of(cls, claims):
        """The claims, each followed by its cited properties."""
        return [item for c in claims for item in (c, *(cls(c, key, label) for key, label in c.cited_properties()))]


class CitedValues:
    """For a model whose single values are cited one by one (Evidence.property is the
    field's name, on this row's claim: the entity for person or organisation details, the
    action for its dates): a value that changes loses the citations of the old one, which
    state something else. The new value then waits for its own words, in the curator's
    checklist, and submission refuses it until cited."""

    cited_value_fields = ()

    def save(self, *args, **kwargs):
        changed = []
        if self.cited_value_fields and not self._state.adding:
            old = type(self)._default_manager.filter(pk=self.pk).values(*self.cited_value_fields).first()
            changed = [f for f in self.cited_value_fields if old is not None and old[f] != getattr(self, f)]
        super().save(*args, **kwargs)
        if changed:
            # (the row's pk is its claim's: Person and Organisation are keyed by their entity)
            Evidence.objects.filter(claim_id=self.pk, property__in=changed).delete()


def claim_link(claim_type):
    """The parent link of a claim model, named so its reverse accessor (claim.as_name,
    claim.as_entity, ...) does not clash with the child's own fields."""
    return models.OneToOneField(
        Claim, parent_link=True, primary_key=True, on_delete=models.CASCADE, related_name=f"as_{claim_type}"
    )


@tracked()
class Evidence(models.Model):
    """The one link from any claim to a citation that states it: the claim itself, or
    one property of it (``property``, a key of the claim's ``cited_properties()``:
    ``birth_date``, ``nationalities:IR``, ``measures:asset_freeze``...)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="evidence")
    property = models.CharField(
        max_length=64, blank=True, default="", help_text="Empty: the citation backs the claim itself."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Who pinned this claim to this citation (the citation may be older and someone else's).
    # Set by the source reader and re-anchoring; the admin's citations widget leaves it empty.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name_plural = "evidence"
        constraints = [models.UniqueConstraint(fields=["claim", "citation", "property"], name="evidence_unique")]

    def __str__(self):
        backs = f"claim {self.claim_id}" + (f" ({self.property})" if self.property else "")
        return f"{backs} ← citation {self.citation_id}"


@tracked()
class ReanchorProblem(models.Model):
    """A citation of a superseded source that re-anchoring could not place in the
    corrected text with confidence. A curator places it or records that the corrected
    text has no counterpart; until then the claims keep only their old citation."""

    class Reason(models.TextChoices):
        NOT_FOUND = "not_found", "quote not found"
        QUOTE_CHANGED = "quote_changed", "quote changed"
        AMBIGUOUS = "ambiguous", "quote occurs several times"
        CONTEXT_CHANGED = "context_changed", "surrounding text changed"

    class Resolution(models.TextChoices):
        OPEN = "", "open"
        PLACED = "placed", "placed by a curator"
        DROPPED = "dropped", "no counterpart in the corrected text"

    citation = models.ForeignKey(
        Citation, on_delete=models.PROTECT, related_name="reanchor_problems", help_text="The old citation."
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="reanchor_problems", help_text="The corrected source."
    )
    reason = EnumField(choices=Reason.choices)
    detail = models.TextField()
    # [{"start", "end", "quote", "score"}] in the corrected text, best first.
    candidates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolution = EnumField(choices=Resolution.choices, blank=True, default="")
    resolved_citation = models.ForeignKey(
        Citation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = "re-anchoring problem"
        ordering = ["resolution", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["citation", "source"], name="reanchor_problem_unique"),
            models.CheckConstraint(
                condition=models.Q(resolution="", resolved_at__isnull=True, resolved_citation__isnull=True)
                | models.Q(resolution="placed", resolved_at__isnull=False, resolved_citation__isnull=False)
                | models.Q(resolution="dropped", resolved_at__isnull=False, resolved_citation__isnull=True),
                name="reanchor_problem_resolution_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.citation}"

    @property
    def is_open(self):
        return self.resolution == ""
