"""Sources and citations: exact spans, immutable cited text, rules held by the database too."""

import hashlib
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from sources.models import Citation, Source
from tests.builders import TEXT, citation, person, source

pytestmark = pytest.mark.django_db


def test_it_stores_nfc_text_and_its_sha256():
    decomposed = "Selenskyj sagte: Zu\u0308rich"  # u + combining diaeresis
    src = source(text=decomposed)
    src.refresh_from_db()
    assert src.text == unicodedata.normalize("NFC", decomposed)
    assert src.text_sha256 == hashlib.sha256(src.text.encode("utf-8")).hexdigest()


def test_citation_offsets_are_code_points_even_outside_the_bmp():
    src = source()
    cite = citation(src, "Teheran")
    # 𝔐𝔬𝔰𝔨𝔞𝔲 is six astral characters: code points, not UTF-16 units, so this is 7 not 13 wide
    assert src.text[cite.start : cite.end] == "Teheran"
    assert cite.start == TEXT.index("Teheran")
    assert cite.quote == "Teheran"
    assert cite.prefix == TEXT[cite.start - 32 : cite.start]
    assert cite.suffix == TEXT[cite.end : cite.end + 32]


def test_a_citation_whose_quote_does_not_match_its_span_is_refused():
    src = source()
    start = TEXT.index("Schoigu")
    bad = Citation(source=src, start=start, end=start + 7, quote="Shoigu!")
    with pytest.raises(ValidationError, match="does not match"):
        bad.save()
    assert not Citation.objects.exists()


@pytest.mark.parametrize("start,end", [(5, 5), (10, 3), (0, len(TEXT) + 1), (len(TEXT), len(TEXT) + 2)])
def test_offsets_outside_the_text_or_empty_spans_are_refused(start, end):
    src = source()
    with pytest.raises(ValidationError):
        Citation(source=src, start=start, end=end).save()
    assert not Citation.objects.exists()


def test_the_database_refuses_a_forged_quote_even_from_raw_sql():
    src = source()
    with pytest.raises(IntegrityError, match="do not match"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            'INSERT INTO sources_citation (source_id, start, "end", quote, prefix, suffix, translation,'
            " metadata_field, created_at) VALUES (%s, 0, 5, 'Forge', '', %s, '', '', now())",
            [src.pk, TEXT[5:37]],
        )


def test_the_database_refuses_a_citation_past_the_end_of_the_text():
    src = source(text="short text")
    with pytest.raises(IntegrityError, match="outside"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            'INSERT INTO sources_citation (source_id, start, "end", quote, prefix, suffix, translation,'
            " metadata_field, created_at) VALUES (%s, 6, 40, 'text', 'short ', '', '', '', now())",
            [src.pk],
        )


def test_an_uncited_source_text_can_still_be_corrected():
    src = source()
    src.text = TEXT + " Nachtrag."
    src.save()
    src.refresh_from_db()
    assert src.text.endswith("Nachtrag.")
    assert src.text_sha256 == hashlib.sha256(src.text.encode()).hexdigest()


def test_a_cited_source_text_is_refused_by_the_model():
    src = source()
    citation(src, "Schoigu")
    src.text = TEXT.replace("Schoigu", "Shoigu")
    with pytest.raises(ValidationError):
        src.full_clean()
    with pytest.raises(ValidationError, match="can't change"):
        src.save()
    assert Source.objects.get(pk=src.pk).text == TEXT


def test_a_cited_source_text_is_refused_by_the_database_for_bulk_updates_and_raw_sql():
    src = source()
    citation(src, "Schoigu")
    with pytest.raises(IntegrityError, match="is cited"), transaction.atomic():
        Source.objects.filter(pk=src.pk).update(text="x", text_sha256=hashlib.sha256(b"x").hexdigest())
    with pytest.raises(IntegrityError, match="is cited"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE sources_source SET text = text || ' ' WHERE id = %s", [src.pk])
    assert Source.objects.get(pk=src.pk).text == TEXT


def test_the_database_refuses_a_wrong_sha256_and_non_nfc_text():
    src = source()
    with pytest.raises(IntegrityError, match="source_text_sha256"), transaction.atomic():
        Source.objects.filter(pk=src.pk).update(text_sha256="0" * 64)
    decomposed = "Zu\u0308rich"
    with pytest.raises(IntegrityError, match="source_text_nfc"), transaction.atomic():
        Source.objects.filter(pk=src.pk).update(
            text=decomposed, text_sha256=hashlib.sha256(decomposed.encode()).hexdigest()
        )


def test_nul_bytes_in_text_are_a_field_error_with_a_clear_message():
    with pytest.raises(ValidationError) as err:
        Source(text="abc\x00def", language="en").full_clean()
    assert "NUL" in " ".join(err.value.message_dict["text"])


def test_one_quote_backs_several_claims_without_copying_the_text():
    src = source()
    cite = citation(src, "Sergej Schoigu")
    shoigu = person(cite=cite)
    assert Citation.objects.count() == 1
    assert {c.specific().__class__.__name__ for c in cite.claims.all()} == {"Entity", "Name"}
    assert shoigu.names.get().citations.get() == cite


def test_the_same_span_is_one_citation():
    src = source()
    citation(src, "Teheran")
    with pytest.raises(ValidationError):
        Citation(source=src, start=TEXT.index("Teheran"), end=TEXT.index("Teheran") + 7).validate_constraints()


def test_line_ends_are_stored_as_newlines_so_offsets_do_not_depend_on_the_browser():
    src = source(text="Erste Zeile\r\nZweite Zeile\rDritte")
    assert Source.objects.get(pk=src.pk).text == "Erste Zeile\nZweite Zeile\nDritte"
