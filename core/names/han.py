"""Han characters: one form of each (traditional 習 and simplified 习 are one character),
and the Japanese reading of a name written in kanji.

anyascii reads every Han character in Mandarin pinyin, one syllable each: right for
Chinese names, useless for Japanese ones (山田太郎 is "Yamada Taro", not "Shan Tian Tai
Lang"), and ambiguous between characters (高市 and 高石 are both "gao shi"). So two Han
names are compared character by character, each in its simplified form (OpenCC's
tables, opencc-purepy); and a kanji name is also read the Japanese way (pykakasi's
dictionary, modified Hepburn), long vowels written short as passports and the lists
write them (Shinzou → Shinzo, Tarou → Taro).

Both libraries are pure Python; their dictionaries load on first use (pykakasi's in
about half a second), not at import.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_lock = threading.Lock()
_converters: dict[str, object] = {}


def _converter(name: str):
    with _lock:
        if name not in _converters:
            if name == "t2s":
                from opencc_purepy import OpenCC

                _converters[name] = OpenCC("t2s")
            else:
                import pykakasi

                _converters[name] = pykakasi.kakasi()
        return _converters[name]


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


@lru_cache(maxsize=65536)
def simplified(char: str) -> str:
    """One Han character in its simplified form (習 → 习); other characters as they are."""
    if not is_han(char):
        return char
    out = _converter("t2s").convert(char)
    return out if len(out) == 1 else char


# A long vowel as Hepburn without macrons writes it, and as the lists don't: ou, oo, uu
# (Shinzou, Oono, Yuuko). Not "ou" before a vowel, where it is two syllables (Inoue).
_LONG_VOWEL_RE = re.compile(r"(?<=o)[ou](?![aeiou])|(?<=u)u")


@lru_cache(maxsize=16384)
def japanese_reading(text: str) -> str:
    """The Japanese reading of a name in kanji (and kana): "高市早苗" → "takaichi sanae"."""
    words = []
    for part in _converter("kakasi").convert(text):
        reading = _LONG_VOWEL_RE.sub("", part["hepburn"])
        if reading.strip():
            words.append(reading)
    return " ".join(words)
