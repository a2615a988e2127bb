"""The language registry: Audarma's short codes, their roles and the codes each model family uses.

Models silently map an unknown language token to ``<unk>`` and then translate into whatever
language they like, so every code is validated here, once, with a clear error.

One table, :data:`KNOWN_LANGUAGES`, holds every language Audarma can *name*:

* **sources** — what an article may be written in: Kazakh (in Cyrillic, or in the official
  Latin alphabet, which is converted to Cyrillic before translation) and Russian (Kazakh
  agencies publish in both, and Kazakh articles quote officials in Russian);
* **targets** — what users may ask for: English, Uzbek, and Uzbek in Cyrillic. ``uz-Cyrl`` is
  *derived*: no model writes it; it is the ``uz`` translation converted by the official
  Latin -> Cyrillic rules (:attr:`Language.derived_from`), so a pipeline decodes ``uz`` once and
  converts;
* **recognised only** — Kazakh's neighbours and the languages Russian lines get mistaken for
  (Kyrgyz, Tatar, Bashkir, Ukrainian, ...). The language detector reports them; they are here
  only so that a refusal can name the language ("the text looks like Kyrgyz (ky)").

Kazakh and English are also model languages the other way round (summaries translate back
through English), so :func:`get_language` accepts every source and target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import LanguageError


@dataclass(frozen=True)
class Language:
    """One language: its codes, its script and what Audarma does with it."""

    code: str  # Audarma's code: ISO 639-1 (639-3 where there is none), ``-Script`` if derived
    name: str
    nllb: str  # NLLB-200 / FLORES-200 code; "" when no model reads or writes it
    m2m100: str  # M2M100 code (without the ``__``); "" when no model reads or writes it
    script: str  # ISO 15924 script of the written standard we produce (or read)
    #: An article may be written in it (``--source``).
    source: bool = False
    #: A translation may be asked for in it (``--to``).
    target: bool = False
    #: Other scripts an article may be written in, converted to :attr:`script` first (kk: Latn).
    input_scripts: tuple[str, ...] = ()
    #: The model language this one is produced from by transliteration (uz-Cyrl: ``uz``).
    derived_from: str | None = None

    @property
    def translatable(self) -> bool:
        """Whether Audarma translates from or into it (else it is only recognised)."""
        return self.source or self.target

    @property
    def decoded(self) -> Language:
        """The language a model writes for this target (``uz`` for ``uz-Cyrl``, else itself)."""
        return KNOWN_LANGUAGES[self.derived_from] if self.derived_from else self

    def model_code(self, family: str) -> str:
        """The code a model of ``family`` (``nllb`` or ``m2m100``) expects."""
        if family not in ("nllb", "m2m100"):
            raise LanguageError(f"unknown model family {family!r}; expected 'nllb' or 'm2m100'")
        if self.derived_from:
            raise LanguageError(
                f"{self.code} ({self.name}) is written by converting the {self.derived_from}"
                f" translation; a model decodes {self.derived_from}, not {self.code}"
            )
        code = self.nllb if family == "nllb" else self.m2m100
        if not code:
            raise LanguageError(f"{self.name} ({self.code}) is not a language Audarma translates")
        return code


def _recognised(code: str, name: str, script: str) -> Language:
    return Language(code, name, "", "", script)


#: Every language Audarma can name: sources and targets first (in the order interfaces list
#: them), then the languages the detector may report that are refused by name.
KNOWN_LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("kk", "Kazakh", "kaz_Cyrl", "kk", "Cyrl", source=True, input_scripts=("Latn",)),
        Language("ru", "Russian", "rus_Cyrl", "ru", "Cyrl", source=True),
        Language("en", "English", "eng_Latn", "en", "Latn", target=True),
        Language("uz", "Uzbek", "uzn_Latn", "uz", "Latn", target=True),
        Language("uz-Cyrl", "Uzbek in Cyrillic", "", "", "Cyrl", target=True, derived_from="uz"),
        # Kazakh's Turkic neighbours: share most of its letters, so the likeliest wrong paste
        _recognised("ky", "Kyrgyz", "Cyrl"),
        _recognised("tt", "Tatar", "Cyrl"),
        _recognised("ba", "Bashkir", "Cyrl"),
        _recognised("tk", "Turkmen", "Latn"),
        _recognised("az", "Azerbaijani", "Latn"),
        _recognised("tr", "Turkish", "Latn"),
        _recognised("crh", "Crimean Tatar", "Latn"),
        _recognised("mn", "Mongolian", "Cyrl"),
        _recognised("tg", "Tajik", "Cyrl"),
        # other Cyrillic languages a Russian text can be mistaken for, or pasted instead
        _recognised("uk", "Ukrainian", "Cyrl"),
        _recognised("be", "Belarusian", "Cyrl"),
        _recognised("bg", "Bulgarian", "Cyrl"),
        _recognised("mk", "Macedonian", "Cyrl"),
        _recognised("sr", "Serbian", "Cyrl"),
    )
}

#: The language articles are written in unless said (or detected) otherwise.
SOURCE_LANGUAGE = "kk"

#: What an article may be written in, in the order interfaces offer them.
SOURCES: dict[str, Language] = {c: lang for c, lang in KNOWN_LANGUAGES.items() if lang.source}
#: What a translation may be asked for in, in the order interfaces offer them.
TARGETS: dict[str, Language] = {c: lang for c, lang in KNOWN_LANGUAGES.items() if lang.target}
#: The languages of the default direction that a model reads or writes: the default source and
#: the targets a model decodes (kk, en, uz). The engines build their forced language tags and
#: their target-script shortlists from this table; summaries and scoring choose among it.
LANGUAGES: dict[str, Language] = {
    c: lang
    for c, lang in KNOWN_LANGUAGES.items()
    if c == SOURCE_LANGUAGE or (lang.target and not lang.derived_from)
}

_ALIASES: dict[str, str] = {}
for _lang in KNOWN_LANGUAGES.values():
    for _alias in (_lang.code, _lang.nllb, _lang.name, _lang.m2m100):
        if _alias:
            _ALIASES[_alias.lower()] = _lang.code
_ALIASES.update(
    {"kaz": "kk", "eng": "en", "uzb": "uz", "uzn": "uz", "rus": "ru", "kir": "ky", "tat": "tt"}
)
_ALIASES.update({"bak": "ba", "uz_cyrl": "uz-Cyrl", "uzn_cyrl": "uz-Cyrl", "uzb_cyrl": "uz-Cyrl"})


def describe(codes: Iterable[str]) -> str:
    """``"kk (Kazakh), ru (Russian)"``: the form every message lists languages in."""
    return ", ".join(f"{code} ({KNOWN_LANGUAGES[code].name})" for code in codes)


def language_name(code: str) -> str:
    """The English name of any code the registry knows, else the code itself (``fr``)."""
    lang = KNOWN_LANGUAGES.get(_ALIASES.get(code.strip().lower(), code))
    return lang.name if lang else code


def lookup_language(code: str) -> Language | None:
    """Any language the registry knows, translatable or not; ``None`` for the rest."""
    key = _ALIASES.get(str(code).strip().lower())
    return KNOWN_LANGUAGES[key] if key else None


def get_language(code: str | Language) -> Language:
    """A language Audarma translates from or into, by short code, NLLB code or English name.

    Case-insensitive. A language the registry only recognises (``ky``) is refused by name.
    """
    if isinstance(code, Language):
        return code
    lang = lookup_language(code)
    supported = describe(c for c, known in KNOWN_LANGUAGES.items() if known.translatable)
    if lang is None:
        raise LanguageError(f"unknown language {str(code)!r}; supported: {supported}")
    if not lang.translatable:
        raise LanguageError(
            f"{lang.name} ({lang.code}) is not a language Audarma translates; supported: "
            f"{supported}"
        )
    return lang


def get_source(code: str | Language) -> Language:
    """A language an article may be written in (``kk`` or ``ru``), else a clear error."""
    lang = get_language(code)
    if not lang.source:
        raise LanguageError(
            f"Audarma translates articles written in {describe(SOURCES)}; not {lang.name}"
            f" ({lang.code})"
        )
    return lang


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
        raise LanguageError("no language given; supported: " + ", ".join(TARGETS))
    return out
