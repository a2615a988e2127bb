"""The transformers engine: NLLB-200 and M2M100 checkpoints through ``AutoModelForSeq2SeqLM``.

It is the reference engine: the CTranslate2 engine must give the same hypotheses for a
converted copy of the same model; the rules both follow (language tags, token limits, what
"truncated" means, how a hypothesis is cut and decoded) live in :mod:`.family`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelLoadError
from .base import SHORTLIST_SCRIPTS
from .device import cpu_prefers_bf16, resolve_dtype, resolve_torch_device
from .family import DecodeBatch, Seq2SeqEngine, SourceTokenizer, detect_family
from .loading import check_folder, first_line, hub_offline, load_errors, missing_model
from .shortlist import TransformersShortlist

if TYPE_CHECKING:  # pragma: no cover
    import torch


#: Decoder positions before the content: the decoder start token and the forced target tag.
_PREFIX = 2


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


class RowForcedTagLogitsProcessor:
    """Forces each row's own target-language tag as the first generated token.

    transformers' ``forced_bos_token_id`` takes one tag for the whole batch; rows of one batch
    may go into different languages, so this does the same per row (batch-major rows,
    ``num_beams`` per sentence, as beam search lays them out).
    """

    def __init__(self, target_ids: Sequence[int], num_beams: int) -> None:
        self._tags = [tag for tag in target_ids for _ in range(num_beams)]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if input_ids.shape[-1] != 1:  # only the decoder start token so far: the tag comes next
            return scores
        forced = scores.new_full(scores.shape, float("-inf"))
        rows = range(scores.shape[0])
        forced[list(rows), self._tags] = 0.0
        return forced


class TransformersEngine(Seq2SeqEngine):
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
        self.device = resolve_torch_device(device)
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
        self.eos_id = int(eos if eos is not None else self.tokenizer.eos_token_id)
        self.special_ids = frozenset(self.tokenizer.all_special_ids)
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
            self._shortlist = TransformersShortlist(self.tokenizer, family, self._vocab_size)
            self.shortlist_scripts = SHORTLIST_SCRIPTS
        # The checkpoints ship ``max_length: 200``; we pass ``max_new_tokens`` per batch, and
        # with both set transformers warns on every call.
        self.model.generation_config.max_length = None

    #: The settings the constructor takes, by name (see :meth:`Seq2SeqEngine.from_settings`).
    SETTINGS = ("device", "dtype", "threads", "trust_remote_code", "shortlist")

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
        except (*load_errors(), TypeError) as exc:
            # TypeError: a tokenizer class given no vocabulary file (config.json alone).
            if folder is None and isinstance(exc, OSError):
                raise missing_model(self.model_name, exc) from exc
            hint = ""
            if folder is not None and (folder / "model.bin").is_file():
                hint = " (a CTranslate2 folder? use --engine ctranslate2)"
            elif isinstance(exc, TypeError):
                hint = (
                    " (are its tokenizer files missing? the folder needs e.g. tokenizer.json or"
                    " sentencepiece.bpe.model next to config.json)"
                )
            elif "trust_remote_code" in str(exc):
                hint = " (it needs custom code: set trust_remote_code only if you trust it)"
            raise ModelLoadError(
                f"model {self.model_name!r} cannot be loaded by the transformers engine: "
                f"{first_line(exc)}{hint}"
            ) from exc

    def generate_ids(self, batch: DecodeBatch) -> list[list[int]]:
        """``generate`` on the padded batch; each row's ids after its target tag.

        transformers keeps finished rows in the batch, so stopping a row early would save
        nothing: ``row_limits`` is not used.
        """
        import torch
        from transformers import LogitsProcessorList

        beam = batch.beam
        processors = [RowForcedTagLogitsProcessor(batch.target_ids, beam)]
        if self._shortlist is not None:
            restrict = self._shortlist.processor(batch.scripts, beam)
            if restrict is not None:
                processors.append(restrict)
        input_ids, attention_mask = padded_batch(batch.encoded, self._pad_id, self.device)
        with self._lock, torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask,
                do_sample=False,
                num_beams=beam,
                max_new_tokens=batch.max_length,
                logits_processor=LogitsProcessorList(processors),
            )
        return [row[_PREFIX:] for row in output.tolist()]

    @property
    def variant(self) -> str:
        """The weights' dtype: it changes outputs, so it is part of the translation cache key."""
        return str(self.dtype).removeprefix("torch.")

    def __repr__(self) -> str:
        return (
            f"TransformersEngine(model={self.model_name!r}, family={self.family!r}, "
            f"device={self.device!r}, dtype={str(self.dtype).removeprefix('torch.')})"
        )
