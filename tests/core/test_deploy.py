"""Production configuration: the deploy checklist is clean and the compose file validates."""

import io
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "p" * 20 + "-production-like-key-" + "q" * 20,
        "ALLOWED_HOSTS": "sanctions.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_the_compose_file_validates():
    result = subprocess.run(
        ["docker-compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def settings_read_from_the_environment():
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|choice)\("([A-Z_]+)"', source))


def test_env_example_lists_every_setting_the_app_reads():
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = settings_read_from_the_environment()
    assert read >= {"SECRET_KEY", "DATABASE_URL", "DEBUG", "LOG_FORMAT"}  # the pattern finds them
    assert read - listed == set()


def test_the_compose_app_gets_every_setting_and_both_services_have_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    # STATIC_ROOT is the image's own (Dockerfile); PG_BIN: the image's pgserver programs are
    # PostgreSQL 16 like the db service; DATABASE_URL is built from POSTGRES_PASSWORD.
    assert settings_read_from_the_environment() - set(app["environment"]) == {"STATIC_ROOT", "PG_BIN"}
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["image"] == "postgres:16"


def test_every_way_of_serving_the_app_runs_gunicorn_with_threaded_workers():
    """A client that reads slowly holds a thread, not a worker: with 2 sync workers, two
    sockets that never read an export held both, and every other partner waited."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] >= 4
    for path in ("Dockerfile", ".ci/api-contract", "bench/httpstack.py"):
        assert "gunicorn.conf.py" in (ROOT / path).read_text(), path


def test_a_response_to_a_client_that_stopped_reading_gives_up_after_send_timeout():
    """gthread gives each request a blocking socket with no timeout: a client that never
    reads would hold its thread for good. The WSGI entry point bounds each send."""
    from config.wsgi import application

    server_side, client_side = socket.socketpair()
    server_side.settimeout(None)
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "gunicorn.socket": server_side,
    }
    b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
    assert statuses == ["200 OK"]
    assert server_side.gettimeout() == 60  # SEND_TIMEOUT's default, in seconds
    server_side.close()
    client_side.close()
