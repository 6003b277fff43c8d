from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bedtales.app import App, Toolbox, initialise, make_backend
from bedtales.config import DEFAULT_PROMPT_TEMPLATE, load_settings
from bedtales.errors import ConfigError
from bedtales.storage import Database
from servers.seaweedfs import free_ports

HEAVY = {"numpy", "PIL", "boto3", "fastapi", "jinja2"}


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


def test_a_blank_household_is_refused_on_reading_an_unknown_engine_when_it_is_built(
    tmp_path: Path,
) -> None:
    (tmp_path / "bedtales.toml").write_text('default_household = "  "\n[text]\nengine = "opnai"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "invalid setting default_household" in str(caught.value)
    assert "text.engine" not in str(caught.value)  # which engines exist is not config's to know
    (tmp_path / "bedtales.toml").write_text('[text]\nengine = "opnai"\n')
    settings = load_settings(tmp_path)
    with pytest.raises(ConfigError) as caught:
        Toolbox(settings).text_engine()
    assert str(caught.value) == (
        f"invalid setting text.engine (BEDTALES_TEXT__ENGINE or {tmp_path / 'bedtales.toml'}): "
        "Value error, unknown text engine 'opnai'; known: builtin, llamacpp, openai"
    )


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
    tools = Toolbox(load_settings(tmp_path, **{section: {"engine": engine}}))
    with pytest.raises(ConfigError) as caught:
        getattr(tools, f"{section}_engine")()
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


def _modules_loaded_by(code: str) -> list[str]:
    """The heavy and the bedtales modules a fresh interpreter holds after running ``code``."""
    wanted = {*HEAVY, "bedtales"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport json, sys\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {wanted!r})))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout))


@pytest.mark.parametrize(
    "code",
    [
        "import bedtales.config",
        "from bedtales.config import load_settings\nload_settings('{data_dir}')",
    ],
)
def test_reading_the_settings_imports_no_engine_and_nothing_heavy(
    tmp_path: Path, code: str
) -> None:
    (tmp_path / "bedtales.toml").write_text(
        '[text]\nengine = "openai"\n[image]\nengine = "builtin"\n[speech]\nengine = "piper"\n'
        '[media]\nstore = "s3"\n[bus]\nbackend = "redis"\n'
    )
    loaded = _modules_loaded_by(code.format(data_dir=tmp_path))
    assert "bedtales.config" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert [m for m in loaded if m.startswith(("bedtales.engines", "bedtales.bus"))] == []


def test_an_unknown_store_or_backend_is_refused_when_it_is_built(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, media={"store": "s4"}, bus={"backend": "kafka"})
    where = tmp_path / "bedtales.toml"
    with pytest.raises(ConfigError) as caught:
        Toolbox(settings).media  # noqa: B018 - built for its check
    assert str(caught.value) == (
        f"invalid setting media.store (BEDTALES_MEDIA__STORE or {where}): "
        "Input should be 'local' or 's3'"
    )
    db = Database(settings.resolved_database_url)
    with pytest.raises(ConfigError) as caught:
        make_backend(settings, db)
    db.dispose()
    assert str(caught.value) == (
        f"invalid setting bus.backend (BEDTALES_BUS__BACKEND or {where}): "
        "Input should be 'sql' or 'redis'"
    )


def test_the_worker_names_every_unknown_tool_at_once(tmp_path: Path) -> None:
    initialise(tmp_path)[0].close()
    (tmp_path / "bedtales.toml").write_text(
        '[text]\nengine = "opnai"\n[speech]\nengine = "polly"\n[media]\nstore = "s4"\n'
    )
    bedtales = App.open(tmp_path)
    with pytest.raises(ConfigError) as caught:
        bedtales.worker()
    bedtales.close()
    lines = [line.split(" (")[0] for line in str(caught.value).splitlines()]
    assert lines == [
        "invalid setting text.engine",
        "invalid setting speech.engine",
        "invalid setting media.store",
    ]


def test_commands_that_use_no_engine_work_when_a_setting_names_an_unknown_one(
    tmp_path: Path,
) -> None:
    bedtales = initialise(tmp_path)[0]
    story = bedtales.write_story(seed=1)
    bedtales.close()
    env = {**os.environ, "BEDTALES_TEXT__ENGINE": "opnai"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bedtales", *args, "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    listed = cli("characters", "list")
    assert (listed.returncode, "Milo" in listed.stdout) == (0, True), listed.stderr
    shown = cli("story", "show", story.id)
    assert (shown.returncode, story.title in shown.stdout) == (0, True), shown.stderr
    refusal = (
        f"invalid setting text.engine (BEDTALES_TEXT__ENGINE or {tmp_path / 'bedtales.toml'}): "
        "Value error, unknown text engine 'opnai'; known: builtin, llamacpp, openai"
    )
    [port] = free_ports(1)
    for args in (("story", "new"), ("worker",), ("run", "--port", str(port))):
        refused = cli(*args)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert refusal in refused.stderr, args


def test_the_site_refuses_at_start_when_the_media_store_is_unknown(tmp_path: Path) -> None:
    initialise(tmp_path)[0].close()
    [port] = free_ports(1)
    refused = subprocess.run(
        [sys.executable, "-m", "bedtales", "web", "--port", str(port), "--data-dir", str(tmp_path)],
        env={**os.environ, "BEDTALES_MEDIA__STORE": "s4"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert "invalid setting media.store" in refused.stderr
