"""Restore a backup_database archive with pg_restore into an empty database (created if
missing): --database-url, else the configured one. All or nothing: one transaction."""

import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from psycopg import sql

from core import pgtools
from core.env import database_from_url
from core.management.progress import ProgressCommand


class Command(ProgressCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .dump file written by backup_database (pg_dump --format=custom)")
        parser.add_argument("--database-url", help="postgres://user:password@host:port/dbname to restore into")
        parser.add_argument(
            "--force", action="store_true", help="restore into a database that has tables (the archive's are replaced)"
        )
        super().add_arguments(parser)

    def handle(self, *args, file, database_url=None, force=False, no_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        listing = subprocess.run([pgtools.program("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise CommandError(f"{path} is not a pg_dump custom-format archive: {listing.stderr.strip()}")
        tables = sum(" TABLE DATA " in line for line in listing.stdout.splitlines())

        target = database_from_url("--database-url", database_url) if database_url else settings.DATABASES["default"]
        name = target["NAME"]
        created = self.ensure_database(target)
        with pgtools.connect(target) as conn:
            existing = pgtools.user_tables(conn)
        if existing and not force:
            raise CommandError(
                f"Database {name} already has {existing} tables. Restore into an empty database "
                "(--database-url, or TARGET=... with make), or pass --force to replace what the archive holds."
            )
        args = [
            pgtools.program("pg_restore"),
            "--verbose",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={name}",
        ]
        if existing:
            args += ["--clean", "--if-exists"]
        # Data is loaded before the archive's triggers are created (they are post-data),
        # so the published model's guards don't refuse it, and no history events are written.
        pgtools.run_with_progress(
            [*args, str(path)],
            pgtools.libpq_env(target),
            tables,
            re.compile(r"processing data for table"),
            "restoring",
            show=not no_progress,
        )
        where = f"new database {name}" if created else f"database {name}"
        self.stdout.write(self.style.SUCCESS(f"Restored {path} ({tables} tables) into {where}."))

    @staticmethod
    def ensure_database(target):
        """Create the target database if it doesn't exist; True when created."""
        with pgtools.connect(target, dbname="postgres") as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]]).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
            return True
