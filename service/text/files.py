"""Reading text that users give: bytes to ``str`` with one-line errors, line-aligned files.

Every interface (CLI files and standard input, uploads on the page, evaluation sets, batch
folders) reads through these functions, so an undecodable file is refused with the same
message wherever it comes from.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode UTF-8 (a BOM is allowed) or fail with one clear line naming ``origin``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{origin} is not UTF-8 text (undecodable byte at offset {exc.start})"
        ) from None


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
