"""Each household's caps: 50 characters, 200 scenes, 10 subscribers, 10 schedules. The one
over the cap is refused with a message that says how many it has and may have, naming the
field, and nothing is written (the CLI, the API and the site all call these services)."""

from __future__ import annotations

import pytest

from bedtales.app import App
from bedtales.errors import InputError
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.scheduler import schedules


def test_characters_stop_at_fifty(bedtales: App) -> None:
    have = len(services.list_characters(bedtales.db, "home"))
    services.add_characters(bedtales.db, "home", [f"Friend {n}" for n in range(50 - have)])
    with pytest.raises(InputError, match="at most 50 characters; it has 50") as refused:
        services.add_character(bedtales.db, "home", "One Too Many")
    assert refused.value.field == "name"
    assert len(services.list_characters(bedtales.db, "home")) == 50


def test_a_batch_that_would_pass_the_cap_adds_nothing(bedtales: App) -> None:
    have = len(services.list_characters(bedtales.db, "home"))
    with pytest.raises(InputError, match="at most 50 characters"):
        services.add_characters(bedtales.db, "home", [f"Friend {n}" for n in range(51 - have)])
    assert len(services.list_characters(bedtales.db, "home")) == have


def test_scenes_stop_at_two_hundred(bedtales: App) -> None:
    have = len(services.list_scenes(bedtales.db, "home"))
    services.add_scenes(
        bedtales.db, "home", [f"a garden with {n} roses" for n in range(200 - have)]
    )
    with pytest.raises(InputError, match="at most 200 scenes") as refused:
        services.add_scene(bedtales.db, "home", "a garden with no roses")
    assert refused.value.field == "scene"


def test_subscribers_stop_at_ten(bedtales: App) -> None:
    have = len(subscribers.list_subscribers(bedtales.db, "home"))
    for n in range(10 - have):
        subscribers.add_subscriber(bedtales.db, "home", f"ntfys://ntfy.sh/bedtales-topic-{n}")
    with pytest.raises(InputError, match="at most 10 subscribers") as refused:
        subscribers.add_subscriber(bedtales.db, "home", "ntfys://ntfy.sh/bedtales-topic-x")
    assert refused.value.field == "url"
    assert len(subscribers.list_subscribers(bedtales.db, "home")) == 10


def test_schedules_stop_at_ten(bedtales: App) -> None:
    have = len(schedules.list_schedules(bedtales.db, "home"))
    for n in range(10 - have):
        schedules.add_schedule(bedtales.db, "home", f"cron({n} 19 * * ? *)", name=f"s{n}")
    with pytest.raises(InputError, match="at most 10 schedules") as refused:
        schedules.add_schedule(bedtales.db, "home", "cron(30 20 * * ? *)", name="extra")
    assert refused.value.field == "schedule"
    assert len(schedules.list_schedules(bedtales.db, "home")) == 10
