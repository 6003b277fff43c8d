from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bedtales.app import App
from bedtales.bus.events import Event
from bedtales.bus.rules import build_topology
from bedtales.config import load_settings
from bedtales.engines.text import engines as text_engines
from bedtales.errors import ConfigError
from bedtales.pipes.spec import compile_pipes
from bedtales.targets import handlers


def topology_from(tmp_path: Path, toml: str) -> object:
    (tmp_path / "bedtales.toml").write_text(toml)
    bus = load_settings(tmp_path).bus
    topology = build_topology(bus, handlers.names())
    compile_pipes(bus.pipes)
    return topology


def test_the_default_reproduces_the_reference_topology(tmp_path: Path) -> None:
    topology = build_topology(load_settings(tmp_path).bus, handlers.names())
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
    (pipe,) = compile_pipes(load_settings(tmp_path).bus.pipes)
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


def test_handler_modules_register_more_handlers_and_one_that_cannot_load_is_refused(
    tmp_path: Path,
) -> None:
    with_more = App(load_settings(tmp_path, bus={"handler_modules": ["worker_handlers"]}))
    assert {"counted", "broken", "write_story", "notify"} <= set(with_more.handlers.names())
    assert with_more.handlers.get("counted").on_dead_letter is None
    assert with_more.handlers.get("illustrate").on_dead_letter is not None
    with_more.close()
    missing = App(load_settings(tmp_path, bus={"handler_modules": ["no_such_handlers"]}))
    with pytest.raises(
        ConfigError, match=r"bus\.handler_modules: cannot import 'no_such_handlers'"
    ):
        missing.topology  # noqa: B018 - built for its checks
    missing.close()


def test_a_module_in_handler_modules_may_plug_in_a_text_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what the module registers goes into a copy, gone after this test (the others list
    # the known engines)
    monkeypatch.setattr(text_engines, "_entries", dict(text_engines._entries))
    monkeypatch.delitem(sys.modules, "plugged_engines", raising=False)
    alone = App(load_settings(tmp_path, text={"engine": "echo"}))
    with pytest.raises(ConfigError, match="unknown text engine 'echo'"):
        alone.tools.text_engine()
    alone.close()
    plugged = App(
        load_settings(
            tmp_path, text={"engine": "echo"}, bus={"handler_modules": ["plugged_engines"]}
        )
    )
    assert plugged.tools.text_engine().name == "echo"
    plugged.close()
    monkeypatch.delitem(sys.modules, "plugged_engines")


def test_every_registry_names_its_built_ins_without_importing_them() -> None:
    code = """
import json, sys
from bedtales.bus.backends import backends
from bedtales.engines.image import engines as image
from bedtales.engines.speech import engines as speech
from bedtales.engines.text import engines as text
from bedtales.media import stores
from bedtales.targets import handlers
names = {r.kind: r.names() for r in (text, image, speech, stores, backends, handlers)}
built_in = [m for m in sys.modules if m.startswith(("bedtales.engines.", "bedtales.targets."))]
built_in += [m for m in ("bedtales.media.s3", "bedtales.bus.backends.redis") if m in sys.modules]
print(json.dumps([names, sorted(built_in)]))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    names, built_in = json.loads(done.stdout)
    assert names == {
        "text engine": ["builtin", "llamacpp", "openai"],
        "image engine": ["builtin", "openai"],
        "speech engine": ["piper", "espeak", "openai"],
        "media store": ["local", "s3"],
        "bus backend": ["sql", "redis"],
        "target handler": ["write_story", "illustrate", "narrate", "notify"],
    }
    assert built_in == [
        "bedtales.engines.image",
        "bedtales.engines.speech",
        "bedtales.engines.text",
    ]
