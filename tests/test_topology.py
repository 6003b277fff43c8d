from __future__ import annotations

from pathlib import Path

import pytest

from bedtales.app import App
from bedtales.bus.events import Event
from bedtales.bus.topology import build_topology
from bedtales.config import load_settings
from bedtales.errors import ConfigError
from bedtales.targets import load_handlers


def topology_from(tmp_path: Path, toml: str) -> object:
    (tmp_path / "bedtales.toml").write_text(toml)
    return build_topology(load_settings(tmp_path).bus, load_handlers())


def test_the_default_reproduces_the_reference_topology(tmp_path: Path) -> None:
    topology = build_topology(load_settings(tmp_path).bus, load_handlers())
    fired_rule, created_rule = topology.rules
    assert (fired_rule.name, fired_rule.targets) == ("schedule-fired", ("write_story",))
    assert created_rule.name == "story-created"
    assert created_rule.targets == ("illustrate", "narrate", "notify")
    fired = Event(source="bedtales.scheduler", detail_type="ScheduleFired", detail={})
    assert topology.route(fired) == ["write_story"]
    created = Event(source="bedtales.stories", detail_type="StoryCreated", detail={"id": "x"})
    assert topology.route(created) == ["illustrate", "narrate", "notify"]
    other = Event(source="bedtales.stories", detail_type="StoryRemoved", detail={})
    assert topology.route(other) == []
    (pipe,) = topology.pipes
    assert (pipe.name, pipe.detail_type, pipe.event_source) == (
        "stories",
        "StoryCreated",
        "bedtales.stories",
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[bus.rules]]\nname = "big"\n'
            'event_pattern = { detail = { size = [{ bigger = 3 }] } }\ntargets = ["notify"]\n',
            "rule 'big': event_pattern.detail.size",
        ),
        (
            '[[bus.rules]]\nname = "lost"\n'
            'event_pattern = { source = ["x"] }\ntargets = ["paint"]\n',
            "rule 'lost': unknown target(s) 'paint'",
        ),
        ('[bus.targets.paint]\nhandler = "brush"\n', "target 'paint': unknown handler 'brush'"),
        (
            '[[bus.pipes]]\nname = "p"\ninput_template = { id = "<$..id>" }\n',
            "pipe 'p': input_template",
        ),
        (
            '[[bus.pipes]]\nname = "p"\nfilter = { eventName = "INSERT" }\n',
            "pipe 'p': filter.eventName",
        ),
        (
            "[bus.targets.notify]\nmax_attempts = 0\n",
            "invalid setting bus.targets.notify.max_attempts",
        ),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_rule(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        topology_from(tmp_path, toml)


def test_a_target_in_two_rules_gets_an_event_once(tmp_path: Path) -> None:
    topology = topology_from(
        tmp_path,
        '[[bus.rules]]\nname = "all-stories"\n'
        'event_pattern = { source = [{ prefix = "bedtales." }] }\ntargets = ["notify"]\n',
    )
    event = Event(source="bedtales.stories", detail_type="StoryCreated", detail={})
    assert topology.route(event) == ["notify"]  # type: ignore[attr-defined]


def test_worker_refuses_unknown_targets(bedtales: App) -> None:
    from bedtales.errors import InputError

    with pytest.raises(InputError, match="unknown target"):
        bedtales.worker(["paint"])
