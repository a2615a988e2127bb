"""The NLLB-200 tokenizer on the ``tokenizers`` library alone: no transformers, no torch.

Why it exists: the CTranslate2 engine needs nothing from torch, but
``transformers.AutoTokenizer`` imports it, and that import alone costs about 235 MB of
resident memory and a couple of seconds of start-up: more than a third of what the int8
NLLB-600M model itself takes (docs/speed.md). For a folder holding NLLB's own tokenizer as
transformers saved it (``tokenizer.json`` with ``tokenizer_class`` NllbTokenizer and the
current tag placement: ``[source tag] tokens </s>``; the engine uses it for the tokenizer
that ``audarma convert`` bundles), this class reproduces, id for id, the handful of
tokenizer methods the engine calls; ``tests/test_engines_nllb_tokenizer.py`` compares both on the
NTREX text.
Any other folder (M2M100, the legacy tag placement, custom code) returns ``None`` from
:func:`load_nllb_tokenizer` and goes through transformers as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The tokenizer classes whose ``tokenizer.json`` this module knows how to frame.
_CLASSES = ("NllbTokenizer", "NllbTokenizerFast")
#: transformers' ``clean_up_tokenization``: spaces before punctuation and English clitics.
_CLEAN_UP = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


def clean_up_spaces(text: str) -> str:
    """transformers' ``clean_up_tokenization``, replacement for replacement, in its order."""
    for old, new in _CLEAN_UP:
        text = text.replace(old, new)
    return text


def _token(config: dict[str, Any], key: str, default: str) -> str:
    """A special token from ``tokenizer_config.json``: a string or an AddedToken mapping."""
    value = config.get(key) or default
    return str(value.get("content") or default) if isinstance(value, dict) else str(value)


class NllbTokenizer:
    """The subset of transformers' NLLB tokenizer that the engines use, on ``tokenizers``."""

    def __init__(self, backend: Any, config: dict[str, Any]) -> None:
        self._backend = backend
        self.bos_token = _token(config, "bos_token", "<s>")
        self.eos_token = _token(config, "eos_token", "</s>")
        self.unk_token = _token(config, "unk_token", "<unk>")
        self.pad_token = _token(config, "pad_token", "<pad>")
        self.eos_token_id = self._required_id(self.eos_token)
        self.unk_token_id = self._required_id(self.unk_token)
        self.pad_token_id = self._backend.token_to_id(self.pad_token)
        self.model_max_length = int(config.get("model_max_length") or 1024)
        specials = {
            token.content: index
            for index, token in self._backend.get_added_tokens_decoder().items()
            if token.special
        }
        self.all_special_tokens: list[str] = list(specials)
        self.all_special_ids: list[int] = list(specials.values())
        self._src_lang = str(config.get("src_lang") or "eng_Latn")
        # transformers applies the clean-up only when asked and, for a BPE model, only when
        # also told it may corrupt the output (it would strip real spaces before punctuation).
        self._clean_up = bool(config.get("clean_up_tokenization_spaces")) and (
            type(backend.model).__name__ != "BPE"
            or bool(
                config.get(
                    "clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output"
                )
            )
        )

    def _required_id(self, token: str) -> int:
        found = self._backend.token_to_id(token)
        if found is None:
            raise ValueError(f"tokenizer.json has no {token!r} token")
        return int(found)

    @property
    def src_lang(self) -> str:
        """The source language tag put in front of every encoded sentence."""
        return self._src_lang

    @src_lang.setter
    def src_lang(self, code: str) -> None:
        self._src_lang = code

    def __call__(
        self,
        texts: Sequence[str],
        *,
        add_special_tokens: bool = True,
        truncation: bool = False,
        max_length: int | None = None,
        verbose: bool = True,
    ) -> dict[str, list[list[int]]]:
        """``{"input_ids": [...]}`` as transformers gives it for a list of sentences.

        ``truncation`` cuts the sentence's own tokens so that, tags included, it fits
        ``max_length`` (transformers' longest-first rule for a single sequence).
        """
        del verbose  # transformers' flag for its truncation warning; nothing to warn here
        encoded = [e.ids for e in self._backend.encode_batch(list(texts), add_special_tokens=False)]
        if not add_special_tokens:
            return {"input_ids": [list(ids) for ids in encoded]}
        tag = self.convert_tokens_to_ids(self._src_lang)
        room = None
        if truncation:
            room = max(0, (max_length or self.model_max_length) - 2)
        return {"input_ids": [[tag, *ids[:room], self.eos_token_id] for ids in encoded]}

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """The token strings of ``ids`` (what CTranslate2 takes as input)."""
        return [self._backend.id_to_token(int(i)) for i in ids]

    def convert_tokens_to_ids(self, token: str) -> int:
        """The id of ``token``; ``<unk>``'s id for a token the vocabulary lacks."""
        found = self._backend.token_to_id(token)
        return self.unk_token_id if found is None else int(found)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """Text of ``ids`` (tags, ``</s>`` and padding dropped with ``skip_special_tokens``)."""
        text = self._backend.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)
        return clean_up_spaces(text) if self._clean_up else text

    def __repr__(self) -> str:
        return f"NllbTokenizer(tokenizers, size={self._backend.get_vocab_size()})"


def load_nllb_tokenizer(folder: str | Path) -> NllbTokenizer | None:
    """``folder``'s NLLB tokenizer without transformers, or ``None`` when it is not one.

    ``None`` (the caller then uses transformers) for anything this module does not
    reproduce exactly: no ``tokenizer.json``, another tokenizer class, the legacy tag
    placement (``tokens </s> [tag]``), or custom code.
    """
    folder = Path(folder)
    config_path = folder / "tokenizer_config.json"
    model_path = folder / "tokenizer.json"
    if not (config_path.is_file() and model_path.is_file()):
        return None
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(config, dict)
        or config.get("tokenizer_class") not in _CLASSES
        or config.get("legacy_behaviour")
        or config.get("auto_map")
    ):
        return None
    try:
        from tokenizers import Tokenizer

        return NllbTokenizer(Tokenizer.from_file(str(model_path)), config)
    except Exception:  # noqa: BLE001 - tokenizers raises plain Exception on a bad file
        return None
