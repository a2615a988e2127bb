"""``audarma ui`` as a real process: serve the tiny model, answer gradio_client and plain HTTP,
and stop cleanly on a signal.

Also measures how long the API takes to translate the seed article on the tiny model and
leaves the numbers in ``latency.json`` (in ``AUDARMA_TEST_ARTIFACTS`` when set, else the test's
temporary folder) and in the output (``-s``). The numbers are recorded, never asserted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from service.cli import main
from service.text import paragraph_sentences, parse_article
from tests.data import seed_text
from tests.webhelpers import free_port

SEED = seed_text()
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
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDARMA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        AUDARMA_CACHE_DIR=str(workdir / "cache"),
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


def stop_server(server: LiveServer, sig: int) -> int:
    """Send ``sig``; return the exit status. No exit within ``STOP_TIMEOUT_S`` fails the test
    (a bound against hanging, not a timing check)."""
    server.process.send_signal(sig)
    try:
        code = server.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise AssertionError(
            f"no exit {STOP_TIMEOUT_S} s after {sig!r}:\n{server.output()}"
        ) from None
    return code


@pytest.fixture(scope="module")
def server(tiny_nllb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tiny_nllb_dir, tmp_path_factory.mktemp("live"))
    yield live
    if live.process.poll() is None:  # a test failed before the shutdown test ran
        live.process.kill()
        live.process.wait()


def test_plain_http_and_seed_latency(server: LiveServer, artifacts_dir: Path) -> None:
    with httpx.Client(base_url=server.url, timeout=120) as http:
        assert http.get("/api/v1/languages").json()["targets"] == ["en", "uz", "uz-Cyrl"]
        assert http.get("/openapi.json").status_code == 200
        page = http.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert http.post("/api/v1/translate", json={"text": ""}).status_code == 400
        # Warm the model up on another text so the seed's timing is one steady-state request.
        assert http.post("/api/v1/translate", json={"text": "Сәлем, әлем."}).status_code == 200

        timings = {}
        for run in ("uncached", "cached"):
            started = time.perf_counter()
            response = http.post("/api/v1/translate", json={"text": SEED, "targets": ["en", "uz"]})
            timings[run] = time.perf_counter() - started
            assert response.status_code == 200
    body = response.json()
    sentences = paragraph_sentences(parse_article(SEED))
    for code in ("en", "uz"):
        paragraphs = body["translations"][code]["paragraphs"]
        assert [[p["source"] for p in para] for para in paragraphs] == sentences
    record = {
        "what": "POST /api/v1/translate, seed article, targets en+uz, tiny random NLLB model, CPU",
        "seconds_uncached": round(timings["uncached"], 3),
        "seconds_cached": round(timings["cached"], 3),
        "sentences": sum(len(p) for p in sentences),
        "characters": len(SEED),
    }
    path = artifacts_dir / "latency.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"\nseed latency through the API: {record} -> {path}")


def test_gradio_client_translate(server: LiveServer) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(server.url, verbose=False)
    english, uzbek, aligned, files, data, status = client.predict(
        SEED, "en,uz", api_name="/translate"
    )
    assert english == data["translations"]["en"]["text"] and english
    assert uzbek == data["translations"]["uz"]["text"] and uzbek
    sentences = sum(len(p) for p in paragraph_sentences(parse_article(SEED)))
    assert aligned.count('<tr class="aud-sentence">') == sentences
    flags = sum(
        len(p["flags"])
        for t in data["translations"].values()
        for para in t["paragraphs"]
        for p in para
    )
    assert aligned.count('class="aud-flag"') == flags
    assert status.startswith(f"Translated {sentences} sentences")
    downloaded = [Path(f if isinstance(f, str) else f["path"]) for f in files]
    assert sorted(p.suffix for p in downloaded) == [".json", ".txt"]
    json_file = next(p for p in downloaded if p.suffix == ".json")
    assert json.loads(json_file.read_text(encoding="utf-8")) == data

    with pytest.raises(AppError, match="the article is empty"):
        client.predict("   ", "en", api_name="/translate")

    api = client.view_api(print_info=False, return_format="dict")
    assert {"/translate", "/summarize"} <= set(api["named_endpoints"])

    html, summary = client.predict(SEED, "extractive", ["kk", "en"], 2, api_name="/summarize")
    assert summary["strategy"] == "extractive"
    assert list(summary["summaries"]) == ["kk", "en"]
    assert html.count('class="aud-summary"') == 2


def test_stops_cleanly_on_sigterm(server: LiveServer) -> None:
    code = stop_server(server, signal.SIGTERM)
    assert code == 0, server.output()
    output = server.output()
    assert "audarma: server stopped" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ui_command_returns_0_on_signal(
    sig: int, tiny_nllb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command itself, in this process: a signal is a requested stop, status 0."""
    port = free_port()
    before = signal.getsignal(signal.SIGTERM)

    def stop_when_up() -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        os.kill(os.getpid(), sig)  # sent even after a timeout, so the test cannot hang

    threading.Thread(target=stop_when_up, daemon=True).start()
    argv = ["ui", "--model", str(tiny_nllb_dir), "--port", str(port), "--no-preload"]
    assert main([*argv, "--log-level", "warning"]) == 0
    assert "audarma: server stopped" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before  # handlers put back


def test_bad_model_fails_before_serving(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    assert main(["ui", "--model", str(tmp_path / "missing"), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("audarma: error:")
    assert "serving" not in err


def test_malformed_auth_fails_before_loading(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--auth", "no-colon", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "user:password" in err and "loading" not in err
