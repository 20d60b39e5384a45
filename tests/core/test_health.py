"""/healthz (the process is up) and /readyz (database reachable, migrations applied)."""

import socket

import pytest
from django.db import connection


def test_healthz_answers_without_the_database_a_host_check_or_https(client, settings):
    # No database access is allowed in this test: pytest-django would fail any query.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sanctions.example.org"]
    # the container's healthcheck: plain http, Host 127.0.0.1
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_every_migration_is_applied(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the applied migrations
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_migrations_not_applied(client):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'core'")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "not applied: run `manage.py migrate`" in body["reason"]
    assert "core.0001_login_failures" in body["migrations"]


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_readyz_says_the_database_is_unreachable_and_recovers_with_it(client):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database unreachable (OperationalError)"}
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    assert client.get("/readyz").status_code == 200  # and ready again once the database is back


def test_probes_only_answer_get(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
