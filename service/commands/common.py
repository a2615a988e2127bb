"""Argument and I/O plumbing shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import InputError
from ..settings import Settings, load_settings
from ..text.files import decode_bytes, read_file


def read_text(path: str | None) -> str:
    """Read a file argument, or standard input when it is missing or ``-``."""
    if path in (None, "-"):
        return decode_bytes(sys.stdin.buffer.read(), "standard input")
    return read_file(path)


def add_io_arguments(
    parser: argparse.ArgumentParser,
    *,
    file_help: str = "input file",
    formats: tuple[str, ...] = ("text", "json"),
) -> None:
    """FILE (or stdin), ``--format`` and ``--out`` — the same on every command."""
    parser.add_argument("file", nargs="?", help=f"{file_help} (default: standard input)")
    add_output_arguments(parser, formats)


def add_output_arguments(
    parser: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json")
) -> None:
    parser.add_argument("--format", choices=formats, default="text")
    parser.add_argument("--out", help="write here instead of standard output")


class Output:
    """Where a command's results go: ``--out`` or standard output, written as produced."""

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._handle = None

    def __enter__(self) -> Output:
        if self._path:
            try:
                self._handle = open(self._path, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise InputError(f"cannot write {self._path}: {exc.strerror}") from None
        return self

    def write(self, text: str) -> None:
        stream = self._handle or sys.stdout
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()

    def write_json(self, data: Any, *, indent: int | None = 2) -> None:
        self.write(json.dumps(data, ensure_ascii=False, indent=indent))

    def __exit__(self, *exc_info: object) -> None:
        if self._handle:
            self._handle.close()


def settings_from_args(args: argparse.Namespace, **names: str) -> Settings:
    """Settings with the flags in ``names`` (setting name -> argparse dest) laid on top."""
    return load_settings({setting: getattr(args, dest, None) for setting, dest in names.items()})
