"""Schedule expressions: the four forms, their refusals, and wall-clock time across DST."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtales.errors import InputError
from bedtales.scheduler.expressions import (
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
    assert aws == CronExpression("cron(15 19 * * ? *)", "15 19 * * *", None, skips_gap=True)
    assert parse("cron(0 19 ? * MON-FRI 2026-2027)") == CronExpression(
        "cron(0 19 ? * MON-FRI 2026-2027)",
        "0 19 * * 1,2,3,4,5",
        frozenset({2026, 2027}),
        skips_gap=True,
    )
    assert parse("cron(0 9 15W * ? *)") == CronExpression(
        "cron(0 9 15W * ? *)", "0 9 13-17 * *", None, nearest_weekday=15, skips_gap=True
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
        "cron(0 9 1-15W * ? *)",  # W takes one day, not a range
        "cron(0 9 15W,20 * ? *)",
        "cron(0 9 32W * ? *)",
        "cron(0 9 0W * ? *)",
        "cron(0 9 30W 2 ? *)",  # February has no 30th, so no weekday nearest it
        "cron(0 9 ? * LW *)",  # LW belongs to day-of-month
        "cron(0 9 1 1 ? 2026/0)",
        "cron(0 9 1 1 ? */x)",
        "cron(0 9 1 1 ? 1960/2)",
        "cron(0 9 1 1 ? 2030-2026/2)",
    ],
)
def test_invalid_expressions_name_the_field_and_show_an_example(expression: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(expression)
    assert caught.value.field == "expression"
    assert "for example" in str(caught.value)
    assert re.search(r"cron\(|rate\(|at\(", str(caught.value).split("for example")[1])


AWS_EXAMPLE = "for example cron(15 19 * * ? *) or cron(0 19 ? * MON-FRI *)"
ANY_EXAMPLE = "for example cron(15 19 * * ? *) or 15 19 * * *, rate(1 day), at(2026-12-24T19:15:00)"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 19 ? * 8 *)", "day-of-week '8' must be 1-7 or SUN-SAT; " + AWS_EXAMPLE),
        ("cron(0 9 ? * LW *)", "day-of-week 'LW' must be 1-7 or SUN-SAT; " + AWS_EXAMPLE),
        ("cron(0 9 1-15W * ? *)", "Bad day-of-month; " + ANY_EXAMPLE),
        ("cron(0 9 30W 2 ? *)", "Bad day-of-month; " + ANY_EXAMPLE),
        ("cron(15 19 * * ? 1969)",
         "year '1969' must lie within 1970-2199, low to high; " + AWS_EXAMPLE),
        ("cron(0 9 1 1 ? 2026/0)",
         "year '2026/0' must be *, a year or a range such as 2026-2028; " + AWS_EXAMPLE),
    ],
)  # fmt: skip
def test_refusals_keep_their_messages(expression: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(expression)
    assert str(caught.value) == f"invalid schedule expression: {expression!r}: {message}"


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


# ------------------------------------------------- EventBridge forms, against the calendar


def days_of(expression: str, after: date, count: int) -> list[date]:
    """The local dates of the next ``count`` firings after midnight UTC on ``after``."""
    start = datetime(after.year, after.month, after.day, tzinfo=UTC)
    return [f.date() for f in local_fires(expression, LONDON, start, count)]


def test_nearest_weekday_to_the_15th() -> None:
    # 2026-01-15 is a Thursday: 15W is the 15th itself.
    # 2026-02-15 is a Sunday: the nearest weekday is Monday the 16th.
    # 2026-08-15 is a Saturday: the nearest weekday is Friday the 14th.
    fires = days_of("cron(0 9 15W * ? *)", date(2026, 1, 1), 8)
    assert fires[0] == date(2026, 1, 15)
    assert fires[1] == date(2026, 2, 16)
    assert fires[7] == date(2026, 8, 14)


def test_nearest_weekday_never_leaves_the_month() -> None:
    # 2026-08-01 is a Saturday: Friday would be 31 July, so 1W is Monday 3 August.
    assert days_of("cron(0 9 1W 8 ? *)", date(2026, 7, 1), 1) == [date(2026, 8, 3)]
    # 2026-02-01 is a Sunday: 1W is Monday the 2nd, the usual move.
    assert days_of("cron(0 9 1W 2 ? *)", date(2026, 1, 1), 1) == [date(2026, 2, 2)]
    # 2026-05-31 is a Sunday: Monday would be 1 June, so 31W is Friday 29 May.
    # 2026-01-31 is a Saturday: 31W is Friday the 30th.
    # April, June… have no 31st, so 31W does not fire in them at all (as 31 would not).
    # 2026-03-31 is a Tuesday, 2026-07-31 a Friday: the 31st itself.
    assert days_of("cron(0 9 31W * ? *)", date(2026, 1, 1), 4) == [
        date(2026, 1, 30),
        date(2026, 3, 31),
        date(2026, 5, 29),
        date(2026, 7, 31),
    ]


def test_29w_in_february_fires_in_leap_years_only() -> None:
    # 2028 is a leap year and 2028-02-29 is a Tuesday: the 29th itself. 2029-2031 have no
    # 29 February. 2032-02-29 is a Sunday and the month's last day, so Friday the 27th.
    assert days_of("cron(0 9 29W 2 ? *)", date(2026, 6, 1), 2) == [
        date(2028, 2, 29),
        date(2032, 2, 27),
    ]


def test_last_weekday_of_the_month() -> None:
    # 2027-02-28 is a Sunday: the last weekday of February 2027 is Friday the 26th.
    # 2028 is a leap year and 2028-02-29 a Tuesday: LW is the 29th.
    # 2026-05-31 is a Sunday: LW of May 2026 is Friday the 29th.
    assert days_of("cron(0 9 LW 2 ? *)", date(2027, 1, 1), 2) == [
        date(2027, 2, 26),
        date(2028, 2, 29),
    ]
    assert days_of("cron(0 9 LW 5 ? *)", date(2026, 1, 1), 1) == [date(2026, 5, 29)]


def test_l_alone_in_day_of_week_is_saturday() -> None:
    # AWS numbers the week 1 = SUN … 7 = SAT; L alone is its last day, 7, Saturday.
    # 2027-01-01 is a Friday, so the Saturdays that follow are the 2nd, 9th and 16th.
    saturdays = [date(2027, 1, 2), date(2027, 1, 9), date(2027, 1, 16)]
    assert days_of("cron(0 19 ? * L *)", date(2027, 1, 1), 3) == saturdays
    assert days_of("cron(0 19 ? * 7 *)", date(2027, 1, 1), 3) == saturdays
    # in a list beside Sunday (1): Saturday the 2nd, Sunday the 3rd, Saturday the 9th
    assert days_of("cron(0 19 ? * 1,L *)", date(2027, 1, 1), 3) == [
        date(2027, 1, 2),
        date(2027, 1, 3),
        date(2027, 1, 9),
    ]


def test_year_steps() -> None:
    christmas_eve = [date(2026, 12, 24), date(2028, 12, 24), date(2030, 12, 24)]
    assert days_of("cron(0 19 24 12 ? 2026/2)", date(2026, 1, 1), 5)[:3] == christmas_eve
    # */2 steps from 1970, the first year AWS allows: the even years
    assert days_of("cron(0 19 24 12 ? */2)", date(2026, 1, 1), 3) == christmas_eve
    assert days_of("cron(0 19 24 12 ? 2027-2031/2)", date(2026, 1, 1), 5) == [
        date(2027, 12, 24),
        date(2029, 12, 24),
        date(2031, 12, 24),
    ]
    # a step with no end runs to 2199, the last year AWS allows
    stepped = parse("cron(0 19 24 12 ? 2195/2)")
    assert isinstance(stepped, CronExpression)
    assert stepped.years == frozenset({2195, 2197, 2199})


# ------------------------------------------------- daylight saving: cron() as EventBridge


def test_cron_time_in_the_london_spring_gap_is_skipped_that_night() -> None:
    # On 2027-03-28 London's clocks jump from 01:00 GMT to 02:00 BST: 01:30 does not exist,
    # so cron() does not fire that night. The nights either side fire at 01:30 local.
    fires = local_fires("cron(30 1 * * ? *)", LONDON, datetime(2027, 3, 26, 12, tzinfo=UTC), 3)
    assert [f.strftime("%Y-%m-%d %H:%M %Z") for f in fires] == [
        "2027-03-27 01:30 GMT",
        "2027-03-29 01:30 BST",
        "2027-03-30 01:30 BST",
    ]


def test_cron_gap_times_are_skipped_and_the_rest_of_the_night_fires() -> None:
    # every 30 minutes from 01:00 to 03:59 on 2027-03-28: 01:00 and 01:30 fall in the gap
    fires = local_fires("cron(*/30 1-3 * * ? *)", LONDON, datetime(2027, 3, 28, tzinfo=UTC), 4)
    assert [f.strftime("%H:%M %Z") for f in fires] == [
        "02:00 BST",
        "02:30 BST",
        "03:00 BST",
        "03:30 BST",
    ]


def test_cron_time_in_the_london_autumn_repeat_fires_once() -> None:
    # On 2026-10-25 London's clocks go back from 02:00 BST to 01:00 GMT: 01:30 happens
    # twice (00:30 and 01:30 UTC). cron() fires at the first only.
    fires = next_fires(
        parse("cron(30 1 * * ? *)"), LONDON, datetime(2026, 10, 24, 12, tzinfo=UTC), 2
    )
    assert fires == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),  # the next night, 01:30 GMT
    ]


def test_cron_in_new_york_skips_the_gap_and_fires_the_repeat_once() -> None:
    # 2027-03-14: New York jumps from 02:00 EST to 03:00 EDT, so 02:30 does not exist.
    spring = local_fires("cron(30 2 * * ? *)", NEW_YORK, datetime(2027, 3, 13, 12, tzinfo=UTC), 2)
    assert [f.strftime("%Y-%m-%d %H:%M %Z") for f in spring] == [
        "2027-03-15 02:30 EDT",
        "2027-03-16 02:30 EDT",
    ]
    # 2026-11-01: New York goes back from 02:00 EDT to 01:00 EST, so 01:30 happens twice.
    autumn = next_fires(parse("cron(30 1 * * ? *)"), NEW_YORK, datetime(2026, 11, 1, tzinfo=UTC), 2)
    assert autumn == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT (UTC-4), the first
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # 01:30 EST (UTC-5) the next night
    ]


def test_five_field_cron_and_at_keep_firing_at_the_end_of_the_gap() -> None:
    # the documented choice for plain cron: 01:30 on 2027-03-28 in London fires at 02:00 BST
    fires = local_fires("30 1 * * *", LONDON, datetime(2027, 3, 27, 12, tzinfo=UTC), 1)
    assert fires[0].strftime("%Y-%m-%d %H:%M %Z") == "2027-03-28 02:00 BST"
    # a one-time at() in the gap is not lost either
    once = next_fire(parse("at(2027-03-28T01:30:00)"), LONDON, datetime(2027, 3, 1, tzinfo=UTC))
    assert once == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 02:00 BST
