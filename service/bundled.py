"""Where the data that ships with Audarma lives: the repository checkout or the wheel.

In a checkout the seed article is in ``seeds/`` and the NTREX-128 dev set (real news
translations, CC BY-SA 4.0, attribution in its README) in ``eval/data/ntrex128-dev/``; a
built wheel carries copies of both in ``service/data/`` (``setup.py``). Every caller asks
here, so the page's examples, ``audarma bench`` and the synthetic models find the same files
either way.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parent
#: Files a folder must hold to count as the NTREX dev set.
NTREX_FILES = ("kaz.txt", "uzb.txt", "eng-US.txt")


def _first_existing(candidates: list[Path], required: tuple[str, ...] = ()) -> Path | None:
    for folder in candidates:
        if folder.is_dir() and all((folder / name).is_file() for name in required):
            return folder
    return None


def ntrex_candidates() -> list[Path]:
    """Where the NTREX dev set is looked for, in order."""
    return [
        REPOSITORY / "eval" / "data" / "ntrex128-dev",
        PACKAGE / "data" / "ntrex128-dev",
        REPOSITORY.parent / "shared" / "data" / "ntrex128-dev",
    ]


def ntrex_dir() -> Path | None:
    """The bundled NTREX-128 dev folder, or ``None`` when this install has none."""
    return _first_existing(ntrex_candidates(), NTREX_FILES)


def seed_files() -> list[Path]:
    """The seed article file(s), from the first folder that has any."""
    for folder in (
        REPOSITORY / "seeds",
        PACKAGE / "data" / "seeds",
        REPOSITORY.parent / "shared" / "seeds",
    ):
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if files:
            return files
    return []


def tuning_sentences(count: int = 8) -> list[str]:
    """Real Kazakh news sentences to time the engine's thread layouts on (see
    :mod:`service.engines.autotune`); a plain sentence when no NTREX text is installed."""
    folder = ntrex_dir()
    if folder is None:
        return ["Қазақстан мен Өзбекстан денсаулық сақтау саласындағы ынтымақтастықты тереңдетеді."]
    lines = (folder / "kaz.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()][:count]
