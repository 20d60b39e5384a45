"""Provenance integrity: every source's SHA-256 and every citation's quote, recomputed.

The checks run in PostgreSQL (sha256(), substr() over code points) in id-ordered
batches, so a million citations stream through without loading the texts into Python,
and a progress callback can report after each batch.
"""
from dataclasses import dataclass

from django.db import connection

BATCH = 20_000

SOURCE_CHECK = """
    SELECT id, public_id, text_sha256, encode(sha256(convert_to(text, 'UTF8')), 'hex')
    FROM sources_source
    WHERE id > %s AND id <= %s
      AND text_sha256 IS DISTINCT FROM encode(sha256(convert_to(text, 'UTF8')), 'hex')
"""

CITATION_CHECK = """
    SELECT c.id, s.public_id, c.start, c."end", c.quote,
           substr(s.text, c.start + 1, c."end" - c.start)
    FROM sources_citation c JOIN sources_source s ON s.id = c.source_id
    WHERE c.id > %s AND c.id <= %s
      AND (c."end" > char_length(s.text)
           OR substr(s.text, c.start + 1, c."end" - c.start) IS DISTINCT FROM c.quote
           OR c.start < char_length(c.prefix)
           OR substr(s.text, c.start - char_length(c.prefix) + 1, char_length(c.prefix)) IS DISTINCT FROM c.prefix
           OR substr(s.text, c."end" + 1, char_length(c.suffix)) IS DISTINCT FROM c.suffix)
"""


@dataclass
class Problem:
    kind: str
    record_id: int
    source_public_id: str
    detail: str

    def __str__(self):
        return f"{self.kind} {self.record_id} (source {self.source_public_id}): {self.detail}"


def _id_range(table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM {table}")
        return cur.fetchone()


def _batches(table, on_progress):
    low, high, total = _id_range(table)
    at = low - 1
    while at < high:
        upper = at + BATCH
        yield at, upper
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table} WHERE id > %s AND id <= %s", [at, upper])
            on_progress(table, cur.fetchone()[0], total)
        at = upper


def verify(on_progress=lambda table, done, total: None):
    """Yield every Problem found; nothing is changed."""
    for low, high in _batches("sources_source", on_progress):
        with connection.cursor() as cur:
            cur.execute(SOURCE_CHECK, [low, high])
            for pk, public_id, stored, actual in cur.fetchall():
                yield Problem("source", pk, public_id, f"stored sha256 {stored} but the text hashes to {actual}")
    for low, high in _batches("sources_citation", on_progress):
        with connection.cursor() as cur:
            cur.execute(CITATION_CHECK, [low, high])
            for pk, public_id, start, end, quote, actual in cur.fetchall():
                if actual == quote:
                    detail = f"prefix or suffix at {start}–{end} no longer match the text"
                else:
                    detail = f"quote {quote!r} but the text at {start}–{end} is {actual!r}"
                yield Problem("citation", pk, public_id, detail)
