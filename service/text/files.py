"""Reading text that users give: bytes to ``str`` with one-line errors, line-aligned files.

Every interface (CLI files and standard input, uploads on the page, evaluation sets, batch
folders) reads through these functions, so an undecodable file is refused with the same
message wherever it comes from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from .article import scalar_text


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or fail with one clear line naming ``origin``.

    Surrogate code points encoded as UTF-8 (CESU-8, WTF-8: what some UTF-16 based tools
    write) are the one tolerated defect: they follow the rule of :func:`scalar_text`
    (replaced with U+FFFD) like a JSON ``\\ud800``, rather than refusing the whole file.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return scalar_text(data.decode("utf-8-sig", "surrogatepass"))
        except UnicodeDecodeError:
            pass
        raise InputError(
            f"{origin} is not UTF-8 text (undecodable byte at offset {exc.start})"
        ) from None


def loads_json(text: str) -> Any:
    """``json.loads`` whose strings (keys included) are Unicode scalar values.

    JSON can escape lone surrogates (``"\\ud800"``); every reader of user JSON (batch
    JSONL, evaluation sets) goes through here so that none reaches a tokenizer or a writer.
    Raises ``ValueError`` like ``json.loads``.
    """
    return _scalar_json(json.loads(text))


def _scalar_json(value: Any) -> Any:
    if isinstance(value, str):
        return scalar_text(value)
    if isinstance(value, list):
        return [_scalar_json(item) for item in value]
    if isinstance(value, dict):
        return {scalar_text(key): _scalar_json(item) for key, item in value.items()}
    return value


def read_file(path: str | Path) -> str:
    """A UTF-8 text file's content, or one line saying why it cannot be read."""
    file = Path(path)
    if file.is_dir():
        raise InputError(f"{path} is a folder; give a text file")
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return decode_bytes(data, str(path))


def split_lines(text: str) -> list[str]:
    """Lines of a line-aligned file: any of LF/CRLF ends; a final line break adds no line.

    Only ``\\n`` separates lines: ``str.splitlines`` also splits at form feeds, U+2028 and
    other characters that can occur inside a segment and would break the alignment.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 file (see :func:`split_lines`), with one-line errors."""
    return split_lines(read_file(path))
