"""Load test of ``audarma ui`` as a newsroom runs it: many clients, API keys, quotas, jobs.

Not a test in the suite: it prints figures. By default it builds the tiny random-weight NLLB
model (no download), starts ``audarma ui`` on it with API keys in a throwaway data folder,
and runs ``--clients`` concurrent clients for ``--duration`` seconds, spread over 5 desks
(one key each, ``--desk-rate``, default 300/minute), each mixing translate, summarize, score
and jobs (submit, poll every second, fetch the results). Clients honour ``Retry-After``
(capped by ``--max-backoff``) as a well-behaved script would.

Reported: requests by operation and status, 5xx other than 503 (must be 0), 429/503 without
``Retry-After`` (must be 0), p50/p95 latency, job articles submitted/finished/recorded, and
the server's RSS at start, after warm-up and at the end (growth after warm-up must stay
under 10%).

    python eval/load_test.py                       # tiny model, 50 clients, 60 s
    python eval/load_test.py --clients 10 --duration 20 --json
    python eval/load_test.py --url http://127.0.0.1:7860 --key KEY [--pid PID]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import service  # noqa: F401  (installed, or run from the repository)
except ImportError:  # pragma: no cover - an uninstalled checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from service.evaluation.datasets import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NTREX = ROOT / "eval" / "data" / "ntrex128-dev"
#: Operation -> weight in the mix.
MIX = {"translate": 5, "summarize": 2, "score": 2, "job": 1}
#: Desks (one API key each) the clients are spread over, and each key's rate.
DESKS = 5
DESK_RATE = "300/minute"
JOB_ARTICLES = 3


@dataclass
class Tally:
    """What the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    by_op: Counter = field(default_factory=Counter)
    missing_retry_after: int = 0
    transport_errors: Counter = field(default_factory=Counter)
    jobs_submitted: int = 0
    job_articles: int = 0
    jobs_finished: int = 0
    records_ok: int = 0
    records_bad: int = 0

    def add(self, op: str, response: httpx.Response, seconds: float) -> None:
        self.latencies[op].append(seconds)
        self.statuses[response.status_code] += 1
        self.by_op[(op, response.status_code)] += 1
        if response.status_code in (429, 503) and "retry-after" not in response.headers:
            self.missing_retry_after += 1

    async def send(
        self, http: httpx.AsyncClient, op: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        """One timed request, counted under ``op``; None (counted too) when the connection
        failed, so one reset never ends a client."""
        started = time.monotonic()
        try:
            response = await http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            self.transport_errors[type(exc).__name__] += 1
            return None
        self.add(op, response, time.monotonic() - started)
        return response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int | None) -> float | None:
    """Resident memory of ``pid`` (and its children) in MiB, from /proc; None if unknown."""
    if pid is None:
        return None
    total = 0
    for each in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(p) for p in found]
    return kids + [grand for kid in kids for grand in _children(kid)]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cli(*argv: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout.strip()


class Server:
    """``audarma ui`` on the tiny model, with DESKS API keys, in a throwaway folder."""

    def __init__(self, work: Path, model: str | None, extra: list[str], rate: str) -> None:
        self.work = work
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AUDARMA_")}
        self.env.update(
            HF_HUB_OFFLINE="1",
            GRADIO_ANALYTICS_ENABLED="False",
            OMP_NUM_THREADS=self.env.get("OMP_NUM_THREADS", "1"),
            AUDARMA_CACHE_DIR=str(work / "cache"),
            AUDARMA_DATA_DIR=str(work / "data"),
            GRADIO_TEMP_DIR=str(work / "gradio"),
            PYTHONPATH=str(ROOT),
        )
        self.model = model or self._tiny_model()
        self.keys = [
            cli("keys", "add", f"desk-{n}", "--rate", rate, env=self.env) for n in range(DESKS)
        ]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(work / "server.log", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "service.cli", "ui", "--model", self.model]
        command += ["--port", str(port), "--log-level", "warning", *extra]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"audarma ui exited: {(work / 'server.log').read_text()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("audarma ui did not start within 180 s")

    def _tiny_model(self) -> str:
        from service.bench.synthetic import build_tiny_model, ntrex_lines, train_sentencepiece

        spm = train_sentencepiece(ntrex_lines(), self.work / "spm")
        return str(build_tiny_model(self.work / "tiny-nllb", "nllb", spm_model=spm))

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def workload() -> dict[str, list]:
    documents = load_dataset(NTREX).documents
    articles = [doc.text for doc in documents]
    sentences = [line for doc in documents for line in doc.source]
    references = [line for doc in documents for line in doc.references.get("en", [[]])[0]]
    return {"articles": articles, "sentences": sentences, "references": references}


async def client_loop(
    number: int,
    http: httpx.AsyncClient,
    headers: dict[str, str],
    data: dict[str, list],
    stop_at: float,
    tally: Tally,
    max_backoff: float,
) -> None:
    rng = random.Random(number)
    ops = list(MIX)
    weights = [MIX[op] for op in ops]
    while time.monotonic() < stop_at:
        op = rng.choices(ops, weights)[0]
        if op == "translate":
            text = " ".join(rng.sample(data["sentences"], 2))
            request = ("POST", "/api/v1/translate", {"text": text, "targets": ["en", "uz"]})
        elif op == "summarize":
            request = (
                "POST",
                "/api/v1/summarize",
                {"text": rng.choice(data["articles"]), "languages": ["kk", "en"], "sentences": 2},
            )
        elif op == "score":
            start = rng.randrange(0, len(data["references"]) - 20)
            refs = data["references"][start : start + 20]
            hyps = data["references"][start + 1 : start + 21]
            request = (
                "POST",
                "/api/v1/score",
                {"hypotheses": hyps, "references": [refs], "language": "en"},
            )
        else:
            await run_job(rng, http, headers, data, stop_at, tally, max_backoff)
            continue
        method, path, body = request
        response = await tally.send(http, op, method, path, json=body, headers=headers)
        if response is not None:
            await backoff(response, stop_at, max_backoff)


async def run_job(
    rng: random.Random,
    http: httpx.AsyncClient,
    headers: dict[str, str],
    data: dict[str, list],
    stop_at: float,
    tally: Tally,
    max_backoff: float,
) -> None:
    """Submit a small job, poll it every second, fetch its results when it is done."""
    articles = [
        {"id": f"a{i}", "text": " ".join(rng.sample(data["sentences"], 2))}
        for i in range(JOB_ARTICLES)
    ]
    body = {"articles": articles, "targets": ["en"]}
    response = await tally.send(
        http, "job-submit", "POST", "/api/v1/jobs", json=body, headers=headers
    )
    if response is None:
        return
    if response.status_code != 202:
        await backoff(response, stop_at, max_backoff)
        return
    tally.jobs_submitted += 1
    tally.job_articles += JOB_ARTICLES
    job_id = response.json()["id"]
    while time.monotonic() < stop_at:
        await asyncio.sleep(1.0)
        status = await tally.send(
            http, "job-status", "GET", f"/api/v1/jobs/{job_id}", headers=headers
        )
        if status is None:
            continue
        if status.status_code != 200:
            await backoff(status, stop_at, max_backoff)
            continue
        if status.json()["status"] in ("done", "failed"):
            tally.jobs_finished += 1
            path = f"/api/v1/jobs/{job_id}/results"
            results = await tally.send(http, "job-results", "GET", path, headers=headers)
            if results is None:
                return
            ids = [json.loads(line)["id"] for line in results.text.splitlines()]
            good = ids == [a["id"] for a in articles]
            tally.records_ok += good
            tally.records_bad += not good
            return


async def backoff(response: httpx.Response, stop_at: float, cap: float) -> None:
    if response.status_code in (429, 503):
        wait = float(response.headers.get("retry-after", "1"))
        await asyncio.sleep(max(0.0, min(wait, cap, stop_at - time.monotonic())))


async def run_clients(
    url: str, keys: list[str], clients: int, seconds: float, max_backoff: float
) -> Tally:
    data = workload()
    tally = Tally()
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        tasks = []
        for number in range(clients):
            headers = {"X-API-Key": keys[number % len(keys)]} if keys else {}
            tasks.append(client_loop(number, http, headers, data, stop_at, tally, max_backoff))
        await asyncio.gather(*tasks)
    return tally


def report(tally: Tally, rss: dict[str, float | None], seconds: float, clients: int) -> dict:
    every = [value for values in tally.latencies.values() for value in values]
    ops = {}
    for op, values in sorted(tally.latencies.items()):
        statuses = {str(s): n for (o, s), n in sorted(tally.by_op.items()) if o == op}
        ops[op] = {
            "requests": len(values),
            "statuses": statuses,
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        }
    warm, end = rss.get("after_warmup"), rss.get("end")
    growth = None if not warm or not end else round(100 * (end - warm) / warm, 1)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(every),
        "requests_per_s": round(len(every) / seconds, 1),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "5xx_other_than_503": sum(v for k, v in tally.statuses.items() if k >= 500 and k != 503),
        "429_503_without_retry_after": tally.missing_retry_after,
        "transport_errors": dict(tally.transport_errors),
        "p50_ms": round(percentile(every, 0.50) * 1000, 1),
        "p95_ms": round(percentile(every, 0.95) * 1000, 1),
        "mean_ms": round(statistics.fmean(every) * 1000, 1) if every else None,
        "operations": ops,
        "jobs": {
            "submitted": tally.jobs_submitted,
            "articles": tally.job_articles,
            "finished_in_time": tally.jobs_finished,
            "results_complete_and_ordered": tally.records_ok,
            "results_wrong": tally.records_bad,
        },
        "server_rss_mib": rss,
        "rss_growth_after_warmup_pct": growth,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--key", action="append", default=[], help="API key(s) for --url")
    parser.add_argument("--pid", type=int, help="the --url server's pid, for its RSS")
    parser.add_argument("--model", help="model for the started server (default: tiny NLLB)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--desk-rate", default=DESK_RATE, help=f"each of the {DESKS} desks' key rate"
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of full load")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds before measuring")
    parser.add_argument("--max-backoff", type=float, default=2.0, help="cap on Retry-After waits")
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    parser.add_argument("server_args", nargs="*", help="extra `audarma ui` flags (after --)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="audarma-load-") as folder:
        server = None
        if args.url:
            url, keys, pid = args.url, args.key, args.pid
        else:
            print("starting audarma ui on the tiny model ...", file=sys.stderr)
            server = Server(Path(folder), args.model, args.server_args, args.desk_rate)
            url, keys, pid = server.url, server.keys, server.process.pid
        try:
            rss = {"start": rss_mib(pid)}
            print(f"warm-up: {args.warmup:.0f} s, {args.clients} clients", file=sys.stderr)
            asyncio.run(run_clients(url, keys, args.clients, args.warmup, args.max_backoff))
            rss["after_warmup"] = rss_mib(pid)
            print(f"load: {args.duration:.0f} s, {args.clients} clients", file=sys.stderr)
            tally = asyncio.run(
                run_clients(url, keys, args.clients, args.duration, args.max_backoff)
            )
            time.sleep(2)  # let the last answers settle before reading memory
            rss["end"] = rss_mib(pid)
            figures = report(tally, rss, args.duration, args.clients)
        finally:
            if server is not None:
                code = server.stop()
                print(f"server stopped with status {code}", file=sys.stderr)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(render(figures))
    ok = (
        figures["5xx_other_than_503"] == 0
        and figures["429_503_without_retry_after"] == 0
        and figures["jobs"]["results_wrong"] == 0
        and (figures["rss_growth_after_warmup_pct"] or 0) <= 10
    )
    return 0 if ok else 1


def render(figures: dict) -> str:
    lines = [
        f"{figures['clients']} clients, {figures['seconds']:.0f} s: {figures['requests']} requests"
        f" ({figures['requests_per_s']}/s); p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms",
        f"statuses: {figures['statuses']}",
        f"5xx other than 503: {figures['5xx_other_than_503']};"
        f" 429/503 without Retry-After: {figures['429_503_without_retry_after']};"
        f" transport errors: {figures['transport_errors'] or 0}",
        "",
        f"{'operation':<13}{'requests':>9}{'p50 ms':>10}{'p95 ms':>10}  statuses",
    ]
    for op, row in figures["operations"].items():
        lines.append(
            f"{op:<13}{row['requests']:>9}{row['p50_ms']:>10}{row['p95_ms']:>10}  {row['statuses']}"
        )
    jobs = figures["jobs"]
    lines += [
        "",
        f"jobs: {jobs['submitted']} submitted ({jobs['articles']} articles),"
        f" {jobs['finished_in_time']} finished within the run,"
        f" {jobs['results_complete_and_ordered']} with every record once and in order,"
        f" {jobs['results_wrong']} wrong",
        f"server RSS (MiB): {figures['server_rss_mib']};"
        f" growth after warm-up: {figures['rss_growth_after_warmup_pct']}%",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
