"""Shared test fixtures.

The environment is set before anything imports transformers, huggingface_hub or gradio, which
read it at import time: tests never touch the Hugging Face Hub, never phone home, and keep
library chatter out of the output.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # forced, not a default: no test may reach the Hub
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# Tiny models gain nothing from threads, and OpenMP threads spinning against parallel test
# runs on a small machine make a 50 ms generate take seconds.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.wheelhelpers import InstalledWheel  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point Audarma's cache (and the XDG cache default) at a fresh folder, never ~/.cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("AUDARMA_CACHE_DIR", str(cache / "audarma"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


# --- tiny models of the real architectures (random weights, built offline) ---


@pytest.fixture(scope="session")
def tiny_spm_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SentencePiece BPE model trained once per session on the NTREX text."""
    from service.bench.synthetic import ntrex_lines, train_sentencepiece

    return train_sentencepiece(ntrex_lines(), tmp_path_factory.mktemp("spm"))


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory, tiny_spm_model: Path) -> Path:
    """A random-weight NLLB-200-style model folder (NllbTokenizer, M2M100 network). Read-only."""
    from service.bench.synthetic import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-nllb"), "nllb", spm_model=tiny_spm_model)


@pytest.fixture(scope="session")
def tiny_m2m100_dir(tmp_path_factory: pytest.TempPathFactory, tiny_spm_model: Path) -> Path:
    """A random-weight M2M100-style model folder (M2M100Tokenizer, ``__xx__`` tags). Read-only."""
    from service.bench.synthetic import build_tiny_model

    return build_tiny_model(
        tmp_path_factory.mktemp("tiny-m2m100"), "m2m100", spm_model=tiny_spm_model
    )


# --- the wheel, built from a copy of the project and unpacked apart from it ---


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """The wheel built from a copy of the project, installed apart from it. Read-only."""
    import importlib.util
    import shutil
    import subprocess
    import sys
    import zipfile

    repo = Path(__file__).resolve().parents[1]
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (repo / name).exists():
            shutil.copy(repo / name, src / name)
    (src / "README.md").touch()
    for folder in ("service", "prompts", "seeds", "eval/data/ntrex128-dev"):
        shutil.copytree(repo / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    if importlib.util.find_spec("setuptools"):  # build in place: fast, offline
        build = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
        command = [sys.executable, "-c", build, str(dist)]
    else:  # a venv without setuptools (Python 3.12+): pip fetches the build backend
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."]
    done = subprocess.run(command, cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = dist.glob("audarma-*.whl")
    site = work / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return InstalledWheel(wheel, site)


# --- tiny summary models (tests/tiny_summarizers.py) ---


@pytest.fixture(scope="session")
def tiny_t5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight mT5 summarizer folder (SentencePiece unigram tokenizer). Read-only."""
    from tests.tiny_summarizers import build_tiny_t5

    return build_tiny_t5(tmp_path_factory.mktemp("tiny-mt5"))


@pytest.fixture(scope="session")
def tiny_chat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight Qwen2 chat model folder (byte-level BPE, ChatML template). Read-only."""
    from tests.tiny_summarizers import build_tiny_chat_model

    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-qwen2"))
