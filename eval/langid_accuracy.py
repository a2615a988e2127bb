"""Language identification accuracy on the NTREX-128 dev folder, per language, document and line.

The folder holds the same 988 lines (62 documents) in Kazakh, Russian, Kyrgyz, Tatar, Bashkir,
Uzbek and English; Kazakh is also tried in the 2021 and 2018 Latin alphabets, and with every
4th line replaced by its Russian version (a Kazakh article quoting Russian).

    python eval/langid_accuracy.py [--data eval/data/ntrex128-dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.evaluation.langid_eval import report  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "ntrex128-dev"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="NTREX-128 dev folder")
    args = parser.parse_args(argv)
    report(args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
