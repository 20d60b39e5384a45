"""Reading a name: which scripts it is written in, its ASCII form, its tokens, titles
and legal forms (the first steps of ``core.names``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import Levenshtein

from .kana_hangul import romanise_kana_hangul

# ---------------------------------------------------------------------------- scripts

LATIN, CYRILLIC, GREEK, ARABIC, HEBREW, CJK, OTHER = "Latin", "Cyrillic", "Greek", "Arabic", "Hebrew", "CJK", "other"
ABJADS = frozenset({ARABIC, HEBREW})
_SCRIPT_PREFIXES = (
    ("LATIN", LATIN),
    ("CYRILLIC", CYRILLIC),
    ("GREEK", GREEK),
    ("ARABIC", ARABIC),
    ("PERSIAN", ARABIC),
    ("HEBREW", HEBREW),
    ("CJK", CJK),
    ("HANGUL", CJK),
    ("HIRAGANA", CJK),
    ("KATAKANA", CJK),
)


@lru_cache(maxsize=4096)
def char_script(char: str) -> str | None:
    """The script of one letter (None for digits, punctuation, marks and spaces)."""
    if not char.isalpha():
        return None
    if char.isascii():
        return LATIN
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    if "LATIN" in name:  # e.g. "MATHEMATICAL FRAKTUR CAPITAL M" has no LATIN; fullwidth forms do
        return LATIN
    return OTHER


def scripts(text: str) -> frozenset[str]:
    return frozenset(s for s in map(char_script, text) if s)


# ---------------------------------------------------------------------------- ASCII

# Greek digraphs as they spell foreign names (Πούτιν = Putin, Βλαντιμίρ = Vladimir),
# applied before anyascii, which reads them letter by letter (Poytin, Vlantimir).
_GREEK_DIGRAPHS = {"ου": "ou", "μπ": "b", "ντ": "d", "γκ": "g", "τζ": "dz", "τσ": "ts"}
_GREEK_RE = re.compile("|".join(_GREEK_DIGRAPHS), re.IGNORECASE)
# Háček and cedilla letters that stand for two English ones (Czech, Slovak, Croatian,
# Baltic and scholarly romanisations of Cyrillic and Persian: Janukovyč, Gašt-e Eršād,
# Şor); NFKD would drop the mark and leave a different sound (c, s, z).
_DIGRAPH_LETTERS = str.maketrans(
    {
        "č": "ch",
        "Č": "Ch",
        "š": "sh",
        "Š": "Sh",
        "ž": "zh",
        "Ž": "Zh",
        "ş": "sh",
        "Ş": "Sh",
        "ș": "sh",
        "Ș": "Sh",
        "ć": "ch",
        "Ć": "Ch",
    }
)
_ARTICLE_RE = re.compile(r"(?<!\w)ال(?!له)(?=\w\w)")
# Persian reads the Arabic letters ض ظ ذ as z and ث ص as s (رضایی = Rezaei); anyascii
# gives their Arabic values (d, z, dh, th, s). A text with a letter only Persian has
# (پ چ ژ گ ک ی) is read the Persian way.
_PERSIAN_ONLY = frozenset("پچژگکی")
_PERSIAN_LETTERS = str.maketrans({"ض": "z", "ظ": "z", "ذ": "z", "ث": "s", "ص": "s"})
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _greek(match: re.Match) -> str:
    out = _GREEK_DIGRAPHS[match.group(0).casefold()]
    return out.capitalize() if match.group(0)[0].isupper() else out


@lru_cache(maxsize=65536)
def ascii_form(text: str, plain: bool = False) -> str:
    """Text in ASCII: diacritics dropped, any script transliterated (original case kept).
    ``plain``: háček and cedilla letters lose their mark like any other (č → c, not ch):
    Serbian and Croatian names are written both ways (Vučić, Vucic)."""
    text = text.translate(_ZERO_WIDTH)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    # before NFKD, which splits バ into ハ and its mark, 김 into jamo
    text = romanise_kana_hangul(text)
    if not plain:
        text = text.translate(_DIGRAPH_LETTERS)
    if _PERSIAN_ONLY.intersection(text):
        text = text.translate(_PERSIAN_LETTERS)
    # The Arabic article is written joined to its word (الحمزي), the Latin one apart
    # (AL-HAMZI): split it off (not in الله, Allah).
    text = _ARTICLE_RE.sub("al-", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    if not text.isascii():
        text = _GREEK_RE.sub(_greek, text)
        # CJK romanises syllable by syllable ("XiJinPing"); keep syllables apart.
        text = "".join(anyascii(c) + (" " if char_script(c) == CJK else "") for c in text)
    return text


# ---------------------------------------------------------------------------- tokens

# Inside a word these vanish (O'Brien, Naval'nyy, ʿAli from anyascii "`Ali"); elsewhere
# anything that is not a letter or digit separates tokens.
_JOINERS_RE = re.compile(r"['`´’ʻʼʿʾ]")
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


_DOTTED_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}(?:[A-Za-z]\b)?")  # "L.X.C" too


def has_digraph_letters(text: str) -> bool:
    """Whether ``text`` has a letter ASCII-folded two ways (č: ch or c)."""
    return any(ord(c) in _DIGRAPH_LETTERS for c in unicodedata.normalize("NFC", text))


def tokenise(text: str, plain: bool = False) -> list[str]:
    """Casefolded ASCII tokens of a name or phrase, in order; dotted abbreviations are
    one token ("G.m.b.H." = "gmbh", "U.N." = "un"). ``plain``: see ``ascii_form``."""
    text = _JOINERS_RE.sub("", ascii_form(text, plain))
    text = _DOTTED_RE.sub(lambda m: m.group(0).replace(".", "") + " ", text).casefold()
    return [t for t in _SPLIT_RE.split(text) if t]


# Titles, ranks and honorifics (en, de, nl, fr, plus Persian/Arabic forms common in the
# lists), as token sequences after tokenise(): "Brig. Gen." is ("brig", "gen").
_TITLES_TEXT = """
mr mrs ms miss mx sir dame lord lady dr doctor prof professor hon honourable honorable rev reverend
gen general brig brigadier brigadier-general maj major major-general lt lieutenant lt-gen lieutenant-general
col colonel lt-col capt captain cmdr cdr commander adm admiral vice-admiral rear-admiral
sgt sergeant cpl corporal pvt maj-gen brig-gen air-marshal air-chief-marshal field-marshal marshal
president vice-president prime-minister deputy-prime-minister minister deputy-minister foreign-minister
defence-minister defense-minister secretary secretary-of-state senator sen rep representative congressman
congresswoman gov governor ambassador amb chairman chairwoman chair ceo director spokesman spokeswoman
spokesperson king queen prince princess emir crown-prince sultan
sheikh shaikh sheik shaykh ayatollah grand-ayatollah hojatoleslam hojjatoleslam mullah imam haj
sardar sartip sarlashkar sepahbod pasdar
presidente predsjednik presedintele prezident prezydent
herr frau fraulein hr fr prasident praesident bundeskanzler kanzler kanzlerin ministerin aussenminister
verteidigungsminister generalmajor generalleutnant generaloberst brigadegeneral oberst oberstleutnant
hauptmann leutnant botschafter botschafterin sprecher sprecherin vizeprasident
dhr mevr mevrouw meneer heer de-heer mw generaal luitenant-generaal kolonel majoor kapitein luitenant
premier minister-president woordvoerder ambassadeur drs ing ir
m mme mlle monsieur madame mademoiselle general-de-brigade general-de-division capitaine commandant
lieutenant-colonel president-de-la-republique ministre docteur maitre me porte-parole ambassadeur
"""
TITLES: frozenset[tuple[str, ...]] = frozenset(tuple(t.split("-")) for t in _TITLES_TEXT.split())
_TITLE_MAX = max(map(len, TITLES))

# Low-information tokens: particles of personal names, articles and prepositions of
# organisation names, legal forms. They count, but little (see TOKEN_WEIGHTS).
PARTICLES = frozenset(
    {
        "al",
        "el",
        "ul",
        "ud",
        "bin",
        "ibn",
        "bint",
        "binti",
        "ben",
        "abu",
        "abou",
        "abd",
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "le",
        "la",
        "y",
        "e",
        "of",
        "the",
        "and",
        "for",
        "und",
        "fur",
        "des",
        "het",
        "en",
        "et",
    }
)
# Legal forms folded to one spelling, so "Siemens Aktiengesellschaft" = "Siemens AG".
LEGAL_FORMS = {
    "aktiengesellschaft": "ag",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "limited": "ltd",
    "incorporated": "inc",
    "corporation": "corp",
    "company": "co",
    "public limited company": "plc",
    "limited liability company": "llc",
    "obshchestvo s ogranichennoy otvetstvennostyu": "ooo",
    "publichnoe aktsionernoe obshchestvo": "pao",
    "aktsionernoe obshchestvo": "ao",
    "joint stock company": "jsc",
    "public joint stock company": "pjsc",
    "open joint stock company": "oao",
    "closed joint stock company": "zao",
    "otkrytoe aktsionernoe obshchestvo": "oao",
    "zakrytoe aktsionernoe obshchestvo": "zao",
    "sp z o o": "spzoo",
    "sp z oo": "spzoo",  # "Sp. z o.o.": the dotted "o.o." is one token
    "societatea cu raspundere limitata": "srl",
    "besloten vennootschap": "bv",
    "naamloze vennootschap": "nv",
    "societe anonyme": "sa",
    "sociedad anonima": "sa",
}
LEGAL_FORM_TOKENS = frozenset(LEGAL_FORMS.values()) | frozenset(
    {
        "ag",
        "gmbh",
        "ltd",
        "inc",
        "corp",
        "co",
        "plc",
        "llc",
        "llp",
        "lp",
        "ooo",
        "oao",
        "zao",
        "pao",
        "ao",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "bv",
        "nv",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
        "kg",
        "ohg",
        "ug",
        "fze",
        "fzco",
        "fzc",
    }
)
_LEGAL_RE = re.compile(r"\b(" + "|".join(sorted(LEGAL_FORMS, key=len, reverse=True)) + r")\b")


# Long one-word legal forms are recognised with a typo or two ("Aktiengeselschaft").
_LONG_LEGAL_FORMS = {k: v for k, v in LEGAL_FORMS.items() if " " not in k and len(k) >= 7}


def _legal_form(token: str) -> str:
    if len(token) < 6 or token in LEGAL_FORMS:
        return token
    for form, short in _LONG_LEGAL_FORMS.items():
        if (
            abs(len(form) - len(token)) <= 2
            and Levenshtein.distance(form, token, score_cutoff=len(form) // 8) <= len(form) // 8
        ):
            return short
    return token


# Multi-word legal forms by their last word, for one cut short at the end of a name
# ("... JOINT STOCK COMPAN": a field's length limit).
_LEGAL_FORM_ENDS = [(k.split(), v) for k, v in LEGAL_FORMS.items() if " " in k]


def _complete_legal_form(tokens: list[str]) -> list[str]:
    last = tokens[-1] if tokens else ""
    if len(last) < 4:
        return tokens
    for words, short in _LEGAL_FORM_ENDS:
        n = len(words)
        if len(tokens) > n and tokens[-n:-1] == words[:-1] and words[-1].startswith(last) and words[-1] != last:
            return tokens[:-n] + [short]
    return tokens


def fold_legal_forms(tokens: list[str]) -> list[str]:
    """Legal forms in one spelling: "siemens aktiengesellschaft" → "siemens ag"."""
    tokens = _complete_legal_form([_legal_form(t) for t in tokens])
    joined = " ".join(tokens)
    if not _LEGAL_RE.search(joined):
        return list(tokens)
    return _LEGAL_RE.sub(lambda m: LEGAL_FORMS[m.group(1)], joined).split()


def strip_titles(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(name tokens, title tokens): leading titles removed while a name token remains."""
    titles: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_TITLE_MAX, len(tokens) - i - 1), 0, -1):
            if tuple(tokens[i : i + n]) in TITLES:
                titles.extend(tokens[i : i + n])
                i += n
                break
        else:
            break
    return tokens[i:], titles


# ---------------------------------------------------------------------------- numbers

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 10 * i for i, w in enumerate(_TENS) if w != "_"}
NUMBER_WORDS |= {"fourty": 40} | {w: i for i, w in enumerate(_ORDINALS) if w != "_"}
_ORDINAL_DIGITS_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# Roman numerals, which number funds and subsidiaries ("Fund I", "Solutions II").
ROMAN_NUMERALS = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())


def numbers_as_digits(tokens: list[str]) -> list[str]:
    """Numbers written as words or ordinals in digits, for organisation and vessel names:
    "brigade forty four" → "brigade 44", "first international bank" → "1 international
    bank", "1st" → "1"."""
    out: list[str] = []
    for t in tokens:
        m = _ORDINAL_DIGITS_RE.match(t)
        value = int(m.group(1)) if m else NUMBER_WORDS.get(t)
        if value is None and t.isdigit() and len(t) == 1:
            value = int(t)
        if value is None:
            out.append(t)
            continue
        # "forty" followed by "four" (or "4") is one number
        if out and out[-1].isdigit() and int(out[-1]) % 10 == 0 and int(out[-1]) >= 20 and value < 10:
            out[-1] = str(int(out[-1]) + value)
        else:
            out.append(str(value))
    return out
