"""The CTranslate2 engine: the Engine contract on both engines, and equivalence with transformers.

Contract tests are parametrized over (engine, family) so both engines are held to the same
promises on the same tiny models. Equivalence: a float32 conversion decodes greedily to the
transformers engine's output token for token.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.bench.synthetic import ntrex_lines
from service.engines import ENGINES, load_engine
from service.engines.base import DecodeOptions, Engine, Hypothesis
from service.engines.convert import is_converted
from service.engines.ctranslate2_engine import CTranslate2Engine
from service.engines.transformers_engine import TransformersEngine
from service.engines.tuning import (
    BEAM_ROWS,
    ThreadLayout,
    choose_compute_type,
    sub_batch_size,
    thread_layout,
)
from service.errors import ConfigError
from service.languages import LANGUAGES
from service.settings import Settings
from service.translate import Translator
from tests.data import ROOT

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
SENTENCES = [
    "Сәлем!",
    "Бүгін Астанада күн жылы болды.",
    "Үкімет жаңа заң жобасын мақұлдады, деп хабарлады министрлік баспасөз қызметі.",
    "Ол кеше келді.",
]
SHORT = DecodeOptions(beam=1, max_new_tokens=12)
KINDS = [
    ("transformers", "nllb"),
    ("transformers", "m2m100"),
    ("ctranslate2", "nllb"),
    ("ctranslate2", "m2m100"),
]


@pytest.fixture(scope="module")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion cache for the module, so each tiny model converts once."""
    return tmp_path_factory.mktemp("ct2-cache")


def make_engine(kind: str, folder: Path, cache: Path, **options) -> Engine:
    if kind == "transformers":
        return TransformersEngine(str(folder), device="cpu", dtype="float32")
    options.setdefault("compute_type", "float32")
    return CTranslate2Engine(str(folder), device="cpu", cache_dir=cache, threads=1, **options)


@pytest.fixture(scope="module", params=KINDS, ids=lambda kind: "-".join(kind))
def engine(request: pytest.FixtureRequest, ct2_cache: Path) -> Engine:
    kind, family = request.param
    folder = request.getfixturevalue(f"tiny_{family}_dir")
    return make_engine(kind, folder, ct2_cache)


@pytest.fixture(scope="module", params=["nllb", "m2m100"])
def pair(request: pytest.FixtureRequest, ct2_cache: Path) -> tuple[Engine, Engine]:
    """The transformers engine and a float32 CTranslate2 conversion of the same model."""
    folder = request.getfixturevalue(f"tiny_{request.param}_dir")
    return make_engine("transformers", folder, ct2_cache), make_engine(
        "ctranslate2", folder, ct2_cache
    )


# --- the contract, for both engines ---------------------------------------------------------


def test_engine_identity(engine: Engine):
    assert isinstance(engine, Engine)
    assert engine.name in ENGINES
    assert Path(engine.model_name).is_dir()
    assert engine.max_input_tokens > 0


@pytest.mark.parametrize("beam", [1, 4])
def test_one_hypothesis_per_input_in_order(engine: Engine, beam: int):
    options = DecodeOptions(beam=beam, max_new_tokens=12)
    hyps = engine.translate_batch(SENTENCES, KK, EN, options)
    assert len(hyps) == len(SENTENCES)
    assert all(isinstance(h, Hypothesis) and isinstance(h.text, str) for h in hyps)
    reversed_hyps = engine.translate_batch(SENTENCES[::-1], KK, EN, options)
    if beam == 1:  # greedy outputs do not depend on the rest of the batch
        assert reversed_hyps == hyps[::-1]


def test_batch_equals_one_by_one_at_beam_1(engine: Engine):
    batched = engine.translate_batch(SENTENCES, KK, UZ, SHORT)
    alone = [engine.translate_batch([s], KK, UZ, SHORT)[0] for s in SENTENCES]
    assert batched == alone


def test_output_is_deterministic(engine: Engine):
    first = engine.translate_batch(SENTENCES, KK, EN, SHORT)
    assert engine.translate_batch(SENTENCES, KK, EN, SHORT) == first


def test_empty_batch(engine: Engine):
    assert engine.translate_batch([], KK, EN, SHORT) == []
    assert engine.count_tokens([], KK) == []


@pytest.mark.parametrize("beam", [1, 4])
def test_each_hypothesis_respects_its_own_limit(engine: Engine, beam: int):
    options = DecodeOptions(beam=beam, max_length_ratio=0.0, max_length_offset=3)
    hyps = engine.translate_batch(SENTENCES, KK, EN, options)
    assert all(h.tokens <= 3 for h in hyps)
    if beam > 1:  # a longer budget may change which beam wins; greedy is the strict case
        return
    longer = engine.translate_batch(SENTENCES, KK, EN, DecodeOptions(beam=1, max_new_tokens=40))
    for short, full in zip(hyps, longer, strict=True):
        if not short.truncated:  # it ended within the limit: a longer limit changes nothing
            assert short == full


def test_tiny_limit_flags_truncation(engine: Engine):
    options = DecodeOptions(beam=1, max_length_ratio=0.0, max_length_offset=1)
    long = [s for s in ntrex_lines() if len(s) > 150][:4]
    hyps = engine.translate_batch(long, KK, EN, options)
    assert any(h.truncated for h in hyps)
    assert all(h.tokens <= 1 for h in hyps)


def test_count_tokens_include_tag_and_eos(engine: Engine):
    counts = engine.count_tokens(SENTENCES, KK)
    assert len(counts) == len(SENTENCES)
    assert all(c >= 3 for c in counts)  # tag, at least one piece, EOS
    assert counts[0] < counts[2]


def test_beam_below_one_is_a_config_error(engine: Engine):
    with pytest.raises(ConfigError):
        engine.translate_batch(SENTENCES[:1], KK, EN, DecodeOptions(beam=0))


# --- equivalence ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", [EN, UZ])
def test_float32_greedy_equals_transformers_token_for_token(pair, target):
    reference, converted = pair
    sentences = SENTENCES + ntrex_lines()[:24]
    for options in (SHORT, DecodeOptions(beam=1)):
        assert converted.translate_batch(sentences, KK, target, options) == (
            reference.translate_batch(sentences, KK, target, options)
        )


def test_greedy_rows_stop_one_past_their_own_limit(pair, monkeypatch):
    """A short sentence no longer decodes to the longest one's limit; nothing changes."""
    _, converted = pair
    sentences = SENTENCES + ntrex_lines()[:12]
    options = DecodeOptions(beam=1, max_length_ratio=1.0, max_length_offset=2)
    limits = [options.token_limit(n) for n in converted.count_tokens(sentences, KK)]
    assert len(set(limits)) > 3
    raw = converted.generate
    seen: list[list[int]] = []
    monkeypatch.setattr(
        converted, "generate", lambda *a, **k: seen.extend(raw(*a, **k)) or seen[-len(a[0]) :]
    )
    stopped = converted.translate_batch(sentences, KK, EN, options)
    assert all(len(ids) <= limit + 1 for ids, limit in zip(seen, limits, strict=True))
    monkeypatch.setattr(converted, "generate", lambda *a, **k: raw(*a, **{**k, "stops": None}))
    assert converted.translate_batch(sentences, KK, EN, options) == stopped


def test_same_token_counts_and_input_limit(pair):
    reference, converted = pair
    sentences = SENTENCES + ntrex_lines()[:8]
    assert converted.count_tokens(sentences, KK) == reference.count_tokens(sentences, KK)
    assert converted.max_input_tokens == reference.max_input_tokens


def test_over_long_input_is_cut_like_transformers(pair):
    reference, converted = pair
    huge = " ".join(ntrex_lines()[:60])
    assert converted.count_tokens([huge], KK)[0] > converted.max_input_tokens
    assert converted.translate_batch([huge], KK, EN, SHORT) == (
        reference.translate_batch([huge], KK, EN, SHORT)
    )


# --- CTranslate2 specifics ------------------------------------------------------------------


def test_auto_compute_type_is_int8_on_cpu(tiny_nllb_dir: Path, ct2_cache: Path):
    engine = CTranslate2Engine(str(tiny_nllb_dir), device="cpu", cache_dir=ct2_cache)
    assert engine.compute_type == choose_compute_type("cpu", "auto") == "int8"
    assert engine.variant == "int8"
    assert is_converted(engine.model_dir)
    assert engine.model_dir.name.endswith("-int8")
    hyps = engine.translate_batch(SENTENCES, KK, EN, SHORT)
    assert len(hyps) == len(SENTENCES)


@pytest.mark.parametrize(
    ("supported", "expected"),
    [
        ({"float32", "float16", "int8_float16", "int8"}, "int8_float16"),
        ({"float32", "float16"}, "float16"),
        ({"float32"}, "float32"),
    ],
)
def test_gpu_prefers_int8_float16(monkeypatch, supported: set[str], expected: str):
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: supported)
    assert choose_compute_type("cuda", "auto") == expected


def test_unknown_or_unsupported_compute_type_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown compute type"):
        choose_compute_type("cpu", "int4")
    with pytest.raises(ConfigError, match="not supported on cpu"):
        choose_compute_type("cpu", "float16")


@pytest.mark.parametrize(
    ("threads", "cores", "layout"),
    [
        (0, 1, "1x1:32"),
        (1, 8, "1x1:32"),
        (0, 2, "2x2:32"),
        (3, 16, "2x3:32"),
        (4, 16, "2x2/split:32"),
        (0, 8, "2x4/split:32"),
        (0, 16, "4x4/split:32"),
    ],
)
def test_thread_layout(threads: int, cores: int, layout: str):
    assert str(thread_layout(threads, cores)) == layout


@pytest.mark.parametrize(
    ("sentences", "beam", "layout", "size"),
    [
        (32, 1, ThreadLayout(2, 2, split_greedy=False), 0),  # one translator, all threads
        (32, 1, ThreadLayout(2, 2, split_greedy=True), 16),
        (32, 4, ThreadLayout(2, 2, split_greedy=False), BEAM_ROWS // 4),
        (5, 4, ThreadLayout(1, 2, split_greedy=False), 0),
        (32, 64, ThreadLayout(1, 1, split_greedy=False), 1),
    ],
)
def test_sub_batches(sentences: int, beam: int, layout: ThreadLayout, size: int):
    assert sub_batch_size(sentences, beam, layout) == size


def test_a_converted_folder_is_used_as_it_is(tiny_m2m100_dir: Path, ct2_cache: Path):
    first = CTranslate2Engine(str(tiny_m2m100_dir), device="cpu", cache_dir=ct2_cache)
    again = CTranslate2Engine(str(first.model_dir), device="cpu", cache_dir=ct2_cache / "other")
    assert again.model_dir == first.model_dir
    assert not (ct2_cache / "other").exists()
    assert again.translate_batch(SENTENCES, KK, EN, SHORT) == (
        first.translate_batch(SENTENCES, KK, EN, SHORT)
    )


def test_load_engine_picks_the_ctranslate2_engine(tiny_nllb_dir: Path):
    settings = Settings(
        model=str(tiny_nllb_dir), engine="ctranslate2", device="cpu", compute_type="float32"
    )
    engine = load_engine(settings)
    assert isinstance(engine, CTranslate2Engine)
    assert (engine.name, engine.family, engine.compute_type) == ("ctranslate2", "nllb", "float32")
    assert Path(engine.model_dir).is_relative_to(Path(settings.cache_dir))


def test_translator_runs_the_pipeline_on_ctranslate2(tiny_nllb_dir: Path, ct2_cache: Path):
    article = "date 2025-10-17 Жаңалық\nБүгін Астанада күн жылы болды. Ол кеше келді.\nСәлем!"
    translator = Translator(
        model=str(tiny_nllb_dir), engine="ctranslate2", device="cpu", beam=1, cache=False
    )
    result = translator.translate(article, ["en", "uz"])
    assert result.model.engine == "ctranslate2"
    assert result.model.name == str(tiny_nllb_dir)
    assert [len(p) for p in result.translations["en"].paragraphs] == [1, 2, 1]
    assert set(result.translations) == {"en", "uz"}


def test_cache_keys_tell_compute_types_apart(tiny_nllb_dir: Path, ct2_cache: Path):
    """A cached int8 translation must not be served to a float32 run of the same model."""
    folder = str(tiny_nllb_dir)
    int8 = Translator(
        engine_instance=make_engine("ctranslate2", tiny_nllb_dir, ct2_cache, compute_type="int8"),
        beam=1,
    )
    fp32 = Translator(engine_instance=make_engine("ctranslate2", tiny_nllb_dir, ct2_cache), beam=1)
    int8.translate_sentences(SENTENCES, "en")
    fp32.translate_sentences(SENTENCES, "en")
    assert fp32.stats.cache_hits == 0 and fp32.stats.engine_sentences == len(SENTENCES)
    again = Translator(
        engine_instance=make_engine("ctranslate2", tiny_nllb_dir, ct2_cache, compute_type="int8"),
        beam=1,
    )
    again.translate_sentences(SENTENCES, "en")
    assert again.stats.cache_hits == len(SENTENCES)
    assert folder  # the model name is the same for both: only the variant differs


def test_importing_the_engine_registry_stays_light():
    code = "import sys, service.engines; print('ctranslate2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# --- the model's position table (issue #12, item 3) -----------------------------------------


def _long_sentence(tokens: int, engine: Engine) -> str:
    """A sentence of about ``tokens`` source tokens, made of NTREX words."""
    words = " ".join(ntrex_lines()[:80]).replace(".", "").split()
    low, high = 1, len(words)
    while low < high:  # the fewest words with at least ``tokens`` tokens
        middle = (low + high) // 2
        if engine.count_tokens([" ".join(words[:middle])], KK)[0] >= tokens:
            high = middle
        else:
            low = middle + 1
    return " ".join(words[:low])


@pytest.fixture(scope="module", params=["nllb", "m2m100"])
def pair_256(request: pytest.FixtureRequest, tiny_256_dirs, ct2_cache: Path):
    """Both engines on a model with 256 positions."""
    folder = tiny_256_dirs[request.param]
    return make_engine("transformers", folder, ct2_cache), make_engine(
        "ctranslate2", folder, ct2_cache
    )


def test_output_limit_is_capped_by_the_position_table(pair_256):
    """Source + output fit the model's 256 positions on both engines, with equal outputs."""
    reference, converted = pair_256
    assert converted.max_output_tokens == reference.max_output_tokens == 256 - 2
    sentences = [_long_sentence(n, converted) for n in (123, 200, 250)]
    options = DecodeOptions(beam=1)
    hyps = converted.translate_batch(sentences, KK, EN, options)
    assert hyps == reference.translate_batch(sentences, KK, EN, options)
    assert all(h.tokens <= converted.max_output_tokens for h in hyps)
    assert converted.translate_batch(sentences[:1], KK, EN, DecodeOptions(beam=2))


@pytest.mark.parametrize("kind", ["ctranslate2", "transformers"])
def test_translator_splits_sources_whose_output_cannot_fit(tiny_256_dirs, kind):
    """A 240-token sentence is split so that each piece's output budget fits the table."""
    settings = Settings(
        model=str(tiny_256_dirs["m2m100"]), engine=kind, beam=1, cache=False,
        compute_type="float32", device="cpu",
    )  # fmt: skip
    translator = Translator(settings=settings, cache=False)
    sentence = _long_sentence(240, translator.engine) + "."
    result = translator.translate(sentence, ["en"])
    (warning,) = [w for w in result.warnings if "was split" in w]
    # 2 x source + 16 <= 254: pieces of at most 119 tokens.
    assert "over the 119-token limit" in warning
    assert result.translations["en"].paragraphs[0][0].source == sentence
