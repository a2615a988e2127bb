"""Script conversion for Kazakh and Uzbek: one entry point for the CLI, the API and the pipeline.

Script tags are BCP 47 style: ``kk-Cyrl``, ``kk-Latn``, ``uz-Cyrl``, ``uz-Latn``. Kazakh Latin
input may name its alphabet, ``kk-Latn-2021``, ``kk-Latn-2018`` or ``kk-Latn-2017``; plain
``kk-Latn`` means "find out" (see :func:`detect_latin_variant`). Kazakh Latin output is the
2021 alphabet (``kk-Latn-2018`` as a target gives the acute variant).

The converters themselves live in :mod:`.kazakh_latin` and :mod:`.uzbek_cyrillic`; both only
change letters, so digits, punctuation and line breaks come out exactly as they went in.
"""

from __future__ import annotations

from ..errors import LanguageError
from .kazakh_latin import (
    VARIANTS,
    KazakhLatinVariant,
    detect_latin_variant,
    kazakh_cyrillic_to_latin,
    kazakh_latin_to_cyrillic,
    kazakh_latin_to_cyrillic_mapped,
)
from .uzbek_cyrillic import uzbek_cyrillic_to_latin, uzbek_latin_to_cyrillic
from .wordmap import Rewritten

#: The scripts of each language.
SCRIPT_TAGS = ("kk-Cyrl", "kk-Latn", "uz-Cyrl", "uz-Latn")
#: What ``--to`` accepts: the tags, and the 2018 Kazakh alphabet on request.
TARGET_TAGS = SCRIPT_TAGS + ("kk-Latn-2018",)
#: What ``--from`` accepts: the tags plus the named Kazakh Latin alphabets.
SOURCE_TAGS = SCRIPT_TAGS + tuple(f"kk-Latn-{variant}" for variant in VARIANTS)

__all__ = [
    "SCRIPT_TAGS",
    "Rewritten",
    "SOURCE_TAGS",
    "TARGET_TAGS",
    "detect_latin_variant",
    "kazakh_cyrillic_to_latin",
    "kazakh_latin_to_cyrillic",
    "kazakh_to_cyrillic",
    "kazakh_to_cyrillic_mapped",
    "source_tag",
    "transliterate",
    "uzbek_cyrillic_to_latin",
    "uzbek_latin_to_cyrillic",
    "uzbek_to_cyrillic",
]


def kazakh_to_cyrillic(text: str, variant: KazakhLatinVariant = "auto") -> str:
    """Kazakh in an official Latin alphabet -> Cyrillic; Cyrillic passes through unchanged.

    The alphabets read i, ı, u and y differently and a 2018 line without accents cannot show
    its alphabet, so decide ``variant`` once for a whole article (:func:`detect_latin_variant`
    on all of it) and pass it for each paragraph; convert paragraphs, not the raw text, so that
    the ``date YYYY-MM-DD`` line stays Latin.
    """
    return kazakh_latin_to_cyrillic(text, variant)


def kazakh_to_cyrillic_mapped(text: str, variant: KazakhLatinVariant = "auto") -> Rewritten:
    """:func:`kazakh_to_cyrillic` that also maps offsets back to the Latin as written.

    Segment ``.text`` (Cyrillic) and cut each sentence out of ``.source`` with
    ``.source_span(start, end)``: results can show the sentence as the user wrote it.
    """
    return kazakh_latin_to_cyrillic_mapped(text, variant)


def uzbek_to_cyrillic(text: str) -> str:
    """An Uzbek translation (official Latin) -> Uzbek Cyrillic: the ``uz-Cyrl`` target."""
    return uzbek_latin_to_cyrillic(text)


def _split_tag(tag: str, allowed: tuple[str, ...], what: str) -> tuple[str, str, str]:
    """``kk-Latn-2018`` -> ("kk", "Latn", "2018"); case-insensitive, refuses unknown tags."""
    by_lower = {known.lower(): known for known in allowed}
    known = by_lower.get(tag.strip().lower())
    if known is None:
        raise LanguageError(f"unknown {what} script {tag!r}; expected one of {', '.join(allowed)}")
    language, script, *variant = known.split("-")
    return language, script, variant[0] if variant else ""


def source_tag(text: str, to: str, source: str | None = None) -> str:
    """The script ``text`` is read as when converted to ``to``, in canonical spelling.

    The other script of the language unless ``source`` says; Kazakh Latin names its alphabet
    (``kk-Latn-2018``), recognised from the text when not given.
    """
    language, script, _ = _split_tag(to, TARGET_TAGS, "target")
    default = f"{language}-{'Latn' if script == 'Cyrl' else 'Cyrl'}"
    src_language, src_script, variant = _split_tag(source or default, SOURCE_TAGS, "source")
    if src_language == "kk" and src_script == "Latn":
        return f"kk-Latn-{variant or detect_latin_variant(text)}"
    return f"{src_language}-{src_script}"


def transliterate(text: str, to: str, source: str | None = None) -> str:
    """Convert ``text`` to the script ``to`` (kk-Cyrl, kk-Latn, uz-Cyrl, uz-Latn).

    ``source`` defaults to the other script of the same language; converting to the script
    the text is already in returns it unchanged, except between named Kazakh Latin alphabets
    (``kk-Latn-2018`` -> ``kk-Latn``), which goes through Cyrillic (exact on the Latin side).
    """
    language, script, out_variant = _split_tag(to, TARGET_TAGS, "target")
    default = f"{language}-{'Latn' if script == 'Cyrl' else 'Cyrl'}"
    src_language, src_script, variant = _split_tag(source or default, SOURCE_TAGS, "source")
    if src_language != language:
        raise LanguageError(
            f"cannot convert {source} to {to}: transliteration keeps the language"
            " (translate to change it)"
        )
    if src_script == script:
        if language != "kk" or script != "Latn" or variant == (out_variant or "2021"):
            return text
        if not variant and not out_variant:
            return text  # kk-Latn to kk-Latn: nothing named to convert between
        cyrillic = kazakh_latin_to_cyrillic(text, variant or "auto")  # type: ignore[arg-type]
        return kazakh_cyrillic_to_latin(cyrillic, "2018" if out_variant == "2018" else "2021")
    if language == "kk" and script == "Latn":
        return kazakh_cyrillic_to_latin(text, "2018" if out_variant == "2018" else "2021")
    if language == "kk":
        return kazakh_latin_to_cyrillic(text, variant or "auto")  # type: ignore[arg-type]
    if script == "Cyrl":
        return uzbek_latin_to_cyrillic(text)
    return uzbek_cyrillic_to_latin(text)
