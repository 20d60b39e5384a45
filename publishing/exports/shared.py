"""What the export formats share: the registry of exports (``EXPORTS``, ``get_export``),
the one snapshot an export reads in, and the batches of rows it streams.

Each export is a generator of ``bytes`` chunks (one per batch of rows fetched), for a
``StreamingHttpResponse``. Rows come through a server-side cursor, so memory does
not grow with the number of entities. A server-side cursor lives in a transaction,
and a streaming response is iterated after the view returned (outside any request
transaction), so each export opens its own read-only REPEATABLE READ transaction
when the first chunk is asked for, and ends it after the last one or when the
consumer stops (closing the generator). All the queries of one export therefore see
one snapshot; the number of queries doesn't depend on the number of entities.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from psycopg.adapt import Loader

from ..models import PublishedRecord, PublishedVersion, RecordType

ROWS_PER_FETCH = 1000

HEADS = PublishedRecord._meta.db_table
VERSIONS = PublishedVersion._meta.db_table
ENTITY, SANCTION = RecordType.ENTITY.value, RecordType.SANCTION.value
UPSERT = PublishedVersion.Operation.UPSERT.value
CURRENT_ENTITIES = f"FROM {HEADS} h WHERE h.record_type = '{ENTITY}' AND h.operation = '{UPSERT}'"


@dataclass(frozen=True)
class Export:
    """One export format, served under ``filename``."""

    filename: str
    media_type: str
    # stream() → a generator of bytes chunks, one per batch of rows_per_fetch rows
    stream: Callable[..., Iterator[bytes]]
    description: str

    @property
    def content_disposition(self):
        return f'attachment; filename="{self.filename}"'


class UnknownExport(LookupError):
    """No export is served under the name asked for."""


def get_export(filename):
    """The export served under ``filename``; UnknownExport names the ones there are."""
    try:
        return EXPORTS[filename]
    except KeyError:
        raise UnknownExport(f"No export named {filename!r}; there are: {', '.join(EXPORTS)}.") from None


# filename → Export, in the order partners see them listed (``register`` fills it).
EXPORTS = {}


def register(*exports):
    """Serve ``exports`` under their filenames, listed in this order."""
    for export in exports:
        EXPORTS[export.filename] = export


# ------------------------------------------------------------------- reading rows


@contextmanager
def snapshot():
    """One consistent, read-only view of the published model for a whole export."""
    if connection.in_atomic_block:
        # A caller's transaction (a test, a command): read in it. Only the first
        # statement of a transaction may set its isolation level.
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class _Utf8Bytes(Loader):
    """A text column as the bytes the server sent (Django sets client_encoding UTF8)."""

    def load(self, data):
        return bytes(data)


def batches(sql, rows_per_fetch, raw_text=False):
    """Lists of rows of ``sql``, fetched ``rows_per_fetch`` at a time from a server-side
    cursor (call inside ``snapshot``)."""
    with connection.chunked_cursor() as cursor:
        if raw_text:
            cursor.cursor.adapters.register_loader("text", _Utf8Bytes)
        cursor.execute(sql)
        while rows := cursor.fetchmany(rows_per_fetch):
            yield rows
