"""Back up the configured database with pg_dump in custom format (for pg_restore, see
restore_database), to var/backups/<UTC time>.dump or --output."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from core import pgtools
from core.management.progress import ProgressCommand


class Command(ProgressCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default var/backups/<UTC time>.dump)")
        super().add_arguments(parser)

    def handle(self, *args, output=None, no_progress=False, **options):
        db = settings.DATABASES["default"]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(output) if output else settings.BASE_DIR / "var" / "backups" / f"{stamp}.dump"
        if path.exists():
            raise CommandError(f"{path} exists already: choose another --output.")
        path.parent.mkdir(parents=True, exist_ok=True)
        with pgtools.connect(db) as conn:
            server = conn.info.server_version // 10000
            tables = pgtools.user_tables(conn)
        client = pgtools.client_major("pg_dump")
        if server > client:
            raise CommandError(
                f"pg_dump {client} ({pgtools.bin_dir()}) can't dump a PostgreSQL {server} server: "
                f"set PG_BIN to the bin directory of PostgreSQL {server} client programs."
            )
        # Written under another name first: a backup that exists under its own name is whole.
        partial = path.with_name(path.name + ".partial")
        try:
            pgtools.run_with_progress(
                [pgtools.program("pg_dump"), "--format=custom", "--verbose", f"--file={partial}"],
                pgtools.libpq_env(db),
                tables,
                re.compile(r"dumping contents of table"),
                "dumping",
                show=not no_progress,
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(path)
        message = f"Backed up database {db['NAME']} ({tables} tables) to {path} ({path.stat().st_size} bytes)."
        self.stdout.write(self.style.SUCCESS(message))
