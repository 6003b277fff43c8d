"""Schedules: the services, the `bedtales schedule` commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.cli import schedule as cli_schedule
from bedtales.errors import InputError, NotFound
from bedtales.households import services
from bedtales.scheduler import schedules
from bedtales.scheduler.firing import plan
from bedtales.storage.models import HouseholdRow, ScheduleRow

NOW = datetime(2027, 3, 25, 12, 0, tzinfo=UTC)  # London changes to BST on 2027-03-28
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_schedules_yet(request: pytest.FixtureRequest) -> None:
    """These tests start from a household without schedules: drop the nightly one that
    `bedtales init` gives every new household (its own test is at the end)."""
    if "data_dir" not in request.fixturenames:
        return
    data_dir: Path = request.getfixturevalue("data_dir")
    bedtales = App.open(data_dir)
    try:
        with bedtales.db.session() as session:
            session.execute(delete(ScheduleRow))
    finally:
        bedtales.close()


def cli() -> typer.Typer:
    app = typer.Typer()
    cli_schedule.register(app)
    return app


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(cli(), ["schedule", *args, "--data-dir", str(data_dir)])
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}{result.stderr}"
    return result.stdout if code == 0 else result.stderr


# ----------------------------------------------------------------------------- services


def test_add_defaults_to_bedtime_in_the_households_zone(bedtales: App) -> None:
    added = schedules.add_schedule(bedtales.db, "home", now=NOW)
    assert added.name == "nightly"
    assert added.expression == schedules.DEFAULT_EXPRESSION
    assert added.timezone == services.get_household(bedtales.db, "home").timezone
    assert added.timezone == "Europe/London"
    assert added.enabled
    assert (added.window_minutes, added.max_attempts, added.max_age_s) == (0, 3, 6 * 3600)
    assert added.next_fire_at == datetime(2027, 3, 25, 19, 15, tzinfo=UTC)  # GMT still
    assert schedules.list_schedules(bedtales.db) == [added]


def test_next_names_and_timezone_and_window(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    second = schedules.add_schedule(
        bedtales.db, "home", "rate(2 hours)", timezone="America/New_York", window_minutes=30
    )
    assert second.name == "schedule-2"
    assert (second.timezone, second.window_minutes) == ("America/New_York", 30)
    third = schedules.add_schedule(bedtales.db, "home", "0 7 * * *", name=" breakfast ")
    assert third.name == "breakfast"
    assert [s.name for s in schedules.list_schedules(bedtales.db, "home")] == [
        "breakfast",
        "nightly",
        "schedule-2",
    ]


def test_upcoming_is_1915_local_on_consecutive_days_across_dst(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    fires = schedules.upcoming(bedtales.db, "home", "nightly", count=5, now=NOW)
    assert [(f.hour, f.minute) for f in fires] == [(19, 15)] * 5
    assert [f.date() for f in fires] == [date(2027, 3, 25) + timedelta(days=d) for d in range(5)]
    assert {str(f.tzinfo) for f in fires} == {"Europe/London"}
    # 19:15 GMT before the change, 19:15 BST (18:15 UTC) after it
    assert fires[0].astimezone(UTC).hour == 19
    assert fires[-1].astimezone(UTC).hour == 18


def test_rate_counts_from_its_stored_next_fire_time(bedtales: App) -> None:
    added = schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", now=NOW)
    assert added.next_fire_at == NOW + timedelta(hours=1)
    later = NOW + timedelta(minutes=20)
    fires = schedules.upcoming(bedtales.db, "home", added.name, count=3, now=later)
    assert [f.astimezone(UTC) for f in fires] == [NOW + timedelta(hours=h) for h in (1, 2, 3)]


def test_eventbridge_forms_are_taken_and_shown_on_their_days(bedtales: App) -> None:
    # 2027-04-15 is a Thursday (itself); 2027-05-15 a Saturday (so Friday the 14th);
    # 2027-06-15 a Tuesday (itself)
    schedules.add_schedule(bedtales.db, "home", "cron(0 9 15W * ? *)", name="mid", now=NOW)
    fires = schedules.upcoming(bedtales.db, "home", "mid", count=3, now=NOW)
    assert [f.date() for f in fires] == [date(2027, 4, 15), date(2027, 5, 14), date(2027, 6, 15)]
    assert {(f.hour, f.minute) for f in fires} == {(9, 0)}


def test_the_commands_and_the_scheduler_read_a_schedule_alike(bedtales: App) -> None:
    """One model: the due moment stored by the commands is the one the scheduler works out,
    and the rate() firings the commands show are the ones the scheduler makes."""
    schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", window_minutes=30, now=NOW)
    [listed] = schedules.list_schedules(bedtales.db, "home")
    assert listed.next_fire_at == NOW + timedelta(hours=1)
    assert listed.due_at == listed.due_for(listed.next_fire_at)
    shown = schedules.upcoming(bedtales.db, "home", listed.name, count=2, now=NOW)
    step = plan(listed, listed.due_at)
    assert step.fire == shown[0]
    assert step.next_fire_at == shown[1]
    assert step.due_at == listed.due_for(shown[1])


@pytest.mark.parametrize(
    ("kwargs", "field", "example"),
    [
        ({"expression": "cron(15 19 * * *)"}, "expression", "cron(15 19 * * ? *)"),
        ({"expression": "every night"}, "expression", "rate(1 day)"),
        ({"expression": "rate(0 days)"}, "expression", "rate(1 day)"),
        ({"expression": "at(2027-02-30T19:15:00)"}, "expression", "at(2026-12-24T19:15:00)"),
        ({"expression": "x" * 201}, "expression", "rate(1 day)"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Europe/London"),
        ({"window_minutes": -1}, "window", "30"),
        ({"window_minutes": 1441}, "window", "30"),
        ({"name": "  "}, "name", ""),
    ],
)
def test_bad_input_is_refused_with_the_field_and_an_example(
    bedtales: App, kwargs: dict[str, object], field: str, example: str
) -> None:
    with pytest.raises(InputError) as caught:
        schedules.add_schedule(bedtales.db, "home", now=NOW, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert example in str(caught.value)
    assert schedules.list_schedules(bedtales.db) == []


def test_at_in_the_past_is_refused_and_in_the_future_fires_once(bedtales: App) -> None:
    with pytest.raises(InputError, match=r"in the past in Europe/London; for example at\("):
        schedules.add_schedule(bedtales.db, "home", "at(2027-03-25T11:00:00)", now=NOW)
    once = schedules.add_schedule(bedtales.db, "home", "at(2027-12-24T19:15:00)", now=NOW)
    assert once.next_fire_at == datetime(2027, 12, 24, 19, 15, tzinfo=UTC)
    assert len(schedules.upcoming(bedtales.db, "home", once.name, now=NOW)) == 1


def test_missing_household_and_duplicate_names_are_refused(bedtales: App) -> None:
    with pytest.raises(NotFound, match="household 'nobody' does not exist"):
        schedules.add_schedule(bedtales.db, "nobody", now=NOW)
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    with pytest.raises(InputError, match="already has a schedule 'nightly'") as caught:
        schedules.add_schedule(bedtales.db, "home", "rate(1 day)", name="nightly")
    assert caught.value.field == "name"
    # the same name in another household is fine
    services.add_household(bedtales.db, "cabin", timezone="Asia/Tokyo")
    other = schedules.add_schedule(bedtales.db, "cabin", now=NOW)
    assert (other.name, other.timezone) == ("nightly", "Asia/Tokyo")


def test_pause_resume_remove(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    paused = schedules.pause(bedtales.db, "home", "nightly")
    assert (paused.enabled, paused.next_fire_at) == (False, None)
    later = NOW + timedelta(days=2)
    resumed = schedules.resume(bedtales.db, "home", "nightly", now=later)
    assert resumed.enabled
    assert resumed.next_fire_at == datetime(2027, 3, 27, 19, 15, tzinfo=UTC)
    removed = schedules.remove(bedtales.db, "home", "nightly")
    assert removed.name == "nightly"
    assert schedules.list_schedules(bedtales.db) == []
    for action in (schedules.pause, schedules.resume, schedules.remove):
        with pytest.raises(NotFound, match="no schedule 'nightly' in 'home'"):
            action(bedtales.db, "home", "nightly")


def test_resuming_an_at_that_has_passed_is_refused(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", "at(2027-03-26T08:00:00)", now=NOW)
    schedules.pause(bedtales.db, "home", "nightly")
    with pytest.raises(InputError, match="in the past"):
        schedules.resume(bedtales.db, "home", "nightly", now=NOW + timedelta(days=2))


def test_removing_a_household_removes_its_schedules(bedtales: App) -> None:
    services.add_household(bedtales.db, "cabin")
    schedules.add_schedule(bedtales.db, "cabin", now=NOW)
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    with bedtales.db.session() as session:
        session.execute(delete(HouseholdRow).where(HouseholdRow.name == "cabin"))
    assert [s.household for s in schedules.list_schedules(bedtales.db)] == ["home"]
    with bedtales.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ScheduleRow)) == 1


# ----------------------------------------------------------------------------- the commands


def test_cli_add_list_pause_resume_remove(data_dir: Path) -> None:
    added = run(data_dir, "add")
    assert "schedule 'nightly' of 'home': cron(15 19 * * ? *) in Europe/London" in added
    assert "19:15" in added
    run(data_dir, "add", "rate(30 minutes)", "--name", "often", "--window", "15",
        "--timezone", "Asia/Tokyo")  # fmt: skip
    listed = json.loads(run(data_dir, "list", "--json"))
    assert [(s["name"], s["timezone"], s["windowMinutes"]) for s in listed] == [
        ("nightly", "Europe/London", 0),
        ("often", "Asia/Tokyo", 15),
    ]
    assert "often" in run(data_dir, "list")
    assert "Paused" in run(data_dir, "pause", "often")
    assert "paused" in run(data_dir, "list")
    assert "Resumed" in run(data_dir, "resume", "often")
    assert "Removed schedule 'often'" in run(data_dir, "remove", "often")
    assert [s["name"] for s in json.loads(run(data_dir, "list", "--json"))] == ["nightly"]
    assert "no schedule 'often'" in run(data_dir, "remove", "often", code=2)


def test_cli_list_json_keeps_its_time_format(data_dir: Path) -> None:
    run(data_dir, "add", "cron(0 9 LW * ? *)", "--name", "month-end")
    [listed] = json.loads(run(data_dir, "list", "--json"))
    # the form `schedule list --json` has always printed: ISO 8601 with +00:00 (09:00 in
    # London is 09:00 or 08:00 UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT0[89]:00:00\+00:00", listed["nextFireAt"])
    assert listed["dueAt"] == listed["nextFireAt"]
    assert listed["createdAt"].endswith("+00:00")
    assert listed["lastFiredAt"] is None


def test_cli_next_shows_1915_local_on_consecutive_days(data_dir: Path) -> None:
    run(data_dir, "add")
    shown = run(data_dir, "next", "nightly", "--count", "3")
    lines = [line.strip() for line in shown.splitlines() if line.startswith("  ")]
    assert len(lines) == 3
    days = [datetime.strptime(line.split()[1], "%Y-%m-%d").date() for line in lines]
    assert days == [days[0] + timedelta(days=d) for d in range(3)]
    assert all(line.split()[2] == "19:15" for line in lines)
    assert all(line.split()[3] in ("GMT", "BST") for line in lines)
    assert "nightly (cron(15 19 * * ? *), Europe/London):" in run(data_dir, "next")


def test_cli_shows_a_rate_schedules_times_to_the_second(data_dir: Path) -> None:
    # a rate() schedule counts from the moment it was added: 13:00:07 UTC, 22:00:07 in Tokyo
    bedtales = App.open(data_dir)
    try:
        start = NOW + timedelta(seconds=7)
        schedules.add_schedule(
            bedtales.db, "home", "rate(1 hour)", name="often", timezone="Asia/Tokyo", now=start
        )
    finally:
        bedtales.close()
    listed = run(data_dir, "list")
    assert "2027-03-25 22:00:07 JST" in " ".join(listed.split())
    shown = run(data_dir, "next", "often", "--count", "2")
    times = [line.split()[2] for line in shown.splitlines() if line.startswith("  ")]
    assert times == ["22:00:07", "23:00:07"]
    # a time on the minute keeps its form (19:15, not 19:15:00)
    assert "19:15 " in run(data_dir, "add")
    assert "19:15:00" not in run(data_dir, "list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "cron(15 19 * *)"], "invalid schedule expression"),
        (["add", "--timezone", "Mars/Olympus"], "for example Europe/London"),
        (["add", "at(2001-01-01T19:15:00)"], "is in the past"),
        (["add", "--household", "nobody"], "household 'nobody' does not exist"),
        (["add", "--window", "5000"], "window must be"),
    ],
)
def test_cli_refuses_bad_input_with_exit_2(data_dir: Path, args: list[str], message: str) -> None:
    error = run(data_dir, *args, code=2)
    assert message in error
    assert "for example" in error or "does not exist" in error


def test_cli_refuses_a_duplicate_name(data_dir: Path) -> None:
    run(data_dir, "add")
    assert "already has a schedule 'nightly'" in run(data_dir, "add", "--name", "nightly", code=2)


def test_update_changes_what_is_given_and_keeps_the_rest(bedtales: App) -> None:
    schedules.add_schedule(bedtales.db, "home", now=NOW)
    changed = schedules.update(
        bedtales.db, "home", "nightly", max_attempts=5, max_age_s=3600, now=NOW
    )
    assert (changed.max_attempts, changed.max_age_s) == (5, 3600)
    assert changed.next_fire_at == datetime(2027, 3, 25, 19, 15, tzinfo=UTC)  # unchanged
    later = schedules.update(
        bedtales.db, "home", "nightly", expression="0 7 * * *", timezone="Asia/Tokyo",
        window_minutes=20, now=NOW,
    )  # fmt: skip
    assert (later.expression, later.timezone, later.window_minutes) == (
        "0 7 * * *",
        "Asia/Tokyo",
        20,
    )
    assert later.next_fire_at == datetime(2027, 3, 25, 22, 0, tzinfo=UTC)  # 07:00 JST
    assert later.due_at is not None
    assert later.next_fire_at <= later.due_at <= later.next_fire_at + timedelta(minutes=20)
    assert later.max_attempts == 5  # kept
    schedules.pause(bedtales.db, "home", "nightly")
    paused = schedules.update(bedtales.db, "home", "nightly", expression="rate(1 day)", now=NOW)
    assert not paused.enabled
    assert paused.next_fire_at is None  # a paused schedule stays paused


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 187}, "max_attempts"),
        ({"max_age_s": 59}, "max_age"),
        ({"max_age_s": 86401}, "max_age"),
        ({"expression": "nonsense"}, "expression"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"window_minutes": 2000}, "window"),
    ],
)
def test_update_refuses_bad_values_and_writes_nothing(
    bedtales: App, kwargs: dict[str, object], field: str
) -> None:
    before = schedules.add_schedule(bedtales.db, "home", now=NOW)
    with pytest.raises(InputError) as caught:
        # a good change beside the bad one is not written either
        schedules.update(bedtales.db, "home", "nightly", now=NOW, **{"max_age_s": 600, **kwargs})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert "for example" in str(caught.value)
    assert schedules.get_schedule(bedtales.db, "home", "nightly") == before


def test_cli_set_changes_the_retry_policy_and_window(data_dir: Path) -> None:
    run(data_dir, "add", "--max-attempts", "2", "--max-age", "7200")
    [added] = json.loads(run(data_dir, "list", "--json"))
    assert (added["maxAttempts"], added["maxAgeSeconds"]) == (2, 7200)
    shown = run(data_dir, "set", "nightly", "--window", "30", "--max-attempts", "4")
    assert "Changed schedule 'nightly'" in shown
    assert "up to 30 min late; 4 attempt(s) within 2 h" in shown
    [changed] = json.loads(run(data_dir, "list", "--json"))
    assert (changed["windowMinutes"], changed["maxAttempts"]) == (30, 4)
    assert "max age must be 60 to 86400" in run(
        data_dir, "set", "nightly", "--max-age", "5", code=2
    )
    assert "no schedule 'nope'" in run(data_dir, "set", "nope", "--window", "1", code=2)
    assert "nothing to change" in run(data_dir, "set", "nightly", code=2)


def test_every_schedule_command_has_help_and_data_dir() -> None:
    for command in ("add", "set", "list", "pause", "resume", "remove", "next"):
        result = runner.invoke(cli(), ["schedule", command, "--help"])
        assert result.exit_code == 0, result.output
        assert "--data-dir" in result.stdout


def test_init_gives_a_new_household_its_nightly_schedule(tmp_path: Path) -> None:
    from bedtales.app import initialise

    bedtales, home, created = initialise(tmp_path / "fresh", timezone="America/New_York")
    try:
        assert created
        [nightly] = schedules.list_schedules(bedtales.db, home.name)
        assert (nightly.name, nightly.expression, nightly.timezone) == (
            "nightly",
            "cron(15 19 * * ? *)",
            "America/New_York",
        )
        initialise(tmp_path / "fresh", timezone="America/New_York")[0].close()  # idempotent
        assert len(schedules.list_schedules(bedtales.db, home.name)) == 1
    finally:
        bedtales.close()
