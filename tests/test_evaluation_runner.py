"""The batch runner: exact outputs, resume after a crash, refused resumes, failed documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import ConfigError
from service.evaluation.datasets import load_dataset
from service.evaluation.options import EvalOptions
from service.evaluation.rouge import ROUGE
from service.evaluation.runner import run_evaluation
from service.jobs.store import RunStore
from service.languages import get_language
from service.settings import load_settings
from service.summarize import Summarizer
from service.text import paragraph_sentences, parse_article
from service.translate import Translator
from tests.data import NTREX, SEED_SET
from tests.fakes import FakeEngine, fake_translation

EN, UZ = get_language("en"), get_language("uz")


@pytest.fixture(scope="module")
def documents():
    return load_dataset(NTREX).documents


class CrashingEngine(FakeEngine):
    """Stops the run (like Ctrl-C) as soon as it is asked to translate one of ``fatal``."""

    def __init__(self, fatal: set[str]) -> None:
        super().__init__()
        self.fatal = fatal

    def translate_batch(self, sentences, src, tgt, options):
        if self.fatal & set(sentences):
            raise KeyboardInterrupt
        return super().translate_batch(sentences, src, tgt, options)


def evaluate(out: Path, engine=None, dataset=NTREX, settings=None, **options):
    translator = Translator(engine_instance=engine or FakeEngine(), cache=False, settings=settings)
    options = {"limit": 2, "n_bootstrap": 50, "progress": False, **options}
    return run_evaluation(dataset, out, translator, EvalOptions(**options))


def read_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "outputs.jsonl").read_text("utf-8").splitlines()]


def test_record_holds_exactly_the_pipeline_outputs(tmp_path, documents):
    evaluate(tmp_path / "run", limit=2)
    records = read_records(tmp_path / "run")
    assert [r["id"] for r in records] == ["bbc.381790", "rt.com.91337"]
    doc, record = documents[1], records[1]
    sentences = paragraph_sentences(parse_article(doc.text))
    for lang in (EN, UZ):
        assert record["sentence"][lang.code] == [fake_translation(s, lang) for s in doc.source]
        assert record["document"][lang.code] == [
            " ".join(fake_translation(s, lang) for s in para) for para in sentences
        ]
        assert record["lead1"][lang.code] == fake_translation(sentences[0][0], lang)
    assert record["lead1"]["kk"] == sentences[0][0]
    assert set(record) == {"id", "sentence", "document", "lead1", "flags", "seconds"}
    assert set(record["flags"]) == {"sentence", "document"}


def test_report_rows_and_per_document_scores(tmp_path, documents):
    report = evaluate(tmp_path / "run", limit=3)
    rows = [(r["task"], r["system"], r["language"], r["segments"]) for r in report["results"]]
    body_lines = sum(len(d.source) for d in documents[:3])
    assert rows == [
        ("translation", "sentence", "en", body_lines),
        ("translation", "document", "en", 3),
        ("translation", "sentence", "uz", body_lines),
        ("translation", "document", "uz", 3),
    ]
    assert list(report["results"][0]["metrics"]) == ["bleu", "chrf++", "ter"]
    assert list(report["results"][1]["metrics"]) == ["bleu", "chrf++"]  # no TER per document
    assert [d["id"] for d in report["documents"]] == [d.id for d in documents[:3]]
    assert report["dataset"]["documents"] == 3 and report["dataset"]["documents_in_dataset"] == 62
    assert report["model"] == {"name": "fake-model", "engine": "fake", "shortlist": False}
    assert report["failed"] == [] and report["resumed_documents"] == 0


def test_resume_after_a_crash_translates_only_the_rest(tmp_path, documents, capsys):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        evaluate(out, CrashingEngine(set(documents[1].source)), limit=3)
    assert "1 document(s) are saved" in capsys.readouterr().err
    before = (out / "outputs.jsonl").read_bytes()
    assert [r["id"] for r in read_records(out)] == ["bbc.381790"]
    assert not (out / "report.json").exists()

    engine = FakeEngine()
    report = evaluate(out, engine, limit=3)
    after = (out / "outputs.jsonl").read_bytes()
    assert after.startswith(before)  # nothing rewritten, only appended
    assert [r["id"] for r in read_records(out)] == [d.id for d in documents[:3]]
    seen = set(engine.sentences_seen)
    assert not seen & set(documents[0].source)  # the finished document was not redone
    assert set(documents[1].source) <= seen and set(documents[2].source) <= seen
    assert report["resumed_documents"] == 1

    clean = evaluate(tmp_path / "clean", limit=3)
    assert report["results"] == clean["results"]
    assert report["documents"][1]["scores"] == clean["documents"][1]["scores"]


def test_a_line_cut_short_is_cut_off_and_redone(tmp_path, documents):
    out = tmp_path / "run"
    evaluate(out, limit=1)
    with open(out / "outputs.jsonl", "ab") as handle:
        handle.write(b'{"id": "rt.com.91337", "sentence": {"en": ["cut')
    before = (out / "outputs.jsonl").read_bytes()
    engine = FakeEngine()
    evaluate(out, engine, limit=2)
    after = (out / "outputs.jsonl").read_bytes()
    complete = before[: before.rindex(b"\n") + 1]
    assert after.startswith(complete) and b'["cut' not in after
    assert set(documents[1].source) <= set(engine.sentences_seen)
    assert not set(documents[0].source) & set(engine.sentences_seen)
    assert [r["id"] for r in RunStore(out).records().values()] == ["bbc.381790", "rt.com.91337"]


def test_a_larger_limit_extends_the_run(tmp_path, documents):
    out = tmp_path / "run"
    evaluate(out, limit=1)
    engine = FakeEngine()
    report = evaluate(out, engine, limit=2)
    assert set(engine.sentences_seen) >= set(documents[1].source)
    assert not set(engine.sentences_seen) & set(documents[0].source)
    assert report["dataset"]["documents"] == 2


def test_resuming_with_another_configuration_is_refused(tmp_path):
    out = tmp_path / "run"
    evaluate(out, limit=1)
    with pytest.raises(ConfigError, match="different targets"):
        evaluate(out, limit=1, targets="en")
    with pytest.raises(ConfigError, match="different model"):
        evaluate(out, FakeEngine(model_name="other-model"), limit=1)
    with pytest.raises(ConfigError, match="different summaries"):
        evaluate(out, limit=1, summaries=True)


def test_failed_documents_are_reported_and_retried(tmp_path, documents):
    out = tmp_path / "run"
    small = load_settings({"max_chars": len(documents[1].text) + 1})
    report = evaluate(out, settings=small, limit=2)  # bbc.381790 is over the limit
    assert [f["id"] for f in report["failed"]] == ["bbc.381790"]
    assert "characters; the limit is" in report["failed"][0]["error"]
    assert [d["id"] for d in report["documents"]] == ["rt.com.91337"]
    assert report["results"][0]["segments"] == len(documents[1].source)

    engine = FakeEngine()
    report = evaluate(out, engine, limit=2)
    assert report["failed"] == []
    assert set(engine.sentences_seen) >= set(documents[0].source)
    assert not set(engine.sentences_seen) & set(documents[1].source)


def test_a_run_where_every_document_failed_scores_nothing(tmp_path):
    report = evaluate(tmp_path / "run", settings=load_settings({"max_chars": 10}), limit=2)
    assert report["results"] == [] and len(report["failed"]) == 2
    assert report["notes"][-1] == "No document was translated successfully: nothing to score."
    assert (tmp_path / "run" / "report.html").exists()


def test_summaries_and_the_lead1_baseline(tmp_path, documents):
    translator = Translator(engine_instance=FakeEngine(), cache=False)
    summarizer = Summarizer(translator=translator, strategy="extractive")
    options = EvalOptions(limit=2, n_bootstrap=50, progress=False, summaries=True)
    report = run_evaluation(NTREX, tmp_path / "run", translator, options, summarizer)
    rows = [(r["task"], r["system"], r["language"]) for r in report["results"]]
    assert rows[4:] == [
        ("summary", system, lang)
        for lang in ("kk", "en", "uz")
        for system in ("extractive", "lead-1")
    ]
    assert list(report["results"][4]["metrics"]) == ["rouge1", "rouge2", "rougeL"]
    records = read_records(tmp_path / "run")
    doc, record = documents[0], records[0]
    expected = summarizer.summarize(doc.text, languages=["kk", "en", "uz"], sentences=1)
    assert record["summaries"]["kk"]["text"] == expected.summaries["kk"].text
    lead1 = ROUGE("L").corpus_score([record["lead1"]["kk"]], [doc.summaries["kk"]]).score
    assert report["documents"][0]["scores"]["summary/lead-1/kk"]["rougeL"] == lead1
    assert report["summarizer"] == {"strategy": "extractive", "sentences": 1, "model": None}


def test_a_dataset_without_references_is_translated_but_not_scored(tmp_path):
    report = evaluate(tmp_path / "run", dataset=SEED_SET, limit=None, summaries=True)
    assert [(r["task"], r["system"], r["language"]) for r in report["results"]] == [
        ("summary", "extractive", "kk"),
        ("summary", "lead-1", "kk"),
    ]
    notes = " ".join(report["notes"])
    assert "en: the dataset has no reference translations" in notes
    assert "uz: the dataset has no reference summaries" in notes
    record = read_records(tmp_path / "run")[0]
    assert record["sentence"] == {}  # nothing to score against: not translated line by line
    assert set(record["document"]) == {"en", "uz"}


def test_uzbek_in_cyrillic_is_scored_only_against_cyrillic_references(tmp_path):
    report = evaluate(tmp_path / "run", targets=["en", "uz-Cyrl"], limit=1)
    scored = {(row["task"], row["language"]) for row in report["results"]}
    assert ("translation", "en") in scored
    assert not any(language == "uz-Cyrl" for task, language in scored if task == "translation")
    assert (
        "uz-Cyrl: the dataset has no reference translations (only Cyrl-script uz-Cyrl references"
        " count); translation not scored." in report["notes"]
    )
