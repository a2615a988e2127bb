"""service.jobs.corpus: one reader for .txt folders, JSONL and Parquet corpora."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from service.errors import AudarmaError, InputError
from service.jobs.batch import corpus_groups
from service.jobs.corpus import check_unique, is_batch, iter_batch

ARTICLES = [("a-1", "Бірінші мақала.\nЕкінші абзац."), ("b-2", "Екінші мақала."), ("c-3", "Үш.")]


def readable(path) -> list[tuple[str, str]]:
    items = list(iter_batch(path))
    assert all(isinstance(text, str) for _, text in items)
    return items


def test_the_three_formats_give_the_same_items_in_the_same_order(tmp_path):
    folder = tmp_path / "txt"
    folder.mkdir()
    for item_id, text in ARTICLES:
        (folder / f"{item_id}.txt").write_text(text, encoding="utf-8")
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in ARTICLES),
        encoding="utf-8",
    )
    parquet = tmp_path / "corpus.parquet"
    pq.write_table(
        pa.table({"id": [i for i, _ in ARTICLES], "text": [t for _, t in ARTICLES]}), parquet
    )
    assert readable(folder) == readable(jsonl) == readable(parquet) == ARTICLES
    assert all(is_batch(str(p)) for p in (folder, jsonl, parquet))
    assert not is_batch(str(tmp_path / "article.txt"))


def test_a_parquet_folder_is_read_in_path_order_with_sub_folders_and_integer_ids(tmp_path):
    folder = tmp_path / "dataset"
    (folder / "year=2024").mkdir(parents=True)
    (folder / "year=2025").mkdir()
    pq.write_table(
        pa.table({"id": [3, 4], "text": ["Үш.", "Төрт."]}), folder / "year=2025" / "part-0.parquet"
    )
    pq.write_table(
        pa.table({"text": ["Бір.", "Екі."], "id": [1, 2], "extra": [0.5, 1.5]}),
        folder / "year=2024" / "part-0.parquet",
    )
    assert readable(folder) == [("1", "Бір."), ("2", "Екі."), ("3", "Үш."), ("4", "Төрт.")]


def test_parquet_without_ids_numbers_its_rows_and_a_null_text_fails_alone(tmp_path):
    path = tmp_path / "corpus.parquet"
    pq.write_table(pa.table({"text": ["Бір.", None, "Үш."]}), path)
    items = list(iter_batch(path))
    assert [item_id for item_id, _ in items] == ["row-1", "row-2", "row-3"]
    assert items[0][1] == "Бір." and items[2][1] == "Үш."
    assert isinstance(items[1][1], InputError)
    assert str(items[1][1]) == f'{path}: row 2 has no "text" string'


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: pq.write_table(pa.table({"body": ["x"]}), p),
            'has no "text" column (columns: body)',
        ),
        (lambda p: p.write_bytes(b"not parquet at all"), "is not a readable Parquet file"),
    ],
)
def test_an_unusable_parquet_file_is_one_line(tmp_path, make, message):
    path = tmp_path / "corpus.parquet"
    make(path)
    with pytest.raises(InputError) as err:
        list(iter_batch(path))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_folder_without_articles_and_a_missing_parquet_file(tmp_path):
    with pytest.raises(InputError, match=r"has no \.txt or \.parquet files"):
        iter_batch(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        iter_batch(tmp_path / "none.parquet")


def test_repeated_ids_are_refused_naming_both_items():
    assert check_unique(["a", "b"], "c.jsonl") == ["a", "b"]
    with pytest.raises(InputError) as err:
        check_unique(["a", "b", "c", "b"], "c.jsonl")
    assert str(err.value) == (
        "c.jsonl: id 'b' occurs twice (items 2 and 4); every article needs its own id"
    )


def test_groups_are_consecutive_unfinished_items_in_input_order():
    items = [(str(i), f"text {i}") for i in range(7)]
    groups = list(corpus_groups(items, done={"1", "4"}, size=2))
    assert [[i for i, _ in g] for g in groups] == [["0", "2"], ["3", "5"], ["6"]]
    assert [[i for i, _ in g] for g in corpus_groups(items, set(), 0)] == [
        [str(i)] for i in range(7)
    ]


def test_the_cli_translates_a_parquet_corpus_and_refuses_repeated_ids(cli, fake_engine, tmp_path):
    path = tmp_path / "corpus.parquet"
    pq.write_table(pa.table({"id": ["x", "y"], "text": ["Бір.", "Екі."]}), path)
    code, out, _ = cli("translate", path, "--to", "en")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["translations"]["en"]["text"]) for r in records] == [
        ("x", "en: Bir."),
        ("y", "en: Eki."),
    ]
    pq.write_table(pa.table({"id": ["x", "x"], "text": ["Бір.", "Екі."]}), path)
    code, out, err = cli("translate", path, "--to", "en", "--out", tmp_path / "out.jsonl")
    assert code == 2 and out == "" and fake_engine.sentences_seen == ["Бір.", "Екі."]
    assert err == (
        f"audarma: error: {path}: id 'x' occurs twice (items 1 and 2);"
        " every article needs its own id\n"
    )


def test_a_missing_text_still_fails_alone_in_jsonl(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "text": "Бір."}\n{"id": "b"}\n', encoding="utf-8")
    items = list(iter_batch(path))
    assert items[0] == ("a", "Бір.") and items[1][0] == "line-2"
    assert isinstance(items[1][1], AudarmaError)
