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
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import SKIPPED_404, Target, figure, machine_facts, percentile, table, write_results  # noqa: E402

BENCH_DIR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
API = "/api/v1"
EXPORTS = [("jsonl", "entities.jsonl"), ("ftm", "entities.ftm.json"), ("csv", "entities.csv")]
COPY_SQL = ("COPY (SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' "
            "AND operation = 'upsert' ORDER BY record_id) TO STDOUT")

# The targets (at 1,000,000 entities on 2 cores).
T_EXPORT = Target(">=", 0.5, ">= 0.5 x COPY")
T_EXPORT_MEMORY = Target("<=", 64, "flat: <= 64 MB growth")
T_DETAIL = Target("<=", 5)
T_LIST = Target("<=", 25)
T_MATCH_P95 = Target("<=", 50)
T_MATCH_QPS = Target(">=", 100)
T_PUBLICATION = Target(">=", 5000)
T_ADMIN = Target("<=", 500)
T_VERIFY = Target("<=", 60, "<= 60 s per million citations")


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the database


class BenchServer:
    """An embedded PostgreSQL under var/bench/pgdata, separate from the development one."""

    def __init__(self):
        os.environ.setdefault("XDG_RUNTIME_DIR", str(BENCH_DIR / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

        (BENCH_DIR / "pgdata").parent.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(BENCH_DIR / "pgdata", cleanup_mode="stop")

    def url(self, database):
        # get_uri gives postgresql://postgres:@/<db>?host=<socket dir>
        return self.server.get_uri(database)

    def psql(self, sql, database="postgres"):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else None

    def fresh(self, database):
        self.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def drop(self, database):
        self.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def django_env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-" + secrets.token_urlsafe(48),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "STATIC_ROOT": str(BENCH_DIR / "static"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }


def manage(env, *args, check=True):
    """Run a management command; (seconds, stdout, returncode)."""
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if check and done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {done.returncode}")
    return seconds, done.stdout, done.returncode


# -------------------------------------------------------------------------- HTTP


class Client:
    """Keep-alive HTTP/1.1 to gunicorn; ``get``/``post`` return (status, body, seconds)."""

    def __init__(self, port, headers=None):
        self.port, self.headers = port, headers or {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def request(self, method, path, body=None, headers=None):
        all_headers = {**self.headers, **(headers or {})}
        if body is not None:
            body = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            raise
        return response.status, data, time.perf_counter() - started

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def stream(self, path, on_chunk):
        """GET path, reading the body in 1 MB pieces; (status, bytes, seconds)."""
        started = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        total = 0
        while chunk := response.read(1 << 20):
            total += len(chunk)
            on_chunk(chunk)
        return response.status, total, time.perf_counter() - started


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, env, workers=2):
        self.port = free_port()
        self.log = open(BENCH_DIR / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "600", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not start; see var/bench/gunicorn.log")

    def workers(self):
        import psutil

        return psutil.Process(self.process.pid).children()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # the process this harness started, by its id
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class PeakMemory:
    """The largest RSS of any gunicorn worker while the block runs (sampled every 20 ms)."""

    def __init__(self, gunicorn):
        self.gunicorn, self.peak, self.before = gunicorn, 0, 0
        self._stop = threading.Event()

    def _rss(self):
        total = 0
        for worker in self.gunicorn.workers():
            try:
                total = max(total, worker.memory_info().rss)
            except Exception:  # a worker restarting
                pass
        return total

    def __enter__(self):
        self.before = self._rss()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()


def skipped(status):
    return SKIPPED_404 if status == 404 else f"skipped: HTTP {status}"


def timed(fn, samples):
    """Run fn() ``samples`` times after a warm-up; milliseconds per run."""
    for _ in range(min(10, samples)):
        fn()
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


# ---------------------------------------------------------------------- the steps


def step_generate(env, n, seed, figures):
    log(f"generate_dataset --entities {n} --seed {seed} (write model + review + publication)")
    seconds, out, _ = manage(env, "generate_dataset", "--entities", str(n), "--seed", str(seed), "--no-progress")
    m = re.search(r"Published (\d+) entities and (\d+) sanction actions", out)
    p = re.search(r"Writing the write model: ([\d.]+) s; .*?: ([\d.]+) s for (\d+) records", out, re.S)
    entities, actions = int(m.group(1)), int(m.group(2))
    writing, reviewing, records = float(p.group(1)), float(p.group(2)), int(p.group(3))
    figures += [
        figure("generate_dataset: entities published per second", entities / seconds, "entities/s",
               Target(">=", 5000), f"{entities:,} entities + {actions:,} actions in {seconds:,.0f} s, all included"),
        figure("publication through the approval path", records / reviewing, "records/s", T_PUBLICATION,
               f"submit + approve + commit of {records:,} records: {reviewing:,.0f} s; writing the write model "
               f"(COPY, triggers): {writing:,.0f} s"),
    ]
    return entities


def step_index_and_verify(env, url, figures):
    import psycopg

    log("rebuild_match_index")
    seconds, _, _ = manage(env, "rebuild_match_index", "--no-progress")
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_total_relation_size('screening_indexedentity') + "
                            "pg_total_relation_size('screening_namekey')").fetchone()[0]
        citations = conn.execute("SELECT count(*) FROM sources_citation").fetchone()[0]
    figures.append(figure("match index build (rebuild_match_index)", seconds, "s", None,
                          f"index size {size / 1e6:,.0f} MB"))
    log("verify_provenance")
    command_seconds, _, _ = manage(env, "verify_provenance", "--no-progress")
    # The check itself, without the command's start-up (which dominates small runs).
    code = ("import time; from sources.integrity import verify; t = time.perf_counter(); "
            "problems = sum(1 for _ in verify()); print(time.perf_counter() - t, problems)")
    _, out, _ = manage(env, "shell", "-c", code)
    seconds, problems = out.split()[-2:]
    seconds = float(seconds)
    figures.append(figure("verify_provenance, per million citations", seconds * 1e6 / citations, "s", T_VERIFY,
                          f"{citations:,} citations in {seconds:,.1f} s ({command_seconds:,.1f} s with start-up), "
                          f"{problems} problems"))


def step_exports(client, gunicorn, url, entities, figures):
    import psycopg

    log("COPY of the entity documents (the database's own rate)")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        rows = 0
        with cur.copy(COPY_SQL) as copy:
            for data in copy:
                rows += bytes(data).count(b"\n")
        copy_seconds = time.perf_counter() - started
    copy_rate = rows / copy_seconds
    figures.append(figure("COPY of the entity documents", copy_rate, "entities/s", None,
                          f"{rows:,} documents in {copy_seconds:.1f} s"))
    for label, name in EXPORTS:
        path = f"{API}/exports/{name}"
        log(f"export {path}")
        lines = 0

        def count(chunk):
            nonlocal lines
            lines += chunk.count(b"\n")

        with PeakMemory(gunicorn) as memory:
            status, size, seconds = client.stream(path, count)
        if status != 200:
            figures.append(figure(f"export {label}: rate / COPY rate", None, "", T_EXPORT, skipped(status)))
            continue
        rate = entities / seconds
        figures += [
            figure(f"export {label}: rate / COPY rate", rate / copy_rate, "ratio", T_EXPORT,
                   f"{rate:,.0f} entities/s, {size / 1e6:,.0f} MB in {seconds:.1f} s ({lines:,} lines)"),
            figure(f"export {label}: worker memory growth", (memory.peak - memory.before) / 2**20, "MB",
                   T_EXPORT_MEMORY, f"peak RSS {memory.peak / 2**20:,.0f} MB"),
        ]


def step_reads(client, url, figures, samples=300):
    import psycopg

    with psycopg.connect(url) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT record_id FROM publishing_publishedrecord WHERE record_type = 'entity' AND operation = 'upsert' "
            "ORDER BY random() LIMIT %s", [samples]).fetchall()]
        one = "SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' AND record_id = %s"
        page = ("SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' "
                "AND operation = 'upsert' ORDER BY record_id LIMIT 100")
        picks = iter(ids * 2)
        db_one = timed(lambda: conn.execute(one, [next(picks)], prepare=True).fetchall(), len(ids) - 10)
        db_page = timed(lambda: conn.execute(page, prepare=True).fetchall(), 100)
    log("entity detail and list of 100")
    status, _, _ = client.get(f"{API}/entities/{ids[0]}/")
    if status != 200:
        figures += [figure("entity detail p50", None, "ms", T_DETAIL, skipped(status)),
                    figure("list of 100 p50", None, "ms", T_LIST, skipped(status))]
        return
    picks = iter(ids * 2)
    http_one = timed(lambda: client.get(f"{API}/entities/{next(picks)}/"), len(ids) - 10)
    http_page = timed(lambda: client.get(f"{API}/entities/?limit=100"), 100)
    for label, target, http_ms, db_ms in (("entity detail", T_DETAIL, http_one, db_one),
                                          ("list of 100", T_LIST, http_page, db_page)):
        p50, p95, db50 = percentile(http_ms, 50), percentile(http_ms, 95), percentile(db_ms, 50)
        figures += [
            figure(f"{label} p50", p50, "ms", target, f"p95 {p95:.1f} ms; psycopg p50 {db50:.2f} ms"),
            figure(f"{label}: HTTP p50 / psycopg p50", p50 / db50, "ratio"),
        ]


def match_names(url, count):
    """Names to screen: published entities' names, some with a typo, some reordered."""
    import psycopg

    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT value FROM entities_name ORDER BY random() LIMIT %s", [count]).fetchall()]
    rng = random.Random(5)
    out = []
    for name in names:
        words = name.split()
        if len(words) > 1 and rng.random() < 0.3:
            name = f"{words[-1]}, {' '.join(words[:-1])}"
        elif len(name) > 6 and rng.random() < 0.3:
            i = rng.randrange(1, len(name) - 2)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        out.append(name)
    return out


def step_match(client, port, headers, url, figures, seconds=20):
    names = match_names(url, 3000)
    path = f"{API}/match/"
    status, body, _ = client.post(path, {"queries": [{"name": names[0]}]})
    if status != 200:
        figures += [figure("match p95, single query", None, "ms", T_MATCH_P95, skipped(status)),
                    figure("match throughput, 2 clients", None, "queries/s", T_MATCH_QPS, skipped(status))]
        return
    log("match: single-query latency")
    picks = iter(names)
    ms = timed(lambda: client.post(path, {"queries": [{"name": next(picks)}]}), 500)
    figures.append(figure("match p95, single query", percentile(ms, 95), "ms", T_MATCH_P95,
                          f"p50 {percentile(ms, 50):.1f} ms over {len(ms)} queries (HTTP {status})"))
    log(f"match: two concurrent clients for {seconds} s")
    rest = names[520:]
    done = [0, 0]

    def run(k):
        c = Client(port, headers)
        end = time.perf_counter() + seconds
        for name in rest[k::2]:
            c.post(path, {"queries": [{"name": name}]})
            done[k] += 1
            if time.perf_counter() >= end:
                break

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    figures.append(figure("match throughput, 2 clients", sum(done) / elapsed, "queries/s", T_MATCH_QPS,
                          f"{sum(done):,} distinct queries in {elapsed:.1f} s; clients on the same 2 CPUs"))


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
    figures.append(figure("match p95, in-process (no HTTP)", float(p95), "ms", None,
                          f"p50 {float(p50):.1f} ms over {n} published names; the HTTP figure carries the target"))


def admin_session(env):
    """A session cookie of a superuser in the bench database (created there)."""
    code = (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "U = get_user_model()\n"
        "u, _ = U.objects.get_or_create(username='bench-admin', defaults={'is_staff': True, 'is_superuser': True})\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create()\n"
        "print(s.session_key)\n"
    )
    _, out, _ = manage(env, "shell", "-c", code)
    return out.strip().splitlines()[-1]


def step_admin(port, env, url, figures):
    import psycopg

    log("admin entity list")
    client = Client(port, {"Cookie": f"sessionid={admin_session(env)}"})
    status, body, _ = client.get("/admin/entities/entity/")
    if status != 200:
        figures.append(figure("admin entity list", None, "ms", T_ADMIN, skipped(status)))
        return
    ms = timed(lambda: client.get("/admin/entities/entity/"), 20)
    figures.append(figure("admin entity list", percentile(ms, 50), "ms", T_ADMIN,
                          f"p50 of {len(ms)}, logged in, first page; p95 {percentile(ms, 95):.0f} ms"))
    with psycopg.connect(url) as conn:
        word = conn.execute("SELECT split_part(value, ' ', 1) FROM entities_name ORDER BY random() LIMIT 1").fetchone()[0]
    ms = timed(lambda: client.get(f"/admin/entities/entity/?q={quote(word)}"), 5)
    figures.append(figure("admin entity list, searching a name", percentile(ms, 50), "ms", None,
                          f"q={word}: icontains over every name (no trigram index in this PostgreSQL)"))


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
            figure("OFAC SDN: match p95", r["match_p95_ms"], "ms", T_MATCH_P95,
                   f"p50 {r['match_p50_ms']} ms, {r['queries']:,} aliases and reordered names, in-process (no HTTP); "
                   f"expected entry ranked first {r['found_first']:.1%}"),
            figure("OFAC SDN: match index size", r["index_bytes"] / 1e6, "MB", None,
                   f"{r['entities_published']:,} entries, {r['index_keys']:,} keys, built in {r['index_seconds']} s"),
            figure("OFAC SDN: published through review", r["publication_records_per_second"], "records/s", None,
                   f"{r['entries']:,} entries loaded in {r['load_seconds']} s"),
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

    facts = {"entities": args.entities, "seed": args.seed, "machine": machine_facts(),
             "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
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
