"""Probes for orchestrators and load balancers.

/healthz  the process is up and serving (no database access): restart it when this fails
/readyz   the database answers and every migration on disk is applied: send traffic
          only when this answers 200

Answered by a middleware placed before SecurityMiddleware, so a probe needs neither an
allowed Host header nor HTTPS (the container's own healthcheck calls http://127.0.0.1),
and touches no session, user or template.
"""

import logging
from functools import cache

from django.db import DatabaseError, ProgrammingError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse

log = logging.getLogger(__name__)


@cache
def migrations_on_disk():
    """{(app, name)} of every migration the code has (read once: code doesn't change
    while the process runs)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _unavailable(reason, **details):
    return JsonResponse({"status": "unavailable", "reason": reason, **details}, status=503)


def live():
    return JsonResponse({"status": "ok"})


def ready():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except ProgrammingError:
        return _unavailable("the database has no migrations table: run `manage.py migrate`")
    except DatabaseError as exc:
        log.warning("readyz: database unreachable: %s", exc)
        return _unavailable(f"database unreachable ({type(exc).__name__})")
    missing = migrations_on_disk() - applied
    if missing:
        return _unavailable(
            f"{len(missing)} migration(s) not applied: run `manage.py migrate`",
            migrations=sorted(f"{app}.{name}" for app, name in missing),
        )
    return JsonResponse({"status": "ok"})


PROBES = {"/healthz": live, "/readyz": ready}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
        return probe()
