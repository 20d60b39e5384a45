"""Measure the match index at scale (not a test).

    .venv/bin/python bench/screening_index.py [-n 100000] [--queries 2000] [--workers 2] [--seconds 20]

Generates N synthetic entities (seeded random: persons with Persian, Russian and Western
names in Latin letters, most also spelled in Persian or Cyrillic script, with aliases,
weak aliases, birth dates, countries, identifiers; organisations with legal forms),
rebuilds the match index with them, then reports:
* build time (records generated on the fly, analysed, COPY, indexes rebuilt);
* single-query latency p50/p95/p99 of ``screening.services.match`` over a query mix
  (exact names, the other script, typos and "Last, First" reorderings, and names that
  are not in the index), and how often the intended entity ranks first;
* throughput with ``--workers`` processes each running queries in a loop (like gunicorn
  workers, minus HTTP).

It REPLACES the match index of the configured database (DATABASE_URL, else the embedded
one under var/); run ``manage.py rebuild_match_index`` afterwards to get the real one back.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

THROUGHPUT_QUERIES = 8000


def generate(n, seed=7):
    """Yield (record, [(query, kind)]) pairs; the queries are ways to screen that entity."""
    from corpus.synthetic_words import (
        CYRILLIC,
        GIVEN,
        LEGAL,
        ORG_WORDS,
        PERSIAN,
        PERSIAN_GIVEN,
        family,
        to_script,
        typo,
    )
    from screening.records import EntityRecord, NameRecord

    rng = random.Random(seed)
    for i in range(n):
        entity_id = f"ent_bench{i:07d}"
        if rng.random() < 0.75:
            culture = rng.choice(["fa", "fa", "ru", "en"])
            given = GIVEN[culture]
            parts = [rng.choice(given)] + ([rng.choice(given)] if rng.random() < 0.5 else []) + [family(rng, culture)]
            primary = " ".join(parts)
            names = [NameRecord(primary, "primary", "en")]
            native = None
            if culture == "fa" and rng.random() < 0.7:
                native = to_script(primary, PERSIAN, initial_a="ا")
                names.append(NameRecord(native, "transliteration", "fa"))
            elif culture == "ru" and rng.random() < 0.7:
                native = to_script(primary, CYRILLIC)
                names.append(NameRecord(native, "transliteration", "ru"))
            if rng.random() < 0.3:
                names.append(NameRecord(" ".join(parts[:-1] + [family(rng, culture)]), "alias", "en"))
            if rng.random() < 0.1:
                names.append(NameRecord(f"Abu {rng.choice(PERSIAN_GIVEN)}", "weak_alias", ""))
            birth = f"{rng.randint(1940, 2000)}" + (
                f"-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.5 else ""
            )
            record = EntityRecord(
                entity_id,
                "person",
                names,
                birth_date=birth if rng.random() < 0.6 else "",
                countries=(
                    {"fa": ["IR"], "ru": ["RU"], "en": ["GB", "DE", "NL", "US"]}[culture][:1]
                    if rng.random() < 0.7
                    else ()
                ),
                identifiers=[("passport", f"{rng.choice('KPX')}{rng.randint(10**7, 10**8)}")]
                if rng.random() < 0.2
                else [],
            )
            queries = [(primary, "exact")]
            if native:
                queries.append((native, "other script"))
            variant = [typo(rng, p) if rng.random() < 0.5 else p for p in parts]
            if variant == parts:
                variant[-1] = typo(rng, variant[-1])
            queries.append((f"{variant[-1]}, {' '.join(variant[:-1])}", "typo + Last, First"))
        else:
            culture = rng.choice(["fa", "ru", "en"])
            base = f"{family(rng, culture)} {rng.choice(ORG_WORDS)}"
            names = [NameRecord(f"{base} {rng.choice(LEGAL)}", "primary", "en")]
            if rng.random() < 0.3:
                names.append(NameRecord(f"{base} {rng.choice(ORG_WORDS)}", "alias", "en"))
            record = EntityRecord(entity_id, "organisation", names, countries=("IR",) if culture == "fa" else ())
            queries = [(names[0].value, "exact"), (base, "without legal form")]
        yield record, queries


def unknown_names(rng, count):
    from corpus.synthetic_words import GIVEN, family

    out = []
    for _ in range(count):
        culture = rng.choice(["fa", "ru", "en"])
        given = GIVEN[culture]
        out.append((f"{rng.choice(given)} {family(rng, culture)}q", "look-alike, not indexed"))
    return out


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def worker(queries, seconds, counter):
    import django

    django.setup()
    from screening.records import Query
    from screening.services import match

    started = time.perf_counter()
    done = 0
    for name, _ in queries:  # each query once; stop at the time limit
        match(Query(name))
        done += 1
        if time.perf_counter() - started >= seconds:
            break
    counter.put((done, time.perf_counter() - started))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip-build", action="store_true", help="measure the index as it is (same -n and seed)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from screening import index
    from screening.records import Query
    from screening.scoring import score
    from screening.services import match, rebuild

    rng = random.Random(11)
    # latency queries, then distinct ones for the throughput run (no query repeats there,
    # so the comparison caches don't flatter it)
    wanted = args.queries + (THROUGHPUT_QUERIES if args.workers else 0)
    sample_every = max(1, args.n // wanted)
    targets = []

    def records():
        for i, (record, queries) in enumerate(generate(args.n)):
            if i % sample_every == 0:
                targets.append((record, rng.choice(queries)))
            yield record

    started = time.perf_counter()
    if args.skip_build:
        for _ in records():
            pass
    else:
        rebuild(records(), total=args.n)
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s)), pg_size_pretty(pg_total_relation_size(%s)),"
            " (SELECT count(*) FROM screening_namekey)",
            [index.ENTITY_TABLE, index.KEY_TABLE],
        )
        entity_size, key_size, key_rows = cursor.fetchone()
    print(
        f"\nN = {args.n:,} entities: build {built:.1f} s ({args.n / built:,.0f} entities/s)"
        f"{' (skipped)' if args.skip_build else ''}; {key_rows:,} keys; "
        f"tables: entities {entity_size}, keys {key_size}"
    )

    queries, spare = targets[: args.queries], targets[args.queries :]
    misses = unknown_names(rng, max(1, len(queries) // 5))
    for _, (name, _) in queries[:50]:
        match(Query(name))  # warm caches and the connection
    timings, by_kind, first = [], {}, {}
    for record, (name, kind) in queries:
        eid = record.entity_id
        t = time.perf_counter()
        results = match(Query(name))
        ms = (time.perf_counter() - t) * 1000
        timings.append(ms)
        by_kind.setdefault(kind, []).append(ms)
        # first, or tied with the first: synthetic names repeat, so several entities may
        # have the intended one's score (it may even be beyond the 10 results returned)
        own = score(Query(name), record).score
        hit = bool(results) and results[0].score <= own
        first.setdefault(kind, []).append(hit)
        if not hit and os.environ.get("BENCH_SHOW_MISSES"):
            print("  miss:", kind, repr(name), eid, [(r.entity_id, r.name, r.score) for r in results[:3]])
    miss_timings, miss_matches = [], 0
    for name, _ in misses:
        t = time.perf_counter()
        results = match(Query(name))
        miss_timings.append((time.perf_counter() - t) * 1000)
        miss_matches += any(r.match for r in results)
    all_timings = timings + miss_timings
    print(
        f"match latency over {len(all_timings)} queries: p50 {percentile(all_timings, 50):.1f} ms, "
        f"p95 {percentile(all_timings, 95):.1f} ms, p99 {percentile(all_timings, 99):.1f} ms, "
        f"mean {statistics.mean(all_timings):.1f} ms"
    )
    for kind, values in sorted(by_kind.items()):
        first_share = sum(first[kind]) / len(first[kind])
        print(
            f"  {kind:22} {len(values):5} queries  p50 {percentile(values, 50):5.1f} ms  p95 "
            f"{percentile(values, 95):5.1f} ms  intended entity first (or tied): {first_share:.1%}"
        )
    print(
        f"  {'look-alike, not indexed':22} {len(miss_timings):5} queries  "
        f"p50 {percentile(miss_timings, 50):5.1f} ms  p95 {percentile(miss_timings, 95):5.1f} ms  "
        f"matched (score >= 0.7; one letter off an indexed name): {miss_matches}"
    )

    if args.workers:
        connection.close()
        counter = multiprocessing.Queue()
        mix = [q for _, q in spare] + unknown_names(random.Random(3), len(spare) // 5)
        random.Random(3).shuffle(mix)
        processes = [
            multiprocessing.Process(target=worker, args=(mix[i :: args.workers], args.seconds, counter))
            for i in range(args.workers)
        ]
        for p in processes:
            p.start()
        for p in processes:
            p.join()
        results = [counter.get() for _ in processes]
        total, elapsed = sum(done for done, _ in results), max(seconds for _, seconds in results)
        print(
            f"throughput: {args.workers} worker processes, {total} distinct queries in {elapsed:.1f} s: "
            f"{total / elapsed:.0f} queries/s ({os.cpu_count()} CPUs, database on the same machine)"
        )


if __name__ == "__main__":
    main()
