"""A production-like stack on 127.0.0.1 for the load and fault benches (not a test).

* PostgreSQL of the bench's own: pgserver's PostgreSQL 16 with its data under
  var/bench/pgdata and a unix socket there, so restarting it (bench/faults.py)
  disturbs neither the development database nor anyone's server on port 5432;
  migrated and loaded with the seed corpus (published through the review workflow).
* The app under gunicorn as the container runs it (with the checkout's gunicorn.conf.py
  where it has one): DEBUG off, JSON request logs (to var/bench/gunicorn.log), static
  files collected, bound to 127.0.0.1 only. ``root`` serves another checkout of the code
  (bench/reliability.py compares with main's) against the same database.
* Requests over the partner API (list, detail, export, match) with a key from
  ``manage.py create_api_key``; where the API isn't there yet, over the probes and the
  staff pages (admin list, trace page) with a logged-in session instead.
* wrk drives the load (bench/wrk_mix.lua): round-robin over the requests, per-second
  counts of good and failed answers, latency percentiles.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
LUA = Path(__file__).with_name("wrk_mix.lua")
HOST = "127.0.0.1"
STAFF_USER = "bench-auditor"

sys.path.insert(0, str(ROOT))


def match_body(name, kind):
    """A POST /api/v1/match/ body screening one name."""
    return {"queries": [{"name": name, "kind": kind}]}


class Stack:
    def __init__(self, workers=2, port=8765, root=ROOT):
        self.workers, self.port, self.root = workers, port, Path(root)
        self.base = f"http://{HOST}:{port}"
        self.gunicorn = None
        BENCH.mkdir(parents=True, exist_ok=True)

    # ----------------------------------------------------------------- database

    def start_database(self):
        from core.embedded_db import _pgserver

        pgserver = _pgserver()
        self.pgdata = BENCH / "pgdata"
        self.database_url = pgserver.get_server(self.pgdata, cleanup_mode=None).get_uri()
        return self.database_url

    def pg_ctl(self, *args):
        from core.embedded_db import bin_dir

        run_as = {"user": "pgserver"} if os.geteuid() == 0 else {}  # pgserver's own account when root
        return subprocess.run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.pgdata), *args],
            check=True,
            capture_output=True,
            text=True,
            **run_as,
        )

    def restart_database(self):
        """Stop PostgreSQL (fast: open sessions are terminated) and start it again; returns
        (stopped_at, ready_at) as epoch seconds."""
        started = time.time()
        self.pg_ctl("-w", "-m", "fast", "-l", str(self.pgdata / "log"), "restart")
        return started, time.time()

    def stop_database(self):
        self.pg_ctl("-w", "-m", "fast", "stop")

    # ---------------------------------------------------------------------- app

    def env(self):
        key_file = BENCH / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(64))
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": key_file.read_text(),
            "DEBUG": "0",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "0",  # plain http on loopback; TLS is a proxy's job
            "STATIC_ROOT": str(BENCH / "static"),
            "EXPORT_ROOT": str(BENCH / "exports"),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }

    def manage(self, *args, check=True):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def prepare(self):
        """Migrate, load the seed corpus (idempotent), collect static files, make a staff
        user for the session pages; an API key if the API exists."""
        self.manage("migrate", "--no-input", "-v0")
        self.manage("load_seed_corpus", "-v0")
        self.manage("collectstatic", "--no-input", "-v0")
        self.staff_password = secrets.token_urlsafe(16)
        self.manage(
            "shell",
            "-c",
            (
                "from core.roles import role_user\n"
                f"u = role_user({STAFF_USER!r}, 'auditor'); u.set_password({self.staff_password!r}); u.save()\n"
                "from core.models import LoginFailure; LoginFailure.objects.all().delete()"
            ),
        )
        # A load test is not a partner: its key may make far more requests than the default.
        made = self.manage("create_api_key", "bench-load", "--rate-limit", "10000000", check=False)
        self.api_key = made.stdout.strip().splitlines()[-1] if made.returncode == 0 and made.stdout.strip() else None
        listed = self.manage(
            "shell",
            "-c",
            (
                "import json\nfrom publishing.models import PublishedRecord\n"
                "print(json.dumps([(r.record_id, r.document['kind'], r.document['names'][0]['value']) for r in "
                "PublishedRecord.objects.filter(record_type='entity', operation='upsert').order_by('record_id')]))"
            ),
        )
        self.entities = json.loads(listed.stdout.strip().splitlines()[-1])

    def start_app(self, timeout=120):
        log = open(BENCH / "gunicorn.log", "ab")
        config = self.root / "gunicorn.conf.py"
        self.gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *(["-c", str(config)] if config.exists() else []),
                "config.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
            ],
            cwd=self.root,
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.gunicorn.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.gunicorn.returncode}); see {BENCH / 'gunicorn.log'}")
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the app was not ready within {timeout} s; see {BENCH / 'gunicorn.log'}")

    def worker_pids(self):
        import psutil

        return sorted(child.pid for child in psutil.Process(self.gunicorn.pid).children())

    def stop_app(self):
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            self.gunicorn.wait(timeout=30)

    @contextmanager
    def serving(self, keep_database=False):
        """Its PostgreSQL started and prepared, gunicorn serving; yields the endpoints.
        Stops the app, then the database (unless ``keep_database``), however the block ends."""
        self.start_database()
        try:
            self.prepare()
            self.start_app()
            try:
                yield self.endpoints()
            finally:
                self.stop_app()
        finally:
            if not keep_database:
                self.stop_database()

    # ------------------------------------------------------------------ requests

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def session_cookie(self):
        """Log the staff user in through the login form (as a browser would)."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(self.base + "/admin/login/") as page:
            cookies = page.headers.get_all("Set-Cookie")
        csrf = re.search(r"csrftoken=([^;]+)", " ".join(cookies)).group(1)
        data = urllib.parse.urlencode(
            {"username": STAFF_USER, "password": self.staff_password, "csrfmiddlewaretoken": csrf, "next": "/admin/"}
        ).encode()
        request = urllib.request.Request(
            self.base + "/admin/login/", data=data, headers={"Cookie": f"csrftoken={csrf}"}
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            urllib.request.build_opener(NoRedirect()).open(request)
        except urllib.error.HTTPError as exc:  # the 302 after a successful login
            session = re.search(r"sessionid=([^;]+)", " ".join(exc.headers.get_all("Set-Cookie") or []))
            if exc.code == 302 and session:
                return f"sessionid={session.group(1)}"
        raise SystemExit("could not log the bench's staff user in")

    def endpoints(self):
        """{name: [(method, path, headers, body)]}: the partner API's four kinds of request,
        or, without the API, the probes and two staff pages."""
        ids = [record_id for record_id, _, _ in self.entities]
        if self.api_key and self.get("/api/v1/entities/", {"Authorization": f"Bearer {self.api_key}"})[0] == 200:
            auth = {"Authorization": f"Bearer {self.api_key}"}
            posting = {**auth, "Content-Type": "application/json"}
            return {
                "list": [("GET", "/api/v1/entities/", auth, None)],
                "detail": [("GET", f"/api/v1/entities/{i}/", auth, None) for i in ids],
                "export": [("GET", "/api/v1/exports/entities.jsonl", auth, None)],
                "match": [
                    ("POST", "/api/v1/match/", posting, json.dumps(match_body(name, kind)))
                    for _, kind, name in self.entities
                ],
            }
        session = {"Cookie": self.session_cookie()}
        return {
            "healthz": [("GET", "/healthz", {}, None)],
            "readyz": [("GET", "/readyz", {}, None)],
            "admin list": [("GET", "/admin/entities/entity/", session, None)],
            "trace detail": [("GET", f"/trace/entity/{i}/", session, None) for i in ids],
        }


def load_arguments(doc):
    """The command line shared by the load and fault benches: duration, wrk's
    connections and threads, gunicorn's workers and port; each adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    return parser


def _lua_string(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_requests(requests, path):
    """The requests as a Lua file that wrk_mix.lua loads (wrk's Lua has no JSON)."""
    rows = []
    for method, target, headers, body in requests:
        header_items = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        rows.append(
            f"  {{method = {_lua_string(method)}, path = {_lua_string(target)}, "
            f"headers = {{{header_items}}}, body = {_lua_string(body) if body else 'nil'}}},"
        )
    path.write_text("return {\n" + "\n".join(rows) + "\n}\n")


def interleave(endpoints):
    """One request of each kind in turn (so the mix is even whatever the list lengths)."""
    lists = list(endpoints.values())
    longest = max(len(requests) for requests in lists)
    return [requests[i % len(requests)] for i in range(longest) for requests in lists]


def run_wrk(stack, requests, seconds, connections, threads=2, timeout="10s"):
    """Run wrk over ``requests``; wrk_mix.lua's summary as a dict (latencies in ms)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    file = BENCH / "requests.lua"
    write_requests(requests, file)
    result = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            f"--timeout={timeout}",
            "--script",
            str(LUA),
            stack.base,
            "--",
            str(file),
        ],
        capture_output=True,
        text=True,
    )
    marker = "WRK_JSON "
    line = next((line for line in result.stdout.splitlines() if line.startswith(marker)), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return json.loads(line[len(marker) :])


def machine():
    import platform

    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def save(name, result):
    """bench/results/<name>.json (one file per bench; git keeps the earlier runs)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
