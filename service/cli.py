"""The ``audarma`` command.

Each sub-command lives in :mod:`service.commands`; this module only dispatches and turns
user errors into one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import AudarmaError

#: Sub-command modules in :mod:`service.commands`, in the order ``--help`` lists them.
COMMANDS = [
    "segment",
    "detect",
    "transliterate",
    "translate",
    "summarize",
    "score",
    "eval",
    "results",
    "ui",
    "keys",
    "convert",
    "bench",
]

EXIT_INTERNAL_ERROR = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="audarma",
        description="Translate Kazakh news articles into English and Uzbek, summarise and score.",
    )
    parser.add_argument("--version", action="version", version=f"audarma {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"service.commands.{name}").register(sub)
    return parser


def _quiet_libraries() -> None:
    """Keep library chatter (hub retries, load warnings) out of the one-line error contract."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_VERBOSITY", "error")
    for name in ("huggingface_hub", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)


class _StderrLog(logging.Handler):
    """Audarma's own log warnings (a cache moved aside, a temporary folder used) as
    ``audarma: warning: ...`` lines on the standard error of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        level = "warning" if record.levelno < logging.ERROR else "error"
        text = f"audarma: {level}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        print(text, file=sys.stderr)


def _show_warnings() -> None:
    logger = logging.getLogger("service")
    if not any(isinstance(handler, _StderrLog) for handler in logger.handlers):
        logger.addHandler(_StderrLog(logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _show_warnings()
    if not os.environ.get("AUDARMA_DEBUG"):
        _quiet_libraries()
    try:
        return int(args.func(args) or 0)
    except AudarmaError as exc:
        print(f"audarma: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("audarma: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: still one line unless asked for more
        if os.environ.get("AUDARMA_DEBUG"):
            raise
        print(
            f"audarma: internal error: {type(exc).__name__}: {exc}"
            " (rerun with AUDARMA_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
