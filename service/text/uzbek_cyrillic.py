"""Uzbek Latin <-> Cyrillic, by the official 1995 alphabet and orthography rules.

Much of Uzbekistan still reads Uzbek in Cyrillic while the models write it in Latin, so the
``uz-Cyrl`` target is the Uzbek translation converted here.

Sources: Law No. 931-XII of 2 Sep 1993 "On introducing the Uzbek alphabet based on the Latin
script", as amended by Law No. 64-I of 6 May 1995 (the letters Oʻ oʻ, Gʻ gʻ, Sh sh, Ch ch,
the sign ʼ), and Cabinet of Ministers Resolution No. 339 of 24 Aug 1995, "The basic rules of
Uzbek orthography" (е -> ye at the start of a word and after vowels, ц -> s or ts, ъ -> ʼ).

Latin -> Cyrillic: oʻ -> ў, gʻ -> ғ, sh -> ш, ch -> ч, q -> қ, h -> ҳ, x -> х, yo/yu/ya -> ё/ю/я,
ye -> е at the start of a word and after a vowel, e -> э at the start of a word and after a
vowel, ʼ -> ъ, ng -> нг; -tsiya/-tsion -> -ция/-цион, -nsiya/-ksiya -> -нция/-кция; plus an
exceptions lexicon for loanwords and names (sentabr -> сентябр, sirk -> цирк, konsert ->
концерт, kompyuter -> компьютер, Nyu-York -> Нью-Йорк, ...). Cyrillic -> Latin is the
inverse (ц -> s at the start of a word and after a consonant, ts after a vowel; ь dropped).

Apostrophes: oʻ/gʻ may be typed with ʻ ‘ ' ` ’. The official ʻ (U+02BB) and ʼ (U+02BC) are
taken as written; look-alikes are first decided by :func:`service.text.uzbek.normalize_uzbek`
(inside a word ʻ after o/g and ʼ elsewhere; quotes around a word stay quotes: ``'bog'``).
Unicode counts ʻ and ʼ as letters, so they are part of the words converted. Words with ``c``
(outside ``ch``), ``w`` or accented letters are foreign names and stay Latin.
"""

from __future__ import annotations

import unicodedata

from .uzbek import normalize_uzbek
from .wordmap import (
    WORD,
    StemLexicon,
    apply_case,
    case_stem,
    is_all_caps,
    sub_words,
)

OKINA = "\u02bb"  # ʻ  in oʻ, gʻ
TUTUQ = "\u02bc"  # ʼ  the tutuq belgisi (Cyrillic ъ)


# ------------------------------------------------------------------ Cyrillic -> Latin
_C2L: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "s",
    "ч": "ch", "ш": "sh", "ъ": TUTUQ, "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ў": "o" + OKINA, "қ": "q", "ғ": "g" + OKINA, "ҳ": "h",
}  # fmt: skip
_CYRILLIC_VOWELS = frozenset("аеёиоуэюяў")
#: Month names lost the я of Russian after a consonant in the 1995 rules.
_C2L_STEMS = {"сентябр": "sentabr", "октябр": "oktabr"}


def _c2l_word(word: str) -> str:
    word = unicodedata.normalize("NFC", word)
    caps = is_all_caps(word)
    low = word.lower()
    out: list[str] = []
    i = 0
    for stem, latin in _C2L_STEMS.items():
        if low.startswith(stem):
            out.append(
                case_stem(
                    latin,
                    [ch != lo for ch, lo in zip(word[: len(stem)], low[: len(stem)], strict=True)],
                )
            )
            i = len(stem) + (low[len(stem) : len(stem) + 1] == "ь")
            break
    while i < len(word):
        lo = low[i]
        prev = low[i - 1] if i > 0 else ""
        nxt = low[i + 1] if i + 1 < len(word) else ""
        latin = _C2L.get(lo)
        if latin is None:
            out.append(word[i])
            i += 1
            continue
        if lo == "е" and (i == 0 or prev in _CYRILLIC_VOWELS or prev in ("ъ", "ь")):
            latin = "ye"
        elif lo == "ц" and prev in _CYRILLIC_VOWELS:
            latin = "ts"  # militsiya, litsey, protsent; s elsewhere: sirk, konsert, aksiya
        elif lo == "ъ" and nxt in ("е", "ё", "ю", "я"):
            latin = ""  # объект -> obyekt, съёмка -> syomka: the y carries the ъ
        elif lo == "с" and nxt == "ҳ":
            latin = "s" + TUTUQ  # Исҳоқ -> Isʼhoq, kept apart from sh
        out.append(apply_case(latin, word[i] != lo, caps, str.upper))
        i += 1
    return "".join(out)


def uzbek_cyrillic_to_latin(text: str) -> str:
    """Uzbek Cyrillic -> official Latin, with ʻ (U+02BB) in oʻ/gʻ and ʼ (U+02BC)."""
    return sub_words(WORD, text, _c2l_word)


# ------------------------------------------------------------------ Latin -> Cyrillic
_LATIN_LETTERS = frozenset("abdefghijklmnopqrstuvxyz" + OKINA + TUTUQ)
_LATIN_VOWELS = frozenset("aeiou")
#: Loanwords and names the rules cannot spell (stems, lower case, matched at the start of a
#: word). Each maps back to the same Latin; the tests check that.
_STEMS = StemLexicon(
    {
        "sentabr": "сентябр", "oktabr": "октябр", "sirk(?!a)": "цирк", "konsert": "концерт",
        "sement": "цемент", "sentner": "центнер", "sentrifug": "центрифуг", "sentr": "центр",
        "prinsip": "принцип", "konsepsiya": "концепция", "kompyuter": "компьютер",
        "intervyu": "интервью", "premyer": "премьер", "batalon": "батальон", "rayon": "район",
        "mayor": "майор", "york": "йорк", "nyu$": "нью", "obyekt": "объект",
        "subyekt": "субъект", "pyesa": "пьеса", "pensiya": "пенсия", "ekspansiya": "экспансия",
        "protsent": "процент", "protsess": "процесс", "litsenziya": "лицензия",
        "sitrus": "цитрус", "ssenari": "сценари",
    }
)  # fmt: skip
_SIMPLE: dict[str, str] = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", TUTUQ: "ъ",
}  # fmt: skip
_IOTATED = {"o": "ё", "u": "ю", "a": "я", "e": "е"}


def _rules(s: str, start: int, out: list[tuple[str, int]]) -> None:
    """Convert the lower-case word ``s`` from ``start``; append (Cyrillic, source index)."""
    n = len(s)
    i = start
    while i < n:
        c = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        prev = s[i - 1] if i > 0 else ""
        two = s[i : i + 2]
        # the vowel ў is written oʻ: after it, ʻ counts as a vowel
        prev_vowel = prev in _LATIN_VOWELS or (prev == OKINA and s[i - 2 : i - 1] == "o")
        step = 1
        if two in ("o" + OKINA, "g" + OKINA, "sh", "ch"):
            out.append(({"o": "ў", "g": "ғ", "s": "ш", "c": "ч"}[c], i))
            step = 2
        elif c == "s" and nxt == TUTUQ and s[i + 2 : i + 3] == "h":  # Isʼhoq -> Исҳоқ
            out.extend([("с", i), ("ҳ", i + 2)])
            step = 3
        elif two == "ts" and s[i + 2 : i + 3] == "i" and s[i + 3 : i + 4] in ("a", "y", "o", "e"):
            out.append(("ц", i))  # -tsiya, -tsion: Russian -ция, -цион (aytsin stays тс)
            step = 2
        elif two == "ts" and i == 0:
            out.append(("ц", i))  # Tsunami: no Uzbek word starts with тс
            step = 2
        elif c == "y" and nxt in _IOTATED and s[i + 1 : i + 3] != "o" + OKINA:
            # consonant + ye is ье in loans (премьер); объект comes from the lexicon
            consonant_ye = nxt == "e" and i > 0 and not prev_vowel and prev != TUTUQ
            out.append(("ье" if consonant_ye else _IOTATED[nxt], i))
            step = 2
        elif c == "e":
            out.append(("э" if i == 0 or prev_vowel or prev == TUTUQ else "е", i))
        elif c == "s" and s[i + 1 : i + 4] == "iya" and prev in ("n", "k"):
            out.append(("ц", i))  # stansiya, aksiya -> станция, акция
        else:
            out.append((_SIMPLE.get(c, c), i))
        i += step


def _l2c_word(word: str) -> str:
    nfc = unicodedata.normalize("NFC", word)
    low = nfc.lower()
    if not all(ch in _LATIN_LETTERS for ch in low.replace("ch", "")):
        return word  # a foreign name (c outside ch, w, accented letters), or Cyrillic: keep
    flags = [ch != lo for ch, lo in zip(nfc, low, strict=True)]
    out: list[tuple[str, int]] = []
    stem, start = _STEMS.match(low)
    if start:
        out.append((case_stem(stem, flags[:start]), -1))
    _rules(low, start, out)
    letters = [flag for flag, ch in zip(flags, low, strict=True) if ch not in (OKINA, TUTUQ)]
    all_caps = len(letters) > 1 and all(letters)
    return "".join(t.upper() if src >= 0 and (flags[src] or all_caps) else t for t, src in out)


def uzbek_latin_to_cyrillic(text: str) -> str:
    """Uzbek official Latin -> Cyrillic, with the loanword exceptions.

    Accepts oʻ/gʻ written with ʻ or the look-alikes ‘ ' ` ’, and the ʼ sign as ʼ ’ or '.
    """
    return sub_words(WORD, normalize_uzbek(text, keep_official=True), _l2c_word)


def stem_values() -> list[str]:
    """The Cyrillic stems of the lexicon (for the consistency test)."""
    return _STEMS.values()
