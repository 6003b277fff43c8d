"""Locked-down files: after `bedtales init` the data directory is 0700 and the database (with
its -wal and -shm), the settings file and the stored media are 0600, made so as they are
created. Files an older bedtales left readable are tightened by `init`. A short admin token is
refused at start. Real `bedtales init`, real SQLite, the real illustrate target."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.cli.main import cli
from bedtales.config import load_settings
from bedtales.media.local import LocalMediaStore
from bedtales.storage import Database

runner = CliRunner()
# the usual umask, which leaves new files readable by everyone unless bedtales says otherwise
USUAL_UMASK = 0o022
SQLITE_FILES = ("bedtales.db", "bedtales.db-wal", "bedtales.db-shm")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Run each test under umask 022, whatever this machine's is: a stricter one would hide
    files that bedtales makes readable by others."""
    before = os.umask(USUAL_UMASK)
    try:
        yield
    finally:
        os.umask(before)


def bedtales_init(data_dir: Path) -> None:
    """The installed command, in a process of its own, under the usual umask."""
    done = subprocess.run(
        [sys.executable, "-m", "bedtales", "init", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        umask=USUAL_UMASK,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_init_makes_the_data_dir_the_database_and_the_settings_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bedtales_init(data_dir)
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "bedtales.toml") == 0o600
    assert mode(data_dir / "bedtales.db") == 0o600
    assert mode(data_dir / "bedtales.db.migrate-lock") == 0o600


def test_the_wal_the_shm_and_the_stored_media_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bedtales_init(data_dir)
    bedtales = App.open(data_dir)
    try:
        story = bedtales.write_story()  # a write: SQLite opens its -wal and -shm
        event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")
        bedtales.run_delivery(Delivery(event, "illustrate", attempt=1, receipt="r1"))
        for name in SQLITE_FILES:
            assert mode(data_dir / name) == 0o600, name
        media = data_dir / "media"
        folders = [media, *(p for p in media.rglob("*") if p.is_dir())]
        files = [p for p in media.rglob("*") if p.is_file()]
        assert any(story.id in str(p) and not p.name.startswith(".") for p in files), files
        assert len(folders) >= 3  # media/, stories/, the story's own
        assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
        assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}
    finally:
        bedtales.close()


def test_a_local_store_makes_every_missing_folder_private(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "elsewhere" / "media", link_secret=None)
    store.put("stories/one/two/image.png", b"\x89PNG", "image/png")
    made = [tmp_path / "elsewhere", *(tmp_path / "elsewhere").rglob("*")]
    assert {str(p): mode(p) for p in made if p.is_dir()} == {
        str(p): 0o700 for p in made if p.is_dir()
    }
    assert mode(tmp_path / "elsewhere" / "media" / "stories" / "one" / "two" / "image.png") == (
        0o600
    )


def loosen(data_dir: Path) -> sqlite3.Connection:
    """Make the data dir as an older bedtales left it: 0755 and 0644. The connection
    returned keeps the -wal and -shm in being (SQLite removes them at the last close)."""
    keeper = sqlite3.connect(data_dir / "bedtales.db")
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("CREATE TABLE IF NOT EXISTS kept_open (x)")
    keeper.commit()
    data_dir.chmod(0o755)
    for name in (*SQLITE_FILES, "bedtales.toml"):
        (data_dir / name).chmod(0o644)
    return keeper


def test_init_tightens_what_an_older_bedtales_left_readable(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bedtales_init(data_dir)
    keeper = loosen(data_dir)
    try:
        bedtales_init(data_dir)
        assert mode(data_dir) == 0o700
        for name in (*SQLITE_FILES, "bedtales.toml"):
            assert mode(data_dir / name) == 0o600, name
    finally:
        keeper.close()


def test_a_settings_file_that_gains_its_link_secret_is_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    settings_file = data_dir / "bedtales.toml"
    settings_file.write_text('[text]\nengine = "builtin"\n')
    settings_file.chmod(0o644)
    bedtales_init(data_dir)
    assert "link_secret" in settings_file.read_text()
    assert load_settings(data_dir).media.link_secret is not None
    assert mode(settings_file) == 0o600
    assert mode(data_dir) == 0o700


def test_a_short_admin_token_is_refused_at_start(tmp_path: Path) -> None:
    token = "x" * 31
    result = runner.invoke(
        cli, ["init", "--data-dir", str(tmp_path)], env={"BEDTALES_ADMIN_TOKEN": token}
    )
    assert result.exit_code == 2, result.output
    assert "invalid setting admin_token (BEDTALES_ADMIN_TOKEN" in result.stderr
    assert "at least 32 characters" in result.stderr
    assert token not in result.output + result.stderr  # never printed
    assert not (tmp_path / "bedtales.db").exists()


def test_an_empty_admin_token_leaves_the_admin_api_off(tmp_path: Path) -> None:
    # `BEDTALES_ADMIN_TOKEN=` in an env file: unset, as before, not refused
    result = runner.invoke(
        cli, ["init", "--data-dir", str(tmp_path)], env={"BEDTALES_ADMIN_TOKEN": ""}
    )
    assert result.exit_code == 0, result.output
    assert load_settings(tmp_path, admin_token="").admin_token is None


def test_a_32_character_admin_token_is_accepted(tmp_path: Path) -> None:
    token = "t" * 32
    done = subprocess.run(
        [sys.executable, "-m", "bedtales", "init", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "BEDTALES_ADMIN_TOKEN": token},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    settings = load_settings(tmp_path, admin_token=token)
    assert settings.admin_token is not None
    assert settings.admin_token.get_secret_value() == token


def test_a_short_admin_token_stops_the_web_process(tmp_path: Path) -> None:
    bedtales_init(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bedtales", "web", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "BEDTALES_ADMIN_TOKEN": "change-me"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "invalid setting admin_token (BEDTALES_ADMIN_TOKEN" in done.stderr
    assert "change-me" not in done.stdout + done.stderr


def test_sqlite_creates_a_new_database_private_without_any_chmod(tmp_path: Path) -> None:
    """The file is made 0600 before SQLite opens it, not tightened afterwards: a plain
    connection, no migration, no init."""
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        with db.session() as session:
            session.execute(text("CREATE TABLE t (x)"))
        for name in ("fresh.db", "fresh.db-wal", "fresh.db-shm"):
            assert mode(tmp_path / name) == 0o600, name
    finally:
        db.dispose()
