"""Conversion to CTranslate2: cached once per model and quantization, atomic, and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from service.cli import main
from service.engines import convert
from service.engines.convert import (
    MARKER,
    TOKENIZER_DIR,
    cache_folder,
    convert_model,
    describe_source,
    ensure_converted,
    is_converted,
    normalize_quantization,
)
from service.errors import ConfigError, ModelLoadError


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every real conversion (the CTranslate2 converter call)."""
    calls: list[str] = []
    real = convert._run_converter

    def run(source, out, quantization, trust_remote_code):
        calls.append(quantization)
        return real(source, out, quantization, trust_remote_code)

    monkeypatch.setattr(convert, "_run_converter", run)
    return calls


def test_conversion_is_cached_and_reused(tiny_nllb_dir: Path, tmp_path: Path, counted: list[str]):
    first = ensure_converted(str(tiny_nllb_dir), "int8", tmp_path)
    again = ensure_converted(str(tiny_nllb_dir), "int8_float32", tmp_path)  # stores the same
    assert first == again and counted == ["int8"]
    assert is_converted(first)
    assert first.parent == tmp_path / "ct2"
    assert (first / TOKENIZER_DIR / "tokenizer_config.json").is_file()
    assert (first / "generation_config.json").is_file()
    record = json.loads((first / MARKER).read_text())
    assert record["quantization"] == "int8"
    assert record["source"] == str(tiny_nllb_dir.resolve())
    assert record["max_position_embeddings"] > 0


def test_cache_is_keyed_by_quantization_and_model(
    tiny_nllb_dir: Path, tiny_m2m100_dir: Path, tmp_path: Path
):
    nllb = describe_source(str(tiny_nllb_dir))
    m2m = describe_source(str(tiny_m2m100_dir))
    assert cache_folder(tmp_path, nllb, "int8") != cache_folder(tmp_path, nllb, "float32")
    assert cache_folder(tmp_path, nllb, "int8") != cache_folder(tmp_path, m2m, "int8")
    assert cache_folder(tmp_path, nllb, "int8") == cache_folder(tmp_path, nllb, "int8_float32")


def test_a_changed_checkpoint_gets_a_new_key(tiny_nllb_dir: Path, tmp_path: Path):
    copy = tmp_path / "model"
    shutil.copytree(tiny_nllb_dir, copy)
    before = describe_source(str(copy)).fingerprint
    assert describe_source(str(copy)).fingerprint == before  # stable while unchanged
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.5
    (copy / "config.json").write_text(json.dumps(config))
    assert describe_source(str(copy)).fingerprint != before


def test_a_crash_leaves_no_half_model(
    tiny_nllb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real = convert._run_converter

    def crash(source, out, quantization, trust_remote_code):
        real(source, out, quantization, trust_remote_code)  # model.bin written ...
        raise KeyboardInterrupt  # ... then the process is interrupted

    monkeypatch.setattr(convert, "_run_converter", crash)
    target = cache_folder(tmp_path, describe_source(str(tiny_nllb_dir)), "float32")
    with pytest.raises(KeyboardInterrupt):
        ensure_converted(str(tiny_nllb_dir), "float32", tmp_path)
    assert not target.exists()
    assert not list(target.parent.glob(f".{target.name}.tmp-*"))
    monkeypatch.setattr(convert, "_run_converter", real)
    assert ensure_converted(str(tiny_nllb_dir), "float32", tmp_path) == target
    assert is_converted(target)


def test_stale_temporaries_are_cleared(tiny_nllb_dir: Path, tmp_path: Path):
    target = cache_folder(tmp_path, describe_source(str(tiny_nllb_dir)), "int8")
    stale = target.parent / f".{target.name}.tmp-leftover"
    (stale / "model").mkdir(parents=True)
    (stale / "model" / "model.bin").write_bytes(b"half")
    assert ensure_converted(str(tiny_nllb_dir), "int8", tmp_path) == target
    assert not stale.exists()


def test_a_folder_without_marker_is_not_reused(tiny_nllb_dir: Path, tmp_path: Path, counted):
    target = cache_folder(tmp_path, describe_source(str(tiny_nllb_dir)), "int8")
    target.mkdir(parents=True)
    (target / "model.bin").write_bytes(b"not a model")
    assert ensure_converted(str(tiny_nllb_dir), "int8", tmp_path) == target
    assert counted == ["int8"] and is_converted(target)


def test_explicit_out_refuses_to_overwrite_without_force(tiny_nllb_dir: Path, tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="--force"):
        convert_model(str(tiny_nllb_dir), out, "int8")
    assert (out / "notes.txt").is_file()
    convert_model(str(tiny_nllb_dir), out, "int8", force=True)
    assert is_converted(out) and not (out / "notes.txt").exists()


def test_quantization_names_are_checked():
    assert normalize_quantization(" INT8 ") == "int8"
    with pytest.raises(ConfigError, match="unknown quantization"):
        normalize_quantization("int4")


def test_missing_model_is_a_model_load_error(tmp_path: Path):
    with pytest.raises(ModelLoadError):
        ensure_converted(str(tmp_path / "nothing-here"), "int8", tmp_path)


def test_convert_command(tiny_m2m100_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    out = tmp_path / "ct2"
    argv = ["convert", "--model", str(tiny_m2m100_dir), "--out", str(out), "--format", "json"]
    assert main([*argv, "--quantization", "float32"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record == {
        "model": str(tiny_m2m100_dir),
        "folder": str(out.resolve()),
        "quantization": "float32",
        "shortlist": None,
    }
    assert is_converted(out)
    assert main([*argv, "--quantization", "float32"]) == 2  # exists: needs --force
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force", "--shortlist"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["quantization"] == "int8" and record["shortlist"] == ["Latn"]
    assert (out / "vmap.txt").is_file()


def test_convert_command_into_the_cache(tiny_nllb_dir: Path, capsys: pytest.CaptureFixture):
    assert main(["convert", "--model", str(tiny_nllb_dir)]) == 0
    folder = Path(capsys.readouterr().out.splitlines()[0])
    assert is_converted(folder) and folder.name.endswith("-int8")


def test_uncached_hub_model_offline_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(ModelLoadError, match="not available offline"):
        ensure_converted("audarma-tests/no-such-model", "int8", tmp_path)
    assert not (tmp_path / "ct2").exists()
