"""Kazakh Cyrillic <-> the official Latin alphabets (2021; 2018 and 2017 accepted).

Kazakhstan is moving Kazakh to a Latin alphabet and some outlets already print it, while the
translation models read Kazakh in Cyrillic; so Latin-script articles are converted to Cyrillic
before segmentation and translation.

Tables (see ``docs/languages.md`` for sources and the measured losses):

* **2021** (default both ways): the 31-letter alphabet the Government presented in January
  2021, with Ñ for ң as in the revised table: A Ä B D E F G Ğ H I(ı = і) İ(i = и, й) J K L M N
  Ñ O Ö P Q R S Ş T U Ū Ü V Y(= ы) Z. Letters found only in Russian loans follow the
  conventions published with it: ц -> ts, ч -> ç, щ -> şş, э -> e, ё/ю/я -> io/iu/ia, ъ and ь
  dropped. Ŋ (the January draft's ң) is read too.
* **2018** (Decree No. 637 of 19 Feb 2018): acute accents Á Ǵ Ń Ó Ú Ý, Sh/Ch digraphs,
  I i = і, I ı = и/й (both capitalised as I), U u = ұ, Ý ý = у.
* **2017** (Decree No. 569 of 26 Oct 2017), read only: apostrophes a' g' n' o' u' y' i' s' c'.

Latin merges letters Cyrillic keeps apart (и/й -> i, х/һ -> h, е/э -> e, ь/ъ -> nothing,
ц -> ts, я/ю -> ia/iu), so the way back to Cyrillic uses context rules plus a small lexicon
of loanword stems. Every Cyrillic guess maps back to the same Latin, so Latin -> Cyrillic ->
Latin is exact; Cyrillic -> Latin -> Cyrillic loses only what the Latin alphabet merged.

Words with letters outside the Latin alphabet (``c`` alone, ``w``, ``x``, accented foreign
letters) are foreign names and stay as written (``CNN``, ``Facebook``), as do words with ``y``
(ы) next to a/ä/e/o, which no Kazakh word has (``YouTube``, ``Sunday``), a few English
function words (``the``, ``of``) and names Kazakh news writes in Latin (``Kazinform``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

from .wordmap import (
    APOSTROPHES,
    MARKS,
    WORD,
    Rewritten,
    StemLexicon,
    apply_case,
    case_stem,
    is_all_caps,
    rewrite_words,
    sub_words,
    turkic_upper,
)

#: The Latin alphabets Kazakh has been officially written in; ``auto`` guesses from the text.
KazakhLatinVariant = Literal["2021", "2018", "2017", "auto"]
VARIANTS = ("2021", "2018", "2017")

# ------------------------------------------------------------------ Cyrillic -> Latin
_C2L_2021: dict[str, str] = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
    "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
_C2L_2018: dict[str, str] = {
    **_C2L_2021,
    "ә": "á", "ғ": "ǵ", "и": "ı", "й": "ı", "ң": "ń", "ө": "ó", "у": "ý", "ұ": "u",
    "ү": "ú", "ч": "ch", "ш": "sh", "щ": "shsh", "і": "i", "ё": "ıo", "ю": "ıý", "я": "ıa",
}  # fmt: skip


def _c2l_word(word: str, table: dict[str, str], upper: Callable[[str], str]) -> str:
    word = unicodedata.normalize("NFC", word)
    caps = is_all_caps(word)
    out = []
    for ch in word:
        low = ch.lower()
        latin = table.get(low)
        out.append(ch if latin is None else apply_case(latin, ch != low, caps, upper))
    return "".join(out)


def kazakh_cyrillic_to_latin(text: str, variant: Literal["2021", "2018"] = "2021") -> str:
    """Kazakh Cyrillic -> the official Latin alphabet (2021, or the 2018 acute variant).

    Latin letters, digits and punctuation pass through unchanged.
    """
    if variant == "2018":
        return sub_words(WORD, text, lambda w: _c2l_word(w, _C2L_2018, str.upper))
    return sub_words(WORD, text, lambda w: _c2l_word(w, _C2L_2021, turkic_upper))


# ------------------------------------------------------------------ Latin -> Cyrillic
_LETTERS_2021 = frozenset("aäbdefgğhıijklmnñŋoöpqrsştuūüvyzç")
_VOWELS = frozenset("aäeıioöuūüy")
_SIMPLE: dict[str, str] = {
    "a": "а", "ä": "ә", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "ғ",
    "h": "х", "ı": "і", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "ñ": "ң",
    "ŋ": "ң", "o": "о", "ö": "ө", "p": "п", "q": "қ", "r": "р", "s": "с", "ş": "ш",
    "t": "т", "u": "у", "ū": "ұ", "ü": "ү", "v": "в", "y": "ы", "z": "з", "ç": "ч",
}  # fmt: skip

#: Loanword stems with a letter the Latin alphabet lost (ь ъ э һ, я after a consonant), in
#: 2021 Latin. Chosen from general news vocabulary, not from the evaluation data.
_STEMS = StemLexicon(
    {
        # э
        "ekonom": "эконом", "ekspert": "эксперт", "eksport": "экспорт",
        "ekspedits": "экспедиц", "ekspo": "экспо", "ekstremis": "экстремис",
        "ekskliuziv": "эксклюзив", "eksperiment": "эксперимент", "ekzamen": "экзамен",
        "ekran": "экран", "ekolog": "эколог", "ekvator": "экватор", "elektr": "электр",
        "element": "элемент", "elit": "элит", "emir": "эмир", "emots": "эмоц",
        "energ": "энерг", "entsiklo": "энцикло", "epidem": "эпидем", "epizod": "эпизод",
        "epoh": "эпох", "estrada": "эстрада", "estet": "эстет", "etap": "этап",
        "etika": "этика", "etnos": "этнос", "etnik": "этник", "efir": "эфир",
        "effekt": "эффект", "evakuats": "эвакуац", "evoliuts": "эволюц",
        "erdoğan": "эрдоған", "estoniia": "эстония", "efiopiia": "эфиопия",
        "ekvador": "эквадор", "edinburg": "эдинбург", "aero": "аэро", "poeziia": "поэзия",
        "poet": "поэт",
        # һ
        "jahan": "жаһан", "qahar": "қаһар", "şahar": "шаһар", "jihaz": "жиһаз",
        "gauhar": "гауһар", "allah": "аллаһ",
        # ь, ъ
        "premer": "премьер", "film": "фильм", "kompiuter": "компьютер", "obekt": "объект",
        "subekt": "субъект", "izrail": "израиль", "penalti": "пенальти", "uels": "уэльс",
        "niu$": "нью", "donald": "дональд", "almanah": "альманах", "albom": "альбом",
        "pesa": "пьеса",
        # я after a consonant (иа is the rule there: материал, сериал)
        "milia": "миля",
    }
)  # fmt: skip


def _lower(ch: str, variant: str) -> str:
    if ch == "İ":
        return "i"
    if ch == "I":
        return "ı" if variant == "2021" else "I"  # 2018/2017 capital I: і or и/й, guessed later
    return ch.lower()


def _ts_is_tse(s: str, i: int) -> bool:
    """ц (True) or т+с (False) for the Latin ``ts`` at ``s[i]``.

    Native Kazakh has т+с at morpheme joins (айт+са, сәт+сіз, кет+се), always before a/ä/e/y/ı;
    Russian loans have ц word-initially, after с (сцена), before и/у, and in -цент/-цесс/-церт/
    -ценз/-цей/-цер/-цед stems (процент, полицей, офицер, процесс, процедура).
    """
    if i == 0 or s[i - 1] == "s":
        return True
    after = s[i + 2 : i + 3]
    if after in ("i", "u"):
        return True
    following = s[i + 3 : i + 5]
    stem = following in ("nt", "ss", "rt", "nz", "ns") or following[:1] in ("i", "r", "s", "d")
    return after == "e" and stem


def _rules(s: str, start: int, out: list[tuple[str, int]]) -> None:
    """Convert the canonical (2021, lower-case) word ``s`` from ``start``.

    Appends ``(Cyrillic, index of the Latin letter it came from)`` so case can be restored.
    """
    n = len(s)
    i = start
    while i < n:
        c = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        prev = s[i - 1] if i > 0 else ""
        if c == "ş" and nxt == "ş":
            out.append(("щ", i))
            i += 2
        elif c == "t" and nxt == "s":
            out.extend([("ц", i)] if _ts_is_tse(s, i) else [("т", i), ("с", i + 1)])
            i += 2
        elif c == "i":
            if nxt == "a" and (i == 0 or prev in _VOWELS):
                out.append(("я", i))
                i += 2
            elif nxt == "u" and not (s[i + 2 : i + 3] == "m" and prev in ("d", "r", "n", "m")):
                out.append(("ю", i))  # бюджет; подиум, аквариум, премиум keep и+у
                i += 2
            elif prev == "u" and (i == n - 1 or (i == 1 and nxt in ("l", "n", "k", "t"))):
                out.append(("и", i))  # заманауи; W-names Уильям, Уинстон (but уйқы)
                i += 1
            elif prev in _VOWELS or (i == 0 and nxt == "o"):
                out.append(("й", i))
                i += 1
            else:
                out.append(("и", i))
                i += 1
        elif c == "e" and (
            (i == 0 and nxt == "i" and s[2:3] not in _VOWELS)
            or (prev == "u" and (i == 1 or s[i - 2] not in _VOWELS))
        ):
            out.append(("э", i))  # Эйр, Эйнштейн; Уэльс, Агуэро (native уе follows a vowel)
            i += 1
        else:
            out.append((_SIMPLE.get(c, c), i))
            i += 1


def _canonical_to_cyrillic(canon: str, upper_flags: list[bool]) -> str:
    """Convert a canonical (2021, lower-case) word and re-apply the source's case."""
    out: list[tuple[str, int]] = []
    stem, start = _STEMS.match(canon)
    if start:
        out.append((case_stem(stem, upper_flags[:start]), -1))
    _rules(canon, start, out)
    all_caps = len(upper_flags) > 1 and all(upper_flags)
    return "".join(
        text.upper() if src >= 0 and (upper_flags[src] or all_caps) else text for text, src in out
    )


# 2018 (acute) and 2017 (apostrophe) letters, read into the canonical 2021 form.
_2018_TO_2021 = {"á": "ä", "ǵ": "ğ", "ń": "ñ", "ó": "ö", "ú": "ü", "ý": "u", "u": "ū", "i": "ı"}
_2018_TO_2021["ı"] = "i"
_2017_TO_2021 = {"a'": "ä", "g'": "ğ", "n'": "ñ", "o'": "ö", "u'": "ü", "y'": "u", "i'": "i"}
_2017_TO_2021.update({"s'": "ş", "c'": "ç", "u": "ū", "i": "ı"})
_LETTERS_2018 = frozenset("aábdefgǵhiıjklmnńoópqrstuúvyýz")
_LETTERS_2017 = frozenset("abdefghijklmnopqrstuvyz")
_FRONT = frozenset("äeıöü")
_BACK = frozenset("aoūy")


def _canonical_2021(word: str) -> tuple[str, list[bool]] | None:
    low = [_lower(ch, "2021") for ch in word]
    if not all(ch in _LETTERS_2021 for ch in low):
        return None
    return "".join(low), [ch != lo for ch, lo in zip(word, low, strict=True)]


def _canonical_2018(word: str) -> tuple[str, list[bool]] | None:
    canon: list[str] = []
    flags: list[bool] = []
    i = 0
    while i < len(word):
        lo = _lower(word[i], "2018")
        pair = (lo + word[i + 1].lower()) if i + 1 < len(word) else ""
        if pair in ("sh", "ch"):
            canon.append("ş" if pair == "sh" else "ç")
            flags.append(word[i] != lo)
            i += 2
            continue
        if lo == "I":
            # A capital I is і or и/й: a front-vowel word takes і, unless it follows a vowel
            # (ДЖЕЙ) or the word has back vowels too.
            rest = "".join(_2018_TO_2021.get(c, c) for c in (word[:i] + word[i + 1 :]).lower())
            front = any(c in _FRONT for c in rest)
            back = any(c in _BACK for c in rest)
            after_vowel = bool(canon) and canon[-1] in _VOWELS
            canon.append("ı" if front and not back and not after_vowel else "i")
            flags.append(True)
        elif lo in _LETTERS_2018:
            canon.append(_2018_TO_2021.get(lo, lo))
            flags.append(word[i] != lo)
        else:
            return None
        i += 1
    return "".join(canon), flags


def _canonical_2017(word: str) -> tuple[str, list[bool]] | None:
    canon: list[str] = []
    flags: list[bool] = []
    low = re.sub(f"[{APOSTROPHES}]", "'", word.lower())
    i = 0
    while i < len(word):
        pair = low[i : i + 2]
        upper = word[i] != word[i].lower()
        if pair in _2017_TO_2021:
            canon.append(_2017_TO_2021[pair])
            i += 2
        elif low[i] in _LETTERS_2017:
            canon.append(_2017_TO_2021.get(low[i], low[i]))
            i += 1
        else:
            return None
        flags.append(upper)
    return "".join(canon), flags


_CANONICAL = {"2021": _canonical_2021, "2018": _canonical_2018, "2017": _canonical_2017}

#: English words that survive in Latin-script Kazakh (titles, brand names) and are kept. A
#: "th" rule would break зертхана (т+хана) and a camelCase rule МакГрегор, and on/it/at/or/be
#: are Kazakh words (он, ит, ат, ор, бе), so those are deliberately absent.
_ENGLISH = frozenset(
    ["the", "of", "and", "in", "for", "to", "from", "by", "is", "are", "an", "you", "your"]
    + ["our", "my", "his", "all", "one", "not", "has", "have", "this", "that", "they"]
)


#: Names Kazakh news writes in Latin even in Cyrillic text (agencies, banks, platforms, brands):
#: kept as they are. Lower case, 2021 Latin.
_LATIN_NAMES = frozenset(
    ["kazinform", "tengrinews", "kaspi", "halyk", "forbes", "reuters", "bloomberg", "google"]
    + ["telegram", "tiktok", "iphone"]
)
#: y (ы) next to a, ä, e or o: no Kazakh word has it (Sunday, YouTube, Lloyds, Boy).
_FOREIGN_Y = re.compile("y[aäeo]|[aäeo]y")


def _l2c_word(word: str, variant: str) -> str:
    nfc = unicodedata.normalize("NFC", word)
    if variant == "2021" and nfc.isascii() and "".join(_lower(c, "2021") for c in nfc) in _ENGLISH:
        # Lower-cased the Turkic way: "Is" is Іс (ıs), the Kazakh word, not English "is". In
        # 2018 "is" is іс and "in" is ін, so no word is English there.
        return word
    parsed = _CANONICAL[variant](nfc)
    if parsed is None or nfc.lower() in _LATIN_NAMES or _FOREIGN_Y.search(parsed[0]):
        return word
    canon, flags = parsed
    return _canonical_to_cyrillic(canon, flags)


# 2017 apostrophe letters may end a word (ң in -дың, ғ, ә ...): "Qazaqstannyn'".
_WORD_2017 = re.compile(
    rf"(?:[^\W\d_]|[{MARKS}])"
    rf"(?:[^\W\d_]|[{MARKS}]|[{APOSTROPHES}](?=[^\W\d_])|(?<=[aginosuycAGINOSUYC])['’ʼ])*"
)
_MARKERS_2021 = frozenset("äğñŋūüöşçİÄĞÑŊŪÜÖŞÇ")  # not ı: 2018 uses it for и/й
_MARKERS_2018 = frozenset("áǵńóúýÁǴŃÓÚÝ")
_MARKER_2017 = re.compile(r"[aginosuyc][’'ʼ](?=\w|\s|$)", re.IGNORECASE)


def detect_latin_variant(text: str) -> Literal["2021", "2018", "2017"]:
    """Which official Kazakh Latin alphabet ``text`` uses (2021 unless the text says otherwise).

    The variants assign i/ı/u/y differently, so a wrong guess garbles the output; counting
    each variant's own letters is cheap and reliable on anything longer than a few words. Decide
    once per document: a 2018 line without acute accents cannot reveal its variant by itself.
    """
    text = unicodedata.normalize("NFC", text)
    n2021 = sum(ch in _MARKERS_2021 for ch in text)
    n2018 = sum(ch in _MARKERS_2018 for ch in text)
    n2017 = len(_MARKER_2017.findall(text))
    if n2018 > n2021 and n2018 >= n2017:
        return "2018"
    if n2017 > n2021 and n2017 > n2018:
        return "2017"
    return "2021"


def kazakh_latin_to_cyrillic(text: str, variant: KazakhLatinVariant = "auto") -> str:
    """Kazakh Latin (``variant``: 2021, 2018, 2017 or ``auto``) -> Cyrillic.

    Cyrillic text passes through unchanged, so a mixed document can be converted whole.
    """
    return kazakh_latin_to_cyrillic_mapped(text, variant).text


def kazakh_latin_to_cyrillic_mapped(text: str, variant: KazakhLatinVariant = "auto") -> Rewritten:
    """:func:`kazakh_latin_to_cyrillic`, keeping the way back to the Latin (its offsets)."""
    if variant == "auto":
        variant = detect_latin_variant(text)
    pattern = _WORD_2017 if variant == "2017" else WORD
    return rewrite_words(pattern, text, lambda w: _l2c_word(w, variant))


def stem_values() -> list[str]:
    """The Cyrillic stems of the lexicon (for the consistency test)."""
    return _STEMS.values()
