"""Offsets from a browser (UTF-16) to code points, pieces of highlighted text, sentences."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from sources import text as textlib

# "𝔘" and "🙂" are outside the BMP: one code point, two UTF-16 units each. "ę́" is
# e-ogonek + COMBINING ACUTE ACCENT: NFC has no single character for it, so the
# accent stays a code point of its own.
TRICKY = unicodedata.normalize("NFC", "Die 𝔘nion 🙂 traf Kę\u0301stutis in Vilnius.")


def utf16(s):
    return len(s.encode("utf-16-le")) // 2


def test_the_sample_text_keeps_its_astral_characters_and_combining_mark():
    assert "\u0119\u0301" in TRICKY  # the accent survived NFC
    assert utf16(TRICKY) == len(TRICKY) + 2  # two astral characters


@pytest.mark.parametrize("quote", ["Die", "𝔘nion", "🙂", "Kę\u0301stutis", "Vilnius.", "traf Kę\u0301stutis in"])
def test_utf16_offsets_convert_to_the_code_points_python_and_postgresql_count(quote):
    start = TRICKY.index(quote)
    end = start + len(quote)
    start16, end16 = utf16(TRICKY[:start]), utf16(TRICKY[:end])  # what JavaScript reports
    assert textlib.index_from_utf16(TRICKY, start16) == start
    assert textlib.index_from_utf16(TRICKY, end16) == end
    assert TRICKY[start:end] == quote


def test_an_offset_between_the_halves_of_an_astral_character_is_refused():
    inside = utf16(TRICKY[: TRICKY.index("𝔘")]) + 1
    with pytest.raises(ValidationError, match="inside a character outside the BMP"):
        textlib.index_from_utf16(TRICKY, inside, "start_utf16")


@pytest.mark.parametrize("offset", [-1, utf16(TRICKY) + 1])
def test_an_offset_outside_the_text_is_refused(offset):
    with pytest.raises(ValidationError, match="outside the text"):
        textlib.index_from_utf16(TRICKY, offset, "end_utf16")


def test_a_cut_before_a_combining_mark_splits_a_character():
    accent = TRICKY.index("\u0301")
    assert textlib.splits_character(TRICKY, accent)
    assert not textlib.splits_character(TRICKY, accent + 1)
    assert not textlib.splits_character(TRICKY, 0)
    assert not textlib.splits_character(TRICKY, len(TRICKY))


def test_segments_split_overlapping_and_nested_spans_at_every_boundary():
    # "Sergej Schoigu" (a) contains "Schoigu" (b), which overlaps "Schoigu traf" (c)
    pieces = textlib.segments(30, [(0, 14, "a"), (7, 14, "b"), (7, 19, "c")])
    assert pieces == [
        (0, 7, ("a",)),
        (7, 14, ("a", "b", "c")),
        (14, 19, ("c",)),
        (19, 30, ()),
    ]


def test_segments_of_an_uncited_text_are_the_whole_text():
    assert textlib.segments(5, []) == [(0, 5, ())]


@pytest.mark.parametrize(
    "quote,sentence",
    [
        ("Hossein Salami", "TEHRAN (AP) — Maj. Gen. Hossein Salami, commander of the Guard, spoke."),
        ("EU", "The EU acted on 1. März against the unit."),
        ("Kirby", "„Kirby sagte, die USA würden handeln.“"),
        ("Moskau", "Teheran verlangt von Moskau Ausrüstung"),
    ],
)
def test_the_sentence_around_a_quote_skips_abbreviations_and_ends_at_line_breaks(quote, sentence):
    text = (
        "TEHRAN (AP) — Maj. Gen. Hossein Salami, commander of the Guard, spoke. The EU acted on 1. März against "
        "the unit. „Kirby sagte, die USA würden handeln.“ Danach.\nTeheran verlangt von Moskau Ausrüstung\nEnde."
    )
    start = text.index(quote)
    found = textlib.sentence_bounds(text, start, start + len(quote))
    assert text[found.lo : found.hi] == sentence
    assert not found.cut_before and not found.cut_after


def test_a_sentence_longer_than_the_limit_is_cut_and_says_so():
    text = "word " * 200
    found = textlib.sentence_bounds(text, 500, 504, limit=50)
    assert (found.lo, found.hi) == (450, 554)
    assert found.cut_before and found.cut_after
