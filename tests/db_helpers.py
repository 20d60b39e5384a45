"""Reaching the test database from other processes: its URL, and manage.py against it."""
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from core import pgtools

ROOT = Path(__file__).resolve().parents[1]


def database_url(info=None):
    """A postgres:// URL for libpq parameters (default: the test database's); a socket
    directory goes in ?host=."""
    info = info or pgtools.conninfo(connection.settings_dict)
    auth = quote(info.get("user", ""), safe="") + ":" + quote(info.get("password", ""), safe="")
    host = info.get("host", "")
    if host.startswith("/"):
        return f"postgresql://{auth}@/{info['dbname']}?host={quote(host, safe='/')}"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{auth}@{host}{port}/{info['dbname']}"


def process_env(url=None):
    """The environment of a production-like process (DEBUG off) using database ``url``."""
    return {**os.environ, "DATABASE_URL": url or database_url(), "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0", "SECRET_KEY": "other-process-" + "k" * 50}


def manage(url, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=process_env(url), capture_output=True,
                          text=True, timeout=300)
