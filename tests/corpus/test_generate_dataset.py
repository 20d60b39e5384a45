"""generate_dataset: N synthetic entities published through review, reproducible from a seed."""

import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from corpus import synthetic
from entities.models import Entity, Name
from publishing.models import ChangeSet, PublishedRecord
from sources.models import Citation, Claim

pytestmark = pytest.mark.django_db


def generate(n, seed, **options):
    call_command("generate_dataset", entities=n, seed=seed, no_progress=True, **options)


def published_hashes():
    return dict(
        PublishedRecord.objects.filter(operation="upsert", record_type__in=["entity", "sanction"])
        .order_by("record_id")
        .values_list("record_id", "content_hash")
    )


def test_it_publishes_the_requested_number_of_entities_through_review(capsys):
    generate(50, seed=1, batch_size=20)
    assert "Published 50 entities and 3 sanction actions in 3 change set(s)" in capsys.readouterr().out
    heads = PublishedRecord.objects.filter(operation="upsert")
    assert heads.filter(record_type="entity").count() == 50
    assert heads.filter(record_type="sanction").count() == 3
    for change_set in ChangeSet.objects.all():  # one per batch, four eyes
        assert change_set.state == ChangeSet.State.PUBLISHED
        assert (change_set.submitted_by.username, change_set.approved_by.username) == ("curator", "reviewer")
    # every claim is cited, and every document shows its citations
    assert not Claim.objects.filter(evidence__isnull=True).exists()
    doc = heads.filter(record_type="entity").first().document
    assert doc["citations"] and all(n["citations"] for n in doc["names"])


def test_names_come_in_latin_persian_and_cyrillic_script_with_aliases_and_other_claims():
    generate(50, seed=2)
    names = list(Name.objects.values_list("value", "type", "lang"))
    scripts = {unicodedata.name(ch).split()[0] for value, _, _ in names for ch in value if ch.isalpha()}
    assert {"LATIN", "ARABIC", "CYRILLIC"} <= scripts
    assert {t for _, t, _ in names} >= {"primary", "alias", "transliteration"}
    assert {lang for _, _, lang in names} == {"en", "fa", "ru"}
    docs = [d for d in PublishedRecord.objects.filter(record_type="entity").values_list("document", flat=True)]
    assert any(d["identifiers"] for d in docs) and any(d["relationships"] for d in docs)
    assert any(d["sanctions"] for d in docs)
    assert {d["kind"] for d in docs} == {"person", "organisation"}


def test_citations_quote_the_exact_words_and_verify_provenance_is_clean(capsys):
    generate(50, seed=3)
    # a name's citation quotes exactly that name (offsets are code points, scripts mixed)
    for name in Name.objects.prefetch_related("citations__source")[:200]:
        assert [c.quote for c in name.citations.all()] == [name.value]
        c = name.citations.all()[0]
        assert c.source.text[c.start : c.end] == name.value
    assert Citation.objects.count() > 150
    call_command("verify_provenance", no_progress=True)
    assert "Provenance verified" in capsys.readouterr().out


def _sequences():
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename FROM pg_sequences")
        state = {}
        for (name,) in cursor.fetchall():
            cursor.execute(f"SELECT last_value, is_called FROM {name}")
            state[name] = cursor.fetchone()
    return state


def _restore(state):
    with connection.cursor() as cursor:
        for name, (last_value, is_called) in state.items():
            cursor.execute("SELECT setval(%s, %s, %s)", [name, last_value, is_called])


class Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_documents():
    # Documents name claims by primary key, so the second run starts from the same
    # sequence values, as on a fresh database.
    before = _sequences()
    with pytest.raises(Rollback), transaction.atomic():
        generate(45, seed=4, batch_size=20)
        first = published_hashes()
        raise Rollback
    _restore(before)
    generate(45, seed=4)  # the batch size does not change the dataset
    assert published_hashes() == first and len(first) == 45 + 3
    assert list(synthetic.articles(4, 45))[1].text == list(synthetic.articles(4, 45, start=1))[0].text


def test_a_second_run_with_the_same_seed_is_refused_and_another_seed_adds_entities():
    generate(20, seed=5)
    with pytest.raises(CommandError, match="seed 5 is already here .*Use another --seed"):
        generate(20, seed=5)
    generate(20, seed=6)
    assert Entity.objects.count() == 40
    assert PublishedRecord.objects.filter(record_type="entity").count() == 40


@pytest.mark.parametrize(
    "options, message",
    [
        ({"entities": 0}, "--entities must be at least 1"),
        ({"entities": 5, "batch_size": 3}, "--batch-size must be at least 20"),
        ({"entities": 5, "curator": "sam", "reviewer": "sam"}, "must be different accounts"),
    ],
)
def test_bad_options_are_refused_with_a_message(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_dataset", no_progress=True, **options)
