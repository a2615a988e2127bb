import json
import os
import sqlite3
from pathlib import Path

import pytest

from service.cache import SCHEMA, TranslationCache, cache_key
from service.engines.base import Hypothesis
from tests.data import SEED_PATH


def test_round_trip_and_persistence(tmp_path):
    path = tmp_path / "c" / "t.sqlite3"
    cache = TranslationCache(path)
    key = cache_key("m", "transformers", "kk", "en", "beam=4", "Сәлем.")
    cache.put_many([(key, Hypothesis("Hello.", False, 3))])
    cache.close()
    again = TranslationCache(path)
    assert again.get_many([key, "missing"]) == {key: Hypothesis("Hello.", False, 3)}
    assert len(again) == 1


def test_key_covers_every_part():
    base = ("m", "transformers", "kk", "en", "beam=4", "x")
    keys = {cache_key(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] += "!"
        keys.add(cache_key(*changed))
    assert len(keys) == len(base) + 1
    # the separator cannot be forged by moving text between fields
    assert cache_key("ab", "c", "kk", "en", "o", "s") != cache_key("a", "bc", "kk", "en", "o", "s")


def test_unwritable_location_is_a_config_error(tmp_path):
    from service.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot open the translation cache"):
        TranslationCache(blocker / "t.sqlite3")


# --------------------------------------------------------------------------------------------
# a cache is a cache (issue #12, items 5 and 6): corruption never breaks a translation
# --------------------------------------------------------------------------------------------
PAGE = 4096


def corrupt_cache(path: Path, how: str) -> None:
    """A cache file that SQLite opens but cannot read: garbage behind a valid header, or a
    real cache whose first b-tree pages (the table's and its index's roots) are garbage."""
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = bytes((i * 7919 + 13) % 251 for i in range(4 * PAGE))
    if how == "header":
        path.write_bytes(b"SQLite format 3\x00" + noise)
        return
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    rows = [(f"{i:064x}", "x" * 100, 0, 1) for i in range(2000)]
    db.executemany("INSERT INTO translations VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    data = bytearray(path.read_bytes())
    data[PAGE : 5 * PAGE] = noise
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["header", "pages"])
def test_corrupt_cache_is_moved_aside_and_the_cli_goes_on(cli, fake_engine, isolated_settings, how):
    cache_file = Path(os.environ["AUDARMA_CACHE_DIR"]) / "translations.sqlite3"
    corrupt_cache(cache_file, how)
    code, out, err = cli("translate", SEED_PATH, "--to", "en", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["translations"]["en"]["text"]
    aside = list(cache_file.parent.glob("translations.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].is_file()
    warnings = [line for line in err.splitlines() if "translation cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("audarma: warning: ")
    assert str(aside[0]) in warnings[0]
    # The fresh cache works: the same article again reaches the engine not once.
    fake_engine.calls.clear()
    code, _, err = cli("translate", SEED_PATH, "--to", "en")
    assert code == 0 and "translation cache" not in err
    assert fake_engine.calls == []


def test_corrupt_cache_over_http_translates_and_health_reports_it(tmp_path):
    from fastapi.testclient import TestClient

    from service.translate import Translator
    from service.web import create_app
    from tests.fakes import FakeEngine
    from tests.webhelpers import make_settings

    settings = make_settings(cache=True, cache_dir=str(tmp_path))
    corrupt_cache(settings.cache_path, "pages")
    translator = Translator(settings=settings, engine_instance=FakeEngine())
    with TestClient(create_app(translator=translator)) as client:
        assert client.get("/api/v1/health").json()["cache"] == {"status": "ok", "problem": None}
        response = client.post("/api/v1/translate", json={"text": "Бүгін.", "targets": ["en"]})
        assert response.status_code == 200, response.text
        health = client.get("/api/v1/health").json()
    assert health["status"] == "ok"
    assert health["cache"]["status"] == "recovered"
    assert "translations.sqlite3.corrupt-" in health["cache"]["problem"]
    assert str(tmp_path) not in health["cache"]["problem"]  # no server paths to strangers


def test_no_cache_with_an_unwritable_cache_dir_still_translates(
    cli, tiny_nllb_dir, tmp_path, monkeypatch
):
    """Item 6: --no-cache, but the converted model also lives in cache_dir: a temporary
    folder stands in for it, with one warning that names the setting."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("AUDARMA_CACHE_DIR", str(blocker / "audarma"))
    code, out, err = cli(
        "translate", SEED_PATH, "--to", "en", "--model", tiny_nllb_dir, "--beam", "1",
        "--no-cache",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip()
    warnings = [line for line in err.splitlines() if "cache_dir" in line]
    assert len(warnings) == 1 and warnings[0].startswith("audarma: warning: cache_dir ")
    assert "temporary folder" in warnings[0] and "AUDARMA_CACHE_DIR" in warnings[0]


def test_unwritable_cache_dir_with_the_cache_on_names_the_setting(
    cli, fake_engine, tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("AUDARMA_CACHE_DIR", str(blocker / "audarma"))
    code, out, err = cli("translate", SEED_PATH, "--to", "en")
    assert code == 2 and out == ""
    assert err.startswith("audarma: error: cannot open the translation cache")
    assert "AUDARMA_CACHE_DIR" in err and "--no-cache" in err and len(err.splitlines()) == 1
