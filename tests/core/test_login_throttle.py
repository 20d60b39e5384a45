"""The admin login refuses further attempts after repeated failures for one username
from one address, even with the right password, until the failures age out."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import LoginFailure

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def errors(response):
    return response.context["form"].non_field_errors()


@pytest.fixture
def cora(make_user):
    return make_user("curator", username="cora")  # password "pw"


def test_five_failures_lock_the_username_out_from_that_address(client, cora, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _ in range(5):
        response = attempt(client, "cora", "guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in errors(response)[0]

    response = attempt(client, "cora", "pw")  # the right password, but locked out
    assert response.status_code == 429
    assert int(response["Retry-After"]) == pytest.approx(900, abs=5)
    assert errors(response) == [
        "Too many failed logins for this username from your address. Try again in 15 minute(s)."
    ]
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="cora").count() == 5  # refused attempts aren't even checked


def test_the_lock_is_per_username_and_address(client, cora, make_user):
    make_user("reviewer", username="rita")
    for _ in range(5):
        attempt(client, "cora", "guess")
    assert attempt(client, "rita", "pw").status_code == 302  # another account from the same address
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert attempt(elsewhere, "cora", "pw").status_code == 302  # the same account from elsewhere


def test_the_lock_lifts_when_the_failures_age_out(client, cora):
    for _ in range(5):
        attempt(client, "cora", "guess")
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=901))
    response = attempt(client, "cora", "pw")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not LoginFailure.objects.filter(username="cora").exists()  # a success clears the count


def test_fewer_failures_than_the_limit_do_not_lock(client, cora):
    for _ in range(4):
        attempt(client, "cora", "guess")
    assert attempt(client, "cora", "pw").status_code == 302
    assert not LoginFailure.objects.exists()


def test_an_admin_lifts_a_lockout_by_deleting_the_failures(client, cora, admin_client):
    for _ in range(5):
        attempt(client, "cora", "guess")
    page = admin_client.get("/admin/core/loginfailure/")
    assert page.status_code == 200 and page.content.decode().count("cora") >= 5
    ids = list(LoginFailure.objects.values_list("pk", flat=True))
    admin_client.post(
        "/admin/core/loginfailure/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert attempt(client, "cora", "pw").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_cannot_slip_under_the_limit_together(make_user):
    """Two guesses arrive together when one failure is left before the lockout: one is
    checked (and fails), the other is refused, however their requests interleave."""
    import threading

    from django.db import connection, connections, transaction

    from core.login import _hold

    make_user("curator", username="cora")
    LoginFailure.objects.bulk_create(LoginFailure(username="cora", ip="127.0.0.1") for _ in range(4))
    statuses = []

    def guess():
        try:
            statuses.append(attempt(Client(), "cora", "guess").status_code)
        finally:
            connections.close_all()

    with transaction.atomic():
        _hold("cora", "127.0.0.1")  # both guesses queue behind this test
        threads = [threading.Thread(target=guess) for _ in range(2)]
        for thread in threads:
            thread.start()
        with connection.cursor() as cursor:
            for _ in range(100_000):  # until both wait on the lock (no sleeps)
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for this transaction
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
                if cursor.fetchone()[0] == 2:
                    break
            else:
                raise AssertionError("the guesses never queued on the lock")
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 429]
    assert LoginFailure.objects.filter(username="cora").count() == 5
