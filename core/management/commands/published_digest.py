"""Print the row count and a SHA-256 of the published model (latest documents; the whole
version log): equal output means a restored database publishes exactly what the original
did. ``--through-seq N``: the version log up to seq N only (what was published by then
must stay exactly as it was, whatever was published since)."""

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


def digests(progress=False, through_seq=None):
    """{label: (rows, sha256 hex)} over the published model, row by row in a fixed order;
    with ``through_seq``, only the versions up to that seq."""
    out = {}
    for label, (table, columns, order) in DIGESTS.items():
        where, params = "", []
        if through_seq is not None:
            if order != "seq":
                continue  # the latest documents change with every publication
            where, params = "WHERE seq <= %s", [through_seq]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} {where}", params)
            total = cursor.fetchone()[0]
        digest = hashlib.sha256()
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} {where} ORDER BY {order}", params)
            for row in tqdm(cursor, total=total, desc=label, unit=" rows", file=sys.stderr, disable=not progress):
                digest.update("\x1f".join(str(value) for value in row).encode())
                digest.update(b"\x1e")
        out[label] = (total, digest.hexdigest())
    return out


class Command(ProgressCommand):
    help = __doc__

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--through-seq", type=int, help="only the version log up to this seq")

    def handle(self, *args, no_progress=False, through_seq=None, **options):
        for label, (rows, digest) in digests(progress=not no_progress, through_seq=through_seq).items():
            self.stdout.write(f"{label}: {rows} rows, sha256 {digest}")
