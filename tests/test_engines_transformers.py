"""The transformers engine honours the Engine contract on both model families.

The tiny models have random weights, so their text is garbage; these tests pin down what an
engine promises regardless of quality: order, forced target language, token limits and the
``truncated`` flag, token counts, determinism, batching, and one-line load errors.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer

from service.bench.synthetic import build_tiny_model, ntrex_lines
from service.engines import ENGINES, load_engine
from service.engines.base import DecodeOptions, Engine, Hypothesis
from service.engines.family import SPECIALS_MARGIN
from service.engines.transformers_engine import TransformersEngine
from service.errors import ConfigError, LanguageError, ModelLoadError
from service.languages import LANGUAGES, Language
from service.settings import Settings
from tests.data import ROOT

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
FAMILIES = ["nllb", "m2m100"]
SENTENCES = [
    "Сәлем!",
    "Бүгін Астанада күн жылы болды.",
    "Үкімет жаңа заң жобасын мақұлдады, деп хабарлады министрлік баспасөз қызметі.",
    "Ол кеше келді.",
]
#: Short limits keep generation quick; long enough that the random models' choices vary.
SHORT = DecodeOptions(beam=1, max_new_tokens=12)


@pytest.fixture(scope="module", params=FAMILIES)
def engine(request: pytest.FixtureRequest) -> TransformersEngine:
    folder = request.getfixturevalue(f"tiny_{request.param}_dir")
    return TransformersEngine(str(folder), device="cpu")


def tag(engine: TransformersEngine, lang: Language) -> str:
    code = lang.model_code(engine.family)
    return code if engine.family == "nllb" else f"__{code}__"


@contextmanager
def recorded_generate(engine: TransformersEngine) -> Iterator[list[dict]]:
    """Record every ``generate`` call's inputs, keyword arguments and output."""
    calls: list[dict] = []
    original = engine.model.generate

    def generate(**kwargs):
        output = original(**kwargs)
        calls.append({**kwargs, "output": output})
        return output

    engine.model.generate = generate
    try:
        yield calls
    finally:
        del engine.model.generate  # back to the class method


@contextmanager
def scripted_eos(engine: TransformersEngine, eos_after: Sequence[int], beam: int) -> Iterator[None]:
    """Make sentence ``i`` produce exactly ``eos_after[i]`` ordinary tokens, then EOS.

    A forward hook on the output projection rewrites the logits: before a sentence's EOS step
    EOS and every special or out-of-tokenizer id are suppressed, at that step EOS wins. The
    forced target tag is applied after this by transformers, so it is unaffected.
    """
    tokenizer, model = engine.tokenizer, engine.model
    eos = tokenizer.eos_token_id
    n_tokens = max(tokenizer.get_vocab().values()) + 1
    banned = sorted(set(tokenizer.all_special_ids) | set(range(n_tokens, model.config.vocab_size)))
    step = {"n": 0}

    def restart(module, args):  # the encoder runs once per generate call
        step["n"] = 0

    def hook(module, args, logits):
        step["n"] += 1  # call k predicts decoder position k: 1 is the tag, k >= 2 is content
        content_index = step["n"] - 2
        logits = logits.clone()
        last = logits[:, -1, :]
        for row in range(last.shape[0]):
            if content_index == eos_after[row // beam]:
                last[row, eos] = last[row].max() + 1e4
            else:
                last[row, banned] = -1e4
        return logits

    handles = [
        model.get_encoder().register_forward_pre_hook(restart),
        model.get_output_embeddings().register_forward_hook(hook),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


# --- contract -------------------------------------------------------------------------------


def test_engine_identity(engine: TransformersEngine, request: pytest.FixtureRequest):
    family = request.node.callspec.params["engine"]
    assert isinstance(engine, Engine)
    assert engine.name == "transformers"
    assert engine.model_name == str(request.getfixturevalue(f"tiny_{family}_dir"))
    assert engine.family == family
    assert (engine.device, engine.dtype) == ("cpu", torch.float32)
    assert not engine.model.training


@pytest.mark.parametrize("beam", [1, 4])
def test_one_hypothesis_per_input_in_order(engine: TransformersEngine, beam: int):
    options = DecodeOptions(beam=beam, max_new_tokens=12)
    hyps = engine.translate_batch(SENTENCES, KK, EN, options)
    assert len(hyps) == len(SENTENCES)
    for hyp in hyps:
        assert type(hyp) is Hypothesis
        assert isinstance(hyp.text, str) and isinstance(hyp.truncated, bool)
        assert isinstance(hyp.tokens, int) and 0 <= hyp.tokens <= 12
    reversed_hyps = engine.translate_batch(SENTENCES[::-1], KK, EN, options)
    assert reversed_hyps == hyps[::-1]
    # The random models do not ignore their input, so the order check above has teeth.
    assert len({h.text for h in hyps}) > 1


def test_batch_equals_one_by_one_at_beam_1(engine: TransformersEngine):
    # Right padding plus the attention mask (and M2M100 positions that skip pads) keep each
    # row's computation unchanged; each hypothesis is cut at its own limit.
    sentences = SENTENCES + ntrex_lines()[:4]
    options = DecodeOptions(beam=1, max_length_ratio=0.5, max_length_offset=2)
    batch = engine.translate_batch(sentences, KK, UZ, options)
    alone = [engine.translate_batch([s], KK, UZ, options)[0] for s in sentences]
    assert batch == alone


def test_output_is_deterministic(engine: TransformersEngine):
    options = DecodeOptions(beam=4, max_new_tokens=12)
    assert engine.translate_batch(SENTENCES, KK, EN, options) == engine.translate_batch(
        SENTENCES, KK, EN, options
    )


def test_empty_batch(engine: TransformersEngine):
    assert engine.translate_batch([], KK, EN, SHORT) == []
    assert engine.count_tokens([], KK) == []


@pytest.mark.parametrize("target", [EN, UZ])
@pytest.mark.parametrize("beam", [1, 3])
def test_target_language_token_is_forced(engine: TransformersEngine, target: Language, beam: int):
    with recorded_generate(engine) as calls:
        engine.translate_batch(SENTENCES, KK, target, DecodeOptions(beam=beam, max_new_tokens=5))
    (call,) = calls
    target_id = engine.tokenizer.convert_tokens_to_ids(tag(engine, target))
    assert target_id != engine.tokenizer.unk_token_id
    assert call["num_beams"] == beam
    output = call["output"]
    assert output[:, 0].tolist() == [engine.model.config.decoder_start_token_id] * len(SENTENCES)
    assert output[:, 1].tolist() == [target_id] * len(SENTENCES)
    # ...and the source side carries the source tag and EOS.
    ids = call["input_ids"]
    assert ids[:, 0].tolist() == [engine.tokenizer.convert_tokens_to_ids(tag(engine, KK))] * 4


@pytest.mark.parametrize("beam", [1, 3])
def test_each_row_gets_its_own_target_tag(engine: TransformersEngine, beam: int):
    """One batch may go into several languages: row i is forced to start with tgt[i]'s tag,
    and its output equals what a batch of that language alone gives."""
    targets = [EN, UZ, UZ, EN]
    options = DecodeOptions(beam=beam, max_new_tokens=6)
    with recorded_generate(engine) as calls:
        mixed = engine.translate_batch(SENTENCES, KK, targets, options)
    (call,) = calls
    tags = [engine.tokenizer.convert_tokens_to_ids(tag(engine, t)) for t in targets]
    assert call["output"][:, 1].tolist() == tags
    if beam == 1:  # greedy rows do not depend on each other
        for target in (EN, UZ):
            rows = [i for i, t in enumerate(targets) if t == target]
            alone = engine.translate_batch([SENTENCES[i] for i in rows], KK, target, options)
            assert [mixed[i] for i in rows] == alone


# --- token limits and truncation ------------------------------------------------------------


@pytest.mark.parametrize("beam", [1, 4])
def test_each_hypothesis_is_cut_at_its_own_limit(engine: TransformersEngine, beam: int):
    options = DecodeOptions(beam=beam, max_length_ratio=1.0, max_length_offset=0)
    limits = [options.token_limit(n) for n in engine.count_tokens(SENTENCES, KK)]
    assert len(set(limits)) == len(limits)  # different limits within one batch
    # Ends exactly at the limit, one past it, at once, and one short of it.
    eos_after = [limits[0], limits[1] + 1, 0, limits[3] - 1]
    with recorded_generate(engine) as calls, scripted_eos(engine, eos_after, beam):
        hyps = engine.translate_batch(SENTENCES, KK, EN, options)
    assert calls[0]["max_new_tokens"] == max(limits) + 2  # the tag, the limit, EOS
    assert [h.truncated for h in hyps] == [False, True, False, False]
    assert [h.tokens for h in hyps] == [limits[0], limits[1], 0, limits[3] - 1]
    assert hyps[2].text == "" and all(h.text for i, h in enumerate(hyps) if i != 2)


def test_truncated_hypothesis_is_the_longer_one_cut(engine: TransformersEngine):
    long_run = DecodeOptions(beam=1, max_length_ratio=0, max_length_offset=8)
    short_run = DecodeOptions(beam=1, max_length_ratio=0, max_length_offset=3)
    with scripted_eos(engine, [6] * len(SENTENCES), beam=1), recorded_generate(engine) as calls:
        full = engine.translate_batch(SENTENCES, KK, EN, long_run)
        cut = engine.translate_batch(SENTENCES, KK, EN, short_run)
    assert [(h.truncated, h.tokens) for h in full] == [(False, 6)] * len(SENTENCES)
    assert [(h.truncated, h.tokens) for h in cut] == [(True, 3)] * len(SENTENCES)
    content = calls[0]["output"][:, 2:].tolist()  # after decoder start and target tag
    decode = engine.tokenizer.decode
    assert [h.text for h in full] == [decode(ids[:6]).strip() for ids in content]
    assert [h.text for h in cut] == [decode(ids[:3]).strip() for ids in content]


def test_tiny_limit_flags_truncation_with_real_generation(engine: TransformersEngine):
    options = DecodeOptions(beam=2, max_new_tokens=2)
    hyps = engine.translate_batch(ntrex_lines()[:8], KK, EN, options)
    assert all(h.tokens <= 2 for h in hyps)
    assert any(h.truncated for h in hyps)


# --- source side ----------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_count_tokens_matches_the_tokenizer(request: pytest.FixtureRequest, family: str):
    folder = request.getfixturevalue(f"tiny_{family}_dir")
    engine = TransformersEngine(str(folder), device="cpu")
    tok = AutoTokenizer.from_pretrained(folder, src_lang=KK.model_code(family))
    expected = [len(tok(s).input_ids) for s in SENTENCES]
    assert engine.count_tokens(SENTENCES, KK) == expected
    # Specials included: the source tag and EOS around SentencePiece's pieces.
    assert engine.count_tokens(["Сәлем"], KK) == [
        len(tok("Сәлем", add_special_tokens=False).input_ids) + 2
    ]


def test_max_input_tokens(engine: TransformersEngine):
    assert engine.max_input_tokens == 1024 - SPECIALS_MARGIN


def test_over_long_input_is_truncated_as_a_last_resort(tmp_path: Path, tiny_spm_model: Path):
    folder = build_tiny_model(
        tmp_path / "short", "nllb", spm_model=tiny_spm_model, max_position_embeddings=24
    )
    engine = TransformersEngine(str(folder), device="cpu")
    assert engine.max_input_tokens == 24 - SPECIALS_MARGIN
    long_sentence = " ".join(ntrex_lines()[:3])
    assert engine.count_tokens([long_sentence], KK)[0] > 24  # counting never truncates
    with recorded_generate(engine) as calls:
        (hyp,) = engine.translate_batch([long_sentence], KK, EN, SHORT)
    ids = calls[0]["input_ids"][0].tolist()
    assert len(ids) == 24 and ids[-1] == engine.tokenizer.eos_token_id
    assert hyp.tokens <= SHORT.max_new_tokens


def test_model_max_length_caps_the_input(tmp_path: Path, tiny_spm_model: Path):
    folder = build_tiny_model(
        tmp_path / "m", "m2m100", spm_model=tiny_spm_model, model_max_length=40
    )
    assert TransformersEngine(str(folder), device="cpu").max_input_tokens == 40 - SPECIALS_MARGIN


# --- languages and options ------------------------------------------------------------------


def test_unknown_language_code_is_refused(engine: TransformersEngine):
    klingon = Language("tlh", "Klingon", "tlh_Latn", "tlh", "Latn")
    with pytest.raises(LanguageError) as err:
        engine.translate_batch(SENTENCES, KK, klingon, SHORT)
    message = str(err.value)
    assert tag(engine, klingon) in message and engine.model_name in message
    with pytest.raises(LanguageError, match="Klingon"):
        engine.translate_batch(SENTENCES, klingon, EN, SHORT)
    with pytest.raises(LanguageError, match="Klingon"):
        engine.count_tokens(SENTENCES, klingon)


@pytest.mark.parametrize("beam", [0, 17])
def test_beam_out_of_range_is_a_config_error(engine: TransformersEngine, beam: int):
    with pytest.raises(ConfigError, match=f"beam must be between 1 and 16, got {beam}"):
        engine.translate_batch(SENTENCES, KK, EN, DecodeOptions(beam=beam))


# --- loading --------------------------------------------------------------------------------


def _one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message and message
    return message


def test_missing_folder_is_a_one_line_model_load_error(tmp_path: Path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError) as err:
        TransformersEngine(str(missing))
    assert _one_line(err) == (
        f"model folder {str(missing)!r} does not exist; pass an existing model folder or a "
        "hub id such as facebook/nllb-200-distilled-600M"
    )


def test_folder_without_config_is_refused(tmp_path: Path):
    with pytest.raises(ModelLoadError, match="has no config.json") as err:
        TransformersEngine(str(tmp_path))
    _one_line(err)


def test_folder_without_weights_is_refused(tmp_path: Path, tiny_nllb_dir: Path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (broken / name).write_bytes((tiny_nllb_dir / name).read_bytes())
    with pytest.raises(ModelLoadError, match="cannot be loaded by the transformers engine") as err:
        TransformersEngine(str(broken))
    _one_line(err)


def test_folder_without_tokenizer_files_is_refused(tmp_path: Path, tiny_nllb_dir: Path):
    # transformers would silently build an empty NllbTokenizer from config.json alone.
    broken = tmp_path / "no-tokenizer"
    broken.mkdir()
    for name in ("config.json", "model.safetensors"):
        (broken / name).write_bytes((tiny_nllb_dir / name).read_bytes())
    with pytest.raises(ModelLoadError, match="has no usable tokenizer") as err:
        TransformersEngine(str(broken))
    _one_line(err)


def test_uncached_hub_model_offline_says_how_to_get_it():
    model = "audarma-tests/no-such-model"
    with pytest.raises(ModelLoadError) as err:
        TransformersEngine(model)
    assert _one_line(err) == (
        f"model {model!r} is not available offline: download it once with "
        f"`hf download {model}` or pass --model /path/to/folder"
    )


def test_load_engine_picks_the_transformers_engine(tiny_m2m100_dir: Path, monkeypatch):
    threads: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", threads.append)
    settings = Settings(model=str(tiny_m2m100_dir), engine="transformers", device="cpu", threads=2)
    engine = load_engine(settings)
    assert isinstance(engine, TransformersEngine) and engine.family == "m2m100"
    assert engine.model_name == str(tiny_m2m100_dir)
    assert threads == [2]


def test_load_engine_rejects_unknown_engines():
    with pytest.raises(ConfigError) as err:
        load_engine(Settings(engine="marian"))
    assert str(err.value) == "unknown engine 'marian'; choose one of: " + ", ".join(sorted(ENGINES))
    assert "transformers" in ENGINES


def test_importing_engines_does_not_import_torch():
    code = "import sys, service.engines; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
