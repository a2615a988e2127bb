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
# The built-in thread layout: timing the candidates (tests/test_engines_autotune.py does) would
# make every CTranslate2 engine of the suite, and of the servers it starts, measure itself.
os.environ["AUDARMA_THREAD_LAYOUT"] = "default"

import io  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.data import ROOT  # noqa: E402
from tests.fakes import FakeEngine  # noqa: E402
from tests.wheelhelpers import InstalledWheel  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def gradio_cache(tmp_path_factory: pytest.TempPathFactory):
    """Gradio's copy of every file a page returns goes under pytest's temporary folder, not
    the shared ``/tmp/gradio``. (Servers started as processes get their own, in their tests.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(tmp_path_factory.mktemp("gradio")))
        yield


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point Audarma's cache and data folders (and the XDG defaults) at fresh folders, never
    ~/.cache or ~/.local/share."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("AUDARMA_CACHE_DIR", str(cache / "audarma"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("AUDARMA_DATA_DIR", str(data / "audarma"))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return cache


@pytest.fixture
def artifacts_dir(tmp_path: Path) -> Path:
    """Where a test leaves files for people (screenshots, timings): the folder named by
    ``AUDARMA_TEST_ARTIFACTS`` when it is set (created if need be), else the test's own
    ``tmp_path``, so that a plain run writes nothing into the checkout."""
    named = os.environ.get("AUDARMA_TEST_ARTIFACTS")
    if not named:
        return tmp_path
    path = Path(named)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the command line and the deterministic engine ---


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """A :class:`tests.fakes.FakeEngine` that every Translator built from settings loads."""
    import service.translate

    engine = FakeEngine()
    monkeypatch.setattr(service.translate, "load_engine", lambda settings: engine)
    return engine


CliResult = tuple[int, str, str]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run ``audarma ARGV...`` in this process: ``cli(*argv, stdin=None)`` returns
    ``(exit code, stdout, stderr)``. Arguments may be paths; ``stdin`` is text or bytes."""
    from service.cli import main

    def run(*argv: object, stdin: str | bytes | None = None) -> CliResult:
        if stdin is not None:
            data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code = main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


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


# --- one local Ray cluster for the Ray tests (tests/test_distributed_*.py) ---


@pytest.fixture(scope="session")
def ray_cluster():
    """A local Ray cluster of 2 CPUs for the whole session (loopback only, no dashboard,
    no token file, no cloud probes), started by the product's own code: its address.

    Jobs run by the tests in this process join it (the runner reuses a connection it finds);
    a driver in a subprocess joins it by this address. Starting one costs seconds, so every
    Ray test shares it; each Ray test also has a time limit, because a misconfigured Ray job
    waits silently.
    """
    from service.distributed.cluster import start_local

    address = start_local(num_cpus=2, object_store_memory=256 * 2**20)  # imports ray itself
    yield address
    import ray

    ray.shutdown()


# --- the wheel, built from a copy of the project and unpacked apart from it ---


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """The wheel built from a copy of the project, installed apart from it. Read-only."""
    import importlib.util
    import shutil
    import subprocess
    import zipfile

    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    (src / "README.md").touch()
    for folder in ("service", "prompts", "seeds", "eval/data/ntrex128-dev"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
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


@pytest.fixture(scope="session")
def tiny_256_dirs(
    tmp_path_factory: pytest.TempPathFactory, tiny_spm_model: Path
) -> dict[str, Path]:
    """Tiny NLLB and M2M100 folders with only 256 positions (``family -> folder``). Read-only.

    A short position table is where the output limit must give way to the model's positions:
    CTranslate2 has no encodings past the table, and a random model runs to its limit.
    """
    from service.bench.synthetic import build_tiny_model

    return {
        family: build_tiny_model(
            tmp_path_factory.mktemp(f"tiny-{family}-256"),
            family,
            spm_model=tiny_spm_model,
            max_position_embeddings=256,
        )
        for family in ("nllb", "m2m100")
    }
