"""A publication killed midway publishes nothing: its versions are written in the
approving transaction, so a killed database session or a killed worker process leaves
the change set submitted, as if the approval had never started, and it can be
approved again. Coordinated through the versions_published signal (sent after every
row is written, before commit) and pg_stat_activity: no sleeps."""

import subprocess
import sys
import threading

import pytest
from django.db import connection, connections

from publishing import services, signals
from publishing.models import ChangeSet, Decision, PublishedRecord, PublishedVersion
from tests.builders import ROOT, approve_now, process_env

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in a worker process of its own: approve, and stop once every version is written.
APPROVE_AND_HANG = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from publishing import services, signals
from publishing.models import ChangeSet

def hang(sender, versions, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        print(cursor.fetchone()[0], len(versions), flush=True)
    sys.stdin.readline()  # until killed

signals.versions_published.connect(hang)
change_set = ChangeSet.objects.get(pk=int(sys.argv[1]))
reviewer = get_user_model().objects.get(pk=int(sys.argv[2]))
services.approve(change_set, reviewer, services.shown_revisions(change_set))
"""


def holds_publish_lock(pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %s "
            "AND classid = 0 AND objid = %s",
            [pid, services.PUBLISH_LOCK],
        )
        return cursor.fetchone()[0] == 1


def wait_until_gone(pid):
    """Poll until the session has ended (and with it, its transaction)."""
    with connection.cursor() as cursor:
        for _ in range(100_000):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
    raise AssertionError(f"session {pid} never ended")


def assert_nothing_published_and_approvable_again(change_set, reviewer, versions_written):
    # The approval had written every version: the person, the action and its authority
    # (first published with the action that shows it).
    assert versions_written == 3
    assert not PublishedVersion.objects.exists()
    assert not PublishedRecord.objects.exists()
    change_set.refresh_from_db()
    assert change_set.state == ChangeSet.State.SUBMITTED and change_set.approved_by is None
    assert not change_set.decisions.filter(kind=Decision.Kind.APPROVE).exists()
    assert change_set.items.filter(pending=True).count() == 3
    # the lock died with the session: approving again publishes all of it
    approve_now(change_set, reviewer)
    assert PublishedVersion.objects.filter(change_set=change_set).count() == versions_written


def test_a_publication_whose_database_session_is_terminated_midway_publishes_nothing(world, users):
    services.submit(world.change_set, users.curator)
    written, release, seen = threading.Event(), threading.Event(), {}

    def hang(sender, versions, **kwargs):
        if threading.current_thread() is not approver:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            seen["pid"], seen["versions"] = cursor.fetchone()[0], len(versions)
        written.set()
        release.wait()

    def approve():
        try:
            approve_now(world.change_set, users.reviewer)
        except Exception as exc:  # noqa: BLE001 (the point: it fails)
            seen["error"] = exc
        finally:
            written.set()
            connections.close_all()

    signals.versions_published.connect(hang)
    try:
        approver = threading.Thread(target=approve)
        approver.start()
        written.wait()
        assert "error" not in seen, seen.get("error")
        assert holds_publish_lock(seen["pid"])  # midway: rows written, lock held, nothing committed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [seen["pid"]])
        wait_until_gone(seen["pid"])
        release.set()
        approver.join()
    finally:
        signals.versions_published.disconnect(hang)
        release.set()
    assert "terminating connection" in str(seen["error"]) or "closed" in str(seen["error"])
    assert_nothing_published_and_approvable_again(world.change_set, users.reviewer, seen["versions"])


def test_a_publication_whose_worker_process_is_killed_midway_publishes_nothing(world, users):
    services.submit(world.change_set, users.curator)
    worker = subprocess.Popen(
        [sys.executable, "-c", APPROVE_AND_HANG, str(world.change_set.pk), str(users.reviewer.pk)],
        cwd=ROOT,
        env=process_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        pid, versions = map(int, line.split())
        assert holds_publish_lock(pid)
        worker.kill()  # SIGKILL: no handler, no rollback from the client's side
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdin.close()
        worker.stdout.close()
        worker.stderr.close()
    wait_until_gone(pid)  # PostgreSQL notices the closed socket and rolls back
    assert_nothing_published_and_approvable_again(world.change_set, users.reviewer, versions)
