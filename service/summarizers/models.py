"""Loading and running the summary models: a seq2seq summarizer and a chat LLM.

Both load through the ``Auto*`` classes from a hub id or a local folder, on the device and
dtype :mod:`service.engines.device` picks, never with ``trust_remote_code`` unless the settings
ask for it. A model that cannot be loaded is a :class:`ModelLoadError` naming the model and
the fix, because the usual cause is simply a model that was never downloaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engines.device import resolve_dtype, resolve_torch_device
from ..engines.loading import first_line, hub_offline, load_errors, looks_like_path
from ..errors import ModelLoadError

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings

#: Encoder input limit when the tokenizer declares none (XL-Sum was trained on 512 tokens).
DEFAULT_INPUT_TOKENS = 512
#: A tokenizer ``model_max_length`` above this is the "no limit" sentinel, not a real limit.
_NO_LIMIT = 1_000_000


@dataclass(frozen=True)
class Generation:
    """One generated answer."""

    text: str
    #: Generation stopped at ``max_new_tokens`` instead of at end-of-sequence.
    hit_limit: bool = False
    #: The input was longer than the model accepts and was cut.
    input_truncated: bool = False


def _how_to_fix(model: str, setting: str) -> str:
    return (
        f"download it once with `hf download {model}`, or pass a local model folder with"
        f" --summary-model DIR (setting {setting}, AUDARMA_{setting.upper()})"
    )


def _weight_file_errors() -> tuple[type[BaseException], ...]:
    """A damaged weights file (an interrupted download) is a load error, not a crash."""
    try:
        from safetensors import SafetensorError
    except ImportError:  # pragma: no cover
        return ()
    return (SafetensorError,)


def load_pretrained(
    model: str, auto_class: str, settings: Settings, setting: str
) -> tuple[Any, Any]:
    """``(tokenizer, model)`` for ``model`` with ``transformers.<auto_class>``, ready to run.

    ``setting`` names the setting that chose the model, for the error message.
    """
    import transformers

    path = Path(model).expanduser()
    if path.is_dir() and not (path / "config.json").is_file():
        raise ModelLoadError(
            f"summary model folder {model!r} has no config.json; pass a transformers model"
            f" folder with --summary-model DIR (setting {setting})"
        )
    if not path.is_dir() and (path.exists() or looks_like_path(model)):
        raise ModelLoadError(
            f"summary model folder {model!r} does not exist; {_how_to_fix(model, setting)}"
        )
    local = path.is_dir()
    source = str(path) if local else model
    device = resolve_torch_device(settings.device)
    kwargs = {
        "local_files_only": local or hub_offline(),
        "trust_remote_code": settings.trust_remote_code,
    }
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
        network = getattr(transformers, auto_class).from_pretrained(
            source, dtype=resolve_dtype(device, settings.dtype), **kwargs
        )
    except (*load_errors(), *_weight_file_errors()) as exc:
        if not local and isinstance(exc, OSError):
            state = "is not available offline" if hub_offline() else "could not be downloaded"
            reason = first_line(exc)
            raise ModelLoadError(
                f"summary model {model!r} {state} ({reason}); {_how_to_fix(model, setting)}"
            ) from exc
        hint = ""
        if "trust_remote_code" in str(exc):
            hint = " (it needs custom code: set trust_remote_code only if you trust it)"
        raise ModelLoadError(
            f"summary model {model!r} cannot be loaded as {auto_class}: {first_line(exc)}{hint};"
            f" pass a suitable model with --summary-model (setting {setting})"
        ) from exc
    network.to(device)
    network.eval()
    return tokenizer, network


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    return {int(e) for e in (eos if isinstance(eos, (list, tuple)) else [eos]) if e is not None}


class Seq2SeqSummarizer:
    """An abstractive summarizer (mT5 XL-Sum style): text in, summary text out."""

    def __init__(self, model: str, settings: Settings) -> None:
        self.model_name = model
        self.tokenizer, self.model = load_pretrained(
            model, "AutoModelForSeq2SeqLM", settings, "summary_model"
        )
        self._eos = _eos_ids(self.model, self.tokenizer)
        limit = int(self.tokenizer.model_max_length)
        self.max_input_tokens = limit if limit < _NO_LIMIT else DEFAULT_INPUT_TOKENS
        self._lock = threading.Lock()

    def generate(self, text: str, max_new_tokens: int, beam: int) -> Generation:
        """Summarise ``text``: beam search with no repeated bigrams, as XL-Sum was evaluated."""
        import torch

        with self._lock, torch.inference_mode():
            full = self.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"]
            batch = self.tokenizer(
                [text], return_tensors="pt", truncation=True, max_length=self.max_input_tokens
            ).to(self.model.device)
            output = self.model.generate(
                **batch,
                do_sample=False,
                num_beams=max(1, beam),
                no_repeat_ngram_size=2,
                max_new_tokens=max_new_tokens,
            )
        ids = output[0].tolist()[1:]  # after the decoder start token
        ended = any(i in self._eos for i in ids)
        return Generation(
            self.tokenizer.decode(ids, skip_special_tokens=True).strip(),
            hit_limit=not ended and len(ids) >= max_new_tokens,
            input_truncated=len(full) > self.max_input_tokens,
        )


class ChatModel:
    """A causal LM with a chat template: messages in, the assistant's answer out."""

    def __init__(self, model: str, settings: Settings) -> None:
        self.model_name = model
        self.tokenizer, self.model = load_pretrained(
            model, "AutoModelForCausalLM", settings, "llm_model"
        )
        if not getattr(self.tokenizer, "chat_template", None):
            raise ModelLoadError(
                f"model {model!r} has no chat template; the llm strategy needs an instruct/chat"
                " model such as Qwen/Qwen2.5-1.5B-Instruct (--summary-model, setting llm_model)"
            )
        self._eos = _eos_ids(self.model, self.tokenizer)
        pad = self.tokenizer.pad_token_id
        self._pad_id = pad if pad is not None else min(self._eos, default=None)
        self._lock = threading.Lock()

    @property
    def special_tokens(self) -> list[str]:
        """Control strings the tokenizer would turn into special tokens if they were typed."""
        added = getattr(self.tokenizer, "added_tokens_decoder", {}) or {}
        tokens = {str(t) for t in self.tokenizer.all_special_tokens}
        tokens |= {str(t.content) for t in added.values() if getattr(t, "special", False)}
        return sorted(t for t in tokens if t.strip())

    def generate(self, messages: Sequence[dict[str, str]], max_new_tokens: int) -> Generation:
        """Greedy decoding (reproducible, and the most faithful choice for summaries)."""
        import torch

        with self._lock, torch.inference_mode():
            batch = self.tokenizer.apply_chat_template(
                list(messages), add_generation_prompt=True, return_dict=True, return_tensors="pt"
            ).to(self.model.device)
            output = self.model.generate(
                **batch,
                do_sample=False,
                # Instruct checkpoints ship sampling defaults; greedy ignores them, say so.
                temperature=None,
                top_p=None,
                top_k=None,
                max_new_tokens=max_new_tokens,
                pad_token_id=self._pad_id,
            )
        ids = output[0].tolist()[batch["input_ids"].shape[1] :]
        ended = any(i in self._eos for i in ids)
        return Generation(
            self.tokenizer.decode(ids, skip_special_tokens=True).strip(),
            hit_limit=not ended and len(ids) >= max_new_tokens,
        )
