"""The seed article and the NTREX dev set are found in a checkout and in an installed wheel."""

from __future__ import annotations

import zipfile

from service import bundled
from service.bench.workload import seed_article_text, source_sentences
from service.web.files import dev_set_available, seed_articles
from tests.data import NTREX, ROOT
from tests.wheelhelpers import InstalledWheel

NTREX_FILES = (
    "LICENSE.md",
    "README.md",
    "bak.txt",
    "doc_ids.tsv",
    "eng-GB.txt",
    "eng-US.txt",
    "kaz.txt",
    "kir.txt",
    "rus.txt",
    "tat.txt",
    "uzb.txt",
)


def test_a_checkout_reads_the_repository_folders():
    assert bundled.ntrex_dir() == NTREX
    assert bundled.seed_files() == sorted((ROOT / "seeds").glob("*.txt"))
    article = seed_article_text()
    assert article.strip().startswith("date 2025-10-17 ") and seed_articles() == [article]
    assert dev_set_available()
    first = (NTREX / "kaz.txt").read_text(encoding="utf-8").splitlines()[0]
    assert source_sentences(2)[0] == first.strip()


def test_the_wheel_carries_the_data_with_its_licence(built_wheel: InstalledWheel):
    site = built_wheel.site
    with zipfile.ZipFile(built_wheel.wheel) as archive:
        names = set(archive.namelist())
    assert {f"service/data/ntrex128-dev/{name}" for name in NTREX_FILES} <= names
    seeds = sorted(path.name for path in (ROOT / "seeds").glob("*.txt"))
    assert [n for n in sorted(names) if n.startswith("service/data/seeds/")] == [
        f"service/data/seeds/{name}" for name in seeds
    ]
    licence = (site / "service/data/ntrex128-dev/LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY-SA" in licence or "Attribution-ShareAlike" in licence


def test_an_installed_wheel_finds_its_own_copies(built_wheel: InstalledWheel):
    """What ``audarma bench --synthetic`` and the page need, from the wheel alone."""
    site = built_wheel.site
    probe = (
        "import json\n"
        "from service import bundled\n"
        "from service.bench.workload import seed_article_text, source_sentences\n"
        "from service.bench.synthetic import find_ntrex_dir\n"
        "from service.web.files import dev_set_available\n"
        "print(json.dumps([str(bundled.ntrex_dir()), str(find_ntrex_dir()),\n"
        "    seed_article_text().strip()[:15], len(source_sentences(16)), dev_set_available()]))\n"
    )
    folder, found, article, sentences, dev_set = built_wheel.run_json(probe)
    assert folder == found == str(site / "service" / "data" / "ntrex128-dev")
    assert (article, sentences, dev_set) == ("date 2025-10-17", 16, True)
