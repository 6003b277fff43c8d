from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bedtales.app import App
from bedtales.bus.events import Event
from bedtales.clock import utcnow
from bedtales.config import load_settings
from bedtales.pipes.pipe import LostLead, checkpoint
from bedtales.storage import Database
from bedtales.storage.database import SqliteDoorbell
from bedtales.storage.models import PipeCheckpointRow, StoryRow

CONTRACT = {
    "id",
    "title",
    "scene",
    "description",
    "characters",
    "household",
    "createdAt",
    "expiresAt",
}


def claim_all(bedtales: App, target: str) -> list[Event]:
    return [d.event for d in bedtales.bus.backend.claim([target], 1000, 60)]


def test_a_new_story_becomes_one_story_created_event_for_every_target(bedtales: App) -> None:
    story = bedtales.write_story(seed=3)
    (pipe,) = bedtales.pipes()
    assert pipe.run_once() == 1
    for target in ("illustrate", "narrate", "notify"):
        (event,) = claim_all(bedtales, target)
        assert (event.source, event.detail_type) == ("bedtales.stories", "StoryCreated")
        assert set(event.detail) == CONTRACT
        assert event.detail["id"] == story.id
        assert event.detail["characters"] == ["Milo", "Luna"]
        assert event.detail["household"] == "home"
        assert event.detail["description"] == story.description
        assert event.detail["createdAt"] == story.created_at.isoformat()
        assert event.detail["expiresAt"] == story.expires_at.isoformat()


def test_changes_other_than_inserts_are_filtered_out_and_nothing_repeats(bedtales: App) -> None:
    story = bedtales.write_story(seed=3)
    (pipe,) = bedtales.pipes()
    pipe.run_once()
    with bedtales.db.session() as s:
        s.execute(update(StoryRow).where(StoryRow.id == story.id).values(audio_state="done"))
    assert pipe.run_once() == 1  # the MODIFY record is read…
    assert pipe.run_once() == 0
    assert len(claim_all(bedtales, "notify")) == 1  # …but only the INSERT was published
    assert checkpoint(bedtales.db, "stories") == 2


def test_a_crash_while_publishing_neither_loses_nor_repeats(
    bedtales: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedtales.write_story(seed=3)
    (pipe,) = bedtales.pipes()
    original = bedtales.bus.backend.publish

    def crash(*args: object, **kwargs: object) -> int:
        original(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("power cut")

    monkeypatch.setattr(bedtales.bus.backend, "publish", crash)
    with pytest.raises(RuntimeError):
        pipe.run_once()
    assert checkpoint(bedtales.db, "stories") == 0
    monkeypatch.setattr(bedtales.bus.backend, "publish", original)
    assert pipe.run_once() == 1
    assert len(claim_all(bedtales, "illustrate")) == 1


def test_pipe_and_rules_come_from_settings(data_dir: Path) -> None:
    (data_dir / "bedtales.toml").write_text(
        """
[[bus.pipes]]
name = "finished-pictures"
filter = { eventName = ["MODIFY"], newImage = { image_state = ["done"] } }
detail_type = "PictureReady"
input_template = { story = "<$.newImage.id>", summary = "<$.newImage.title> is illustrated" }

[[bus.rules]]
name = "pictures"
event_pattern = { "detail-type" = ["PictureReady"] }
targets = ["notify"]

[bus.targets.notify]
max_attempts = 3
"""
    )
    bedtales = App.open(data_dir)
    try:
        story = bedtales.write_story(seed=3)
        with bedtales.db.session() as s:
            s.execute(update(StoryRow).where(StoryRow.id == story.id).values(image_state="done"))
        (pipe,) = bedtales.pipes()
        pipe.run_once()
        (event,) = claim_all(bedtales, "notify")
        assert event.detail_type == "PictureReady"
        assert event.detail == {"story": story.id, "summary": f"{story.title} is illustrated"}
        assert bedtales.topology.targets["notify"].policy.max_attempts == 3
    finally:
        bedtales.close()


@pytest.mark.postgres
def test_only_one_pipe_instance_leads_on_postgres(
    postgres_database: Database, tmp_path: Path
) -> None:
    url = postgres_database.url.render_as_string(hide_password=False)
    apps = [App(load_settings(tmp_path, database_url=url)) for _ in range(2)]
    first, second = (app.pipes()[0] for app in apps)
    try:
        assert first._lead()
        assert not second._lead()  # waits while the first leads
        first._resign()
        assert second._lead()
        second._resign()
    finally:
        for app in apps:
            app.close()


def test_a_leader_whose_checkpoint_was_moved_by_another_publishes_nothing(
    bedtales: App,
) -> None:
    if bedtales.db.dialect != "postgresql":
        pytest.skip("only PostgreSQL has leaders (advisory locks); SQLite locks each batch")
    pipe = bedtales.pipes()[0]
    assert pipe._lead()
    try:
        bedtales.write_story(seed=1)
        moved_by_another = 10_000
        with bedtales.db.session() as session:
            session.execute(
                update(PipeCheckpointRow)
                .where(PipeCheckpointRow.pipe == pipe.spec.name)
                .values(position=moved_by_another)
            )

        with pytest.raises(LostLead):
            pipe.run_once(check=False)

        assert claim_all(bedtales, "notify") == []  # the batch was rolled back whole
        assert checkpoint(bedtales.db, pipe.spec.name) == moved_by_another
    finally:
        pipe._resign()


def test_a_leader_carries_on_from_its_checkpoint(bedtales: App) -> None:
    pipe = bedtales.pipes()[0]
    first = bedtales.write_story(seed=1)
    pipe.run_once()
    assert pipe._lead()  # on PostgreSQL it now reads its position once and keeps it
    try:
        second = bedtales.write_story(seed=2)
        assert pipe.run_once(check=False) == 1
        assert pipe.run_once(check=False) == 0
    finally:
        pipe._resign()
    subjects = [event.subject for event in claim_all(bedtales, "notify")]
    assert subjects == [first.id, second.id]


def test_run_moves_stories_as_they_are_written(bedtales: App) -> None:
    (pipe,) = bedtales.pipes()
    stop = threading.Event()
    thread = threading.Thread(target=pipe.run, args=(stop,), kwargs={"idle_wait_s": 0.2})
    thread.start()
    try:
        story = bedtales.write_story(seed=1)
        backend = bedtales.bus.backend
        backend.wait(["notify"], 5)
        deliveries = backend.claim(["notify"], 10, 60)
        for _ in range(50):
            if deliveries:
                break
            backend.wait(["notify"], 0.1)
            deliveries = backend.claim(["notify"], 10, 60)
        assert [d.event.detail["id"] for d in deliveries] == [story.id]
    finally:
        stop.set()
        thread.join(5)


def test_the_sql_bus_forgets_finished_events_after_a_week(bedtales: App) -> None:
    from sqlalchemy import func, select
    from sqlalchemy import update as sql_update

    from bedtales.bus.backends.sql import RETENTION_S
    from bedtales.storage.models import BusDeliveryRow, BusEventRow, utcnow

    bedtales.write_story(seed=1)
    bedtales.write_story(seed=2)
    (pipe,) = bedtales.pipes()
    pipe.run_once()
    backend = bedtales.bus.backend
    deliveries = backend.claim(["illustrate", "narrate", "notify"], 10, 60)
    finished = [d for d in deliveries if d.event.detail["id"] == deliveries[0].event.detail["id"]]
    backend.ack(finished)
    with bedtales.db.session() as s:
        old = utcnow() - timedelta(seconds=RETENTION_S + 1)
        s.execute(sql_update(BusEventRow).values(published_at=old))
    assert backend.tidy() == 1  # the other story's deliveries are still running
    with bedtales.db.session() as s:
        assert s.scalar(select(func.count()).select_from(BusEventRow)) == 1
        assert s.scalar(select(func.count()).select_from(BusDeliveryRow)) == 3


def test_a_story_after_a_quiet_day_is_not_skipped(bedtales: App) -> None:
    # every stream record is pruned after 24 hours; sequence numbers must never restart
    from bedtales.stories.stream import prune_changes

    bedtales.write_story(seed=1)
    (pipe,) = bedtales.pipes()
    pipe.run_once()
    with bedtales.db.session() as s:
        assert prune_changes(s, now=utcnow() + timedelta(days=2)) == 1
    later = bedtales.write_story(seed=2)
    assert pipe.run_once() == 1
    ids = [d.event.detail["id"] for d in bedtales.bus.backend.claim(["notify"], 10, 60)]
    assert later.id in ids


# ----------------------------------------------------------------------------- waking up


@pytest.fixture
def asleep(bedtales: App, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once a waiter has looked at the SQLite file and gone to sleep on its doorbell."""
    if bedtales.db.doorbell is None:
        pytest.skip("PostgreSQL wakes the pipe with NOTIFY; the doorbell is SQLite's")
    went = threading.Event()
    sleep = SqliteDoorbell._sleep

    def noted(doorbell: SqliteDoorbell, *args: Any) -> None:
        went.set()
        sleep(doorbell, *args)

    monkeypatch.setattr(SqliteDoorbell, "_sleep", noted)
    return went


def run_pipe(bedtales: App) -> tuple[threading.Event, threading.Thread]:
    (pipe,) = bedtales.pipes()
    stop = threading.Event()
    thread = threading.Thread(target=pipe.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def notify_events_after_a_commit(bedtales: App) -> list[str]:
    """The stories on the notify queue, once a commit after now (the pipe's) says so; the
    waiting commits nothing, so it wakes the pipe neither."""
    backend = bedtales.bus.backend
    backend.wait(["notify"], 60)
    return [d.event.detail["id"] for d in backend.claim(["notify"], 10, 60)]


def test_a_commit_in_this_process_wakes_the_waiting_pipe_without_polling(
    bedtales: App, asleep: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SqliteDoorbell, "FAST_POLL_S", 3600.0)  # no look at the file
    monkeypatch.setattr(SqliteDoorbell, "SLOW_POLL_S", 3600.0)
    stop, thread = run_pipe(bedtales)
    try:
        assert asleep.wait(30), "the pipe never went to sleep"
        story = bedtales.write_story(seed=1)  # the commit rings the doorbell
        assert notify_events_after_a_commit(bedtales) == [story.id]
    finally:
        stop.set()
        bedtales.db.ring()
        thread.join(10)
    assert not thread.is_alive()


def test_a_commit_by_another_process_wakes_the_pipe_by_polling(
    bedtales: App, asleep: threading.Event
) -> None:
    stop, thread = run_pipe(bedtales)
    try:
        assert asleep.wait(30), "the pipe never went to sleep"
        written = subprocess.run(
            [sys.executable, "-c", WRITE_A_STORY, str(bedtales.settings.data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert written.returncode == 0, written.stderr
        assert notify_events_after_a_commit(bedtales) == [written.stdout.strip()]
    finally:
        stop.set()
        bedtales.db.ring()
        thread.join(10)


WRITE_A_STORY = """
import sys
from pathlib import Path
from bedtales.app import App
bedtales = App.open(Path(sys.argv[1]))
print(bedtales.write_story(seed=2).id)
bedtales.close()
"""
