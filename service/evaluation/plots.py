"""Report plots, as self-contained ``data:`` URIs for ``report.html``.

Figures are drawn on matplotlib's object API (``Figure`` + Agg canvas), never through
``pyplot``: no global backend is switched and nothing is left open in a server process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .metrics import DISPLAY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: The per-document metric plotted for each task.
DISTRIBUTION_METRIC = {"translation": ("chrf++", "bleu", "ter"), "summary": ("rougeL",)}


def _figure(width: float, height: float) -> Figure:
    """A new figure; matplotlib (0.6 s to import) loads only when a report is drawn."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _data_uri(figure: Figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def scores_plot(rows: Sequence[dict[str, Any]], task: str) -> str | None:
    """One panel per metric: a bar per system and language, with its 95% interval."""
    rows = [row for row in rows if row["task"] == task]
    if not rows:
        return None
    metrics = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    systems = list(dict.fromkeys(row["system"] for row in rows))
    languages = list(dict.fromkeys(row["language"] for row in rows))
    figure = _figure(3.2 * len(metrics) + 0.8, 3.4)
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    width = 0.8 / len(systems)
    for ax, metric in zip(axes, metrics, strict=True):
        for k, system in enumerate(systems):
            xs, heights, errors = [], [], [[], []]
            for i, lang in enumerate(languages):
                row = next(
                    (r for r in rows if r["system"] == system and r["language"] == lang), None
                )
                if row is None or metric not in row["metrics"]:
                    continue
                score = row["metrics"][metric]
                xs.append(i + (k - (len(systems) - 1) / 2) * width)
                heights.append(score["score"])
                low, high = score["ci95"] or (score["score"], score["score"])
                errors[0].append(max(0.0, score["score"] - low))
                errors[1].append(max(0.0, high - score["score"]))
            ax.bar(xs, heights, width, yerr=errors, capsize=3, label=system)
        ax.set_xticks(range(len(languages)), languages)
        ax.set_title(
            DISPLAY_NAMES.get(metric, metric) + (" (lower is better)" if metric == "ter" else "")
        )
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize="small")
    figure.suptitle(f"{task}: corpus scores with 95% bootstrap intervals", fontsize="medium")
    return _data_uri(figure)


def distribution_plot(report: dict[str, Any], task: str) -> str | None:
    """Per-document scores of each system and language: box plot with every document as a dot."""
    rows = [row for row in report["results"] if row["task"] == task]
    metric = next(
        (m for m in DISTRIBUTION_METRIC[task] if rows and all(m in r["metrics"] for r in rows)),
        None,
    )
    if metric is None:
        return None
    series: dict[str, list[float]] = {}
    for row in rows:
        key = f"{task}/{row['system']}/{row['language']}"
        values = [doc["scores"][key][metric] for doc in report["documents"] if key in doc["scores"]]
        if values:
            series[f"{row['system']}\n{row['language']}"] = values
    if not series:
        return None
    figure = _figure(max(4.0, 1.3 * len(series) + 1.5), 3.4)
    ax = figure.subplots()
    ax.boxplot(list(series.values()), showfliers=False)
    ax.set_xticks(range(1, len(series) + 1), list(series))
    for i, values in enumerate(series.values(), start=1):
        offsets = [((j * 0.618) % 1 - 0.5) * 0.3 for j in range(len(values))]
        ax.scatter([i + o for o in offsets], values, s=10, alpha=0.6, zorder=3)
    ax.set_ylabel(DISPLAY_NAMES.get(metric, metric))
    ax.set_title(f"{task}: {DISPLAY_NAMES.get(metric, metric)} per document", fontsize="medium")
    ax.grid(axis="y", alpha=0.3)
    return _data_uri(figure)
