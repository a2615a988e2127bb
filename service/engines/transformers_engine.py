"""The transformers engine: NLLB-200 and M2M100 checkpoints through ``AutoModelForSeq2SeqLM``.

It is the reference engine: the CTranslate2 engine must give the same hypotheses for a
converted copy of the same model, so the family rules (language tags, what "truncated" means,
how a hypothesis is cut and decoded) live in small torch-free functions here that both share.

Token limits. ``DecodeOptions.token_limit(n)`` bounds the *content* tokens of a hypothesis for
a source of ``n`` tokens (counted as :meth:`count_tokens` does, specials included). The
decoder output is ``[decoder_start] [target tag] content... [EOS]``; a batch is generated with
``max_new_tokens = max(limits) + 2`` (the tag, and room for the EOS after a hypothesis of
exactly ``limit`` tokens), and each hypothesis is then cut at its *own* limit: it is
``truncated`` when no EOS came within ``limit`` content tokens. Under greedy search this makes
every result independent of the rest of the batch; under beam search a longer budget can
still change which beam wins for a sentence that hits its limit (beam search keeps ranking
unfinished beams), so truncated beam outputs may differ slightly with batch composition.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, LanguageError, ModelLoadError
from ..languages import Language
from .base import DecodeOptions, Hypothesis
from .device import cpu_prefers_bf16, resolve_device, resolve_dtype
from .loading import check_folder, first_line, hub_offline, load_errors, missing_model

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from ..settings import Settings

FAMILIES = ("nllb", "m2m100")

#: Headroom between the hard input limit and :attr:`max_input_tokens`, so a sentence the
#: pipeline accepts is never truncated even if a caller counts without the tag and EOS.
SPECIALS_MARGIN = 2

#: Decoder positions before the content: the decoder start token and the forced target tag.
_PREFIX = 2
#: New tokens generated besides the content: the target tag and the final EOS.
_TAG_AND_EOS = 2

# --- family rules, shared with the CTranslate2 engine (no torch needed) ---------------------


def detect_family(tokenizer: Any, config: Any = None) -> str | None:
    """``nllb`` or ``m2m100`` from the tokenizer class, the config, or the tag format."""
    names = [type(tokenizer).__name__, str(getattr(config, "tokenizer_class", "") or "")]
    for name in names:
        lowered = name.lower()
        if lowered.startswith("nllb"):
            return "nllb"
        if lowered.startswith("m2m100"):
            return "m2m100"
    # A generic tokenizer class: recognise the language tags themselves.
    if token_id(tokenizer, "eng_Latn") is not None:
        return "nllb"
    if token_id(tokenizer, "__en__") is not None:
        return "m2m100"
    return None


def language_token(family: str, lang: Language) -> str:
    """The tag token of ``lang`` in ``family``: ``kaz_Cyrl`` (NLLB) or ``__kk__`` (M2M100)."""
    code = lang.model_code(family)
    return f"__{code}__" if family == "m2m100" else code


def token_id(tokenizer: Any, token: str) -> int | None:
    """The id of ``token``, or ``None`` when the tokenizer maps it to ``<unk>`` (or nothing)."""
    found = tokenizer.convert_tokens_to_ids(token)
    if found is None or (found == tokenizer.unk_token_id and token != tokenizer.unk_token):
        return None
    return int(found)


def language_token_id(
    tokenizer: Any, family: str, lang: Language, model_name: str, vocab_size: int | None = None
) -> int:
    """The target tag's id, checked: an unknown tag would silently become ``<unk>``."""
    token = language_token(family, lang)
    found = token_id(tokenizer, token)
    if found is None or (vocab_size is not None and found >= vocab_size):
        raise LanguageError(
            f"model {model_name!r} has no language token {token!r} for {lang.name} "
            f"({lang.code}); it cannot translate from or into that language"
        )
    return found


def set_source_language(
    tokenizer: Any, family: str, src: Language, model_name: str, vocab_size: int | None = None
) -> None:
    """Check the source tag exists, then make the tokenizer prepend it (it is tokenizer state)."""
    language_token_id(tokenizer, family, src, model_name, vocab_size)
    tokenizer.src_lang = src.model_code(family)


class SourceTokenizer:
    """How both engines turn source sentences into ids: tag checked, then tag + tokens + EOS.

    NLLB and M2M100 tokenizers hold the source language as state (``src_lang``), so choosing
    it and encoding happen under one lock; one object per engine keeps that rule, the checks
    that the tags exist, and the input limit (the tokenizer's, capped by the model's position
    table, which the tokenizer is then held to) in a single place.
    """

    def __init__(
        self,
        tokenizer: Any,
        family: str,
        model_name: str,
        vocab_size: int,
        positions: int | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.family = family
        self.model_name = model_name
        self.vocab_size = vocab_size
        self._lock = threading.Lock()
        limits = [int(tokenizer.model_max_length)] + ([int(positions)] if positions else [])
        #: Longest encoder input, tags included; longer inputs are cut (a last resort).
        self.input_limit = min(limits)
        tokenizer.model_max_length = self.input_limit

    @property
    def max_input_tokens(self) -> int:
        """The longest source (special tokens included) sent to the model untruncated."""
        return self.input_limit - SPECIALS_MARGIN

    def encode(
        self, sentences: Sequence[str], src: Language, max_length: int | None = None
    ) -> list[list[int]]:
        """Ids of each sentence; cut to ``max_length`` (tags kept) as a last resort."""
        cut = {"truncation": True, "max_length": max_length} if max_length else {}
        with self._lock:
            set_source_language(self.tokenizer, self.family, src, self.model_name, self.vocab_size)
            encoded = self.tokenizer(list(sentences), add_special_tokens=True, verbose=False, **cut)
        return [list(ids) for ids in encoded["input_ids"]]

    def count(self, sentences: Sequence[str], src: Language) -> list[int]:
        """Source token count of each sentence, with the language tag and EOS."""
        return [len(ids) for ids in self.encode(sentences, src)] if sentences else []

    def target_id(self, tgt: Language) -> int:
        """The id of ``tgt``'s tag, checked (an unknown tag would silently be ``<unk>``)."""
        return language_token_id(self.tokenizer, self.family, tgt, self.model_name, self.vocab_size)

    def prepare(
        self, sentences: Sequence[str], src: Language, tgt: Language, options: DecodeOptions
    ) -> tuple[int, list[list[int]], list[int]]:
        """What both engines check and compute before decoding a batch.

        Returns the target tag's id, each sentence's ids (cut to the input limit only as a
        last resort: the pipeline splits long sentences first) and its content token limit.
        """
        if options.beam < 1:
            raise ConfigError(f"beam must be at least 1, got {options.beam}")
        target = self.target_id(tgt)
        encoded = self.encode(sentences, src, self.input_limit)
        return target, encoded, [options.token_limit(len(ids)) for ids in encoded]


def padded_batch(
    rows: Sequence[Sequence[int]], pad_id: int, device: Any = "cpu"
) -> tuple[Any, Any]:
    """``input_ids`` and ``attention_mask`` tensors, right-padded as the NLLB tokenizers pad."""
    import torch

    width = max(len(ids) for ids in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for row, ids in enumerate(rows):
        input_ids[row, : len(ids)] = torch.tensor(list(ids), dtype=torch.long)
        mask[row, : len(ids)] = 1
    return input_ids.to(device), mask.to(device)


def finish_hypothesis(
    tokenizer: Any,
    content: Sequence[int],
    limit: int,
    eos_id: int,
    special_ids: Collection[int],
) -> Hypothesis:
    """Cut ``content`` (decoder output after the target tag) at EOS or ``limit`` and decode it.

    ``truncated`` when no EOS came within ``limit`` tokens; ``tokens`` counts the kept
    tokens that are not special (a random or confused model may emit tags or ``<pad>``).
    """
    content = list(content)
    end = content.index(eos_id) if eos_id in content else None
    if end is not None and end <= limit:
        kept, truncated = content[:end], False
    else:
        kept, truncated = content[:limit], True
    text = tokenizer.decode(kept, skip_special_tokens=True).strip()
    tokens = sum(1 for t in kept if t not in special_ids)
    return Hypothesis(text=text, truncated=truncated, tokens=tokens)


class TransformersEngine:
    """An NLLB-200 or M2M100 model run with transformers' ``generate`` (beam search)."""

    name = "transformers"

    def __init__(
        self,
        model: str,
        *,
        device: str = "auto",
        dtype: str = "auto",
        threads: int = 0,
        trust_remote_code: bool = False,
        shortlist: bool = False,
    ) -> None:
        import torch

        self.model_name = str(model)
        self.device = resolve_device(device)
        self.dtype: torch.dtype = resolve_dtype(self.device, dtype)
        if threads > 0:
            torch.set_num_threads(threads)
        # One model is not faster when several threads call generate on it at once: calls
        # take turns (the tokenizer has its own lock, in SourceTokenizer).
        self._lock = threading.Lock()
        self.tokenizer, self.model = self._load(trust_remote_code)
        auto_dtype = (dtype or "auto").strip().lower() == "auto"
        if auto_dtype and self.device == "cpu" and cpu_prefers_bf16(self.model.num_parameters()):
            self.model.to(torch.bfloat16)  # a large model on a bf16 CPU: about 2x faster
            self.dtype = torch.bfloat16
        family = detect_family(self.tokenizer, self.model.config)
        if family is None:
            raise ModelLoadError(
                f"model {self.model_name!r} is not an NLLB-200 or M2M100 model (tokenizer "
                f"{type(self.tokenizer).__name__}, no eng_Latn or __en__ language token); "
                "the transformers engine supports those two families"
            )
        self.family = family
        eos = self.model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, (list, tuple)) else eos
        self._eos_id = int(eos if eos is not None else self.tokenizer.eos_token_id)
        self._special_ids = frozenset(self.tokenizer.all_special_ids)
        self._vocab_size = int(self.model.config.vocab_size)
        self.sources = SourceTokenizer(
            self.tokenizer,
            family,
            self.model_name,
            self._vocab_size,
            getattr(self.model.config, "max_position_embeddings", None),
        )
        pad = self.tokenizer.pad_token_id
        self._pad_id = int(pad if pad is not None else self.model.config.pad_token_id)
        self._shortlist = None  # the target-script shortlist (service/engines/shortlist.py)
        if shortlist:
            from .shortlist import TransformersShortlist

            self._shortlist = TransformersShortlist(self.tokenizer, family, self._vocab_size)
        # The checkpoints ship ``max_length: 200``; we pass ``max_new_tokens`` per batch, and
        # with both set transformers warns on every call.
        self.model.generation_config.max_length = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TransformersEngine:
        """The engine the settings describe."""
        return cls(
            settings.model,
            device=settings.device,
            dtype=settings.dtype,
            threads=settings.threads,
            trust_remote_code=settings.trust_remote_code,
            shortlist=settings.shortlist,
        )

    def _load(self, trust_remote_code: bool) -> tuple[Any, Any]:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        folder = check_folder(self.model_name)
        source = str(folder) if folder is not None else self.model_name
        kwargs = {
            "local_files_only": folder is not None or hub_offline(),
            "trust_remote_code": trust_remote_code,
        }
        tokenizer = self._from_pretrained(AutoTokenizer, source, folder, **kwargs)
        # A folder without tokenizer files still "loads": transformers builds an empty
        # tokenizer from config.json's tokenizer_class that turns every word into <unk>.
        probe = tokenizer("news", add_special_tokens=False)["input_ids"]
        if not probe or all(i == tokenizer.unk_token_id for i in probe):
            raise ModelLoadError(
                f"model {self.model_name!r} has no usable tokenizer (every word becomes "
                "<unk>); the folder needs its tokenizer files, e.g. tokenizer.json or "
                "sentencepiece.bpe.model"
            )
        model = self._from_pretrained(
            AutoModelForSeq2SeqLM, source, folder, dtype=self.dtype, **kwargs
        )
        model.to(self.device)
        model.eval()
        return tokenizer, model

    def _from_pretrained(self, auto: Any, source: str, folder: Path | None, **kwargs: Any) -> Any:
        """``auto.from_pretrained`` with every load failure turned into one-line advice."""
        try:
            return auto.from_pretrained(source, **kwargs)
        except load_errors() as exc:
            if folder is None and isinstance(exc, OSError):
                raise missing_model(self.model_name, exc) from exc
            hint = ""
            if folder is not None and (folder / "model.bin").is_file():
                hint = " (a CTranslate2 folder? use --engine ctranslate2)"
            elif "trust_remote_code" in str(exc):
                hint = " (it needs custom code: set trust_remote_code only if you trust it)"
            raise ModelLoadError(
                f"model {self.model_name!r} cannot be loaded by the transformers engine: "
                f"{first_line(exc)}{hint}"
            ) from exc

    @property
    def max_input_tokens(self) -> int:
        """The longest source (special tokens included) sent to the model untruncated."""
        return self.sources.max_input_tokens

    def count_tokens(self, sentences: Sequence[str], src: Language) -> list[int]:
        """Source token count of each sentence, with the language tag and EOS."""
        return self.sources.count(sentences, src)

    def translate_batch(
        self,
        sentences: Sequence[str],
        src: Language,
        tgt: Language,
        options: DecodeOptions,
    ) -> list[Hypothesis]:
        """Translate one batch; hypotheses in input order, each cut at its own token limit."""
        import torch

        if not sentences:
            return []
        target_id, encoded, limits = self.sources.prepare(sentences, src, tgt, options)
        input_ids, attention_mask = padded_batch(encoded, self._pad_id, self.device)
        with self._lock, torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask,
                forced_bos_token_id=target_id,
                do_sample=False,
                num_beams=options.beam,
                max_new_tokens=max(limits) + _TAG_AND_EOS,
                logits_processor=self._shortlist and self._shortlist.processors(tgt.script),
            )
        rows = output.tolist()
        return [
            finish_hypothesis(self.tokenizer, row[_PREFIX:], limit, self._eos_id, self._special_ids)
            for row, limit in zip(rows, limits, strict=True)
        ]

    @property
    def variant(self) -> str:
        """The weights' dtype: it changes outputs, so it is part of the translation cache key."""
        return str(self.dtype).removeprefix("torch.") + ("+shortlist" if self._shortlist else "")

    def __repr__(self) -> str:
        return (
            f"TransformersEngine(model={self.model_name!r}, family={self.family!r}, "
            f"device={self.device!r}, dtype={str(self.dtype).removeprefix('torch.')})"
        )
