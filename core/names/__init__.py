"""Names across spellings and scripts: normalisation, romanisation-folding keys, comparison.

Pure functions, no database. The pipeline for one name:

1. ``ascii_form``: Unicode NFKD, drop combining marks (diacritics), a few Greek digraphs
   (ου, μπ, ντ, γκ) spelled the way foreign names are read, then ``anyascii`` for every
   remaining non-ASCII character (Cyrillic, Greek, Arabic/Persian, CJK, ...). Abjad scripts
   (Arabic, Persian, Hebrew) come out without their unwritten short vowels ("محمد" → "mhmd").
2. ``tokens``: casefold; apostrophes and ʿayn/hamza marks vanish inside words ("Naval'nyy"
   → "navalnyy"), any other punctuation separates tokens ("Bagheri, Mohammad Hossein").
3. Titles and ranks at the start of the name (or of either side of a "Last, First" comma)
   are removed: "Brig. Gen.", "Maj. Gen.", "Mr", "Generalmajor", "Mevrouw", "Général"...
   ``titles`` lists them; they never count for scoring.
4. Each token gets two keys: ``fold`` (romanisation variants folded: sch/sh, w/v, z/s,
   y/j/i, gh/q, doubled letters...: Selensky = Zelenskyy = Selenskyj, Schoigu = Shoigu,
   Hosein = Hossein) and ``skeleton`` (the fold without vowels and glides: Mohammad =
   Muhammad = Mohammed = محمد = "mhmd").

Comparison (``compare``) aligns tokens regardless of order, so "Bagheri, Mohammad
Hossein" and "Mohammad Hossein Bagheri" are the same name; adjacent tokens may merge
("Abd Allah" ~ "Abdullah", "MOHAMMADHASNI" ~ "Mohammad Hasni"); an initial matches a
token it begins ("J" ~ "Joachim"). Token similarity is strict Levenshtein on the folded
keys (few edits allowed, falling fast), so "Olga Barynova" is not "Oleg Baranov".

The package's modules follow that pipeline: ``text`` (scripts, ASCII form, tokens, titles,
legal forms), ``keys`` (fold and skeleton of one token), ``compare`` (analysis and
comparison of whole names), ``kana_hangul`` (Japanese kana and Korean Hangul in Latin
letters), ``retrieval`` (the keys the match index stores and looks up).
"""

from .compare import (
    AnalysedName,
    NameComparison,
    TokenPair,
    analyse,
    analyse_variants,
    compare,
    similarity,
    token_key_set,
    token_similarity,
    token_weight,
)
from .keys import abjad_forms, fold, key_skeleton, merge_labials, skeleton, without_v
from .retrieval import (
    family_name_key,
    identifier_key,
    name_key,
    query_keys,
    search_keys,
    search_word_keys,
    spelling_key,
    token_keys,
    tokens_key,
)
from .text import (
    ABJADS,
    ARABIC,
    CJK,
    CYRILLIC,
    GREEK,
    HEBREW,
    LATIN,
    LEGAL_FORM_TOKENS,
    LEGAL_FORMS,
    OTHER,
    PARTICLES,
    TITLES,
    ascii_form,
    char_script,
    fold_legal_forms,
    scripts,
    strip_titles,
    tokenise,
)

__all__ = [
    "ABJADS",
    "ARABIC",
    "CJK",
    "CYRILLIC",
    "GREEK",
    "HEBREW",
    "LATIN",
    "LEGAL_FORMS",
    "LEGAL_FORM_TOKENS",
    "OTHER",
    "PARTICLES",
    "TITLES",
    "AnalysedName",
    "NameComparison",
    "TokenPair",
    "abjad_forms",
    "analyse",
    "analyse_variants",
    "ascii_form",
    "char_script",
    "compare",
    "family_name_key",
    "fold",
    "fold_legal_forms",
    "identifier_key",
    "key_skeleton",
    "merge_labials",
    "name_key",
    "query_keys",
    "scripts",
    "search_keys",
    "search_word_keys",
    "similarity",
    "skeleton",
    "spelling_key",
    "strip_titles",
    "token_key_set",
    "token_keys",
    "token_similarity",
    "token_weight",
    "tokenise",
    "tokens_key",
    "without_v",
]
