"""Offsets into article text.

Offsets are Unicode code points (Python str indices), end exclusive: the same unit
PostgreSQL's substr() and char_length() count in a UTF-8 database, so the model and
the database check one rule.
"""
import unicodedata

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
    return text[start:end], text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


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
