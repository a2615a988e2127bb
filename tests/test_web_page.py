"""The page's functions and HTML, without a browser: exact content on the fake engine."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from service.errors import InputError
from service.evaluation.metrics import Scorer
from service.results import LanguageTranslation, ModelInfo, SentencePair, TranslationResult
from service.summarize import LanguageSummary, Summarizer, SummaryResult
from service.web import create_app
from service.web.files import DownloadDir, dev_set_segments
from service.web.page import (
    detect_view,
    evaluate_view,
    readable_errors,
    summarize_view,
    translate_updates,
    translate_view,
)
from service.web.render import aligned_html, flag_badges, score_table_html, summaries_html
from service.web.services import AppServices
from service.web.workpool import BusyError
from tests.data import seed_text
from tests.webhelpers import fake_translator, make_settings

SEED = seed_text()


@pytest.fixture
def services() -> AppServices:
    return AppServices(translator=fake_translator())


@pytest.fixture
def downloads():
    folder = DownloadDir()
    yield folder
    folder.cleanup()


def test_translate_view_shows_both_outputs_and_files(services, downloads) -> None:
    progress_calls: list[tuple] = []

    def progress(value, desc=None, unit=None) -> None:
        progress_calls.append((value, desc))

    english, uzbek, aligned, files, data, status = translate_view(
        services, downloads, SEED, "en,uz", progress
    )
    expected = fake_translator().translate(SEED, ["en", "uz"])
    assert english == expected.translations["en"].text
    assert uzbek == expected.translations["uz"].text
    assert data == expected.to_dict()
    sentences = sum(len(p) for p in expected.translations["en"].paragraphs)
    assert aligned.count('<tr class="aud-sentence">') == sentences
    assert status.startswith(f"Translated {sentences} sentences into English, Uzbek")
    assert [Path(f).suffix for f in files] == [".txt", ".json"]
    assert json.loads(Path(files[1]).read_text(encoding="utf-8")) == data
    assert expected.translations["uz"].text in Path(files[0]).read_text(encoding="utf-8")
    assert progress_calls and progress_calls[-1][0] == (2 * sentences, 2 * sentences)
    assert all(desc == "Translating" for _, desc in progress_calls)


def test_translate_updates_fill_paragraphs_as_they_finish(downloads) -> None:
    settings = make_settings(max_batch_size=4)
    services = AppServices(translator=fake_translator(settings))
    updates = list(translate_updates(services, downloads, SEED, "en,uz"))
    expected = fake_translator().translate(SEED, ["en", "uz"])
    paragraphs = len(expected.translations["en"].paragraphs)
    *partial, final = updates
    assert len(partial) == 2 * paragraphs  # one update per paragraph and language
    assert final[:3] == translate_view(services, downloads, SEED, "en,uz")[:3]
    assert final[4] == expected.to_dict()
    english_so_far = [update[0] for update in partial]
    assert english_so_far[-1] == expected.translations["en"].text
    first = next(text for text in english_so_far if text)
    assert first != expected.translations["en"].text  # something showed before the end
    assert all(update[2] == "" and update[3] == [] for update in partial)  # no view, no files yet
    assert partial[-1][5] == f"Translating: {2 * paragraphs} paragraph(s) done so far."


def test_translate_updates_refuse_bad_input_before_any_work(services, downloads) -> None:
    with pytest.raises(InputError, match="the article is empty"):
        next(translate_updates(services, downloads, " ", "en"))


def test_translate_view_uzbek_in_cyrillic_and_the_source_choice(services, downloads) -> None:
    from service.errors import LanguageError
    from tests.test_text_document import ntrex_document

    _, uzbek, aligned, _, data, _ = translate_view(services, downloads, "Сәлем.", "en,uz-Cyrl")
    assert uzbek == "уз: Салем." and list(data["translations"]) == ["en", "uz-Cyrl"]
    assert "<th>Uzbek in Cyrillic</th>" in aligned
    kyrgyz = ntrex_document("kir", 1)
    with pytest.raises(LanguageError, match='say so with the "Article language" choice$'):
        translate_view(services, downloads, kyrgyz, "en")
    *_, data, _ = translate_view(services, downloads, kyrgyz, "en", source="kk")
    assert data["source_language"] == "kk"


def test_a_russian_sentence_is_marked_in_the_aligned_view(services, downloads) -> None:
    from service.text.files import read_lines
    from tests.data import NTREX

    russian = read_lines(NTREX / "rus.txt")[10]
    text = "\n".join([*read_lines(NTREX / "kaz.txt")[3:5], russian])
    aligned = translate_view(services, downloads, text, "en")[2]
    assert '<span class="aud-lang" title="translated as Russian">ru</span>' in aligned


def test_translate_view_one_language(services, downloads) -> None:
    english, uzbek, aligned, _, data, _ = translate_view(services, downloads, "Сәлем.", "uz")
    assert english == "" and uzbek == "uz: Salem."
    assert list(data["translations"]) == ["uz"]
    assert "<th>Kazakh</th><th>Uzbek</th></tr>" in aligned


def _result_with_flags() -> TranslationResult:
    pairs = [
        [SentencePair("Тақырып <b>", "Headline <b>", [])],
        [
            SentencePair("Бүгін 5 күн.", "Today.", ["numbers"]),
            SentencePair("Иә.", "Yes yes yes yes.", ["repetition", "length"]),
        ],
    ]
    return TranslationResult(
        "kk", None, ModelInfo("m", "fake"), {"en": LanguageTranslation("en", pairs)}, []
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (SEED, "Detected: **Kazakh** (kk), Cyrillic script, confidence 1.00."),
        (
            "Qazaqstan Respublikasynyñ Prezidentı büngın Astanada söz söiledı.",
            "Detected: **Kazakh** (kk), Latin script, confidence 1.00.",
        ),
        (
            "Кыргыз Республикасынын Президенти бүгүн Бишкекте өкмөттүн жыйынында сүйлөдү.",
            "\u26a0 Detected: **Kyrgyz** (ky), Cyrillic script, confidence 1.00. Audarma"
            " translates Kazakh (kk) and Russian (ru).",
        ),
        ("Ок", "Detected: language not identified, Cyrillic script."),
        ("", ""),
        ("  12:30 ", ""),
        ("а" * 20001, ""),  # over the limit: the Translate button says so
    ],
)
def test_detect_view(services, text: str, line: str) -> None:
    assert detect_view(services, text) == line


def test_aligned_view_marks_flags_and_escapes() -> None:
    html = aligned_html(_result_with_flags())
    assert "Тақырып &lt;b&gt;" in html and "<b>" not in html.split("aud-legend")[0]
    assert html.count('class="aud-flagged"') == 2
    assert re.findall(r'data-flag="(\w+)"', html) == ["numbers", "repetition", "length"]
    assert "Headline" in html and "Paragraph 2" in html
    assert "a number in the source is missing" in html  # the legend explains what is used
    assert "truncated" not in html  # ... and only that


def test_flag_badges_are_visible_text() -> None:
    assert "\u26a0 numbers" in flag_badges(["numbers"])
    assert flag_badges([]) == ""


def test_readable_errors() -> None:
    @readable_errors
    def user_error() -> None:
        raise InputError("the text is empty; paste a Kazakh article")

    @readable_errors
    def bug() -> None:
        raise KeyError("internal detail")

    @readable_errors
    def busy() -> None:
        raise BusyError("busy, retry later")

    with pytest.raises(gr.Error) as excinfo:
        user_error()
    assert excinfo.value.message == "the text is empty; paste a Kazakh article"
    with pytest.raises(gr.Error) as excinfo:
        bug()
    assert "KeyError" in excinfo.value.message and "internal detail" not in excinfo.value.message
    with pytest.raises(gr.Error) as excinfo:
        busy()
    assert "busy" in excinfo.value.message


def test_page_refuses_what_the_api_refuses(services, downloads) -> None:
    with pytest.raises(InputError, match="empty"):
        translate_view(services, downloads, "  ", "en,uz")
    with pytest.raises(InputError, match="limit is 20000"):
        translate_view(services, downloads, "а" * 20001, "en")


def test_summarize_view(services) -> None:
    html, data = summarize_view(services, SEED, "extractive", ["kk", "en"], 2)
    expected = Summarizer(translator=fake_translator(), strategy="extractive").summarize(
        SEED, languages=["kk", "en"], sentences=2
    )
    assert data == expected.to_dict()
    for code, summary in data["summaries"].items():
        assert f'data-lang="{code}"' in html
        assert "".join(f"<li>{escape(s)}</li>" for s in summary["sentences"]) in html
    with pytest.raises(InputError, match="at least one language"):
        summarize_view(services, SEED, "extractive", [], 2)


def test_summary_flags_and_their_reasons_are_shown() -> None:
    result = SummaryResult(
        "extractive",
        {
            "en": LanguageSummary(
                "en",
                ["About 400 doctors came."],
                ["unsupported_number", "cut"],
                {"unsupported_number": ["400"]},
            ),
            "uz": LanguageSummary("uz", ["Shifokorlar keldi."], []),
        },
        ["a warning <here>"],
    )
    html = summaries_html(result)
    assert re.findall(r'data-flag="(\w+)"', html) == ["unsupported_number", "cut"]
    assert "unsupported_number: 400" in html
    assert "the summary has a number the article does not" in html
    assert "a warning &lt;here&gt;" in html


def test_evaluate_view_pasted(services) -> None:
    hyps = "The forum took place.\nDoctors helped.\n"
    refs = "The forum was held.\nDoctors helped people.\n"
    html, report = evaluate_view(services, hyps, None, refs, None, False, 20, "en", ["bleu", "ter"])
    expected = Scorer("en", ["bleu", "ter"]).score(hyps.splitlines(), [refs.splitlines()])
    assert report == expected.to_dict()
    assert 'data-metric="bleu"' in html and 'data-metric="ter"' in html
    assert report["metrics"]["bleu"]["signature"] in html


def test_evaluate_view_uploaded_files(services, tmp_path) -> None:
    hyp = tmp_path / "hyp.txt"
    lines = "the forum took place in Tashkent today\ndoctors gave advice to many people\n"
    hyp.write_text(lines, encoding="utf-8")
    ref1 = tmp_path / "r1.txt"
    ref1.write_text(lines.replace("\n", "\r\n"), encoding="utf-8")  # CRLF is the same text
    ref2 = tmp_path / "r2.txt"
    ref2.write_text("x\ny\n", encoding="utf-8")
    _, report = evaluate_view(
        services, "", str(hyp), "", [str(ref1), str(ref2)], False, 1, "en", ["bleu"]
    )
    assert report["metrics"]["bleu"]["signature"].startswith("nrefs:2|")
    assert report["metrics"]["bleu"]["score"] == pytest.approx(100.0)


def test_evaluate_view_dev_set_translates_with_the_model(services) -> None:
    _, report = evaluate_view(services, "", None, "", None, True, 3, "en", ["bleu", "chrf++"])
    sources, refs = dev_set_segments("en", 3)
    hyps = [pair.target for pair in fake_translator().translate_sentences(sources, "en")]
    assert report == Scorer("en", ["bleu", "chrf++"]).score(hyps, refs).to_dict()
    assert report["metrics"]["bleu"]["signature"].startswith("nrefs:2|")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hypotheses_text": "", "reference_text": "x"}, "paste or upload the hypotheses"),
        ({"hypotheses_text": "a\nb", "reference_text": "a"}, "line-aligned"),
        ({"hypotheses_text": "a", "reference_text": "a", "metrics": []}, "at least one metric"),
        ({"hypotheses_text": "a", "reference_text": "a", "language": "de"}, "unknown language"),
        ({"hypotheses_text": "", "use_dev_set": True, "language": "kk"}, "no references in 'kk'"),
        ({"hypotheses_text": "", "use_dev_set": True, "dev_lines": 0}, "between 1 and"),
    ],
)
def test_evaluate_view_errors(services, kwargs: dict, message: str) -> None:
    arguments = {
        "hypotheses_text": "",
        "hypotheses_file": None,
        "reference_text": "",
        "reference_files": None,
        "use_dev_set": False,
        "dev_lines": 5,
        "language": "en",
        "metrics": ["bleu"],
        **kwargs,
    }
    with pytest.raises(Exception, match=message) as excinfo:
        evaluate_view(services, **arguments)
    assert hasattr(excinfo.value, "status_code")  # a user error, not a crash


def test_score_table() -> None:
    report = {
        "segments": 3,
        "language": "uz",
        "normalized": True,
        "metrics": {"bleu": {"score": 12.345, "signature": "nrefs:1|x", "ci95": [10.0, 14.5]}},
    }
    html = score_table_html(report)
    assert "<td>12.35</td><td>10.00 – 14.50</td>" in html
    assert "3 segments, language uz, normalized" in html


def test_download_dir_prunes_old_files(downloads) -> None:
    first = downloads.write("a", "text", {"x": 1})
    downloads.max_age_s = -1  # everything is now "old"
    downloads.write("b", "text", {"x": 2})
    assert not any(Path(f).exists() for f in first)


def test_page_api_names_and_offline_config() -> None:
    with TestClient(create_app(translator=fake_translator())) as client:
        info = client.get("/gradio_api/info").json()
        config = client.get("/config").json()
    assert {"/translate", "/summarize", "/evaluate", "/detect"} <= set(info["named_endpoints"])
    translate = info["named_endpoints"]["/translate"]
    assert [p["parameter_name"] for p in translate["parameters"]] == ["text", "targets", "source"]
    assert config["analytics_enabled"] is False
    labels = [c["props"].get("label") for c in config["components"] if "props" in c]
    assert {"Kazakh article", "English", "Uzbek"} <= set(labels)
    tabs = [c["props"].get("label") for c in config["components"] if c.get("type") == "tabitem"]
    assert tabs == ["Translate", "Summarize", "Evaluate"]


def test_translate_view_replaces_unpaired_surrogates(services, downloads) -> None:
    """Issue #12, item 1, on the page: a translation with a visible warning, not an error."""
    english, _, aligned, files, data, status = translate_view(
        services, downloads, "\ud800 Бүгін.", "en"
    )
    assert english == "en: \ufffd Bugin."
    assert "U+FFFD" in status
    assert json.loads(Path(files[1]).read_text(encoding="utf-8")) == data


# ---------------------------------------------------------------------- user text is text (#12)
PAYLOADS = [
    '<img src="http://outside.invalid/i.png">',
    "![](http://outside.invalid/m.png)",
    "[Click here to re-login](http://outside.invalid/login)",
]


def long_payload_article() -> str:
    """Three sentences over the token limit, each opening with markup (quoted when split)."""
    words = " ".join(["сөз"] * 40)
    return "\n".join(f"{payload} {words}." for payload in PAYLOADS)


def test_user_text_in_the_status_line_is_text(downloads) -> None:
    """Item 4: the split warnings quote the article; the status shows it, never renders it."""
    services = AppServices(translator=fake_translator(make_settings(max_sentence_tokens=20)))
    *_, status = translate_view(services, downloads, long_payload_article(), "en")
    assert status.count("was split") == 3
    for payload in PAYLOADS:
        assert escape(payload[:40]) in status
    assert "<img" not in status and "<a " not in status
    assert re.fullmatch(r"[^<>]*(<br>[^<>]*)*", status)  # no tag but the line breaks


def test_error_messages_are_shown_as_text() -> None:
    @readable_errors
    def user_error() -> None:
        raise InputError("unknown language '<img src=\"http://outside.invalid/x\">'")

    with pytest.raises(gr.Error) as excinfo:
        user_error()
    assert excinfo.value.message == (
        "unknown language '&lt;img src=\"http://outside.invalid/x\"&gt;'"
    )
