"""Models of the real NLLB-200 / M2M100 architectures with random weights, built offline.

Tests and the benchmark need a model that goes through exactly the code real checkpoints go
through (``AutoTokenizer`` / ``AutoModelForSeq2SeqLM`` loading, language tags, beam search,
CTranslate2 conversion) without downloading gigabytes. A SentencePiece BPE model trained in a
fraction of a second on the bundled NTREX text stands in for the real 256k vocabulary; the
network is an ``M2M100ForConditionalGeneration`` (NLLB uses the same class) with random weights.
The outputs are garbage, but every loading, tokenising and generation path is the real one.

The same builder makes a *synthetic full-size* network from :data:`PRESETS` (``nllb-600m`` ...)
for speed measurements: its embedding matrix has the real vocabulary size even though the
tokenizer only ever produces ids of its small SentencePiece vocabulary.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..bundled import NTREX_FILES, ntrex_candidates, ntrex_dir

if TYPE_CHECKING:  # pragma: no cover
    import torch

FAMILIES = ("nllb", "m2m100")

#: Embedding rows past the last tokenizer id, as in the real checkpoints: NLLB-200 has 256,204
#: tokens and 256,206 rows; M2M100 appends 8 "madeupword" rows after its 100 language tags.
_SPARE_ROWS = {"nllb": 2, "m2m100": 8}

#: The fairseq dictionary's first four entries; SentencePiece ids are shifted past them.
_FAIRSEQ_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


@dataclass(frozen=True)
class Preset:
    """Size and initialisation of an M2M100-architecture network.

    ``vocab_size=None`` fits the embedding to the tokenizer (plus the spare rows the real
    checkpoints have). ``init_std`` and ``eos_scale`` only shape the random outputs: with the
    library's default ``init_std=0.02`` a tiny network repeats one token for every input, and it
    never picks EOS; a wider init makes outputs depend on the input, and scaling the (tied) EOS
    embedding makes some hypotheses end early while others run to the limit, so tests exercise
    both the finished and the truncated paths with real generation.
    """

    d_model: int
    encoder_layers: int
    decoder_layers: int
    attention_heads: int
    ffn_dim: int
    vocab_size: int | None = None
    max_position_embeddings: int = 1024
    init_std: float = 0.02
    eos_scale: float = 1.0


#: A tiny shape for tests, and the published checkpoints' shapes for full-size benchmarks.
PRESETS: dict[str, Preset] = {
    "tiny": Preset(32, 2, 2, 4, 64, init_std=1.0, eos_scale=2.0),
    "nllb-600m": Preset(1024, 12, 12, 16, 4096, vocab_size=256_206),
    "nllb-1.3b": Preset(1024, 24, 24, 16, 8192, vocab_size=256_206),
    "nllb-3.3b": Preset(2048, 24, 24, 16, 8192, vocab_size=256_206),
    "m2m100-418m": Preset(1024, 12, 12, 16, 4096, vocab_size=128_112),
    "m2m100-1.2b": Preset(1024, 24, 24, 16, 8192, vocab_size=128_112),
}


def find_ntrex_dir() -> Path:
    """The bundled NTREX-128 dev folder (repository checkout or installed wheel)."""
    folder = ntrex_dir()
    if folder is None:
        raise FileNotFoundError(
            "NTREX text for the synthetic tokenizer not found; looked in "
            + ", ".join(str(p) for p in ntrex_candidates())
        )
    return folder


def ntrex_lines(folder: str | Path | None = None) -> list[str]:
    """Non-empty lines of the Kazakh, Uzbek and English NTREX files (CRLF stripped)."""
    folder = Path(folder) if folder is not None else find_ntrex_dir()
    lines: list[str] = []
    for name in NTREX_FILES:
        text = (folder / name).read_text(encoding="utf-8")
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    return lines


def train_sentencepiece(
    lines: Iterable[str],
    out_dir: str | Path,
    vocab_size: int = 2000,
    model_type: str = "bpe",
) -> Path:
    """Train a SentencePiece model the way fairseq's are laid out; returns the ``.model`` path.

    Ids 0-2 are ``<unk> <s> </s>`` and there is no pad piece, as in the NLLB and M2M100
    SentencePiece files; the tokenizers then shift pieces past the fairseq specials.
    ``character_coverage=1.0`` keeps every Cyrillic and Latin letter of the text a piece, so
    real sentences never hit ``<unk>``.
    """
    import sentencepiece as spm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / "sentencepiece.bpe"  # the file name the NLLB and M2M100 tokenizers use
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_non_empty(lines)),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,  # deterministic pieces for a given text
        minloglevel=2,
    )
    Path(f"{prefix}.vocab").unlink(missing_ok=True)
    return Path(f"{prefix}.model")


def _non_empty(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        line = line.strip()
        if line:
            yield line


def build_tiny_model(
    out_dir: str | Path,
    family: str = "nllb",
    *,
    preset: str = "tiny",
    seed: int = 0,
    spm_model: str | Path | None = None,
    spm_vocab_size: int = 2000,
    d_model: int | None = None,
    encoder_layers: int | None = None,
    decoder_layers: int | None = None,
    attention_heads: int | None = None,
    ffn_dim: int | None = None,
    vocab_size: int | None = None,
    max_position_embeddings: int | None = None,
    model_max_length: int | None = None,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write a random-weight ``family`` model folder loadable with the ``Auto*`` classes.

    ``preset`` picks the shape (:data:`PRESETS`); any explicit dim overrides it. ``spm_model``
    reuses a trained SentencePiece file (train once, build many); without it one is trained on
    the NTREX text. ``model_max_length`` defaults to ``max_position_embeddings`` as in the real
    checkpoints. ``dtype`` is the storage dtype (``float16`` halves a full-size preset on disk).
    """
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; expected one of {FAMILIES}")
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {sorted(PRESETS)}")
    overrides = {
        "d_model": d_model,
        "encoder_layers": encoder_layers,
        "decoder_layers": decoder_layers,
        "attention_heads": attention_heads,
        "ffn_dim": ffn_dim,
        "vocab_size": vocab_size,
        "max_position_embeddings": max_position_embeddings,
    }
    shape = replace(PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    max_len = model_max_length or shape.max_position_embeddings

    with tempfile.TemporaryDirectory(prefix="audarma-spm-") as scratch:
        if spm_model is None:
            spm_model = train_sentencepiece(ntrex_lines(), scratch, vocab_size=spm_vocab_size)
        if family == "nllb":
            tokenizer = _nllb_tokenizer(Path(spm_model), max_len)
        else:
            tokenizer = _m2m100_tokenizer(Path(spm_model), Path(scratch), max_len)
        n_tokens = max(tokenizer.get_vocab().values()) + 1
        rows = shape.vocab_size or n_tokens + _SPARE_ROWS[family]
        if rows < n_tokens:
            raise ValueError(f"vocab_size {rows} is smaller than the tokenizer's {n_tokens} tokens")
        if family == "m2m100":
            # CTranslate2 pads the vocabulary with exactly this many "madeupword" entries.
            tokenizer.num_madeup_words = rows - n_tokens
            tokenizer.init_kwargs["num_madeup_words"] = rows - n_tokens
        tokenizer.save_pretrained(out)
        if family == "nllb":
            # As in the published repo, next to tokenizer.json (which transformers prefers):
            # a CTranslate2 engine may tokenize with SentencePiece directly.
            shutil.copyfile(spm_model, out / "sentencepiece.bpe.model")

    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in _FAIRSEQ_SPECIALS}
    config = M2M100Config(
        vocab_size=rows,
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.attention_heads,
        decoder_attention_heads=shape.attention_heads,
        encoder_ffn_dim=shape.ffn_dim,
        decoder_ffn_dim=shape.ffn_dim,
        max_position_embeddings=shape.max_position_embeddings,
        encoder_layerdrop=0.0,
        decoder_layerdrop=0.0,
        activation_function="relu",
        scale_embedding=True,
        init_std=shape.init_std,
        bos_token_id=ids["<s>"],
        pad_token_id=ids["<pad>"],
        eos_token_id=ids["</s>"],
        # NLLB and M2M100 start decoding from EOS, then the forced target-language tag.
        decoder_start_token_id=ids["</s>"],
        tokenizer_class=type(tokenizer).__name__,
        architectures=["M2M100ForConditionalGeneration"],
    )
    with torch.random.fork_rng(devices=[]):  # seeded weights without disturbing the caller's RNG
        torch.manual_seed(seed)
        model = M2M100ForConditionalGeneration(config).eval()
    if shape.eos_scale != 1.0:
        with torch.no_grad():  # lm_head is tied to this table
            model.get_input_embeddings().weight[ids["</s>"]] *= shape.eos_scale
    if dtype is not None:
        model = model.to(dtype)
    # The published checkpoints' generation defaults (max_length 200 included).
    model.generation_config = GenerationConfig(
        bos_token_id=ids["<s>"],
        pad_token_id=ids["<pad>"],
        eos_token_id=ids["</s>"],
        decoder_start_token_id=ids["</s>"],
        max_length=200,
    )
    model.save_pretrained(out)
    return out


def _nllb_tokenizer(spm_model: Path, model_max_length: int):
    """An ``NllbTokenizer`` over ``spm_model`` with every FLORES-200 tag, in the real id layout.

    Layout as in ``facebook/nllb-200-*``: ``<s> <pad> </s> <unk>``, the SentencePiece pieces
    (shifted by one), the 202 language tags, then ``<mask>``. Without the tags passed as
    ``extra_special_tokens`` the codes would silently tokenize to ``<unk>``.
    """
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    # Let transformers extract the BPE vocab, merges and normalizer from the .model file.
    native = NllbTokenizer.convert_to_native_format(vocab_file=str(spm_model))
    vocab = dict(native["vocab"])
    for code in [*FAIRSEQ_LANGUAGE_CODES, "<mask>"]:
        vocab.setdefault(code, len(vocab))
    return NllbTokenizer(
        vocab=vocab,
        merges=native["merges"],
        _spm_precompiled_charsmap=native.get("_spm_precompiled_charsmap"),
        extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES),
        src_lang="kaz_Cyrl",
        tgt_lang="eng_Latn",
        model_max_length=model_max_length,
    )


def _m2m100_tokenizer(spm_model: Path, scratch: Path, model_max_length: int):
    """An ``M2M100Tokenizer``: fairseq ``vocab.json``, the SentencePiece file, ``__xx__`` tags."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    vocab = {name: i for i, name in enumerate(_FAIRSEQ_SPECIALS)}
    for i in range(processor.get_piece_size()):
        if not (processor.is_unknown(i) or processor.is_control(i)):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    vocab_file = scratch / "vocab.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return M2M100Tokenizer(
        vocab_file=str(vocab_file),
        spm_file=str(spm_model),
        src_lang="kk",
        tgt_lang="en",
        # The constructor's own loop that should register the tags never does (a chained
        # ``not in`` in transformers); real checkpoints list them in tokenizer_config.json.
        extra_special_tokens=[f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]],
        model_max_length=model_max_length,
    )
