"""Schedule expressions: the four forms, their refusals, and wall-clock time across DST."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtales.errors import InputError
from bedtales.schedule_expressions import (
    AtExpression,
    CronExpression,
    RateExpression,
    next_fire,
    next_fires,
    parse,
    validate_at_not_past,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def local_fires(expression: str, tz: str, after: datetime, count: int) -> list[datetime]:
    return [f.astimezone(ZoneInfo(tz)) for f in next_fires(parse(expression), tz, after, count)]


def test_each_form_parses() -> None:
    assert parse("15 19 * * *") == CronExpression("15 19 * * *", "15 19 * * *")
    aws = parse("cron(15 19 * * ? *)")
    assert aws == CronExpression("cron(15 19 * * ? *)", "15 19 * * *", None)
    assert parse("cron(0 19 ? * MON-FRI 2026-2027)") == CronExpression(
        "cron(0 19 ? * MON-FRI 2026-2027)", "0 19 * * 1,2,3,4,5", frozenset({2026, 2027})
    )
    assert parse("rate(1 day)") == RateExpression("rate(1 day)", timedelta(days=1))
    assert parse("rate(30 minutes)") == RateExpression("rate(30 minutes)", timedelta(minutes=30))
    assert parse("rate(2 hours)") == RateExpression("rate(2 hours)", timedelta(hours=2))
    assert parse(" at(2026-12-24T19:15:00) ") == AtExpression(
        "at(2026-12-24T19:15:00)", datetime(2026, 12, 24, 19, 15)
    )


@pytest.mark.parametrize(
    "expression",
    [
        "15 19 * *",
        "0 15 19 * * *",
        "cron(15 19 * * *)",
        "cron(15 19 * * * *)",
        "cron(15 19 ? * ? *)",
        "cron(15 19 * * ? 1969)",
        "cron(15 19 * * ? 2028-2026)",
        "cron(0 19 ? * 8 *)",
        "cron(0 19 ? * FRI-MON *)",
        "cron(61 19 * * ? *)",
        "61 19 * * *",
        "rate(0 days)",
        "rate(2 day)",
        "rate(1 days)",
        "rate(5 weeks)",
        "rate(-1 day)",
        "at(2020-13-01T00:00:00)",
        "at(2026-12-24 19:15)",
        "every night please",
        "",
    ],
)
def test_invalid_expressions_name_the_field_and_show_an_example(expression: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(expression)
    assert caught.value.field == "expression"
    assert "for example" in str(caught.value)
    assert re.search(r"cron\(|rate\(|at\(", str(caught.value).split("for example")[1])


def test_bad_time_zone() -> None:
    with pytest.raises(InputError, match=r"Europe/London") as caught:
        next_fire(parse("15 19 * * *"), "Mars/Olympus", datetime(2027, 1, 1, tzinfo=UTC))
    assert caught.value.field == "timezone"


@pytest.mark.parametrize("expression", ["15 19 * * *", "cron(15 19 * * ? *)"])
@pytest.mark.parametrize("start", [date(2027, 3, 25), date(2027, 10, 28)])
def test_same_local_time_across_london_changes(expression: str, start: date) -> None:
    after = datetime(start.year, start.month, start.day, tzinfo=UTC)
    fires = next_fires(parse(expression), LONDON, after, 7)
    assert [f.astimezone(ZoneInfo(LONDON)).strftime("%H:%M") for f in fires] == ["19:15"] * 7
    days = [f.date() for f in fires]
    assert days == [start + timedelta(days=i) for i in range(7)]
    utc_hours = {f.date(): f.hour for f in fires}
    summer, winter = (18, 19)
    if start.month == 3:  # clocks go forward on 28 March 2027
        assert utc_hours[date(2027, 3, 27)] == winter
        assert utc_hours[date(2027, 3, 28)] == summer
    else:  # clocks go back on 31 October 2027
        assert utc_hours[date(2027, 10, 30)] == summer
        assert utc_hours[date(2027, 10, 31)] == winter
    assert all(f.tzinfo == UTC for f in fires)


def test_spring_forward_gap_fires_once_at_the_end_of_the_gap() -> None:
    # New York skips 02:00-03:00 on 14 March 2027.
    fires = local_fires("30 2 * * *", NEW_YORK, datetime(2027, 3, 13, 12, tzinfo=UTC), 3)
    assert [f.replace(tzinfo=None) for f in fires] == [
        datetime(2027, 3, 14, 3, 0),
        datetime(2027, 3, 15, 2, 30),
        datetime(2027, 3, 16, 2, 30),
    ]


def test_gap_matches_collapse_into_one_fire() -> None:
    fires = local_fires("*/15 2-3 * * *", NEW_YORK, datetime(2027, 3, 14, 5, tzinfo=UTC), 5)
    assert [f.strftime("%H:%M") for f in fires] == ["03:00", "03:15", "03:30", "03:45", "02:00"]


def test_london_0230_fires_once_on_both_change_days() -> None:
    for day in (date(2027, 3, 28), date(2027, 10, 31)):
        after = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=2)
        fires = local_fires("30 2 * * *", LONDON, after, 2)
        assert [f.date() for f in fires] == [day, day + timedelta(days=1)]
        assert fires[0].strftime("%H:%M") == "02:30"


def test_repeated_hour_fires_only_at_its_first_occurrence() -> None:
    # New York repeats 01:00-02:00 on 7 November 2027.
    fires = local_fires("30 1 * * *", NEW_YORK, datetime(2027, 11, 6, 12, tzinfo=UTC), 3)
    assert [f.date() for f in fires] == [date(2027, 11, d) for d in (7, 8, 9)]
    assert fires[0].utcoffset() == timedelta(hours=-4)  # the first 01:30, still EDT
    # Asking from inside the second copy of the hour does not fire it again.
    inside_repeat = datetime(2027, 11, 7, 6, 10, tzinfo=UTC)  # 01:10 EST
    later = next_fire(parse("30 1 * * *"), NEW_YORK, inside_repeat)
    assert later == datetime(2027, 11, 8, 6, 30, tzinfo=UTC)


def test_wildcard_hour_does_not_fire_twice_in_the_repeated_hour() -> None:
    fires = local_fires("0 * * * *", NEW_YORK, datetime(2027, 11, 7, 4, 30, tzinfo=UTC), 3)
    assert [f.strftime("%H:%M %Z") for f in fires] == ["01:00 EDT", "02:00 EST", "03:00 EST"]


def test_aws_weekdays_map_to_cron() -> None:
    after = datetime(2027, 1, 1, tzinfo=UTC)  # a Friday
    weekdays = local_fires("cron(0 19 ? * MON-FRI *)", LONDON, after, 10)
    assert {f.weekday() for f in weekdays} == {0, 1, 2, 3, 4}
    by_number = local_fires("cron(0 19 ? * 2-6 *)", LONDON, after, 10)
    assert by_number == weekdays
    sundays = local_fires("cron(0 19 ? * 1 *)", LONDON, after, 3)
    assert {f.weekday() for f in sundays} == {6}
    saturdays = local_fires("cron(0 19 ? * SAT *)", LONDON, after, 3)
    assert {f.weekday() for f in saturdays} == {5}
    every_other = local_fires("cron(0 19 ? * 2/2 *)", LONDON, after, 6)
    assert {f.weekday() for f in every_other} == {0, 2, 4}  # MON, WED, FRI; never SUN
    last_friday = local_fires("cron(0 19 ? * 6L *)", LONDON, after, 1)
    assert last_friday[0].date() == date(2027, 1, 29)


def test_aws_year_field_limits_fires() -> None:
    expr = parse("cron(0 19 1 1 ? 2029,2031)")
    fires = next_fires(expr, LONDON, datetime(2026, 6, 1, tzinfo=UTC), 5)
    assert [f.year for f in fires] == [2029, 2031]


def test_rate_spacing_and_anchor() -> None:
    after = datetime(2027, 3, 27, 12, tzinfo=UTC)
    fires = next_fires(parse("rate(1 day)"), LONDON, after, 3)
    assert fires == [after + timedelta(days=i) for i in (1, 2, 3)]  # elapsed time, not DST
    start = datetime(2027, 3, 27, 11, 50, tzinfo=UTC)
    anchored = next_fires(parse("rate(15 minutes)"), LONDON, after, 2, start=start)
    assert anchored == [start + timedelta(minutes=15), start + timedelta(minutes=30)]
    future = after + timedelta(hours=1)
    assert next_fires(parse("rate(1 hour)"), LONDON, after, 1, start=future) == [future]


def test_at_past_and_future() -> None:
    expr = parse("at(2026-12-24T19:15:00)")
    before = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_fire(expr, NEW_YORK, before) == datetime(2026, 12, 25, 0, 15, tzinfo=UTC)
    validate_at_not_past(expr, NEW_YORK, before)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert next_fire(expr, NEW_YORK, now) is None
    with pytest.raises(InputError, match=r"is in the past.*for example at\(") as caught:
        validate_at_not_past(expr, NEW_YORK, now)
    assert caught.value.field == "expression"
    validate_at_not_past(parse("15 19 * * *"), NEW_YORK, now)
