"""Retrieval keys of analysed names: what the match index stores and looks up."""

from __future__ import annotations

import re
from functools import lru_cache

from .compare import AnalysedName, analyse
from .keys import fold, key_skeleton, merge_labials, skeleton, without_v
from .text import LEGAL_FORM_TOKENS, PARTICLES, ascii_form, fold_legal_forms, tokenise

# ---------------------------------------------------------------------------- retrieval keys


def token_keys(name: AnalysedName) -> set[str]:
    """Keys a name is found by: each token's key skeleton ("s:"; for a name written in an
    abjad also with و read as a vowel), and the whole name's sorted key skeletons ("n:",
    order-insensitive). Particles and initials give no token key (too common to find
    anything by)."""
    return {key for key, _ in query_keys(name, joined=False)}


def name_key(name: AnalysedName) -> str:
    return tokens_key(name.tokens)


def spelling_key(name: AnalysedName) -> str:
    """The whole name in romanisation-folded spelling, sorted: finds the same name
    written with different diacritics, case, order or romanisation among many that
    share its consonants."""
    tokens = fold_legal_forms(name.tokens)
    kept = [t for t in tokens if t not in LEGAL_FORM_TOKENS] or tokens
    return "f:" + " ".join(sorted(fold(t) for t in kept))


def tokens_key(tokens) -> str:
    """The whole-name key of some tokens: sorted key skeletons, legal forms left out
    ("Esdoin Bank" = "Esdoin Bank Company")."""
    return _tokens_key(tuple(tokens))


# The mention finder asks this of every run of words in an article (80,000 for 1 MB),
# most of them seen before: the same few words again and again.
@lru_cache(maxsize=1 << 16)
def _tokens_key(tokens: tuple[str, ...]) -> str:
    tokens = fold_legal_forms(list(tokens))
    kept = [t for t in tokens if t not in LEGAL_FORM_TOKENS] or tokens
    return "n:" + " ".join(sorted(key_skeleton(t) for t in kept))


def query_keys(name: AnalysedName, joined: bool = True) -> list[tuple[str, int]]:
    """(key, group) for a name: its token keys (group = token position), with ``joined``
    the keys of adjacent tokens written as one ("Abd Allah" finds "Abdullah"; same group
    as the first), the name key (group -1) and the spelling key (group -3)."""
    out = []
    # háček letters read both ways (Vučić: "vuchich" and "vucic"), same positions
    spellings = (name.tokens, name.plain) if name.plain and len(name.plain) == len(name.tokens) else (name.tokens,)
    for tokens in spellings:
        for i, t in enumerate(tokens):
            if len(t) > 1 and t not in PARTICLES and t not in LEGAL_FORM_TOKENS:
                out.append(("s:" + key_skeleton(t), i))
                if name.abjad:
                    out.append(("s:" + merge_labials(without_v(skeleton(fold(t)))), i))
    if joined:
        tokens = name.tokens
        for size in (2, 3):  # written as one word: "van der bilt" finds "vanderbilt"
            for i in range(len(tokens) - size + 1):
                run = tokens[i : i + size]
                if all(len(t) > 1 for t in run):
                    out.append(("s:" + key_skeleton("".join(run)), i))
    if name.tokens:
        out.append((name_key(name), -1))
        out.append((spelling_key(name), -3))
    return out


def family_name_key(name: AnalysedName) -> str:
    return "l:" + key_skeleton(name.tokens[-1])


_ID_RE = re.compile(r"[^0-9A-Z]")


def identifier_key(value: str) -> str:
    """An identifier reduced to its letters and digits, upper case: "AB 123-45" = "AB12345"."""
    return _ID_RE.sub("", ascii_form(value).upper())


def search_keys(name: str) -> set[str]:
    """The word keys a name is found by in a word search (the partners' ``q=``): each
    word's retrieval key as the match index has it (romanisation folded, consonants
    only, labials merged), and the same with v dropped (Persian/Arabic و is a consonant
    or a vowel), for the háček letters' two readings too. "Mohammad Hossein Bagheri",
    "Mohammed Hosein Baqeri" and "محمد حسین باقری" share them."""
    an = analyse(name)
    out = set()
    for tokens in (an.tokens, an.plain):
        for t in tokens:
            out.add(key_skeleton(t))
            out.add(merge_labials(without_v(skeleton(fold(t)))))
    # The words as written too: a search word is keyed as written (search_word_keys), and
    # analysis turns some into others (number words into digits, legal forms folded).
    out.update(key_skeleton(t) for t in tokenise(name))
    return out


def search_word_keys(text: str) -> list[str]:
    """One key per word of a search: the word must have it among its ``search_keys``.
    A word in an abjad script, whose و may be a vowel, takes the key without v."""
    an = analyse(text)
    if an.abjad:
        return [merge_labials(without_v(skeleton(fold(t)))) for t in an.tokens]
    return [key_skeleton(t) for t in tokenise(text)]
