"""Sanction actions as events: who acted, under which programme, on whom, with what."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.fields import CountryField, EnumArrayField, EnumField, PartialDateField
from core.history import tracked
from core.ids import new_public_id
from core.partial_dates import is_not_before, not_before_constraint
from entities.models import Entity
from sources.models import CitedValues, Claim, ClaimProperty, claim_link


def _new_authority_id():
    return new_public_id("auth")


def _new_programme_id():
    return new_public_id("prog")


@tracked()
class Authority(models.Model):
    """A body that takes sanction actions (reference data, not a claim). Partners see
    it inside sanction documents, so it is a reviewed record like an action: a save
    joins a change set, and documents show its last published version."""

    public_id = models.CharField(max_length=32, unique=True, default=_new_authority_id, editable=False)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=50, blank=True)
    country = CountryField(blank=True, default="", help_text="Empty for the EU, UN and other international bodies.")
    entity = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorities",
        limit_choices_to={"kind": Entity.Kind.ORGANISATION},
        help_text="The organisation record of this authority, when there is one.",
    )
    revision = models.PositiveIntegerField(default=1, editable=False)  # see Entity.revision

    class Meta:
        verbose_name_plural = "authorities"
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


@tracked()
class Programme(models.Model):
    """A sanctions programme of an authority: a reviewed record, like Authority."""

    public_id = models.CharField(max_length=32, unique=True, default=_new_programme_id, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=300)
    code = models.CharField(max_length=50, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)  # see Entity.revision

    class Meta:
        ordering = ["authority__name", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="programme_unique_per_authority")]

    def __str__(self):
        return f"{self.authority}: {self.name}"


def _new_action_id():
    return new_public_id("act")


@tracked()
class SanctionAction(CitedValues, Claim):
    claim_ptr = claim_link("sanctionaction")

    class Kind(models.TextChoices):
        DESIGNATION = "designation", "designation"
        DELISTING = "delisting", "delisting"
        EXPORT_CONTROL = "export_control", "export control"
        ADVISORY = "advisory", "advisory"
        THREAT = "threat", "threat of measures"

    class Status(models.TextChoices):
        CONSIDERED = "considered", "considered"
        THREATENED = "threatened", "threatened"
        ANNOUNCED = "announced", "announced"
        IN_FORCE = "in_force", "in force"
        LIFTED = "lifted", "lifted"

    public_id = models.CharField(max_length=32, unique=True, default=_new_action_id, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="actions")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    kind = EnumField(choices=Kind.choices)
    status = EnumField(choices=Status.choices)
    announced_date = PartialDateField()
    in_force_date = PartialDateField(verbose_name="in-force date")
    end_date = PartialDateField()
    summary = models.TextField(help_text="What the action is, in a sentence or two.")
    revision = models.PositiveIntegerField(default=1, editable=False)  # see Entity.revision

    class Meta:
        ordering = ["-id"]
        constraints = [
            not_before_constraint("end_date", "announced_date", name="action_end_not_before_announced"),
            not_before_constraint("end_date", "in_force_date", name="action_end_not_before_in_force"),
        ]

    def __str__(self):
        return f"{self.authority}: {self.get_kind_display()} ({self.get_status_display()}) {self.public_id}"

    @classmethod
    def display_queryset(cls):
        return super().display_queryset().select_related("authority")

    def get_trace_url(self):
        return reverse("trace:action", args=[self.public_id])

    @classmethod
    def trace_queryset(cls):
        return cls.display_queryset().select_related("programme")

    def trace_sections(self):
        """(heading, claims) on the action's trace page."""
        return [
            ("The sanction action", [self]),
            ("Targets", list(SanctionTarget.display_queryset().filter(action=self))),
        ]

    @classmethod
    def with_claims(cls):
        """Actions with the claims claims() lists, prefetched."""
        return cls._default_manager.select_related("authority").prefetch_related("targets__entity__names")

    @classmethod
    def search(cls, q):
        """Actions a curator means by q (words of the summary, the authority, a public id)."""
        return cls.with_claims().filter(
            models.Q(summary__icontains=q)
            | models.Q(public_id__iexact=q)
            | models.Q(authority__name__icontains=q)
            | models.Q(authority__short_name__iexact=q)
        )

    def claims(self):
        """The action and its targets, as a curator picks them to back with a quote, each
        followed by its properties (a date, a measure: ClaimProperty)."""
        return ClaimProperty.of([self, *self.targets.all()])

    property_keys = "announced_date|in_force_date|end_date"
    cited_value_fields = ("announced_date", "in_force_date", "end_date")

    def cited_properties(self):
        """The action's dates: each published, so each needs citations of its own."""
        return self.properties_of(self.announced_date, self.in_force_date, self.end_date)

    @staticmethod
    def properties_of(announced_date, in_force_date, end_date):
        """[(key, label)] of these dates' non-empty ones (publishing renders from rows)."""
        dates = {"announced_date": announced_date, "in_force_date": in_force_date, "end_date": end_date}
        return [
            (name, f"{SanctionAction._meta.get_field(name).verbose_name}: {value}")
            for name, value in dates.items()
            if value
        ]

    def clean(self):
        errors = {}
        if self.programme_id and self.authority_id and self.programme.authority_id != self.authority_id:
            errors["programme"] = "This programme belongs to another authority."
        if not is_not_before(self.end_date, self.announced_date):
            errors["end_date"] = "The end date can't be before the announced date."
        elif not is_not_before(self.end_date, self.in_force_date):
            errors["end_date"] = "The end date can't be before the in-force date."
        if errors:
            raise ValidationError(errors)


@tracked()
class SanctionTarget(Claim):
    claim_ptr = claim_link("sanctiontarget")

    class Measure(models.TextChoices):
        ASSET_FREEZE = "asset_freeze", "asset freeze"
        TRAVEL_BAN = "travel_ban", "travel ban"
        ARMS_EMBARGO = "arms_embargo", "arms embargo"
        EXPORT_RESTRICTION = "export_restriction", "export restriction"
        IMPORT_RESTRICTION = "import_restriction", "import restriction"
        FINANCIAL_SERVICES_BAN = "financial_services_ban", "financial services ban"
        OTHER = "other", "other"

    action = models.ForeignKey(SanctionAction, on_delete=models.CASCADE, related_name="targets")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="sanction_targets")
    measures = EnumArrayField(
        EnumField(choices=Measure.choices),
        blank=True,
        default=list,
        help_text="Empty when the text names no measure (e.g. a threat of “significant measures”).",
    )

    class Meta:
        ordering = ["action_id", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "entity"], name="target_unique_per_action")]

    def __str__(self):
        return f"{self.entity.caption} ← {self.action.public_id}"

    def owner_record(self):
        return self.action

    property_keys = "measures:[a-z_]+"

    def cited_properties(self):
        """Each measure: published, so each needs citations of its own."""
        return self.properties_of(self.measures)

    @staticmethod
    def properties_of(measures):
        labels = dict(SanctionTarget.Measure.choices)
        return [(f"measures:{m}", f"measure: {labels.get(m, m)}") for m in sorted(measures or [])]

    @classmethod
    def display_queryset(cls):
        return (
            super().display_queryset().select_related("entity", "action__authority").prefetch_related("entity__names")
        )
