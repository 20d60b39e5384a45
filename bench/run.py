"""make bench: the whole system at N entities in one run, each figure against its target.

    .venv/bin/python bench/run.py [--entities N] [--seed S] [--keep]
    make bench [BENCH_ENTITIES=1000000]

1. A fresh database on a PostgreSQL of its own: an embedded server under var/bench/
   (never the development or test database); the database is dropped at the end
   unless --keep.
2. ``generate_dataset``: N synthetic entities written and published through review
   (publication throughput = submit + approve + commit, the approval path).
3. ``rebuild_match_index`` (build time, size) and ``verify_provenance`` (time).
4. gunicorn on 127.0.0.1 (a free port, 2 workers), and over HTTP:
   - full export of each format vs PostgreSQL's own COPY of the same documents, and the
     serving worker's peak memory;
   - entity detail and list of 100, p50/p95, vs the same rows fetched with psycopg;
   - match: p50/p95 of single queries, throughput of two concurrent clients;
   - the admin entity list, logged in.
   A figure whose endpoint does not answer 200 is reported as skipped, with the status.
5. Real data: the OFAC SDN list in a second database of the same server, published the
   same way, screened (bench/ofac_sdn.py); skipped when ../shared is absent.

Prints a table and writes bench/results/<YYYY-MM-DD>-<N>.json with the machine's facts.
The machine may be shared: its load average at start and end is recorded with them.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    T_MATCH_P95,
    T_PUBLICATION,
    T_VERIFY,
    Target,
    figure,
    machine_facts,
    table,
    write_results,
)
from bench.http_steps import Client, step_admin, step_exports, step_match, step_reads  # noqa: E402
from bench.server import BENCH_DIR, PYTHON, BenchServer, Gunicorn, django_env, log, manage  # noqa: E402

RESULTS = ROOT / "bench" / "results"


# ---------------------------------------------------------------------- the steps


def step_generate(env, n, seed, figures):
    log(f"generate_dataset --entities {n} --seed {seed} (write model + review + publication)")
    seconds, out, _ = manage(env, "generate_dataset", "--entities", str(n), "--seed", str(seed), "--no-progress")
    m = re.search(r"Published (\d+) entities and (\d+) sanction actions", out)
    p = re.search(r"Writing the write model: ([\d.]+) s; .*?: ([\d.]+) s for (\d+) records", out, re.S)
    entities, actions = int(m.group(1)), int(m.group(2))
    writing, reviewing, records = float(p.group(1)), float(p.group(2)), int(p.group(3))
    figures += [
        figure(
            "generate_dataset: entities published per second",
            entities / seconds,
            "entities/s",
            Target(">=", 5000),
            f"{entities:,} entities + {actions:,} actions in {seconds:,.0f} s, all included",
        ),
        figure(
            "publication through the approval path",
            records / reviewing,
            "records/s",
            T_PUBLICATION,
            f"submit + approve + commit of {records:,} records: {reviewing:,.0f} s; writing the write model "
            f"(COPY, triggers): {writing:,.0f} s",
        ),
    ]
    return entities


def step_index_and_verify(env, url, figures):
    import psycopg

    log("rebuild_match_index")
    seconds, _, _ = manage(env, "rebuild_match_index", "--no-progress")
    with psycopg.connect(url) as conn:
        size = conn.execute(
            "SELECT pg_total_relation_size('screening_indexedentity') + pg_total_relation_size('screening_namekey')"
        ).fetchone()[0]
        citations = conn.execute("SELECT count(*) FROM sources_citation").fetchone()[0]
    figures.append(
        figure("match index build (rebuild_match_index)", seconds, "s", None, f"index size {size / 1e6:,.0f} MB")
    )
    log("verify_provenance")
    command_seconds, _, _ = manage(env, "verify_provenance", "--no-progress")
    # The check itself, without the command's start-up (which dominates small runs).
    code = (
        "import time; from sources.integrity import verify; t = time.perf_counter(); "
        "problems = sum(1 for _ in verify()); print(time.perf_counter() - t, problems)"
    )
    _, out, _ = manage(env, "shell", "-c", code)
    seconds, problems = out.split()[-2:]
    seconds = float(seconds)
    figures.append(
        figure(
            "verify_provenance, per million citations",
            seconds * 1e6 / citations,
            "s",
            T_VERIFY,
            f"{citations:,} citations in {seconds:,.1f} s ({command_seconds:,.1f} s with start-up), "
            f"{problems} problems",
        )
    )


def step_match_in_process(env, figures):
    """Match latency without HTTP (screening.services.match in one process): what the
    index itself costs, whether or not the endpoint exists."""
    code = (
        "import random, time\n"
        "from entities.models import Name\n"
        "from screening.records import Query\n"
        "from screening.services import match\n"
        "from bench.harness import percentile\n"
        "names = list(Name.objects.order_by('?').values_list('value', flat=True)[:600])\n"
        "for n in names[:50]: match(Query(n))\n"
        "ms = []\n"
        "for n in names[50:]:\n"
        "    t = time.perf_counter(); match(Query(n)); ms.append((time.perf_counter() - t) * 1000)\n"
        "print(percentile(ms, 50), percentile(ms, 95), len(ms))\n"
    )
    _, out, _ = manage(env, "shell", "-c", code)
    p50, p95, n = out.split()[-3:]
    figures.append(
        figure(
            "match p95, in-process (no HTTP)",
            float(p95),
            "ms",
            None,
            f"p50 {float(p50):.1f} ms over {n} published names; the HTTP figure carries the target",
        )
    )


def step_ofac(bench, figures, keep):
    data = ROOT.parent / "shared" / "data" / "external" / "ofac-sdn" / "watchman-bench-2021-07"
    if not data.exists():
        figures.append(figure("OFAC SDN: match p95", None, "ms", T_MATCH_P95, f"skipped: {data} is absent"))
        return
    log("OFAC SDN list: load through review, index, screen")
    url = bench.fresh("bench_ofac")
    env = django_env(url)
    manage(env, "migrate", "--no-input")
    done = subprocess.run([PYTHON, "bench/ofac_sdn.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit("bench/ofac_sdn.py failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    if "skipped" in r:
        figures.append(figure("OFAC SDN: match p95", None, "ms", T_MATCH_P95, f"skipped: {r['skipped']}"))
    else:
        figures += [
            figure(
                "OFAC SDN: match p95",
                r["match_p95_ms"],
                "ms",
                T_MATCH_P95,
                f"p50 {r['match_p50_ms']} ms, {r['queries']:,} aliases and reordered names, in-process (no HTTP); "
                f"expected entry ranked first {r['found_first']:.1%}",
            ),
            figure(
                "OFAC SDN: match index size",
                r["index_bytes"] / 1e6,
                "MB",
                None,
                f"{r['entities_published']:,} entries, {r['index_keys']:,} keys, built in {r['index_seconds']} s",
            ),
            figure(
                "OFAC SDN: published through review",
                r["publication_records_per_second"],
                "records/s",
                None,
                f"{r['entries']:,} entries loaded in {r['load_seconds']} s",
            ),
        ]
    if not keep:
        bench.drop("bench_ofac")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=int(os.environ.get("BENCH_ENTITIES", 100_000)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the bench databases (var/bench)")
    parser.add_argument("--match-seconds", type=float, default=20)
    args = parser.parse_args()

    facts = {
        "entities": args.entities,
        "seed": args.seed,
        "machine": machine_facts(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    figures = []
    bench = BenchServer()
    database = f"bench_{args.entities}"
    url = bench.fresh(database)
    facts["postgresql"] = bench.psql("SELECT version()")[0][0]
    env = django_env(url)
    gunicorn = None
    try:
        log(f"migrate a fresh database {database} on the bench server (var/bench/pgdata)")
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input", "--clear")
        entities = step_generate(env, args.entities, args.seed, figures)
        step_index_and_verify(env, url, figures)
        step_match_in_process(env, figures)

        _, out, _ = manage(env, "create_api_key", "bench", "--rate-limit", "100000000")
        headers = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
        gunicorn = Gunicorn(env)
        log(f"gunicorn on 127.0.0.1:{gunicorn.port}, 2 workers")
        client = Client(gunicorn.port, headers)
        step_exports(client, gunicorn, url, entities, figures)
        step_reads(client, url, figures)
        step_match(client, gunicorn.port, headers, url, figures, args.match_seconds)
        step_admin(gunicorn.port, env, url, figures)
    finally:
        if gunicorn:
            gunicorn.stop()
    step_ofac(bench, figures, args.keep)
    if not args.keep:
        bench.drop(database)
        shutil.rmtree(BENCH_DIR / "static", ignore_errors=True)
    facts["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    facts["load_average_at_end"] = machine_facts()["load_average"]
    print(table(figures))
    path = write_results(RESULTS, args.entities, figures, facts)
    print(f"\nresults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
