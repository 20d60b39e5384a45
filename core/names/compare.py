"""Analysing a whole name and comparing two: tokens aligned regardless of order, adjacent
tokens merged, initials, strict edit distances on the folded keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from rapidfuzz.distance import OSA

from .han import is_han, simplified
from .keys import abjad_forms, fold, key_skeleton, skeleton
from .text import (
    ABJADS,
    CJK,
    LATIN,
    LEGAL_FORM_TOKENS,
    PARTICLES,
    ROMAN_NUMERALS,
    fold_legal_forms,
    has_digraph_letters,
    numbers_as_digits,
    scripts,
    strip_titles,
    tokenise,
)

# ---------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class AnalysedName:
    """A name ready for comparison; ``tokens`` are casefolded ASCII, titles removed."""

    original: str
    tokens: tuple[str, ...]
    titles: tuple[str, ...] = ()
    scripts: frozenset[str] = frozenset()
    kind: str | None = None  # "person", "organisation" or None (unknown)

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

    @cached_property
    def han(self) -> tuple[str, ...]:
        """The name's Han or Hangul characters when it is written in them only (else ()),
        Han in simplified form: two such names are compared character by character, as
        their romanisation is ambiguous (高市 and 高石 are both "gao shi", 종 and 정 both
        "jong"), while 習 and 习 are one character."""
        letters = [c for c in self.original if c.isalpha()]
        if self.scripts == {CJK} and letters and all(is_han(c) or "\uac00" <= c <= "\ud7a3" for c in letters):
            return tuple(map(simplified, letters))
        return ()

    @cached_property
    def alternatives(self) -> tuple[AnalysedName, ...]:
        """The names a slash separates ("Al-Qa'ida/Islamic Army"), each analysed; () if none."""
        parts = [p for p in _SLASH_RE.split(self.original) if p.strip()]
        if len(parts) < 2:
            return ()
        return tuple(analyse(p, self.kind) for p in parts)

    @cached_property
    def plain(self) -> tuple[str, ...]:
        """The tokens with háček letters folded to their base letter (Vučić → vucic), when
        that differs from ``tokens`` (vuchich); else ()."""
        if not has_digraph_letters(self.original):
            return ()
        plain = analyse(self.original, None if self.kind is None else self.kind, plain=True).tokens
        return plain if plain != self.tokens else ()


_SLASH_RE = re.compile(r"(?<=\w)\s*/\s*(?=\w)")


def analyse(name: str, kind: str | None = None, plain: bool = False) -> AnalysedName:
    """Normalise a name. Titles are stripped unless ``kind`` is "organisation"; names that
    may be organisations get their legal forms folded and numbers written in digits.
    ``plain``: see ``text.ascii_form``."""
    text = " ".join(name.split())
    parts = [p for p in text.split(",") if p.strip()]
    if kind != "organisation" and len(parts) == 2 and len(tokenise(parts[0], plain)) <= 3:
        # "Bagheri, Maj. Gen. Mohammad Hossein" → given names first, titles stripped from each part.
        family, given = (tokenise(p, plain) for p in parts)
        family, t1 = strip_titles(family)
        given, t2 = strip_titles(given)
        tokens, titles = given + family, t1 + t2
    else:
        tokens = tokenise(text, plain)
        tokens, titles = strip_titles(tokens) if kind != "organisation" else (tokens, [])
    if kind != "person":
        tokens = numbers_as_digits(fold_legal_forms(tokens))
    return AnalysedName(original=name, tokens=tuple(tokens), titles=tuple(titles), scripts=scripts(text), kind=kind)


def analyse_variants(name: str, kind: str | None = None) -> list[AnalysedName]:
    """The name analysed; with an unknown kind, also as the other kinds read it when
    that changes it: without title stripping ("General Dynamics" may be a company), and
    without number words as digits ("Bernard ten Brink" may be a person, whose record is
    analysed as one)."""
    main = analyse(name, kind)
    if kind is not None:
        return [main]
    variants = [main]
    for other in ("organisation", "person"):
        variant = analyse(name, other)
        if all(variant.tokens != v.tokens or variant.titles != v.titles for v in variants):
            variants.append(variant)
    return variants


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
def token_similarity(a: str, b: str, abjad: bool = False, literal: bool = False) -> tuple[float, str]:
    """Similarity of two tokens (0..1) and how it was reached.

    ``abjad``: one side was written in Arabic/Persian/Hebrew script, so its vowels are
    missing; consonant skeletons are compared instead.
    ``literal``: two organisation names both written in Latin letters: an edit counts on
    the words as written, not on their romanisation fold (Sigma and Cigna fold to one
    letter apart, "sigma" / "signa", but are two brands).
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
    if (a[0] in "xh" or b[0] in "xh") and fold(_PINYIN_X_RE.sub("sh", a)) == fold(_PINYIN_X_RE.sub("sh", b)):
        return PINYIN_X, "pinyin x as sh"
    if not abjad and _feminine(a, b):
        return 0.0, "feminine form"
    if not abjad and _short_vowel_dropped(fa, fb):
        return 0.0, "a vowel less in a short word"
    if abjad:
        sa, sb = skeleton(fa), skeleton(fb)
        if _final_y_disagrees(a, b):
            # Persian/Arabic write a final -i (ی, ي: Mohammadi, Hosseini); its absence
            # is a different name (Mohammad), though the consonants agree.
            return 0.0, "final -i on one side only"
        if sa == sb:
            # two consonants or fewer say less (Majid and Mahmoud's typo "Mamoud" are both "md")
            return (0.9 if len(sa) > 2 else 0.8), "consonant skeleton"
        if abjad_forms(a) & abjad_forms(b) and max(len(sa), len(sb)) > 1:
            return 0.85, "consonant skeleton (labials, و as a vowel)"
        sim = _strict_similarity(sa, sb) if min(len(sa), len(sb)) >= 3 else 0.0
        if sim:
            return 0.85 * sim, "consonant skeleton, fuzzy"
    length = max(len(a), len(b))
    sim = _strict_similarity(a, b) if literal else max(_strict_similarity(fa, fb, length), _strict_similarity(a, b))
    # Vowels in the same places (in the spelling or its fold), or a long skeleton
    # (Vladimir / Volodymyr): not Gray / Gary, Marquez / Marcos, Luis / Liz.
    same_vowel_places = skeleton(fa) == skeleton(fb) and (
        len(skeleton(fa)) >= 5 or _shape(a) == _shape(b) or _shape(fa) == _shape(fb)
    )
    if sim and same_vowel_places:
        # Only vowels differ, in the same places (Mohammad/Muhammad, Qureishi/Qoreishi): a
        # known romanisation pattern; not Gray/Gary, Marquez/Marcos (other shapes).
        return max(sim, 0.9), "vowel variant"
    if sim:
        return sim, "fuzzy"
    if len(skeleton(fa)) >= 3 and length >= 5 and same_vowel_places and OSA.distance(fa, fb) <= 2:
        return 0.85, "vowel variant"  # Mohammed / Muhammad: two vowels apart, same consonants
    return 0.0, "different"


# Pinyin x (Xi, Xu, Xiao) is Wade-Giles hs (Hsi, Hsu) and near English sh (Shi): how
# Chinese names are heard and respelled. Not a fold: Xi and Shi are two pinyin syllables.
_PINYIN_X_RE = re.compile(r"^(?:x|hs)(?=[iu])")
PINYIN_X = 0.85


def _feminine(a: str, b: str) -> bool:
    """One given name is the other's feminine form: Eric / Erica, Alexandr / Alexandra,
    Michel / Michelle (a different person, though a letter or two apart). Not after -h
    (Arefullah), nor a mere final -e (Scholz / Scholze)."""
    short, long = sorted((a, b), key=len)
    if len(short) < 3:
        return False
    return (long == short + "a" and short[-1] not in "aeiouyh") or (long == short + "le" and short[-1] == "l")


def _short_vowel_dropped(a: str, b: str) -> bool:
    """A word of four letters or less and the same without one of its vowels: Luis / Liz
    (folded "lis"): a vowel inside the word, a syllable apart; there, another name is as
    likely as a typo."""
    short, long = sorted((a, b), key=len)
    if len(long) > 4 or len(long) - len(short) != 1:
        return False
    return any(long[i] in "aeiou" and long[:i] + long[i + 1 :] == short for i in range(1, len(long) - 1))


_SHAPE = str.maketrans("aeiouy", "VVVVVV", "")


def _shape(token: str) -> str:
    """Where a token has vowels: "mohammed" and "muhammad" both "mVhVmmVd"."""
    return token.translate(_SHAPE).translate(str.maketrans("bcdfghjklmnpqrstvwxz", "C" * 20))


def _final_y_disagrees(a: str, b: str) -> bool:
    """One token ends in -y/-i, the other in a consonant (Mohammadi / Mohammed)."""
    return (
        (a[-1] in "iy") != (b[-1] in "iy")
        and (a[-1] in "iy" or b[-1] in "iy")
        and (a[-1] not in "aeou" and b[-1] not in "aeou")
    )


@dataclass(frozen=True)
class TokenPair:
    query: str  # query token(s), space-joined when merged
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


MAX_JOINED = 3  # words written as one: "vanderbilt" / "van der bilt"
JOINED_MIN = 0.75  # the least similarity of words joined to the word they match
NUMBER_MISMATCH = 0.3  # a number on one side only: "Victory" / "Victory 3" (as logic-v2)
SHORT_WORD_EDIT = 0.6  # "Kim Jong On" / "Kim Jong Un": one edit in a short word beside strong ones
ACRONYM = 0.75  # "PLA" / "People's Liberation Army"
TRUNCATED = 0.8  # the last query word cut short
FAMILY_NAME_WEIGHT = 1.5  # a contradicting family name counts this much more than another word
HAN_READING_CAP = ONE_WORD_CAP  # Han characters that differ but read alike: a lead, not a match


@lru_cache(maxsize=65536)
def _units(tokens: tuple[str, ...]) -> tuple[tuple[frozenset[int], str, float], ...]:
    """Single tokens and runs of up to ``MAX_JOINED`` adjacent ones merged (for names
    written with or without spaces)."""
    units = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(tokens)]
    for size in range(2, MAX_JOINED + 1):
        for i in range(len(tokens) - size + 1):
            run = tokens[i : i + size]
            if all(len(t) > 1 for t in run):
                units.append((frozenset(range(i, i + size)), "".join(run), sum(map(token_weight, run))))
    return tuple(units)


@lru_cache(maxsize=65536)
def token_key_set(tokens: tuple[str, ...]) -> frozenset[str]:
    """Key skeletons of some tokens, for a quick overlap count before a full comparison."""
    return frozenset(key_skeleton(t) for t in tokens)


def compare(query: AnalysedName, candidate: AnalysedName) -> NameComparison:
    """Similarity of two analysed names, 0..1, independent of token order."""
    if query.alternatives or candidate.alternatives:
        return max(
            (compare(q, c) for q in query.alternatives or (query,) for c in candidate.alternatives or (candidate,)),
            key=lambda r: r.score,
        )
    if query.han and candidate.han:
        # Both in Han characters: character by character, not by their ambiguous pinyin;
        # the pinyin only as a fallback, a lead at most (高石 / 高市 are both "gao shi").
        by_character = _compare(query.han, candidate.han, False, False)
        if by_character.score == 1.0:
            return by_character
        by_reading = _compare_read(query, candidate)
        capped = min(by_reading.score, HAN_READING_CAP)
        # the reading only lifts a weaker comparison of the characters, never lowers one
        return replace(by_reading, score=capped) if capped > by_character.score else by_character
    return _compare_read(query, candidate)


def _compare_read(query: AnalysedName, candidate: AnalysedName) -> NameComparison:
    """``compare`` of two names' tokens as read (romanised)."""
    organisation = "organisation" in (query.kind, candidate.kind)
    abjad = query.abjad or candidate.abjad
    literal = organisation and query.scripts <= {LATIN} and candidate.scripts <= {LATIN}
    result = _compare(query.tokens, candidate.tokens, abjad, organisation, literal)
    if query.plain or candidate.plain:
        plain = _compare(query.plain or query.tokens, candidate.plain or candidate.tokens, abjad, organisation, literal)
        if plain.score > result.score:
            result = plain
    if (CJK in query.scripts) != (CJK in candidate.scripts) and (
        result.unmatched_query
        or result.unmatched_candidate
        or any(p.similarity < 0.9 and min(len(p.query), len(p.candidate)) <= 5 for p in result.pairs)
    ):
        # Han or Hangul read as syllables against a Latin name: short syllables match by
        # chance, whole or with an edit (周 "zhou", 俊 "jun" / "YUN HO-JIN"; 云 董 "yun
        # dong" / "RI U'N SO'NG"); only a whole name, each short word close, counts.
        result = replace(result, score=min(result.score, ONE_WORD_CAP))
    return result


def _align(q_units, c_units, abjad, literal, used_q, used_c, pairs) -> None:
    """Greedy alignment: the most similar pairs first, each word used once."""
    scored = []
    for qi, qt, qw in q_units:
        for ci, ct, cw in c_units:
            if len(qi) > 1 and len(ci) > 1:
                continue  # joining on both sides is just two single-word pairs
            if (len(qi) > 1 and len(ct) == 1) or (len(ci) > 1 and len(qt) == 1):
                continue  # words joined are never an initial ("Henry Bridges" is not "H.")
            sim, how = token_similarity(qt, ct, abjad, literal)
            if len(qi) > 1 or len(ci) > 1:
                if sim < JOINED_MIN:
                    continue  # a loose match of words joined is chance ("Lisa Patrick" / "Fitzpatrick")
                how = "joined " + how
            if sim > 0:
                scored.append((sim, len(qi) + len(ci), qi, ci, qt, ct, how, max(qw, cw)))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    for sim, _, qi, ci, qt, ct, how, weight in scored:
        if used_q & qi or used_c & ci:
            continue
        used_q |= qi
        used_c |= ci
        pairs.append(TokenPair(qt, ct, sim, how, weight))


def _acronym(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """ "pla" is the acronym of ("peoples", "liberation", "army"), with or without particles."""
    if len(short) != 1 or len(long) < 2 or not 2 <= len(short[0]) <= 6 or short[0].isdigit():
        return False
    words = [t for t in long if t not in LEGAL_FORM_TOKENS]
    return short[0] in ("".join(t[0] for t in words), "".join(t[0] for t in words if t not in PARTICLES))


@lru_cache(maxsize=65536)
def _compare(
    q: tuple[str, ...], c: tuple[str, ...], abjad: bool, organisation: bool, literal: bool = False
) -> NameComparison:
    if not q or not c:
        return _NO_MATCH
    if sorted(q) == sorted(c):
        pairs = tuple(TokenPair(t, t, 1.0, "exact", token_weight(t)) for t in q)
        return NameComparison(1.0, pairs, (), ())
    if organisation and (_acronym(q, c) or _acronym(c, q)):
        pair = TokenPair(" ".join(q), " ".join(c), ACRONYM, "acronym", 1.0)
        return NameComparison(ACRONYM, (pair,), (), ())
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[TokenPair] = []
    # Word against word first; if that leaves words over on both sides, or on one side
    # next to a poor pair, again with adjacent words joined ("Abd Allah" / "Abdullah",
    # "SiemensAG" / "Siemens AG").
    singles_q = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(q)]
    singles_c = [(frozenset({i}), t, token_weight(t)) for i, t in enumerate(c)]
    _align(singles_q, singles_c, abjad, literal, used_q, used_c, pairs)
    left_q, left_c = len(used_q) < len(q), len(used_c) < len(c)
    if (left_q and left_c) or ((left_q or left_c) and any(p.similarity < 0.9 for p in pairs)):
        used_q.clear(), used_c.clear(), pairs.clear()
        _align(_units(q), _units(c), abjad, literal, used_q, used_c, pairs)
    unmatched_q = [i for i in range(len(q)) if i not in used_q]
    unmatched_c = [i for i in range(len(c)) if i not in used_c]
    full_pairs = sum(1 for p in pairs if p.weight >= 1.0)
    if len(unmatched_q) == len(unmatched_c) == 1 and full_pairs >= 2 and all(p.similarity >= 0.9 for p in pairs):
        # One short word left on each side, one edit apart, beside strong pairs: a typo
        # in a syllable ("Kim Jong On" / "Kim Jong Un"), which the strict distance forbids.
        a, b = q[unmatched_q[0]], c[unmatched_c[0]]
        if 2 <= len(a) <= 3 and 2 <= len(b) <= 3 and not (a.isdigit() or b.isdigit()) and OSA.distance(a, b) == 1:
            pairs.append(TokenPair(a, b, SHORT_WORD_EDIT, "short word, one edit", 1.0))
            unmatched_q, unmatched_c = [], []
        elif unmatched_q[0] == len(q) - 1 and len(a) >= 2 and len(b) > len(a) and b.startswith(a):
            # The query's last word cut short (a field's length limit): "... BELKASSEM DR"
            pairs.append(TokenPair(a, b, TRUNCATED, "cut short", 1.0))
            unmatched_q, unmatched_c = [], []
    # Both family names (last words) left unmatched: a contradiction that weighs more
    # than another pair of words ("... HASAN AL-DULAIMI" / "... HASAN AL-TIKRITI").
    family_contradiction = (
        not organisation
        and len(q) > 1
        and len(c) > 1
        and len(q) - 1 in unmatched_q
        and len(c) - 1 in unmatched_c
        and token_weight(q[-1]) >= 1.0
        and token_weight(c[-1]) >= 1.0
    )
    # A number on one side only; for organisations a Roman numeral after the first word
    # too ("Bowne Global Solutions" / "Bowne Global Solutions II"; IV / V may be a typo).
    numbered = any(any(ch.isdigit() for ch in q[i]) for i in unmatched_q) or any(
        any(ch.isdigit() for ch in c[i]) for i in unmatched_c
    )
    if organisation and not numbered:
        numbered = any(i and q[i] in ROMAN_NUMERALS for i in unmatched_q) != any(
            i and c[i] in ROMAN_NUMERALS for i in unmatched_c
        )
    unmatched_q = tuple(q[i] for i in unmatched_q)
    unmatched_c = tuple(c[i] for i in unmatched_c)
    total = sum(p.weight for p in pairs)
    if total == 0:
        return NameComparison(0.0, (), unmatched_q, unmatched_c)
    matched = sum(p.similarity * p.weight for p in pairs)
    # A word on both sides that matches nothing is a contradiction ("... AL-RAWI" vs
    # "... AL-TIKRITI", "Hans O Friedrich" vs "Hans Joachim Friedrich"), not an omission:
    # as many candidate words as the query has unmatched count like query words, and an
    # unmatched initial then counts as a whole word. Beside a word matched only by its
    # initial, every candidate word left over contradicts ("Christopher Hughes" is not
    # "Christopher H. Smith").
    initial = any(p.how == "initial" for p in pairs)
    contradicted = len(unmatched_c) if initial else min(len(unmatched_q), len(unmatched_c))
    penalty_q = sum(
        (1.0 if len(t) == 1 and unmatched_c else token_weight(t)) * UNMATCHED_QUERY_WEIGHT for t in unmatched_q
    )
    weights_c = sorted((token_weight(t) for t in unmatched_c), reverse=True)
    penalty_c = sum(
        w * (UNMATCHED_QUERY_WEIGHT if i < contradicted else UNMATCHED_CANDIDATE_WEIGHT)
        for i, w in enumerate(weights_c)
    )
    penalty_family = 2 * UNMATCHED_QUERY_WEIGHT * (FAMILY_NAME_WEIGHT - 1) if family_contradiction else 0.0
    score = matched / (total + penalty_q + penalty_c + penalty_family)
    if any(token_weight(t) >= 1.0 for t in unmatched_c) and full_pairs <= 1:
        # One word in common ("Bagheri" vs "Mohammad Hossein Bagheri") is a lead, not a
        # name match; except an organisation's distinctive one-word name as the first
        # word of the candidate's ("Faberlic" / "Faberlic Europe Sp. z o.o."), in any
        # spelling of it ("Faberlick").
        distinctive = (
            organisation
            and len(q) == 1
            and len(q[0]) >= 6
            and any(p.candidate == c[0] and p.similarity >= 0.9 for p in pairs)
            and sum(1 for t in unmatched_c if token_weight(t) >= 1.0) == 1
        )
        if not distinctive:
            score = min(score, ONE_WORD_CAP)
    if numbered:
        score = max(0.0, score - NUMBER_MISMATCH)  # numbered names must agree on numbers
    return NameComparison(round(score, 4), tuple(pairs), unmatched_q, unmatched_c)


def similarity(a: str, b: str, kind: str | None = None) -> float:
    """Convenience: compare two raw names."""
    return max(compare(x, y).score for x in analyse_variants(a, kind) for y in analyse_variants(b, kind))
