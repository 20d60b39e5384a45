"""Per-key rate limits, counted in PostgreSQL so every worker process shares them."""

import math
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .models import ApiKey, KeyUsage

WINDOW = timedelta(minutes=1)


def count_in_window(model, column, value, keep_history=False):
    """Add one to ``model``'s counter for ``value`` in the current minute (one upsert,
    shared by every worker); returns (count, seconds until the window ends). Finished
    windows of ``value`` are dropped unless ``keep_history`` (a log people read)."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ({column}, "window", count) VALUES (%s, %s, 1) '
            f'ON CONFLICT ({column}, "window") DO UPDATE SET count = {table}.count + 1 RETURNING count',
            [value, window],
        )
        (count,) = cursor.fetchone()
        if count == 1 and not keep_history:  # a new window: drop the finished ones of this value
            cursor.execute(f'DELETE FROM {table} WHERE {column} = %s AND "window" < %s', [value, window])
    return count, (window + WINDOW - now).total_seconds()


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
