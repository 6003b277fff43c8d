from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import typer
from typer.testing import CliRunner

from bedtales.app import initialise
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.config import load_settings
from conftest import require_service
from servers.seaweedfs import free_ports

REFERENCE = Path(__file__).parent / "data" / "reference"
runner = CliRunner()


def run(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}{result.stderr}"
    return result.stdout if code == 0 else result.stderr


def all_commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(typer.main.get_command(cli), ())
    return found


def test_every_command_has_help_and_accepts_data_dir() -> None:
    commands = all_commands()
    assert len(commands) >= 13
    for path in commands:
        text = run(*path, "--help")
        assert "--data-dir" in text, path
        assert len(text.splitlines()) > 4, path


def test_init_is_idempotent_and_story_new_prints_json(data_dir: Path) -> None:
    assert "already exists" in run("init", "--data-dir", data_dir)
    story = json.loads(run("story", "new", "--seed", "9", "--json", "--data-dir", data_dir))
    assert set(story) >= {
        "id", "title", "description", "scene", "characters", "prompt",
        "engine", "wordCount", "createdAt", "expiresAt",
    }  # fmt: skip
    assert story["characters"] == ["Milo", "Luna"]
    assert story["wordCount"] >= 200
    # the page's absolute address, from web.base_url, as POST /api/stories answers it
    assert story.pop("url") == f"http://127.0.0.1:8080/stories/{story['id']}"
    shown = json.loads(run("story", "show", story["id"], "--json", "--data-dir", data_dir))
    assert shown.pop("deliveries") == []  # no worker has run
    assert shown.pop("notifications") == []  # nobody told yet
    assert shown == story
    listed = json.loads(run("story", "list", "--json", "--data-dir", data_dir))
    assert [s["id"] for s in listed] == [story["id"]]
    text = run("story", "show", story["id"], "--data-dir", data_dir)
    assert story["title"] in text
    assert story["description"].splitlines()[0] in text


def test_story_new_json_has_the_url_under_the_public_base(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_WEB__BASE_URL", "https://tales.example/home/")
    story = json.loads(run("story", "new", "--seed", "3", "--json", "--data-dir", data_dir))
    assert story["url"] == f"https://tales.example/home/stories/{story['id']}"


def test_reference_data_imports_and_names_eric_and_dave(data_dir: Path) -> None:
    run("households", "add", "ref", "--timezone", "Europe/Dublin", "--data-dir", data_dir)
    out = run(
        "import", "--household", "ref", "--data-dir", data_dir,
        "--characters", REFERENCE / "characters.json", "--scenes", REFERENCE / "scenes.json",
    )  # fmt: skip
    assert "Imported 2 characters (0 already there) and 5 scenes" in out
    scenes = [e["description"] for e in json.loads((REFERENCE / "scenes.json").read_text())]
    for seed in range(5):
        story = json.loads(
            run("story", "new", "-H", "ref", "--seed", str(seed), "--json", "--data-dir", data_dir)
        )
        assert story["characters"] == ["Eric", "Dave"]
        assert "Eric" in story["description"]
        assert "Dave" in story["description"]
        assert story["scene"] in scenes


def test_characters_and_scenes_commands(data_dir: Path) -> None:
    run("characters", "add", "Eric", "Dave", "--data-dir", data_dir)
    assert run("characters", "list", "--data-dir", data_dir).split() == [
        "Milo",
        "Luna",
        "Eric",
        "Dave",
    ]
    assert "Removed character 'Eric'" in run("characters", "remove", "ERIC", "--data-dir", data_dir)
    assert "Added scene" in run("scenes", "add", "<b>a 'tiny' island</b>", "--data-dir", data_dir)
    scenes = json.loads(run("scenes", "list", "--json", "--data-dir", data_dir))
    assert scenes[-1]["description"] == "<b>a 'tiny' island</b>"
    run("scenes", "remove", str(scenes[-1]["id"]), "--data-dir", data_dir)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("characters", "add", "  "), "name must not be empty"),
        (("characters", "add", "Milo"), "character 'Milo' already exists"),
        (("characters", "add", "x" * 61), "name is 61 characters long"),
        (("scenes", "add", "y" * 301), "scene is 301 characters long"),
        (("story", "new", "--household", "nobody"), "household 'nobody' does not exist"),
        (("story", "new", "--engine", "nope"), "unknown text engine 'nope'"),
        (("story", "show", "not-a-story"), "no story 'not-a-story'"),
        (("households", "add", "casa", "--timezone", "Nowhere/Land"), "not an IANA time zone"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    assert message in run(*args, "--data-dir", data_dir, code=2)


def test_story_new_for_a_household_without_characters_exits_2(data_dir: Path) -> None:
    run("households", "add", "empty", "--data-dir", data_dir)
    assert "no characters yet" in run("story", "new", "-H", "empty", "--data-dir", data_dir, code=2)


def test_a_bad_import_file_imports_nothing(data_dir: Path, tmp_path: Path) -> None:
    scenes = tmp_path / "scenes.json"
    scenes.write_text('[{"id": "1", "description": "fine"}, {"id": "2", "description": ""}]')
    error = run(
        "import",
        "--characters",
        REFERENCE / "characters.json",
        "--scenes",
        scenes,
        "--data-dir",
        data_dir,
        code=2,
    )
    assert "entry 2 (id 2) description must not be empty" in error
    assert "Eric" not in run("characters", "list", "--data-dir", data_dir)
    assert "usage" in run("import", "--data-dir", data_dir, code=2).lower()


def test_commands_before_init_say_to_run_init(tmp_path: Path) -> None:
    assert "run `bedtales init` first" in run(
        "story", "list", "--data-dir", tmp_path / "nothing", code=2
    )


def test_invalid_settings_file_exits_2_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "bedtales.toml").write_text("[text]\nmin_words = -5\n")
    assert "invalid setting text.min_words" in run("init", "--data-dir", tmp_path, code=2)


def test_the_installed_command_runs_end_to_end(tmp_path: Path) -> None:
    bedtales = [sys.executable, "-m", "bedtales"]
    env_dir = ["--data-dir", str(tmp_path / "d")]
    subprocess.run([*bedtales, "init", *env_dir], check=True, capture_output=True)
    done = subprocess.run(
        [*bedtales, "story", "new", "--json", *env_dir], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["wordCount"] >= 200
    bad = subprocess.run(
        [*bedtales, "story", "new", "-H", "nobody", *env_dir], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "error: household 'nobody' does not exist" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("scenes", "remove", "²"),
        ("scenes", "remove", "99999999999999999999"),
        ("init", "--household", "   "),
        ("init", "--timezone", "Atlantis/Capital"),
        ("story", "list", "--limit", "0"),
        ("story", "new", "--seed", "99999999999"),
        ("characters", "add", "a\tb"),
    ],
)
def test_bad_input_never_shows_a_traceback(data_dir: Path, args: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unusable_data_dir_and_deep_json_are_clear_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert "invalid setting data_dir" in run("init", "--data-dir", blocker / "x", code=2)
    run("init", "--data-dir", tmp_path / "d")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    assert "nested too deeply" in run(
        "import", "--characters", deep, "--data-dir", tmp_path / "d", code=2
    )


def test_init_refuses_bad_input_before_creating_anything(tmp_path: Path) -> None:
    run("init", "--timezone", "Atlantis/Capital", "--data-dir", tmp_path / "new", code=2)
    assert not (tmp_path / "new").exists()


def test_init_writes_a_media_link_secret_the_app_uses_at_once(tmp_path: Path) -> None:
    bedtales, _, _ = initialise(tmp_path / "data", timezone="UTC")
    try:
        secret = bedtales.settings.media.link_secret
        assert secret is not None
        assert len(secret.get_secret_value()) >= 40
        assert bedtales.tools.media.link("stories/x/image.png", utcnow() + timedelta(hours=1))
        config = tmp_path / "data" / "bedtales.toml"
        assert config.stat().st_mode & 0o777 == 0o600  # it holds a secret
        assert secret.get_secret_value() not in run(
            "story", "list", "--data-dir", tmp_path / "data"
        )
    finally:
        bedtales.close()


@pytest.mark.parametrize("existing", ['[text]\nengine = "builtin"\n', '[media]\nstore = "local"\n'])
def test_init_gives_an_older_settings_file_its_link_secret(tmp_path: Path, existing: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "bedtales.toml").write_text(existing)

    initialise(data, timezone="UTC")[0].close()
    initialise(data, timezone="UTC")[0].close()  # and only once

    settings = load_settings(data)
    assert settings.media.link_secret is not None
    assert (data / "bedtales.toml").read_text().count("link_secret") == 1
    assert settings.media.store == "local"


def test_a_service_that_does_not_answer_exits_1_and_a_bad_setting_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervisor may start a process again after exit code 1 (the database or Redis may
    be back); exit code 2 is a setting that can never work."""
    closed = free_ports(1)[0]  # nothing listens there
    monkeypatch.setenv("BEDTALES_DATABASE_URL", f"postgresql+psycopg://u@127.0.0.1:{closed}/x")
    assert "cannot open the database" in run("migrate", "--data-dir", tmp_path, code=1)
    monkeypatch.setenv("BEDTALES_DATABASE_URL", "nonsense://")
    assert "invalid setting database_url" in run("migrate", "--data-dir", tmp_path, code=2)

    monkeypatch.delenv("BEDTALES_DATABASE_URL")
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "espeak")
    initialise(tmp_path)[0].close()
    monkeypatch.setenv("BEDTALES_BUS__BACKEND", "redis")
    monkeypatch.setenv("BEDTALES_BUS__REDIS_URL", f"redis://127.0.0.1:{closed}/0")
    assert "cannot reach Redis" in run("worker", "--data-dir", tmp_path, code=1)
    monkeypatch.setenv("BEDTALES_BUS__REDIS_URL", "tcp://nowhere")
    assert "invalid setting BEDTALES_BUS__REDIS_URL" in run(
        "worker", "--data-dir", tmp_path, code=2
    )


def test_after_migrate_alone_there_is_no_household_until_init(tmp_path: Path) -> None:
    """What docs/deploy.md says: `migrate` makes the schema only; `init` afterwards adds the
    household `home` and keeps the schema."""
    data_dir = tmp_path / "data"
    assert "migrated from empty to" in run("migrate", "--data-dir", data_dir)
    missing = run("characters", "add", "Eric", "--data-dir", data_dir, code=2)
    assert "household 'home' does not exist" in missing
    assert "Created household 'home'" in run("init", "--data-dir", data_dir, "--timezone", "UTC")
    run("characters", "add", "Eric", "--data-dir", data_dir)


@pytest.mark.postgres
def test_init_on_postgresql_says_the_household_is_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_postgres_url: str
) -> None:
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("BEDTALES_DATABASE_URL", fresh_postgres_url)
    data_dir = tmp_path / "data"
    safe_url = make_url(fresh_postgres_url).render_as_string(hide_password=True)
    created = " ".join(run("init", "--data-dir", data_dir, "--timezone", "UTC").split())
    assert f"scenes in the database {safe_url}." in created
    assert str(data_dir) not in created
    again = " ".join(run("init", "--data-dir", data_dir).split())
    assert f"bedtales is ready in the database {safe_url}; household 'home'" in again


def test_init_on_sqlite_says_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    created = " ".join(run("init", "--data-dir", data_dir, "--timezone", "UTC").split())
    assert f"scenes in {data_dir}." in created
    assert "the database" not in created


@pytest.mark.postgres
def test_a_server_that_refuses_for_good_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server_url: str
) -> None:
    """A database or Redis that answers "no such database" or "wrong password" will not
    change its mind: that is a setting to fix (exit 2), not an outage to wait out."""
    from sqlalchemy.engine import make_url

    missing = make_url(postgres_server_url).set(database="bedtales_no_such_database")
    monkeypatch.setenv("BEDTALES_DATABASE_URL", missing.render_as_string(hide_password=False))
    refused = run("migrate", "--data-dir", tmp_path, code=2)
    assert 'database "bedtales_no_such_database" does not exist' in refused

    monkeypatch.delenv("BEDTALES_DATABASE_URL")
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "espeak")
    initialise(tmp_path)[0].close()
    redis_url = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{redis_url}: {exc}")
    server = urlsplit(redis_url)
    wrong = f"redis://nobody:wrong@{server.hostname}:{server.port or 6379}/0"
    monkeypatch.setenv("BEDTALES_BUS__BACKEND", "redis")
    monkeypatch.setenv("BEDTALES_BUS__REDIS_URL", wrong)
    assert "invalid username-password pair" in run("worker", "--data-dir", tmp_path, code=2)


def test_households_set_turns_the_series_on_and_off(data_dir: Path) -> None:
    listed = json.loads(run("households", "list", "--json", "--data-dir", data_dir))
    assert [(h["name"], h["series"]) for h in listed] == [("home", False)]
    said = run("households", "set", "home", "--series", "ON", "--data-dir", data_dir)
    assert "Series on for 'home'" in said
    listed = json.loads(run("households", "list", "--json", "--data-dir", data_dir))
    assert listed[0]["series"] is True
    header, *rows = [
        line
        for line in run("households", "list", "--data-dir", data_dir).splitlines()
        if "│" in line or "┃" in line
    ]
    assert "series" in header
    assert " on " in rows[0]
    said = run("households", "set", "home", "--series", "off", "--data-dir", data_dir)
    assert "Series off for 'home'" in said
    assert (
        json.loads(run("households", "list", "--json", "--data-dir", data_dir))[0]["series"]
        is False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("home", "--series", "maybe"), "series must be on or off, not 'maybe'"),
        (("home", "--series", ""), "series must be on or off"),
        (("home",), "nothing to change: give series"),
        (("nobody", "--series", "on"), "household 'nobody' does not exist"),
        (("home", "--timezone", "Mars/Base"), "timezone 'Mars/Base' is not an IANA time zone"),
    ],
)
def test_households_set_refuses_bad_input_with_exit_2(
    data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    assert message in run("households", "set", *args, "--data-dir", data_dir, code=2)
    listed = json.loads(run("households", "list", "--json", "--data-dir", data_dir))
    assert listed[0]["series"] is False


def test_init_on_a_utc_machine_says_how_to_give_the_family_its_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")  # what many servers and containers say
    home = tmp_path / "home"
    said = run("init", "--data-dir", home)
    assert "This machine's time zone is UTC, so 'home' gets its story at 19:15 UTC" in said
    advice = [line.strip() for line in said.splitlines() if line.startswith("  bedtales ")]
    assert advice == [
        f"bedtales households set home --timezone Europe/London --data-dir {home}",
        "bedtales schedule set nightly --timezone Europe/London --household home "
        f"--data-dir {home}",
    ]
    for line in advice:  # the advice works as written
        assert "Europe/London" in run(*line.split()[1:])
    listed = json.loads(run("households", "list", "--json", "--data-dir", home))
    assert listed[0]["timezone"] == "Europe/London"
    assert "UTC" not in run("init", "--data-dir", home)  # said once, when it was made
    chosen = run("init", "--timezone", "UTC", "--data-dir", tmp_path / "chosen")
    assert "This machine's time zone" not in chosen  # UTC on purpose
    monkeypatch.setenv("TZ", "Europe/Paris")
    assert "This machine's time zone" not in run("init", "--data-dir", tmp_path / "paris")


LOADED_BY_HELP = """
import sys
from typer.testing import CliRunner
from bedtales.cli.main import cli
assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
heavy = {"sqlalchemy", "numpy", "PIL", "fastapi", "jinja2", "apprise", "boto3", "alembic"}
print(sorted(name for name in sys.modules if name.split(".")[0] in heavy))
import bedtales.households
services = bedtales.households.services  # a lazy module is its package's attribute
assert "sqlalchemy" not in sys.modules  # not loaded by being named
assert callable(services.list_characters)  # loaded by being used
assert "sqlalchemy" in sys.modules
"""


def test_help_loads_no_heavy_library_and_a_command_loads_what_it_uses() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", LOADED_BY_HELP], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
