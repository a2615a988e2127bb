"""The batch evaluation script: the same as ``audarma eval`` (all its options, same exit codes).

python eval/run_eval.py --dataset eval/data/ntrex128-dev --to en,uz --limit 5 --out runs/dev
python eval/run_eval.py --compare runs/a runs/b
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import service  # noqa: F401  (installed, or run from the repository)
except ImportError:  # pragma: no cover - an uninstalled checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["eval", *sys.argv[1:]]))
