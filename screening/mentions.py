"""Mention suggestions: where a text names known entities, and who may be new.

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
            if j > i and not _joined(ws, j, text):
                break
            tokens.extend(ws[j].tokens)
            if any(w.capitalised for w in ws[i : j + 1]):
                yield i, j + 1, n.tokens_key(tokens)
        w = ws[i]
        if w.capitalised and len(w.tokens) == 1 and len(w.tokens[0]) >= 4:
            yield i, i + 1, "l:" + n.key_skeleton(w.tokens[0])


_ABBREVIATIONS = {t for title in n.TITLES for t in title if len(t) <= 5} | {"st", "jr", "sr", "co", "inc", "corp"}


def _joined(ws: list[Word], j: int, text: str) -> bool:
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


# ---------------------------------------------------------------------------- new entities

_ORG_HEADS = {
    "ministry",
    "ministerie",
    "ministerium",
    "department",
    "bank",
    "council",
    "office",
    "agency",
    "committee",
    "commission",
    "embassy",
    "university",
    "institute",
    "academy",
    "bureau",
    "organization",
    "organisation",
    "federation",
    "union",
    "foundation",
    "board",
    "court",
    "directorate",
    "administration",
    "centre",
    "center",
}
_ORG_LINKS = {"of", "for", "van", "voor", "für", "fur", "des", "der", "de", "du", "the", "on", "het"}
_ARTICLES = {"the", "der", "die", "das", "de", "het", "la", "le", "les", "een", "a", "an", "ein", "eine"}
_ORG_TAILS = {
    "corporation",
    "corp",
    "company",
    "co",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "ag",
    "plc",
    "pjsc",
    "jsc",
    "oao",
    "ooo",
    "group",
    "industries",
    "industry",
    "holding",
    "holdings",
    "bank",
    "airlines",
    "aviation",
    "systems",
    "technologies",
    "electronics",
    "engineering",
    "trading",
    "shipping",
    "logistics",
    "foundation",
    "institute",
    "agency",
    "council",
    "committee",
    "ministry",
    "organization",
    "organisation",
    "corps",
    "force",
    "forces",
    "command",
    "guard",
    "police",
    "army",
    "navy",
    "university",
    "zone",
    "bv",
    "nv",
    "sa",
    "srl",
    "kg",
    "ministerium",
    "regierung",
    "regering",
    "government",
    "party",
    "partei",
    "partij",
    "front",
    "brigade",
    "division",
    "staff",
}
_NOT_PERSON = _ORG_HEADS | _ORG_TAILS | {"staff", "house", "state", "states", "general"}
_TITLE_SUFFIXES = ("minister", "ministerin", "präsident", "prasident", "sprecher", "sprecherin", "botschafter")
_NAME_PARTICLES = {"bin", "ibn", "al", "el", "van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "ter"}


def _is_title_at(ws: list[Word], i: int) -> int:
    """Number of words from i that form a title or rank (0 if none)."""
    for size in range(min(4, len(ws) - i), 0, -1):
        tokens = tuple(t for w in ws[i : i + size] for t in w.tokens)
        if tokens in n.TITLES:
            return size
    if len(ws[i].tokens) == 1 and ws[i].raw.casefold().endswith(_TITLE_SUFFIXES):
        return 1
    return 0


def suggest_new_entities(text: str, known: Iterable[Mention] = ()) -> list[Suggestion]:
    """Likely persons (a title or rank followed by capitalised names: "Brig. Gen. Pat
    Ryder", "Präsident Wolodymyr Selensky") and organisations ("Ministry of Defence",
    "Shahed Aviation Industries", "Foo Trading GmbH") that ``known`` mentions don't cover."""
    ws = words(text)
    out: list[Suggestion] = []
    i = 0
    while i < len(ws):
        size = _is_title_at(ws, i)
        if size:
            j = i + size
            # titles chain ("Air Force Brig. Gen."): skip any further titles
            while j < len(ws) and _is_title_at(ws, j) and _joined(ws, j, text):
                j += _is_title_at(ws, j)
            name = []
            while (
                j < len(ws)
                and len(name) < 5
                and _joined(ws, j, text)
                and (ws[j].capitalised or (name and ws[j].raw.casefold() in _NAME_PARTICLES))
            ):
                name.append(j)
                j += 1
            while name and ws[name[-1]].raw.casefold() in _NAME_PARTICLES:
                name.pop()
            if name and not any(ws[k].tokens[-1] in _NOT_PERSON for k in name):
                first, last = ws[name[0]], ws[name[-1]]
                if len(name) > 1 or len(first.raw) >= 3:
                    title = text[ws[i].start : ws[j - len(name) - 1].end] if j - len(name) > i else ""
                    out.append(
                        Suggestion(
                            first.start, last.end, text[first.start : last.end], "person", f"after the title {title!r}"
                        )
                    )
                i = j
                continue
        i += 1
    out.extend(_organisations(ws, text))
    known = list(known)
    kept: list[Suggestion] = []
    for s in sorted(out, key=lambda s: (s.start - s.end, s.start)):  # longest first
        if any(s.start < m.end and m.start < s.end for m in known):
            continue
        if any(s.start < k.end and k.start < s.end for k in kept):
            continue
        kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _capitalised_run_before(ws: list[Word], j: int, text: str, limit: int = 5) -> int:
    """Start index of the run of capitalised words ending at j (inclusive), without a
    leading article ("The", "Der")."""
    i = j
    while i > 0 and j - i < limit and ws[i - 1].capitalised and _joined(ws, i, text):
        i -= 1
    while i < j and ws[i].raw.casefold() in _ARTICLES:
        i += 1
    return i


def _organisations(ws: list[Word], text: str) -> list[Suggestion]:
    out = []
    for j, w in enumerate(ws):
        low = w.raw.casefold()
        if not w.capitalised and low not in {"gmbh", "bv", "nv"}:
            continue
        if (
            low in _ORG_HEADS
            and j + 1 < len(ws)
            and ws[j + 1].raw.casefold() in _ORG_LINKS
            and _joined(ws, j + 1, text)
        ):
            # "Ministry of (the) Defence (and Security)"
            k = j + 1
            end = None
            while (
                k < len(ws)
                and k - j <= 6
                and _joined(ws, k, text)
                and (ws[k].capitalised or ws[k].raw.casefold() in _ORG_LINKS)
            ):
                if ws[k].capitalised:
                    end = k
                k += 1
            if end is not None:
                start = _capitalised_run_before(ws, j, text, limit=3)
                out.append(
                    Suggestion(
                        ws[start].start,
                        ws[end].end,
                        text[ws[start].start : ws[end].end],
                        "organisation",
                        f"{w.raw} {ws[j + 1].raw} ...",
                    )
                )
        elif low in _ORG_TAILS and j > 0 and ws[j - 1].capitalised and _joined(ws, j, text):
            start = _capitalised_run_before(ws, j - 1, text)
            if j - start >= 1:
                out.append(
                    Suggestion(
                        ws[start].start,
                        w.end,
                        text[ws[start].start : w.end],
                        "organisation",
                        f"capitalised words ending in {w.raw!r}",
                    )
                )
    return out
