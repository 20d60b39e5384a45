"""Measure the bulk exports against PostgreSQL's own COPY (not a test).

    .venv/bin/python bench/exports.py [-n 100000] [--rows-per-fetch 1000] [--keep]

Creates a scratch database (``bench_exports`` on the configured server: DATABASE_URL,
else the embedded one under var/; dropped at the end unless --keep), publishes the seed corpus
through the review workflow, then copies its published entity documents into N
entities (new ids, same content: relationships and sanctions point at the seed's
records). Reports for ``COPY (SELECT document::text ...) TO STDOUT`` read with
psycopg, and for each export: seconds, entities/s, MB/s, time to the first chunk,
and the ratio to COPY's rate in entities/s; then, in a second pass under tracemalloc (which slows Python
down, hence apart), each export's peak Python memory.
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def copy_documents(n):
    """The seed's published entity documents, copied into n entities in one statement
    per table (the database takes published rows only from a transaction that says it
    is approving: the bench says so, in its scratch database)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('publishing.writer', 'approve', true)")
        cursor.execute(
            """
            WITH seed AS (
                SELECT v.*, h.tags, row_number() OVER (ORDER BY v.record_id) - 1 AS k, count(*) OVER () AS total
                  FROM publishing_publishedrecord h JOIN publishing_publishedversion v ON v.seq = h.latest_id
                 WHERE h.record_type = 'entity' AND h.operation = 'upsert'),
            copies AS (
                SELECT 'ent_bench' || lpad(i::text, 9, '0') AS new_id, s.*
                  FROM generate_series(1, %s) i JOIN seed s ON s.k = i %% s.total),
            versions AS (
                INSERT INTO publishing_publishedversion
                       (record_type, record_id, version, operation, document, content_hash, change_set_id,
                        approved_by_id, published_at)
                SELECT 'entity', new_id, 1, 'upsert', jsonb_set(document, '{id}', to_jsonb(new_id)), content_hash,
                       change_set_id, approved_by_id, published_at
                  FROM copies
             RETURNING *)
            INSERT INTO publishing_publishedrecord
                   (record_type, record_id, latest_id, version, operation, document, content_hash, published_at,
                    target_ids, tags)
            SELECT v.record_type, v.record_id, v.seq, v.version, v.operation, v.document, v.content_hash,
                   v.published_at, '{}', c.tags
              FROM versions v JOIN copies c ON c.new_id = v.record_id
            """,
            [n],
        )
        cursor.execute("ANALYZE publishing_publishedrecord")
        cursor.execute("SELECT set_config('publishing.writer', '', true)")


def measure(label, chunks, entities, base_rate=None):
    from tqdm import tqdm

    size, first, start = 0, None, time.perf_counter()
    with tqdm(desc=label, unit="B", unit_scale=True, leave=False) as bar:
        for chunk in chunks:
            first = first or time.perf_counter() - start
            size += len(chunk)
            bar.update(len(chunk))
    seconds = time.perf_counter() - start
    rate = entities / seconds
    ratio = f"  {rate / base_rate:4.2f}x COPY" if base_rate else ""
    print(
        f"{label:<20} {seconds:7.2f} s  {rate:9,.0f} entities/s  {size / seconds / 1e6:7.1f} MB/s"
        f"  first bytes after {first:5.2f} s{ratio}"
    )
    return rate


def copy_chunks():
    from django.db import connection

    with connection.cursor() as cursor:
        sql = (
            "COPY (SELECT document::text FROM publishing_publishedrecord WHERE record_type = 'entity' "
            "AND operation = 'upsert' ORDER BY record_id) TO STDOUT"
        )
        with cursor.cursor.copy(sql) as copy:
            yield from copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="number of entities (default 100000)")
    parser.add_argument("--rows-per-fetch", type=int, default=None, help="rows per server-side FETCH")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database, and reuse a kept one")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from publishing import exports

    rows_per_fetch = args.rows_per_fetch or exports.ROWS_PER_FETCH
    connection.settings_dict["TEST"]["NAME"] = "bench_exports"
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep)
    try:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM publishing_publishedrecord")
            made = cursor.fetchone()[0]
        if not made:
            call_command("load_seed_corpus", verbosity=0, stdout=io.StringIO())
            copy_documents(args.n)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {exports.CURRENT_ENTITIES}")
            entities = cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('publishing_publishedrecord'))")
            table = cursor.fetchone()[0]
        print(f"{entities:,} published entities ({table} of heads) ready in {time.perf_counter() - start:.0f} s")
        print(f"rows per fetch: {rows_per_fetch}")

        copy_rate = measure("COPY TO STDOUT", copy_chunks(), entities)
        for name, export in exports.EXPORTS.items():
            measure(name, export.stream(rows_per_fetch=rows_per_fetch), entities, copy_rate)

        for name, export in exports.EXPORTS.items():
            tracemalloc.start()
            for _ in export.stream(rows_per_fetch=rows_per_fetch):
                pass
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{name:<20} peak Python memory {peak / 1e6:6.1f} MB")
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=args.keep)


if __name__ == "__main__":
    main()
