"""Per-key rate limits, counted in PostgreSQL so every worker process shares them."""

import math
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .models import ApiKey, KeyUsage

WINDOW = timedelta(minutes=1)


class ApiKeyRateThrottle(BaseThrottle):
    """``rate_limit`` requests per key per minute (fixed windows); staff sessions are
    not throttled."""

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        now = timezone.now()
        window = now.replace(second=0, microsecond=0)
        table = KeyUsage._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO {table} (key_id, "window", count) VALUES (%s, %s, 1) '
                f'ON CONFLICT (key_id, "window") DO UPDATE SET count = {table}.count + 1 RETURNING count',
                [key.pk, window],
            )
            (count,) = cursor.fetchone()
            if count == 1:  # a new window: drop this key's finished ones
                cursor.execute(f'DELETE FROM {table} WHERE key_id = %s AND "window" < %s', [key.pk, window])
        self._wait = (window + WINDOW - now).total_seconds()
        return count <= key.rate_limit

    def wait(self):
        return max(1, math.ceil(self._wait))
