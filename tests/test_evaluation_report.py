"""Report files: well-formed JSON, Markdown tables, a self-contained HTML page with plots."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import pytest

from service.evaluation.options import EvalOptions
from service.evaluation.report import format_score, render_markdown
from service.evaluation.runner import run_evaluation
from service.translate import Translator
from tests.data import NTREX
from tests.fakes import FakeEngine

VOID = {"meta", "img", "br", "hr", "link", "input"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run"
    translator = Translator(engine_instance=FakeEngine(), cache=False)
    options = EvalOptions(limit=3, n_bootstrap=100, progress=False, summaries=True)
    run_evaluation(NTREX, out, translator, options)
    return out


class TagChecker(HTMLParser):
    """Collects tags, attribute values and nesting errors."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.images: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src", ""))
        for name in ("src", "href"):
            if name in values:
                self.urls.append(values[name])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_report_json_has_every_part(run_dir):
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    assert {
        "audarma_version",
        "sacrebleu_version",
        "created",
        "run_seconds",
        "translation_seconds",
        "dataset",
        "model",
        "summarizer",
        "settings",
        "options",
        "results",
        "documents",
        "failed",
        "notes",
    } <= set(report)
    assert len(report["results"]) == 4 + 6
    for row in report["results"]:
        assert set(row) >= {"task", "system", "language", "segments", "normalized", "metrics"}
        for score in row["metrics"].values():
            low, high = score["ci95"]
            assert low <= score["score"] <= high
            assert "|bs:100|seed:12345|" in score["signature"]
            assert score["signature"].endswith(
                "|uzapos:fold" if row["language"] == "uz" else "|uzapos:none"
            )
    assert report["settings"]["beam"] == 4
    assert any(note.startswith("COMET skipped") for note in report["notes"])


def test_report_md_renders_the_json(run_dir):
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert markdown == render_markdown(report)
    sentence_en = report["results"][0]
    bleu, chrf, ter = (format_score(sentence_en["metrics"][m]) for m in ("bleu", "chrf++", "ter"))
    docs, segments = sentence_en["documents"], sentence_en["segments"]
    assert f"| sentence mode | en | {docs} | {segments} | {bleu} | {chrf} | {ter} |" in markdown
    assert (
        "| mode | language | documents | segments | BLEU | chrF++ | TER ↓ | QA flags |" in markdown
    )
    assert "| system | language | documents | segments | ROUGE-1 | ROUGE-2 | ROUGE-L |" in markdown
    assert "## Signatures" in markdown and "## Per document" in markdown
    width = None
    for line in markdown.splitlines():  # every table row has as many cells as its header
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        width = width or cells
        assert cells == width, line


def test_report_html_is_self_contained_with_plots(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    checker = TagChecker()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []
    assert len(checker.images) == 4  # scores and per-document plots, for both tasks
    for uri in checker.urls:
        assert uri.startswith("data:image/png;base64,")
    for uri in checker.images:
        assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert not re.search(r"https?://", html)
    assert "<th>BLEU</th>" in html and "uzapos:fold" in html


def test_format_score():
    assert format_score({"score": 12.345, "ci95": [11.0, 13.456], "signature": ""}) == (
        "12.35 [11.00, 13.46]"
    )
    assert format_score({"score": 1.0, "ci95": None, "signature": ""}) == "1.00"
    assert format_score(None) == "–"
