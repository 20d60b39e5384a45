"""Japanese kana and Korean Hangul in Latin letters, the way names are spelled in the
lists (anyascii reads them letter by letter after Unicode decomposition, which splits
バ into ハ and its voicing mark and 김 into its jamo: "ha ra ku", "g i m").

Kana: modified Hepburn (バラク・オバマ → "baraku obama"), a long-vowel mark dropped as
the lists drop it (プーチン → "puchin"), ッ doubling the next consonant.

Hangul: syllable by syllable, with the consonants of the Revised Romanization and the
vowels of McCune-Reischauer without its marks (ㅓ and ㅡ as "o" and "u"), which is how
the DPRK names on sanctions lists are written (김정은 → "kim jong un"); the commonest
surnames as they are usually spelled (박 Park, 이 Lee). A word of four syllables or more
is a foreign name transcribed: one word, the vowel ㅡ that Korean inserts between
consonants dropped (블라디미르 → "bladimir").
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------- kana

_KANA = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
        (
            "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
            "ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n "
            "ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po vu"
        ).split(),
        strict=True,
    )
)
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWELS = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_KANA_RE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb]+")


def _katakana(char: str) -> str:
    return chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char


def romanise_kana(text: str) -> str:
    out: list[str] = []
    double = False
    for char in map(_katakana, text):
        if char == "・":
            out.append(" ")
        elif char == "ッ":
            double = True
            continue
        elif char == "ー":
            pass  # the lists write long vowels short: Pūchin, Puchin
        elif char in _SMALL_Y and out and out[-1][-1:] == "i" and len(out[-1]) > 1:
            # キャ kya, シャ sha, ジョ jo
            stem = out[-1][:-1]
            out[-1] = stem + ("" if stem in ("sh", "ch", "j") else "y") + _SMALL_Y[char]
        elif char in _SMALL_VOWELS and out and out[-1][-1:] in "aeiou" and len(out[-1]) > 1:
            # フィ fi, ティ ti, ウィ wi, ヴァ va: foreign sounds
            stem = out[-1][:-1]
            stem = {"ch": "t", "j": "d", "ts": "t", "vu": "v"}.get(stem, stem)
            out[-1] = stem + _SMALL_VOWELS[char]
        else:
            syllable = _KANA.get(char, "")
            if double and syllable:
                syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            out.append(syllable)
        double = False
    return "".join(out)


# ---------------------------------------------------------------------------- Hangul

_INITIALS = "k kk n d tt r m b pp s ss _ j jj ch k t p h".split()
_VOWELS = "a ae ya yae o e yo ye o wa wae oe yo u wo we wi yu u ui i".split()
_FINALS = "_ k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split()
_EU, _FINAL_L, _INITIAL_R = 18, 8, 5
_SURNAMES = {"김": "kim", "박": "park", "이": "lee", "최": "choi", "정": "jung", "강": "kang", "윤": "yoon", "리": "ri"}
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]+")


def _jamo(syllable: str) -> tuple[int, int, int]:
    code = ord(syllable) - 0xAC00
    return code // 588, (code % 588) // 28, code % 28


def _syllable(initial: int, vowel: int, final: int) -> str:
    return (
        _INITIALS[initial].replace("_", "") + _VOWELS[vowel] + _FINALS[final].replace("_", "")
        if final
        else _INITIALS[initial].replace("_", "") + _VOWELS[vowel]
    )


def romanise_hangul(word: str) -> str:
    if len(word) <= 3:
        # A Korean name: surname and given-name syllables, which Latin spellings write
        # apart, hyphenated or joined (Kim Jong Un, Kim Jong-un); the comparison joins them.
        first = _SURNAMES.get(word[0]) if len(word) > 1 else None
        parts = [first] if first else []
        parts += [_syllable(*_jamo(s)) for s in word[len(parts) :]]
        return " ".join(parts)
    jamo = [_jamo(s) for s in word]
    out = []
    for i, (initial, vowel, final) in enumerate(jamo):
        head = _INITIALS[initial].replace("_", "")
        following = jamo[i + 1][0] if i + 1 < len(jamo) else None
        if vowel == _EU and initial != 11 and (final == 0 or (final == _FINAL_L and following == _INITIAL_R)):
            # the vowel inserted between the consonants of a foreign word: 르 r, 블라 bla
            out.append(head + ("l" if final else ""))
            continue
        if i and initial == _INITIAL_R and jamo[i - 1][2] == _FINAL_L:
            head = "" if jamo[i - 1][1] == _EU else "l"  # ㄹㄹ is one l: 말라 malla, 블라 bla
        out.append(head + _VOWELS[vowel] + _FINALS[final].replace("_", ""))
    return "".join(out)


def romanise_kana_hangul(text: str) -> str:
    """``text`` with its kana and Hangul words in Latin letters (spaced from what follows)."""
    text = _KANA_RE.sub(lambda m: " " + romanise_kana(m.group(0)) + " ", text)
    return _HANGUL_RE.sub(lambda m: " " + romanise_hangul(m.group(0)) + " ", text)
