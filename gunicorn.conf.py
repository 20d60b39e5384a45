"""gunicorn's settings, for every way the app is served: the container (Dockerfile),
CI's contract test (.ci/api-contract) and the benches (bench/httpstack.py).

    gunicorn -c gunicorn.conf.py config.wsgi:application --bind 0.0.0.0:8000

Threaded workers (``gthread``): a client that reads slowly, or not at all, holds one
thread of one worker while its response drains, not the whole worker, so a few such
clients can't starve everyone else (with ``sync`` workers two sockets that never read
an export held both workers). Each thread keeps its own database connection, so at most
WEB_CONCURRENCY × GUNICORN_THREADS connections (16 by default; PostgreSQL allows 100).
Exports are served from files written once per publication (publishing/exports/files.py),
so a slow download holds no database transaction either.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core.env import env_int  # noqa: E402 (after the path is set)

worker_class = "gthread"
workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 8)
# A gthread worker's heartbeat comes from its main loop, not from the requests, so a
# long download is never mistaken for a hung worker.
timeout = 30
keepalive = 5
