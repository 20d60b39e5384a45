"""Partial ISO dates: "1960", "1960-05" or "1960-05-17" (FollowTheMoney's convention).

Stored as text so that the precision the source gives is kept: a birth year is not
1 January of that year.
"""

import calendar
import re

from django.core.exceptions import ValidationError

# Shape only (the database enforces the same pattern); calendar validity such as
# 30 February is checked in Python by validate_partial_date.
PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_RE = re.compile(PATTERN)


def validate_partial_date(value):
    if value in ("", None):
        return
    if not isinstance(value, str) or not _RE.match(value):
        raise ValidationError(
            "%(value)r is not a partial ISO date: use YYYY, YYYY-MM or YYYY-MM-DD.",
            code="partial_date",
            params={"value": value},
        )
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        year, month, day = parts
        if day > calendar.monthrange(year, month)[1]:
            raise ValidationError("%(value)r is not a calendar date.", code="partial_date", params={"value": value})


def is_not_before(later, earlier):
    """True when the partial date `later` can't be before `earlier`.

    Compared at the precision both share: "1960" vs "1960-05" overlap, so neither is
    before the other. Empty dates are open ends and never conflict.
    """
    if not later or not earlier:
        return True
    n = min(len(later), len(earlier))
    return later[:n] >= earlier[:n]


def not_before_constraint(later, earlier, name):
    """The database twin of is_not_before, as a CHECK on two partial-date columns."""
    from django.db import models
    from django.db.models.functions import Collate, Least, Left, Length
    from django.db.models.lookups import GreaterThanOrEqual

    n = Least(Length(later), Length(earlier))
    # "C" collation: byte order, so the comparison can't depend on the server's locale.
    return models.CheckConstraint(
        condition=models.Q(**{later: ""})
        | models.Q(**{earlier: ""})
        | models.Q(GreaterThanOrEqual(Collate(Left(later, n), "C"), Collate(Left(earlier, n), "C"))),
        name=name,
        violation_error_message=f"{later.replace('_', ' ')} can't be before {earlier.replace('_', ' ')}.",
    )
