"""Result objects returned by the library and rendered by every interface.

``to_dict()`` gives exactly the JSON shapes of DESIGN §5, so the CLI, HTTP API and page do
no reshaping of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentencePair:
    """One source sentence and its translation, with QA flags."""

    source: str
    target: str
    flags: list[str] = field(default_factory=list)
    #: The sentence's own source language, when it is not its article's (a Russian quotation
    #: inside a Kazakh article).
    source_language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"source": self.source, "target": self.target, "flags": list(self.flags)}
        if self.source_language:
            data["source_language"] = self.source_language
        return data


@dataclass
class LanguageTranslation:
    """An article in one target language: one list of sentence pairs per source paragraph."""

    language: str
    paragraphs: list[list[SentencePair]]

    @property
    def text(self) -> str:
        """Paragraphs on their own lines, sentences joined by a space."""
        return "\n".join(" ".join(p.target for p in para) for para in self.paragraphs)

    @property
    def flagged(self) -> list[SentencePair]:
        """The sentence pairs that carry at least one flag."""
        return [pair for para in self.paragraphs for pair in para if pair.flags]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "paragraphs": [[pair.to_dict() for pair in para] for para in self.paragraphs],
        }


@dataclass
class ModelInfo:
    """Which model translated, with which engine, and whether the target-script shortlist
    restricted its outputs."""

    name: str
    engine: str
    shortlist: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "engine": self.engine, "shortlist": self.shortlist}


@dataclass
class TranslationResult:
    """A translated article (DESIGN §5, ``audarma translate --format json``)."""

    source_language: str
    date: str | None
    model: ModelInfo
    translations: dict[str, LanguageTranslation]
    warnings: list[str] = field(default_factory=list)
    #: The script the article was written in: ``Cyrl``, ``Latn`` (converted to Cyrillic before
    #: translation) or ``mixed``.
    source_script: str = "Cyrl"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_language": self.source_language,
            "source_script": self.source_script,
            "date": self.date,
            "model": self.model.to_dict(),
            "translations": {code: t.to_dict() for code, t in self.translations.items()},
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        """Plain text: one block per language, headed by its code when there are several."""
        if len(self.translations) == 1:
            return next(iter(self.translations.values())).text
        return "\n\n".join(f"[{code}]\n{t.text}" for code, t in self.translations.items())
