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
    from service.synthetic import ntrex_lines, train_sentencepiece

    return train_sentencepiece(ntrex_lines(), tmp_path_factory.mktemp("spm"))


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory, tiny_spm_model: Path) -> Path:
    """A random-weight NLLB-200-style model folder (NllbTokenizer, M2M100 network). Read-only."""
    from service.synthetic import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-nllb"), "nllb", spm_model=tiny_spm_model)


@pytest.fixture(scope="session")
def tiny_m2m100_dir(tmp_path_factory: pytest.TempPathFactory, tiny_spm_model: Path) -> Path:
    """A random-weight M2M100-style model folder (M2M100Tokenizer, ``__xx__`` tags). Read-only."""
    from service.synthetic import build_tiny_model

    return build_tiny_model(
        tmp_path_factory.mktemp("tiny-m2m100"), "m2m100", spm_model=tiny_spm_model
    )


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
