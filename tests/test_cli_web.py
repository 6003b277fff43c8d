"""`bedtales web`: a real uvicorn in a child process, stopped the way people and systemd do."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from bedtales import services, subscribers
from bedtales.app import App
from bedtales.cli import app
from bedtales.domain import Story
from bedtales.runner import Runner, RunOptions
from servers.smtp import SmtpServer

START_TIMEOUT_S = 30.0
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_web_help_names_its_options() -> None:
    result = runner.invoke(app, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data-dir"):
        assert option in result.stdout


def test_web_refuses_a_port_out_of_range(data_dir: Path) -> None:
    result = runner.invoke(app, ["web", "--port", "70000", "--data-dir", str(data_dir)])
    assert result.exit_code == 2


def wait_until_healthy(process: subprocess.Popen[str], address: str) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()
        try:
            return httpx.get(f"{address}/healthz", timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "bedtales web did not start"
            time.sleep(0.1)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_web_serves_until_stopped_then_exits_cleanly(data_dir: Path, stop: signal.Signals) -> None:
    port = free_port()
    command = [sys.executable, "-m", "bedtales", "web", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        address = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(process, address).json() == {"status": "ok"}
        assert httpx.get(f"{address}/readyz", timeout=5).status_code == 200
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"bedtales web on {address}" in stdout
    assert "Traceback" not in stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_run_writes_a_first_story_completes_it_and_stops_cleanly(
    data_dir: Path, stop: signal.Signals
) -> None:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bedtales", "run", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_healthy(process, address)
        bedtales = App.open(data_dir)
        try:
            deadline = time.monotonic() + 60
            while True:
                [story] = services.list_stories(bedtales.db)  # written at once, one only
                if story.image.state == story.audio.state == "done":
                    break
                assert time.monotonic() < deadline, "the first story was never completed"
                time.sleep(0.2)
        finally:
            bedtales.close()
        page = httpx.get(f"{address}/stories/{story.id}", timeout=5)
        assert page.status_code == 200
        assert story.title.split()[0] in page.text
    finally:
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert f"/stories/{story.id}" in stdout  # the link to the first story is printed
    for step in ("written for home", "illustrated", "narrated"):
        assert step in stderr  # one readable line per story step


def test_run_writes_no_first_story_when_there_is_one(data_dir: Path) -> None:
    bedtales = App.open(data_dir)
    try:
        bedtales.write_story(seed=1)
        runner_ = Runner(bedtales, RunOptions(host="127.0.0.1", port=free_port()))
        assert runner_.first_story() is None
    finally:
        bedtales.close()


def test_run_tells_the_family_of_the_first_story_and_of_each_firing(
    data_dir: Path, smtp_server: SmtpServer
) -> None:
    """What a family sees: `bedtales run` writes a story at once, then another when a
    schedule fires, each painted, narrated and emailed (to a real SMTP server)."""
    bedtales = App.open(data_dir)
    subscribers.add_subscriber(bedtales.db, "home", smtp_server.url(), label="family")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtales", "run", "--data-dir", str(data_dir),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        [first] = wait_for_complete_stories(bedtales, 1)
        smtp_server.wait_for(1, timeout_s=60)
        soon = (datetime.now(UTC) + timedelta(seconds=3)).astimezone(ZoneInfo("Europe/London"))
        added = runner.invoke(
            app,
            ["schedule", "add", f"at({soon:%Y-%m-%dT%H:%M:%S})", "--name", "soon",
             "--data-dir", str(data_dir)],
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        stories = wait_for_complete_stories(bedtales, 2)
        [second] = [story for story in stories if story.id != first.id]
        messages = smtp_server.wait_for(2, timeout_s=60)
    finally:
        bedtales.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    links = [message.get_body(("plain",)).get_content() for message in messages]  # type: ignore[union-attr]
    assert f"/stories/{first.id}" in links[0]
    assert f"/stories/{second.id}" in links[1]
    assert "scheduler: fired 1 schedule(s)" in stderr
    assert f"schedule soon of home: story {second.id}" in stderr


def wait_for_complete_stories(bedtales: App, count: int) -> list[Story]:
    deadline = time.monotonic() + 90
    while True:
        stories = services.list_stories(bedtales.db)
        assert len(stories) <= count, f"more stories than expected: {stories}"
        if len(stories) == count and all(s.image.state == s.audio.state == "done" for s in stories):
            return stories
        assert time.monotonic() < deadline, f"{count} complete stories never came: {stories}"
        time.sleep(0.2)
