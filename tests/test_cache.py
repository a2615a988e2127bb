from service.cache import TranslationCache, cache_key
from service.engines.base import Hypothesis


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
    import pytest

    from service.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot open the translation cache"):
        TranslationCache(blocker / "t.sqlite3")
