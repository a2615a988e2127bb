"""``audarma ui`` as a real process: serve the tiny model, answer gradio_client and plain HTTP,
and stop cleanly on a signal.

Also measures how long the API takes to translate the seed article on the tiny model and
leaves the numbers in ``latency.json`` (in ``AUDARMA_TEST_ARTIFACTS`` when set, else the test's
temporary folder) and in the output (``-s``). The numbers are recorded, never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.cli import main
from service.text import paragraph_sentences, parse_article
from tests.data import seed_text
from tests.webhelpers import STARTUP_TIMEOUT_S, LiveServer, free_port, start_server, stop_server

SEED = seed_text()


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


# ---------------------------------------------------------------------- limits every client sees
#: A JSON body over the 8 MiB limit, as a new user would send a big test set (#9, item 5).
OVERSIZE = 9_600_000


def _oversize_json() -> bytes:
    body = json.dumps({"text": "x" * OVERSIZE, "targets": ["en"]}).encode()
    assert len(body) > 8 * 1024 * 1024
    return body


def _limit_error(body: bytes) -> None:
    answer = json.loads(body)
    assert answer.pop("request_id")  # every error names its request (#9)
    assert answer == {"error": "request body over the 8388608-byte limit"}


def test_413_reaches_every_client(server: LiveServer, tmp_path: Path) -> None:
    """The over-size body is drained, not reset: urllib, requests, httpx and curl all read
    the 413 JSON (declared lengths and chunked bodies alike)."""
    import urllib.error
    import urllib.request

    import requests

    url = f"{server.url}/api/v1/translate"
    body = _oversize_json()
    headers = {"Content-Type": "application/json"}
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60)
    assert caught.value.code == 413
    _limit_error(caught.value.read())

    response = requests.post(url, data=body, headers=headers, timeout=60)
    assert response.status_code == 413
    _limit_error(response.content)
    chunked = requests.post(
        url, data=(body[i : i + 65536] for i in range(0, len(body), 65536)), timeout=60
    )
    assert chunked.status_code == 413
    _limit_error(chunked.content)

    response = httpx.post(url, content=body, headers=headers, timeout=60)
    assert response.status_code == 413
    _limit_error(response.content)

    curl = shutil.which("curl")
    if curl is None:
        return
    path = tmp_path / "body.json"
    path.write_bytes(body)
    # Default (Expect: 100-continue: answered before the body is sent), no Expect, chunked.
    for extra in ([], ["-H", "Expect:"], ["-H", "Transfer-Encoding: chunked"]):
        done = subprocess.run(
            [curl, "-sS", "-w", "\\n%{http_code}", "-H", "Content-Type: application/json",
             "--data-binary", f"@{path}", *extra, url],
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        answer, status = done.stdout.rsplit(b"\n", 1)
        assert status == b"413", extra
        _limit_error(answer)


def _peak_rss(pid: int) -> int:
    """Peak resident memory of ``pid`` in bytes (Linux ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_oversize_page_bodies_are_refused_with_flat_memory(server: LiveServer) -> None:
    """Item 2: the page's routes are capped too; a 629 MB body is refused, never read."""
    import socket

    before = _peak_rss(server.process.pid)
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /gradio_api/run/translate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 629145600\r\n\r\n"
            + b" "
            * 1_000_000
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 ")
    streamed = httpx.post(
        f"{server.url}/gradio_api/run/translate",
        content=(b" " * 65536 for _ in range(400)),  # 26 MB, chunked: counted as it comes
        timeout=60,
    )
    assert streamed.status_code == 413
    _limit_error(streamed.content)
    grown = _peak_rss(server.process.pid) - before
    print(f"\nserver peak RSS grew by {grown / 2**20:.1f} MiB")
    assert grown < 64 * 2**20


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example:80"])
def test_unknown_host_names_are_refused(server: LiveServer, host: str) -> None:
    """Item 7: a loopback server answers only to loopback names (no DNS rebinding)."""
    refused = httpx.get(f"{server.url}/api/v1/health", headers={"Host": host})
    assert refused.status_code == 400
    assert "--allowed-hosts" in refused.json()["error"]
    port = server.url.rsplit(":", 1)[1]
    assert httpx.get(f"{server.url}/", headers={"Host": f"localhost:{port}"}).status_code == 200


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


# ---------------------------------------------------------------------- edges (#12, item 7)
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "port must be between 1 and 65535, got 99999"),
        (["--concurrency", "0"], "concurrency must be at least 1, got 0"),
        (["--queue-size", "-1"], "queue_size must be at least 0, got -1"),
        (["--beam", "1000"], "beam must be between 1 and 16, got 1000"),
        (["--allowed-hosts", "*x"], "allowed_hosts: '*x' is not a host name"),
    ],
)
def test_ui_refuses_bad_values_before_loading(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The model does not exist: an error about it would mean the value was checked too late.
    assert main(["ui", "--model", str(tmp_path / "missing"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"audarma: error: {message}")
    assert len(err.strip().splitlines()) == 1 and "loading" not in err


def test_port_in_use_is_a_one_line_error(
    tiny_nllb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["ui", "--model", str(tiny_nllb_dir), "--port", str(port), "--no-preload"]
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        f"audarma: error: cannot serve on 127.0.0.1:{port}: Address already in use"
        " (choose another --port, or stop what uses it)"
    )
    assert "Traceback" not in err
