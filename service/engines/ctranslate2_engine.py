"""The CTranslate2 engine: the same NLLB-200 / M2M100 models, converted and quantized.

CTranslate2 runs the converted model with int8 weights and its own C++ decoding loop; on a
laptop CPU that is several times faster than transformers for the same model (see
``docs/speed.md``). It implements the same contract as the transformers engine and shares
its family rules (language tags, what ``truncated`` means, how a hypothesis is cut and
decoded), so a float32 conversion gives the transformers engine's greedy output token for
token.

``--model`` may be a hub id or a transformers folder (converted once into the cache, see
:mod:`service.engines.convert`) or an already converted CTranslate2 folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..bundled import tuning_sentences
from ..errors import ConfigError, ModelLoadError
from ..languages import LANGUAGES, SOURCE_LANGUAGE
from ..settings import load_settings
from .autotune import LayoutChoice, choose_layout
from .base import SHORTLIST_SCRIPTS
from .convert import TOKENIZER_DIR, ensure_converted, read_marker
from .family import DecodeBatch, Seq2SeqEngine, SourceTokenizer, detect_family, language_token
from .loading import first_line
from .nllb_tokenizer import load_nllb_tokenizer
from .shortlist import read_vmap_info, shortlist_tokens, write_vmap
from .tuning import (
    ThreadLayout,
    choose_compute_type,
    keep_buffers_in_heap,
    resolve_ct2_device,
    storage_quantization,
    sub_batch_size,
    thread_layout,
    usable_cores,
)

log = logging.getLogger(__name__)


def read_vocabulary(folder: Path) -> list[str]:
    """The target vocabulary in id order, as the converter wrote it."""
    for stem in ("shared_vocabulary", "target_vocabulary"):
        as_json = folder / f"{stem}.json"
        if as_json.is_file():
            return json.loads(as_json.read_text(encoding="utf-8"))
        as_text = folder / f"{stem}.txt"
        if as_text.is_file():
            return as_text.read_text(encoding="utf-8").split("\n")[:-1]
    raise ModelLoadError(f"CTranslate2 folder {str(folder)!r} has no vocabulary file")


def _decoding_defaults(folder: Path) -> dict[str, Any]:
    """Search settings from the checkpoint's generation config, as transformers applies them."""
    path = folder / "generation_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {
        "length_penalty": float(config.get("length_penalty") or 1.0),
        "repetition_penalty": float(config.get("repetition_penalty") or 1.0),
        "no_repeat_ngram_size": int(config.get("no_repeat_ngram_size") or 0),
    }


class CTranslate2Engine(Seq2SeqEngine):
    """An NLLB-200 or M2M100 model run by CTranslate2 (int8 on CPU by default)."""

    name = "ctranslate2"

    def __init__(
        self,
        model: str,
        *,
        device: str = "auto",
        compute_type: str = "auto",
        threads: int = 0,
        shortlist: bool = False,
        cache_dir: str | Path | None = None,
        trust_remote_code: bool = False,
        thread_layout: ThreadLayout | str | None = None,
    ) -> None:
        self.model_name = str(model)
        self.device = resolve_ct2_device(device)
        self.compute_type = choose_compute_type(self.device, compute_type)
        cache_dir = cache_dir if cache_dir is not None else load_settings().cache_dir
        self.model_dir = ensure_converted(
            self.model_name,
            storage_quantization(self.compute_type),
            cache_dir,
            trust_remote_code=trust_remote_code,
        )
        self.tokenizer = self._load_tokenizer(trust_remote_code)
        family = detect_family(self.tokenizer)
        if family is None:
            raise ModelLoadError(
                f"model {self.model_name!r} is not an NLLB-200 or M2M100 model (no eng_Latn or "
                "__en__ language token); the ctranslate2 engine supports those two families"
            )
        self.family = family
        self._vocabulary = read_vocabulary(self.model_dir)
        self._ids = {token: i for i, token in enumerate(self._vocabulary)}
        self._vocab_size = len(self._vocabulary)
        self.sources = SourceTokenizer(
            self.tokenizer,
            family,
            self.model_name,
            self._vocab_size,
            read_marker(self.model_dir).get("max_position_embeddings"),
        )
        self.eos_id = self._ids.get(self.tokenizer.eos_token, self.tokenizer.eos_token_id)
        self.special_ids = frozenset(self.tokenizer.all_special_ids)
        self._decoding = _decoding_defaults(self.model_dir)
        self.shortlist_scripts: frozenset[str] = frozenset()
        if shortlist:
            self.shortlist_scripts = self._prepare_shortlist()
        if self.device != "cpu":
            self.layout_choice = LayoutChoice(ThreadLayout(1, max(0, threads), False), "gpu")
        else:
            keep_buffers_in_heap()
            self.layout_choice = self._choose_layout(thread_layout, threads)
        self.layout = self.layout_choice.layout
        self._translator = self._make_translator(self.layout)
        log.info("ctranslate2 engine: %r", self)

    def _make_translator(self, layout: ThreadLayout) -> Any:
        import ctranslate2

        try:
            return ctranslate2.Translator(
                str(self.model_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=layout.translators,
                intra_threads=layout.threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelLoadError(
                f"CTranslate2 cannot load {str(self.model_dir)!r}: {first_line(exc)}"
            ) from exc

    def _choose_layout(self, layout: ThreadLayout | str | None, threads: int) -> LayoutChoice:
        """The given layout, the setting's, or the one measured fastest on this machine."""
        if isinstance(layout, ThreadLayout):
            return LayoutChoice(layout, "given")
        setting = layout if layout is not None else load_settings().thread_layout
        budget = threads if threads > 0 else usable_cores()
        if setting.strip().lower() == "default":
            return LayoutChoice(thread_layout(budget), "default")

        def workload() -> tuple[list[list[str]], list[list[str]]]:
            sentences = tuning_sentences()
            encoded = self.sources.encode(sentences, LANGUAGES[SOURCE_LANGUAGE])
            tag = language_token(self.family, LANGUAGES["en"])
            tokens = [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded]
            return tokens, [[tag]] * len(tokens)

        return choose_layout(
            setting, budget, self.model_dir, self.compute_type, self._make_translator, workload
        )

    #: The settings the constructor takes, by name (see :meth:`Seq2SeqEngine.from_settings`).
    SETTINGS = (
        "device",
        "compute_type",
        "threads",
        "shortlist",
        "cache_dir",
        "trust_remote_code",
        "thread_layout",
    )

    # ------------------------------------------------------------------ loading
    def _load_tokenizer(self, trust_remote_code: bool) -> Any:
        """NLLB's tokenizer without torch where it can (see nllb_tokenizer), else transformers'.

        Only for the tokenizer that ``audarma convert`` bundled: transformers itself wrote
        those files, so reading them back with ``tokenizers`` gives what transformers would.
        A folder converted elsewhere may hold an older ``tokenizer.json`` that transformers
        adjusts on load, so it goes through transformers.
        """
        bundled = self.model_dir / TOKENIZER_DIR
        folder = bundled if bundled.is_dir() else self.model_dir
        if bundled.is_dir() and not trust_remote_code:
            light = load_nllb_tokenizer(bundled)
            if light is not None:
                return light
        from transformers import AutoTokenizer

        try:
            return AutoTokenizer.from_pretrained(
                str(folder), local_files_only=True, trust_remote_code=trust_remote_code
            )
        except (OSError, ValueError, TypeError) as exc:
            raise ModelLoadError(
                f"CTranslate2 folder {str(self.model_dir)!r} has no usable tokenizer "
                f"({first_line(exc)}); convert with `audarma convert` to bundle one"
            ) from exc

    def _prepare_shortlist(self) -> frozenset[str]:
        """The shortlisted scripts; writes the folder's ``vmap.txt`` if it is missing.

        CTranslate2 reads one vocabulary map per model folder, so it holds the tokens of the
        shortlisted scripts only (Latin): rows into any other script decode in full.
        """
        scripts = sorted(SHORTLIST_SCRIPTS)
        info = read_vmap_info(self.model_dir)
        if info.get("scripts") != scripts:
            always = set(self.tokenizer.all_special_tokens) | {
                language_token(self.family, lang) for lang in LANGUAGES.values()
            }
            tokens = shortlist_tokens(self._vocabulary, scripts, always=always)
            try:
                write_vmap(self.model_dir, tokens, {"scripts": scripts})
            except OSError as exc:
                raise ConfigError(
                    f"the shortlist needs a vocabulary map in {str(self.model_dir)!r}, which is "
                    f"not writable ({exc.strerror}); turn the shortlist off"
                ) from exc
        return frozenset(scripts)

    # ------------------------------------------------------------------ contract
    @property
    def variant(self) -> str:
        """What changes outputs besides the model: part of the translation cache key."""
        return self.compute_type

    def generate_ids(self, batch: DecodeBatch) -> list[list[int]]:
        """CTranslate2 takes tokens, not ids: convert, then :meth:`generate`.

        Under greedy search each row stops one token past its own limit (a row that runs to
        its limit is cut there anyway), so a short sentence in a batch of long ones no longer
        decodes to the longest one's limit.
        """
        convert = self.tokenizer.convert_ids_to_tokens
        limits = batch.row_limits
        stops = [limit + 1 for limit in limits] if limits and batch.beam == 1 else None
        return self.generate(
            [convert(list(ids)) for ids in batch.encoded],
            convert([int(tag) for tag in batch.target_ids]),
            batch.scripts,
            beam=batch.beam,
            max_length=batch.max_length,
            stops=stops,
        )

    def generate(
        self,
        source_tokens: Sequence[Sequence[str]],
        target_tags: Sequence[str],
        scripts: Sequence[str | None] | None = None,
        *,
        beam: int,
        max_length: int,
        min_length: int = 1,
        stops: Sequence[int] | None = None,
    ) -> list[list[int]]:
        """Decoder output ids after each row's target tag (EOS included when reached).

        ``max_length``/``min_length`` count decoder tokens after the start token, the target
        tag included, like transformers' ``max_new_tokens``/``min_new_tokens``. Rows restricted
        to a script (``scripts[i]``) and free rows go in separate calls, since the vocabulary
        map applies to a whole call; each call is split over the parallel translators.
        ``stops[i]`` (greedy search only) ends row ``i`` after that many content tokens, as if
        it had reached its end: CTranslate2 then drops it from the batch.
        """
        if stops is not None and beam != 1:
            raise ValueError("per-row stops need greedy search (CTranslate2's step callback)")
        rows = len(source_tokens)
        restricted = [bool(scripts and scripts[i]) for i in range(rows)]
        outputs: list[list[int]] = [[] for _ in range(rows)]
        for use_vmap in (True, False):
            chosen = [i for i in range(rows) if restricted[i] == use_vmap]
            if not chosen:
                continue
            callback = None
            if stops is not None:
                chosen_stops = [stops[i] for i in chosen]

                def callback(step: Any, chosen_stops: list[int] = chosen_stops) -> bool:
                    # At ``step.step == n`` the row holds n content tokens (measured).
                    return step.step >= chosen_stops[step.batch_id]

            results = self._translator.translate_batch(
                [list(source_tokens[i]) for i in chosen],
                target_prefix=[[target_tags[i]] for i in chosen],
                beam_size=beam,
                max_batch_size=sub_batch_size(len(chosen), beam, self.layout),
                max_input_length=0,  # inputs were already cut to the model's limit
                max_decoding_length=max_length,
                min_decoding_length=min_length,
                return_end_token=True,
                use_vmap=use_vmap,
                callback=callback,
                **self._decoding,
            )
            for i, result in zip(chosen, results, strict=True):
                outputs[i] = [self._ids[t] for t in result.hypotheses[0][1:]]
        return outputs

    def __repr__(self) -> str:
        return (
            f"CTranslate2Engine(model={self.model_name!r}, family={self.family!r}, "
            f"device={self.device!r}, compute_type={self.compute_type!r}, "
            f"threads={self.layout_choice}, "
            f"shortlist={sorted(self.shortlist_scripts) or None})"
        )
