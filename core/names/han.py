"""Han characters: one form of each (traditional 習 and simplified 习 are one character).

anyascii reads every Han character in Mandarin pinyin, one syllable each: ambiguous
between characters (高市 and 高石 are both "gao shi") and wrong for Japanese names
(山田太郎 is "Yamada Taro", not "Shan Tian Tai Lang"). So two Han names are compared
character by character, each in its simplified form (OpenCC's tables, opencc-purepy,
pure Python; loaded on first use). Kanji names are not read the Japanese way: that
needs a dictionary, and the maintained one (pykakasi) is GPL; a Japanese name the
product holds in kanji and in Latin letters, both cited, is read through the cited
spellings instead (screening.spellings).
"""

from __future__ import annotations

import threading
from functools import lru_cache

_lock = threading.Lock()
_t2s = None


def _simplifier():
    global _t2s
    with _lock:
        if _t2s is None:
            from opencc_purepy import OpenCC

            _t2s = OpenCC("t2s")
        return _t2s


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


@lru_cache(maxsize=65536)
def simplified(char: str) -> str:
    """One Han character in its simplified form (習 → 习); other characters as they are."""
    if not is_han(char):
        return char
    out = _simplifier().convert(char)
    return out if len(out) == 1 else char
