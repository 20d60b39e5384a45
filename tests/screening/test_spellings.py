"""Known cross-script spellings, learnt from cited names: built from published documents,
following publication, and used when screening any entity."""

import io

import pytest
from django.core.management import call_command

from entities.models import Entity, Name
from publishing import services as publishing
from screening import services
from screening.models import CitedSpelling
from screening.records import EntityRecord, NameRecord, Query
from screening.spellings import cited_pairs
from tests.builders import approve_now, citation, entity, make_source

KHMER = "ប៉ុល ពត"  # Pol Pot, in a script the rules don't read (anyascii: "paul pt")


def test_names_cited_in_two_scripts_give_the_spelling_of_each_word():
    obama = EntityRecord(
        "e1",
        "person",
        [
            NameRecord("Barack Obama", "primary", "en"),
            NameRecord("贝拉克·奥巴马", "alias", "zh"),  # pinyin "bei la ke ao ba ma"
            NameRecord("Μπαράκ Ομπάμα", "alias", "el"),  # the rules read Greek: nothing to learn
            NameRecord("Барри", "weak_alias", "ru"),  # a nickname is no spelling
        ],
    )
    assert cited_pairs(obama) == {("贝拉克", "barack"), ("奥巴马", "obama")}
    pol_pot = EntityRecord("e2", "person", [NameRecord("Pol Pot", "primary", "en"), NameRecord(KHMER, "alias", "km")])
    assert cited_pairs(pol_pot) == {("ប៉ុល", "pol"), ("ពត", "pot")}


def test_an_organisations_translated_name_is_no_spelling():
    ministry = [NameRecord("Russian Defence Ministry", "primary", "en")]
    translated = EntityRecord(
        "e3", "organisation", [*ministry, NameRecord("Министерство обороны России", "alias", "ru")]
    )
    assert cited_pairs(translated) == set()
    spelled = EntityRecord(
        "e4", "organisation", [*ministry, NameRecord("Рашн Дефенс Министри", "transliteration", "ru")]
    )
    # (Министри is read as ministry by the rules: nothing to learn there)
    assert cited_pairs(spelled) == {("рашн", "russian"), ("дефенс", "defence")}


@pytest.mark.django_db
def test_a_spelling_cited_for_one_entity_screens_every_entity_and_follows_publication(users):
    namesake = EntityRecord("ent_namesake", "person", [NameRecord("Pol Pot", "primary", "en")])
    services.index_entity(namesake)
    assert all(r.score < 0.7 for r in services.match(Query(KHMER, kind="person")))

    src = make_source(f"The Khmer Rouge leader Pol Pot ({KHMER}) died in 1998.")
    person = entity("Pol Pot", Entity.Kind.PERSON, citation(src, "Pol Pot"))
    khmer = Name.objects.create(entity=person, value=KHMER, type=Name.Type.TRANSLITERATION, lang="km")
    khmer.citations.add(citation(src, KHMER))
    change_set = publishing.record_edit(users.curator, person)
    publishing.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)

    results = {r.entity_id: r for r in services.match(Query(KHMER, kind="person"))}
    assert results["ent_namesake"].match  # read as its cited spelling, "Pol Pot"
    assert results["ent_namesake"].features[0].detail["query_name"] == f"{KHMER} (as cited: pol pot)"
    table = set(CitedSpelling.objects.values_list("form", "equivalent", "entity__entity_id"))
    assert table == {("ប៉ុល", "pol", person.public_id), ("ពត", "pot", person.public_id)}

    # a full rebuild from the published documents gives the same table
    call_command("rebuild_match_index", stdout=io.StringIO(), stderr=io.StringIO())
    assert set(CitedSpelling.objects.values_list("form", "equivalent", "entity__entity_id")) == table
    services.index_entity(namesake)  # (not published: the rebuild left it out)
    assert services.match(Query(KHMER, kind="person"))[0].match

    # the name republished as a weak alias (no spelling): the pairs go with it
    khmer.type = Name.Type.WEAK_ALIAS
    khmer.save()
    change_set = publishing.record_edit(users.curator, person)
    publishing.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)
    assert not CitedSpelling.objects.exists()
    assert all(r.score < 0.7 for r in services.match(Query(KHMER, kind="person")))
