"""Two curators saving the same record at once, in two real PostgreSQL sessions."""

import threading

import pytest
from django.db import connection, connections, transaction

from entities.models import Entity, Name
from publishing import services

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_blocked(pid_holder):
    """Poll pg_stat_activity until the other session waits on a row lock (no sleeps)."""
    with connection.cursor() as cursor:
        for _ in range(100_000):
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid_holder["pid"]])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
    raise AssertionError("the second save never waited for the first")


def test_the_second_of_two_concurrent_saves_is_refused_and_told_what_changed(users):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    name = Name.objects.create(entity=entity, value="Hossein Salami", type=Name.Type.PRIMARY)
    services.record_edit(users.curator, entity)
    loaded = Entity.objects.get(pk=entity.pk).revision  # both curators open the page at this revision

    first_locked = threading.Event()
    let_first_commit = threading.Event()
    second = {}

    def first_curator():
        try:
            with transaction.atomic():
                services.check_revision(entity, loaded)
                first_locked.set()
                Name.objects.filter(pk=name.pk).update(value="Hossein Salamy")
                services.record_edit(users.curator, Entity.objects.get(pk=entity.pk))
                let_first_commit.wait()
        finally:
            first_locked.set()
            connections.close_all()

    def second_curator():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second["pid"] = cursor.fetchone()[0]
            second["ready"] = True
            with transaction.atomic():
                services.check_revision(entity, loaded)
                second["saved"] = True
        except services.StaleRecord as exc:
            second["refused"] = str(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=first_curator)
    a.start()
    first_locked.wait()
    b = threading.Thread(target=second_curator)
    b.start()
    while "pid" not in second:
        pass
    wait_until_blocked(second)  # the second save waits on the first one's row lock...
    let_first_commit.set()  # ...until the first commits
    a.join()
    b.join()

    assert "saved" not in second
    message = second["refused"]
    assert f"saved by {users.curator.username}" in message
    assert "names 'Hossein Salami' → 'Hossein Salamy'" in message
    assert Name.objects.get(pk=name.pk).value == "Hossein Salamy"  # the first save is kept
