"""Workers as real processes: SIGKILL mid-handling loses nothing and repeats no effect;
SIGTERM finishes running handlers and hands the rest back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.bus.worker import Worker, WorkerOptions
from bedtales.errors import ConfigError, reason
from bedtales.storage.database import SqliteDoorbell
from conftest import require_service
from worker_handlers import COUNTS_TABLE

TARGETS = ("illustrate", "narrate", "notify")
REDIS_URL = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SETTINGS = """
[bus]
backend = "{backend}"
name = "{name}"
redis_url = "{redis}"
lease_s = {lease}
handler_modules = ["worker_handlers"]
[bus.targets.illustrate]
handler = "counted"
[bus.targets.narrate]
handler = "counted"
[bus.targets.notify]
handler = "counted"
"""


@pytest.fixture(params=["sql", "redis"])
def write_settings(request: pytest.FixtureRequest, data_dir: Path) -> Callable[[float], None]:
    """Writes bedtales.toml for the bus backend under test, with the given lease."""
    values = {"backend": request.param, "name": f"test-{uuid.uuid4().hex}", "redis": REDIS_URL}

    def write(lease: float) -> None:
        (data_dir / "bedtales.toml").write_text(SETTINGS.format(lease=lease, **values))

    write(2)
    return write


@pytest.fixture
def counted_app(
    write_settings: Callable[[float], None],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    monkeypatch.setenv("BEDTALES_TEST_INVOCATIONS", str(tmp_path / "invocations.log"))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    bedtales = App.open(data_dir)
    if bedtales.settings.bus.backend == "redis":
        try:
            bedtales.bus  # noqa: B018 - connects to Redis
        except ConfigError as exc:
            require_service("Redis", str(exc))
    with bedtales.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS test_effect_counts"))
        connection.execute(text(COUNTS_TABLE))
    yield bedtales
    purge = getattr(bedtales.bus.backend, "purge", None)
    if purge is not None:
        purge()
    with bedtales.db.engine.begin() as connection:  # the database may be shared by other tests
        connection.execute(text("DROP TABLE IF EXISTS test_effect_counts"))
    bedtales.close()


def start_worker(data_dir: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bedtales",
            "worker",
            "--data-dir",
            str(data_dir),
            "--concurrency",
            "4",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def invocations(tmp_path: Path) -> list[str]:
    path = tmp_path / "invocations.log"
    return path.read_text().splitlines() if path.exists() else []


def counts(bedtales: App) -> dict[tuple[str, str], int]:
    with bedtales.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT story_id, target, count FROM test_effect_counts"))
        return {(r.story_id, r.target): r.count for r in rows}


def wait_for(condition: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_sigkill_mid_handling_loses_nothing_and_repeats_no_effect(
    counted_app: App, tmp_path: Path
) -> None:
    stories = [counted_app.write_story(seed=i).id for i in range(50)]
    data_dir = counted_app.settings.data_dir
    worker = start_worker(data_dir)
    try:
        assert wait_for(lambda: len(invocations(tmp_path)) >= 40, 60), "the worker never got going"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    handled_before_restart = len(counts(counted_app))
    assert handled_before_restart < 150, "the kill came too late to prove anything"

    restarted = start_worker(data_dir)
    try:
        # every effect applied is not yet every delivery acknowledged: a delivery whose
        # effect the killed worker applied still comes back once, and is acked then
        def all_done() -> bool:
            states = {
                s.state for story in stories for s in counted_app.bus.backend.delivery_states(story)
            }
            return len(counts(counted_app)) == 150 and states == {"done"}

        assert wait_for(all_done, 90), "not every delivery was handled"
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(30) == 0

    effects = counts(counted_app)
    assert set(effects) == {(story, target) for story in stories for target in TARGETS}
    assert set(effects.values()) == {1}, "an effect was applied twice"
    calls = [line.rsplit(" ", 1)[0] for line in invocations(tmp_path)]
    assert len(calls) > len(set(calls)), "no delivery was redelivered: the kill proved nothing"
    states = {s.state for story in stories for s in counted_app.bus.backend.delivery_states(story)}
    assert states == {"done"}


def test_sigterm_lets_running_handlers_finish_and_hands_back_the_rest(
    counted_app: App,
    write_settings: Callable[[float], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BEDTALES_TEST_LINGER_S", "1.0")
    write_settings(600)
    stories = [counted_app.write_story(seed=i).id for i in range(10)]
    worker = start_worker(counted_app.settings.data_dir)
    assert wait_for(lambda: len(invocations(tmp_path)) >= 4, 30)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    assert time.monotonic() - started < 10
    finished = counts(counted_app)
    assert len(finished) >= 4  # the running handlers were allowed to finish
    assert set(finished.values()) == {1}

    # what was handed back is due at once, although the lease is ten minutes long
    monkeypatch.setenv("BEDTALES_TEST_LINGER_S", "0")
    second = start_worker(counted_app.settings.data_dir)
    try:
        assert wait_for(lambda: len(counts(counted_app)) == 30, 30)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    assert set(counts(counted_app).values()) == {1}
    attempts = [
        s.attempts for story in stories for s in counted_app.bus.backend.delivery_states(story)
    ]
    assert max(attempts) == 1  # handing back does not count as an attempt


def test_a_commit_in_this_process_wakes_an_idle_worker_without_polling(
    bedtales: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    if bedtales.db.doorbell is None:
        pytest.skip("PostgreSQL wakes the worker with NOTIFY; the doorbell is SQLite's")
    monkeypatch.setattr(SqliteDoorbell, "FAST_POLL_S", 3600.0)  # no look at the file
    monkeypatch.setattr(SqliteDoorbell, "SLOW_POLL_S", 3600.0)
    asleep, handled = threading.Event(), threading.Event()
    sleep = SqliteDoorbell._sleep

    def noted(doorbell: SqliteDoorbell, *args: Any) -> None:
        asleep.set()
        sleep(doorbell, *args)

    monkeypatch.setattr(SqliteDoorbell, "_sleep", noted)
    handled_ids: list[str] = []

    def handle(delivery: Delivery) -> None:
        handled_ids.append(delivery.event.id)
        handled.set()

    options = WorkerOptions(targets=("notify",), concurrency=1, idle_wait_s=3600.0)
    worker = Worker(bedtales.bus.backend, bedtales.topology, handle, options)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert asleep.wait(30), "the worker never went to sleep"
        event = Event("bedtales.stories", "StoryCreated", {"id": "one"})
        bedtales.bus.publish([event])  # the commit rings the doorbell
        assert handled.wait(60), "the worker slept through a commit made beside it"
        assert handled_ids == [event.id]
    finally:
        stop.set()
        bedtales.bus.publish([Event("test", "Nudge", {})])  # a commit: it sees the stop
        thread.join(30)
    assert not thread.is_alive()


def test_a_database_error_is_kept_without_its_statement_and_parameters(tmp_path: Path) -> None:
    """What a dead letter keeps: the database's own words, not the statement and its
    parameters (a story's text, a subscriber's URL)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import IntegrityError

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, secret TEXT)"))
        connection.execute(text("INSERT INTO t VALUES (1, 'mailto://u:pw@host')"))
    with pytest.raises(IntegrityError) as failed, engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1, 'mailto://u:pw@host')"))
    engine.dispose()
    assert "[SQL:" in str(failed.value)  # what SQLAlchemy says
    kept = reason(failed.value)
    assert kept == "IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed: t.id"
    assert reason(ValueError("two\nlines")) == "ValueError: two\nlines"
