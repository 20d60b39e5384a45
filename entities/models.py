"""Persons and organisations: one Entity identity, details per kind, and their claims."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.fields import CountryField, EnumField, LanguageField, PartialDateField, country_list
from core.history import tracked
from core.ids import new_public_id
from core.partial_dates import is_not_before, not_before_constraint
from sources.models import CitedValues, Claim, ClaimProperty, claim_link
from sources.text import normalise


def _new_entity_id():
    return new_public_id("ent")


@tracked()
class Entity(Claim):
    """A person or an organisation: what a sanction targets. One id space for both."""

    claim_ptr = claim_link("entity")

    class Kind(models.TextChoices):
        PERSON = "person", "person"
        ORGANISATION = "organisation", "organisation"

    public_id = models.CharField(max_length=32, unique=True, default=_new_entity_id, editable=False)
    kind = EnumField(choices=Kind.choices)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="Set when this record was a duplicate: its id keeps answering with a pointer to the kept one.",
    )
    notes = models.TextField(blank=True, help_text="Curator's notes; not published.")
    # Bumped by every save through the review workflow; a save based on an older
    # revision is refused (publishing.services.check_revision), so no edit is lost.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=models.F("claim_ptr")), name="entity_not_merged_into_self"),
        ]

    def __str__(self):
        return f"{self.caption} ({self.public_id})"

    @classmethod
    def display_queryset(cls):
        return super().display_queryset().prefetch_related("names")

    def get_trace_url(self):
        return reverse("trace:entity", args=[self.public_id])

    @classmethod
    def trace_queryset(cls):
        """What the entity's trace page shows besides its claims: details, merge pointer."""
        return (
            cls.display_queryset()
            .select_related("person", "organisation__parent", "merged_into")
            .prefetch_related("organisation__parent__names", "merged_into__names")
        )

    property_keys = r"title|gender|birth_date|org_kind|(nationalities|countries):[A-Z]{2}"

    def details(self):
        """The person or organisation details row, or None (not saved yet)."""
        name = "person" if self.kind == self.Kind.PERSON else "organisation"
        try:
            return getattr(self, name)
        except (Person.DoesNotExist, Organisation.DoesNotExist):
            return None

    def cited_properties(self):
        """A person's title, gender, birth date and each nationality; an organisation's
        kind and each country: each is published, so each needs citations of its own
        (Evidence.property). The parent organisation is not among them (see README)."""
        details = self.details()
        if details is None:
            return []
        return details.cited_properties()

    def trace_sections(self):
        """(heading, claims) on the entity's trace page: every claim about it, one query
        (with its prefetches) per section. Person and organisation details are
        properties of the entity claim, each with its own quotes (the trace shows them
        under the entity)."""
        targets = self.sanction_targets.model.display_queryset()  # sanctions imports entities, not back
        return [
            ("The entity", [self]),
            ("Names", list(Name.display_queryset().filter(entity=self))),
            ("Identifiers", list(Identifier.display_queryset().filter(entity=self))),
            ("Relationships", list(Relationship.display_queryset().filter(Q(subject=self) | Q(object=self)))),
            ("Sanctions", list(targets.filter(entity=self).order_by("action_id"))),
        ]

    @classmethod
    def with_claims(cls):
        """Entities with the claims claims() lists, prefetched."""
        return cls._default_manager.select_related("person", "organisation").prefetch_related(
            "names", "identifiers", "relationships__object__names", "sanction_targets__action__authority"
        )

    @classmethod
    def search(cls, q):
        """Entities a curator means by q (a name or a public id), with their claims: as
        the admin's entity list searches (every word in a name, an identifier or the
        public id, in any order: "Amir Rezaei" finds "Rezaei, Amir"), plus names spelling
        the words another way ("Rezai" finds "Rezaei"; ``duplicates.entities_named_like``)."""
        from .duplicates import entities_named_like  # it imports these models

        if not q.split():
            return cls.with_claims().none()
        words = Q()
        for word in q.split():
            words &= (
                Q(pk__in=Name.objects.filter(value__icontains=word).values("entity_id"))
                | Q(public_id__iexact=word)
                | Q(pk__in=Identifier.objects.filter(value__icontains=word).values("entity_id"))
            )
        similar = [s.entity.pk for s in entities_named_like(q)]
        return cls.with_claims().filter(words | Q(pk__in=similar)).order_by("pk")

    def claims(self):
        """The entity and every claim about it that a quote can back, as a curator picks
        them, each followed by its properties (a nationality, a measure: ClaimProperty)."""
        return ClaimProperty.of(
            [self, *self.names.all(), *self.identifiers.all(), *self.relationships.all(), *self.sanction_targets.all()]
        )

    def clean(self):
        if self.merged_into_id and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "An entity can't be merged into itself."})
        if self.merged_into_id and self.merged_into.kind != self.kind:
            raise ValidationError({"merged_into": "A duplicate can only be merged into an entity of the same kind."})

    @property
    def caption(self):
        """The primary name, else any name; uses prefetched names when present."""
        names = [n for n in self.names.all() if not n.is_deprecated]
        for name in names:
            if name.type == Name.Type.PRIMARY:
                return name.value
        return names[0].value if names else "(unnamed)"


class KindDetails:
    """Person or organisation details: one row per entity of ``entity_kind``, keyed by it."""

    entity_kind = None

    def __str__(self):
        return f"{self._meta.verbose_name} of {self.entity_id}"

    def clean(self):
        super().clean()
        if self.entity_id and self.entity.kind != self.entity_kind:
            label = str(self._meta.verbose_name).capitalize()
            raise ValidationError(f"{label} belong to an entity of kind {self.entity_kind}.")


@tracked()
class Person(CitedValues, KindDetails, models.Model):
    entity_kind = Entity.Kind.PERSON
    cited_value_fields = ("title", "gender", "birth_date")

    entity = models.OneToOneField(Entity, primary_key=True, on_delete=models.CASCADE, related_name="person")
    title = models.CharField(max_length=200, blank=True, help_text="Title or rank as stated, e.g. “Maj. Gen.”.")
    gender = EnumField(choices=[("male", "male"), ("female", "female"), ("other", "other")], blank=True, default="")
    birth_date = PartialDateField()
    nationalities = country_list()

    class Meta:
        verbose_name = "person details"
        verbose_name_plural = "person details"

    def cited_properties(self):
        return self.properties_of(self.title, self.gender, self.birth_date, self.nationalities)

    @staticmethod
    def properties_of(title, gender, birth_date, nationalities):
        """[(key, label)] of these values' non-empty ones (publishing renders from rows)."""
        props = [("title", f"title: {title}")] if title else []
        if gender:
            props.append(("gender", f"gender: {gender}"))
        if birth_date:
            props.append(("birth_date", f"birth date: {birth_date}"))
        return props + [(f"nationalities:{c}", f"nationality: {c}") for c in sorted(nationalities or [])]


@tracked()
class Organisation(CitedValues, KindDetails, models.Model):
    entity_kind = Entity.Kind.ORGANISATION
    cited_value_fields = ("org_kind",)

    class Kind(models.TextChoices):
        GOVERNMENT_BODY = "government_body", "government body"
        MILITARY_UNIT = "military_unit", "military unit"
        COMPANY = "company", "company"
        ARMED_GROUP = "armed_group", "armed group"
        RESEARCH_BODY = "research_body", "research or advocacy body"
        INTERNATIONAL_ORG = "international_org", "international organisation"
        MEDIA = "media", "media"
        OTHER = "other", "other"

    entity = models.OneToOneField(Entity, primary_key=True, on_delete=models.CASCADE, related_name="organisation")
    org_kind = EnumField(choices=Kind.choices, verbose_name="kind of organisation")
    countries = country_list()
    parent = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_organisations",
        limit_choices_to={"kind": Entity.Kind.ORGANISATION},
    )

    class Meta:
        verbose_name = "organisation details"
        verbose_name_plural = "organisation details"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("entity")), name="organisation_not_own_parent"),
        ]

    def cited_properties(self):
        return self.properties_of(self.org_kind, self.countries)

    @staticmethod
    def properties_of(org_kind, countries):
        """[(key, label)] of these values' non-empty ones (publishing renders from rows)."""
        kinds = dict(Organisation.Kind.choices)
        props = [("org_kind", f"kind of organisation: {kinds.get(org_kind, org_kind)}")] if org_kind else []
        return props + [(f"countries:{c}", f"country: {c}") for c in sorted(countries or [])]

    def clean(self):
        super().clean()
        if self.parent_id and self.parent_id == self.entity_id:
            raise ValidationError({"parent": "An organisation can't be its own parent."})
        if self.parent_id and self.parent.kind != Entity.Kind.ORGANISATION:
            raise ValidationError({"parent": "The parent must be an organisation."})


class EntityPart:
    """A claim that is part of one entity's record (a name, an identifier): the entity's
    admin page edits it and its trace page shows it."""

    def owner_record(self):
        return self.entity

    @classmethod
    def display_queryset(cls):
        return super().display_queryset().select_related("entity").prefetch_related("entity__names")


@tracked()
class Name(EntityPart, Claim):
    claim_ptr = claim_link("name")

    class Type(models.TextChoices):
        PRIMARY = "primary", "primary"
        ALIAS = "alias", "alias"
        WEAK_ALIAS = "weak_alias", "weak alias (not for matching)"
        PREVIOUS = "previous", "previous name"
        TRANSLITERATION = "transliteration", "transliteration"

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="names")
    value = models.CharField(max_length=500)
    type = EnumField(choices=Type.choices, default=Type.ALIAS)
    lang = LanguageField(blank=True, default="", verbose_name="language", help_text="Language of this spelling.")

    class Meta:
        ordering = ["entity_id", "type", "value"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "value", "type", "lang"], name="name_unique_per_entity"),
            models.CheckConstraint(condition=~Q(value=""), name="name_not_empty"),
        ]

    def __str__(self):
        return self.value

    def clean(self):
        self.value = normalise(" ".join((self.value or "").split()))
        if not self.value:
            raise ValidationError({"value": "A name can't be empty."})

    def save(self, *args, **kwargs):
        self.value = normalise(" ".join(self.value.split()))
        super().save(*args, **kwargs)


@tracked()
class Identifier(EntityPart, Claim):
    claim_ptr = claim_link("identifier")

    class Scheme(models.TextChoices):
        REGISTRATION = "registration", "company registration number"
        TAX = "tax", "tax number"
        PASSPORT = "passport", "passport"
        NATIONAL_ID = "national_id", "national id"
        IMO = "imo", "IMO number"
        LEI = "lei", "LEI"
        SANCTIONS_LIST = "sanctions_list", "sanctions list reference"
        OTHER = "other", "other"

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="identifiers")
    scheme = EnumField(choices=Scheme.choices)
    value = models.CharField(max_length=200)
    country = CountryField(blank=True, default="", help_text="Issuing country, if any.")

    class Meta:
        ordering = ["entity_id", "scheme", "value"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "scheme", "value"], name="identifier_unique_per_entity"),
            models.CheckConstraint(condition=~Q(value=""), name="identifier_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_scheme_display()} {self.value}"


@tracked()
class Relationship(Claim):
    claim_ptr = claim_link("relationship")

    class Kind(models.TextChoices):
        HEAD_OF = "head_of", "head of"
        DEPUTY_HEAD_OF = "deputy_head_of", "deputy head of"
        MEMBER_OF = "member_of", "member of"
        PART_OF = "part_of", "part of"
        SPOKESPERSON_FOR = "spokesperson_for", "spokesperson for"
        EMPLOYEE_OF = "employee_of", "employee of"
        OWNER_OF = "owner_of", "owner of"
        SUPPLIER_TO = "supplier_to", "supplier to"
        ASSOCIATE_OF = "associate_of", "associate of"
        OTHER = "other", "other"

    subject = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="relationships")
    kind = EnumField(choices=Kind.choices)
    object = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="inverse_relationships")
    role = models.CharField(
        max_length=300, blank=True, help_text="The role as stated, e.g. “National Security Council spokesman”."
    )
    start = PartialDateField(verbose_name="start date")
    end = PartialDateField(verbose_name="end date")

    class Meta:
        ordering = ["subject_id", "kind"]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=models.F("object")), name="relationship_not_reflexive"),
            not_before_constraint("end", "start", name="relationship_end_not_before_start"),
            models.UniqueConstraint(fields=["subject", "kind", "object", "role"], name="relationship_unique"),
        ]

    def __str__(self):
        return f"{self.subject.caption} — {self.get_kind_display()} — {self.object.caption}"

    def owner_record(self):
        return self.subject

    @classmethod
    def display_queryset(cls):
        return (
            super()
            .display_queryset()
            .select_related("subject", "object")
            .prefetch_related("subject__names", "object__names")
        )

    def clean(self):
        if self.subject_id and self.subject_id == self.object_id:
            raise ValidationError({"object": "An entity can't be related to itself."})
        if not is_not_before(self.end, self.start):
            raise ValidationError({"end": "The end date can't be before the start date."})
