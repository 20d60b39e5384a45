"""Print the row count and a SHA-256 of the published model (latest documents; the whole
version log): equal output means a restored database publishes exactly what the original
did."""

import hashlib
import sys

from django.db import connection
from tqdm import tqdm

from core.management.progress import ProgressCommand

# What partners can get: the latest document of every record, and the change feed.
DIGESTS = {
    "published records": (
        "publishing_publishedrecord",
        "record_type, record_id, version, operation, content_hash, document::text",
        "record_type, record_id",
    ),
    "published versions": (
        "publishing_publishedversion",
        "seq, record_type, record_id, version, operation, content_hash, document::text, change_set_id, "
        "approved_by_id, published_at",
        "seq",
    ),
}


def digests(progress=False):
    """{label: (rows, sha256 hex)} over the published model, row by row in a fixed order."""
    out = {}
    for label, (table, columns, order) in DIGESTS.items():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            total = cursor.fetchone()[0]
        digest = hashlib.sha256()
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")
            for row in tqdm(cursor, total=total, desc=label, unit=" rows", file=sys.stderr, disable=not progress):
                digest.update("\x1f".join(str(value) for value in row).encode())
                digest.update(b"\x1e")
        out[label] = (total, digest.hexdigest())
    return out


class Command(ProgressCommand):
    help = __doc__

    def handle(self, *args, no_progress=False, **options):
        for label, (rows, digest) in digests(progress=not no_progress).items():
            self.stdout.write(f"{label}: {rows} rows, sha256 {digest}")
