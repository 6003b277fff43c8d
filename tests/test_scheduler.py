"""The scheduler: which firing it makes (on time, in its window, after downtime, across
daylight saving), the ScheduleFired events it puts on the bus, one story per firing however
often it fires, and several schedulers sharing the work — on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from bedtales.app import App
from bedtales.bus.events import Event
from bedtales.errors import ConfigError, InputError
from bedtales.households import services
from bedtales.scheduler import expressions as sx
from bedtales.scheduler import schedules
from bedtales.scheduler.firing import (
    BUSY_WAIT_S,
    DETAIL_TYPE,
    SOURCE,
    Scheduler,
    fired_event,
    plan,
)
from bedtales.scheduler.schedules import Schedule
from bedtales.storage.models import BusEventRow, ScheduleRow, StoryRow
from bedtales.stories import writer
from conftest import require_service
from working import work_until

NOW = datetime(2027, 3, 25, 12, 0, tzinfo=UTC)
REDIS_URL = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _no_schedules_yet(request: pytest.FixtureRequest) -> None:
    """Start without the nightly schedule `bedtales init` adds (it would be due in 2027)."""
    if "data_dir" not in request.fixturenames:
        return
    bedtales = App.open(request.getfixturevalue("data_dir"))
    try:
        with bedtales.db.session() as session:
            session.execute(delete(ScheduleRow))
    finally:
        bedtales.close()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def due_row(expression: str, fire: datetime, **changes: object) -> Schedule:
    values: dict[str, object] = {
        "id": 7,
        "household_id": 1,
        "household": "home",
        "name": "nightly",
        "expression": expression,
        "timezone": "Europe/London",
        "window_minutes": 0,
        "max_attempts": 3,
        "max_age_s": 6 * 3600,
        "next_fire_at": fire,
        "last_fired_at": None,
    }
    values.update(changes)
    return Schedule(**values)  # type: ignore[arg-type]


def fired_events(bedtales: App) -> list[Event]:
    with bedtales.db.session() as session:
        rows = session.scalars(
            select(BusEventRow)
            .where(BusEventRow.detail_type == DETAIL_TYPE)
            .order_by(BusEventRow.seq)
        ).all()
        return [
            Event(id=r.id, source=r.source, detail_type=r.detail_type, time=r.time, detail=r.detail)
            for r in rows
        ]


# ----------------------------------------------------------------------------- the plan


def test_on_time_fires_once_and_moves_to_the_next_evening() -> None:
    fire = datetime(2027, 3, 25, 19, 15, tzinfo=UTC)
    step = plan(due_row("cron(15 19 * * ? *)", fire), fire + timedelta(milliseconds=5))
    assert (step.fire, step.skipped) == (fire, 0)
    assert step.next_fire_at == step.due_at == fire + timedelta(days=1)


def test_the_window_delays_each_firing_by_a_fixed_amount_within_it() -> None:
    fire = datetime(2027, 3, 25, 19, 15, tzinfo=UTC)
    delays = {
        schedules.due_time(household, "nightly", fire, 30) - fire  # type: ignore[operator]
        for household in range(200)
    }
    assert all(timedelta(0) <= d <= timedelta(minutes=30) for d in delays)
    assert len(delays) > 100  # spread, not one moment for everyone
    # the same schedule and fire time: the same moment, whoever works it out
    assert schedules.due_time(3, "nightly", fire, 30) == schedules.due_time(3, "nightly", fire, 30)
    row = due_row("cron(15 19 * * ? *)", fire, window_minutes=30)
    due = schedules.due_time(1, "nightly", fire, 30)
    assert due is not None
    assert plan(row, due - timedelta(seconds=1)).fire is None  # not yet due: nothing made
    step = plan(row, due)
    assert step.fire == fire
    assert step.due_at == schedules.due_time(1, "nightly", fire + timedelta(days=1), 30)


def test_after_downtime_the_latest_missed_firing_is_caught_up_once() -> None:
    first = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
    row = due_row("rate(1 hour)", first)
    step = plan(row, datetime(2027, 3, 25, 12, 30, tzinfo=UTC))  # 9, 10, 11 and 12 missed
    assert step.fire == datetime(2027, 3, 25, 12, 0, tzinfo=UTC)
    assert (step.skipped, step.first_missed) == (3, first)
    assert step.next_fire_at == datetime(2027, 3, 25, 13, 0, tzinfo=UTC)


def test_a_firing_missed_by_more_than_the_grace_is_skipped() -> None:
    fire = datetime(2027, 3, 24, 19, 15, tzinfo=UTC)
    row = due_row("cron(15 19 * * ? *)", fire)
    late = fire + timedelta(hours=6, seconds=1)
    step = plan(row, late)
    assert step.fire is None
    assert (step.skipped, step.first_missed) == (1, fire)
    assert step.next_fire_at == datetime(2027, 3, 25, 19, 15, tzinfo=UTC)
    # within the grace it is made, late
    assert plan(row, fire + timedelta(hours=5, minutes=59)).fire == fire


def test_far_behind_jumps_rather_than_walking_every_missed_minute() -> None:
    fire = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)  # a year of rate(1 minute) missed
    step = plan(due_row("rate(1 minute)", fire, max_age_s=60), NOW + timedelta(seconds=30))
    assert step.fire == NOW
    assert step.skipped >= 1000  # counted up to a limit
    assert step.first_missed == fire
    assert step.next_fire_at == NOW + timedelta(minutes=1)


def test_at_fires_once_and_never_again() -> None:
    fire = datetime(2027, 12, 24, 19, 15, tzinfo=UTC)
    step = plan(due_row("at(2027-12-24T19:15:00)", fire), fire)
    assert step.fire == fire
    assert step.next_fire_at is None
    assert step.due_at is None


def run_days(expression: str, tz: str, start: datetime, days: int) -> list[datetime]:
    """Fire a schedule minute by minute for ``days`` days: the fire times made."""
    first = sx.next_fire(sx.parse(expression), tz, start)
    assert first is not None
    row = due_row(expression, first, timezone=tz)
    made = []
    now = start
    while now < start + timedelta(days=days):
        now += timedelta(minutes=1)
        step = plan(row, now)
        if step.fire is not None:
            made.append(step.fire)
            assert step.skipped == 0
            row = due_row(expression, step.next_fire_at, timezone=tz)  # type: ignore[arg-type]
    return made


def test_spring_forward_0230_fires_once_that_night() -> None:
    # New York skips 02:00-03:00 on 2027-03-14
    made = run_days("30 2 * * *", "America/New_York", datetime(2027, 3, 12, 12, tzinfo=UTC), 4)
    local = [m.astimezone(NEW_YORK) for m in made]
    assert [(d.day, d.hour, d.minute) for d in local] == [
        (13, 2, 30),
        (14, 3, 0),  # the gap: the first real instant after it, once
        (15, 2, 30),
        (16, 2, 30),
    ]


def test_aws_cron_skips_the_spring_gap_night() -> None:
    # New York skips 02:00-03:00 on 2027-03-14: cron() at 02:30 does not fire that night,
    # as on EventBridge Scheduler (the 5-field form above fires at 03:00 instead)
    made = run_days(
        "cron(30 2 * * ? *)", "America/New_York", datetime(2027, 3, 12, 12, tzinfo=UTC), 4
    )
    local = [m.astimezone(NEW_YORK) for m in made]
    assert [(d.day, d.hour, d.minute) for d in local] == [(13, 2, 30), (15, 2, 30), (16, 2, 30)]


def test_aws_cron_fires_the_london_autumn_repeat_once() -> None:
    # London repeats 01:00-02:00 on 2026-10-25: cron() at 01:30 fires at the first 01:30
    # (00:30 UTC, BST) and not again at the second (01:30 UTC, GMT)
    made = run_days(
        "cron(30 1 * * ? *)", "Europe/London", datetime(2026, 10, 24, 12, tzinfo=UTC), 2
    )
    assert made == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]


def test_fall_back_fires_nothing_twice() -> None:
    # New York repeats 01:00-02:00 on 2027-11-07: an every-30-minutes job fires 01:00 and
    # 01:30 once each
    made = run_days("*/30 1 * * *", "America/New_York", datetime(2027, 11, 7, 4, tzinfo=UTC), 1)
    local = [m.astimezone(NEW_YORK) for m in made if m.astimezone(NEW_YORK).day == 7]
    assert [(d.hour, d.minute) for d in local] == [(1, 0), (1, 30)]
    assert len(made) == len(set(made))


def test_the_event_names_the_firing_and_its_story() -> None:
    fire = datetime(2027, 3, 25, 19, 15, tzinfo=UTC)
    row = due_row("cron(15 19 * * ? *)", fire, max_attempts=4, max_age_s=3600)
    event = fired_event(row, fire, fire)
    again = fired_event(row, fire, fire + timedelta(minutes=3))
    assert (event.source, event.detail_type) == (SOURCE, DETAIL_TYPE)
    assert event.id == again.id  # same schedule and fire time: the same event…
    assert event.detail["storyId"] == again.detail["storyId"]  # …and the same story
    assert event.subject == event.detail["storyId"]
    odd = Event(source="s", detail_type="t", detail={"storyId": 7, "id": "story-1"})
    assert odd.subject == "story-1"
    assert event.detail["scheduledTime"] == "2027-03-25T19:15:00Z"
    assert event.detail["retryPolicy"] == {"maxAttempts": 4, "maxAgeSeconds": 3600}
    other_night = fired_event(row, fire + timedelta(days=1), fire)
    assert other_night.id != event.id
    assert other_night.detail["storyId"] != event.detail["storyId"]


# ----------------------------------------------------------------------------- firing


def test_fires_a_due_schedule_once_and_moves_it(bedtales: App) -> None:
    added = schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    clock = Clock(NOW + timedelta(hours=1))
    scheduler = Scheduler(bedtales.db, bedtales.bus, clock=clock)
    assert scheduler.run_once().fired == 1
    assert scheduler.run_once().fired == 0  # moved on: nothing due until the next hour
    [event] = fired_events(bedtales)
    assert event.detail["household"] == "home"
    assert event.detail["schedule"] == added.name
    assert bedtales.topology.route(event) == ["write_story"]
    [moved] = schedules.list_schedules(bedtales.db)
    assert moved.last_fired_at == NOW + timedelta(hours=1)
    assert moved.next_fire_at == moved.due_at == NOW + timedelta(hours=2)
    clock.now += timedelta(hours=1)
    assert scheduler.run_once().fired == 1


def test_firing_writes_the_story_with_picture_and_narration(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    Scheduler(bedtales.db, bedtales.bus, clock=Clock(NOW + timedelta(hours=1))).run_once()
    [event] = fired_events(bedtales)
    story_id = event.detail["storyId"]

    def complete() -> bool:
        try:
            story = services.get_story(bedtales.db, story_id)
        except Exception:
            return False
        return story.image.state == "done" and story.audio.state == "done"

    work_until(bedtales, complete, timeout_s=60)
    states = {s.target: s.state for s in bedtales.bus.backend.delivery_states(story_id)}
    assert states == {
        "write_story": "done",
        "illustrate": "done",
        "narrate": "done",
        "notify": "done",
    }


def test_firing_again_after_a_crash_writes_no_second_story(bedtales: App) -> None:
    """A scheduler that dies after publishing and before moving the row fires the same
    firing again: the same event id, dropped by the bus, and the same story id."""
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    clock = Clock(NOW + timedelta(hours=1))
    Scheduler(bedtales.db, bedtales.bus, clock=clock).run_once()
    with bedtales.db.session() as session:  # as if the move had never been committed
        session.execute(
            update(ScheduleRow).values(
                next_fire_at=NOW + timedelta(hours=1), due_at=NOW + timedelta(hours=1)
            )
        )
    clock.now += timedelta(seconds=5)
    assert Scheduler(bedtales.db, bedtales.bus, clock=clock).run_once().fired == 1
    assert len(fired_events(bedtales)) == 1  # the repeat was the same event
    [event] = fired_events(bedtales)
    # and were the event delivered twice (a replay), the story is written once
    story_id = event.detail["storyId"]
    one = writer.write_story(bedtales.db, bedtales.settings, "home", story_id=story_id)
    two = writer.write_story(bedtales.db, bedtales.settings, "home", story_id=story_id)
    assert one == two
    with bedtales.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryRow)) == 1


def test_a_late_firing_is_caught_up_once_and_a_too_late_one_skipped_and_logged(
    bedtales: App, caplog: pytest.LogCaptureFixture
) -> None:
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", name="hourly", now=NOW)
    schedules.add_schedule(bedtales.db, "home", "cron(0 13 * * ? *)", name="lunch", now=NOW)
    schedules.add_schedule(bedtales.db, "home", "cron(0 7 * * ? *)", name="breakfast", now=NOW)
    # down from 12:00 until 20:30: hourly missed 13-20 (caught up 20:00 once), lunch at 13:00
    # is 7.5 h late (skipped), breakfast is not due until tomorrow
    clock = Clock(NOW + timedelta(hours=8, minutes=30))
    with caplog.at_level(logging.WARNING, logger="bedtales.scheduler.firing"):
        done = Scheduler(bedtales.db, bedtales.bus, clock=clock).run_once()
    assert (done.fired, done.skipped) == (1, 8)
    [event] = fired_events(bedtales)
    assert (event.detail["schedule"], event.detail["scheduledTime"]) == (
        "hourly",
        "2027-03-25T20:00:00Z",
    )
    assert "'hourly' of 'home': 7 missed firing(s) since 2027-03-25T13:00:00Z" in caplog.text
    assert "'lunch' of 'home': missed firing(s) since 2027-03-25T13:00:00Z skipped" in caplog.text
    by_name = {s.name: s for s in schedules.list_schedules(bedtales.db)}
    assert by_name["lunch"].next_fire_at == datetime(2027, 3, 26, 13, 0, tzinfo=UTC)
    assert by_name["lunch"].last_fired_at is None
    assert by_name["hourly"].next_fire_at == datetime(2027, 3, 25, 21, 0, tzinfo=UTC)


def test_paused_schedules_do_not_fire(bedtales: App) -> None:
    added = schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    schedules.pause(bedtales.db, "home", added.name)
    done = Scheduler(bedtales.db, bedtales.bus, clock=Clock(NOW + timedelta(days=1))).run_once()
    assert (done.fired, done.skipped) == (0, 0)
    assert fired_events(bedtales) == []


def test_batches_fire_everything_due(bedtales: App) -> None:
    seed_due(bedtales, 250, NOW)
    done = Scheduler(bedtales.db, bedtales.bus, batch=40, clock=Clock(NOW)).run_once()
    assert done.fired == 250
    assert len({e.detail["storyId"] for e in fired_events(bedtales)}) == 250


def seed_due(bedtales: App, count: int, due: datetime) -> None:
    """``count`` daily schedules of the home household, all due at ``due``."""
    with bedtales.db.session() as session:
        home = services.household_row(session, "home")
        session.add_all(
            ScheduleRow(
                household_id=home.id,
                name=f"s{n}",
                expression="cron(15 19 * * ? *)",
                timezone="Europe/London",
                enabled=True,
                window_minutes=0,
                max_attempts=3,
                max_age_s=6 * 3600,
                next_fire_at=due,
                due_at=due,
                created_at=due,
            )
            for n in range(count)
        )


def test_two_schedulers_at_once_fire_each_firing_once(bedtales: App, data_dir: Path) -> None:
    seed_due(bedtales, 600, NOW)
    other = App.open(data_dir)  # a second process's own connections
    try:
        passes = []
        start = threading.Barrier(2)

        def fire(app: App) -> None:
            start.wait()
            passes.append(Scheduler(app.db, app.bus, batch=50, clock=Clock(NOW)).run_once())

        threads = [threading.Thread(target=fire, args=(app,)) for app in (bedtales, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.close()
    assert sum(p.fired for p in passes) == 600
    fired = Counter(e.detail["schedule"] for e in fired_events(bedtales))
    assert len(fired) == 600
    assert set(fired.values()) == {1}


def test_run_stops_on_request_and_survives_a_failing_pass(
    bedtales: App, caplog: pytest.LogCaptureFixture
) -> None:
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    clock = Clock(NOW + timedelta(hours=1))
    scheduler = Scheduler(bedtales.db, bedtales.bus, idle_wait_s=0.05, clock=clock)
    calls = {"n": 0}
    real = scheduler._batch

    def flaky(now: datetime):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database went away")
        return real(now)

    scheduler._batch = flaky  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,))
    with caplog.at_level(logging.ERROR, logger="bedtales.scheduler.firing"):
        thread.start()
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not fired_events(bedtales) and datetime.now(UTC) < deadline:
            stop.wait(0.05)
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert len(fired_events(bedtales)) == 1
    assert "a pass failed; trying again" in caplog.text


# ----------------------------------------------------------------------------- write_story


def test_write_story_dead_letters_a_firing_for_a_household_with_no_characters(
    bedtales: App,
) -> None:
    services.add_household(bedtales.db, "empty", timezone="Europe/London")
    schedules.add_schedule(bedtales.db, "empty", "rate(1 hour)", now=NOW)
    Scheduler(bedtales.db, bedtales.bus, clock=Clock(NOW + timedelta(hours=1))).run_once()
    work_until(bedtales, lambda: bedtales.bus.backend.dead_letters("write_story"))
    [dead] = bedtales.bus.backend.dead_letters("write_story")
    assert dead.attempts == 1  # retrying cannot add characters: dead-lettered at once
    assert "household 'empty' has no characters yet" in dead.error


def test_the_schedules_retry_policy_governs_its_firing(bedtales: App, data_dir: Path) -> None:
    """Like an EventBridge Scheduler target's: the schedule's attempts, not the target's."""
    settings = data_dir / "bedtales.toml"
    settings.write_text(
        settings.read_text() + '\n[bus]\nhandler_modules = ["worker_handlers"]\n'
        '[bus.targets.write_story]\nhandler = "broken"\nmax_attempts = 10\n'
        "base_delay_s = 0.01\nmax_delay_s = 0.01\n"
    )
    broken = App.open(data_dir)
    try:
        schedules.add_schedule(broken.db, "home", "rate(1 hour)", max_attempts=2, now=NOW)
        Scheduler(broken.db, broken.bus, clock=Clock(NOW + timedelta(hours=1))).run_once()
        work_until(broken, lambda: broken.bus.backend.dead_letters("write_story"))
        [dead] = broken.bus.backend.dead_letters("write_story")
        assert dead.attempts == 2
        assert "the paint ran out" in dead.error
    finally:
        broken.close()


def test_an_events_retry_policy_overrides_only_what_it_names() -> None:
    from bedtales.bus.events import RetryPolicy

    policy = RetryPolicy(max_attempts=10, max_age_s=86400, base_delay_s=2, max_delay_s=300)
    asks = Event(source="s", detail_type="t", detail={"retryPolicy": {"maxAttempts": 3}})
    assert policy.for_event(asks) == RetryPolicy(3, 86400, 2, 300)
    both = {"retryPolicy": {"maxAttempts": 4, "maxAgeSeconds": 600}}
    assert policy.for_event(Event(source="s", detail_type="t", detail=both)) == RetryPolicy(
        4, 600, 2, 300
    )
    for nonsense in ({"retryPolicy": "x"}, {"retryPolicy": {"maxAttempts": 0}},
                     {"retryPolicy": {"maxAttempts": True, "maxAgeSeconds": "1"}}, {}):  # fmt: skip
        assert policy.for_event(Event(source="s", detail_type="t", detail=nonsense)) == policy


# ----------------------------------------------------------------------------- what can go wrong


def test_a_broken_schedule_is_set_aside_and_the_others_still_fire(
    bedtales: App, caplog: pytest.LogCaptureFixture
) -> None:
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", name="broken", now=NOW)
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", name="good", now=NOW)
    with bedtales.db.session() as session:  # a zone this system no longer knows
        session.execute(
            update(ScheduleRow).where(ScheduleRow.name == "broken").values(timezone="Gone/Zone")
        )
    clock = Clock(NOW + timedelta(hours=1))
    with caplog.at_level(logging.ERROR, logger="bedtales.scheduler.firing"):
        done = Scheduler(bedtales.db, bedtales.bus, clock=clock).run_once()
    assert (done.fired, done.skipped) == (1, 1)
    assert [e.detail["schedule"] for e in fired_events(bedtales)] == ["good"]
    assert "schedule 'broken' of 'home': cannot work out its firing; set aside" in caplog.text
    with bedtales.db.session() as session:
        broken = session.scalars(select(ScheduleRow).where(ScheduleRow.name == "broken")).one()
        assert broken.next_fire_at == NOW + timedelta(hours=1)  # its firing is kept…
        assert broken.due_at == clock.now + timedelta(seconds=600)  # …and tried again later


def test_a_window_as_long_as_the_interval_is_refused(bedtales: App) -> None:
    with pytest.raises(InputError, match="shorter than the time between firings") as caught:
        schedules.add_schedule(bedtales.db, "home", "rate(30 minutes)", window_minutes=30)
    assert caught.value.field == "window"
    with pytest.raises(InputError, match=r"\*/10 \* \* \* \* \(10 min\); for example 9"):
        schedules.add_schedule(bedtales.db, "home", "*/10 * * * *", window_minutes=15)
    schedules.add_schedule(bedtales.db, "home", "rate(30 minutes)", window_minutes=29)
    with pytest.raises(InputError, match="shorter than the time between firings"):
        schedules.update(bedtales.db, "home", "nightly", expression="rate(20 minutes)")
    once = schedules.add_schedule(
        bedtales.db, "home", "at(2099-01-01T19:00:00)", window_minutes=600
    )
    assert once.window_minutes == 600  # fires once: any window will do


def test_changing_the_window_inside_it_keeps_tonights_firing(bedtales: App) -> None:
    """`schedule set --window` between the fire time and its due moment must not lose the
    evening's story."""
    fire = datetime(2027, 3, 25, 19, 15, tzinfo=UTC)
    schedules.add_schedule(bedtales.db, "home", window_minutes=60, now=NOW)
    inside = fire + timedelta(seconds=30)
    changed = schedules.update(bedtales.db, "home", "nightly", window_minutes=1, now=inside)
    assert changed.next_fire_at == fire
    done = Scheduler(bedtales.db, bedtales.bus, clock=Clock(fire + timedelta(minutes=1))).run_once()
    assert done.fired == 1
    [event] = fired_events(bedtales)
    assert event.detail["scheduledTime"] == "2027-03-25T19:15:00Z"


def test_the_scheduler_refuses_to_start_when_no_rule_routes_its_events(data_dir: Path) -> None:
    settings = data_dir / "bedtales.toml"
    settings.write_text(
        settings.read_text() + '\n[[bus.rules]]\nname = "story-created"\n'
        'event_pattern = { source = ["bedtales.stories"] }\ntargets = ["notify"]\n'
    )
    bedtales = App.open(data_dir)
    try:
        with pytest.raises(ConfigError, match="no rule matches ScheduleFired"):
            bedtales.scheduler()
    finally:
        bedtales.close()


def test_a_pass_stops_between_batches_when_asked(bedtales: App) -> None:
    seed_due(bedtales, 30, NOW)
    stop = threading.Event()
    stop.set()
    done = Scheduler(bedtales.db, bedtales.bus, batch=10, clock=Clock(NOW)).run_once(stop)
    assert done.fired == 10  # the batch under way is finished, no more
    assert Scheduler(bedtales.db, bedtales.bus, clock=Clock(NOW)).run_once().fired == 20


def test_a_schedule_held_by_another_scheduler_is_not_spun_on(bedtales: App) -> None:
    scheduler = Scheduler(bedtales.db, bedtales.bus, clock=Clock(NOW))
    assert scheduler._until_next_due() == scheduler.idle_wait_s  # nothing at all
    seed_due(bedtales, 1, NOW + timedelta(milliseconds=300))
    assert scheduler._until_next_due() == pytest.approx(0.3)  # wakes when it is due
    if bedtales.db.dialect != "postgresql":
        return  # SQLite has no row locks: the schedulers take turns on the whole database
    with bedtales.db.engine.connect() as other, other.begin():
        other.execute(select(ScheduleRow.id).with_for_update())  # another scheduler's claim
        scheduler.clock = Clock(NOW + timedelta(seconds=1))
        assert scheduler.run_once().fired == 0  # skipped, not waited for
        assert scheduler._until_next_due() == BUSY_WAIT_S  # due, but held: look again soon


def test_on_the_redis_bus_a_firing_repeated_after_a_crash_is_one_event(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Redis the events go out before the schedules' commit: a scheduler that dies in
    between fires again, and the bus drops the repeat by its event id."""
    monkeypatch.setenv("BEDTALES_BUS__BACKEND", "redis")
    monkeypatch.setenv("BEDTALES_BUS__REDIS_URL", REDIS_URL)
    monkeypatch.setenv("BEDTALES_BUS__NAME", f"test-{uuid.uuid4().hex}")
    bedtales = App.open(data_dir)
    try:
        try:
            backend = bedtales.bus.backend
        except ConfigError as exc:
            require_service("Redis", str(exc))
        schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
        clock = Clock(NOW + timedelta(hours=1))
        scheduler = Scheduler(bedtales.db, bedtales.bus, clock=clock)

        def crash(connection: object, moves: object) -> None:
            raise ConnectionError("the scheduler died before its commit")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("bedtales.scheduler.firing._move", crash)
            with pytest.raises(ConnectionError):
                scheduler.run_once()
        assert scheduler.run_once().fired == 1  # not moved on: fired again
        claimed = backend.claim(["write_story"], 10, 30)
        assert len(claimed) == 1  # one delivery of one event, not two
        assert claimed[0].event.detail["scheduledTime"] == "2027-03-25T13:00:00Z"
    finally:
        purge = getattr(bedtales.bus.backend, "purge", None)
        if purge is not None:
            purge()
        bedtales.close()
