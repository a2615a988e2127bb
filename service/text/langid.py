"""Offline language and script identification of articles and sentences.

Why: Kazakh agencies publish in Kazakh *and* Russian, so desks paste the wrong version; Kazakh
articles quote officials in Russian; and Kazakh's neighbours (Kyrgyz, Tatar, Bashkir, Uzbek
in Cyrillic) share most of its letters. Told ``kaz_Cyrl``, a translation model turns any of
them into confident nonsense. So the document's language decides the source (``kk`` or
``ru``), anything else is refused by name, and a Russian sentence inside a Kazakh article is
translated as Russian.

The detector is py3langid 0.4 (BSD-3-Clause, its model inside the wheel, no network): it knows
all of kk, ky, tt, ba, uz, ru and en, and on the NTREX-128 dev set it gets every document of
each right (``docs/languages.md`` has the comparison with CLD2, CLD3, HeLI-OTS, fastText,
Lingua). Its model loads on first use (about 0.7 s, ~120 MB), never at import.

Three rules on top:

* **Thresholds.** A document below :data:`DOCUMENT_MIN_CONFIDENCE` is ``unknown``; a sentence
  with fewer than :data:`MIN_LETTERS` letters or below :data:`SENTENCE_MIN_CONFIDENCE` is
  ``unknown`` and follows its document ("Иә.", "Спасибо!" prove nothing).
* **Switching inside a document** needs another *translatable* language at
  :data:`SWITCH_MIN_CONFIDENCE` or more, and never goes to Russian when the sentence has a
  letter Russian lacks (ә ғ қ ң ө ұ ү һ і). Those letters are a guard, not a classifier: all
  but ұ are shared with Tatar, Bashkir, Kyrgyz or Uzbek.
* **Latin-script Kazakh** is not in the detector's training data (it calls NTREX Kazakh in
  2021 Latin Crimean Tatar, Turkmen or Turkish). Latin text with Kazakh-Latin letters that
  also writes ы as a vowel ``y`` between consonants (Respublikasy, qyzmet: no other Latin
  Turkic orthography does) is converted to Cyrillic and detected again; a confident ``kk``
  is accepted as ``kk`` in script ``Latn``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import LanguageError
from ..languages import SOURCES, Language, get_source, lookup_language
from .kazakh_latin import kazakh_latin_to_cyrillic

UNKNOWN = "unknown"
#: Below this probability a document is ``unknown`` (every NTREX document scores >= 0.98).
DOCUMENT_MIN_CONFIDENCE = 0.5
#: Below this probability a sentence is ``unknown`` and follows its document.
SENTENCE_MIN_CONFIDENCE = 0.5
#: A sentence switches away from its document's language only at or above this probability.
SWITCH_MIN_CONFIDENCE = 0.6
#: Fewer letters than this is too little evidence for a sentence.
MIN_LETTERS = 12
#: Latin text counts as Kazakh only if its Cyrillic conversion is ``kk`` at least this surely.
LATIN_KAZAKH_MIN_CONFIDENCE = 0.8
#: ... and at least this share of its words has a vowel ``y`` (Kazakh ы).
VOWEL_Y_MIN = 0.05
#: English this sure is never tried as Latin Kazakh.
ENGLISH_SURE = 0.99

_WORDS = re.compile(r"[^\W\d_]+")
_APOSTROPHES = frozenset("ʻʼ'‘’`")  # Uzbek qoʻygan, saʼy: that y follows a vowel
_LATIN_VOWELS = frozenset("aäeıioöuūüyáóúýAÄEIİOÖUŪÜYÁÓÚÝ")
_NOT_RUSSIAN = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_KAZAKH_LATIN_CUES = frozenset("äğñŋūüöşıİqÄĞÑŊŪÜÖŞQáǵńóúýÁǴŃÓÚÝ")
_SCRIPT_PREFIXES = {
    "CYRILLIC": "Cyrl",
    "LATIN": "Latn",
    "ARABIC": "Arab",
    "GREEK": "Grek",
    "ARMENIAN": "Armn",
    "GEORGIAN": "Geor",
    "HEBREW": "Hebr",
    "CJK": "Hani",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "HANGUL": "Hang",
    "DEVANAGARI": "Deva",
    "THAI": "Thai",
}


@dataclass(frozen=True)
class Detection:
    """What a text is written in.

    ``language``: the detector's code (ISO 639-1, or 639-3 where there is none) or
    ``"unknown"``. ``script``: the ISO 15924 code of the dominant script (``Cyrl``, ``Latn``,
    ...), ``"mixed"`` when no script has 80% of the letters, ``"Zyyy"`` when there are none.
    ``confidence``: the detector's probability for ``language`` (0.0 for ``unknown``).
    """

    language: str
    script: str
    confidence: float

    @property
    def translatable(self) -> bool:
        """Whether Audarma translates from this language (kk or ru)."""
        return self.language in SOURCES

    @property
    def name(self) -> str:
        """The language's English name, for messages (the code if the registry lacks it)."""
        lang = lookup_language(self.language) if self.language != UNKNOWN else None
        return lang.name if lang else self.language

    def to_dict(self) -> dict[str, Any]:
        """``{"language": "kk", "script": "Cyrl", "confidence": 0.97}``."""
        return {
            "language": self.language,
            "script": self.script,
            "confidence": round(self.confidence, 4),
        }


# ------------------------------------------------------------------ scripts
def _char_script(ch: str) -> str | None:
    """ISO 15924 code of a letter; ``None`` for non-letters and modifier letters (ʻ ʼ)."""
    if not ch.isalpha() or unicodedata.category(ch) == "Lm":
        return None
    if ch.isascii():
        return "Latn"
    if "\u0400" <= ch <= "\u052f":
        return "Cyrl"
    return _SCRIPT_PREFIXES.get(unicodedata.name(ch, "").split(" ", 1)[0], "Zzzz")


def detect_script(text: str) -> str:
    """Dominant script of ``text``: ``Cyrl``, ``Latn``, ..., ``mixed`` or ``Zyyy`` (no letters).

    A script needs 80% of the letters, so a Kazakh article quoting a few English names is
    still ``Cyrl`` while a half-and-half text is ``mixed``.
    """
    counts = Counter(s for s in map(_char_script, text) if s is not None)
    total = sum(counts.values())
    if not total:
        return "Zyyy"
    script, n = counts.most_common(1)[0]
    return script if n >= 0.8 * total else "mixed"


# ------------------------------------------------------------------ the detector
@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model with normalised probabilities, loaded once, on first use."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def model_loaded() -> bool:
    """Whether the detector's model is in memory (it loads on the first detection)."""
    return _identifier.cache_info().currsize > 0


def _classify(text: str) -> tuple[str, float]:
    language, confidence = _identifier().classify(text)
    if language in ("zxx", "und"):
        return UNKNOWN, 0.0
    return str(language), float(confidence)


def _vowel_y_rate(text: str) -> float:
    """Share of words with a ``y`` after a consonant and not before a vowel.

    Kazakh Latin (all three official alphabets) writes ы as ``y``: Respublikasy, bylai,
    qyzmet. Turkish, Azerbaijani, Crimean Tatar, Tatar and Uzbek use ``y`` only as a consonant
    next to a vowel (measured: 97% of Kazakh-Latin NTREX lines reach 0.05, 2.6% of Uzbek ones).
    """
    words = _WORDS.findall(text)
    hits = 0
    for word in words:
        for i in range(1, len(word)):
            before, after = word[i - 1], word[i + 1 : i + 2]
            consonant_before = before not in _LATIN_VOWELS and before not in _APOSTROPHES
            if word[i] in "yY" and consonant_before and after not in _LATIN_VOWELS:
                hits += 1
    return hits / max(1, len(words))


def _latin_kazakh_confidence(text: str) -> float:
    """Probability that Latin-script ``text`` is Kazakh, by Cyrillic re-detection (else 0)."""
    if not any(ch in _KAZAKH_LATIN_CUES for ch in text) or _vowel_y_rate(text) < VOWEL_Y_MIN:
        return 0.0
    language, confidence = _classify(kazakh_latin_to_cyrillic(text, "auto"))
    return confidence if language == "kk" else 0.0


def _detect(text: str, min_letters: int, min_confidence: float) -> Detection:
    text = unicodedata.normalize("NFC", text).strip()
    script = detect_script(text)
    if sum(1 for ch in text if ch.isalpha()) < min_letters:
        return Detection(UNKNOWN, script, 0.0)
    language, confidence = _classify(text)
    if script in ("Latn", "mixed") and not (language == "en" and confidence >= ENGLISH_SURE):
        kazakh = _latin_kazakh_confidence(text)
        if kazakh >= LATIN_KAZAKH_MIN_CONFIDENCE:
            return Detection("kk", script, kazakh)
    if confidence < min_confidence:
        return Detection(UNKNOWN, script, 0.0)
    return Detection(language, script, confidence)


def detect_document(text: str) -> Detection:
    """The language and script of a whole article.

    Kazakh in Latin script comes back as ``Detection("kk", "Latn", p)``: convert it to
    Cyrillic (:func:`service.text.transliterate.kazakh_to_cyrillic`) before segmenting. A text
    without letters, or one the detector is unsure about, is ``unknown``.
    """
    return _detect(text, 1, DOCUMENT_MIN_CONFIDENCE)


def detect_sentence(text: str) -> Detection:
    """The language of one sentence; too short or unsure means ``unknown``.

    ``unknown`` is not a refusal: such a sentence follows its document
    (:func:`sentence_language`).
    """
    return _detect(text, MIN_LETTERS, SENTENCE_MIN_CONFIDENCE)


def sentence_language(sentence: str, document_language: str) -> str | None:
    """The language to translate ``sentence`` as, when it is not the document's; else ``None``.

    A sentence leaves its document's language only for another translatable language detected
    at :data:`SWITCH_MIN_CONFIDENCE` or more: a Russian quotation inside a Kazakh article is
    translated as Russian. Neighbours (ky, tt, ...) inside a Kazakh article are noise, and a
    sentence with a letter Russian lacks never switches to Russian.
    """
    found = detect_sentence(sentence)
    switch = (
        found.translatable
        and found.language != document_language
        and found.confidence >= SWITCH_MIN_CONFIDENCE
        and not (found.language == "ru" and any(ch in _NOT_RUSSIAN for ch in sentence))
    )
    return found.language if switch else None


def choose_source(
    detection: Detection, requested: str = "auto", *, force_hint: str = "--source kk"
) -> Language:
    """The source language of an article: the one ``requested``, or the detected one.

    With ``requested="auto"``, a document detected as anything but Kazakh or Russian is refused
    with a message that names what it looks like and how to force the source (``force_hint``
    is the interface's way to say it: ``--source kk``, ``"source": "kk"``, ...).
    """
    if requested.strip().lower() != "auto":
        return get_source(requested)
    if detection.translatable:
        return get_source(detection.language)
    accepted = " and ".join(f"{lang.name} ({code})" for code, lang in SOURCES.items())
    sure = f"confidence {detection.confidence:.2f}"
    if detection.language == UNKNOWN:
        looks = "the language of the text could not be identified"
    elif detection.name == detection.language:  # a code the registry has no name for
        looks = f"the text looks like the language with code {detection.language!r} ({sure})"
    else:
        looks = f"the text looks like {detection.name} ({detection.language}, {sure})"
    raise LanguageError(
        f"{looks}; Audarma translates {accepted}; if it is one of those, say so with {force_hint}"
    )
