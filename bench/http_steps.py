"""The figures ``bench/run.py`` measures over HTTP against gunicorn: full exports (vs
PostgreSQL's COPY), entity detail and list (vs psycopg), match latency and throughput,
the admin entity list. Each appends its figures; an endpoint that does not answer 200
makes its figures skipped."""

import http.client
import json
import random
import threading
import time
from urllib.parse import quote

import psycopg

from bench.harness import (
    SKIPPED_404,
    T_ADMIN,
    T_DETAIL,
    T_EXPORT,
    T_EXPORT_MEMORY,
    T_LIST,
    T_MATCH_P95,
    T_MATCH_QPS,
    figure,
    percentile,
)
from bench.server import PeakMemory, log, manage

API = "/api/v1"
EXPORTS = [("jsonl", "entities.jsonl"), ("ftm", "entities.ftm.json"), ("csv", "entities.csv")]
COPY_SQL = (
    "COPY (SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' "
    "AND operation = 'upsert' ORDER BY record_id) TO STDOUT"
)


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


def step_exports(client, gunicorn, url, entities, figures):
    log("COPY of the entity documents (the database's own rate)")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        rows = 0
        with cur.copy(COPY_SQL) as copy:
            for data in copy:
                rows += bytes(data).count(b"\n")
        copy_seconds = time.perf_counter() - started
    copy_rate = rows / copy_seconds
    figures.append(
        figure(
            "COPY of the entity documents", copy_rate, "entities/s", None, f"{rows:,} documents in {copy_seconds:.1f} s"
        )
    )
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
            figure(
                f"export {label}: rate / COPY rate",
                rate / copy_rate,
                "ratio",
                T_EXPORT,
                f"{rate:,.0f} entities/s, {size / 1e6:,.0f} MB in {seconds:.1f} s ({lines:,} lines)",
            ),
            figure(
                f"export {label}: worker memory growth",
                (memory.peak - memory.before) / 2**20,
                "MB",
                T_EXPORT_MEMORY,
                f"peak RSS {memory.peak / 2**20:,.0f} MB",
            ),
        ]


def step_reads(client, url, figures, samples=300):
    with psycopg.connect(url) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT record_id FROM publishing_publishedrecord WHERE record_type = 'entity' "
                "AND operation = 'upsert' ORDER BY random() LIMIT %s",
                [samples],
            ).fetchall()
        ]
        one = "SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' AND record_id = %s"
        page = (
            "SELECT document FROM publishing_publishedrecord WHERE record_type = 'entity' "
            "AND operation = 'upsert' ORDER BY record_id LIMIT 100"
        )
        picks = iter(ids * 2)
        db_one = timed(lambda: conn.execute(one, [next(picks)], prepare=True).fetchall(), len(ids) - 10)
        db_page = timed(lambda: conn.execute(page, prepare=True).fetchall(), 100)
    log("entity detail and list of 100")
    status, _, _ = client.get(f"{API}/entities/{ids[0]}/")
    if status != 200:
        figures += [
            figure("entity detail p50", None, "ms", T_DETAIL, skipped(status)),
            figure("list of 100 p50", None, "ms", T_LIST, skipped(status)),
        ]
        return
    picks = iter(ids * 2)
    http_one = timed(lambda: client.get(f"{API}/entities/{next(picks)}/"), len(ids) - 10)
    http_page = timed(lambda: client.get(f"{API}/entities/?limit=100"), 100)
    for label, target, http_ms, db_ms in (
        ("entity detail", T_DETAIL, http_one, db_one),
        ("list of 100", T_LIST, http_page, db_page),
    ):
        p50, p95, db50 = percentile(http_ms, 50), percentile(http_ms, 95), percentile(db_ms, 50)
        figures += [
            figure(f"{label} p50", p50, "ms", target, f"p95 {p95:.1f} ms; psycopg p50 {db50:.2f} ms"),
            figure(f"{label}: HTTP p50 / psycopg p50", p50 / db50, "ratio"),
        ]


def match_names(url, count):
    """Names to screen: published entities' names, some with a typo, some reordered."""
    with psycopg.connect(url) as conn:
        names = [
            r[0] for r in conn.execute("SELECT value FROM entities_name ORDER BY random() LIMIT %s", [count]).fetchall()
        ]
    rng = random.Random(5)
    out = []
    for name in names:
        words = name.split()
        if len(words) > 1 and rng.random() < 0.3:
            name = f"{words[-1]}, {' '.join(words[:-1])}"
        elif len(name) > 6 and rng.random() < 0.3:
            i = rng.randrange(1, len(name) - 2)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        out.append(name)
    return out


def step_match(client, port, headers, url, figures, seconds=20):
    names = match_names(url, 3000)
    path = f"{API}/match/"
    status, body, _ = client.post(path, {"queries": [{"name": names[0]}]})
    if status != 200:
        figures += [
            figure("match p95, single query", None, "ms", T_MATCH_P95, skipped(status)),
            figure("match throughput, 2 clients", None, "queries/s", T_MATCH_QPS, skipped(status)),
        ]
        return
    log("match: single-query latency")
    picks = iter(names)
    ms = timed(lambda: client.post(path, {"queries": [{"name": next(picks)}]}), 500)
    figures.append(
        figure(
            "match p95, single query",
            percentile(ms, 95),
            "ms",
            T_MATCH_P95,
            f"p50 {percentile(ms, 50):.1f} ms over {len(ms)} queries (HTTP {status})",
        )
    )
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
    figures.append(
        figure(
            "match throughput, 2 clients",
            sum(done) / elapsed,
            "queries/s",
            T_MATCH_QPS,
            f"{sum(done):,} distinct queries in {elapsed:.1f} s; clients on the same 2 CPUs",
        )
    )


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
    log("admin entity list")
    client = Client(port, {"Cookie": f"sessionid={admin_session(env)}"})
    status, body, _ = client.get("/admin/entities/entity/")
    if status != 200:
        figures.append(figure("admin entity list", None, "ms", T_ADMIN, skipped(status)))
        return
    ms = timed(lambda: client.get("/admin/entities/entity/"), 20)
    figures.append(
        figure(
            "admin entity list",
            percentile(ms, 50),
            "ms",
            T_ADMIN,
            f"p50 of {len(ms)}, logged in, first page; p95 {percentile(ms, 95):.0f} ms",
        )
    )
    with psycopg.connect(url) as conn:
        word = conn.execute("SELECT split_part(value, ' ', 1) FROM entities_name ORDER BY random() LIMIT 1").fetchone()[
            0
        ]
    ms = timed(lambda: client.get(f"/admin/entities/entity/?q={quote(word)}"), 5)
    figures.append(
        figure(
            "admin entity list, searching a name",
            percentile(ms, 50),
            "ms",
            None,
            f"q={word}: icontains over every name (no trigram index in this PostgreSQL)",
        )
    )
