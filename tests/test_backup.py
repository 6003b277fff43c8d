"""`bedtales backup` and `bedtales restore`, as a family uses them: real `bedtales` processes
on a real data directory. A backup taken while `bedtales run` writes and paints stories is
restored into a new folder, and a `bedtales web` on it serves the same page, picture and
narration, with the same characters, schedules, subscribers and households. A file that is
not a whole backup this bedtales can read is refused, and nothing is written."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import create_engine
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.cli.main import cli
from bedtales.households import services
from bedtales.storage.backup import FORMAT, MANIFEST
from bedtales.storage.database import HEAD_REVISION, _alembic_config
from servers.seaweedfs import free_ports
from servers.smtp import SmtpServer

START_TIMEOUT_S = 60.0
ADMIN_TOKEN = "a" * 40
SMTP_PASSWORD = "hunter2-but-longer"
runner = CliRunner()
ENV = {"BEDTALES_SPEECH__ENGINE": "espeak"}  # quick to narrate


def bedtales(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The installed command, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "bedtales", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=120,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def as_json(*args: str | Path) -> Any:
    return json.loads(bedtales(*args).stdout)


@contextmanager
def serving(*args: str | Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`bedtales ARGS --port P` in a child process until the block ends, with ``env`` on top
    of this one's; yields its address."""
    [port] = free_ports(1)
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtales", *map(str, args), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENV, **(env or {})},
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, process.communicate()
            try:
                httpx.get(f"{address}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"bedtales {args[0]} did not start"
                time.sleep(0.1)
        yield address
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        assert "Traceback" not in stderr, stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def complete_stories(data_dir: Path) -> list[str]:
    opened = App.open(data_dir)
    try:
        return [
            s.id
            for s in services.list_stories(opened.db)
            if s.image.state == s.audio.state == "done"
        ]
    finally:
        opened.close()


def wait_for(condition: Callable[[], object], what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def family(data_dir: Path, smtp_server: SmtpServer) -> None:
    """A household with what a family sets up: characters, a second schedule, a subscriber,
    a second household, and secrets in bedtales.toml."""
    bedtales("init", "--data-dir", data_dir, "--timezone", "Europe/London")
    bedtales("characters", "add", "Eric", "Dave", "--data-dir", data_dir)
    bedtales("schedule", "add", "0 7 * * 6", "--name", "saturday", "--data-dir", data_dir)
    bedtales("subscribers", "add", smtp_server.url(), "--label", "family", "--data-dir", data_dir)
    bedtales("households", "add", "grandma", "--timezone", "Europe/Paris", "--data-dir", data_dir)
    settings = data_dir / "bedtales.toml"
    text = settings.read_text()
    text = f'admin_token = "{ADMIN_TOKEN}"\n{text}\n[smtp]\npassword = "{SMTP_PASSWORD}"\n'
    settings.write_text(text)


def listings(data_dir: Path) -> dict[str, Any]:
    """What the family sees of its set-up, through the commands' JSON."""
    where = ("--data-dir", data_dir)
    return {
        "households": as_json("households", "list", "--json", *where),
        "characters": as_json("characters", "list", "--json", *where),
        "schedules": as_json("schedule", "list", "--json", *where),
        "subscribers": as_json("subscribers", "list", "--json", *where),
        "grandma": as_json("characters", "list", "--json", "-H", "grandma", *where),
    }


def media_links(page: httpx.Response) -> tuple[str, str]:
    picture = re.search(r'<img src="([^"]+)"', page.text)
    audio = re.search(r'<audio [^>]*src="([^"]+)"', page.text)
    assert picture is not None, page.text
    assert audio is not None, page.text
    return str(page.url.join(unescape(picture[1]))), str(page.url.join(unescape(audio[1])))


def test_a_backup_taken_while_bedtales_runs_restores_to_the_same_site(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    data_dir, restored, archive = tmp_path / "data", tmp_path / "restored", tmp_path / "b.tar.gz"
    family(data_dir, smtp_server)
    before = listings(data_dir)
    with serving("run", "--data-dir", data_dir) as address:
        # `run` writes a first story at once and paints and narrates it
        wait_for(lambda: complete_stories(data_dir), "the first story was never completed")
        [story] = complete_stories(data_dir)
        old_link = httpx.get(f"{address}/api/stories/{story}", timeout=5).json()["image"]["url"]
        # more stories while the backup runs: the database and the media folder both change
        writing = threading.Thread(
            target=lambda: [bedtales("story", "new", "--data-dir", data_dir) for _ in range(3)]
        )
        writing.start()
        made = as_json("backup", archive, "--data-dir", data_dir, "--json")
        writing.join()
    assert made["missingMedia"] == []
    assert made["counts"]["households"] == 2
    assert made["counts"]["subscribers"] == 1
    assert made["secretsLeftOut"] == ["admin_token", "media.link_secret", "smtp.password"]
    assert mode(archive) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers

    done = as_json("restore", archive, "--data-dir", restored, "--json")
    assert done["newLinkSecret"] is True
    assert done["secretsToSet"] == ["admin_token", "smtp.password"]
    assert done["counts"] == made["counts"]
    assert listings(restored) == before  # households (their private pages too), and the rest
    restored_ids = {s["id"] for s in as_json("story", "list", "--json", "--data-dir", restored)}
    assert story in restored_ids
    assert restored_ids <= {
        s["id"] for s in as_json("story", "list", "--json", "--data-dir", data_dir)
    }
    assert made["counts"]["stories"] == len(restored_ids)

    # every story the backup has as painted and narrated is whole in the restored media
    with sqlite3.connect(restored / "bedtales.db") as db:
        done_keys = db.execute(
            "SELECT image_key FROM stories WHERE image_state = 'done' UNION ALL "
            "SELECT audio_key FROM stories WHERE audio_state = 'done'"
        ).fetchall()
    for (key,) in done_keys:
        assert (restored / "media" / key).read_bytes() == (data_dir / "media" / key).read_bytes()

    with serving("web", "--data-dir", restored) as address:
        page = httpx.get(f"{address}/stories/{story}", timeout=5)
        assert page.status_code == 200
        picture, audio = media_links(page)
        original = data_dir / "media" / "stories" / story
        assert httpx.get(picture, timeout=5).content == (original / "image.png").read_bytes()
        assert httpx.get(audio, timeout=5).content == (original / "audio.mp3").read_bytes()
        # the link in a message sent before was signed with the old secret, left out
        assert (
            httpx.get(address + httpx.URL(old_link).raw_path.decode(), timeout=5).status_code == 403
        )
        token = before["households"][0]["page"].rsplit("/", 1)[1]
        assert httpx.get(f"{address}/households/{token}", timeout=5).status_code == 200

    assert mode(restored) == 0o700
    for path in restored.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    settings = tomllib.loads((restored / "bedtales.toml").read_text())
    assert "admin_token" not in settings
    assert "password" not in settings["smtp"]
    assert settings["media"]["link_secret"] != link_secret(data_dir)


def link_secret(data_dir: Path) -> str:
    secret: str = tomllib.loads((data_dir / "bedtales.toml").read_text())["media"]["link_secret"]
    return secret


# ----------------------------------------------------------------------------- one story


@pytest.fixture(scope="module")
def painted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with one painted story and secrets in its settings."""
    data_dir = tmp_path_factory.mktemp("painted") / "data"
    bedtales("init", "--data-dir", data_dir)
    settings = data_dir / "bedtales.toml"
    settings.write_text(f'admin_token = "{ADMIN_TOKEN}"\n{settings.read_text()}')
    opened = App.open(data_dir)
    try:
        story = opened.write_story(seed=3)
        event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")
        opened.run_delivery(Delivery(event, "illustrate", attempt=1, receipt="r1"))
    finally:
        opened.close()
    return data_dir


@pytest.fixture(scope="module")
def good(painted: Path) -> Path:
    archive = painted.parent / "good.tar"
    bedtales("backup", archive, "--data-dir", painted)
    return archive


def test_with_secrets_keeps_the_link_secret_and_old_links(painted: Path, tmp_path: Path) -> None:
    archive, restored = tmp_path / "secret.tar", tmp_path / "restored"
    made = bedtales("backup", archive, "--with-secrets", "--data-dir", painted)
    assert "Left out" not in made.stdout
    done = bedtales("restore", archive, "--data-dir", restored)
    assert "new media.link_secret" not in done.stdout
    assert link_secret(restored) == link_secret(painted)
    assert tomllib.loads((restored / "bedtales.toml").read_text())["admin_token"] == ADMIN_TOKEN


def test_without_secrets_says_what_is_left_out_and_what_it_means(
    painted: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "plain.tar"
    made = bedtales("backup", archive, "--data-dir", painted)
    assert "Left out: admin_token, media.link_secret" in made.stdout
    assert "links in messages already sent stop working" in made.stdout
    with tarfile.open(archive) as tar:
        member = tar.extractfile("bedtales.toml")
        assert member is not None
        kept = member.read().decode()
    assert ADMIN_TOKEN not in kept
    assert link_secret(painted) not in kept
    done = bedtales("restore", archive, "--data-dir", tmp_path / "restored")
    assert "A new media.link_secret was made" in done.stdout
    assert "Set again after a restore: admin_token (BEDTALES_ADMIN_TOKEN)" in done.stdout


SECRET = "s3cr3t-" + "q" * 40
SMTP = 'host = "mail.example.com"\nsender = "b@example.com"\n'


@pytest.mark.parametrize(
    ("written", "refused"),
    [
        (f'ADMIN_TOKEN = "{SECRET}"\n', False),  # names are read in any case
        (f'[SMTP]\n{SMTP}password = "{SECRET}"\n', False),
        (f'[Media]\nlink_secret = "{SECRET}"\n', False),
        (f'media.link_secret = "{SECRET}"\n', False),  # a dotted key, its table's only one
        (f'[smtp]\n{SMTP}password = """{SECRET}\nmore"""\n', True),
        (f'smtp = {{ host = "h", sender = "b@example.com", password = "{SECRET}" }}\n', True),
    ],
)
def test_a_secret_however_it_is_written_never_goes_into_a_plain_backup(
    tmp_path: Path, written: str, refused: bool
) -> None:
    data_dir = tmp_path / "data"
    bedtales("init", "--data-dir", data_dir)
    (data_dir / "bedtales.toml").write_text(written)
    archive = tmp_path / "plain.tar"
    made = bedtales("backup", archive, "--data-dir", data_dir, check=False)
    if refused:
        assert made.returncode == 2, made.stderr
        assert "--with-secrets" in made.stderr
        assert "Traceback" not in made.stderr
        assert not archive.exists()
        return
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        member = tar.extractfile("bedtales.toml")
        assert member is not None
        kept = member.read().decode()
    assert SECRET not in kept
    assert "Left out:" in made.stdout


def test_the_archive_starts_with_a_manifest_of_every_member(good: Path) -> None:
    with tarfile.open(good) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        for member in manifest["members"]:
            data = tar.extractfile(member["name"]).read()  # type: ignore[union-attr]
            assert hashlib.sha256(data).hexdigest() == member["sha256"]
    assert names[0] == MANIFEST
    assert names[1:] == [m["name"] for m in manifest["members"]]
    assert manifest["format"] == FORMAT
    assert manifest["schema_revision"] == HEAD_REVISION
    assert any(name.endswith("/image.png") for name in names)


# ----------------------------------------------------------------------------- bad input


def restore_refused(archive: Path, target: Path) -> str:
    """Restore ``archive`` into ``target``; it must be refused, exit 2, nothing written."""
    before = sorted(target.parent.iterdir())
    result = runner.invoke(cli, ["restore", str(archive), "--data-dir", str(target)])
    assert result.exit_code == 2, result.output
    assert sorted(target.parent.iterdir()) == before  # no target, no temporary folder
    return result.stderr


def rebuilt(
    good: Path,
    into: Path,
    *,
    manifest: Callable[[dict[str, Any]], object] = lambda m: None,
    member: Callable[[str, bytes], bytes] = lambda name, data: data,
    skip: tuple[str, ...] = (),
) -> Path:
    """A copy of the good backup with its manifest or members changed."""
    with tarfile.open(good) as tar:
        members = [(i.name, tar.extractfile(i).read()) for i in tar]  # type: ignore[union-attr]
    with tarfile.open(into, "w") as tar:
        for name, data in members:
            if name in skip:
                continue
            if name == MANIFEST:
                document = json.loads(data)
                manifest(document)
                data = json.dumps(document).encode()
            else:
                data = member(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return into


def test_a_truncated_backup_is_refused(good: Path, tmp_path: Path) -> None:
    for cut in (0.3, 0.9):
        truncated = tmp_path / f"cut-{cut}.tar"
        data = good.read_bytes()
        truncated.write_bytes(data[: int(len(data) * cut)])
        assert "truncated" in restore_refused(truncated, tmp_path / "new")


def test_a_truncated_compressed_backup_is_refused(painted: Path, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    bedtales("backup", archive, "--data-dir", painted)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    assert "truncated or damaged" in restore_refused(archive, tmp_path / "new")


def test_a_file_that_is_not_a_backup_is_refused(good: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("milk, eggs, bread\n" * 100)
    assert "not a bedtales backup: not a tar file" in restore_refused(text, tmp_path / "new")
    no_manifest = rebuilt(good, tmp_path / "bare.tar", skip=(MANIFEST,))
    assert "does not start with manifest.json" in restore_refused(no_manifest, tmp_path / "new")
    other = rebuilt(good, tmp_path / "other.tar", manifest=lambda m: m.update(format="zip"))
    assert "not a bedtales-backup manifest" in restore_refused(other, tmp_path / "new")
    missing = tmp_path / "missing.tar"
    assert "no backup file" in restore_refused(missing, tmp_path / "new")


def test_a_backup_from_a_newer_bedtales_is_refused(good: Path, tmp_path: Path) -> None:
    newer_format = rebuilt(good, tmp_path / "f.tar", manifest=lambda m: m.update(format_version=2))
    assert "made by a newer bedtales" in restore_refused(newer_format, tmp_path / "new")
    newer_schema = rebuilt(
        good, tmp_path / "s.tar", manifest=lambda m: m.update(schema_revision="9999")
    )
    refused = restore_refused(newer_schema, tmp_path / "new")
    assert f"database schema 9999; this bedtales knows up to {HEAD_REVISION}" in refused


def test_a_corrupted_member_is_refused(good: Path, tmp_path: Path) -> None:
    def flip(name: str, data: bytes) -> bytes:
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == "bedtales.db" else data

    corrupted = rebuilt(good, tmp_path / "c.tar", member=flip)
    assert "bedtales.db does not match its checksum" in restore_refused(corrupted, tmp_path / "n")
    with tarfile.open(good) as tar:
        picture = next(n for n in tar.getnames() if n.endswith("image.png"))
    short = rebuilt(good, tmp_path / "s.tar", skip=(picture,))
    assert f"1 file(s) missing, first {picture}" in restore_refused(short, tmp_path / "n")


def test_a_member_outside_the_data_dir_is_refused(good: Path, tmp_path: Path) -> None:
    def escape(document: dict[str, Any]) -> None:
        document["members"][-1]["name"] = "../../etc/evil"

    evil = rebuilt(good, tmp_path / "evil.tar", manifest=escape)
    assert "names '../../etc/evil'" in restore_refused(evil, tmp_path / "new")


def test_a_data_dir_that_is_not_empty_is_refused_and_left_alone(good: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("ours")
    assert "is not empty" in restore_refused(good, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "ours"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["restore", str(good), "--data-dir", str(empty)])
    assert result.exit_code == 0, result.output
    assert (empty / "bedtales.db").is_file()
    assert mode(empty) == 0o700


def test_an_older_schema_is_brought_up_to_date(good: Path, tmp_path: Path) -> None:
    """A backup from before the newest migration: restore migrates it."""
    with tarfile.open(good) as tar:
        database = tar.extractfile("bedtales.db").read()  # type: ignore[union-attr]
    old = tmp_path / "old.db"
    old.write_bytes(database)
    previous = f"{int(HEAD_REVISION) - 1:04d}"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, previous)
    engine.dispose()
    older = old.read_bytes()

    def downgrade(document: dict[str, Any]) -> None:
        document["schema_revision"] = previous
        for member in document["members"]:
            if member["name"] == "bedtales.db":
                member["size"], member["sha256"] = len(older), hashlib.sha256(older).hexdigest()

    archive = rebuilt(
        good,
        tmp_path / "old.tar",
        manifest=downgrade,
        member=lambda name, data: older if name == "bedtales.db" else data,
    )
    result = runner.invoke(cli, ["restore", str(archive), "--data-dir", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert f"schema {previous}, brought up to {HEAD_REVISION}" in result.stdout
    with sqlite3.connect(tmp_path / "new" / "bedtales.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,
        )


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("BEDTALES_DATABASE_URL", "postgresql+psycopg://bedtales@127.0.0.1:1/x", "database_url"),
        ("BEDTALES_MEDIA__STORE", "s3", "media.store"),
    ],
)
def test_a_many_machine_set_up_is_refused_with_the_way_to_back_it_up(
    painted: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    named: str,
) -> None:
    monkeypatch.setenv(variable, value)
    archive = tmp_path / "b.tar"
    result = runner.invoke(cli, ["backup", str(archive), "--data-dir", str(painted)])
    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert "docs/deploy.md" in result.stderr
    assert not archive.exists()


def test_a_backup_replaces_the_file_whole_and_leaves_nothing_beside_it(
    painted: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "nightly.tar"
    archive.write_bytes(b"yesterday's")
    result = runner.invoke(cli, ["backup", str(archive), "--data-dir", str(painted)])
    assert result.exit_code == 0, result.output
    assert tarfile.is_tarfile(archive)
    assert [p.name for p in tmp_path.iterdir()] == ["nightly.tar"]
    folder = runner.invoke(cli, ["backup", str(tmp_path), "--data-dir", str(painted)])
    assert folder.exit_code == 2
    assert "is a folder" in folder.stderr


def test_a_missing_picture_is_named_and_one_of_an_expired_story_is_not(
    painted: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(painted, data_dir)
    [folder] = (data_dir / "media" / "stories").iterdir()
    (folder / "image.png").unlink()  # lost, say, to a disk error
    key = f"stories/{folder.name}/image.png"
    archive = tmp_path / "b.tar"
    made = bedtales("backup", archive, "--json", "--data-dir", data_dir)
    assert json.loads(made.stdout)["missingMedia"] == [key]
    assert f"warning: {key} is missing" in made.stderr
    done = bedtales("restore", archive, "--data-dir", tmp_path / "restored")
    assert f"warning: {key} was missing when the backup was made" in done.stderr

    # the sweeper removes an expired story's files while the backup runs: no warning
    with sqlite3.connect(data_dir / "bedtales.db") as db:
        db.execute("UPDATE stories SET expires_at = '2001-01-01 00:00:00.000000'")
    made = bedtales("backup", archive, "--json", "--data-dir", data_dir)
    assert json.loads(made.stdout)["missingMedia"] == []
    assert json.loads(made.stdout)["expiredMeanwhile"] == 1
    assert "warning" not in made.stderr
