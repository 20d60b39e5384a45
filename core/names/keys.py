"""Keys of one token that survive romanisation: the fold (spelling variants) and the
consonant skeleton (unwritten vowels), and the retrieval keys built from them."""

from __future__ import annotations

import re
from functools import lru_cache

# ---------------------------------------------------------------------------- keys

# Romanisation folding, applied in order to one casefolded ASCII token. German, English,
# French and Dutch spellings of Cyrillic and Persian/Arabic names differ in a handful of
# regular ways; each rule maps the variants to one spelling. Upper-case letters are
# placeholders (the input is lower case), so "S" (Ш, Ч) stays apart from "s".
_FOLD_RULES = [
    (re.compile(r"shch|schtsch|shtsch"), "S"),  # Щ: Khrushchev / Chruschtschow
    (re.compile(r"dzh|dsch|zh|dj"), "j"),  # Дж, Ж: Dzhokhar / Dschochar, Djamal
    (re.compile(r"tsch|tch|tsj|sch|sh|ch|sj"), "S"),  # Ш, Ч: Schoigu / Shoigu, Tschernenko / Chernenko
    (re.compile(r"kh"), "h"),  # Х: Khamenei / Hamenei
    (re.compile(r"dh"), "z"),  # ذ: Arabic dh, Persian z (Dhu al-Qadr / Zolghadr)
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"gh|q|ck|c(?![eiy])"), "k"),  # ق, غ: Bagheri / Baqeri, Ghasem / Qasem
    (re.compile(r"c"), "s"),
    (re.compile(r"tz|ts|z"), "s"),  # Zelensky / Selensky, Yeltsin / Jelzin
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),  # Wolodymyr / Volodymyr
    (re.compile(r"(?<=[^aeiouy])yo"), "e"),  # Ё after a consonant: Artyom / Artem, Fyodor / Fedor
    (re.compile(r"ou|oo"), "u"),  # Yousef / Yusuf, Rouhani / Ruhani
    (re.compile(r"ee|ea"), "i"),
    (re.compile(r"ae"), "e"),  # Praesident / Präsident
    (re.compile(r"oe"), "o"),
    (re.compile(r"(?<!k)ue"), "u"),  # not Spanish qu-e: Marquez is not Marcos
    (re.compile(r"[yj]"), "i"),  # Sergey / Sergej / Sergei, Zelenskyy / Selenskyj, Jurij / Yuri
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Hossein / Hosein, Mohammad / Mohamad
]
_VOWELS_RE = re.compile(r"[aeiou]")
_DOUBLE_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=262144)
def fold(token: str) -> str:
    """Romanisation-folded key of one casefolded ASCII token."""
    if token.isdigit():
        return token
    out = token
    for pattern, repl in _FOLD_RULES:
        out = pattern.sub(repl, out)
    return out


@lru_cache(maxsize=262144)
def skeleton(folded: str) -> str:
    """Consonant skeleton of a folded token; the fold itself when it has no consonants."""
    if folded.isdigit():
        return folded
    out = _DOUBLE_RE.sub(r"\1", _VOWELS_RE.sub("", folded))
    return out or folded


def without_v(skel: str) -> str:
    """A skeleton with "v" dropped: Arabic/Persian و is a consonant (Javad) or a vowel (Rouhani)."""
    return skel.replace("v", "") or skel


_LABIALS = str.maketrans("fpvwg", "bbbbk")


def merge_labials(skel: str) -> str:
    """b, f, p, v as one letter, and g as k: Arabic has no p and writes a foreign v as ف
    (f); Hebrew פ is p or f; g stands for گ, غ and ق alike ("Zolfagari", "Zolfaghari").
    Used by abjad comparisons and by every retrieval key (so both sides agree)."""
    return _DOUBLE_RE.sub(r"\1", skel.translate(_LABIALS))


@lru_cache(maxsize=65536)
def abjad_forms(token: str) -> frozenset[str]:
    """The ways an abjad spelling and a Latin one of a token can share a skeleton:
    j kept as a consonant (ج: Khajeh, Javad), labials merged, و either a consonant
    (Javad) or a vowel (Rouhani), تش as ch."""
    base = skeleton(fold(token.replace("j", "J"))).replace("tS", "S").replace("J", "j")
    return frozenset({merge_labials(base), merge_labials(without_v(base))})


@lru_cache(maxsize=262144)
def key_skeleton(token: str) -> str:
    """The retrieval key of one token: its consonant skeleton with labials merged."""
    return merge_labials(skeleton(fold(token)))
