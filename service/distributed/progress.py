"""What a running corpus job tells people: progress while it runs, a summary at the end.

Progress goes to stderr (articles done / total, articles per second, time left) as output
blocks arrive; the summary says what the run did (articles, sentences, failures, wall time)
and what each actor did (articles, sentences, busy seconds, throughput, peak memory), which
is how one sizes a cluster. The same numbers go into the run's record in the manifest.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, TextIO


@dataclass
class ActorStats:
    """What one actor did in this run."""

    articles: int = 0
    sentences: int = 0
    engine_sentences: int = 0
    #: Seconds spent in calls (loading excluded).
    seconds: float = 0.0
    #: Peak resident memory of the actor's process, engine included.
    peak_rss_mb: int = 0

    @property
    def rate(self) -> float:
        """Articles per busy second."""
        return self.articles / self.seconds if self.seconds else 0.0


class JobProgress:
    """Counts output blocks as they arrive, shows progress, and sums up the run."""

    def __init__(
        self, total: int, *, unit: str = "article", show: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.created = time.monotonic()
        #: When the cluster was there and the work was handed over (see :meth:`start`).
        self.started: float | None = None
        self.done = 0
        self.failed = 0
        self.actors: dict[str, ActorStats] = {}
        #: Seconds until the first records arrived (pool start, engine loads, first group),
        #: and how many came then: what a job pays before its steady rate.
        self.first_output_s: float | None = None
        self.first_output: int = 0
        self.show = show
        self._bar: Any = None

    def start(self) -> None:
        """Show the progress bar (once the cluster is there: nothing to show before)."""
        from tqdm import tqdm

        self.started = time.monotonic()
        self._bar = tqdm(
            total=self.total,
            desc=f"{self.unit}s",
            unit=self.unit,
            file=self.stream,
            disable=not self.show or not self.total,
        )

    def add(self, output: Any, kept: int, failed: int) -> None:
        """An output block arrived: ``kept`` of its records were new, ``failed`` of them errors."""
        rows = output.num_rows
        actor = self.actors.setdefault(output.column("actor")[0].as_py(), ActorStats())
        actor.articles += rows
        actor.sentences += sum(output.column("sentences").to_pylist())
        actor.engine_sentences += sum(output.column("engine_sentences").to_pylist())
        actor.seconds += sum(output.column("seconds").to_pylist())
        actor.peak_rss_mb = max(actor.peak_rss_mb, max(output.column("rss_mb").to_pylist()))
        if self.first_output_s is None:
            since = self.started if self.started is not None else self.created
            self.first_output_s, self.first_output = time.monotonic() - since, rows
        self.done += kept
        self.failed += failed
        if self._bar is not None:
            self._bar.update(kept)

    @property
    def seconds(self) -> float:
        """Wall time of the run so far (joining or starting the cluster included)."""
        return time.monotonic() - self.created

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def record(self) -> dict[str, Any]:
        """This run's numbers, as the manifest keeps them."""
        return {
            "seconds": round(self.seconds, 3),
            f"{self.unit}s": self.done,
            "failed": self.failed,
            "sentences": sum(a.sentences for a in self.actors.values()),
            "engine_sentences": sum(a.engine_sentences for a in self.actors.values()),
            "cluster_seconds": None
            if self.started is None
            else round(self.started - self.created, 3),
            "first_output_seconds": None
            if self.first_output_s is None
            else round(self.first_output_s, 3),
            "first_output": self.first_output,
            "actors": {
                name: {**asdict(stats), "seconds": round(stats.seconds, 3)}
                for name, stats in sorted(self.actors.items())
            },
        }

    def summary(self, before: int, missing: int) -> list[str]:
        """The closing lines: the run, then one per actor."""
        seconds = self.seconds
        rate = self.done / seconds if seconds else 0.0
        sentences = sum(a.sentences for a in self.actors.values())
        engine = sum(a.engine_sentences for a in self.actors.values())
        lines = [
            f"audarma: {self.done} {self.unit}(s) in {_duration(seconds)} ({rate:.2f}/s):"
            f" {sentences} sentences ({engine} by the engine), {self.failed} failed,"
            f" {missing} missing; {before} done by earlier runs"
        ]
        for name, stats in sorted(self.actors.items()):
            lines.append(
                f"audarma:   actor {name}: {stats.articles} {self.unit}(s), {stats.sentences}"
                f" sentences in {stats.seconds:.1f} s busy ({stats.rate:.2f} {self.unit}s/s),"
                f" peak memory {stats.peak_rss_mb} MB"
            )
        return lines

    def print_summary(self, before: int, missing: int) -> None:
        if self.show:
            for line in self.summary(before, missing):
                print(line, file=self.stream)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{rest:02d}s"
    return f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f} s"
