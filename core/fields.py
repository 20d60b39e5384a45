"""Model fields that carry their validation into PostgreSQL as CHECK constraints.

Each field builds its CHECK from its own definition (pattern or choices), so the
rule lives in one place and a change of choices migrates the constraint with it.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from . import codes
from .partial_dates import PATTERN, validate_partial_date


def _sql_list(values):
    return ", ".join("'{}'".format(v.replace("'", "''")) for v in values)


class EnumField(models.CharField):
    """A CharField whose choices are enforced by the database ('' allowed if blank)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def db_check(self, connection):
        column = connection.ops.quote_name(self.column)
        allowed = [str(k) for k, _ in self.flatchoices]
        check = f"{column} IN ({_sql_list(allowed)})"
        return f"{column} = '' OR {check}" if self.blank else check


class CountryField(EnumField):
    """ISO 3166-1 alpha-2 country code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("choices", sorted(codes.COUNTRIES.items()))
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # People look a country up by its name: forms list them by name. The model's
        # choices (and so its migrations and the database's CHECK) stay in code order.
        field = super().formfield(**kwargs)
        if getattr(field, "choices", None):
            field.choices = sorted(field.choices, key=lambda c: (c[0] != "", str(c[1]).casefold()))
        return field


class LanguageField(EnumField):
    """ISO 639-1 language code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("choices", sorted(codes.LANGUAGES.items()))
        super().__init__(*args, **kwargs)


class EnumArrayField(ArrayField):
    """An array whose every element must be one of base_field's choices.

    Django's ArrayField validates elements in forms only; the CHECK makes bulk writes
    and raw SQL obey too.
    """

    def db_check(self, connection):
        column = connection.ops.quote_name(self.column)
        allowed = [str(k) for k, _ in self.base_field.flatchoices]
        return f"{column} <@ ARRAY[{_sql_list(allowed)}]::varchar[]"


def country_list(**kwargs):
    kwargs.setdefault("blank", True)
    kwargs.setdefault("default", list)
    return EnumArrayField(CountryField(), **kwargs)


class PartialDateField(models.CharField):
    """YYYY, YYYY-MM or YYYY-MM-DD; '' when unknown."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("help_text", "YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.")
        super().__init__(*args, **kwargs)
        if validate_partial_date not in self.validators:
            self.validators.append(validate_partial_date)

    def db_check(self, connection):
        column = connection.ops.quote_name(self.column)
        return f"{column} = '' OR {column} ~ '{PATTERN}'"


class URLField(models.URLField):
    """A URL field whose form assumes https:// for a bare domain (Django 6's default)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
