"""Pieces for running bedtales as a cluster of processes, for the many-machine tests and the
chaos test and benchmark: a Redis server and a PostgreSQL cluster of their own (so they can
be killed and restarted without touching the machine's shared ones), and bedtales commands
as child processes that can be killed with SIGKILL and started again.

Redis: ``redis-server`` from PATH, on a free port, its data in a folder of its own, with
``appendonly yes`` (as docs/bus.md asks of a deployment). PostgreSQL: a throw-away cluster
made by ``initdb`` and run by ``pg_ctl`` on a free port (from PATH, else
/usr/lib/postgresql/*/bin). PostgreSQL refuses to run as root: as root the cluster belongs
to the ``postgres`` user and its commands run through ``runuser``.

A missing binary or a server that does not come up raises :class:`Unavailable` with the
reason; a test turns that into ``require_service`` (skip locally, fail in CI).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from servers.seaweedfs import free_ports

START_TIMEOUT_S = 40.0
STOP_TIMEOUT_S = 30.0
SERVER_START_TIMEOUT_S = 60.0


class Unavailable(Exception):
    """A server could not be made or started; the message says why."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise Unavailable(f"no `{name}` on PATH")
    return found


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ----------------------------------------------------------------------------- Redis


class OwnRedis:
    """A ``redis-server`` of this run's own, with the append-only file on, that can be
    killed and started again on the same port and data folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_ports(1)[0]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.restarts = 0
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            _binary("redis-server"),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--appendonly",
            "yes",
            "--save",
            "",  # the append-only file alone: what a restart must bring back
            "--logfile",
            str(self.log),
        ]
        self._popen = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self._answers():
            if self._popen.poll() is not None:
                raise Unavailable(f"redis-server exited with {self._popen.returncode}")
            if time.monotonic() > deadline:
                raise Unavailable(f"redis-server not up in {SERVER_START_TIMEOUT_S:.0f} s")
            time.sleep(0.1)

    def _answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        try:
            # LOADING while it reads the append-only file back: not up yet
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL, as a crash: what Redis has not written to its file is lost."""
        if self._popen is not None and self._popen.poll() is None:
            self._popen.kill()
            self._popen.wait(10)

    def restart(self, down_s: float) -> None:
        """Kill it, leave it down ``down_s`` seconds, start it again on the same port."""
        self.kill()
        time.sleep(down_s)
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        if self._popen is not None and self._popen.poll() is None:
            self._popen.terminate()
            try:
                self._popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def own_redis(directory: Path) -> Iterator[OwnRedis]:
    directory.mkdir(parents=True, exist_ok=True)
    server = OwnRedis(directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# ----------------------------------------------------------------------------- PostgreSQL


class OwnPostgres:
    """A throw-away PostgreSQL cluster (``initdb``) on a free port, run by ``pg_ctl``, that
    can be stopped as by a crash (``-m immediate``) and started again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.sockets = directory / "sockets"
        self.log = directory / "postgres.log"
        self.port = free_ports(1)[0]
        self.restarts = 0
        self.as_root = os.geteuid() == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = SERVER_START_TIMEOUT_S) -> None:
        # PostgreSQL refuses to run as root: then the cluster is the postgres user's
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        done = subprocess.run(
            [*prefix, *command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
            raise Unavailable(
                f"{' '.join(command[:2])} failed ({done.returncode}): {output}\n"
                f"{_log_tail(self.log)}"
            )

    def create(self) -> None:
        self.sockets.mkdir(parents=True)
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        # trust on 127.0.0.1 and no fsync: a test cluster, thrown away afterwards
        self._run(
            _binary("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.sockets} "
            "-c fsync=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            _binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_s: float) -> None:
        """Stop it as a crash would (``immediate``: no checkpoint, recovery at start), leave
        it down ``down_s`` seconds, start it again."""
        self.stop("immediate")
        time.sleep(down_s)
        self.start()
        self.restarts += 1

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)


@contextlib.contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A cluster in a folder of its own under the system's temporary folder (the postgres
    user must reach it: pytest's tmp_path belongs to root, 0700), removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="bedtales-pg-"))
    server = OwnPostgres(directory)
    try:
        server.create()
        server.start()
        yield server
    finally:
        with contextlib.suppress(Unavailable, OSError, subprocess.TimeoutExpired):
            server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


# ----------------------------------------------------------------------------- SMTP


@contextlib.contextmanager
def smtp_running() -> Iterator[object]:
    """The tests' SMTP server (servers/smtp.py) outside a pytest fixture, for benchmarks."""
    from aiosmtpd.controller import Controller

    from servers.smtp import SmtpServer, _free_port, _Handler

    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()


# ----------------------------------------------------------------------------- bedtales


@dataclass
class Process:
    """A bedtales command running as a child process, its output in a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    ready_line: str

    def tail(self, lines: int = 25) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def ready(self) -> bool:
        return self.log.exists() and self.ready_line in self.log.read_text(errors="replace")


def start(data_dir: Path, logs: Path, name: str, ready_line: str, *command: str) -> Process:
    """``bedtales -v <command> --data-dir <data_dir>``, its output in ``logs/<name>.log``."""
    log = logs / f"{name}.log"
    with open(log, "wb") as output:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bedtales", "-v", *command, "--data-dir", str(data_dir)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Process(name, popen, log, ready_line)


def tails(processes: list[Process], lines: int = 25) -> str:
    return "".join(
        f"\n--- {p.name} (exit {p.popen.poll()}) ---\n{p.tail(lines)}" for p in processes
    )


def wait_for(
    condition: Callable[[], bool],
    timeout_s: float,
    processes: list[Process],
    progress: Callable[[], str] = str,
) -> None:
    """Wait until ``condition`` holds; fail with the progress made and the processes' logs
    if one of them dies or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        died = [p.name for p in processes if p.popen.poll() is not None]
        assert not died, f"{', '.join(died)} stopped early; {progress()}{tails(processes)}"
        if time.monotonic() > deadline:
            pytest.fail(f"not there after {timeout_s:.0f} s; {progress()}{tails(processes)}")
        time.sleep(0.25)


def stop_all(processes: list[Process]) -> None:
    """SIGTERM to every process still running, then wait (SIGKILL after STOP_TIMEOUT_S)."""
    for process in processes:
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.popen.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(10)


@dataclass
class Member:
    """One place in the cluster (``worker-1``…) and the processes that held it: killed with
    SIGKILL and started again, each life logging to a file of its own."""

    name: str
    kind: str  # "scheduler", "worker" or "web"
    ready_line: str
    command: tuple[str, ...]
    data_dir: Path
    logs: Path
    lives: list[Process] = field(default_factory=list)
    kills: int = 0
    # starts refused (exit 1 before ready: a server it needs was down), started again as
    # systemd's Restart=on-failure does
    refused_starts: int = 0
    # lives that ended by themselves once running, or refused to start with another code:
    # (life's name, exit code, log tail)
    exits: list[tuple[str, int, str]] = field(default_factory=list)
    stopped: bool = False  # told to stop: its end is no surprise

    @property
    def process(self) -> Process:
        return self.lives[-1]

    def start(self) -> Process:
        life = start(
            self.data_dir,
            self.logs,
            f"{self.name}.{len(self.lives) + 1}",
            self.ready_line,
            *self.command,
        )
        self.lives.append(life)
        return life

    def kill(self) -> None:
        """SIGKILL, as a machine lost or a process killed by the OOM killer."""
        popen = self.process.popen
        if popen.poll() is None:
            popen.kill()
            popen.wait(10)
            self.kills += 1

    def stop(self) -> None:
        """SIGTERM, as systemd stops it."""
        self.stopped = True
        if self.process.popen.poll() is None:
            self.process.popen.send_signal(signal.SIGTERM)

    def exited_by_itself(self) -> bool:
        """Whether the current life ended though nobody killed or stopped it; then it is
        started again, as systemd's ``Restart=on-failure`` would. A start refused with exit
        1 (a server it needs is down: the units restart it) is counted in
        ``refused_starts``; any other end is noted in ``exits``."""
        life = self.process
        code = life.popen.poll()
        if code is None or self.stopped:
            return False
        if code == 1 and not life.ready():
            self.refused_starts += 1
        else:
            self.exits.append((life.name, code, life.tail(40)))
        self.start()
        return True
