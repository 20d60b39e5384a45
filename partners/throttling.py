"""Per-key rate limits, counted in PostgreSQL so every worker process shares them."""

import math
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from .models import ApiKey, KeyUsage

WINDOW = timedelta(minutes=1)


def count_in_window(model, column, value, keep_history=False, counter="count", amount=1):
    """Add ``amount`` to ``model``'s ``counter`` for ``value`` in the current minute (one
    upsert, shared by every worker); returns (the new total, seconds until the window
    ends). Finished windows of ``value`` are dropped unless ``keep_history`` (a log
    people read)."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ({column}, "window", {counter}) VALUES (%s, %s, %s) '
            f'ON CONFLICT ({column}, "window") DO UPDATE SET {counter} = {table}.{counter} + %s RETURNING {counter}',
            [value, window, amount, amount],
        )
        (total,) = cursor.fetchone()
        if total == amount and not keep_history:  # a new window: drop the finished ones of this value
            cursor.execute(f'DELETE FROM {table} WHERE {column} = %s AND "window" < %s', [value, window])
    return total, (window + WINDOW - now).total_seconds()


class ApiKeyRateThrottle(BaseThrottle):
    """``rate_limit`` requests per key per minute (fixed windows); staff sessions are
    not throttled."""

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        count, self._wait = count_in_window(KeyUsage, "key_id", key.pk)
        return count <= key.rate_limit

    def wait(self):
        return max(1, math.ceil(self._wait))


class RequestCostThrottle(BaseThrottle):
    """Per key and minute, at most MATCH_WORDS_PER_MINUTE of the work a view measures
    with ``request_cost(request)`` (match/: the words of the names it screens, each
    looked up and compared with its candidates). A request-count limit alone let one
    key keep the workers busy with a few costly requests."""

    def allow_request(self, request, view):
        key, cost_of = request.auth, getattr(view, "request_cost", None)
        if not isinstance(key, ApiKey) or cost_of is None:
            return True
        cost = cost_of(request)
        if not cost:
            return True
        limit = settings.MATCH_WORDS_PER_MINUTE
        used, wait = count_in_window(KeyUsage, "key_id", key.pk, counter="match_words", amount=cost)
        if used > limit:
            wait = max(1, math.ceil(wait))
            raise Throttled(
                wait,
                detail=f"This key has screened {used - cost:,} words of names this minute; with these {cost:,} it "
                f"would pass its budget of {limit:,} a minute (MATCH_WORDS_PER_MINUTE). Try again in {wait} seconds.",
            )
        return True
