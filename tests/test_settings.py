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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"port": 99999}, "port must be between 1 and 65535, got 99999 (--port, AUDARMA_PORT)"),
        ({"port": 0}, "port must be between 1 and 65535, got 0"),
        ({"concurrency": 0}, "concurrency must be at least 1, got 0 (--concurrency"),
        ({"queue_size": -1}, "queue_size must be at least 0, got -1 (--queue-size"),
        ({"beam": 1000}, "beam must be between 1 and 16, got 1000 (--beam, AUDARMA_BEAM)"),
        ({"beam": 0}, "beam must be between 1 and 16, got 0"),
        ({"max_chars": 0}, "max_chars must be at least 1, got 0 (--max-chars"),
        ({"max_sentence_tokens": 2}, "max_sentence_tokens must be at least 3"),
        ({"max_length_ratio": -1.0}, "max_length_ratio must be at least 0"),
        ({"allowed_hosts": "a,*.x*"}, "allowed_hosts: '*.x*' is not a host name"),
    ],
)
def test_out_of_range_values_are_one_line_errors(overrides, message):
    """Issue #12, item 7: every interface validates the table before any work."""
    with pytest.raises(ConfigError) as excinfo:
        load_settings(overrides, env={})
    assert message in str(excinfo.value)
    with pytest.raises(ConfigError):  # the environment is held to the same rules
        load_settings(env={f"AUDARMA_{k.upper()}": str(v) for k, v in overrides.items()})
