from __future__ import annotations

from pathlib import Path

import pytest

from bedtales.config import DEFAULT_PROMPT_TEMPLATE, load_settings
from bedtales.errors import ConfigError


def test_defaults_put_everything_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "d")
    assert settings.data_dir == tmp_path / "d"
    assert (
        settings.resolved_database_url == f"sqlite:///{(tmp_path / 'd' / 'bedtales.db').resolve()}"
    )
    assert settings.text.engine == "builtin"
    assert settings.text.prompt_template == DEFAULT_PROMPT_TEMPLATE


def test_data_dir_comes_from_the_environment_and_defaults_to_bedtales_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().data_dir == Path("./bedtales-data")
    monkeypatch.setenv("BEDTALES_DATA_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().data_dir == tmp_path / "elsewhere"


def test_toml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bedtales.toml").write_text(
        'default_household = "casa"\n'
        '[text]\nengine = "openai"\nmin_words = 300\n'
        '[openai]\nmodel = "llama3"\n'
    )
    settings = load_settings(tmp_path)
    assert (settings.default_household, settings.text.engine, settings.text.min_words) == (
        "casa",
        "openai",
        300,
    )
    assert settings.openai.model == "llama3"
    monkeypatch.setenv("BEDTALES_TEXT__ENGINE", "builtin")
    monkeypatch.setenv("BEDTALES_OPENAI__MODEL", "qwen")
    settings = load_settings(tmp_path)
    assert (settings.text.engine, settings.text.min_words, settings.openai.model) == (
        "builtin",
        300,
        "qwen",
    )


@pytest.mark.parametrize(
    ("toml", "setting"),
    [
        ("[text]\nmax_attempts = 0\n", "text.max_attempts"),
        ("[openai]\nbase_url = 'ftp://x'\n", "openai.base_url"),
        ('database_url = "mysql://x"\n', "database_url"),
        ("[text]\nnot_a_setting = 1\n", "text.not_a_setting"),
        ("default_household = 5\n", "default_household"),
    ],
)
def test_invalid_settings_name_the_setting(tmp_path: Path, toml: str, setting: str) -> None:
    (tmp_path / "bedtales.toml").write_text(toml)
    with pytest.raises(ConfigError, match=f"invalid setting {setting}"):
        load_settings(tmp_path)


def test_invalid_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_TEXT__MIN_WORDS", "many")
    with pytest.raises(ConfigError, match="BEDTALES_TEXT__MIN_WORDS"):
        load_settings(tmp_path)


def test_prompt_template_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bedtales.toml").write_text('[text]\nprompt_template = "A story about {hero}"\n')
    with pytest.raises(ConfigError, match=r"text.prompt_template.*\{hero\}"):
        load_settings(tmp_path)


def test_malformed_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "bedtales.toml").write_text("[text\nengine = \n")
    with pytest.raises(ConfigError, match=r"bedtales\.toml"):
        load_settings(tmp_path)


def test_secrets_never_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEDTALES_OPENAI__API_KEY", "sk-very-secret-123")
    settings = load_settings(tmp_path)
    assert settings.openai.api_key is not None
    assert settings.openai.api_key.get_secret_value() == "sk-very-secret-123"
    assert "sk-very-secret-123" not in repr(settings)
    assert "sk-very-secret-123" not in str(settings.model_dump())
    # a bad value next to a secret must not echo the secret either
    monkeypatch.setenv("BEDTALES_OPENAI__TIMEOUT_S", "sk-very-secret-123")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "sk-very-secret-123" not in str(caught.value)


@pytest.mark.parametrize(
    ("template", "problem"),
    [("{names:d} in {scene}", "Unknown format code"), ("{} {names}", "Replacement index 0")],
)
def test_prompt_templates_that_cannot_be_filled_are_refused(
    tmp_path: Path, template: str, problem: str
) -> None:
    (tmp_path / "bedtales.toml").write_text(f'[text]\nprompt_template = "{template}"\n')
    with pytest.raises(ConfigError, match=problem):
        load_settings(tmp_path)


def test_unknown_engine_and_blank_household_are_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "bedtales.toml").write_text('default_household = "  "\n[text]\nengine = "opnai"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "invalid setting text.engine" in str(caught.value)
    assert "unknown text engine 'opnai'" in str(caught.value)
    assert "invalid setting default_household" in str(caught.value)


def test_a_database_url_that_cannot_be_parsed_hides_its_password(tmp_path: Path) -> None:
    from bedtales.storage import Database

    with pytest.raises(ConfigError, match="invalid setting database_url") as caught:
        Database("postgresql+psycopg://user:hunter2@host:port/db")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("section", "engine", "known"),
    [("image", "dalle", "builtin, openai"), ("speech", "polly", "auto, espeak, openai, piper")],
)
def test_unknown_image_and_speech_engines_are_refused(
    tmp_path: Path, section: str, engine: str, known: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, **{section: {"engine": engine}})
    message = str(caught.value)
    assert f"{section}.engine" in message
    assert f"BEDTALES_{section.upper()}__ENGINE" in message
    assert known in message


@pytest.mark.parametrize("url", ["ftp://x", "http://", "https://tales.example/?a=1", "tales"])
def test_a_bad_base_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"web\.base_url"):
        load_settings(tmp_path, web={"base_url": url})


def test_the_base_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    assert load_settings(tmp_path, web={"base_url": "https://tales.example/"}).web.base_url == (
        "https://tales.example"
    )
