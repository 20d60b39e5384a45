"""Where does a citation of an old text fall in its corrected text?

A cascade, each step stricter about ambiguity than the one before:

1. same position: the corrected text has the identical quote at the same offsets;
2. unique quote: the quote occurs exactly once in the corrected text;
3. context: the quote occurs several times, and the prefix/suffix (W3C TextQuoteSelector
   context) single out one occurrence clearly.

A short quote ("Kirby") is only placed where its surroundings still resemble the old
ones (CONTEXT_MIN), so it is not moved into an unrelated sentence just because the word
occurs there; a long quote (LONG_QUOTE code points or more) found exactly once, or at
its old position, is evidence enough on its own. A quote whose words changed is never placed
automatically: the claim would then be backed by words the curator never read. Such
citations, and any the cascade can't place with confidence, come back with a reason and
the candidate spans for a curator to decide.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .text import CONTEXT

CONTEXT_MIN = 0.5  # mean prefix/suffix similarity below which surroundings "changed"
CONTEXT_CLEAR = 0.75  # a winner among several occurrences must score at least this...
CONTEXT_MARGIN = 0.15  # ...and beat the runner-up by this much
LONG_QUOTE = 24  # code points: a unique exact match of this length can't be chance
MAX_CANDIDATES = 10
ANCHOR = 12  # characters of prefix/suffix used to find where a changed quote went


@dataclass
class Placement:
    method: str = ""  # "same_position" | "unique_quote" | "context" when placed
    start: int | None = None
    end: int | None = None
    score: float = 0.0
    problem: str = ""  # a ReanchorProblem.Reason value when not placed
    detail: str = ""
    candidates: list = field(default_factory=list)

    @property
    def placed(self):
        return bool(self.method)


def similarity(a, b):
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def context_score(prefix, suffix, text, start, end):
    """How much the text around text[start:end] resembles the old prefix and suffix (0–1)."""
    new_prefix = text[max(0, start - CONTEXT) : start]
    new_suffix = text[end : end + CONTEXT]
    return (similarity(prefix, new_prefix) + similarity(suffix, new_suffix)) / 2


def occurrences(text, quote):
    at = text.find(quote)
    while at != -1:
        yield at
        at = text.find(quote, at + 1)


def _candidate(text, start, end, score):
    return {"start": start, "end": end, "quote": text[start:end], "score": round(score, 3)}


def _changed_quote_candidates(quote, prefix, suffix, text):
    """Spans between where the old prefix ends and the old suffix starts, scored by how
    much their words resemble the old quote."""
    before, after = prefix[-ANCHOR:], suffix[:ANCHOR]
    if not before and not after:
        return []
    found = []
    lefts = [p + len(before) for p in occurrences(text, before)] if before else [0]
    for left in lefts[:50]:
        right = text.find(after, left) if after else len(text)
        if right <= left or right - left > 2 * len(quote) + 40:
            continue
        found.append(_candidate(text, left, right, similarity(quote, text[left:right])))
    return sorted(found, key=lambda c: -c["score"])[:MAX_CANDIDATES]


def place(quote, prefix, suffix, start, end, text):
    """Placement of the citation (quote at start–end with prefix/suffix) in `text`."""
    long_quote = len(quote) >= LONG_QUOTE
    if text[start:end] == quote:
        score = context_score(prefix, suffix, text, start, end)
        if score >= CONTEXT_MIN or long_quote:
            return Placement("same_position", start, end, score)
    scored = sorted(
        (
            _candidate(text, at, at + len(quote), context_score(prefix, suffix, text, at, at + len(quote)))
            for at in occurrences(text, quote)
        ),
        key=lambda c: -c["score"],
    )
    if not scored:
        candidates = _changed_quote_candidates(quote, prefix, suffix, text)
        if candidates:
            return Placement(
                problem="quote_changed",
                detail="The quote's words are not in the corrected text; the text between its old "
                "prefix and suffix now reads differently.",
                candidates=candidates,
            )
        return Placement(
            problem="not_found", detail="Neither the quote nor its surroundings occur in the corrected text."
        )
    best = scored[0]
    if len(scored) == 1:
        if best["score"] >= CONTEXT_MIN or long_quote:
            return Placement("unique_quote", best["start"], best["end"], best["score"])
        return Placement(
            problem="context_changed",
            detail=f"The quote occurs once, but the text around it changed (similarity {best['score']:.2f}).",
            candidates=scored,
        )
    runner_up = scored[1]["score"]
    if best["score"] >= CONTEXT_CLEAR and best["score"] - runner_up >= CONTEXT_MARGIN:
        return Placement("context", best["start"], best["end"], best["score"])
    return Placement(
        problem="ambiguous",
        detail=f"The quote occurs {len(scored)} times and its surroundings don't single one out "
        f"(best {best['score']:.2f}, next {runner_up:.2f}).",
        candidates=scored[:MAX_CANDIDATES],
    )
