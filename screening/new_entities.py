"""Names in a text that may be entities nobody recorded yet: capitalised runs that read
like a person's name (given and family names, after a title) or an organisation's
(a head word such as "Ministry", "Bank", "Industries", or a legal form), minus the
mentions of known entities (``screening.mentions``). Offsets are code points into the
text as given, like every mention's.
"""

from __future__ import annotations

from collections.abc import Iterable

from core import names as n

from .mentions import Mention, Suggestion, Word, joined, words

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
            while j < len(ws) and _is_title_at(ws, j) and joined(ws, j, text):
                j += _is_title_at(ws, j)
            name = []
            while (
                j < len(ws)
                and len(name) < 5
                and joined(ws, j, text)
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
    while i > 0 and j - i < limit and ws[i - 1].capitalised and joined(ws, i, text):
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
        if low in _ORG_HEADS and j + 1 < len(ws) and ws[j + 1].raw.casefold() in _ORG_LINKS and joined(ws, j + 1, text):
            # "Ministry of (the) Defence (and Security)"
            k = j + 1
            end = None
            while (
                k < len(ws)
                and k - j <= 6
                and joined(ws, k, text)
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
        elif low in _ORG_TAILS and j > 0 and ws[j - 1].capitalised and joined(ws, j, text):
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
