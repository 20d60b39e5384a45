"""verify_provenance finds tampering that bypassed the guards, and names the records."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sources.models import Evidence
from tests.builders import TEXT, citation, person, source

pytestmark = pytest.mark.django_db


def tamper(sql, params):
    """Raw SQL with the text guard and the hash constraint out of the way, as an attacker with DB access."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush the test transaction's deferred FK checks
        cur.execute("ALTER TABLE sources_source DISABLE TRIGGER source_text_immutable")
        cur.execute("ALTER TABLE sources_source DROP CONSTRAINT source_text_sha256")
        cur.execute(sql, params)


def test_a_clean_database_verifies(capsys):
    citation(source(), "Schoigu")
    call_command("verify_provenance", no_progress=True)
    assert "Provenance verified" in capsys.readouterr().out


def test_a_text_changed_behind_the_guard_is_reported_with_ids_and_exits_non_zero(capsys):
    src = source()
    cite = citation(src, "Schoigu")
    tamper("UPDATE sources_source SET text = replace(text, 'Schoigu', 'Shoigu!') WHERE id = %s", [src.pk])
    with pytest.raises(CommandError, match="2 provenance problem"):
        call_command("verify_provenance", no_progress=True)
    out = capsys.readouterr().out
    assert f"source {src.pk} (source {src.public_id}): stored sha256 {src.text_sha256}" in out
    assert f"citation {cite.pk} (source {src.public_id}): quote 'Schoigu' but the text at" in out


def test_a_rehashed_tampered_text_is_still_caught_by_its_citations(capsys):
    src = source()
    cite = citation(src, "Teheran")
    forged = TEXT.replace("Teheran", "Moskau!")
    tamper(
        "UPDATE sources_source SET text = %s, text_sha256 = %s WHERE id = %s",
        [forged, hashlib.sha256(forged.encode()).hexdigest(), src.pk],
    )
    with pytest.raises(CommandError, match="1 provenance problem"):
        call_command("verify_provenance", no_progress=True)
    assert f"citation {cite.pk}" in capsys.readouterr().out


def test_the_progress_bar_counts_rows(capsys):
    src = source()
    citation(src, "Schoigu")
    citation(src, "Teheran")
    call_command("verify_provenance")
    err = capsys.readouterr().err
    assert "checking citations" in err and "2/2" in err


def test_a_changed_suffix_is_reported_and_every_batch_of_sources_is_checked(capsys, monkeypatch):
    from sources import integrity

    monkeypatch.setattr(integrity, "SOURCE_BATCH", 1)  # one source per batch
    first, second = source(), source(TEXT + " Zweiter Text.")
    citation(first, "𝔐𝔬𝔰𝔨𝔞𝔲")  # astral characters: code points, not UTF-16 units
    cite = citation(second, "Teheran")
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE sources_citation DISABLE TRIGGER citation_matches_text")
        cur.execute("UPDATE sources_citation SET suffix = 'forged' WHERE id = %s", [cite.pk])
    with pytest.raises(CommandError, match="1 provenance problem"):
        call_command("verify_provenance", no_progress=True)
    out = capsys.readouterr().out
    assert f"citation {cite.pk} (source {second.public_id}): prefix or suffix at" in out


def test_evidence_for_a_property_its_claim_cannot_have_is_reported(capsys):
    src = source()
    cite = citation(src, "Schoigu")
    shoigu = person("Sergei Shoigu", cite)
    Evidence.objects.create(claim=shoigu, citation=cite, property="nationalities:RU")  # a person's: fine
    name = shoigu.names.get()
    wrong = Evidence.objects.create(claim=name, citation=cite, property="birth_date")  # a name has none
    with pytest.raises(CommandError, match="1 provenance problem"):
        call_command("verify_provenance", no_progress=True)
    out = capsys.readouterr().out
    assert f"evidence {wrong.pk} (source {src.public_id}): name claim {name.pk} has no property 'birth_date'" in out
