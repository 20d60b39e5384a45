"""The PostgreSQL match index: incremental updates, full rebuilds, one-query matching."""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from screening import services
from screening.models import IndexedEntity, NameKey
from screening.records import EntityRecord, NameRecord, Query
from screening.sources import write_model_records

pytestmark = pytest.mark.django_db

BAGHERI = EntityRecord(
    "ent_bagheri",
    "person",
    [NameRecord("Mohammad Hossein Bagheri", "primary", "en"), NameRecord("محمد حسین باقری", "transliteration", "fa")],
    birth_date="1960",
    countries=("IR",),
    identifiers=[("passport", "P123 456")],
)
ZELENSKYY = EntityRecord(
    "ent_zelenskyy",
    "person",
    [("Volodymyr Zelenskyy", "primary", "en"), ("Wolodymyr Selensky", "transliteration", "de")],
)
SHOIGU = EntityRecord("ent_shoigu", "person", [("Sergei Schoigu", "primary", "de")])
IRGC = EntityRecord(
    "ent_irgc",
    "organisation",
    [("Iranian Revolutionary Guard Corps", "primary", "en"), ("IRGC", "alias", "en"), ("Sepah", "weak_alias", "fa")],
)


def filler(count, seed=1):
    """Entities with common Persian and Russian names, to crowd the posting lists."""
    rng = random.Random(seed)
    given = ["Mohammad", "Ali", "Hossein", "Reza", "Sergei", "Ivan", "Dmitri", "Hassan", "Mahmoud", "Olga"]
    family = ["Ahmadi", "Hosseini", "Rezaei", "Ivanov", "Petrov", "Smirnov", "Karimi", "Moradi", "Sokolov", "Kuznetsov"]
    return [
        EntityRecord(
            f"ent_fill{i}", "person", [f"{rng.choice(given)} {rng.choice(given)} {rng.choice(family)}{i % 97}"]
        )
        for i in range(count)
    ]


def ids(results):
    return [r.entity_id for r in results]


def test_index_entity_then_match_across_scripts_and_spellings():
    for record in (BAGHERI, ZELENSKYY, SHOIGU, IRGC):
        services.index_entity(record)
    assert ids(services.match(Query("محمد حسین باقری")))[:1] == ["ent_bagheri"]
    assert ids(services.match(Query("Bagheri, Muhammad Hosein")))[:1] == ["ent_bagheri"]
    assert ids(services.match(Query("Володимир Зеленський")))[:1] == ["ent_zelenskyy"]
    assert ids(services.match(Query("Ζελένσκι Βολοντίμιρ")))[:1] == ["ent_zelenskyy"]
    assert ids(services.match(Query("Sergey Shoigu")))[:1] == ["ent_shoigu"]
    top = services.match(Query("Сергей Шойгу", kind="person"))[0]
    assert (top.entity_id, top.match) == ("ent_shoigu", True)


def test_match_ranks_explains_and_applies_the_threshold():
    for record in (BAGHERI, ZELENSKYY, SHOIGU, IRGC):
        services.index_entity(record)
    results = services.match(Query("Mohammad Bagheri", birth_date="1960-05-17", countries=["IR"]), threshold=0.8)
    best = results[0]
    assert best.entity_id == "ent_bagheri" and best.match
    assert [f.feature for f in best.features] == ["name", "birth_date", "countries"]
    weak = services.match(Query("Sepah"))
    assert ids(weak) == ["ent_irgc"] and not weak[0].match and weak[0].name_type == "weak_alias"


def test_an_identifier_finds_an_entity_whatever_the_name():
    services.index_entity(BAGHERI)
    results = services.match(Query("Unknown Person", identifiers=[("passport", "p123456")]))
    assert ids(results) == ["ent_bagheri"] and results[0].match


def test_index_entity_replaces_the_previous_version():
    services.index_entity(BAGHERI)
    renamed = EntityRecord("ent_bagheri", "person", [("Mohammad Bagheri Afshardi", "primary", "en")])
    services.index_entity(renamed)
    assert IndexedEntity.objects.count() == 1
    assert IndexedEntity.objects.get().caption == "Mohammad Bagheri Afshardi"
    old_spelling = services.match(Query("محمد حسین باقری"))  # the Persian name is gone: only a partial match
    assert [(r.name, r.match) for r in old_spelling] == [("Mohammad Bagheri Afshardi", False)]
    assert ids(services.match(Query("Afshardi Mohammad Bagheri"))) == ["ent_bagheri"]
    keys = set(NameKey.objects.values_list("key", flat=True))
    assert "i:P123456" not in keys  # and so is the old identifier


def test_remove_entity_retracts_it():
    services.index_entity(BAGHERI)
    services.index_entity(SHOIGU)
    assert services.remove_entity("ent_bagheri") is True
    assert services.remove_entity("ent_bagheri") is False
    assert services.match(Query("Mohammad Hossein Bagheri")) == []
    assert list(NameKey.objects.values_list("entity__entity_id", flat=True).distinct()) == ["ent_shoigu"]


def test_rebuild_replaces_everything_in_one_go():
    services.index_entity(BAGHERI)
    count = services.rebuild([ZELENSKYY, SHOIGU, IRGC], progress=False, batch_size=2)
    assert count == 3
    assert set(IndexedEntity.objects.values_list("entity_id", flat=True)) == {"ent_zelenskyy", "ent_shoigu", "ent_irgc"}
    assert ids(services.match(Query("Selenskyj Wolodymyr")))[:1] == ["ent_zelenskyy"]
    # the key table's primary key and indexes are back after the bulk load
    services.index_entity(BAGHERI)
    assert ids(services.match(Query("Mohammad Hossein Bagheri"))) == ["ent_bagheri"]
    first = NameKey.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        NameKey.objects.create(key=first.key, entity=first.entity)


def test_rebuild_refuses_duplicate_entities_and_keeps_the_old_index():
    services.index_entity(BAGHERI)
    with pytest.raises(ValueError, match="twice"):
        services.rebuild([SHOIGU, SHOIGU], progress=False)
    assert list(IndexedEntity.objects.values_list("entity_id", flat=True)) == ["ent_bagheri"]


@pytest.mark.parametrize("size", [10, 3000])
def test_match_is_one_query_whatever_the_index_size(size, django_assert_num_queries):
    services.rebuild(filler(size) + [BAGHERI, ZELENSKYY], progress=False)
    # 1. retrieval: keys → capped posting lists → top candidates, joined with their documents
    with django_assert_num_queries(1):
        results = services.match(Query("Mohammad Hossein Bagheri"))
    assert results[0].entity_id == "ent_bagheri"
    with django_assert_num_queries(1):
        results = services.match(Query("Hosseini Mohammad"))  # only very common words
    assert results and all(r.score < 1 or "Hosseini" in r.name for r in results)


def test_a_rare_name_is_found_among_many_common_ones():
    services.rebuild(filler(5000) + [EntityRecord("ent_rare", "person", ["Mohammad Ali Zolfaghari"])], progress=False)
    assert ids(services.match(Query("Mohammad Ali Zolfaghari")))[:1] == ["ent_rare"]
    assert ids(services.match(Query("Zolfagari, Muhammad Ali")))[:1] == ["ent_rare"]


@pytest.mark.usefixtures("seed_corpus")
class TestSeedCorpus:
    def test_the_write_model_source_reads_live_entities_of_the_seed_corpus(self):
        records = list(write_model_records())
        assert len(records) == len(write_model_records()) == 53
        zelenskyy = next(r for r in records if r.caption == "Volodymyr Zelenskyy")
        assert ("Wolodymyr Selensky", "transliteration", "de") in [(n.value, n.type, n.lang) for n in zelenskyy.names]

    def test_the_rebuild_command_can_index_the_write_model_for_development(self):
        out, err = io.StringIO(), io.StringIO()
        call_command("rebuild_match_index", source="screening.sources.write_model_records", stdout=out, stderr=err)
        assert "Match index rebuilt: 53 entities from screening.sources.write_model_records" in out.getvalue()
        assert "indexing entities" in err.getvalue() and "53/53" in err.getvalue()
        assert services.match(Query("Сергей Шойгу"))[0].name == "Sergei Schoigu"


def test_the_rebuild_command_names_a_bad_source():
    with pytest.raises(CommandError, match="no.such"):
        call_command("rebuild_match_index", source="no.such.source", no_progress=True)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": -0.1}, "threshold"),
        ({"threshold": "0.7"}, "threshold"),
    ],
)
def test_match_refuses_a_bad_limit_or_threshold(kwargs, field):
    with pytest.raises(services.InvalidQuery) as refused:
        services.match(Query("Ali Reza"), **kwargs)
    assert refused.value.field == field
