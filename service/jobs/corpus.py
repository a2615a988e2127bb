"""Reading a corpus: a folder of ``.txt`` articles, a JSONL file, or a Parquet file/folder.

Every batch path reads through here (``audarma translate``/``detect`` on one machine, and the
Ray driver), so an article has the same id, text and position wherever it is translated:

- a folder of ``.txt`` files: one article per file, id = file name without ``.txt``, in
  name order;
- a ``.jsonl`` file: one ``{"id": ..., "text": ...}`` object per line (a line without an id
  is ``line-N``);
- a ``.parquet`` file, or a folder of them (read in path order, sub-folders included): the
  ``text`` column, and the ``id`` column when there is one (else ``row-N``). Parquet needs
  pyarrow, which the ``ray`` extra brings.

An item that cannot be read yields its error instead of its text, so one bad article fails
alone. :func:`check_unique` refuses a corpus whose ids repeat: results are kept by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import AudarmaError, ConfigError, InputError
from ..text.files import decode_bytes, loads_json, read_file, split_lines

#: One article of a corpus: its id and its text, or the error that makes it unreadable.
BatchItem = tuple[str, "str | AudarmaError"]

PARQUET_SUFFIX = ".parquet"
#: Rows read from a Parquet file at a time (a corpus need not fit in memory).
_PARQUET_ROWS = 1024


def is_batch(path: str | None) -> bool:
    """Whether ``path`` names a corpus (a folder, a ``.jsonl`` or ``.parquet`` file) rather
    than one article."""
    return bool(path) and (Path(path).is_dir() or str(path).endswith((".jsonl", PARQUET_SUFFIX)))


def iter_batch(path: str | Path) -> Iterator[BatchItem]:
    """(id, text) for each article of a corpus, in order; a bad item yields its error."""
    source = Path(path)
    if source.is_dir():
        texts = sorted(source.glob("*.txt"))
        if texts:
            return _text_files(texts)
        parquet = _parquet_files(source)
        if parquet:
            return _parquet_rows(parquet, str(path))
        raise InputError(f"{path} has no .txt or {PARQUET_SUFFIX} files")
    if str(path).endswith(PARQUET_SUFFIX):
        if not source.is_file():
            raise InputError(f"no such file: {path}")
        return _parquet_rows([source], str(path))
    return _jsonl_lines(path)


def check_unique(ids: Iterable[str], origin: str) -> list[str]:
    """``ids`` as a list, or one line naming the first id that occurs twice (with both items'
    positions): results are kept by id, so a repeated id would silently lose an article."""
    seen: dict[str, int] = {}
    ordered = []
    for number, item_id in enumerate(ids, start=1):
        if item_id in seen:
            raise InputError(
                f"{origin}: id {item_id!r} occurs twice (items {seen[item_id]} and {number});"
                " every article needs its own id"
            )
        seen[item_id] = number
        ordered.append(item_id)
    return ordered


def _text_files(files: list[Path]) -> Iterator[BatchItem]:
    for file in files:
        try:
            yield file.stem, decode_bytes(file.read_bytes(), str(file))
        except AudarmaError as exc:
            yield file.stem, exc


def _jsonl_lines(path: str | Path) -> Iterator[BatchItem]:
    # Only \n ends a line: JSON strings may hold U+2028 and other breaks str.splitlines sees.
    for number, line in enumerate(split_lines(read_file(path)), start=1):
        if not line.strip():
            continue
        try:
            item = loads_json(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError
        except ValueError:
            yield (
                f"line-{number}",
                InputError(f'{path}:{number}: expected a JSON object with a "text" string'),
            )
            continue
        yield str(item.get("id", f"line-{number}")), item["text"]


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.rglob(f"*{PARQUET_SUFFIX}") if p.is_file()),
        key=lambda p: p.relative_to(folder).parts,
    )


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "reading Parquet needs pyarrow: pip install pyarrow (or 'audarma[ray]')"
        ) from None
    return pq


def _parquet_rows(files: list[Path], origin: str) -> Iterator[BatchItem]:
    """The rows of ``files`` in order: their ``text`` and ``id`` columns, streamed."""
    pq = _pyarrow_parquet()
    opened = []
    for file in files:
        try:
            handle = pq.ParquetFile(file)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{file} is not a readable Parquet file ({exc})") from None
        names = set(handle.schema_arrow.names)
        if "text" not in names:
            columns = ", ".join(handle.schema_arrow.names) or "none"
            raise InputError(f'{file} has no "text" column (columns: {columns})')
        opened.append((file, handle, [c for c in ("id", "text") if c in names]))
    return _parquet_items(opened)


def _parquet_items(opened: list) -> Iterator[BatchItem]:
    number = 0
    for file, handle, columns in opened:
        for batch in handle.iter_batches(batch_size=_PARQUET_ROWS, columns=columns):
            ids = batch.column("id").to_pylist() if "id" in columns else None
            for index, text in enumerate(batch.column("text").to_pylist()):
                number += 1
                raw_id = ids[index] if ids is not None else None
                item_id = f"row-{number}" if raw_id is None else str(raw_id)
                if isinstance(text, str):
                    yield item_id, text
                else:
                    yield item_id, InputError(f'{file}: row {number} has no "text" string')
