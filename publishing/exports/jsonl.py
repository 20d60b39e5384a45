"""``entities.jsonl``: each current published entity's document, one per line, as
PostgreSQL stores it (``document::text``, passed through as bytes, never parsed)."""

from .shared import CURRENT_ENTITIES, ROWS_PER_FETCH, Export, batches, snapshot


def entities_jsonl(rows_per_fetch=ROWS_PER_FETCH):
    # jsonb's text form has no raw newline (JSON escapes control characters), so a
    # document is exactly one line.
    with snapshot():
        sql = f"SELECT h.document::text {CURRENT_ENTITIES} ORDER BY h.record_id"
        for rows in batches(sql, rows_per_fetch, raw_text=True):
            yield b"\n".join(row[0] for row in rows) + b"\n"


EXPORT = Export(
    "entities.jsonl",
    "application/x-ndjson",
    entities_jsonl,
    "Every published entity document, one per line.",
)
