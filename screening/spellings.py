"""Known cross-script spellings, learnt from the names the product cites.

An entity whose names are cited in two scripts ("ប៉ុល ពត" and "Pol Pot", "贝拉克·奥巴马"
and "Barack Obama") tells how each word of one is spelled in the other, including where
the rules of ``core.names`` can't read the script or read it otherwise. Those word pairs
(``CitedSpelling``: the word as written, its Latin spelling) are kept beside the match
index, from the same published documents, and follow publication with it. A query word
written as one of them is then also read as its cited Latin spelling, for every entity
(not only the one that cites it).

Word pairs come from two names of one entity (primary names, aliases, transliterations;
not weak aliases or previous names; of an organisation, transliterations only, as its
other names are often translations: "Министерство обороны России" is not spelled
"Russian Defence Ministry") with as many words each, one in Latin letters and one not,
word by word in the order that reads best (Chinese, Japanese and Korean names may put
the family name first). Pairs the rules already equate are not kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from core import names as n

from .records import EntityRecord

CITED_NAME_TYPES = frozenset({"primary", "alias", "transliteration"})
MAX_WORDS = 4  # longer names are phrases more than spellings of one another
KNOWN = 0.9  # a word pair the rules score this high needs no table

# Words are what spaces, name dots (贝拉克·奥巴马, バラク・オバマ) and commas separate.
_WORD_SPLIT_RE = re.compile(r"[\s·・,،]+")


def form(word: str) -> str:
    """A word as the table stores it: NFC, casefolded, without punctuation or symbols at
    its ends (a final vowel sign is part of it: មូលនិធិ)."""
    word = unicodedata.normalize("NFC", word).casefold()
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PSZ":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PSZ":
        end -= 1
    return word[start:end]


def words(name: str) -> list[str]:
    return [w for w in (form(p) for p in _WORD_SPLIT_RE.split(name)) if w]


def _latin(word: str) -> bool:
    return n.scripts(word) <= {n.LATIN}


def _word_score(word: str, latin: str, kind: str) -> float:
    return n.compare(n.analyse(word, kind), n.analyse(latin, kind)).score


def cited_pairs(record: EntityRecord) -> set[tuple[str, str]]:
    """(word as written in another script, its Latin spelling) for one entity's names."""
    cited = [
        (name.value, name.type) for name in record.names if name.type in CITED_NAME_TYPES and "," not in name.value
    ]
    split = [(words(value), kind) for value, kind in cited]
    latin = [ws for ws, _ in split if ws and all(map(_latin, ws))]
    other = [
        ws
        for ws, kind in split
        if ws and not any(map(_latin, ws)) and (record.kind == "person" or kind == "transliteration")
    ]
    pairs: set[tuple[str, str]] = set()
    for o in other:
        for lat in latin:
            if len(o) != len(lat) or len(o) > MAX_WORDS:
                continue
            # Word by word, in the order that reads best; by position when neither reads.
            orders = [lat, lat[::-1]] if len(lat) > 1 else [lat]
            scores = [[_word_score(a, b, record.kind) for a, b in zip(o, order, strict=True)] for order in orders]
            best = max(range(len(orders)), key=lambda i: (sum(scores[i]), -i))
            for a, b, known in zip(o, orders[best], scores[best], strict=True):
                tokens = n.analyse(b, record.kind).tokens
                if known < KNOWN and tokens and any(n.token_weight(t) >= 1.0 for t in tokens):
                    pairs.add((a, " ".join(tokens)))
    return pairs


def spelling_keys(equivalent: str) -> str:
    """The retrieval keys of a Latin spelling, space-separated (stored with the pair, so
    that retrieval finds by them in SQL)."""
    return " ".join(sorted({"s:" + n.key_skeleton(t) for t in equivalent.split() if len(t) > 1}))


def query_forms(names) -> list[str]:
    """The words of a query's names that are not in Latin letters: looked up in the table."""
    return sorted({w for name in names for w in words(name) if not _latin(w)})


def as_cited(name: n.AnalysedName, spelled: dict[str, str]) -> n.AnalysedName | None:
    """``name`` with its words read as their cited spellings (None if none is cited);
    its ``original`` says so, for the explanation."""
    parts = words(name.original)
    if not any(w in spelled for w in parts):
        return None
    text = " ".join(spelled.get(w, w) for w in parts)
    variant = n.analyse(text, name.kind)
    return replace(variant, original=f"{name.original} (as cited: {text})")


def best_spellings(rows) -> dict[str, str]:
    """From (form, equivalent, entities citing it) rows: each form's most cited spelling."""
    best: dict[str, tuple[int, str]] = {}
    for word, equivalent, cited in rows:
        if word not in best or (cited, equivalent) > best[word]:
            best[word] = (cited, equivalent)
    return {word: equivalent for word, (_, equivalent) in best.items()}
