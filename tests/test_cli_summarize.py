"""``audarma summarize``: JSON and text output, one-line errors, the strategies end to end."""

import json

import pytest

from service.languages import LANGUAGES
from service.summarizers import prepare
from service.summarizers.extractive import rank
from tests.data import SEED_PATH, seed_text
from tests.fakes import fake_translation

EN = LANGUAGES["en"]


def test_json_shape_on_the_seed_article(cli, fake_engine):
    code, out, err = cli("summarize", SEED_PATH, "--lang", "kk,en", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    top3 = [c.text for c in rank(prepare(seed_text(), 20000))][:3]
    kk = data["summaries"]["kk"]["sentences"]
    assert sorted(kk) == sorted(top3) and len(kk) == 3
    assert data == {
        "strategy": "extractive",
        "summaries": {
            "kk": {"text": " ".join(kk), "sentences": kk, "flags": [], "details": {}},
            "en": {
                "text": " ".join(fake_translation(s, EN) for s in kk),
                "sentences": [fake_translation(s, EN) for s in kk],
                "flags": [],
                "details": {},
            },
        },
        "warnings": [],
    }


def test_text_output_budget_options_and_stdin(cli, fake_engine, tmp_path):
    text = seed_text()
    code, out, err = cli("summarize", "--lang", "kk", "--sentences", "1", stdin=text)
    first = [c.text for c in rank(prepare(text, 20000))][0]
    assert (code, out, err) == (0, first + "\n", "")
    target = tmp_path / "summary.txt"
    code, out, err = cli("summarize", SEED_PATH, "--lang", "en,uz", "--words", "5", "--out", target)
    assert code == 0 and out == ""
    written = target.read_text(encoding="utf-8")
    assert written.startswith("[en]\nen: ") and "\n\n[uz]\nuz: " in written
    assert err.splitlines() == [
        "audarma: flag: en summary: cut",
        "audarma: flag: uz summary: cut",
        "audarma: warning: en: the best sentence alone is over the 5-word budget; it was cut"
        " (flag 'cut')",
        "audarma: warning: uz: the best sentence alone is over the 5-word budget; it was cut"
        " (flag 'cut')",
    ]


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["--strategy", "abstractive"],
            None,
            "unknown summary strategy 'abstractive'; choose one of: extractive, seq2seq, llm",
        ),
        (["--lang", "kk,fr"], None, "unknown language 'fr'"),
        (["--sentences", "0"], None, "a summary needs at least 1 sentence, not 0"),
        (["--words", "-3"], None, "the word budget cannot be negative"),
        (["-"], "", "the article is empty"),
        (["-"], "Бүгін Ташкентте форум өтті.", "the article has 1 sentence besides its headline"),
        (
            ["--strategy", "seq2seq", "--summary-model", "/no/such/t5"],
            None,
            "summary model folder '/no/such/t5' does not exist",
        ),
        (
            ["--strategy", "llm", "--prompts", "/no/such/prompts"],
            None,
            "prompt folder '/no/such/prompts' does not exist",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr(cli, fake_engine, argv, stdin, message):
    file = [] if argv[0] == "-" else [SEED_PATH]
    code, out, err = cli("summarize", *file, *argv, stdin=stdin)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("audarma: error: ") and message in err


def test_seq2seq_and_llm_from_the_command_line(
    cli, tmp_path, tiny_nllb_dir, tiny_t5_dir, tiny_chat_dir
):
    article = tmp_path / "article.txt"
    article.write_text(
        "date 2025-10-17 Ташкентте форум өтті\nБүгін Ташкентте медицина форумы өтті."
        " Форумға екі елдің министрлері қатысты.\nДәрігерлер 3 мыңға жуық адамға кеңес берді.",
        encoding="utf-8",
    )
    common = ["--model", str(tiny_nllb_dir), "--beam", "1", "--no-cache", "--format", "json"]
    for strategy, model in (("seq2seq", tiny_t5_dir), ("llm", tiny_chat_dir)):
        code, out, err = cli(
            "summarize",
            str(article),
            "--strategy",
            strategy,
            "--summary-model",
            str(model),
            "--sentences",
            "2",
            *common,
        )
        assert code == 0, err
        data = json.loads(out)
        assert data["strategy"] == strategy and list(data["summaries"]) == ["kk", "en", "uz"]
        for summary in data["summaries"].values():
            assert len(summary["sentences"]) <= 2
            assert summary["text"] == " ".join(summary["sentences"])
            assert set(summary["details"]) <= set(summary["flags"])
