"""Re-anchoring citations in a corrected text: the cascade, and what it refuses to guess."""

import pytest

from sources.reanchor import place

OLD = (
    "Der Kreml forderte Drohnen aus dem Iran. "
    "Kirby sagte am Freitag, Schoigu habe Teheran besucht. "
    "Später warnte Kirby vor neuen Lieferungen. "
    "Die Anlage in Alabuga soll 6.000 Drohnen bauen."
)


def cite(text, quote, nth=1):
    """(quote, prefix, suffix, start, end) of a citation of text, as stored."""
    start = -1
    for _ in range(nth):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return quote, text[max(0, start - 32) : start], text[end : end + 32], start, end


def test_a_quote_still_at_its_position_stays_there():
    new = OLD.replace("6.000", "sechstausend")  # corrected after the quote
    placement = place(*cite(OLD, "Der Kreml"), new)
    assert (placement.method, placement.start, placement.end) == ("same_position", 0, 9)


def test_a_quote_that_moved_and_occurs_once_is_found():
    new = "Washington (AP) — " + OLD
    placement = place(*cite(OLD, "Schoigu habe Teheran besucht"), new)
    assert placement.method == "unique_quote"
    assert new[placement.start : placement.end] == "Schoigu habe Teheran besucht"


def test_a_repeated_quote_is_placed_by_its_surroundings():
    new = "Washington (AP) — " + OLD
    first = place(*cite(OLD, "Kirby", 1), new)
    second = place(*cite(OLD, "Kirby", 2), new)
    assert (first.method, second.method) == ("context", "context")
    assert new[first.start - 6 : first.end] == "Iran. Kirby"
    assert new[second.start - 14 : second.end] == "Später warnte Kirby"


def test_a_quote_whose_words_were_corrected_is_flagged_with_the_new_words_as_candidate():
    new = OLD.replace("Schoigu", "Shoigu")
    placement = place(*cite(OLD, "Schoigu"), new)
    assert not placement.placed
    assert placement.problem == "quote_changed"
    assert placement.candidates[0]["quote"] == "Shoigu"
    assert new[placement.candidates[0]["start"] : placement.candidates[0]["end"]] == "Shoigu"


def test_a_quote_whose_sentence_was_removed_is_flagged_not_found():
    new = OLD.replace("Später warnte Kirby vor neuen Lieferungen. ", "")
    placement = place(*cite(OLD, "vor neuen Lieferungen"), new)
    assert (placement.placed, placement.problem, placement.candidates) == (False, "not_found", [])


def test_a_short_quote_is_not_moved_into_an_unrelated_sentence():
    # "Alabuga" occurs once in the new text, but in a sentence that has nothing of the old one
    new = "Kirby äußerte sich nicht. Über Alabuga wurde nichts bekannt."
    placement = place(*cite(OLD, "Alabuga"), new)
    assert placement.problem == "context_changed"
    assert placement.candidates[0]["quote"] == "Alabuga"


def test_a_repeated_quote_whose_surroundings_single_none_out_is_flagged_ambiguous():
    new = "Neue Drohnen kamen. Alte Drohnen gingen."
    placement = place(*cite(OLD, "Drohnen", 1), new)
    assert placement.problem == "ambiguous"
    assert [c["quote"] for c in placement.candidates] == ["Drohnen", "Drohnen"]


def test_astral_characters_and_combining_marks_are_counted_in_code_points():
    old = "Firma 𝔘𝔫𝔦 und Kę\u0301stutis 🙂 trafen sich."
    new = "🙂🙂 " + old
    placement = place(*cite(old, "Kę\u0301stutis"), new)
    assert placement.method == "unique_quote"
    assert new[placement.start : placement.end] == "Kę\u0301stutis"
    assert placement.start == old.index("Kę") + 3  # two emoji and a space: three code points


@pytest.mark.parametrize("quote", ["Der Kreml", "Kirby", "Alabuga", "6.000 Drohnen"])
def test_an_unchanged_text_places_every_quote_where_it_was(quote):
    for nth in range(1, OLD.count(quote) + 1):
        _, _, _, start, end = args = cite(OLD, quote, nth)
        placement = place(*args, OLD)
        assert (placement.method, placement.start, placement.end) == ("same_position", start, end)


def test_a_long_quote_found_once_is_placed_even_if_everything_around_it_changed():
    quote = "Schoigu habe Teheran besucht"  # 28 code points
    new = "Neu: " + quote + " — so der Bericht."
    placement = place(*cite(OLD, quote), new)
    assert placement.method == "unique_quote" and placement.score < 0.5
