"""Offsets into article text.

Offsets are Unicode code points (Python str indices), end exclusive: the same unit
PostgreSQL's substr() and char_length() count in a UTF-8 database, so the model and
the database check one rule.
"""

import unicodedata
from itertools import pairwise
from typing import NamedTuple

from django.core.exceptions import ValidationError

CONTEXT = 32  # characters of prefix/suffix kept to re-find a quote (W3C TextQuoteSelector)


def normalise(text):
    """NFC with \n line ends (browsers post CRLF; offsets must not depend on that),
    and refuse NUL (PostgreSQL can't store it in text)."""
    if "\x00" in text:
        raise ValidationError("The text contains a NUL byte (\\x00); remove it.", code="nul")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def span_context(text, start, end):
    """(quote, prefix, suffix) for a span, after checking it lies inside the text."""
    if not (0 <= start < end <= len(text)):
        raise ValidationError(
            "Span %(start)s–%(end)s is not inside the text (0–%(length)s) or is empty.",
            code="span",
            params={"start": start, "end": end, "length": len(text)},
        )
    return text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def find_quote(text, quote, nth=None):
    """Start offset of `quote` in `text`: the nth occurrence (1-based), or the only one.

    Raises ValidationError naming the count when the quote is absent or ambiguous.
    """
    positions = []
    at = text.find(quote)
    while at != -1:
        positions.append(at)
        at = text.find(quote, at + 1)
    if not positions:
        raise ValidationError("Quote %(quote)r does not occur in the text.", params={"quote": quote})
    if nth is None:
        if len(positions) > 1:
            raise ValidationError(
                "Quote %(quote)r occurs %(count)s times; say which occurrence (nth).",
                params={"quote": quote, "count": len(positions)},
            )
        return positions[0]
    if not 1 <= nth <= len(positions):
        raise ValidationError(
            "Quote %(quote)r occurs %(count)s times; nth=%(nth)s is out of range.",
            params={"quote": quote, "count": len(positions), "nth": nth},
        )
    return positions[nth - 1]


# ----------------------------------------------------------- offsets from a browser


def utf16_length(text):
    """Length in UTF-16 code units: what JavaScript's String.length counts."""
    return len(text.encode("utf-16-le")) // 2


def utf16_offsets(text, offsets):
    """{code-point offset: UTF-16 offset} for many offsets, in one pass over the text."""
    out, units, previous = {}, 0, 0
    for offset in sorted(offsets):
        units += utf16_length(text[previous:offset])
        out[offset] = units
        previous = offset
    return out


def index_from_utf16(text, offset, field="offset"):
    """Code-point index of a UTF-16 offset into text.

    JavaScript counts a character outside the BMP (emoji, 𝔘) as two units, Python and
    PostgreSQL as one; an offset between the two halves of such a character is refused.
    """
    units = text.encode("utf-16-le")
    if not 0 <= offset <= len(units) // 2:
        raise ValidationError(
            "%(field)s %(offset)s is outside the text (0–%(length)s UTF-16 units).",
            code="outside",
            params={"field": field, "offset": offset, "length": len(units) // 2},
        )
    try:
        return len(units[: offset * 2].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise ValidationError(
            "%(field)s %(offset)s falls inside a character outside the BMP (between its two UTF-16 halves).",
            code="split_character",
            params={"field": field, "offset": offset},
        ) from None


def is_mark(char):
    """A combining mark (accent, vowel sign): it belongs to the character before it."""
    return unicodedata.category(char).startswith("M")


def splits_character(text, index):
    """True when a cut at index separates a combining mark from its base character."""
    return 0 < index < len(text) and is_mark(text[index])


# ------------------------------------------------------------------ showing spans


def segments(length, spans):
    """Split [0, length) at every span boundary.

    spans: (start, end, key) triples, overlapping or nested freely. Returns
    (start, end, keys) for each piece, keys being those of the spans covering the whole
    piece in the order they start (empty for text no span covers), so overlapping
    spans are drawn piece by piece without nesting HTML elements.
    """
    starts, ends = {}, {}
    for start, end, key in spans:
        starts.setdefault(start, []).append(key)
        ends.setdefault(end, []).append(key)
    bounds = sorted({0, length, *starts, *ends})
    active = {}  # insertion-ordered set
    pieces = []
    for a, b in pairwise(bounds):
        for key in ends.get(a, ()):
            active.pop(key, None)
        for key in starts.get(a, ()):
            active[key] = None
        pieces.append((a, b, tuple(active)))
    return pieces


_SENTENCE_END = ".!?…"
_CLOSING = "\"'”“»«„)"


def _ends_sentence(text, i):
    """Whether the terminator at text[i] ends a sentence: not after an abbreviation
    such as "Maj." or "U.S." or a German ordinal such as "1." (short word before it)."""
    if text[i] not in _SENTENCE_END:
        return False
    if i + 1 < len(text) and not text[i + 1].isspace() and text[i + 1] not in _CLOSING:
        return False
    if text[i] == ".":
        word_start = i
        while word_start > 0 and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start:i]
        if word.isdigit() or (len(word) <= 3 and word[:1].isupper()) or "." in word:
            return False
    return True


def _ended_before(text, i):
    """Whether a sentence ends at text[i], closing quotation marks included."""
    while i >= 0 and text[i] in _CLOSING:
        i -= 1
    return i >= 0 and _ends_sentence(text, i)


class Sentence(NamedTuple):
    lo: int
    hi: int
    cut_before: bool  # the sentence goes on before lo (the limit stopped the search)
    cut_after: bool


def sentence_bounds(text, start, end, limit=240):
    """The sentence(s) containing text[start:end], at most `limit` code points either
    side of the quote; a line break always ends a sentence."""
    lo, floor = start, max(0, start - limit)
    while lo > floor and text[lo - 1] != "\n" and not (text[lo - 1].isspace() and _ended_before(text, lo - 2)):
        lo -= 1
    cut_before = lo == floor > 0
    while lo < start and text[lo].isspace():
        lo += 1
    hi, ceiling = end, min(len(text), end + limit)
    if not _ends_sentence(text, end - 1):
        while hi < ceiling and text[hi] != "\n":
            hi += 1
            if _ends_sentence(text, hi - 1):
                break
    cut_after = hi == ceiling < len(text) and not _ends_sentence(text, hi - 1)
    while hi < len(text) and text[hi] in _CLOSING:
        hi += 1
    return Sentence(lo, hi, cut_before, cut_after)
