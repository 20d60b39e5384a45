"""Exports over HTTP as files: written once per publication, served without holding the
database while a client reads, resumable with Range, stopped when the key is revoked."""

import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from core.api import files
from partners.models import ApiKey
from publishing import exports
from tests.builders import publish_entities

JSONL = "/api/v1/exports/entities.jsonl"


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 256 bytes, so a small export takes many (and many credential checks)."""
    monkeypatch.setattr(files, "BLOCK_SIZE", 256)


@pytest.mark.django_db(transaction=True)
def test_a_client_reading_an_export_slowly_holds_no_database_transaction(users, partner, small_blocks):
    publish_entities(users, 6)
    response = partner.get(JSONL)
    blocks = iter(response.streaming_content)
    first = next(blocks)  # the client has read one block and stops for a while
    assert not connection.in_atomic_block
    assert len(first) == 256 < int(response["Content-Length"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0  # no server-side cursor left open for the rest
    assert (first + b"".join(blocks)).count(b"\n") == 6


def test_the_file_is_written_once_per_publication(users, partner, django_assert_max_num_queries):
    publish_entities(users, 2)
    first = partner.get(JSONL)
    assert first.status_code == 200 and first["Accept-Ranges"] == "bytes"
    first.data = body(first)
    assert int(first["Content-Length"]) == len(first.data)
    # Served again from the file: authentication, rate limit, access log, the latest seq,
    # and the key's download slot taken and given back.
    with django_assert_max_num_queries(8):
        again = partner.get(JSONL)
        assert body(again) == first.data and again["ETag"] == first["ETag"]
    assert partner.get(JSONL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    publish_entities(users, 1)
    newer = partner.get(JSONL)
    assert newer["ETag"] != first["ETag"]
    assert len(body(newer).splitlines()) == 3


def test_a_download_resumes_with_range(users, partner):
    publish_entities(users, 3)
    whole = body(partner.get(JSONL))
    etag = partner.get(JSONL)["ETag"]
    size = len(whole)

    rest = partner.get(JSONL, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=etag)
    assert rest.status_code == 206 and rest["Content-Range"] == f"bytes 100-{size - 1}/{size}"
    assert body(rest) == whole[100:] and rest["Content-Length"] == str(size - 100)
    assert body(partner.get(JSONL, HTTP_RANGE="bytes=0-9")) == whole[:10]
    assert body(partner.get(JSONL, HTTP_RANGE="bytes=-7")) == whole[-7:]

    # A number no file's offset can be (Python's int() refuses 5,000 digits): ignored.
    huge = partner.get(JSONL, HTTP_RANGE="bytes=" + "9" * 5000 + "-")
    assert huge.status_code == 200 and body(huge) == whole

    outside = partner.get(JSONL, HTTP_RANGE=f"bytes={size}-")
    assert outside.status_code == 416 and outside["Content-Range"] == f"bytes */{size}"
    assert f"{size:,} bytes" in outside.json()["detail"]

    # A publication in between: resuming with the old ETag gets the whole new file.
    publish_entities(users, 1)
    changed = partner.get(JSONL, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=etag)
    assert changed.status_code == 200
    assert len(body(changed).splitlines()) == 4  # the three entities and the new one, whole


def test_revoking_a_key_stops_its_download_in_progress(users, partner, api_key, small_blocks):
    publish_entities(users, 6)
    response = partner.get(JSONL)
    size = int(response["Content-Length"])
    blocks = iter(response.streaming_content)
    received = next(blocks) + next(blocks)
    ApiKey.objects.filter(pk=api_key[0].pk).update(revoked_at=timezone.now())
    with pytest.raises(AuthenticationFailed, match="revoked"):
        for block in blocks:
            received += block
    assert len(received) == 512 < size  # the server closes the connection short of Content-Length
    assert partner.get(JSONL, HTTP_RANGE="bytes=512-").status_code == 401  # nor can it resume


def test_write_exports_writes_every_file_before_a_partner_asks(users, partner):
    publish_entities(users, 2)
    out = StringIO()
    call_command("write_exports", stdout=out)
    written = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    assert list(written) == list(exports.EXPORTS)
    path = Path(written["entities.ftm.json"].split(", ", 1)[1])
    assert body(partner.get("/api/v1/exports/entities.ftm.json")) == path.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_a_key_has_two_downloads_at_once_and_a_finished_one_frees_its_place(users, api_key, partner):
    """Each download holds a server thread while it drains; one key can't take them all.
    Downloads run in threads of their own (each with its own database session, as the
    server's threads have)."""
    publish_entities(users, 2)
    started, finish = [threading.Event() for _ in range(2)], [threading.Event() for _ in range(2)]
    statuses = {}

    def download(n):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
        response = client.get(JSONL)
        statuses[n] = response.status_code
        started[n].set()
        finish[n].wait()
        response.close()  # the download ends
        connection.close()

    threads = [threading.Thread(target=download, args=(n,)) for n in range(2)]
    for n, thread in enumerate(threads):
        thread.start()
        started[n].wait()
    assert statuses == {0: 200, 1: 200}
    third = partner.get(JSONL)
    assert third.status_code == 429 and "already has 2 downloads in progress" in third.json()["detail"]
    finish[0].set()
    threads[0].join()
    assert partner.get(JSONL).status_code == 200
    finish[1].set()
    threads[1].join()
