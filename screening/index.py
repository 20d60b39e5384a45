"""The PostgreSQL match index: build it (in full or one entity at a time) and query it.

Candidate retrieval runs in one SQL statement. Each query key is weighed by how common
it is (ln(1 + cap / postings), an IDF; the postings are counted up to ``POSTING_CAP``
only). The keys that are not very common walk their posting lists in the (key, entity)
btree and seed the candidates; the best ``PROBE`` seeds are then checked for the very
common keys ("mohammad", "bank") one btree probe each, instead of reading those long
lists (only when a query has nothing but very common keys are their lists read, capped).
The best ``CANDIDATES`` come back with their documents, and with the cited spellings
(``screening.spellings``) of the query's words in other scripts, whose keys took part in
the retrieval. Python then scores those candidates in full (``screening.scoring``) and
ranks them. The number of queries per match is one, whatever the size of the index.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable
from dataclasses import replace

from django.db import connection, transaction

from core import names as n

from . import spellings
from .records import EntityRecord, InvalidQuery, NameRecord, Query
from .scoring import THRESHOLD, PreparedQuery, Result, prepare, score

ANALYSIS_VERSION = 3  # bump when core.names changes what it produces; then rebuild
POSTING_CAP = 2000  # entries read per key; keys with more are "very common"
PROBE = 300  # best entities by their rarer keys, then checked for the very common keys
CANDIDATES = 25  # entities scored in Python per query
NAME_KEY_WEIGHT = 4.0  # every token of a whole name agrees in its consonants (order-insensitive)
SPELLING_KEY_WEIGHT = 6.0  # ... and in its folded spelling
IDENTIFIER_KEY_WEIGHT = 8.0

ENTITY_TABLE = "screening_indexedentity"
KEY_TABLE = "screening_namekey"
SPELLING_TABLE = "screening_citedspelling"


# ---------------------------------------------------------------------------- documents


def analyse_record(record: EntityRecord) -> list[tuple[NameRecord, n.AnalysedName]]:
    return [(name, n.analyse(name.value, record.kind)) for name in record.names]


def record_keys(record: EntityRecord, analysed=None) -> set[str]:
    """Every key an entity is found by."""
    keys: set[str] = set()
    for name, an in analysed if analysed is not None else analyse_record(record):
        if not an.tokens:
            continue
        keys |= n.token_keys(an)
        if record.kind == "person" and len(an.tokens) > 1 and name.type != "weak_alias":
            keys.add(n.family_name_key(an))
    keys |= {"i:" + k for k in (n.identifier_key(v) for _, v in record.identifiers) if k}
    return keys


def record_doc(record: EntityRecord, analysed) -> dict:
    return {
        "v": ANALYSIS_VERSION,
        "names": [[name.value, name.type, name.lang, " ".join(an.tokens), sorted(an.scripts)] for name, an in analysed],
        "birth_date": record.birth_date,
        "countries": list(record.countries),
        "identifiers": [list(i) for i in record.identifiers],
    }


def record_from_doc(entity_id: str, kind: str, doc: dict) -> tuple[EntityRecord, list]:
    """The record and its analysed names, as stored (re-analysed if the analysis changed)."""
    record = EntityRecord(
        entity_id,
        kind,
        [NameRecord(v, t, lang) for v, t, lang, *_ in doc["names"]],
        birth_date=doc.get("birth_date", ""),
        countries=doc.get("countries", ()),
        identifiers=[tuple(i) for i in doc.get("identifiers", ())],
    )
    if doc.get("v") != ANALYSIS_VERSION:
        return record, analyse_record(record)
    analysed = [
        (
            name,
            n.AnalysedName(original=name.value, tokens=tuple(tokens.split()), scripts=frozenset(scripts), kind=kind),
        )
        for name, (_, _, _, tokens, scripts) in zip(record.names, doc["names"], strict=True)
    ]
    return record, analysed


# ---------------------------------------------------------------------------- writing


INDEX_BATCH = 1000  # entities per statement when indexing published versions

# One statement per batch: upsert the entities (rows whose kind, caption and document
# are unchanged are left alone, so republishing an entity for its sanctions section
# writes nothing), then, for the rows that did change, delete the keys they lost and
# insert the keys they gained. The deleted and inserted keys are disjoint sets, so one
# statement can do both; unchanged keys are not rewritten.
_UPSERT = f"""
WITH input AS (
    SELECT * FROM jsonb_to_recordset(%(entities)s::jsonb) AS i(entity_id text, kind text, caption text, doc jsonb)
),
upserted AS (
    INSERT INTO {ENTITY_TABLE} AS e (entity_id, kind, caption, doc, indexed_at)
    SELECT entity_id, kind, caption, doc, now() FROM input
    ON CONFLICT (entity_id) DO UPDATE
    SET kind = EXCLUDED.kind, caption = EXCLUDED.caption, doc = EXCLUDED.doc, indexed_at = now()
    WHERE (e.kind, e.caption, e.doc) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.caption, EXCLUDED.doc)
    RETURNING e.id, e.entity_id
),
wanted AS (
    SELECT k.key, u.id AS entity_id
    FROM jsonb_to_recordset(%(keys)s::jsonb) AS k(owner text, key text)
    JOIN upserted u ON u.entity_id = k.owner
),
lost AS (
    DELETE FROM {KEY_TABLE} old USING upserted u
    WHERE old.entity_id = u.id
      AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.key = old.key AND w.entity_id = old.entity_id)
),
spelled AS (
    SELECT s.form, s.equivalent, s.keys, u.id AS entity_id
    FROM jsonb_to_recordset(%(spellings)s::jsonb) AS s(owner text, form text, equivalent text, keys text)
    JOIN upserted u ON u.entity_id = s.owner
),
spellings_lost AS (
    DELETE FROM {SPELLING_TABLE} old USING upserted u
    WHERE old.entity_id = u.id
      AND NOT EXISTS (
          SELECT 1 FROM spelled s
          WHERE s.form = old.form AND s.equivalent = old.equivalent AND s.entity_id = old.entity_id
      )
),
spellings_gained AS (
    INSERT INTO {SPELLING_TABLE} (form, equivalent, keys, entity_id)
    SELECT form, equivalent, keys, entity_id FROM spelled
    ON CONFLICT DO NOTHING
)
INSERT INTO {KEY_TABLE} (key, entity_id) SELECT key, entity_id FROM wanted
ON CONFLICT DO NOTHING
"""

_REMOVE = f"""
WITH gone AS (DELETE FROM {ENTITY_TABLE} WHERE entity_id = ANY(%s) RETURNING id),
keys AS (DELETE FROM {KEY_TABLE} WHERE entity_id IN (SELECT id FROM gone)),
spellings AS (DELETE FROM {SPELLING_TABLE} WHERE entity_id IN (SELECT id FROM gone))
SELECT count(*) FROM gone
"""


def index_entities(records: Iterable[EntityRecord], batch_size: int = INDEX_BATCH) -> int:
    """Add or replace entities (versions were published), in the caller's transaction:
    one statement per ``batch_size`` entities, whatever their number of names and keys.
    A record given twice counts once (the last one). Returns how many were given."""
    latest = {record.entity_id: record for record in records}
    batch = list(latest.values())
    # All batches or none; no savepoint (the usual caller is the approving transaction).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for at in range(0, len(batch), batch_size):
            # Two JSON parameters rather than arrays: json.dumps is C, psycopg's array
            # quoting is Python, and at a thousand entities that was most of the time.
            entities, keys, spelled = [], [], []
            for record in batch[at : at + batch_size]:
                analysed = analyse_record(record)
                entities.append(
                    {
                        "entity_id": record.entity_id,
                        "kind": record.kind,
                        "caption": record.caption[:500],
                        "doc": record_doc(record, analysed),
                    }
                )
                keys.extend({"owner": record.entity_id, "key": key} for key in sorted(record_keys(record, analysed)))
                spelled.extend(
                    {"owner": record.entity_id, "form": f, "equivalent": e, "keys": spellings.spelling_keys(e)}
                    for f, e in sorted(spellings.cited_pairs(record))
                )
            cursor.execute(_UPSERT, {"entities": _json(entities), "keys": _json(keys), "spellings": _json(spelled)})
    return len(batch)


def remove_entities(entity_ids: Iterable[str], batch_size: int = INDEX_BATCH) -> int:
    """Take entities out of the index (retracted, merged away), in the caller's
    transaction; returns how many were there."""
    ids = sorted(set(entity_ids))
    removed = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for at in range(0, len(ids), batch_size):
            cursor.execute(_REMOVE, [ids[at : at + batch_size]])
            removed += cursor.fetchone()[0]
    return removed


def index_entity(record: EntityRecord) -> None:
    """Add or replace one entity: ``index_entities`` for one."""
    index_entities([record])


def remove_entity(entity_id: str) -> bool:
    """Take one entity out of the index. True if it was there."""
    return remove_entities([entity_id]) == 1


def rebuild(
    records: Iterable[EntityRecord], progress: bool = True, total: int | None = None, batch_size: int = 5000, file=None
) -> int:
    """Replace the whole index with ``records``, in one transaction; returns the count.

    Rows are streamed with COPY; the key table's indexes and constraints are dropped
    first and rebuilt at the end (several times faster than maintaining them row by
    row). Readers keep seeing the old index until the commit; the TRUNCATE makes them
    wait for it (a rebuild is an operator's action, not a routine one).
    """
    from tqdm import tqdm

    if total is None and hasattr(records, "__len__"):
        total = len(records)
    bar = tqdm(
        total=total,
        desc="indexing entities",
        unit=" entities",
        disable=not progress,
        file=file or sys.stderr,
        mininterval=0.5,
    )
    count = 0
    seen: set[str] = set()
    # COPY FREEZE writes the rows already visible to all (index-only scans need no heap
    # visits); PostgreSQL allows it only in the transaction that truncated the table and
    # without older snapshots, i.e. when this is the outermost transaction.
    freeze = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks of earlier writes, before TRUNCATE
        cursor.execute(f"TRUNCATE {SPELLING_TABLE}, {KEY_TABLE}, {ENTITY_TABLE} RESTART IDENTITY")
        restore = _drop_key_indexes(cursor)
        raw = cursor.cursor  # the psycopg cursor, for COPY
        entities: list[tuple] = []
        keys: list[tuple] = []
        spelled: list[tuple] = []
        for record in records:
            if record.entity_id in seen:
                raise ValueError(f"entity {record.entity_id} occurs twice in the records")
            seen.add(record.entity_id)
            count += 1
            analysed = analyse_record(record)
            entities.append(
                (count, record.entity_id, record.kind, record.caption[:500], _json(record_doc(record, analysed)))
            )
            keys.extend((k, count) for k in record_keys(record, analysed))
            spelled.extend((f, e, spellings.spelling_keys(e), count) for f, e in spellings.cited_pairs(record))
            if len(entities) >= batch_size:
                _copy(raw, entities, keys, spelled, freeze)
                bar.update(len(entities))
                entities, keys, spelled = [], [], []
        _copy(raw, entities, keys, spelled, freeze)
        bar.update(len(entities))
        bar.close()
        if progress:
            print("building the key index ...", file=file or sys.stderr, flush=True)
        for statement in restore:
            cursor.execute(statement)
        if count:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{ENTITY_TABLE}', 'id'), %s)", [count])
        cursor.execute(f"ANALYZE {ENTITY_TABLE}")
        cursor.execute(f"ANALYZE {KEY_TABLE}")
    return count


def _json(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _copy(raw, entities, keys, spelled, freeze: bool) -> None:
    if not entities:
        return
    options = " WITH (FREEZE)" if freeze else ""
    with raw.copy(f"COPY {ENTITY_TABLE} (id, entity_id, kind, caption, doc) FROM STDIN{options}") as copy:
        for row in entities:
            copy.write_row(row)
    if spelled:
        with raw.copy(f"COPY {SPELLING_TABLE} (form, equivalent, keys, entity_id) FROM STDIN{options}") as copy:
            for row in spelled:
                copy.write_row(row)
    # Keys are plain ASCII without tabs or backslashes: write COPY text directly (fast).
    buffer = io.StringIO()
    buffer.writelines(f"{k}\t{pk}\n" for k, pk in keys)
    with raw.copy(f"COPY {KEY_TABLE} (key, entity_id) FROM STDIN{options}") as copy:
        copy.write(buffer.getvalue())


def _drop_key_indexes(cursor) -> list[str]:
    """Drop the key table's constraints and indexes; return the statements that restore them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint WHERE conrelid = %s::regclass",
        [KEY_TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
        [KEY_TABLE],
    )
    indexes = cursor.fetchall()
    qn = connection.ops.quote_name
    # Foreign keys last on the way back: they check against the primary key's index.
    order = {"p": 0, "u": 1, "c": 2, "f": 3}
    restore = [
        f"ALTER TABLE {KEY_TABLE} ADD CONSTRAINT {qn(name)} {definition}"
        for name, definition, _ in sorted(constraints, key=lambda c: order.get(c[2], 9))
    ]
    restore += [definition for _, definition in indexes]
    for name, _, _ in sorted(constraints, key=lambda c: -order.get(c[2], 9)):
        cursor.execute(f"ALTER TABLE {KEY_TABLE} DROP CONSTRAINT {qn(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {qn(name)}")
    return restore


# ---------------------------------------------------------------------------- reading

_RETRIEVE = f"""
WITH spelled AS MATERIALIZED (
    SELECT form, equivalent, min(keys) AS keys, count(*) AS cited
    FROM {SPELLING_TABLE} WHERE form = ANY(%(forms)s::text[])
    GROUP BY form, equivalent
),
q AS (
    SELECT * FROM unnest(%(keys)s::text[], %(fixed)s::float8[]) AS q(key, fixed)
    UNION
    SELECT DISTINCT k, NULL::float8 FROM spelled, unnest(string_to_array(spelled.keys, ' ')) AS k
    WHERE k <> ALL(%(keys)s::text[])
),
counted AS MATERIALIZED (
    SELECT q.key, q.fixed,
           (SELECT count(*) FROM (SELECT 1 FROM {KEY_TABLE} k WHERE k.key = q.key LIMIT %(cap)s) s) AS postings
    FROM q
),
w AS MATERIALIZED (
    SELECT key, coalesce(fixed, ln(1.0 + %(cap)s::float8 / postings)) AS w,
           fixed IS NULL AND postings >= %(cap)s AS common
    FROM counted WHERE postings > 0
),
seeds AS MATERIALIZED (
    SELECT p.entity_id, sum(w.w) AS w
    FROM w CROSS JOIN LATERAL (
        SELECT k.entity_id FROM {KEY_TABLE} k WHERE k.key = w.key LIMIT %(cap)s
    ) p
    WHERE NOT w.common OR NOT EXISTS (SELECT 1 FROM w rare WHERE NOT rare.common)
    GROUP BY p.entity_id
    ORDER BY sum(w.w) DESC, p.entity_id
    LIMIT %(probe)s
),
top AS (
    SELECT s.entity_id, s.w + coalesce((
        SELECT sum(c.w) FROM w c
        WHERE c.common AND EXISTS (SELECT 1 FROM w rare WHERE NOT rare.common)
          AND EXISTS (SELECT 1 FROM {KEY_TABLE} k WHERE k.key = c.key AND k.entity_id = s.entity_id)
    ), 0) AS w
    FROM seeds s
    ORDER BY 2 DESC, s.entity_id
    LIMIT %(n)s
)
SELECT e.entity_id, e.kind, e.doc,
       (SELECT json_agg(json_build_array(form, equivalent, cited)) FROM spelled) AS spelled
FROM top JOIN {ENTITY_TABLE} e ON e.id = top.entity_id ORDER BY top.w DESC
"""


def query_keys(pq: PreparedQuery) -> tuple[list[str], list[float | None]]:
    """The query's keys and their fixed weights (None: weighed by how common the key is)."""
    keys: dict[str, float | None] = {}
    for an in pq.names:
        for key, group in n.query_keys(an):
            keys.setdefault(key, {-1: NAME_KEY_WEIGHT, -3: SPELLING_KEY_WEIGHT}.get(group))
    for _, value in pq.identifier_keys:
        keys.setdefault("i:" + value, IDENTIFIER_KEY_WEIGHT)
    return list(keys), list(keys.values())


def candidates(pq: PreparedQuery, limit: int = CANDIDATES) -> tuple[list[tuple[EntityRecord, list]], dict[str, str]]:
    """The best candidates for a query, and the cited spellings of its words (form →
    Latin spelling; ``screening.spellings``), both from one statement."""
    keys, fixed = query_keys(pq)
    forms = spellings.query_forms(pq.query.names)
    if not keys and not forms:
        return [], {}
    with connection.cursor() as cursor:
        cursor.execute(
            _RETRIEVE,
            {"keys": keys, "fixed": fixed, "forms": forms, "cap": POSTING_CAP, "probe": PROBE, "n": limit},
        )
        rows = cursor.fetchall()
    spelled = spellings.best_spellings(_loads(rows[0][3]) or ()) if rows else {}
    return [record_from_doc(entity_id, kind, _loads(doc)) for entity_id, kind, doc, _ in rows], spelled


def _loads(doc):
    if isinstance(doc, str):
        import json

        return json.loads(doc)
    return doc


MAX_LIMIT = 100


def match(query: Query, limit: int = 10, threshold: float = THRESHOLD) -> list[Result]:
    """Ranked candidates for a query, best first: score > 0 only, at most ``limit``
    (1..``MAX_LIMIT``); ``match`` on a result means score >= ``threshold`` (0..1).
    A bad limit or threshold raises ``InvalidQuery`` naming it."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery("limit", f"{limit!r} is not a whole number from 1 to {MAX_LIMIT}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise InvalidQuery("threshold", f"{threshold!r} is not a number from 0 to 1")
    pq = prepare(query)
    found, spelled = candidates(pq, max(CANDIDATES, limit))
    if spelled:
        # Words of the query written as cited names of some entity spell them: read so too.
        cited = [v for v in (spellings.as_cited(an, spelled) for an in pq.names) if v is not None]
        pq = replace(pq, names=pq.names + tuple(cited))
    results = [score(pq, record, analysed, threshold) for record, analysed in found]
    results = [r for r in results if r.score > 0]
    results.sort(key=lambda r: (-r.score, r.entity_id))
    return results[:limit]


LOOKUP_CAP = 50  # entities per key when finding mentions (a common family name must not load thousands)


def lookup(keys: Iterable[str]) -> list[tuple[EntityRecord, list]]:
    """Entities having any of these exact keys (for mention finding), with their names;
    at most ``LOOKUP_CAP`` entities per key."""
    keys = sorted(set(keys))
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT e.entity_id, e.kind, e.doc FROM {ENTITY_TABLE} e
                WHERE e.id IN (
                    SELECT p.entity_id FROM unnest(%s::text[]) AS q(key)
                    CROSS JOIN LATERAL (
                        SELECT k.entity_id FROM {KEY_TABLE} k WHERE k.key = q.key LIMIT %s
                    ) p
                )""",
            [keys, LOOKUP_CAP],
        )
        rows = cursor.fetchall()
    return [record_from_doc(entity_id, kind, _loads(doc)) for entity_id, kind, doc in rows]
