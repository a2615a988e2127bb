"""A deterministic engine behind the real interface, for exact-content pipeline tests.

It "translates" by transliterating Cyrillic to Latin and tagging the target language, so a
test can predict every output, see which sentences reached the engine, and craft inputs that
trip each QA flag.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.engines.base import DecodeOptions, Hypothesis, Languages, per_row
from service.languages import Language

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f h c ch sh sh - y - e iu ia a g q n o u u h i"
_TRANSLIT = {
    c: ("" if lat == "-" else lat) for c, lat in zip(_CYRILLIC, _LATIN.split(), strict=True)
}


def fake_translation(sentence: str, tgt: Language) -> str:
    """What :class:`FakeEngine` outputs for ``sentence``."""
    out = []
    for ch in sentence:
        low = ch.lower()
        latin = _TRANSLIT.get(low, ch)
        out.append(latin.upper() if ch != low else latin)
    return f"{tgt.code}: {''.join(out)}"


class FakeEngine:
    """Implements :class:`service.engines.base.Engine` without a model."""

    name = "fake"

    def __init__(self, model_name: str = "fake-model", max_input_tokens: int = 200) -> None:
        self.model_name = model_name
        self._max_input_tokens = max_input_tokens
        #: Every batch the engine was asked to translate, in order, and each row's target.
        self.calls: list[list[str]] = []
        self.targets: list[list[str]] = []
        self.sources: list[list[str]] = []

    @property
    def max_input_tokens(self) -> int:
        return self._max_input_tokens

    def count_tokens(self, sentences: Sequence[str], src: Languages) -> list[int]:
        return [len(s.split()) + 2 for s in sentences]

    def translate_batch(
        self, sentences: Sequence[str], src: Languages, tgt: Languages, options: DecodeOptions
    ) -> list[Hypothesis]:
        self.calls.append(list(sentences))
        self.targets.append([lang.code for lang in per_row(tgt, len(sentences))])
        self.sources.append([lang.code for lang in per_row(src, len(sentences))])
        out = []
        for sentence, lang in zip(sentences, per_row(tgt, len(sentences)), strict=True):
            text = fake_translation(sentence, lang)
            words = text.split()
            limit = options.token_limit(len(sentence.split()) + 2)
            truncated = len(words) > limit
            out.append(Hypothesis(" ".join(words[:limit]), truncated, min(len(words), limit)))
        return out

    @property
    def sentences_seen(self) -> list[str]:
        return [s for batch in self.calls for s in batch]
