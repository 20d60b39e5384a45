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
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

# ---------------------------------------------------------------------------- scripts

LATIN, CYRILLIC, GREEK, ARABIC, HEBREW, CJK, OTHER = "Latin", "Cyrillic", "Greek", "Arabic", "Hebrew", "CJK", "other"
ABJADS = frozenset({ARABIC, HEBREW})
_SCRIPT_PREFIXES = (
    ("LATIN", LATIN), ("CYRILLIC", CYRILLIC), ("GREEK", GREEK), ("ARABIC", ARABIC), ("PERSIAN", ARABIC),
    ("HEBREW", HEBREW), ("CJK", CJK), ("HANGUL", CJK), ("HIRAGANA", CJK), ("KATAKANA", CJK),
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
_DIGRAPH_LETTERS = str.maketrans({
    "č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "ş": "sh", "Ş": "Sh", "ș": "sh", "Ș": "Sh",
    "ć": "ch", "Ć": "Ch",
})
_ARTICLE_RE = re.compile(r"(?<!\w)ال(?!له)(?=\w\w)")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _greek(match: re.Match) -> str:
    out = _GREEK_DIGRAPHS[match.group(0).casefold()]
    return out.capitalize() if match.group(0)[0].isupper() else out


@lru_cache(maxsize=65536)
def ascii_form(text: str) -> str:
    """Text in ASCII: diacritics dropped, any script transliterated (original case kept)."""
    text = text.translate(_ZERO_WIDTH)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text).translate(_DIGRAPH_LETTERS)
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


_DOTTED_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def tokenise(text: str) -> list[str]:
    """Casefolded ASCII tokens of a name or phrase, in order; dotted abbreviations are
    one token ("G.m.b.H." = "gmbh", "U.N." = "un")."""
    text = _JOINERS_RE.sub("", ascii_form(text))
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
PARTICLES = frozenset({
    "al", "el", "ul", "ud", "bin", "ibn", "bint", "binti", "ben", "abu", "abou", "abd", "van", "von", "der",
    "den", "de", "del", "della", "di", "da", "du", "dos", "das", "le", "la", "y", "e", "of", "the", "and",
    "for", "und", "fur", "des", "het", "en", "et",
})
# Legal forms folded to one spelling, so "Siemens Aktiengesellschaft" = "Siemens AG".
LEGAL_FORMS = {
    "aktiengesellschaft": "ag", "gesellschaft mit beschrankter haftung": "gmbh", "limited": "ltd",
    "incorporated": "inc", "corporation": "corp", "company": "co", "public limited company": "plc",
    "limited liability company": "llc", "obshchestvo s ogranichennoy otvetstvennostyu": "ooo",
    "publichnoe aktsionernoe obshchestvo": "pao", "aktsionernoe obshchestvo": "ao",
    "joint stock company": "jsc", "public joint stock company": "pjsc", "open joint stock company": "oao",
    "closed joint stock company": "zao", "otkrytoe aktsionernoe obshchestvo": "oao",
    "zakrytoe aktsionernoe obshchestvo": "zao", "sp z o o": "spzoo", "societatea cu raspundere limitata": "srl",
    "besloten vennootschap": "bv",
    "naamloze vennootschap": "nv", "societe anonyme": "sa", "sociedad anonima": "sa",
}
LEGAL_FORM_TOKENS = frozenset(LEGAL_FORMS.values()) | frozenset({
    "ag", "gmbh", "ltd", "inc", "corp", "co", "plc", "llc", "llp", "lp", "ooo", "oao", "zao", "pao", "ao",
    "jsc", "ojsc", "cjsc", "pjsc", "bv", "nv", "sa", "sarl", "sas", "spa", "srl", "kg", "ohg", "ug", "fze",
    "fzco", "fzc",
})
_LEGAL_RE = re.compile(r"\b(" + "|".join(sorted(LEGAL_FORMS, key=len, reverse=True)) + r")\b")


def fold_legal_forms(tokens: list[str]) -> list[str]:
    """Legal forms in one spelling: "siemens aktiengesellschaft" → "siemens ag"."""
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
            if tuple(tokens[i:i + n]) in TITLES:
                titles.extend(tokens[i:i + n])
                i += n
                break
        else:
            break
    return tokens[i:], titles


# ---------------------------------------------------------------------------- keys

# Romanisation folding, applied in order to one casefolded ASCII token. German, English,
# French and Dutch spellings of Cyrillic and Persian/Arabic names differ in a handful of
# regular ways; each rule maps the variants to one spelling. Upper-case letters are
# placeholders (the input is lower case), so "S" (Ш, Ч) stays apart from "s".
_FOLD_RULES = [
    (re.compile(r"shch|schtsch|shtsch"), "S"),           # Щ: Khrushchev / Chruschtschow
    (re.compile(r"dzh|dsch|zh|dj"), "j"),                 # Дж, Ж: Dzhokhar / Dschochar, Djamal
    (re.compile(r"tsch|tch|tsj|sch|sh|ch|sj"), "S"),      # Ш, Ч: Schoigu / Shoigu, Tschernenko / Chernenko
    (re.compile(r"kh"), "h"),                             # Х: Khamenei / Hamenei
    (re.compile(r"dh"), "z"),                             # ذ: Arabic dh, Persian z (Dhu al-Qadr / Zolghadr)
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"gh|q|ck|c(?![eiy])"), "k"),             # ق, غ: Bagheri / Baqeri, Ghasem / Qasem
    (re.compile(r"c"), "s"),
    (re.compile(r"tz|ts|z"), "s"),                        # Zelensky / Selensky, Yeltsin / Jelzin
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),                              # Wolodymyr / Volodymyr
    (re.compile(r"(?<=[^aeiouy])yo"), "e"),               # Ё after a consonant: Artyom / Artem, Fyodor / Fedor
    (re.compile(r"ou|oo"), "u"),                          # Yousef / Yusuf, Rouhani / Ruhani
    (re.compile(r"ee|ea"), "i"),
    (re.compile(r"ae"), "e"),                             # Praesident / Präsident
    (re.compile(r"oe"), "o"),
    (re.compile(r"ue"), "u"),
    (re.compile(r"[yj]"), "i"),                           # Sergey / Sergej / Sergei, Zelenskyy / Selenskyj, Jurij / Yuri
    (re.compile(r"(.)\1+"), r"\1"),                     # doubled letters: Hossein / Hosein, Mohammad / Mohamad
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


# ---------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class AnalysedName:
    """A name ready for comparison; ``tokens`` are casefolded ASCII, titles removed."""

    original: str
    tokens: tuple[str, ...]
    titles: tuple[str, ...] = ()
    scripts: frozenset[str] = frozenset()

    @property
    def transliterated(self) -> bool:
        return bool(self.scripts - {LATIN})

    @property
    def abjad(self) -> bool:
        return bool(self.scripts & ABJADS)

    @property
    def form(self) -> str:
        """The normalised form: tokens joined by spaces."""
        return " ".join(self.tokens)


def analyse(name: str, kind: str | None = None) -> AnalysedName:
    """Normalise a name. Titles are stripped unless ``kind`` is "organisation"."""
    text = " ".join(name.split())
    parts = [p for p in text.split(",") if p.strip()]
    if kind != "organisation" and len(parts) == 2 and len(tokenise(parts[0])) <= 3:
        # "Bagheri, Maj. Gen. Mohammad Hossein" → given names first, titles stripped from each part.
        family, given = (tokenise(p) for p in parts)
        family, t1 = strip_titles(family)
        given, t2 = strip_titles(given)
        tokens, titles = given + family, t1 + t2
    else:
        tokens = tokenise(text)
        tokens, titles = strip_titles(tokens) if kind != "organisation" else (tokens, [])
    if kind != "person":
        tokens = fold_legal_forms(tokens)
    return AnalysedName(original=name, tokens=tuple(tokens), titles=tuple(titles), scripts=scripts(text))


def analyse_variants(name: str, kind: str | None = None) -> list[AnalysedName]:
    """The name analysed; with an unknown kind, also without title stripping when that
    changes it ("General Dynamics" may be a company)."""
    main = analyse(name, kind)
    if kind is None and main.titles:
        return [main, analyse(name, "organisation")]
    return [main]


# ---------------------------------------------------------------------------- comparison


def token_weight(token: str) -> float:
    """How much a token counts: particles and legal forms little, initials half."""
    if token in PARTICLES or token in LEGAL_FORM_TOKENS:
        return 0.3
    if len(token) == 1:
        return 0.5
    return 1.0


def _strict_similarity(a: str, b: str, length: int = 0) -> float:
    """1.0 for equal strings; allows one edit (a swap of neighbours counts as one) per
    four characters of ``length`` (default: the longer string), then falls fast."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b), length)
    budget = longest // 4
    if budget < 1:
        return 0.0
    distance = OSA.distance(a, b, score_cutoff=budget)
    if distance > budget:
        return 0.0
    return (1.0 - distance / longest) ** distance


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str, abjad: bool = False) -> tuple[float, str]:
    """Similarity of two tokens (0..1) and how it was reached.

    ``abjad``: one side was written in Arabic/Persian/Hebrew script, so its vowels are
    missing; consonant skeletons are compared instead.
    """
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return 0.9, "initial"
        return 0.0, "initial mismatch"
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return 0.95, "spelling variant"
    if abjad:
        sa, sb = skeleton(fa), skeleton(fb)
        if sa == sb:
            # two consonants or fewer say less (Majid and Mahmoud's typo "Mamoud" are both "md")
            return (0.9 if len(sa) > 2 else 0.8), "consonant skeleton"
        if abjad_forms(a) & abjad_forms(b) and max(len(sa), len(sb)) > 1:
            return 0.85, "consonant skeleton (labials, و as a vowel)"
        sim = _strict_similarity(sa, sb) if min(len(sa), len(sb)) >= 3 else 0.0
        if sim:
            return 0.85 * sim, "consonant skeleton, fuzzy"
    length = max(len(a), len(b))
    sim = max(_strict_similarity(fa, fb, length), _strict_similarity(a, b))
    if sim and skeleton(fa) == skeleton(fb):
        # Only vowels differ (Mohammad/Muhammad, Qureishi/Qoreishi): a known romanisation pattern.
        return max(sim, 0.9), "vowel variant"
    if sim:
        return sim, "fuzzy"
    if len(skeleton(fa)) >= 3 and length >= 5 and skeleton(fa) == skeleton(fb) and OSA.distance(fa, fb) <= 2:
        return 0.85, "vowel variant"  # Mohammed / Muhammad: two vowels apart, same consonants
    return 0.0, "different"


@dataclass(frozen=True)
class TokenPair:
    query: str          # query token(s), space-joined when merged
    candidate: str
    similarity: float
    how: str
    weight: float


@dataclass(frozen=True)
class NameComparison:
    score: float
    pairs: tuple[TokenPair, ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]

    def explain(self) -> str:
        bits = [f"{p.query}≈{p.candidate} ({p.how} {p.similarity:.2f})" for p in self.pairs]
        if self.unmatched_query:
            bits.append("query only: " + " ".join(self.unmatched_query))
        if self.unmatched_candidate:
            bits.append("candidate only: " + " ".join(self.unmatched_candidate))
        return "; ".join(bits)


# Weight of a token present on one side only (nomenklatura uses the same asymmetry): a
# query word the candidate lacks speaks against the match; a candidate's extra middle
# name much less ("Putin" vs "Vladimir Vladimirovich Putin").
UNMATCHED_QUERY_WEIGHT = 0.8
UNMATCHED_CANDIDATE_WEIGHT = 0.2
ONE_WORD_CAP = 0.65  # below the default threshold of 0.7
_NO_MATCH = NameComparison(0.0, (), (), ())


@lru_cache(maxsize=65536)
def _units(tokens: tuple[str, ...]) -> tuple[tuple[frozenset[int], str, float], ...]:
    """Single tokens and adjacent pairs merged (for names written with or without a space)."""
    units = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(tokens)]
    for i in range(len(tokens) - 1):
        if len(tokens[i]) > 1 and len(tokens[i + 1]) > 1:
            units.append((frozenset({i, i + 1}), tokens[i] + tokens[i + 1],
                          token_weight(tokens[i]) + token_weight(tokens[i + 1])))
    return tuple(units)


@lru_cache(maxsize=65536)
def token_key_set(tokens: tuple[str, ...]) -> frozenset[str]:
    """Key skeletons of some tokens, for a quick overlap count before a full comparison."""
    return frozenset(key_skeleton(t) for t in tokens)


def compare(query: AnalysedName, candidate: AnalysedName) -> NameComparison:
    """Similarity of two analysed names, 0..1, independent of token order."""
    return _compare(query.tokens, candidate.tokens, query.abjad or candidate.abjad)


def _align(q_units, c_units, abjad, used_q, used_c, pairs) -> None:
    """Greedy alignment: the most similar pairs first, each word used once."""
    scored = []
    for qi, qt, qw in q_units:
        for ci, ct, cw in c_units:
            if len(qi) > 1 and len(ci) > 1:
                continue  # joining on both sides is just two single-word pairs
            sim, how = token_similarity(qt, ct, abjad)
            if sim > 0:
                if len(qi) > 1 or len(ci) > 1:
                    how = "joined " + how
                scored.append((sim, len(qi) + len(ci), qi, ci, qt, ct, how, max(qw, cw)))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    for sim, _, qi, ci, qt, ct, how, weight in scored:
        if used_q & qi or used_c & ci:
            continue
        used_q |= qi
        used_c |= ci
        pairs.append(TokenPair(qt, ct, sim, how, weight))


@lru_cache(maxsize=65536)
def _compare(q: tuple[str, ...], c: tuple[str, ...], abjad: bool) -> NameComparison:
    if not q or not c:
        return _NO_MATCH
    if sorted(q) == sorted(c):
        pairs = tuple(TokenPair(t, t, 1.0, "exact", token_weight(t)) for t in q)
        return NameComparison(1.0, pairs, (), ())
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[TokenPair] = []
    # Word against word first; if that leaves words over on both sides, or on one side
    # next to a poor pair, again with adjacent words joined ("Abd Allah" / "Abdullah",
    # "SiemensAG" / "Siemens AG").
    singles_q = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(q)]
    singles_c = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(c)]
    _align(singles_q, singles_c, abjad, used_q, used_c, pairs)
    left_q, left_c = len(used_q) < len(q), len(used_c) < len(c)
    if (left_q and left_c) or ((left_q or left_c) and any(p.similarity < 0.9 for p in pairs)):
        used_q.clear(), used_c.clear(), pairs.clear()
        _align(_units(q), _units(c), abjad, used_q, used_c, pairs)
    unmatched_q = tuple(t for i, t in enumerate(q) if i not in used_q)
    unmatched_c = tuple(t for i, t in enumerate(c) if i not in used_c)
    total = sum(p.weight for p in pairs)
    if total == 0:
        return NameComparison(0.0, (), unmatched_q, unmatched_c)
    matched = sum(p.similarity * p.weight for p in pairs)
    # A word on both sides that matches nothing is a contradiction ("... AL-RAWI" vs
    # "... AL-TIKRITI", "Hans O Friedrich" vs "Hans Joachim Friedrich"), not an omission:
    # as many candidate words as the query has unmatched count like query words, and an
    # unmatched initial then counts as a whole word.
    contradicted = min(len(unmatched_q), len(unmatched_c))
    penalty_q = sum(
        (1.0 if len(t) == 1 and unmatched_c else token_weight(t)) * UNMATCHED_QUERY_WEIGHT for t in unmatched_q
    )
    weights_c = sorted((token_weight(t) for t in unmatched_c), reverse=True)
    penalty_c = sum(w * (UNMATCHED_QUERY_WEIGHT if i < contradicted else UNMATCHED_CANDIDATE_WEIGHT)
                    for i, w in enumerate(weights_c))
    score = matched / (total + penalty_q + penalty_c)
    if any(token_weight(t) >= 1.0 for t in unmatched_c) and sum(1 for p in pairs if p.weight >= 1.0) <= 1:
        # One word in common ("Bagheri" vs "Mohammad Hossein Bagheri") is a lead, not a name match.
        score = min(score, ONE_WORD_CAP)
    return NameComparison(round(score, 4), tuple(pairs), unmatched_q, unmatched_c)


def similarity(a: str, b: str, kind: str | None = None) -> float:
    """Convenience: compare two raw names."""
    return max(compare(x, y).score for x in analyse_variants(a, kind) for y in analyse_variants(b, kind))


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
    tokens = fold_legal_forms(tokens)
    kept = [t for t in tokens if t not in LEGAL_FORM_TOKENS] or tokens
    return "n:" + " ".join(sorted(key_skeleton(t) for t in kept))


def query_keys(name: AnalysedName, joined: bool = True) -> list[tuple[str, int]]:
    """(key, group) for a name: its token keys (group = token position), with ``joined``
    the keys of adjacent tokens written as one ("Abd Allah" finds "Abdullah"; same group
    as the first), the name key (group -1) and the spelling key (group -3)."""
    out = []
    for i, t in enumerate(name.tokens):
        if len(t) > 1 and t not in PARTICLES and t not in LEGAL_FORM_TOKENS:
            out.append(("s:" + key_skeleton(t), i))
            if name.abjad:
                out.append(("s:" + merge_labials(without_v(skeleton(fold(t)))), i))
    if joined:
        for i in range(len(name.tokens) - 1):
            a, b = name.tokens[i], name.tokens[i + 1]
            if len(a) > 1 and len(b) > 1:
                out.append(("s:" + key_skeleton(a + b), i))
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
