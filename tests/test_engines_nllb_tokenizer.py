"""The torch-free NLLB tokenizer gives exactly what transformers' NllbTokenizer gives."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.bench.synthetic import find_ntrex_dir
from service.engines.nllb_tokenizer import NllbTokenizer, load_nllb_tokenizer
from service.languages import get_language
from tests.data import ROOT

#: NTREX file -> the NLLB tag of its language (the engine's sources, and a few targets).
FILES = {"kaz.txt": "kaz_Cyrl", "eng-GB.txt": "eng_Latn", "uzb.txt": "uzn_Latn"}


def ntrex(name: str, count: int = 120) -> list[str]:
    lines = (find_ntrex_dir() / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()][:count]


@pytest.fixture(scope="module")
def both(tiny_nllb_dir: Path):
    from transformers import AutoTokenizer

    light = load_nllb_tokenizer(tiny_nllb_dir)
    assert isinstance(light, NllbTokenizer)
    return light, AutoTokenizer.from_pretrained(tiny_nllb_dir)


@pytest.mark.parametrize(("name", "tag"), FILES.items())
def test_ids_equal_transformers_with_and_without_tags(both, name: str, tag: str):
    light, reference = both
    sentences = ntrex(name)
    light.src_lang = reference.src_lang = tag
    for specials in (True, False):
        ours = light(sentences, add_special_tokens=specials)["input_ids"]
        theirs = reference(sentences, add_special_tokens=specials)["input_ids"]
        assert ours == [list(ids) for ids in theirs]
    assert ours[0] != light(sentences, add_special_tokens=True)["input_ids"][0]


@pytest.mark.parametrize("max_length", [3, 8, 40])
def test_truncation_keeps_the_tags_like_transformers(both, max_length: int):
    light, reference = both
    sentences = ntrex("kaz.txt", 30)
    light.src_lang = reference.src_lang = "kaz_Cyrl"
    ours = light(sentences, truncation=True, max_length=max_length)["input_ids"]
    theirs = reference(sentences, truncation=True, max_length=max_length)["input_ids"]
    assert ours == [list(ids) for ids in theirs]
    assert max(len(ids) for ids in ours) == max_length


def test_decoding_equals_transformers(both):
    light, reference = both
    rng = random.Random(7)
    sequences = light(ntrex("eng-GB.txt", 60))["input_ids"]
    specials = sorted(light.all_special_ids)
    size = len(reference)
    for _ in range(60):  # random ids, tags and padding mixed in, as a confused model emits
        sequences.append(
            [rng.choice(specials) if rng.random() < 0.2 else rng.randrange(size) for _ in range(25)]
        )
    for ids in sequences:
        for skip in (True, False):
            assert light.decode(ids, skip_special_tokens=skip) == reference.decode(
                ids, skip_special_tokens=skip
            )


def rewritten(source: Path, folder: Path, **changes) -> Path:
    """A copy of ``source`` with ``changes`` merged into its tokenizer_config.json."""
    shutil.copytree(source, folder)
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config_path.write_text(json.dumps({**config, **changes}), encoding="utf-8")
    return folder


@pytest.mark.parametrize("force", [False, True])
def test_space_clean_up_follows_transformers(tiny_nllb_dir: Path, tmp_path: Path, force: bool):
    """Asked for, the clean-up applies to a BPE model only when forced, as in transformers."""
    from transformers import AutoTokenizer

    flags = {"clean_up_tokenization_spaces": True}
    if force:
        flags["clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output"] = True
    folder = rewritten(tiny_nllb_dir, tmp_path / "clean", **flags)
    light, reference = load_nllb_tokenizer(folder), AutoTokenizer.from_pretrained(folder)
    assert light is not None
    texts = ["Hello , world ! It 's here .", "Жиын өтті ."]
    cleaned = 0
    for ids in light(texts, add_special_tokens=False)["input_ids"]:
        ours = light.decode(ids, skip_special_tokens=True)
        assert ours == reference.decode(ids, skip_special_tokens=True)
        cleaned += ours != light._backend.decode(ids, skip_special_tokens=True)
    assert bool(cleaned) == force


def test_added_token_mappings_in_the_config_are_read(tiny_nllb_dir: Path, tmp_path: Path):
    eos = {"content": "</s>", "lstrip": False, "normalized": False, "special": True}
    light = load_nllb_tokenizer(rewritten(tiny_nllb_dir, tmp_path / "mapped", eos_token=eos))
    assert light is not None and light.eos_token == "</s>"


def test_vocabulary_lookups_and_specials_equal_transformers(both):
    light, reference = both
    ids = light(ntrex("uzb.txt", 20))["input_ids"]
    for row in ids:
        assert light.convert_ids_to_tokens(row) == reference.convert_ids_to_tokens(row)
    for token in ("kaz_Cyrl", "eng_Latn", "uzn_Latn", "</s>", "▁the", "xyz_Fake"):
        assert light.convert_tokens_to_ids(token) == reference.convert_tokens_to_ids(token)
    assert light.convert_tokens_to_ids("xyz_Fake") == light.unk_token_id == reference.unk_token_id
    assert set(light.all_special_ids) == set(reference.all_special_ids)
    assert set(light.all_special_tokens) == set(reference.all_special_tokens)
    assert (light.eos_token, light.eos_token_id) == (reference.eos_token, reference.eos_token_id)
    assert light.model_max_length == reference.model_max_length


def test_other_tokenizers_are_left_to_transformers(tiny_nllb_dir: Path, tiny_m2m100_dir, tmp_path):
    assert load_nllb_tokenizer(tiny_m2m100_dir) is None  # M2M100: no tokenizer.json framing
    assert load_nllb_tokenizer(tmp_path) is None  # nothing there
    for change in ({"legacy_behaviour": True}, {"tokenizer_class": "T5Tokenizer"}):
        folder = rewritten(tiny_nllb_dir, tmp_path / next(iter(change)), **change)
        assert load_nllb_tokenizer(folder) is None
    broken = tmp_path / "broken"
    shutil.copytree(tiny_nllb_dir, broken)
    (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
    assert load_nllb_tokenizer(broken) is None


def test_ctranslate2_translation_never_imports_torch(tiny_nllb_dir: Path, tmp_path: Path):
    """The point of the module: a converted NLLB model translates without torch in memory."""
    from service.engines.convert import ensure_converted

    folder = ensure_converted(str(tiny_nllb_dir), "int8", tmp_path / "cache")
    code = (
        "import sys\n"
        "from service.engines.ctranslate2_engine import CTranslate2Engine\n"
        "from service.translate import Translator\n"
        f"engine = CTranslate2Engine({str(folder)!r}, compute_type='int8')\n"
        "result = Translator(engine_instance=engine, beam=2).translate_sentences("
        "['Бүгін Астанада жиын өтті.', 'Ауа райы жылы.'], 'en')\n"
        "print(type(engine.tokenizer).__name__, len(result), 'torch' in sys.modules)\n"
    )
    env = {"HF_HUB_OFFLINE": "1", "AUDARMA_CACHE_DIR": str(tmp_path / "run"), "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["NllbTokenizer", "2", "False"]


def test_only_the_tokenizer_audarma_bundled_is_read_without_transformers(
    tiny_nllb_dir: Path, tmp_path: Path
):
    """A folder converted elsewhere (tokenizer files beside model.bin) goes via transformers."""
    from service.engines.convert import TOKENIZER_DIR, ensure_converted
    from service.engines.ctranslate2_engine import CTranslate2Engine

    ours = ensure_converted(str(tiny_nllb_dir), "int8", tmp_path / "cache")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ours, elsewhere)
    for path in (elsewhere / TOKENIZER_DIR).iterdir():
        path.rename(elsewhere / path.name)
    (elsewhere / TOKENIZER_DIR).rmdir()
    light = CTranslate2Engine(str(ours), compute_type="int8", cache_dir=tmp_path / "cache")
    other = CTranslate2Engine(str(elsewhere), compute_type="int8", cache_dir=tmp_path / "cache")
    assert type(light.tokenizer).__module__ == "service.engines.nllb_tokenizer"
    assert type(other.tokenizer).__module__.startswith("transformers.")
    sentences = ntrex("kaz.txt", 5)
    kk = get_language("kk")
    assert light.count_tokens(sentences, kk) == other.count_tokens(sentences, kk)
