"""One partner key can't take the API down, and faults lose nothing (not a test).

    .venv/bin/python bench/reliability.py [--entities 5000] [--seconds 60] [--baseline main]
    make bench-reliability

On the bench's own PostgreSQL (bench/httpstack.py: var/bench, never anyone else's
database): migrate, the seed corpus, --entities synthetic entities published through
review. Then, for the code of --baseline (a git ref, extracted with ``git archive``;
``--baseline ''`` skips it) and for this checkout, each served by gunicorn as that code
serves it (its gunicorn.conf.py, or 2 sync workers without one), two phases:

1. **slow readers**: wrk at --connections over list, detail, match and the JSON lines
   export for --seconds, while 2 clients of another key ("hog") request
   entities.ftm.json and never read (a 4 KB receive window; each gives up after 20 s,
   under gunicorn's 30 s worker timeout, and asks again at once), and a third key
   ("other partner") asks for one entity every second. Reported: wrk's errors (answers
   >= 400 and socket errors, 10 s timeout) and latency percentiles, and the other
   partner's answers: how many failed or took more than a second.
2. **faults**: the same, while one gunicorn worker is SIGKILLed at a third of the run
   and PostgreSQL restarted (pg_ctl restart -m fast) at 60 %, and a writer publishes 20
   entities at a time through review (``generate_dataset``, one approval per run, in a
   loop). Reported: failed requests (total, and outside the seconds the restart
   touched), and data lost: the version log published before the phase must be
   unchanged (``published_digest --through-seq``), every publication the writer saw
   succeed must be there (published entities counted), and ``verify_provenance`` clean.

Writes bench/results/reliability.json and prints a table, the baseline beside this code.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from httpstack import BENCH, HOST, ROOT, Stack, interleave, machine, run_wrk, save

HOG_HOLD_S = 20
WRITER_ENTITIES = 20


# ---------------------------------------------------------------- the clients


class Background:
    """``threads`` threads running ``_run`` until the ``with`` block ends (``self.stop``)."""

    threads = 1

    def __init__(self):
        self.stop = threading.Event()

    def __enter__(self):
        self.running = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for thread in self.running:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.running:
            thread.join()


class Hogs(Background):
    """Clients that ask for an export and never read the answer."""

    def __init__(self, port, path, key, count=2):
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
        ).encode()
        super().__init__()
        self.port, self.threads = port, count
        self.connections = 0

    def _run(self):
        while not self.stop.is_set():
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
            try:
                sock.connect((HOST, self.port))
                sock.sendall(self.request)
                self.connections += 1
                self.stop.wait(HOG_HOLD_S)
            except OSError:
                self.stop.wait(0.5)
            finally:
                sock.close()


class OtherPartner(Background):
    """Another key asking for one entity detail every second: latency or failure of each."""

    def __init__(self, stack, key, entity_ids):
        super().__init__()
        self.stack, self.key, self.ids = stack, key, entity_ids
        self.answers = []  # (seconds, ok)

    def _run(self):
        i = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                status, _ = self.stack.get(
                    f"/api/v1/entities/{self.ids[i % len(self.ids)]}/", {"Authorization": f"Bearer {self.key}"}
                )
                ok = status == 200
            except OSError:  # includes the 10 s timeout
                ok = False
            elapsed = time.perf_counter() - started
            self.answers.append((elapsed, ok))
            i += 1
            self.stop.wait(max(0.0, 1 - elapsed))

    def summary(self):
        times = sorted(seconds for seconds, _ in self.answers)
        return {
            "requests": len(self.answers),
            "failed": sum(1 for _, ok in self.answers if not ok),
            "over_1_s": sum(1 for seconds, ok in self.answers if ok and seconds > 1),
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "max_ms": round(times[-1] * 1000, 1) if times else None,
        }


class Writer(Background):
    """Publishes WRITER_ENTITIES entities at a time through review, in a loop; counts
    the publications that reported success (each is one approval, one transaction)."""

    def __init__(self, stack, first_seed):
        super().__init__()
        self.stack, self.seed = stack, first_seed
        self.succeeded = self.failed = 0

    def _run(self):
        while not self.stop.is_set():
            self.seed += 1
            result = self.stack.manage(
                "generate_dataset",
                "--entities",
                str(WRITER_ENTITIES),
                "--batch-size",
                str(WRITER_ENTITIES),
                "--seed",
                str(self.seed),
                "--no-progress",
                check=False,
            )
            if result.returncode == 0:
                self.succeeded += 1
            else:
                self.failed += 1


# ------------------------------------------------------------------ the phases


def summarise(run):
    return {
        "requests": run["requests"],
        "requests_per_s": round(run["requests"] / run["duration_s"], 1),
        "errors": run["non_2xx_3xx"] + sum(run["socket_errors"].values()),
        "non_2xx_3xx": run["non_2xx_3xx"],
        "socket_errors": run["socket_errors"],
        "latency_ms": run["latency_ms"],
    }


def load(stack, endpoints, keys, args, during=None):
    """wrk over the mix with the hogs and the other partner; ``during(started)`` runs
    alongside (the faults). Returns (wrk's run, the other partner's summary, hog connections)."""
    done = {}
    mix = interleave(endpoints)
    wrk = threading.Thread(
        target=lambda: done.update(run=run_wrk(stack, mix, args.seconds, args.connections, args.threads))
    )
    ids = [record_id for record_id, _, _ in stack.entities]
    with (
        Hogs(stack.port, "/api/v1/exports/entities.ftm.json", keys["hog"]) as hogs,
        OtherPartner(stack, keys["other"], ids) as other,
    ):
        time.sleep(1)  # the hogs hold their exports before the load starts
        started = time.time()
        wrk.start()
        fault_times = during(started) if during else {}
        wrk.join()
    return done["run"], other.summary(), hogs.connections, fault_times


def published_state(stack):
    out = stack.manage(
        "shell",
        "-c",
        "from publishing.models import PublishedVersion, PublishedRecord\n"
        "print(PublishedVersion.objects.order_by('-seq').values_list('seq', flat=True).first(), "
        "PublishedRecord.objects.filter(record_type='entity', operation='upsert').count())",
    ).stdout.split()
    seq, entities = int(out[-2]), int(out[-1])
    digest = stack.manage("published_digest", "--through-seq", str(seq), "--no-progress").stdout.strip()
    return seq, entities, digest


def phase_slow_readers(stack, endpoints, keys, args):
    run, other, hogs, _ = load(stack, endpoints, keys, args)
    return {"wrk": summarise(run), "other_partner": other, "hog_connections": hogs}


def phase_faults(stack, endpoints, keys, args, writer_seed):
    seq, entities, digest = published_state(stack)
    kill_at, restart_at = args.seconds / 3, args.seconds * 0.6

    def faults(started):
        times = {}
        time.sleep(max(0.0, started + kill_at - time.time()))
        victim = stack.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)  # a worker of the gunicorn this bench started
        times["worker_killed_at"] = round(time.time() - started, 2)
        time.sleep(max(0.0, started + restart_at - time.time()))
        stopped, ready = stack.restart_database()
        times["database_down"] = [round(stopped - started, 2), round(ready - started, 2)]
        times["down_epoch"] = [stopped, ready]
        return times

    with Writer(stack, writer_seed) as writer:
        run, other, hogs, times = load(stack, endpoints, keys, args, during=faults)
    seq_after, entities_after, _ = published_state(stack)
    digest_after = stack.manage("published_digest", "--through-seq", str(seq), "--no-progress").stdout.strip()
    provenance = stack.manage("verify_provenance", "--no-progress", check=False)
    expected = entities + WRITER_ENTITIES * writer.succeeded
    # Answers >= 400 outside the seconds the database restart touched (epoch seconds; wrk
    # counts timeouts and socket errors without their time: they are in "errors" only).
    stopped, ready = times.pop("down_epoch")
    down_from, down_to = math.floor(stopped), math.ceil(ready)
    outside = sum(failed for second, _, failed in run["per_second"] if not down_from <= second <= down_to)
    return {
        "wrk": summarise(run),
        "failed_outside_database_restart": outside,
        "other_partner": other,
        "hog_connections": hogs,
        "faults_s": times,
        "writer": {"publications_succeeded": writer.succeeded, "publications_failed": writer.failed},
        "data": {
            "version_log_through_seq": seq,
            "version_log_unchanged": digest == digest_after,
            "published_entities_before": entities,
            "published_entities_after": entities_after,
            "acknowledged_entities_missing": max(0, expected - entities_after),
            "verify_provenance_exit": provenance.returncode,
            "lost": int(digest != digest_after) + max(0, expected - entities_after) + int(provenance.returncode != 0),
        },
    }


def extract(ref):
    """The code of git ref ``ref`` under var/bench/code-<ref> (git archive: no worktree)."""
    target = BENCH / f"code-{re.sub(r'[^A-Za-z0-9._-]', '_', ref)}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    return target, commit


# ----------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--baseline", default="main", help="git ref to compare with ('' to skip)")
    args = parser.parse_args()

    codes = []
    if args.baseline:
        root, commit = extract(args.baseline)
        codes.append((f"{args.baseline} ({commit})", root))
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout
    codes.append((f"this checkout ({head}{', modified' if dirty.strip() else ''})", ROOT))

    facts = machine()  # the load average before the bench adds its own
    stack = Stack(workers=args.workers, port=args.port)
    stack.start_database()
    # A fresh database each run: the phases publish, and seeds may not repeat.
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import psycopg; c = psycopg.connect({stack.database_url!r}, autocommit=True); "
            "c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')",
        ],
        check=True,
    )
    results = {}
    try:
        print(f"preparing: seed corpus and {args.entities:,} synthetic entities", file=sys.stderr)
        stack.prepare()
        stack.manage("generate_dataset", "--entities", str(args.entities), "--seed", "1", "--no-progress")
        keys = {}
        for name in ("hog", "other"):
            made = stack.manage("create_api_key", f"bench-{name}", "--rate-limit", "10000000")
            keys[name] = made.stdout.strip().splitlines()[-1]
        listed = stack.manage(
            "shell",
            "-c",
            "import json\nfrom publishing.models import PublishedRecord\n"
            "print(json.dumps([(r.record_id, r.document['kind'], r.document['names'][0]['value']) for r in "
            "PublishedRecord.objects.filter(record_type='entity', operation='upsert').order_by('?')[:2000]]))",
        )
        stack.entities = json.loads(listed.stdout.strip().splitlines()[-1])
        for n, (label, root) in enumerate(codes):
            stack.root = root
            stack.start_app()
            endpoints = stack.endpoints()
            try:
                print(f"{label}: slow readers, {args.seconds} s", file=sys.stderr)
                slow = phase_slow_readers(stack, endpoints, keys, args)
                print(f"{label}: faults, {args.seconds} s", file=sys.stderr)
                faults = phase_faults(stack, endpoints, keys, args, writer_seed=1000 * (n + 1))
            finally:
                stack.stop_app()
            results[label] = {"slow_readers": slow, "faults": faults}
    finally:
        stack.stop_database()

    result = {
        "what": "wrk (list, detail, match, entities.jsonl) against gunicorn on 127.0.0.1 with 2 clients of "
        "another key holding entities.ftm.json unread; then the same with a worker SIGKILLed and PostgreSQL "
        "restarted while a writer publishes",
        "entities": args.entities,
        "seconds": args.seconds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "machine": {**facts, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "runs": results,
    }
    path = save("reliability", result)
    print(table(results))
    print(f"written to {path}")
    return 0


def table(results):
    rows = [
        ("slow readers: errors", lambda r: r["slow_readers"]["wrk"]["errors"]),
        ("slow readers: requests", lambda r: r["slow_readers"]["wrk"]["requests"]),
        ("slow readers: p50 / p99 ms", lambda r: _lat(r["slow_readers"]["wrk"])),
        ("other key: failed / > 1 s / sent", lambda r: _other(r["slow_readers"]["other_partner"])),
        ("other key: max ms", lambda r: r["slow_readers"]["other_partner"]["max_ms"]),
        ("faults: failed requests", lambda r: r["faults"]["wrk"]["errors"]),
        ("faults: answers >= 400 outside the restart", lambda r: r["faults"]["failed_outside_database_restart"]),
        ("faults: requests", lambda r: r["faults"]["wrk"]["requests"]),
        ("faults: p50 / p99 ms", lambda r: _lat(r["faults"]["wrk"])),
        ("faults: other key failed / > 1 s / sent", lambda r: _other(r["faults"]["other_partner"])),
        (
            "faults: publications ok / failed",
            lambda r: "{publications_succeeded} / {publications_failed}".format(**r["faults"]["writer"]),
        ),
        ("faults: data lost", lambda r: r["faults"]["data"]["lost"]),
    ]
    labels = list(results)
    width = max(len(label) for label, _ in rows) + 2
    lines = ["".ljust(width) + "".join(label[:34].rjust(36) for label in labels)]
    for label, get in rows:
        lines.append(label.ljust(width) + "".join(str(get(results[code])).rjust(36) for code in labels))
    return "\n".join(lines)


def _lat(wrk):
    return f"{wrk['latency_ms']['p50']:.0f} / {wrk['latency_ms']['p99']:.0f}"


def _other(other):
    return f"{other['failed']} / {other['over_1_s']} / {other['requests']}"


if __name__ == "__main__":
    sys.exit(main())
