"""The target-script shortlist: which tokens it keeps, the vocabulary map, both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from service.bench.synthetic import ntrex_lines
from service.engines.base import DecodeOptions
from service.engines.ctranslate2_engine import CTranslate2Engine
from service.engines.shortlist import (
    VMAP_FILE,
    ShortlistLogitsProcessor,
    allowed_ids,
    read_vmap_info,
    shortlist_tokens,
    token_in_scripts,
    vmap_text,
    write_vmap,
)
from service.engines.transformers_engine import TransformersEngine
from service.languages import LANGUAGES

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.mark.parametrize(
    ("token", "latin"),
    [
        ("▁hello", True),
        ("▁oʻzbek", True),  # U+02BB, the Uzbek okina: a modifier letter, script-neutral
        ("Gʼ", True),
        ("▁café", True),
        ("▁2025", True),
        ("▁", True),
        (",", True),
        ("▁сәлем", False),
        ("aб", False),
        ("مرحبا", False),
    ],
)
def test_token_script(token: str, latin: bool):
    assert token_in_scripts(token, ["Latn"]) is latin


def test_shortlist_keeps_specials_and_drops_padding_rows():
    vocabulary = ["<s>", "<pad>", "</s>", "<unk>", "▁the", "▁және", "kaz_Cyrl", "madeupword0"]
    kept = shortlist_tokens(vocabulary, ["Latn"], always=["kaz_Cyrl", "<s>"])
    assert kept == ["<s>", "<pad>", "</s>", "<unk>", "▁the", "kaz_Cyrl"]


def test_vmap_has_one_always_candidate_line(tmp_path: Path):
    assert vmap_text(["a", "▁b"]) == "\ta ▁b\n"
    with pytest.raises(ValueError):
        vmap_text(["a b"])
    write_vmap(tmp_path, ["a", "▁b"], {"scripts": ["Latn"]})
    assert (tmp_path / VMAP_FILE).read_text() == "\ta ▁b\n"
    assert read_vmap_info(tmp_path) == {"scripts": ["Latn"], "tokens": 2}
    assert not list(tmp_path.glob(".*"))  # no temporary left behind


def test_logits_processor_masks_everything_else():
    processor = ShortlistLogitsProcessor([1, 3], vocab_size=5)
    scores = torch.arange(10, dtype=torch.float32).reshape(2, 5)
    out = processor(None, scores)
    assert torch.equal(out[:, [1, 3]], scores[:, [1, 3]])
    assert torch.isinf(out[:, [0, 2, 4]]).all()


@pytest.fixture(scope="module")
def engines(tiny_nllb_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("ct2-shortlist")
    make = lambda **kw: CTranslate2Engine(  # noqa: E731
        str(tiny_nllb_dir), device="cpu", compute_type="float32", cache_dir=cache, **kw
    )
    return make(), make(shortlist=True)


def test_ctranslate2_shortlist_writes_latin_output(engines):
    full, short = engines
    assert short.variant == "float32+shortlist" and full.variant == "float32"
    assert short.shortlist_scripts == {"Latn"}
    info = read_vmap_info(short.model_dir)
    assert info["scripts"] == ["Latn"] and 0 < info["tokens"] < len(short._vocabulary)
    sentences = ntrex_lines()[:16]
    options = DecodeOptions(beam=1, max_new_tokens=24)
    unrestricted = full.translate_batch(sentences, KK, EN, options)
    restricted = short.translate_batch(sentences, KK, UZ, options)
    assert any(CYRILLIC.search(h.text) for h in unrestricted)  # the random model drifts ...
    assert not any(CYRILLIC.search(h.text) for h in restricted)  # ... the shortlist cannot


def test_ctranslate2_shortlist_equals_transformers_masking(engines, tiny_nllb_dir: Path):
    """Computing only the shortlisted rows (vmap) == computing all and masking the rest."""
    _, short = engines
    reference = TransformersEngine(str(tiny_nllb_dir), device="cpu", dtype="float32")
    tag = reference.tokenizer.convert_tokens_to_ids("eng_Latn")
    allowed = allowed_ids(reference.tokenizer, ["Latn"], extra_ids=[tag])
    processor = ShortlistLogitsProcessor(allowed, reference.model.config.vocab_size)
    sentences = ntrex_lines()[:8]
    expected = []
    reference.tokenizer.src_lang = "kaz_Cyrl"
    for sentence in sentences:
        batch = reference.tokenizer([sentence], return_tensors="pt")
        with torch.inference_mode():
            out = reference.model.generate(
                **batch,
                forced_bos_token_id=tag,
                logits_processor=[processor],
                num_beams=1,
                do_sample=False,
                max_new_tokens=20,
                min_new_tokens=20,
            )
        expected.append(out[0, 2:].tolist())
    tokens = [
        short.tokenizer.convert_ids_to_tokens(reference.tokenizer(s)["input_ids"])
        for s in sentences
    ]
    got = short.generate(tokens, EN, beam=1, max_length=20, min_length=20)
    assert got == expected


def test_both_engines_shortlist_the_same_way(engines, tiny_nllb_dir: Path):
    """The setting means the same on both engines: identical greedy output."""
    _, short = engines
    reference = TransformersEngine(str(tiny_nllb_dir), device="cpu", shortlist=True)
    assert reference.variant == "float32+shortlist"
    sentences = ntrex_lines()[:12]
    options = DecodeOptions(beam=1, max_new_tokens=24)
    for target in (EN, UZ):
        expected = reference.translate_batch(sentences, KK, target, options)
        assert short.translate_batch(sentences, KK, target, options) == expected
        assert not any(CYRILLIC.search(h.text) for h in expected)
