"""Round trips through the Kazakh and Uzbek script converters on the NTREX-128 dev lines.

Kazakh: Cyrillic -> Latin (2021, then 2018) -> Cyrillic, with a table of the letters the
Latin alphabet merges and how often each did not come back; and Latin -> Cyrillic -> Latin,
which must be exact. Uzbek: Latin -> Cyrillic -> Latin (apostrophe look-alikes folded).

    python eval/transliteration_roundtrip.py [--data eval/data/ntrex128-dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.evaluation.langid_eval import ntrex_lines  # noqa: E402
from service.evaluation.roundtrip import (  # noqa: E402
    kazakh_latin_round_trip_exact,
    kazakh_round_trip,
    merge_table,
    uzbek_round_trip,
)
from service.text.uzbek import fold_uzbek_apostrophes  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "ntrex128-dev"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="NTREX-128 dev folder")
    args = parser.parse_args(argv)
    kazakh = ntrex_lines(args.data, "kaz")
    for variant in ("2021", "2018"):
        stats = kazakh_round_trip(kazakh, variant)
        cyrillic_words = stats.words - stats.latin_words
        print(
            f"Kazakh Cyrillic -> {variant} Latin -> Cyrillic: {stats.identical_lines}/"
            f"{stats.lines} lines identical, {stats.identical_words}/{stats.words} words;"
            f" {stats.cyrillic_words_changed}/{cyrillic_words} Cyrillic words changed,"
            f" {stats.latin_words_changed}/{stats.latin_words} Latin-script words (CNN, The"
            f" Times) turned Cyrillic; {len(stats.unexplained)} changes outside the merges"
        )
        for before, after in stats.unexplained[:10]:
            print(f"    {before} -> {after}")
        exact = kazakh_latin_round_trip_exact(kazakh, variant)
        print(f"Kazakh {variant} Latin -> Cyrillic -> Latin: {exact}/{len(kazakh)} lines exact\n")
        if variant == "2021":
            print("\n".join(merge_table(stats)) + "\n")
    uzbek = ntrex_lines(args.data, "uzb")
    exact, caseless, rest = uzbek_round_trip(uzbek)
    print(
        f"Uzbek Latin -> Cyrillic -> Latin: {exact}/{len(uzbek)} lines identical,"
        f" {caseless}/{len(uzbek)} ignoring case; the rest:"
    )
    for before, after in rest:
        pairs = zip(before.split(), after.split(), strict=False)
        words = [(a, b) for a, b in pairs if fold_uzbek_apostrophes(a) != fold_uzbek_apostrophes(b)]
        print(f"    {words[:3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
