"""A full disk: `bedtales web` and `bedtales worker` as real processes while the media store's
disk, or the database's, has no space left (a small tmpfs filled with a ballast file).

What must hold: the failing work retries and then dead-letters with the disk's reason where
the bus can still write (media store full), or waits and carries on by itself where it cannot
(the database, which holds the bus, full); nothing already stored is damaged (earlier media
byte for byte, SQLite's integrity check); the site keeps serving the earlier stories; and once
space is freed the story completes. Mounting needs root: under CI=true a refused mount fails.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from bedtales.app import App, initialise
from bedtales.bus.events import Delivery
from bedtales.domain import Story
from bedtales.households import services
from bedtales.media import IMAGE, story_key
from bedtales.media.local import LocalMediaStore
from conftest import require_service
from servers.seaweedfs import free_ports

START_TIMEOUT_S = 40.0
DONE_TIMEOUT_S = 90.0  # a generous bound on a slow machine; not a timing assertion
STOP_TIMEOUT_S = 30.0
RETRY_S = 2.0  # the worker's pause after the bus failed (bus.worker.RETRY_S)
# short retries: three attempts within a second or two, then the dead-letter queue
QUICK_RETRIES = """
[bus]
lease_s = 5

[bus.targets.illustrate]
max_attempts = 3
base_delay_s = 0.2
max_delay_s = 0.5

[bus.targets.narrate]
max_attempts = 3
base_delay_s = 0.2
max_delay_s = 0.5
"""
MEDIA_LINK = re.compile(r"""(/media/stories/[^"'\s<>]+)""")


# ------------------------------------------------------------------------------ a small disk


@contextmanager
def tmpfs(folder: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted on ``folder`` (made if missing), unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or shutil.which("umount") is None:
        require_service("a tmpfs mount", "the mount and umount commands are missing")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        require_service(
            "a tmpfs mount",
            f"`mount -t tmpfs` on {folder} failed ({mounted.stderr.strip()}); run as root",
        )
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path, *, leave_bytes: int = 0) -> Path:
    """Fill the file system of ``folder`` with a ballast file until it refuses more, then
    free ``leave_bytes`` (rounded to pages) again; returns the ballast to delete later."""
    spacer = folder / "spacer"
    if leave_bytes:
        spacer.write_bytes(b"\0" * leave_bytes)
    ballast = folder / "ballast"
    descriptor = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        chunk = b"\0" * 65536
        while True:
            try:
                os.write(descriptor, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    finally:
        os.close(descriptor)
    spacer.unlink(missing_ok=True)
    return ballast


def initialise_quick(data_dir: Path) -> None:
    """A data directory whose picture and narration are retried quickly (QUICK_RETRIES)."""
    bedtales, _, _ = initialise(data_dir, timezone="Europe/London")
    bedtales.close()
    with (data_dir / "bedtales.toml").open("a") as settings:
        settings.write(QUICK_RETRIES)


def free_space(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


# ------------------------------------------------------------------------------ processes


@dataclass
class Process:
    """A bedtales command running as a child process, its output in a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> int:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.name} did not stop on SIGTERM:\n{self.tail()}") from None


@dataclass
class Site:
    """`bedtales web` and `bedtales worker` on one data directory."""

    data_dir: Path
    logs: Path
    web: Process
    worker: Process
    address: str

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.address}{path}", timeout=10)

    def stop(self) -> None:
        codes = {process.name: process.stop() for process in (self.worker, self.web)}
        assert codes == {"worker": 0, "web": 0}, f"{codes}\n{self.worker.tail()}"


def start(name: str, args: Sequence[str], data_dir: Path, logs: Path) -> Process:
    log = logs / f"{name}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bedtales", *args, "--data-dir", str(data_dir)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Process(name, popen, log)


@contextmanager
def running(data_dir: Path, logs: Path) -> Iterator[Site]:
    """The web app and a worker (with its pipe) as separate processes, stopped afterwards."""
    logs.mkdir(parents=True, exist_ok=True)
    port = free_ports(1)[0]
    web = start("web", ["web", "--host", "127.0.0.1", "--port", str(port)], data_dir, logs)
    worker = start("worker", ["worker", "--concurrency", "2"], data_dir, logs)
    site = Site(data_dir, logs, web, worker, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "worker serving" not in worker.text() or not _answers(site):
            for process in (web, worker):
                assert process.alive(), f"{process.name} exited:\n{process.tail()}"
            assert time.monotonic() < deadline, f"not up:\n{web.tail()}\n{worker.tail()}"
            time.sleep(0.1)
        yield site
    finally:
        for process in (worker, web):
            if process.alive():
                process.popen.kill()
                process.popen.wait()


def _answers(site: Site) -> bool:
    try:
        return site.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def wait_for(what: str, done: Callable[[], Any], site: Site) -> Any:
    """Poll ``done`` until it returns something true; the processes must stay up meanwhile."""
    deadline = time.monotonic() + DONE_TIMEOUT_S
    while not (result := done()):
        for process in (site.web, site.worker):
            assert process.alive(), f"{process.name} exited:\n{process.tail()}"
        assert time.monotonic() < deadline, f"{what} never came:\n{site.worker.tail()}"
        time.sleep(0.2)
    return result


# ------------------------------------------------------------------------------ the stories


def story(data_dir: Path, story_id: str) -> Story:
    bedtales = App.open(data_dir)
    try:
        return services.get_story(bedtales.db, story_id)
    finally:
        bedtales.close()


def write_story(data_dir: Path, seed: int) -> Story:
    bedtales = App.open(data_dir)
    try:
        return bedtales.write_story(seed=seed)
    finally:
        bedtales.close()


def complete(data_dir: Path, story_id: str) -> Story | None:
    found = story(data_dir, story_id)
    return found if found.image.state == found.audio.state == "done" else None


def served_media(site: Site, story_id: str) -> dict[str, bytes]:
    """The story's page (200) and every media file it links to (each 200), by name."""
    page = site.get(f"/stories/{story_id}")
    assert page.status_code == 200, page.text
    files = {}
    for link in {unescape(found) for found in MEDIA_LINK.findall(page.text)}:
        answer = site.get(link)
        assert answer.status_code == 200, (link, answer.status_code)
        files[link.split("?")[0].rsplit("/", 1)[1]] = answer.content
    assert IMAGE in files, f"the page links no picture: {sorted(files)}"
    return files


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def integrity(database: Path) -> str:
    """SQLite's own check of every page and index, on a read-only connection."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def dead_letters(data_dir: Path) -> list[Any]:
    bedtales = App.open(data_dir)
    try:
        return bedtales.bus.backend.dead_letters(None, 1000)
    finally:
        bedtales.close()


def bedtales_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bedtales", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400"},  # no table cell wrapped mid-reason
    )


def no_temporary_files(root: Path) -> list[str]:
    return [str(path) for path in root.rglob(".tmp-*")]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # espeak narrates in a fraction of a second (see conftest's data_dir)
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "espeak")


# ------------------------------------------------------------------------------ media store full


def test_a_full_disk_keeps_what_the_local_store_had_and_says_where_it_is(tmp_path: Path) -> None:
    """Replacing a picture on a full disk fails with the disk's reason, the key and the
    folder; the old picture stays whole and no temporary file is left."""
    with tmpfs(tmp_path / "media", size_kb=256) as root:
        store = LocalMediaStore(root, link_secret=None)
        key = story_key("a1b2", IMAGE)
        store.put(key, b"old picture", "image/png")
        ballast = fill(root, leave_bytes=8192)
        with pytest.raises(OSError, match="No space left on device") as refused:
            store.put(key, b"\xff" * 64 * 1024, "image/png")
        assert refused.value.errno == errno.ENOSPC
        assert str(refused.value) == (
            f"[Errno 28] No space left on device in {root}: cannot store {key} (65,536 bytes)"
        )
        assert store.get(key) == b"old picture"
        assert store.mime_type(key) == "image/png"
        assert no_temporary_files(root) == []
        ballast.unlink()
        store.put(key, b"new picture", "image/png")
        assert store.get(key) == b"new picture"


def test_a_full_media_disk_dead_letters_with_its_reason_and_a_replay_completes_the_story(
    environment: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The media folder on a small disk of its own (the database elsewhere): the first story
    fits, then the disk fills; the next picture and narration fail with ENOSPC, retry three
    times and are dead-lettered with the reason; no half-written file is left; the first
    story is served as before. Freed and replayed, the second story completes."""
    data_dir = tmp_path / "data"
    with tmpfs(tmp_path / "media", size_kb=4096) as media:
        monkeypatch.setenv("BEDTALES_MEDIA__LOCAL_DIR", str(media))
        initialise_quick(data_dir)
        with running(data_dir, tmp_path / "logs") as site:
            first = write_story(data_dir, seed=1)
            wait_for("the first story", lambda: complete(data_dir, first.id), site)
            before = digests(served_media(site, first.id))

            # room for a thumbnail (~46 KB) but not a picture (~130 KB) nor a narration:
            # the picture is written part way before the disk refuses it
            ballast = fill(media, leave_bytes=64 * 1024)
            second = write_story(data_dir, seed=2)
            failed = wait_for(
                "the dead letters",
                lambda: (
                    (s := story(data_dir, second.id)).image.state == s.audio.state == "failed" and s
                ),
                site,
            )
            for reason in (failed.image.error, failed.audio.error):
                assert reason is not None
                assert "No space left on device" in reason
                assert (
                    f"No space left on device in {media}: cannot store stories/{second.id}/"
                    in reason
                )
            letters = {letter.target: letter for letter in dead_letters(data_dir)}
            assert sorted(letters) == ["illustrate", "narrate"]
            for letter in letters.values():
                assert letter.attempts == 3
                assert letter.error.startswith("OSError: [Errno 28] No space left on device")
            # what the operator reads: `dlq show` and `story show` (wide: rich wraps tables)
            shown = bedtales_cli(data_dir, "dlq", "show", letters["illustrate"].id)
            assert shown.returncode == 0
            assert "No space left on device in" in shown.stdout
            shown = bedtales_cli(data_dir, "story", "show", second.id)
            assert shown.returncode == 0
            assert shown.stdout.count("No space left on device in") >= 2, shown.stdout

            # nothing half-written, nothing a page would serve as if complete
            assert no_temporary_files(media) == []
            assert not (media / "stories" / second.id / IMAGE).exists()
            page = site.get(f"/stories/{second.id}")
            assert page.status_code == 200
            assert not MEDIA_LINK.search(page.text)
            # the first story is served as before, byte for byte
            assert digests(served_media(site, first.id)) == before
            assert site.get("/healthz").json() == {"status": "ok"}
            assert site.worker.alive()

            ballast.unlink()
            replayed = bedtales_cli(data_dir, "dlq", "replay", "--all")
            assert replayed.returncode == 0, replayed.stderr
            assert "Replayed 2 dead letter(s)." in replayed.stdout
            done = wait_for("the replayed story", lambda: complete(data_dir, second.id), site)
            assert done.image.error is None
            assert done.audio.error is None
            assert IMAGE in served_media(site, second.id)
            assert digests(served_media(site, first.id)) == before
            assert dead_letters(data_dir) == []
            site.stop()
        assert integrity(data_dir / "bedtales.db") == "ok"
        assert no_temporary_files(media) == []


# ------------------------------------------------------------------------------ database full


def checkpoint(database: Path) -> None:
    """Copy the write-ahead log into the database file and empty it, so that the next write
    needs new space (a log with room left would take a few more commits first)."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "a reader kept the checkpoint from finishing"
    finally:
        connection.close()


def published(data_dir: Path) -> int:
    """Run the pipe once here: the new story's StoryCreated goes on the bus, its deliveries
    wait there for a worker. Returns how many stream records moved."""
    bedtales = App.open(data_dir)
    try:
        return sum(pipe.run_once() for pipe in bedtales.pipes())
    finally:
        bedtales.close()


def failures(process: Process) -> list[str]:
    """The lines of its log that say a loop failed because the database is full."""
    return [
        line
        for line in process.text().splitlines()
        if "database or disk is full" in line and "trying again" in line
    ]


@pytest.mark.parametrize("waiting_in", ["stream", "bus"])
def test_a_full_database_disk_loses_nothing_and_the_story_completes_once_freed(
    environment: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waiting_in: str
) -> None:
    """The data directory (the SQLite database, which holds the bus too) on a small disk of
    its own, the media elsewhere. A story is written while the worker is stopped, and waits
    in the change stream or (published) on the bus; the disk fills; the worker starts.

    Nothing can be written now, not even a retry or a dead letter: the pipe or the worker
    says why and tries again every RETRY_S, the worker stays up, the site serves the first
    story, the database stays whole. Once freed, the story completes by itself."""
    monkeypatch.setenv("BEDTALES_MEDIA__LOCAL_DIR", str(tmp_path / "media"))
    with tmpfs(tmp_path / "data", size_kb=16 * 1024) as data_dir:
        database = data_dir / "bedtales.db"
        initialise_quick(data_dir)
        with running(data_dir, tmp_path / "logs") as site:
            first = write_story(data_dir, seed=1)
            wait_for("the first story", lambda: complete(data_dir, first.id), site)
            before = digests(served_media(site, first.id))
            assert site.worker.stop() == 0
            second = write_story(data_dir, seed=2)
            if waiting_in == "bus":
                assert published(data_dir) == 1
            checkpoint(database)
            ballast = fill(data_dir)
            # a fresh write is refused at once, with SQLite's reason
            refused = bedtales_cli(data_dir, "story", "new")
            assert refused.returncode == 1
            assert refused.stderr.strip() == "error: the database refused: database or disk is full"

            full_since = time.monotonic()
            site.worker = start("worker", ["worker", "--concurrency", "2"], data_dir, site.logs)
            wait_for("three failures", lambda: len(failures(site.worker)) >= 3, site)
            full_for = time.monotonic() - full_since
            logged = failures(site.worker)
            # one try every RETRY_S, not a busy loop (a slower machine only logs fewer)
            assert len(logged) <= full_for / RETRY_S + 2, logged
            loop = "pipe stories" if waiting_in == "stream" else "worker: the bus"
            assert all(loop in line for line in logged), logged
            assert "failed again" in logged[-1]  # repeats on one line, not a traceback each
            assert story(data_dir, second.id).image.state == "pending"
            assert dead_letters(data_dir) == []  # nowhere to write one: the bus is in there
            assert digests(served_media(site, first.id)) == before
            assert site.get("/healthz").json() == {"status": "ok"}
            # reading works: the database answers, though it can take nothing new
            assert site.get("/readyz").json() == {"status": "ready"}
            assert integrity(database) == "ok"

            ballast.unlink()
            wait_for("the second story", lambda: complete(data_dir, second.id), site)
            assert IMAGE in served_media(site, second.id)
            assert digests(served_media(site, first.id)) == before
            assert dead_letters(data_dir) == []
            site.stop()
        assert integrity(database) == "ok"


def test_a_database_that_fills_while_a_picture_is_painted_keeps_the_delivery(
    environment: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The disk fills while the illustrate handler runs (after its claim, before it records
    the picture): recording fails, and so does recording the retry, so the delivery stays
    claimed; its lease runs out, and once the disk is freed it comes back and completes. The
    worker and its lease renewals carry on throughout, and SQLite stays whole."""
    monkeypatch.setenv("BEDTALES_MEDIA__LOCAL_DIR", str(tmp_path / "media"))
    with tmpfs(tmp_path / "data", size_kb=16 * 1024) as data_dir:
        database = data_dir / "bedtales.db"
        created, _, _ = initialise(data_dir, timezone="Europe/London")
        created.close()
        with (data_dir / "bedtales.toml").open("a") as settings:
            settings.write(QUICK_RETRIES.replace("lease_s = 5", "lease_s = 3"))
        bedtales = App.open(data_dir)
        try:
            written = bedtales.write_story(seed=3)
            assert sum(pipe.run_once() for pipe in bedtales.pipes()) == 1
            checkpoint(database)
            worker = bedtales.worker(["illustrate"], concurrency=1)
            handle = worker.run_handler
            ballast: list[Path] = []

            def fill_then_handle(delivery: Delivery) -> None:
                if not ballast:  # the first attempt: its claim is in, nothing more fits
                    ballast.append(fill(data_dir))
                handle(delivery)

            worker.run_handler = fill_then_handle
            stop = threading.Event()
            thread = threading.Thread(target=worker.run, args=(stop,))
            thread.start()
            try:
                deadline = time.monotonic() + DONE_TIMEOUT_S
                while "the bus failed again" not in caplog.text:
                    assert thread.is_alive()
                    assert time.monotonic() < deadline, caplog.text
                    time.sleep(0.1)
                assert "database or disk is full" in caplog.text
                assert services.get_story(bedtales.db, written.id).image.state == "pending"
                assert integrity(database) == "ok"
                ballast[0].unlink()
                while services.get_story(bedtales.db, written.id).image.state != "done":
                    assert thread.is_alive()
                    assert time.monotonic() < deadline, caplog.text
                    time.sleep(0.1)
            finally:
                stop.set()
                thread.join(STOP_TIMEOUT_S)
            [state] = [
                s
                for s in bedtales.bus.backend.delivery_states(written.id)
                if s.target == "illustrate"
            ]
            # the first attempt's failure was never recorded; the lease brought it back
            assert state.state == "done"
            assert bedtales.bus.backend.dead_letters(None, 10) == []
        finally:
            bedtales.close()
        assert integrity(database) == "ok"


def test_lease_renewals_go_on_after_one_fails(
    environment: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A renewal that fails (the disk is full for a moment) is logged and tried again: the
    thread that renews must not end, or every long handler after it loses its lease."""
    data_dir = tmp_path / "data"
    created, _, _ = initialise(data_dir, timezone="Europe/London")
    created.close()
    with (data_dir / "bedtales.toml").open("a") as settings:
        settings.write("[bus]\nlease_s = 1\n")
    bedtales = App.open(data_dir)
    try:
        written = bedtales.write_story(seed=4)
        assert sum(pipe.run_once() for pipe in bedtales.pipes()) == 1
        backend = bedtales.bus.backend
        extend = backend.extend
        renewals: list[int] = []

        def full_once(deliveries: Sequence[Delivery], lease_s: float) -> None:
            renewals.append(len(deliveries))
            if len(renewals) == 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            extend(deliveries, lease_s)

        monkeypatch.setattr(backend, "extend", full_once)
        worker = bedtales.worker(["illustrate"], concurrency=1)
        handle = worker.run_handler

        def slow(delivery: Delivery) -> None:
            # holds its delivery until two renewals after the failed one (or a bound)
            deadline = time.monotonic() + 20
            while len(renewals) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            handle(delivery)

        worker.run_handler = slow
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,))
        thread.start()
        try:
            deadline = time.monotonic() + DONE_TIMEOUT_S
            while services.get_story(bedtales.db, written.id).image.state != "done":
                assert time.monotonic() < deadline, caplog.text
                time.sleep(0.1)
        finally:
            stop.set()
            thread.join(STOP_TIMEOUT_S)
        assert len(renewals) >= 3
        assert "renewing 1 lease(s) failed (OSError: [Errno 28] No space left on device)" in (
            caplog.text
        )
        [state] = [s for s in backend.delivery_states(written.id) if s.target == "illustrate"]
        assert (state.state, state.attempts) == ("done", 1)  # never lost its lease
    finally:
        bedtales.close()
