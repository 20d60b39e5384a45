"""Points in time typed by people (the admin) and partners (the API): ISO 8601, read as
aware UTC datetimes. A well-formed but impossible time (30 February, 24:00) and one
that its offset pushes past the years 1 to 9999 are refused here, with a message, not
by the database or Python's datetime halfway through a view."""

from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime

INVALID = "Give a date and time such as 2026-11-21T14:30:00Z (UTC unless an offset is given)."
OUT_OF_RANGE = "Out of range: with its offset, that time falls outside the years 1 to 9999."


def parse_instant(value):
    """``value`` as an aware UTC datetime; ValueError with a message to show otherwise.
    Naive times are UTC; converted here so that odd offsets never reach the database."""
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None  # the right shape, but no such day or time
    if when is None:
        raise ValueError(INVALID)
    if timezone.is_naive(when):
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
