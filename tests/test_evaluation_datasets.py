"""Evaluation sets: the bundled NTREX folder, JSONL documents, the seed set, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from service.errors import InputError
from service.evaluation.datasets import (
    EvalDocument,
    load_dataset,
    load_jsonl,
    read_lines,
    split_lines,
)
from service.text import parse_article
from tests.data import NTREX, SEED_PATH, SEED_SET, seed_text


@pytest.fixture(scope="module")
def ntrex():
    return load_dataset(NTREX)


def test_ntrex_documents_headlines_and_references(ntrex):
    kaz, us, gb, uzb = (
        read_lines(NTREX / f) for f in ("kaz.txt", "eng-US.txt", "eng-GB.txt", "uzb.txt")
    )
    assert ntrex.format == "ntrex" and ntrex.name == "ntrex128-dev"
    assert len(ntrex.documents) == 62
    assert ntrex.segments == 988 - 62  # every headline became a summary, not a segment
    first = ntrex.documents[0]
    assert first.id == "bbc.381790" and len(first.source) == 15
    assert first.source == kaz[1:16]
    assert first.summaries == {"kk": [kaz[0]], "uz": [uzb[0]], "en": [us[0], gb[0]]}
    assert first.references == {"uz": [uzb[1:16]], "en": [us[1:16], gb[1:16]]}
    assert first.text == "\n".join(kaz[1:16])
    assert not any("\r" in line for doc in ntrex.documents for line in doc.source)
    assert ntrex.languages() == ["en", "uz"]


def test_ntrex_documents_cover_every_line_once(ntrex):
    doc_ids = [line.strip() for line in read_lines(NTREX / "doc_ids.tsv")]
    rebuilt = []
    for doc in ntrex.documents:
        rebuilt += [doc.id] * (len(doc.source) + 1)
    assert rebuilt == doc_ids


def test_split_lines():
    assert split_lines("a\r\nb\n") == ["a", "b"]
    assert split_lines("a\n\nb") == ["a", "", "b"]
    assert split_lines("one\u2028line\x0cstill") == ["one\u2028line\x0cstill"]
    assert split_lines("") == []


def test_fingerprint_and_head(ntrex):
    assert ntrex.fingerprint() == load_dataset(NTREX).fingerprint()
    head = ntrex.head(2)
    assert [d.id for d in head.documents] == [d.id for d in ntrex.documents[:2]]
    assert head.fingerprint() != ntrex.fingerprint()
    assert ntrex.head(None) is ntrex
    with pytest.raises(InputError, match="--limit must be at least 1"):
        ntrex.head(0)


def _ntrex_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "ntrex"
    shutil.copytree(NTREX, folder)
    return folder


def test_ntrex_line_count_mismatch(tmp_path):
    folder = _ntrex_copy(tmp_path)
    lines = (folder / "uzb.txt").read_text(encoding="utf-8").split("\n")
    (folder / "uzb.txt").write_text("\n".join(lines[:-3]), encoding="utf-8")
    with pytest.raises(InputError, match=r"uzb.txt has 986 lines but doc_ids.tsv has 988"):
        load_dataset(folder)


def test_ntrex_documents_must_be_contiguous(tmp_path):
    folder = _ntrex_copy(tmp_path)
    ids = read_lines(folder / "doc_ids.tsv")
    ids[30] = ids[0]
    (folder / "doc_ids.tsv").write_text("\n".join(ids) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="lines of bbc.381790 are not contiguous"):
        load_dataset(folder)


def test_ntrex_undecodable_file(tmp_path):
    folder = _ntrex_copy(tmp_path)
    (folder / "kaz.txt").write_bytes(b"\xff\xfe broken")
    with pytest.raises(InputError, match="kaz.txt is not UTF-8 text"):
        load_dataset(folder)


def test_not_a_dataset(tmp_path):
    with pytest.raises(InputError, match="folder without doc_ids.tsv"):
        load_dataset(tmp_path)
    with pytest.raises(InputError, match="no such dataset"):
        load_dataset(tmp_path / "missing.jsonl")


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_jsonl_documents(tmp_path):
    path = write_jsonl(
        tmp_path / "set.jsonl",
        {
            "id": "a",
            "source": ["Бір.", "Екі."],
            "references": {"en": [["One.", "Two."], ["1.", "2."]], "uzn_Latn": ["Bir.", "Ikki."]},
            "summaries": {"kk": "Тақырып", "English": ["Headline"]},
            "date": "2025-10-17",
        },
        "",
        {"id": 7, "text": "Бірінші абзац.\n\n  Екінші абзац.  \n"},
    )
    dataset = load_jsonl(path)
    assert dataset.format == "jsonl" and dataset.name == "set"
    assert dataset.documents == [
        EvalDocument(
            "a",
            ["Бір.", "Екі."],
            {"en": [["One.", "Two."], ["1.", "2."]], "uz": [["Bir.", "Ikki."]]},
            {"kk": ["Тақырып"], "en": ["Headline"]},
            "2025-10-17",
        ),
        EvalDocument("7", ["Бірінші абзац.", "Екінші абзац."]),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"set.jsonl:1: not a JSON object"),
        ('["a"]', r"set.jsonl:1: expected a JSON object"),
        ('{"source": ["a"]}', r'set.jsonl:1: expected an "id"'),
        ('{"id": "x", "source": []}', r'x: "source" must be a non-empty list'),
        (
            '{"id": "x", "source": ["a", "b"], "references": {"en": [["A"]]}}',
            "x: a en reference has 1 segments but the source has 2",
        ),
        ('{"id": "x", "source": ["a"], "references": {"fr": ["A"]}}', "unknown language 'fr'"),
        ('{"id": "x", "source": ["a"], "summaries": {"en": [""]}}', "summaries for en must be"),
        ('{"id": "x", "source": ["a"], "date": 2025}', '"date" must be a string'),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, line, message):
    path = write_jsonl(tmp_path / "set.jsonl", line)
    with pytest.raises(InputError, match=message):
        load_jsonl(path)


def test_jsonl_duplicate_ids_and_empty_files(tmp_path):
    doc = {"id": "x", "source": ["a"]}
    with pytest.raises(InputError, match=r":2: document id 'x' appears twice"):
        load_jsonl(write_jsonl(tmp_path / "dup.jsonl", doc, doc))
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no documents"):
        load_jsonl(tmp_path / "empty.jsonl")


def test_seed_set_is_the_seed_article_without_invented_references():
    dataset = load_dataset(SEED_SET)
    article = parse_article(seed_text())
    assert len(dataset.documents) == 1
    doc = dataset.documents[0]
    assert doc.id == SEED_PATH.stem
    assert doc.date == article.date == "2025-10-17"
    assert doc.source == article.paragraphs[1:]
    assert doc.summaries == {"kk": [article.paragraphs[0]]}  # the publisher's headline
    assert doc.references == {}


def test_jsonl_unpaired_surrogates_become_replacement_characters(tmp_path):
    """Issue #12, item 1: an evaluation set read from JSONL holds only Unicode scalar values."""
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "d\\ud800", "source": ["\\ud800 Бүгін."], "references": {"en": ["\\udc00 x"]}}\n',
        encoding="utf-8",
    )
    (doc,) = load_jsonl(path).documents
    assert doc.id == "d\ufffd"
    assert doc.source == ["\ufffd Бүгін."]
    assert doc.references["en"] == [["\ufffd x"]]
