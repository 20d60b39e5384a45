"""Mention suggestions: where a text names known entities (who may be new: new_entities.py).

Offsets are always code-point offsets into the text exactly as given (Python ``str``
indices, end exclusive, the unit of ``sources.Citation``), whatever normalisation was
used to find the span: the text is cut into word tokens *with their offsets* first, and
only the tokens are normalised.

``find_mentions`` looks at every run of up to ``MAX_WINDOW`` consecutive words (on one
line, joined only by spaces, hyphens or dots) and keys it like a whole name in the index
("n:" + sorted consonant skeletons, so word order, case, diacritics, script and
romanisation variants do not matter); runs whose key belongs to a known name are then
verified with the full name comparison and a capitalisation check ("china" is not
"China", "us" is not "US"). A single capitalised word can also be a person's family name
alone ("Kirby said"), found by the "l:" keys. Overlaps resolve to the longest span.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core import names as n

from .records import EntityRecord
from .scoring import WEAK_ALIAS_CAP

MAX_WINDOW = 8
MIN_SCORE = 0.8
FAMILY_NAME_SCORE = 0.75  # a family name alone names the person less surely
_WORD_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # dotted abbreviation: U.N., U.S.
    r"|(?:\w|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u200c\u200d])+"
    r"(?:['’](?:\w|[\u0300-\u036f\u064b-\u065f\u200c])+)*"
)
_POSSESSIVE_RE = re.compile(r"['’]s$")
_GAP_RE = re.compile(r"[ \t\u00a0\-‐‑–.]{1,3}")  # what may sit between two words of one name


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    raw: str
    tokens: tuple[str, ...]  # normalised (core.names.tokenise)
    capitalised: bool  # starts with an upper-case letter, or is in a script without case

    @property
    def acronym(self) -> str:
        return self.raw.replace(".", "") if self.raw.replace(".", "").isupper() else ""


def words(text: str) -> list[Word]:
    """The text's words with their offsets; a trailing possessive 's is left out."""
    out = []
    for m in _WORD_RE.finditer(text):
        start, end, raw = m.start(), m.end(), m.group(0)
        possessive = _POSSESSIVE_RE.search(raw)
        if possessive and len(raw) > 3:
            end -= 2
            raw = raw[:-2]
        tokens = tuple(n.tokenise(raw))
        if not tokens:
            continue
        first = raw[0]
        capitalised = first.isupper() or (first.isalpha() and not first.islower())
        out.append(Word(start, end, raw, tokens, capitalised))
    return out


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str  # text[start:end]
    entity_id: str
    kind: str
    name: str  # the entity's name that matched
    name_type: str
    score: float
    how: str
    family_only: bool = False  # only the family name of a person's full name matched

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    text: str
    kind: str  # person | organisation
    why: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------------------- known entities


class _NameTable:
    """Names by key, built from records: "n:" keys for whole names, "l:" for family names."""

    def __init__(self, records: Iterable[tuple[EntityRecord, list]]):
        self.by_key: dict[str, list] = defaultdict(list)
        self.longest = 1
        for record, analysed in records:
            for name, an in analysed:
                if not an.tokens:
                    continue
                entry = (record, name, an)
                self.by_key[n.name_key(an)].append(entry)
                self.longest = max(self.longest, len(an.tokens))
                if record.kind == "person" and len(an.tokens) > 1 and name.type != "weak_alias":
                    self.by_key[n.family_name_key(an)].append(entry)


def _window_keys(ws: list[Word], longest: int, text: str):
    """(start index, end index, key) for every run of words that could be a name."""
    for i in range(len(ws)):
        tokens: list[str] = []
        for j in range(i, min(len(ws), i + longest)):
            if j > i and not joined(ws, j, text):
                break
            tokens.extend(ws[j].tokens)
            if any(w.capitalised for w in ws[i : j + 1]):
                yield i, j + 1, n.tokens_key(tokens)
        w = ws[i]
        if w.capitalised and len(w.tokens) == 1 and len(w.tokens[0]) >= 4:
            yield i, i + 1, "l:" + n.key_skeleton(w.tokens[0])


_ABBREVIATIONS = {t for title in n.TITLES for t in title if len(t) <= 5} | {"st", "jr", "sr", "co", "inc", "corp"}


def joined(ws: list[Word], j: int, text: str) -> bool:
    """Words j-1 and j are close enough to belong to one name: spaces or a hyphen between
    them, or a dot after an initial or an abbreviation ("Brig. Gen.", "J. Smith"), never
    the end of a sentence."""
    gap = text[ws[j - 1].end : ws[j].start]
    if not _GAP_RE.fullmatch(gap):
        return False
    if "." in gap:
        before = ws[j - 1]
        return len(before.raw) == 1 or before.raw.casefold() in _ABBREVIATIONS or before.raw.endswith(".")
    return True


def _case_agrees(name: str, window: list[Word]) -> bool:
    """A capitalised name needs as many capitalised words; an acronym (UK, AP, NATO,
    U.N.) must appear in upper case."""
    name_words = words(name)
    if sum(1 for w in window if w.capitalised) < sum(1 for w in name_words if w.capitalised):
        return False
    acronyms = {w.acronym for w in name_words if 2 <= len(w.acronym) <= 5}
    return acronyms <= {w.acronym for w in window}


def find_mentions(
    text: str,
    source: Sequence[EntityRecord] | None = None,
    *,
    min_score: float = MIN_SCORE,
    family_names: bool = True,
    weak_aliases: bool = True,
    nested: bool = True,
) -> list[Mention]:
    """Spans of ``text`` that name a known entity, in text order.

    ``source``: records to look for; None means the database match index. ``min_score``
    applies to the name similarity; weak aliases ("UK", "Tehran") are reported with
    their score capped at the weak-alias cap and can be left out; ``family_names``
    reports a person's family name standing alone; ``nested`` keeps spans of other
    entities inside longer ones ("Biden" inside "Biden administration", "Iranian
    Revolutionary Guard" inside "... Aerospace Force"); a span inside a longer one of the
    same entity, or crossing another, is always dropped.
    """
    ws = words(text)
    if not ws:
        return []
    if source is None:
        from . import index

        probe = {key for _, _, key in _window_keys(ws, MAX_WINDOW, text)}
        table = _NameTable(index.lookup(probe))
    else:
        table = _NameTable((r, index_analysis(r)) for r in source)
    found = []
    for i, j, key in _window_keys(ws, table.longest, text):
        entries = table.by_key.get(key)
        if not entries:
            continue
        window = ws[i:j]
        span_text = text[window[0].start : window[-1].end]
        tokens = tuple(n.fold_legal_forms([t for w in window for t in w.tokens]))
        analysed = n.AnalysedName(span_text, tokens, scripts=n.scripts(span_text))
        for record, name, an in entries:
            if name.type == "weak_alias" and not weak_aliases:
                continue
            if key.startswith("l:"):
                if not family_names:
                    continue
                sim, how = n.token_similarity(analysed.tokens[0], an.tokens[-1], analysed.abjad or an.abjad)
                if sim < 0.9 or not window[0].capitalised:
                    continue
                score, how = round(FAMILY_NAME_SCORE * sim, 4), f"family name only ({how})"
            else:
                comparison = n.compare(analysed, an)
                if comparison.score < min_score or not _case_agrees(name.value, window):
                    continue
                score, how = comparison.score, comparison.explain()
                if analysed.transliterated != an.transliterated or analysed.scripts != an.scripts:
                    how += f"; transliterated ({'+'.join(sorted(analysed.scripts))} ~ {'+'.join(sorted(an.scripts))})"
            if name.type == "weak_alias":
                score, how = min(score, WEAK_ALIAS_CAP), "weak alias; " + how
            found.append(
                Mention(
                    window[0].start,
                    window[-1].end,
                    span_text,
                    record.entity_id,
                    record.kind,
                    name.value,
                    name.type,
                    score,
                    how,
                    family_only=key.startswith("l:"),
                )
            )
    return _resolve(found, nested)


def index_analysis(record: EntityRecord) -> list:
    from .index import analyse_record

    return analyse_record(record)


def _resolve(found: list[Mention], nested: bool) -> list[Mention]:
    """One mention per (span, entity), its best; then longer spans win over the spans
    they cross or (same entity, a family name alone, or ``nested`` off) contain."""
    best: dict[tuple[int, int, str], Mention] = {}
    for m in found:
        k = (m.start, m.end, m.entity_id)
        if k not in best or (m.score, m.name == m.text) > (best[k].score, best[k].name == best[k].text):
            best[k] = m
    ranked = sorted(best.values(), key=lambda m: (-(m.end - m.start), -m.score, m.start, m.entity_id))
    kept: list[Mention] = []
    for m in ranked:
        for k in kept:
            if not (m.start < k.end and k.start < m.end) or (m.start, m.end) == (k.start, k.end):
                continue
            inside = k.start <= m.start and m.end <= k.end
            # A family name inside a longer name is that name's ("Berg" in "Anna Berg"
            # names no other Berg).
            if not inside or not nested or k.entity_id == m.entity_id or m.family_only:
                break
        else:
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, -m.end, -m.score, m.entity_id))
