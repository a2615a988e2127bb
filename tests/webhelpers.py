"""Helpers shared by the web tests: settings, fake-engine apps, an in-process server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from service.engines.base import DecodeOptions, Hypothesis
from service.languages import Language
from service.settings import Settings, load_settings
from service.translate import Translator
from tests.fakes import FakeEngine

#: Parent of every throwaway cache folder below; removed with all of them when Python exits.
_SCRATCH: tempfile.TemporaryDirectory | None = None


def scratch_dir() -> str:
    """A fresh empty folder, removed at the latest when the test process exits."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = tempfile.TemporaryDirectory(prefix="audarma-test-cache-")
    return tempfile.mkdtemp(dir=_SCRATCH.name)


def make_settings(**overrides: Any) -> Settings:
    """Settings from defaults and ``overrides`` only: the developer's AUDARMA_* variables and
    translation cache stay out of the tests."""
    # A throwaway cache_dir too: the ctranslate2 engine converts models into it, and
    # module-scoped fixtures run before the per-test isolation in conftest.py.
    # data_dir likewise: API keys and jobs of one app must not leak into another test's.
    defaults = {
        "cache": False,
        "cache_dir": scratch_dir(),
        "data_dir": scratch_dir(),
        "thread_layout": "default",
    }
    return load_settings({**defaults, **overrides}, env={})


def fake_translator(settings: Settings | None = None, engine: Any = None) -> Translator:
    return Translator(
        settings=settings or make_settings(), engine_instance=engine or FakeEngine(), cache=False
    )


class GatedEngine(FakeEngine):
    """A fake engine that holds every batch until :attr:`gate` is set (queue tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def translate_batch(
        self, sentences: Sequence[str], src: Language, tgt: Language, options: DecodeOptions
    ) -> list[Hypothesis]:
        self.entered.set()
        if not self.gate.wait(timeout=30):
            raise TimeoutError("the test never opened the gate")
        return super().translate_batch(sentences, src, tgt, options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_in_thread(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


# --- `audarma ui` as a real process ---

#: Bounds against hanging (not timing checks): a server must answer within this after start,
#: and exit within STOP_TIMEOUT_S after a signal.
STARTUP_TIMEOUT_S = 90
STOP_TIMEOUT_S = 10


@dataclass
class LiveServer:
    process: subprocess.Popen
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("audarma")
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


def start_server(model: Path, workdir: Path, *extra: str) -> LiveServer:
    """``audarma ui --model MODEL`` on a free port, its cache and data under ``workdir`` and its
    output in ``workdir/server-PORT.log``; returns once the health check answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDARMA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        AUDARMA_CACHE_DIR=str(workdir / "cache"),
        AUDARMA_DATA_DIR=str(workdir / "data"),
        GRADIO_TEMP_DIR=str(workdir / "gradio"),
    )
    log = workdir / f"server-{port}.log"
    command = [*_command(), "ui", "--model", str(model), "--port", str(port), *extra]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"audarma ui exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(
        f"audarma ui did not answer within {STARTUP_TIMEOUT_S} s:\n{server.output()}"
    )


def stop_server(server: LiveServer, sig: int, timeout: float = STOP_TIMEOUT_S) -> int:
    """Send ``sig``; return the exit status. No exit within ``timeout`` fails the test
    (a bound against hanging, not a timing check)."""
    server.process.send_signal(sig)
    try:
        code = server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise AssertionError(f"no exit {timeout} s after {sig!r}:\n{server.output()}") from None
    return code
