"""Prometheus metrics of the web app, served at ``GET /metrics`` (prometheus-client).

Each app owns its :class:`~prometheus_client.CollectorRegistry`, so several apps in one process
(tests, an app embedded in a bigger one) never collide in the global registry. Request counts
and latencies are recorded as requests finish; the model's counters (sentences per target,
cache hits and misses, engine seconds, model load time), the work pool and the job queue are
read when Prometheus scrapes, from the objects that own them, so nothing is counted twice.

Labels are route templates (``/api/v1/jobs/{job_id}``), methods, status codes, target language
codes and job states: a bounded set, and never a key name, a job id or any text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from ..translate import Translator
from .workpool import WorkPool

#: Request latency buckets in seconds: from a health check to a long article on a CPU.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """The app's registry: request metrics recorded here, model and queue state read live."""

    def __init__(
        self,
        translator: Callable[[], Translator],
        pool: WorkPool,
        job_counts: Callable[[], dict[str, int]],
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "audarma_http_requests",
            "HTTP requests answered, by route template, method and status code",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "audarma_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.job_articles = Counter(
            "audarma_job_articles",
            "Job articles finished by this process, by outcome (done or failed)",
            ["outcome"],
            registry=self.registry,
        )
        live = _LiveCollector()
        live.translator, live.pool, live.job_counts = translator, pool, job_counts
        self.registry.register(live)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """Every metric, and its ``Content-Type``, in the format the scraper's ``Accept``
        header asks for: OpenMetrics if it says so, else the classic text format 0.0.4, which
        every Prometheus version reads (prometheus-client's own negotiation)."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


class _LiveCollector(Collector):
    """Reads the translator's counters, the work pool and the job queue at scrape time
    (what :class:`Metrics` was given)."""

    translator: Callable[[], Translator]
    pool: WorkPool
    job_counts: Callable[[], dict[str, int]]

    def describe(self) -> list[Metric]:
        # Described by collecting: nothing it reads is expensive, and the names stay in one place.
        return list(self.collect())

    def collect(self) -> Iterator[Metric]:
        pool = self.pool
        yield _gauge("audarma_queue_running", "Model calls running now", pool.running)
        yield _gauge(
            "audarma_queue_waiting",
            "Model calls waiting for a run slot now",
            max(0, pool.admitted - pool.running),
        )
        capacity = pool.concurrency + pool.queue_size
        yield _gauge("audarma_queue_capacity", "Run slots plus waiting places", capacity)

        counts = self.job_counts()
        jobs = GaugeMetricFamily("audarma_jobs", "Unfinished jobs by status", labels=["status"])
        for status in ("queued", "running"):
            jobs.add_metric([status], counts.get(f"{status}_jobs", 0))
        yield jobs
        yield _gauge(
            "audarma_job_articles_queued",
            "Job articles waiting to be translated (all keys)",
            counts.get("queued_articles", 0),
        )

        stats = self.translator().stats
        sentences = CounterMetricFamily(
            "audarma_sentences_translated",
            "Sentences translated (from the engine or the cache), by target language",
            labels=["target"],
        )
        for target, count in sorted(dict(stats.sentences).items()):
            sentences.add_metric([target], count)
        yield sentences
        yield _counter(
            "audarma_cache_hits",
            "Distinct sentences found in the translation cache",
            stats.cache_hits,
        )
        yield _counter(
            "audarma_cache_misses",
            "Distinct sentences looked up in the translation cache and not found",
            stats.cache_misses,
        )
        yield _counter(
            "audarma_engine_sentences", "Sentences the engine translated", stats.engine_sentences
        )
        yield _counter("audarma_engine_batches", "Batches the engine translated", stats.batches)
        yield _counter(
            "audarma_engine_seconds", "Seconds spent inside the engine", stats.engine_seconds
        )
        if stats.load_seconds is not None:
            yield _gauge(
                "audarma_model_load_seconds",
                "Seconds the translation model took to load",
                stats.load_seconds,
            )


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _counter(name: str, documentation: str, value: Any) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)
