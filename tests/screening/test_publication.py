"""The match index follows publication: published entities only, in the approving
transaction, and a full rebuild reads the same published documents."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from entities.models import Entity, Name
from publishing import services as publishing
from publishing.models import PublishedRecord
from publishing.signals import versions_published
from screening import services
from screening.models import IndexedEntity, NameKey
from screening.records import EntityRecord, Query
from screening.sources import PublishedRecords, record_from_document
from tests.builders import approve_now

pytestmark = pytest.mark.django_db


def indexed():
    return dict(IndexedEntity.objects.values_list("entity_id", "doc"))


def published_entity_ids():
    return set(
        PublishedRecord.objects.filter(record_type="entity", operation="upsert").values_list("record_id", flat=True)
    )


def publish_edit(record, users):
    change_set = publishing.record_edit(users.curator, record)
    publishing.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)


@pytest.mark.usefixtures("seed_corpus")
def test_the_seed_corpus_is_indexed_as_it_is_published_exactly_as_a_rebuild_would():
    by_publication = indexed()
    assert set(by_publication) == published_entity_ids() and len(by_publication) == 53
    assert services.match(Query("Сергей Шойгу"))[0].name == "Sergei Schoigu"

    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_match_index", stdout=out, stderr=err)  # default source: published documents
    assert "Match index rebuilt: 53 entities from screening.sources.published_records" in out.getvalue()
    assert "53/53" in err.getvalue()
    assert indexed() == by_publication


def test_an_entity_is_matched_only_once_published(world, users):
    text = "Maj. Gen. Hossein Salami spoke."
    assert services.match(Query("Hossein Salami")) == []
    assert services.find_mentions(text) == []

    publishing.submit(world.change_set, users.curator)
    assert services.match(Query("Hossein Salami")) == []  # submitted is not published
    approve_now(world.change_set, users.reviewer)

    [result] = services.match(Query("Hossein Salami"))
    assert (result.entity_id, result.match) == (world.person.public_id, True)
    assert [(m.text, m.entity_id) for m in services.find_mentions(text)] == [("Hossein Salami", world.person.public_id)]


def test_an_edit_waiting_for_review_is_not_matched(published, users):
    published.name.value = "Hossein Salamy Kermani"
    published.name.save()
    publishing.record_edit(users.curator, published.person)  # pending in an open change set
    assert [r.name for r in services.match(Query("Hossein Salami"))] == ["Hossein Salami"]
    assert all(r.score < 0.7 for r in services.match(Query("Salamy Kermani")))
    # even a full rebuild reads only what is published
    services.rebuild(PublishedRecords(), progress=False)
    assert [r.name for r in services.match(Query("Hossein Salami"))] == ["Hossein Salami"]


def test_a_republished_entity_is_replaced_and_a_retracted_one_removed(published, users):
    Name.objects.create(
        entity=published.person,
        value="حسین سلامی",
        type=Name.Type.TRANSLITERATION,
        lang="fa",
    ).citations.add(published.salami)
    publish_edit(published.person, users)
    assert services.match(Query("حسین سلامی"))[0].name == "حسین سلامی"

    published.person.deprecated_reason = "Not the general: a namesake."
    published.person.save()
    # the action targeting it must go too, or publication refuses the dangling reference
    published.target.deprecated_reason = "Wrong person."
    published.target.save()
    change_set = publishing.record_edit(users.curator, published.person)
    publishing.record_edit(users.curator, published.action)
    publishing.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)
    assert PublishedRecord.objects.get(record_id=published.person.public_id).operation == "retract"
    assert services.match(Query("Hossein Salami")) == []
    assert not IndexedEntity.objects.exists() and not NameKey.objects.exists()


def test_an_entity_merged_into_another_leaves_the_index(published, users):
    kept = Entity.objects.create(kind=Entity.Kind.PERSON)
    kept.citations.add(published.salami)
    Name.objects.create(entity=kept, value="Hossein Salami", type=Name.Type.PRIMARY).citations.add(published.salami)
    published.person.merged_into = kept
    published.person.save()
    published.target.deprecated_reason = "Moved to the kept record."
    published.target.save()
    change_set = publishing.record_edit(users.curator, published.person)
    publishing.record_edit(users.curator, kept)
    publishing.record_edit(users.curator, published.action)
    publishing.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)
    assert [r.entity_id for r in services.match(Query("Hossein Salami"))] == [kept.public_id]
    assert set(indexed()) == {kept.public_id}


def test_republishing_an_entity_for_its_sanctions_section_rewrites_nothing(published, users):
    before = IndexedEntity.objects.get()
    published.action.status = "in_force"
    published.action.save()
    publish_edit(published.action, users)  # the person's document is republished with the new section
    assert PublishedRecord.objects.get(record_id=published.person.public_id).version == 2
    after = IndexedEntity.objects.get()
    assert (after.pk, after.indexed_at, after.doc) == (before.pk, before.indexed_at, before.doc)


def test_a_rolled_back_approval_leaves_the_index_unchanged(published, users):
    before = indexed()
    published.name.value = "Hossein Salamy"
    published.name.save()
    change_set = publishing.record_edit(users.curator, published.person)
    publishing.submit(change_set, users.curator)

    class Crash(Exception):
        pass

    def crash(**kwargs):  # connected after screening's receiver: the index was already written
        assert services.match(Query("Hossein Salamy"))[0].name == "Hossein Salamy"
        raise Crash

    versions_published.connect(crash, dispatch_uid="test-crash")
    try:
        with pytest.raises(Crash):
            approve_now(change_set, users.reviewer)
    finally:
        versions_published.disconnect(dispatch_uid="test-crash")
    assert indexed() == before
    assert services.match(Query("Hossein Salamy"))[0].name == "Hossein Salami"
    assert PublishedRecord.objects.get(record_id=published.person.public_id).version == 1


def test_a_batch_of_entities_is_indexed_in_one_statement_per_thousand(django_assert_num_queries):
    records = [EntityRecord(f"ent_{i}", "person", [f"Person{i} Family{i % 7}"]) for i in range(2500)]
    with django_assert_num_queries(3):
        assert services.index_entities(records) == 2500
    assert IndexedEntity.objects.count() == 2500
    renamed = [EntityRecord(f"ent_{i}", "person", [f"Renamed{i} Family{i % 7}"]) for i in range(1000)]
    with django_assert_num_queries(1):
        services.index_entities(renamed)
    assert services.match(Query("Renamed7 Family0"))[0].entity_id == "ent_7"
    assert not services.match(Query("Person7 Family0"))[0].match  # the old name's keys are gone
    with django_assert_num_queries(2):
        assert services.remove_entities([f"ent_{i}" for i in range(0, 2500, 2)] + ["ent_unknown"]) == 1250
    assert IndexedEntity.objects.count() == 1250
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM screening_namekey k LEFT JOIN screening_indexedentity e "
            "ON e.id = k.entity_id WHERE e.id IS NULL"
        )
        assert cursor.fetchone() == (0,)


def test_a_published_document_becomes_a_record():
    document = {
        "id": "ent_x",
        "type": "entity",
        "kind": "person",
        "caption": "Hossein Salami",
        "names": [
            {"id": "clm_1", "value": "Hossein Salami", "type": "primary", "lang": "en", "citations": []},
            {"id": "clm_2", "value": "حسین سلامی", "type": "transliteration", "lang": "fa", "citations": []},
        ],
        "identifiers": [{"id": "clm_3", "scheme": "passport", "value": "P1", "country": "IR", "citations": []}],
        "person": {"title": "", "gender": "male", "birth_date": "1960", "nationalities": ["IR"]},
        "relationships": [],
        "sanctions": [],
        "citations": [],
    }
    record = record_from_document(document)
    assert (record.entity_id, record.kind, record.birth_date, record.countries) == ("ent_x", "person", "1960", ("IR",))
    assert [(n.value, n.type, n.lang) for n in record.names] == [
        ("Hossein Salami", "primary", "en"),
        ("حسین سلامی", "transliteration", "fa"),
    ]
    assert record.identifiers == (("passport", "P1"),)
    organisation = {
        **document,
        "kind": "organisation",
        "person": None,
        "organisation": {"org_kind": "company", "countries": ["RU", "IR"], "parent": None},
    }
    del organisation["person"]
    assert record_from_document(organisation).countries == ("RU", "IR")
    assert record_from_document({**document, "names": []}) is None
    assert record_from_document({"id": "ent_x", "type": "entity", "retracted": True, "reason": "merged"}) is None


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_reads_its_source_in_chunks_between_copies():
    """Outside a transaction the rebuild writes with COPY FREEZE, which PostgreSQL refuses
    while a cursor is open: the sources read each chunk with a query of its own."""
    from screening.sources import WriteModelRecords

    call_command("load_seed_corpus", verbosity=0)
    assert not connection.in_atomic_block
    assert services.rebuild(PublishedRecords(chunk_size=10), progress=False, batch_size=7) == 53
    assert set(indexed()) == published_entity_ids()
    assert services.rebuild(WriteModelRecords(chunk_size=10), progress=False, batch_size=7) == 53
