"""The backup of a many-machine deployment, as docs/deploy.md writes it: its two shell blocks
(back up, restore) are taken from the page and run as they are, with `pg_dump`/`pg_restore`
against the real PostgreSQL and `aws s3` against a real SeaweedFS. A bedtales on the restored
database and bucket then serves the same story, picture and narration. The page and the test
cannot drift apart: change the commands there and this runs the new ones."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from conftest import require_service
from servers.seaweedfs import S3Server
from test_backup import serving

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "deploy.md"
ENV_FILE_IN_DOC = "/etc/bedtales/bedtales.env"
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_S = 60.0


def backup_blocks() -> list[str]:
    """The ```sh blocks of the Backups section of docs/deploy.md: back up, then restore."""
    page = DOC.read_text()
    section = page[page.index("\n## Backups\n") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2, "the Backups section should have a back-up and a restore block"
    return blocks


def tool(name: str) -> str:
    """``name`` from this virtualenv (awscli is a dev dependency), else from PATH."""
    beside = VENV_BIN / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        require_service(name, f"no `{name}` beside python or on PATH")
    assert found is not None
    return found


@pytest.fixture
def databases(postgres_server_url: str) -> Iterator[tuple[str, str]]:
    """Two empty databases of this test's own: the deployment's and the one to restore into."""
    url = make_url(postgres_server_url)
    names = [f"{url.database}_{kind}_{uuid.uuid4().hex[:6]}" for kind in ("old", "new")]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        old, new = (url.set(database=n).render_as_string(hide_password=False) for n in names)
        yield old, new
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def deployment(database_url: str, s3: S3Server, bucket: str) -> dict[str, str]:
    """The settings of a deployment, as its env file gives them."""
    return {
        "BEDTALES_DATABASE_URL": database_url,
        "BEDTALES_MEDIA__STORE": "s3",
        "BEDTALES_MEDIA__S3_ENDPOINT_URL": s3.endpoint_url,
        "BEDTALES_MEDIA__S3_BUCKET": bucket,
        "BEDTALES_MEDIA__S3_ACCESS_KEY_ID": s3.access_key_id,
        "BEDTALES_MEDIA__S3_SECRET_ACCESS_KEY": s3.secret_access_key,
        "BEDTALES_MEDIA__LINK_SECRET": "not-used-by-s3-but-set-as-the-doc-says",
        "BEDTALES_SPEECH__ENGINE": "espeak",
    }


def env_file(path: Path, settings: dict[str, str]) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return path


def run_block(block: str, settings_file: Path, cwd: Path) -> None:
    """Run a block of the page with bash, its env file being ``settings_file``; no other
    variable of ours reaches it."""
    assert ENV_FILE_IN_DOC in block
    script = block.replace(ENV_FILE_IN_DOC, str(settings_file))
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(cwd),  # no ~/.aws of the developer's
        "LANG": "C.UTF-8",
    }
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n---\n{done.stdout}\n{done.stderr}"


def bedtales(settings: dict[str, str], data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bedtales", *args, "--data-dir", str(data_dir)],
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def painted_and_narrated(settings: dict[str, str], data_dir: Path, monkeypatch: Any) -> str:
    """A story written, illustrated and narrated on the deployment; its id."""
    with monkeypatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)
        opened = App.open(data_dir)
        try:
            story = opened.write_story(seed=5)
            event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")
            for target in ("illustrate", "narrate"):
                opened.run_delivery(Delivery(event, target, attempt=1, receipt=target))
        finally:
            opened.close()
    return story.id


def keys(client: Any, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def test_the_documented_commands_back_up_and_restore_a_deployment(
    databases: tuple[str, str],
    s3_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("pg_dump", "pg_restore", "aws"):
        tool(name)
    old_db, new_db = databases
    suffix = uuid.uuid4().hex[:8]
    old_bucket, new_bucket = f"tales-{suffix}", f"restored-{suffix}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key_id,
        aws_secret_access_key=s3_server.secret_access_key,
    )
    client.create_bucket(Bucket=old_bucket)
    old, new = deployment(old_db, s3_server, old_bucket), deployment(new_db, s3_server, new_bucket)
    old_dir, new_dir, backups = tmp_path / "old", tmp_path / "new", tmp_path / "backups"
    backups.mkdir()

    bedtales(old, old_dir, "init", "--timezone", "Europe/London")
    bedtales(old, old_dir, "characters", "add", "Eric", "Dave")
    bedtales(old, old_dir, "subscribers", "add", "json://127.0.0.1:9/hook", "--label", "hook")
    story = painted_and_narrated(old, old_dir, monkeypatch)
    stored = keys(client, old_bucket)
    assert f"stories/{story}/image.png" in stored
    assert f"stories/{story}/audio.mp3" in stored

    back_up, restore = backup_blocks()
    run_block(back_up, env_file(tmp_path / "old.env", old), backups)
    dump = backups / "bedtales.pgdump"
    assert dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o077 == 0  # umask 077: the dump is private
    run_block(restore, env_file(tmp_path / "new.env", new), backups)

    assert keys(client, new_bucket) == stored
    for listing in (("characters", "list", "--json"), ("subscribers", "list", "--json")):
        assert bedtales(new, new_dir, *listing) == bedtales(old, old_dir, *listing)
    with serving("web", "--data-dir", new_dir, env=new) as address:
        page = httpx.get(f"{address}/stories/{story}", timeout=5)
        assert page.status_code == 200
        picture = re.search(r'<img src="([^"]+)"', page.text)
        audio = re.search(r'<audio [^>]*src="([^"]+)"', page.text)
        assert picture is not None, page.text
        assert audio is not None, page.text
        for link, key in ((picture[1], "image.png"), (audio[1], "audio.mp3")):
            url = unescape(link)
            assert f"/{new_bucket}/" in url  # the restored bucket serves it
            assert httpx.get(url, timeout=10).content == stored[f"stories/{story}/{key}"]
