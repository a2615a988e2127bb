"""``report.json``, ``report.md`` and a self-contained ``report.html`` for one run.

``report.json`` is the record (every score with its signature and interval, the model, the
settings, timings, per-document scores); the Markdown and HTML files are renderings of it and
hold nothing it does not. The HTML page embeds its plots as ``data:`` URIs and loads nothing
from anywhere, so it can be mailed or archived as one file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from .metrics import DISPLAY_NAMES, LOWER_IS_BETTER
from .plots import distribution_plot, scores_plot

TASK_TITLES = {"translation": "Translation", "summary": "Summaries"}
SYSTEM_TITLES = {"sentence": "sentence mode", "document": "document mode"}


def write_reports(folder: str | Path, report: dict[str, Any]) -> None:
    """Write the three report files into ``folder`` (each replaced whole, never half-written)."""
    folder = Path(folder)
    _write(folder / "report.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    _write(folder / "report.md", render_markdown(report))
    _write(folder / "report.html", render_html(report))


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def format_score(score: dict[str, Any] | None) -> str:
    """``12.34 [11.02, 13.80]``: the score and its 95% interval, two decimals."""
    if score is None:
        return "–"
    text = f"{score['score']:.2f}"
    if score.get("ci95"):
        low, high = score["ci95"]
        text += f" [{low:.2f}, {high:.2f}]"
    return text


def overview(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's header facts as (label, value) pairs."""
    data, options, model = report["dataset"], report["options"], report["model"]
    facts = [
        (
            "dataset",
            f"{data['name']} ({data['format']}, {data['documents']} of"
            f" {data['documents_in_dataset']} documents, {data['segments']} segments,"
            f" fingerprint {data['fingerprint']})",
        ),
        ("model", f"{model['name']} ({model['engine']})"),
        ("decoding", f"beam {report['settings']['beam']}"),
        ("targets", ", ".join(options["targets"])),
    ]
    summarizer = report.get("summarizer")
    if summarizer:
        model_text = f", model {summarizer['model']}" if summarizer.get("model") else ""
        facts.append(
            (
                "summaries",
                f"{summarizer['strategy']}, {summarizer['sentences']} sentence(s){model_text};"
                " baseline lead-1",
            )
        )
    bootstrap = (
        f"{options['bootstrap']} bootstrap resamples, seed {options['seed']}"
        if options["bootstrap"] > 1
        else "no confidence intervals"
    )
    facts += [
        ("metrics", f"{', '.join(options['metrics'])}; {bootstrap}"),
        ("Uzbek apostrophes", "folded before scoring" if options["normalize"] else "as written"),
        (
            "run time",
            f"{report['run_seconds']:.1f} s this run ({report['resumed_documents']} document(s)"
            f" resumed); {report['translation_seconds']:.1f} s translating in all",
        ),
        ("created", report["created"]),
    ]
    return facts


def score_tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One table per task: a header and one row of cells per result row."""
    tables = []
    for task, title in TASK_TITLES.items():
        rows = [row for row in report["results"] if row["task"] == task]
        if not rows:
            continue
        metrics = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
        first = "mode" if task == "translation" else "system"
        header = [first, "language", "documents", "segments"]
        header += [
            DISPLAY_NAMES.get(m, m) + (" ↓" if m in LOWER_IS_BETTER else "") for m in metrics
        ]
        if task == "translation":
            header.append("QA flags")
        body = []
        for row in rows:
            cells = [
                SYSTEM_TITLES.get(row["system"], row["system"]),
                row["language"],
                str(row["documents"]),
                str(row["segments"]),
            ]
            cells += [format_score(row["metrics"].get(m)) for m in metrics]
            if task == "translation":
                flags = row.get("flags") or {}
                cells.append(", ".join(f"{k} {v}" for k, v in flags.items()) or "none")
            body.append(cells)
        tables.append({"task": task, "title": title, "header": header, "rows": body})
    return tables


def signatures(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(metric, languages, signature) for each distinct signature in the report."""
    found: dict[tuple[str, str], list[str]] = {}
    for row in report["results"]:
        for name, score in row["metrics"].items():
            langs = found.setdefault((DISPLAY_NAMES.get(name, name), score["signature"]), [])
            if row["language"] not in langs:
                langs.append(row["language"])
    return [(metric, ", ".join(langs), sig) for (metric, sig), langs in found.items()]


def document_table(report: dict[str, Any]) -> dict[str, Any] | None:
    """Each document's main score (chrF++ for translation, ROUGE-L for summaries) per row key."""
    keys = list(dict.fromkeys(key for doc in report["documents"] for key in doc["scores"]))
    if not keys:
        return None
    columns = []
    for key in keys:
        names = next(doc["scores"][key] for doc in report["documents"] if key in doc["scores"])
        metric = next((m for m in ("chrf++", "rougeL", "bleu", "ter") if m in names), None)
        if metric is not None:
            columns.append((key, metric))
    header = ["document"] + [f"{key.split('/', 1)[1]} {DISPLAY_NAMES[m]}" for key, m in columns]
    rows = []
    for doc in report["documents"]:
        cells = [doc["id"]]
        for key, metric in columns:
            value = doc["scores"].get(key, {}).get(metric)
            cells.append("–" if value is None else f"{value:.2f}")
        rows.append(cells)
    return {"header": header, "rows": rows}


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(row) for row in rows)]


def render_markdown(report: dict[str, Any]) -> str:
    """``report.md``: overview, score tables, signatures, per-document scores, notes."""
    lines = ["# Audarma evaluation report", ""]
    lines += _markdown_table(["", ""], overview(report))
    for table in score_tables(report):
        lines += ["", f"## {table['title']}", ""]
        lines += _markdown_table(table["header"], table["rows"])
    if not report["results"]:
        lines += ["", "No scores: no document has references for the chosen languages."]
    sigs = signatures(report)
    if sigs:
        lines += ["", "## Signatures", ""]
        lines += _markdown_table(
            ["metric", "languages", "signature"], [[m, langs, f"`{s}`"] for m, langs, s in sigs]
        )
    docs = document_table(report)
    if docs:
        lines += ["", "## Per document", ""]
        lines += _markdown_table(docs["header"], docs["rows"])
    if report["failed"]:
        lines += ["", "## Failed documents", ""]
        lines += [f"- {item['id']}: {item['error']}" for item in report["failed"]]
    lines += ["", "## Notes", ""]
    lines += [f"- {note}" for note in report["notes"]]
    return "\n".join(lines) + "\n"


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Audarma evaluation report: {{ report.dataset.name }}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
       color: #1d2430; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ccd3dd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: 0.85em; word-break: break-all; }
img { max-width: 100%; display: block; margin: 0.8em 0; }
.facts th { width: 12em; }
</style>
</head>
<body>
<h1>Audarma evaluation report</h1>
<table class="facts">
{% for label, value in facts %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
{% for table in tables %}
<h2>{{ table.title }}</h2>
<table>
<tr>{% for cell in table.header %}<th>{{ cell }}</th>{% endfor %}</tr>
{% for row in table.rows %}<tr>{% for cell in row %}<td class="num">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% for kind, alt in (("scores", "scores, 95% intervals"), ("documents", "per document")) %}
{% if plots[table.task][kind] %}
<img alt="{{ table.title }}: {{ alt }}" src="{{ plots[table.task][kind] }}">
{% endif %}
{% endfor %}
{% else %}
<p>No scores: no document has references for the chosen languages.</p>
{% endfor %}
{% if signatures %}
<h2>Signatures</h2>
<table>
<tr><th>metric</th><th>languages</th><th>signature</th></tr>
{% for metric, langs, sig in signatures %}
<tr><td>{{ metric }}</td><td>{{ langs }}</td><td><code>{{ sig }}</code></td></tr>
{% endfor %}</table>
{% endif %}
{% if documents %}
<h2>Per document</h2>
<table>
<tr>{% for cell in documents.header %}<th>{{ cell }}</th>{% endfor %}</tr>
{% for row in documents.rows %}
<tr>{% for cell in row %}<td class="num">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endif %}
{% if report.failed %}
<h2>Failed documents</h2>
<ul>{% for item in report.failed %}<li>{{ item.id }}: {{ item.error }}</li>{% endfor %}</ul>
{% endif %}
<h2>Notes</h2>
<ul>{% for note in report.notes %}<li>{{ note }}</li>{% endfor %}</ul>
</body>
</html>
"""
)


def render_html(report: dict[str, Any]) -> str:
    """``report.html``: the Markdown report's content plus plots, in one file."""
    plots = {
        task: {
            "scores": scores_plot(report["results"], task),
            "documents": distribution_plot(report, task),
        }
        for task in TASK_TITLES
    }
    return _HTML.render(
        report=report,
        facts=overview(report),
        tables=score_tables(report),
        plots=plots,
        signatures=signatures(report),
        documents=document_table(report),
    )
