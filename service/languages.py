"""The language registry: Audarma's short codes and the codes each model family uses.

Models silently map an unknown language token to ``<unk>`` and then translate into whatever
language they like, so every code is validated here, once, with a clear error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import LanguageError


@dataclass(frozen=True)
class Language:
    """One language and its codes in each supported model family."""

    code: str  # Audarma's short code (ISO 639-1)
    name: str
    nllb: str  # NLLB-200 / FLORES-200 code
    m2m100: str  # M2M100 code (without the ``__``)
    script: str  # ISO 15924 script of the written standard we produce

    def model_code(self, family: str) -> str:
        """The code a model of ``family`` (``nllb`` or ``m2m100``) expects."""
        if family == "nllb":
            return self.nllb
        if family == "m2m100":
            return self.m2m100
        raise LanguageError(f"unknown model family {family!r}; expected 'nllb' or 'm2m100'")


LANGUAGES: dict[str, Language] = {
    "kk": Language("kk", "Kazakh", "kaz_Cyrl", "kk", "Cyrl"),
    "en": Language("en", "English", "eng_Latn", "en", "Latn"),
    "uz": Language("uz", "Uzbek", "uzn_Latn", "uz", "Latn"),
}

#: The language articles are written in.
SOURCE_LANGUAGE = "kk"

_ALIASES: dict[str, str] = {}
for _lang in LANGUAGES.values():
    for _alias in (_lang.code, _lang.nllb, _lang.name, _lang.m2m100):
        _ALIASES[_alias.lower()] = _lang.code
_ALIASES.update({"kaz": "kk", "eng": "en", "uzb": "uz", "uzn": "uz"})


def get_language(code: str | Language) -> Language:
    """Look a language up by short code, NLLB code or English name (case-insensitive)."""
    if isinstance(code, Language):
        return code
    key = str(code).strip().lower()
    if key in _ALIASES:
        return LANGUAGES[_ALIASES[key]]
    known = ", ".join(f"{lang.code} ({lang.name})" for lang in LANGUAGES.values())
    raise LanguageError(f"unknown language {str(code)!r}; supported: {known}")


def parse_languages(spec: str | Iterable[str | Language]) -> list[Language]:
    """Parse ``"en,uz"`` (or a list) into languages, keeping order and dropping repeats."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[Language] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        lang = get_language(item)
        if lang not in out:
            out.append(lang)
    if not out:
        raise LanguageError("no language given; supported: " + ", ".join(LANGUAGES))
    return out
