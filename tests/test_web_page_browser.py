"""The page in real Chromium (Debian's ``chromium``, driven by Playwright's Python package).

Translates the seed article on the tiny model and checks what a reader sees: both outputs,
the sentence-aligned view with its QA flags, the downloads; switches tabs; triggers an error
and reads the message; and checks that the page asked nothing of any host but the server.
Screenshots go to the test's temporary folder, or to ``AUDARMA_TEST_ARTIFACTS`` when set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from service.text import paragraph_sentences, parse_article
from service.web import create_app
from tests.data import seed_text
from tests.fakes import FakeEngine
from tests.webhelpers import GatedEngine, fake_translator, make_settings, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
#: Root needs --no-sandbox; the rest keep Chromium from calling Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt install chromium)"
    ),
]

SEED = seed_text()
PARAGRAPHS = paragraph_sentences(parse_article(SEED))
SENTENCES = sum(len(p) for p in PARAGRAPHS)


@pytest.fixture(scope="module")
def base_url(tiny_nllb_dir: Path) -> Iterator[str]:
    # Greedy decoding keeps the random-weight model quick; the page is what is under test.
    settings = make_settings(model=str(tiny_nllb_dir), device="cpu", beam=1)
    with serve_in_thread(create_app(settings)) as url:
        yield url


class SecondBatchGate(GatedEngine):
    """Translates the first batch at once and holds the next until the test opens the gate."""

    def translate_batch(self, sentences, src, tgt, options):
        if self.calls:
            return super().translate_batch(sentences, src, tgt, options)
        return FakeEngine.translate_batch(self, sentences, src, tgt, options)


@pytest.fixture
def gated() -> Iterator[tuple[str, SecondBatchGate]]:
    engine = SecondBatchGate()
    # Batches of one sentence count: English and Uzbek go together, so the seed article into
    # both makes exactly two batches, and the first is half of the work.
    translator = fake_translator(make_settings(max_batch_size=SENTENCES), engine=engine)
    try:
        with serve_in_thread(create_app(translator=translator)) as url:
            yield url, engine
    finally:
        engine.gate.set()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url: str) -> Iterator:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.requested = []  # every URL the page asked for
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.goto(base_url)
    tab.locator("#aud-article textarea").wait_for()
    yield tab
    context.close()


def screenshot(page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")
    return path


def test_translate_the_seed_article(page, artifacts_dir: Path) -> None:
    page.get_by_text("Seed article").first.wait_for()
    page.locator("#aud-article textarea").fill(SEED)
    page.locator("#aud-translate").click()

    rows = page.locator("#aud-aligned tr.aud-sentence")
    rows.nth(SENTENCES - 1).wait_for()
    assert rows.count() == SENTENCES
    page.get_by_text(f"Translated {SENTENCES} sentences into English, Uzbek").wait_for()
    english = page.locator("#aud-en textarea").input_value()
    uzbek = page.locator("#aud-uz textarea").input_value()
    assert english.strip() and uzbek.strip() and english != uzbek

    # Side by side: the two outputs share a row.
    en_box = page.locator("#aud-en").bounding_box()
    uz_box = page.locator("#aud-uz").bounding_box()
    assert abs(en_box["y"] - uz_box["y"]) < 5 and uz_box["x"] > en_box["x"] + en_box["width"] / 2

    # Aligned view: each Kazakh sentence next to both translations.
    first_cells = rows.first.locator("td")
    assert first_cells.count() == 3
    assert first_cells.nth(0).inner_text() == PARAGRAPHS[0][0]  # the headline, date removed
    headers = page.locator("#aud-aligned th").all_inner_texts()
    assert headers == ["Kazakh", "English", "Uzbek"]

    # QA flags are visibly marked (the random model drops the seed's numbers, at the least).
    badges = page.locator("#aud-aligned .aud-flag")
    assert badges.count() > 0
    assert badges.first.is_visible()
    assert page.locator("#aud-aligned td.aud-flagged").count() > 0
    assert "QA flags" in page.locator("#aud-aligned .aud-legend").inner_text()

    # Downloads: the text and the JSON, the JSON holding exactly what the page shows.
    stem = "audarma-2025-10-17-en-uz"
    page.locator(f'#aud-files a[download="{stem}.txt"]').wait_for()
    with page.expect_download() as download:
        page.locator(f'#aud-files a[download="{stem}.json"]').click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["translations"]["en"]["text"] == english
    assert data["translations"]["uz"]["text"] == uzbek
    flags = sum(
        len(p["flags"]) for t in data["translations"].values() for q in t["paragraphs"] for p in q
    )
    assert badges.count() == flags
    screenshot(page, artifacts_dir / "page-translate.png")


def test_progress_shows_and_page_stays_responsive(browser, gated) -> None:
    url, engine = gated
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(url)
        tab.locator("#aud-article textarea").fill(SEED)
        tab.locator("#aud-translate").click()
        assert engine.entered.wait(30)  # the first batch done, the second held: half way
        tab.get_by_text("Translating - 50.0%").first.wait_for()
        tab.get_by_text(f"{SENTENCES}/{2 * SENTENCES} sentences").first.wait_for()
        # Paragraphs finished in the first batch are shown already, the rest as "…".
        english = tab.locator("#aud-en textarea")
        tab.wait_for_function(
            "el => el.value.includes('en: ') && el.value.includes('…')",
            arg=english.element_handle(),
        )
        assert "Translating: " in tab.locator("#aud-status").inner_text()
        # While it works, the page still answers: switch tabs and back.
        tab.get_by_role("tab", name="Evaluate").click()
        tab.locator("#aud-score").wait_for(state="visible")
        tab.get_by_role("tab", name="Translate").click()
        engine.gate.set()
        tab.locator("#aud-aligned tr.aud-sentence").nth(SENTENCES - 1).wait_for()
        assert tab.locator("#aud-uz textarea").input_value().startswith("uz: ")
    finally:
        context.close()


def test_seed_example_fills_the_article(page) -> None:
    """The example puts the whole seed article, unchanged, in the box and picks both targets;
    it translates nothing by itself."""
    targets = page.locator("#aud-targets")
    targets.get_by_label("English", exact=True).check()
    assert not targets.get_by_label("English and Uzbek", exact=True).is_checked()
    page.get_by_text("Seed article").first.wait_for()
    page.get_by_text(SEED[:30], exact=False).first.click()
    page.wait_for_function(
        "n => document.querySelector('#aud-article textarea').value.length === n", arg=len(SEED)
    )
    assert page.locator("#aud-article textarea").input_value() == SEED
    assert targets.get_by_label("English and Uzbek", exact=True).is_checked()
    assert page.locator("#aud-en textarea").input_value() == ""
    assert page.locator("#aud-aligned tr.aud-sentence").count() == 0


def test_the_detected_language_follows_the_article(page) -> None:
    detected = page.locator("#aud-detected")
    page.locator("#aud-article textarea").fill(SEED)
    detected.get_by_text("Kazakh").wait_for()
    assert detected.inner_text().startswith("Detected: Kazakh (kk), Cyrillic script")
    page.locator("#aud-article textarea").fill(
        "Кыргыз Республикасынын Президенти бүгүн Бишкекте өкмөттүн жыйынында сүйлөдү."
    )
    detected.get_by_text("Kyrgyz").wait_for()
    assert "Audarma translates Kazakh (kk) and Russian (ru)." in detected.inner_text()


def test_error_is_a_readable_message(page, artifacts_dir: Path) -> None:
    page.locator("#aud-article textarea").fill("   ")
    page.locator("#aud-translate").click()
    message = page.get_by_text("the article is empty")
    message.wait_for()
    assert message.is_visible()
    assert "Traceback" not in page.content()
    # Let the message finish fading in before the screenshot: wait for the (finite) animations
    # of the message and the elements around it, not for a fixed time.
    message.evaluate(
        """el => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.target && a.effect.target.contains(el)
                         && a.effect.getComputedTiming().iterations !== Infinity)
            .map(a => a.finished))"""
    )
    screenshot(page, artifacts_dir / "page-error.png")


def test_another_language_is_named_and_can_be_forced(page, artifacts_dir: Path) -> None:
    """A Kyrgyz article: the detected line names it, Translate refuses it in a visible message
    that says how to force the source, and with the source set to Kazakh it translates (into
    Uzbek in Cyrillic here)."""
    from tests.test_text_document import ntrex_document

    page.locator("#aud-article textarea").fill(ntrex_document("kir", 1))
    page.locator("#aud-detected").get_by_text("Kyrgyz").wait_for()
    page.locator("#aud-translate").click()
    message = page.get_by_text('say so with the "Article language" choice')
    message.wait_for()
    assert "the text looks like Kyrgyz (ky" in message.inner_text()
    screenshot(page, artifacts_dir / "page-kyrgyz.png")
    page.locator("#aud-source").get_by_label("Kazakh", exact=True).check()
    page.locator("#aud-targets").get_by_label("Uzbek in Cyrillic", exact=True).check()
    page.locator("#aud-translate").click()
    page.locator("#aud-status").get_by_text("sentences into Uzbek in Cyrillic").wait_for()
    assert page.locator("#aud-aligned th").all_inner_texts() == ["Kazakh", "Uzbek in Cyrillic"]
    assert page.locator("#aud-en textarea").input_value() == ""
    screenshot(page, artifacts_dir / "page-kyrgyz-forced.png")


def test_tabs_summarize_and_evaluate(page, artifacts_dir: Path) -> None:
    page.get_by_role("tab", name="Summarize").click()
    page.locator("#aud-summarize").wait_for(state="visible")
    assert not page.locator("#aud-translate").is_visible()
    page.locator("#aud-summary-article textarea").fill(SEED)
    page.locator("#aud-summarize").click()
    summaries = page.locator("#aud-summaries .aud-summary")
    summaries.nth(2).wait_for()
    assert [summaries.nth(i).get_attribute("data-lang") for i in range(3)] == ["kk", "en", "uz"]

    page.get_by_role("tab", name="Evaluate").click()
    page.locator("#aud-score").wait_for(state="visible")
    hypotheses = "the forum was held in Tashkent today\ndoctors gave advice to many people"
    page.get_by_label("Hypotheses (one segment per line)").fill(hypotheses)
    page.get_by_label("Reference (one segment per line)").fill(hypotheses)
    page.locator("#aud-score").click()
    bleu = page.locator('#aud-scores tr[data-metric="bleu"]')
    bleu.wait_for()
    assert bleu.locator("td").nth(1).inner_text() == "100.00"
    assert "nrefs:1" in bleu.inner_text()
    screenshot(page, artifacts_dir / "page-evaluate.png")

    page.get_by_role("tab", name="Translate").click()
    page.locator("#aud-translate").wait_for(state="visible")


def test_page_calls_no_outside_host(page, base_url: str) -> None:
    page.wait_for_load_state("networkidle")
    server = urlparse(base_url).netloc
    outside = [
        url
        for url in page.requested
        if urlparse(url).scheme not in ("data", "blob") and urlparse(url).netloc != server
    ]
    assert page.requested and outside == []


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    """The page on the fake engine, with a low token limit so sentences get split."""
    translator = fake_translator(make_settings(max_sentence_tokens=20))
    with serve_in_thread(create_app(translator=translator)) as url:
        yield url


def test_article_markup_is_shown_as_text(browser, fake_url: str, artifacts_dir: Path) -> None:
    """Issue #12, item 4: markup quoted from the article makes no request and no link."""
    from tests.test_web_page import PAYLOADS, long_payload_article

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        requested: list[str] = []
        tab.on("request", lambda request: requested.append(request.url))
        tab.goto(fake_url)
        tab.locator("#aud-article textarea").fill(long_payload_article())
        tab.get_by_label("English", exact=True).check()
        tab.locator("#aud-translate").click()
        tab.get_by_text("was split").first.wait_for()
        tab.wait_for_load_state("networkidle")
        status = tab.locator("#aud-status")
        assert status.locator("img, a").count() == 0
        text = status.inner_text()
        for payload in PAYLOADS:
            assert payload[:40] in text
        assert [url for url in requested if "outside.invalid" in url] == []
        screenshot(tab, artifacts_dir / "page-markup-as-text.png")
    finally:
        context.close()
