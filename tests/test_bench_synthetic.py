"""The synthetic models load and tokenize exactly like the published checkpoints they mimic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sentencepiece as spm
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig
from transformers.models.m2m_100.tokenization_m2m_100 import (
    FAIRSEQ_LANGUAGE_CODES as M2M100_CODES,
)
from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES as NLLB_CODES

from service.bench.synthetic import PRESETS, build_tiny_model, find_ntrex_dir, ntrex_lines

KAZAKH = "Уэльс ассамблеясының мүшелері өз атауларының өзгеретініне алаңдайды."


def test_ntrex_lines_reads_the_three_languages_without_line_ends():
    folder = find_ntrex_dir()
    lines = ntrex_lines()
    expected = sum(
        1
        for name in ("kaz.txt", "uzb.txt", "eng-US.txt")
        for line in (folder / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    assert len(lines) == expected > 2000
    assert not any("\r" in line or "\n" in line or line != line.strip() for line in lines)
    kazakh_first = (folder / "kaz.txt").read_text(encoding="utf-8").splitlines()[0].strip()
    assert lines[0] == kazakh_first
    assert any("қ" in line for line in lines) and any(
        "o‘" in line or "oʻ" in line for line in lines
    )


def test_sentencepiece_model_has_the_fairseq_layout(tiny_spm_model: Path):
    sp = spm.SentencePieceProcessor(model_file=str(tiny_spm_model))
    assert tiny_spm_model.name == "sentencepiece.bpe.model"
    assert sp.get_piece_size() == 2000
    assert [sp.id_to_piece(i) for i in range(3)] == ["<unk>", "<s>", "</s>"]
    assert sp.pad_id() == -1
    assert sp.unk_id() not in sp.encode(KAZAKH)
    assert sp.decode(sp.encode(KAZAKH)) == KAZAKH


def test_tiny_nllb_loads_like_nllb_200(tiny_nllb_dir: Path, tiny_spm_model: Path):
    tok = AutoTokenizer.from_pretrained(tiny_nllb_dir, src_lang="kaz_Cyrl")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_nllb_dir)
    assert type(tok).__name__ == "NllbTokenizer"
    assert type(model).__name__ == "M2M100ForConditionalGeneration"
    assert tok.model_max_length == 1024
    # Real layout: specials, the 1997 SentencePiece pieces shifted by one, 202 tags, <mask>.
    assert tok.convert_tokens_to_ids(["<s>", "<pad>", "</s>", "<unk>"]) == [0, 1, 2, 3]
    assert tok.convert_tokens_to_ids(NLLB_CODES) == list(range(2001, 2001 + len(NLLB_CODES)))
    assert tok.convert_tokens_to_ids("<mask>") == 2001 + len(NLLB_CODES) == len(tok) - 1
    assert set(NLLB_CODES) <= set(tok.all_special_tokens)
    # The tags the service needs are real ids, and text is split exactly as SentencePiece does.
    sp = spm.SentencePieceProcessor(model_file=str(tiny_spm_model))
    ids = tok(KAZAKH).input_ids
    assert ids[0] == tok.convert_tokens_to_ids("kaz_Cyrl") and ids[-1] == tok.eos_token_id
    assert ids[1:-1] == [i + 1 for i in sp.encode(KAZAKH)]
    assert tok.decode(ids, skip_special_tokens=True) == KAZAKH
    assert (tiny_nllb_dir / "sentencepiece.bpe.model").read_bytes() == tiny_spm_model.read_bytes()

    config = model.config
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (32, 2, 2)
    assert (config.encoder_attention_heads, config.encoder_ffn_dim) == (4, 64)
    assert config.vocab_size == len(tok) + 2  # as 256,204 tokens / 256,206 rows in NLLB-200
    assert config.max_position_embeddings == 1024
    assert config.tokenizer_class == "NllbTokenizer"
    gen = GenerationConfig.from_pretrained(tiny_nllb_dir)
    assert (gen.decoder_start_token_id, gen.eos_token_id, gen.pad_token_id) == (2, 2, 1)
    assert config.decoder_start_token_id == config.eos_token_id == 2


def test_tiny_m2m100_loads_like_m2m100(tiny_m2m100_dir: Path, tiny_spm_model: Path):
    tok = AutoTokenizer.from_pretrained(tiny_m2m100_dir, src_lang="kk")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_m2m100_dir)
    assert type(tok).__name__ == "M2M100Tokenizer"
    assert type(model).__name__ == "M2M100ForConditionalGeneration"
    tags = [f"__{code}__" for code in M2M100_CODES["m2m100"]]
    assert tok.convert_tokens_to_ids(tags) == list(range(2001, 2001 + len(tags)))
    assert set(tags) <= set(tok.all_special_tokens)  # so decoding drops them
    sp = spm.SentencePieceProcessor(model_file=str(tiny_spm_model))
    ids = tok(KAZAKH).input_ids
    assert ids[0] == tok.convert_tokens_to_ids("__kk__") and ids[-1] == tok.eos_token_id
    assert tok.convert_ids_to_tokens(ids[1:-1]) == sp.encode(KAZAKH, out_type=str)
    assert tok.decode(ids, skip_special_tokens=True) == KAZAKH
    # M2M100 appends 8 "madeupword" rows; CTranslate2 reads their count from the tokenizer.
    assert model.config.vocab_size == len(tok) + 8
    saved = json.loads((tiny_m2m100_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert saved["num_madeup_words"] == 8
    assert tok.model_max_length == 1024


@pytest.mark.parametrize("family", ["nllb", "m2m100"])
def test_build_is_deterministic_per_seed(tmp_path: Path, tiny_spm_model: Path, family: str):
    first = build_tiny_model(tmp_path / "a", family, spm_model=tiny_spm_model, seed=3)
    again = build_tiny_model(tmp_path / "b", family, spm_model=tiny_spm_model, seed=3)
    other = build_tiny_model(tmp_path / "c", family, spm_model=tiny_spm_model, seed=4)
    weights = [load_file(folder / "model.safetensors") for folder in (first, again, other)]
    assert weights[0].keys() == weights[1].keys() == weights[2].keys()
    assert all(weights[0][k].equal(weights[1][k]) for k in weights[0])
    assert not all(weights[0][k].equal(weights[2][k]) for k in weights[0])


def test_build_trains_its_own_sentencepiece_when_none_given(tmp_path: Path):
    folder = build_tiny_model(tmp_path / "m", "m2m100", spm_vocab_size=500)
    tok = AutoTokenizer.from_pretrained(folder, src_lang="kk")
    assert tok.vocab_size == 500 + 1  # four fairseq specials replace SentencePiece's three
    assert not list(tmp_path.glob("**/*.vocab"))


@pytest.mark.parametrize(
    ("family", "preset", "rows"),
    [("nllb", "nllb-600m", 256_206), ("m2m100", "m2m100-418m", 128_112)],
)
def test_full_size_preset_keeps_the_real_vocabulary(
    tmp_path: Path, tiny_spm_model: Path, family: str, preset: str, rows: int
):
    # Shrunk layers (explicit dims override the preset) keep the test fast; the embedding
    # keeps the published vocabulary size although the tokenizer only knows ~2k pieces.
    folder = build_tiny_model(
        tmp_path / preset,
        family,
        preset=preset,
        spm_model=tiny_spm_model,
        d_model=8,
        encoder_layers=1,
        decoder_layers=1,
        attention_heads=2,
        ffn_dim=16,
    )
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["vocab_size"] == rows
    tok = AutoTokenizer.from_pretrained(folder)
    assert len(tok) < 2300
    if family == "m2m100":
        assert tok.num_madeup_words == rows - len(tok)


def test_presets_match_the_published_checkpoints():
    nllb = PRESETS["nllb-600m"]
    assert (nllb.d_model, nllb.encoder_layers, nllb.decoder_layers) == (1024, 12, 12)
    assert (nllb.attention_heads, nllb.ffn_dim, nllb.vocab_size) == (16, 4096, 256_206)
    assert PRESETS["m2m100-418m"].vocab_size == 128_112


def test_build_rejects_bad_arguments(tmp_path: Path, tiny_spm_model: Path):
    with pytest.raises(ValueError, match="unknown model family 'marian'"):
        build_tiny_model(tmp_path, "marian", spm_model=tiny_spm_model)
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        build_tiny_model(tmp_path, "nllb", preset="huge", spm_model=tiny_spm_model)
    with pytest.raises(ValueError, match="vocab_size 100 is smaller than the tokenizer's 2204"):
        build_tiny_model(tmp_path, "nllb", vocab_size=100, spm_model=tiny_spm_model)


@pytest.mark.parametrize("family", ["nllb", "m2m100"])
def test_ctranslate2_converts_the_tiny_model_faithfully(
    tmp_path: Path, request: pytest.FixtureRequest, family: str
):
    """The CTranslate2 engine is built on these folders: conversion must give the same model."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    import torch
    from ctranslate2.converters import TransformersConverter

    folder = request.getfixturevalue(f"tiny_{family}_dir")
    out = TransformersConverter(str(folder)).convert(str(tmp_path / "ct2"))
    src, tgt = ("kaz_Cyrl", "eng_Latn") if family == "nllb" else ("kk", "__en__")
    tok = AutoTokenizer.from_pretrained(folder, src_lang=src)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    translator = ctranslate2.Translator(out, device="cpu")
    for line in ntrex_lines()[:3]:
        batch = tok(line, return_tensors="pt")
        with torch.inference_mode():
            ids = model.generate(
                **batch,
                forced_bos_token_id=tok.convert_tokens_to_ids(tgt),
                num_beams=1,
                do_sample=False,
                max_new_tokens=12,
            )[0]
        result = translator.translate_batch(
            [tok.convert_ids_to_tokens(batch.input_ids[0])],
            target_prefix=[[tgt]],
            beam_size=1,
            max_decoding_length=12,  # counts the target prefix, like max_new_tokens
            return_end_token=True,
        )
        assert result[0].hypotheses[0] == tok.convert_ids_to_tokens(ids[1:].tolist())
