"""Bulk exports as they stream: queries, memory and server-side cursors, and the
read-only transaction of a streaming response."""

import threading
import tracemalloc

import pytest
from django.db import connection, connections
from django.http import StreamingHttpResponse

from entities.models import Entity, Name
from publishing import exports
from publishing.models import PublishedRecord
from tests.builders import citation, cited, jsonl_documents, make_source, publish_edits, publish_entities, read_export

# -------------------------------------------------------------- queries and memory


@pytest.mark.parametrize("name", list(exports.EXPORTS))
def test_the_number_of_queries_does_not_depend_on_the_number_of_entities(users, name, django_assert_num_queries):
    # Inside the test's transaction: a savepoint, one server-side cursor per query
    # (FTM: sources, then entities with their context), the savepoint released.
    queries = {"entities.jsonl": 3, "entities.ftm.json": 4, "entities.csv": 3}[name]
    publish_entities(users, 3)
    with django_assert_num_queries(queries):
        assert read_export(name)
    publish_entities(users, 27)
    with django_assert_num_queries(queries):
        assert read_export(name)
    assert len(jsonl_documents()) == 30


def test_an_export_reads_rows_as_it_goes(users):
    publish_entities(users, 30)
    stream = exports.get_export("entities.jsonl").stream(rows_per_fetch=4)
    first = next(stream)
    assert first.count(b"\n") == 4  # one fetch's worth, not the 30 rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE NOT is_holdable")
        assert cursor.fetchone()[0] == 1  # the server-side cursor, left open mid-way
    assert (first + b"".join(stream)).count(b"\n") == 30
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0


def test_memory_does_not_grow_with_the_number_of_entities(users):
    """Every entity document carries a 20,000-character quote; streamed a few rows at
    a time, the peak memory of an export stays that of a few documents."""
    quote = " ".join(f"word{i}" for i in range(2500))[:20_000]
    peaks = {name: [] for name in exports.EXPORTS}
    for more in (10, 50):
        publish_entities(users, more, quote_text=quote)
        for name, export in exports.EXPORTS.items():
            tracemalloc.start()
            for _ in export.stream(rows_per_fetch=5):
                pass
            peaks[name].append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    for name, (few, many) in peaks.items():
        assert many < few * 1.5 + 100_000, (name, peaks)
        assert many < 60 * len(quote), (name, peaks)  # less than the text of all 60 documents


# --------------------------------------------------------- streaming in a response


@pytest.mark.django_db(transaction=True)
def test_a_streaming_response_reads_in_its_own_read_only_transaction(published):
    assert not connection.in_atomic_block
    export = exports.get_export("entities.ftm.json")
    response = StreamingHttpResponse(export.stream(rows_per_fetch=1), content_type=export.media_type)
    response["Content-Disposition"] = export.content_disposition
    # A view that didn't touch the database leaves Django's health check of a reused
    # connection (a query) to the export, where it must not be the transaction's first.
    connection.health_check_done = False
    chunks = iter(response)
    next(chunks)  # the view has returned; the export runs now, in a transaction of its own
    assert connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')")
        assert cursor.fetchone() == ("repeatable read", "on")
    rest = b"".join(chunks)
    assert b'"schema":"Person"' in rest
    assert not connection.in_atomic_block and connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_a_client_that_stops_reading_ends_the_exports_transaction(users):
    publish_entities(users, 6)
    response = StreamingHttpResponse(exports.get_export("entities.csv").stream(rows_per_fetch=2))
    chunks = iter(response)
    next(chunks), next(chunks)
    assert connection.in_atomic_block
    response.close()  # what the WSGI server does when the client goes away
    assert not connection.in_atomic_block and connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_an_entity_published_while_an_export_streams_is_not_half_in_it(published, users):
    """The FTM export reads articles, then entities: in one snapshot, so an entity
    published in between (citing a new article) is in neither, rather than in the
    entities with a Documentation pointing at an article the export never listed."""
    stream = exports.get_export("entities.ftm.json").stream(rows_per_fetch=1)
    first = next(stream)
    assert b'"schema":"Article"' in first

    def publish_another():
        try:
            src = make_source("Brig. Gen. Amir Ali Hajizadeh commands the aerospace force.", title="Another")
            quote = citation(src, "Amir Ali Hajizadeh")
            other = cited(Entity.objects.create(kind=Entity.Kind.PERSON), quote)
            cited(Name.objects.create(entity=other, value="Amir Ali Hajizadeh", type=Name.Type.PRIMARY), quote)
            publish_edits(users, other)
        finally:
            connections.close_all()

    thread = threading.Thread(target=publish_another)
    thread.start()
    thread.join()
    assert PublishedRecord.objects.filter(record_type="entity").count() == 1  # our snapshot
    rest = b"".join(stream)
    assert b"Hajizadeh" not in first + rest
    assert b"Hajizadeh" in read_export("entities.ftm.json")  # the next export has it
