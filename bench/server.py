"""The bench's own processes for ``bench/run.py``: an embedded PostgreSQL under
var/bench (never the development or test database), ``manage.py`` against it, and
gunicorn on 127.0.0.1 with its workers' peak memory.
"""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable


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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, env, workers=2):
        self.port = free_port()
        self.log = open(BENCH_DIR / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "600",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
