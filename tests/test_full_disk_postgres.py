"""A full disk under PostgreSQL: a cluster of its own (initdb) on a small tmpfs, the Redis bus,
and a worker writing tonight's stories when the disk fills up.

Where SQLite's bus shares the full file and can only wait (tests/test_full_disk.py), here the
bus is in Redis: a story that cannot be stored ("could not extend file …: No space left on
device") is retried by its schedule's policy and then dead-lettered with that reason. The
stories already stored are untouched, and once space is freed a replay writes the rest.
Mounting needs root and the cluster needs initdb: under CI=true either missing fails.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bedtales.app import App, initialise
from bedtales.bus.backends.redis import RedisBackend
from bedtales.clock import utcnow
from bedtales.errors import NotFound
from bedtales.households import services
from bedtales.scheduler import DEFAULT_NAME, schedules
from bedtales.scheduler.firing import fired_event
from conftest import require_service
from servers.cluster import OwnPostgres, Unavailable
from test_full_disk import fill, tmpfs
from test_many_machines import REDIS_URL

pytestmark = pytest.mark.postgres

DISK_KB = 160 * 1024  # the cluster (~40 MB with its first WAL segment) and room to spare
FIRINGS = 8  # stories asked for on the full disk: a few fit in pages already there
DONE_TIMEOUT_S = 90.0  # a generous bound on a slow machine; not a timing assertion


@pytest.fixture
def full_disk_postgres() -> Iterator[tuple[OwnPostgres, Path]]:
    """A PostgreSQL cluster whose files are on a tmpfs of their own: (the server, its disk)."""
    disk = Path(tempfile.mkdtemp(prefix="bedtales-pgdisk-"))  # the postgres user reaches /tmp
    with tmpfs(disk, DISK_KB):
        server = OwnPostgres(disk)
        try:
            server.create()
            server.start()
        except Unavailable as exc:
            require_service("a PostgreSQL cluster of its own (initdb, pg_ctl)", str(exc))
        try:
            yield server, disk
        finally:
            with contextlib.suppress(Unavailable):
                server.stop("immediate")
    disk.rmdir()


@pytest.fixture
def bedtales(
    full_disk_postgres: tuple[OwnPostgres, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    server, _ = full_disk_postgres
    settings = {
        "DATABASE_URL": server.create_database("bedtales"),
        "BUS__BACKEND": "redis",
        "BUS__REDIS_URL": REDIS_URL,
        "BUS__NAME": f"test-{uuid.uuid4().hex}",
    }
    for name, value in settings.items():
        monkeypatch.setenv(f"BEDTALES_{name}", value)
    try:
        app, _, _ = initialise(tmp_path / "data")
    except Exception as exc:  # Redis away: the bus cannot start
        require_service("Redis", f"{type(exc).__name__}: {exc}")
        raise
    try:
        yield app
    finally:
        backend = app.bus.backend
        assert isinstance(backend, RedisBackend)
        backend.purge()
        app.close()


def wait_until(what: str, condition: Callable[[], object]) -> None:
    deadline = time.monotonic() + DONE_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {DONE_TIMEOUT_S:.0f} s"
        time.sleep(0.2)


def stored(bedtales: App, story_id: str) -> bool:
    try:
        services.get_story(bedtales.db, story_id)
    except NotFound:
        return False
    return True


def test_a_full_postgresql_disk_dead_letters_with_its_reason_and_a_replay_writes_the_rest(
    full_disk_postgres: tuple[OwnPostgres, Path], bedtales: App
) -> None:
    _, disk = full_disk_postgres
    before = bedtales.write_story(seed=1)
    nightly = schedules.get_schedule(bedtales.db, "home", DEFAULT_NAME)
    now = utcnow()
    events = [fired_event(nightly, now - timedelta(minutes=n), now) for n in range(FIRINGS)]
    story_ids = [event.detail["storyId"] for event in events]
    backend = bedtales.bus.backend

    ballast = fill(disk)
    stop = threading.Event()
    worker = threading.Thread(target=bedtales.worker(["write_story"]).run, args=(stop,))
    worker.start()
    try:
        bedtales.bus.publish(events)

        def settled() -> bool:  # every firing stored or dead-lettered: none lost, none waiting
            dead = {letter.event.id for letter in backend.dead_letters("write_story")}
            return all(
                event.id in dead or stored(bedtales, event.detail["storyId"]) for event in events
            )

        wait_until("every firing stored or dead-lettered", settled)
        letters = backend.dead_letters("write_story")
        assert letters, "the full disk refused nothing: make DISK_KB smaller or FIRINGS larger"
        for letter in letters:
            assert "No space left on device" in letter.error, letter.error
            assert "[SQL:" not in letter.error  # nor the story's text in its parameters
            assert letter.attempts == nightly.max_attempts  # the schedule's policy, used up

        # nothing already stored is damaged, and the database still answers
        assert services.get_story(bedtales.db, before.id) == before
        with bedtales.db.session() as session:
            assert session.execute(text("SELECT count(*) FROM stories")).scalar_one() >= 1

        ballast.unlink()  # room again: the dead letters replayed write the rest
        assert backend.replay([letter.id for letter in letters]) == len(letters)
        wait_until("every story written", lambda: all(stored(bedtales, s) for s in story_ids))
    finally:
        stop.set()
        worker.join(30)
    assert backend.dead_letters("write_story") == []
    assert len(services.list_stories(bedtales.db, limit=100)) == FIRINGS + 1
