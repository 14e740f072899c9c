"""Korean particles after a word the message does not know in advance (a container name, a number).

Korean picks 이/가, 은/는, 을/를, 과/와 and (으)로 by whether the word, as it is read aloud, ends
in a final consonant (받침). For a Hangul word that is the last syllable; for a number it is how
the last digit is read (삼 → 받침, 사 → none); for a Latin word it is a rule of thumb on its last
letters (`myweb` 마이웹, `nginx` 엔진엑스, `mysql` 마이에스큐엘). When the reading is not clear
(`hub` is 허브, `web` is 웹) the message keeps both forms, e.g. `이(가)`, which is never wrong.
"""
from __future__ import annotations

# (with a final consonant, without one); 으로/로 also takes 로 after ㄹ.
PARTICLES = {"이/가": ("이", "가"), "은/는": ("은", "는"), "을/를": ("을", "를"),
             "과/와": ("과", "와"), "으로/로": ("으로", "로"), "이어야/여야": ("이어야", "여야")}
FALLBACK = {"이/가": "이(가)", "은/는": "은(는)", "을/를": "을(를)", "과/와": "과(와)",
            "으로/로": "(으)로", "이어야/여야": "이어야"}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants of a Hangul syllable

# How the last digit is read: (has a final consonant, that consonant is ㄹ). 0 stands for
# 영/십/백/천/만 here, all of which end in a consonant other than ㄹ.
_DIGITS = {"0": (True, False), "1": (True, True), "2": (False, False), "3": (True, False),
           "4": (False, False), "5": (False, False), "6": (True, False), "7": (True, True),
           "8": (True, True), "9": (False, False)}
# Latin endings read with a final consonant (`ng` 응, `ck` 크→ㄱ, `l` ㄹ, `m`, `n`) or
# clearly without one (vowels, `r` 어, `x` 엑스, `s` 스, ...). Others are left undecided.
_LATIN_CONSONANT = {"ng": (True, False), "ck": (True, False), "l": (True, True),
                    "m": (True, False), "n": (True, False)}
_LATIN_VOWEL = set("aeiouyrxszfvhwdt")
_TRAILING = "`'\")]}>*_ .,:;!?"


def final_consonant(word: str) -> tuple[bool, bool] | None:
    """(ends in a final consonant, that consonant is ㄹ) as the word is read; None if unsure."""
    text = word.rstrip(_TRAILING)
    if not text:
        return None
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        final = (ord(last) - _HANGUL_FIRST) % 28
        return final != 0, final == _RIEUL
    if last in _DIGITS:
        return _DIGITS[last]
    lower = text.lower()
    for ending, reading in _LATIN_CONSONANT.items():
        if lower.endswith(ending):
            return reading
    if last.lower() == "b" and len(lower) >= 2 and lower[-2] == "e":  # web 웹, myweb 마이웹
        return True, False
    if last.lower() == "b" and len(lower) >= 2 and lower[-2] not in "aeiou":  # db 디비
        return False, False
    if (last.lower() == "t" and len(lower) >= 2 and lower[-2] in "aeiou"
            and (len(lower) == 2 or lower[-3] not in "aeiou")):  # net 넷, git 깃, appnet 앱넷
        return True, False
    if last.lower() in _LATIN_VOWEL:
        return False, False
    return None


def particle(word: str, pair: str) -> str:
    """The particle of `pair` (a key of PARTICLES, e.g. "이/가") that follows `word`."""
    reading = final_consonant(word)
    if reading is None:
        return FALLBACK[pair]
    has_final, is_rieul = reading
    if pair == "으로/로":
        return "으로" if has_final and not is_rieul else "로"
    with_final, without = PARTICLES[pair]
    return with_final if has_final else without


def josa(word: str, pair: str) -> str:
    """`word` followed by its particle, e.g. josa("`mydb`", "을/를") → "`mydb`를"."""
    return word + particle(word, pair)


def josa_code(word: object, pair: str) -> str:
    """`word` as Markdown code followed by its particle: josa_code("mydb", "을/를") → "`mydb`를"."""
    return josa(f"`{word}`", pair)
