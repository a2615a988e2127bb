import pytest

from service.errors import ConfigError
from service.settings import Settings, load_settings


def test_defaults_without_environment():
    settings = load_settings(env={})
    assert settings.model == "facebook/nllb-200-distilled-600M"
    assert settings.engine == "ctranslate2"
    assert settings.beam == 4
    assert settings.cache is True
    assert settings.max_chars == 20000
    assert settings.host == "127.0.0.1"


def test_environment_overrides_are_typed():
    env = {"AUDARMA_BEAM": "2", "AUDARMA_CACHE": "off", "AUDARMA_MAX_LENGTH_RATIO": "1.5"}
    settings = load_settings(env=env)
    assert (settings.beam, settings.cache, settings.max_length_ratio) == (2, False, 1.5)


def test_explicit_overrides_beat_environment_and_none_means_unset():
    settings = load_settings({"beam": 1, "model": None}, env={"AUDARMA_BEAM": "2"})
    assert settings.beam == 1
    assert settings.model == Settings().model


def test_bad_values_and_unknown_names_are_clear_errors():
    with pytest.raises(ConfigError, match="setting beam expects int, got 'many'"):
        load_settings(env={"AUDARMA_BEAM": "many"})
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings().replace(colour="blue")
    with pytest.raises(ConfigError, match="expects bool"):
        load_settings(env={"AUDARMA_CACHE": "maybe"})


def test_cache_path_and_password_hidden(tmp_path):
    settings = Settings().replace(cache_dir=str(tmp_path), auth="ed:secret")
    assert settings.cache_path == tmp_path / "translations.sqlite3"
    assert settings.to_dict()["auth"] == "ed:***"
