"""`bedtales web`: a real uvicorn in a child process, stopped the way people and systemd do."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bedtales import services
from bedtales.app import App
from bedtales.cli import app
from bedtales.runner import Runner, RunOptions

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
