"""What the Redis bus checks when it starts: that Redis keeps its data across a restart.

Each test starts its own ``redis-server`` on a free port in a temporary folder, with the
persistence settings under test, and stops it afterwards: the shared Redis the other tests
use is configured by whoever runs them, so it cannot show both answers.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from bedtales.bus.backends.redis import RedisBackend

SERVICE = "redis-server"
STARTUP_TIMEOUT_S = 30.0
LOGGER = "bedtales.bus.backends.redis"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_server(directory: Path, *options: str) -> Iterator[str]:
    """A throw-away ``redis-server`` with these options; yields its URL."""
    from conftest import require_service

    binary = shutil.which("redis-server")
    if binary is None:
        require_service(SERVICE, "no `redis-server` on PATH")
    port = free_port()
    command = [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    log_path = directory / "redis.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen([*command, *options], stdout=log_file, stderr=log_file)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_until_ready(process, url, log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    from conftest import require_service

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                require_service(SERVICE, f"it exited: {log_path.read_text(errors='replace')}")
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        require_service(SERVICE, f"no answer in {STARTUP_TIMEOUT_S} s")
    finally:
        client.close()


def start_bus(url: str, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Build the Redis bus against ``url``; the records its persistence check logged."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        RedisBackend(url, bus="startup-check")
    return [r for r in caplog.records if r.name == LOGGER and "persist" in r.getMessage()]


def test_redis_without_persistence_is_a_clear_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with redis_server(tmp_path, "--save", "", "--appendonly", "no") as url:
        records = start_bus(url, caplog)
    assert [r.levelno for r in records] == [logging.WARNING]
    message = records[0].getMessage()
    assert "does not persist" in message
    assert "dead letters" in message
    assert "appendonly yes" in message
    assert url.split("/0")[0].removeprefix("redis://") in message


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--save", "", "--appendonly", "yes"), id="aof"),
        pytest.param(("--save", "3600 1", "--appendonly", "no"), id="rdb"),
    ],
)
def test_redis_that_persists_starts_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, options: tuple[str, ...]
) -> None:
    with redis_server(tmp_path, *options) as url:
        records = start_bus(url, caplog)
    assert records == []


def test_redis_that_hides_its_config_is_said_at_info_level(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Managed Redis often refuses CONFIG: the bus starts and says it could not tell."""
    with redis_server(tmp_path, "--save", "", "--rename-command", "CONFIG", "") as url:
        records = start_bus(url, caplog)
    assert [r.levelno for r in records] == [logging.INFO]
    assert "could not check whether Redis" in records[0].getMessage()
