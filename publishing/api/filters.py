"""Filters of the partner API over published heads: each one adds "facet:value"
strings that the record's ``tags`` must contain (publishing.tags), so any combination
is one GIN-indexed containment test."""

import django_filters as df
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Left, Length
from rest_framework.exceptions import ValidationError

from core.api.views import parse_instant
from core.codes import COUNTRIES
from core.names import search_word_keys
from core.partial_dates import validate_partial_date
from entities.models import Entity
from publishing.documents import AUTHORITY, PROGRAMME
from publishing.models import PublishedRecord, PublishedVersion
from publishing.tags import tag
from sanctions.models import SanctionAction, SanctionTarget

TRUE_FALSE = [("true", "true"), ("false", "false")]


def _published_names(record_type, other, value):
    """The published names of the authorities or programmes whose name or ``other``
    (abbreviation, code) is ``value``: what partners' documents show, not an edit
    waiting for review."""
    return set(
        PublishedRecord.objects.filter(
            Q(document__name__iexact=value) | Q(**{f"document__{other}__iexact": value}),
            record_type=record_type,
            operation=PublishedVersion.Operation.UPSERT,
        ).values_list(KeyTextTransform("name", "document"), flat=True)
    )


class TagFilterSet(df.FilterSet):
    """Collects the tags asked for by the filters and applies them in one condition."""

    def filter_queryset(self, queryset):
        self.wanted = []
        queryset = super().filter_queryset(queryset)
        return queryset.filter(tags__contains=sorted(set(self.wanted))) if self.wanted else queryset

    def _any_named(self, queryset, facet, names, error):
        """Records tagged with any of ``names`` (several authorities may share an
        abbreviation); none known: a 400 on the filter."""
        if not names:
            raise ValidationError({facet: [error]})
        return queryset.filter(Q(*[Q(tags__contains=[tag(facet, n)]) for n in sorted(names)], _connector=Q.OR))

    def filter_authority(self, queryset, name, value):
        names = _published_names(AUTHORITY, "short_name", value)
        return self._any_named(queryset, "authority", names, f"No authority is named or abbreviated {value!r}.")

    def filter_programme(self, queryset, name, value):
        names = _published_names(PROGRAMME, "code", value)
        return self._any_named(queryset, "programme", names, f"No programme has the name or code {value!r}.")

    def filter_tag(self, queryset, name, value):
        self.wanted.append(tag(name, value))
        return queryset


class EntityFilter(TagFilterSet):
    q = df.CharFilter(
        method="filter_q",
        max_length=500,
        help_text="Words of any of the entity's names, in any order; case, accents and script don't matter "
        "('salami', 'Hossein SALAMI', 'Салами').",
    )
    kind = df.ChoiceFilter(choices=Entity.Kind.choices, method="filter_tag", help_text="person or organisation.")
    country = df.ChoiceFilter(
        choices=sorted(COUNTRIES.items()),
        method="filter_tag",
        help_text="ISO 3166-1 alpha-2 code of a nationality (persons) or country (organisations).",
    )
    sanctioned = df.ChoiceFilter(
        choices=TRUE_FALSE,
        method="filter_sanctioned",
        help_text="true: targeted by a designation or export control that is announced or in force.",
    )
    authority = df.CharFilter(
        method="filter_authority", help_text="An authority of one of its sanctions, by name or abbreviation (OFAC)."
    )
    programme = df.CharFilter(
        method="filter_programme", help_text="A programme of one of its sanctions, by name or code."
    )
    measure = df.ChoiceFilter(
        choices=SanctionTarget.Measure.choices, method="filter_tag", help_text="A measure of one of its sanctions."
    )
    status = df.ChoiceFilter(
        choices=SanctionAction.Status.choices, method="filter_tag", help_text="The status of one of its sanctions."
    )
    updated_after = df.IsoDateTimeFilter(
        method="filter_updated_after",
        help_text="Only records whose latest version was published after this ISO 8601 time (UTC if no offset).",
    )

    class Meta:
        model = PublishedRecord
        fields = []

    def filter_q(self, queryset, name, value):
        keys = search_word_keys(value)
        if not keys:
            raise ValidationError({"q": ["Give at least one letter or digit of a name."]})
        self.wanted.extend(tag("name", k) for k in keys)
        return queryset

    def filter_updated_after(self, queryset, name, value):
        return queryset.filter(published_at__gt=parse_instant(self.data[name], name))

    def filter_sanctioned(self, queryset, name, value):
        if value == "true":
            self.wanted.append("sanctioned")  # a bare tag (publishing.tags)
            return queryset
        return queryset.exclude(tags__contains=["sanctioned"])


class SanctionFilter(TagFilterSet):
    authority = df.CharFilter(method="filter_authority", help_text="By name or abbreviation (OFAC).")
    programme = df.CharFilter(method="filter_programme", help_text="By name or code.")
    kind = df.ChoiceFilter(choices=SanctionAction.Kind.choices, method="filter_tag")
    status = df.ChoiceFilter(choices=SanctionAction.Status.choices, method="filter_tag")
    target = df.CharFilter(method="filter_target", max_length=32, help_text="An entity id: actions that target it.")
    announced_after = df.CharFilter(
        method="filter_announced",
        help_text="Announced on or after this date: YYYY, YYYY-MM or YYYY-MM-DD (partial dates compare by prefix).",
    )
    announced_before = df.CharFilter(method="filter_announced", help_text="Announced on or before this date.")

    class Meta:
        model = PublishedRecord
        fields = []

    def filter_target(self, queryset, name, value):
        return queryset.filter(target_ids__contains=[value])

    def filter_announced(self, queryset, name, value):
        try:
            validate_partial_date(value)  # the same rule as the dates curators enter
        except DjangoValidationError as error:
            raise ValidationError({name: error.messages}) from None
        # Partial dates on either side: an action counts if its date could fall in the
        # range ("2024-03" is on or after "2024-03-15"), so compare on the shorter length.
        queryset = queryset.alias(announced=KeyTextTransform("announced_date", "document")).exclude(announced="")
        if name == "announced_after":
            return queryset.filter(announced__gte=Left(Value(value), Length("announced")))
        return queryset.alias(announced_prefix=Left("announced", len(value))).filter(announced_prefix__lte=value)
