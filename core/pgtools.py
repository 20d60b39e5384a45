"""pg_dump / pg_restore for the backup_database and restore_database commands.

The client programs come from PG_BIN when set, else from the pgserver package (always
installed: PostgreSQL 16 binaries), so a backup needs nothing from the system. pg_dump
can dump servers of its own major version or older only; a newer server is refused
with a message saying so (set PG_BIN to newer client programs).

Connection details reach the programs through PG* environment variables, never the
command line, so a password doesn't show in the process list.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from core import embedded_db


def bin_dir():
    return Path(settings.PG_BIN) if settings.PG_BIN else embedded_db.bin_dir()


def program(name):
    path = bin_dir() / name
    if not path.exists():
        raise CommandError(f"{path} does not exist: set PG_BIN to a directory holding {name}.")
    return str(path)


def client_major(name):
    output = subprocess.run([program(name), "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+)(?:\.\d+)?", output.split(")")[-1]).group(1))


# libpq connection parameters and the environment variables libpq programs read them from.
LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def conninfo(db, dbname=None):
    """libpq parameters of a Django DATABASES entry (a socket directory may sit in OPTIONS)."""
    params = {
        "dbname": dbname or db["NAME"],
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    params.update((k, v) for k, v in db.get("OPTIONS", {}).items() if k in LIBPQ_ENV)
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def libpq_env(db):
    return {**os.environ, **{LIBPQ_ENV[k]: v for k, v in conninfo(db).items()}}


def connect(db, dbname=None):
    """A psycopg connection (autocommit) to ``dbname`` (default: the entry's own)."""
    return psycopg.connect(**conninfo(db, dbname), autocommit=True)


def user_tables(conn):
    """Tables (with data) outside PostgreSQL's own schemas."""
    return conn.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_toast%%'
        """
    ).fetchone()[0]


def run_with_progress(args, env, total, step, desc, show):
    """Run a verbose pg_dump/pg_restore, advancing a bar on each stderr line matching
    ``step``; CommandError with the program's own messages when it fails."""
    name = Path(args[0]).name
    chatter = re.compile(rf"{name}: (?!error|warning|detail|hint)", re.IGNORECASE)
    bar = tqdm(total=total, desc=desc, unit=" tables", file=sys.stderr, disable=not show)
    messages = []
    with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True, errors="replace") as process:
        for line in process.stderr:
            if step.search(line):
                bar.update(1)
            elif not chatter.match(line):  # errors, warnings and their continuation lines
                messages.append(line.rstrip())
    bar.close()
    if process.returncode != 0:
        detail = "\n".join(messages[-20:]) or "(no message)"
        raise CommandError(f"{name} failed (exit {process.returncode}):\n{detail}")
    return messages
