"""The target-script shortlist: which tokens it keeps, the proof it is safe, both engines.

The argument (docs/speed.md): restricting a Latin-script target to Latin and script-neutral
tokens cannot change a greedy output unless the full model would have emitted a token of
another script. These tests check its two premises on real text, every English and Uzbek
NTREX line and the seed article's Latin words tokenize into shortlisted tokens only, and its
conclusion on a real model: where the unrestricted greedy output stays in the shortlist, the
shortlisted output is identical token for token, on both engines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from service.bench.synthetic import ntrex_lines
from service.engines.base import SHORTLIST_SCRIPTS, DecodeOptions
from service.engines.ctranslate2_engine import CTranslate2Engine
from service.engines.family import language_token
from service.engines.shortlist import (
    VMAP_FILE,
    RowMaskLogitsProcessor,
    read_vmap_info,
    shortlist_tokens,
    token_in_scripts,
    vmap_text,
    write_vmap,
)
from service.engines.transformers_engine import TransformersEngine
from service.languages import LANGUAGES
from service.text import normalize_uzbek
from service.text.files import read_lines
from tests.data import NTREX, seed_text

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
GREEDY = DecodeOptions(beam=1, max_new_tokens=20)
SHORT_GREEDY = DecodeOptions(beam=1, max_new_tokens=20, shortlist=True)


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


def test_only_latin_is_ever_shortlisted():
    assert {"Latn"} == SHORTLIST_SCRIPTS


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


def test_row_mask_applies_to_its_rows_beams():
    masks = [torch.tensor([0.0, float("-inf"), 0.0]), None]
    processor = RowMaskLogitsProcessor(masks, num_beams=2)
    scores = torch.arange(12, dtype=torch.float32).reshape(4, 3)
    out = processor(None, scores)
    assert torch.isinf(out[:2, 1]).all() and torch.equal(out[:2, [0, 2]], scores[:2, [0, 2]])
    assert torch.equal(out[2:], scores[2:])  # the second sentence's two beams: unrestricted


@pytest.fixture(scope="module")
def engines(tiny_nllb_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("ct2-shortlist")
    make = lambda **kw: CTranslate2Engine(  # noqa: E731
        str(tiny_nllb_dir), device="cpu", compute_type="float32", cache_dir=cache, **kw
    )
    return make(), make(shortlist=True)


@pytest.fixture(scope="module")
def transformers_engine(tiny_nllb_dir: Path) -> TransformersEngine:
    return TransformersEngine(str(tiny_nllb_dir), device="cpu", dtype="float32", shortlist=True)


def kazakh_lines(count: int) -> list[str]:
    return read_lines(NTREX / "kaz.txt")[:count]


# --- the premises: real English and Uzbek text tokenizes into the shortlist ------------------


def latin_texts() -> list[str]:
    """Every English and Uzbek NTREX line (as written, and with the official apostrophes the
    pipeline writes), and the seed article's Latin-script words."""
    lines = read_lines(NTREX / "eng-US.txt") + read_lines(NTREX / "eng-GB.txt")
    uzbek = read_lines(NTREX / "uzb.txt")
    seed_words = [w for w in seed_text().split() if re.search("[A-Za-z]", w)]
    assert len(seed_words) >= 3  # KAZINFORM, ...
    return lines + uzbek + [normalize_uzbek(line) for line in uzbek] + seed_words


#: The only words of those texts with a letter of another script: a Cyrillic "с" typed for
#: the Latin "c" in one Uzbek reference line. Its pieces are rightly outside the shortlist.
TYPOS = {"сhalkash"}


def test_the_texts_have_no_other_script_but_one_known_typo():
    words = {w for text in latin_texts() for w in re.findall(r"\w+", text)}
    assert {w for w in words if not token_in_scripts(w, ["Latn"])} == TYPOS


def outside(pieces: set[str], allowed: set[str]) -> set[str]:
    """Pieces outside the shortlist that do not come from the known typo."""
    return {p for p in pieces - allowed if not CYRILLIC.search(p)}


def test_every_latin_ntrex_token_is_in_the_ctranslate2_vocabulary_map(engines):
    _, short = engines
    allowed = set((short.model_dir / VMAP_FILE).read_text(encoding="utf-8").split())
    texts = latin_texts()
    pieces = {
        piece
        for ids in short.sources.encode(texts, EN)
        for piece in short.tokenizer.convert_ids_to_tokens(ids)
    }
    assert {"ʻ", "ʼ"} & {c for piece in pieces for c in piece}  # the apostrophes are there
    assert outside(pieces, allowed) == set()
    assert pieces - allowed == {p for p in pieces if CYRILLIC.search(p)} != set()  # the typo


def test_every_latin_ntrex_token_is_allowed_by_the_transformers_mask(transformers_engine):
    mask = transformers_engine._shortlist.mask("Latn")
    tokenizer = transformers_engine.tokenizer
    texts = latin_texts()
    ids = {i for text in texts for i in tokenizer(text, add_special_tokens=False).input_ids}
    blocked = set(tokenizer.convert_ids_to_tokens([i for i in ids if torch.isinf(mask[i])]))
    assert outside(blocked, set()) == set() and blocked  # only the typo's Cyrillic pieces


# --- the conclusion: where the full model stays in the shortlist, nothing changes ------------


def test_greedy_output_in_the_shortlist_is_unchanged_token_for_token(engines):
    full, short = engines
    allowed = set((short.model_dir / VMAP_FILE).read_text(encoding="utf-8").split())
    sources = kazakh_lines(200)
    tokens = [
        short.tokenizer.convert_ids_to_tokens(ids) for ids in short.sources.encode(sources, KK)
    ]
    for target in (EN, UZ):
        tags = [language_token(short.family, target)] * len(sources)
        unrestricted = full.generate(tokens, tags, None, beam=1, max_length=20)
        restricted = short.generate(tokens, tags, ["Latn"] * len(sources), beam=1, max_length=20)
        inside = [
            i
            for i, ids in enumerate(unrestricted)
            if set(full.tokenizer.convert_ids_to_tokens(ids)) <= allowed
        ]
        assert len(inside) >= 20  # enough cases for the check to mean something
        assert [restricted[i] for i in inside] == [unrestricted[i] for i in inside]
        outside = [i for i in range(len(sources)) if i not in inside]
        assert any(restricted[i] != unrestricted[i] for i in outside)  # it does restrict


def test_ctranslate2_shortlist_writes_latin_output(engines):
    full, short = engines
    assert short.variant == full.variant == "float32"  # the shortlist is a decoding option
    assert short.shortlist_scripts == {"Latn"} and full.shortlist_scripts == frozenset()
    info = read_vmap_info(short.model_dir)
    assert info["scripts"] == ["Latn"] and 0 < info["tokens"] < len(short._vocabulary)
    sentences = ntrex_lines()[:16]
    unrestricted = short.translate_batch(sentences, KK, EN, GREEDY)
    restricted = short.translate_batch(sentences, KK, UZ, SHORT_GREEDY)
    assert any(CYRILLIC.search(h.text) for h in unrestricted)  # the random model drifts ...
    assert not any(CYRILLIC.search(h.text) for h in restricted)  # ... the shortlist cannot
    # An engine without a map ignores the option.
    assert full.translate_batch(sentences, KK, EN, SHORT_GREEDY) == unrestricted


def test_a_non_latin_target_is_never_restricted(engines):
    _, short = engines
    sentences = read_lines(NTREX / "eng-US.txt")[:12]
    assert short.translate_batch(sentences, EN, KK, SHORT_GREEDY) == short.translate_batch(
        sentences, EN, KK, GREEDY
    )


def test_ctranslate2_vocabulary_map_equals_transformers_masking(engines, transformers_engine):
    """Computing only the shortlisted rows (vmap) == computing all and masking the rest."""
    _, short = engines
    reference = transformers_engine
    tag = reference.tokenizer.convert_tokens_to_ids("eng_Latn")
    processor = RowMaskLogitsProcessor([reference._shortlist.mask("Latn")], num_beams=1)
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
    tags = ["eng_Latn"] * len(sentences)
    got = short.generate(
        tokens, tags, ["Latn"] * len(sentences), beam=1, max_length=20, min_length=20
    )
    assert got == expected


def test_both_engines_shortlist_the_same_way(engines, transformers_engine):
    """The setting means the same on both engines: identical greedy output, mixed targets."""
    _, short = engines
    sentences = ntrex_lines()[:12]
    targets = [EN, UZ] * 6
    expected = transformers_engine.translate_batch(sentences, KK, targets, SHORT_GREEDY)
    assert short.translate_batch(sentences, KK, targets, SHORT_GREEDY) == expected
    assert not any(CYRILLIC.search(h.text) for h in expected)
