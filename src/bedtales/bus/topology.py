"""Rules, targets and pipes, compiled and checked once at start-up from ``[bus]`` settings.

A bad pattern, template or unknown target stops start-up with a message that names the rule,
target or pipe — never a failure at three in the morning when the first event arrives.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from bedtales.bus.events import Event, RetryPolicy
from bedtales.bus.patterns import EventPattern, compile_pattern
from bedtales.bus.templates import InputTemplate, compile_template
from bedtales.config import BusSettings
from bedtales.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: EventPattern
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    name: str
    handler: str
    policy: RetryPolicy


@dataclass(frozen=True)
class PipeSpec:
    name: str
    filter: EventPattern
    template: InputTemplate
    event_source: str
    detail_type: str


@dataclass(frozen=True)
class Topology:
    rules: tuple[Rule, ...]
    targets: dict[str, Target]
    pipes: tuple[PipeSpec, ...]

    def route(self, event: Event) -> list[str]:
        """The targets of every rule the event matches, each once, in declaration order."""
        envelope = event.envelope()
        matched: dict[str, None] = {}
        for rule in self.rules:
            if rule.pattern.matches(envelope):
                matched.update(dict.fromkeys(rule.targets))
        return list(matched)


def build_topology(settings: BusSettings, handlers: Collection[str]) -> Topology:
    """Compile and check the bus configuration against the registered ``handlers``."""
    targets: dict[str, Target] = {}
    for name, target in settings.targets.items():
        handler = target.handler or name
        if handler not in handlers:
            raise ConfigError(
                f"target {name!r}: unknown handler {handler!r} "
                f"(registered: {', '.join(sorted(handlers)) or 'none'})"
            )
        if target.base_delay_s > target.max_delay_s:
            raise ConfigError(f"target {name!r}: base_delay_s is larger than max_delay_s")
        policy = RetryPolicy(
            max_attempts=target.max_attempts,
            max_age_s=target.max_age_s,
            base_delay_s=target.base_delay_s,
            max_delay_s=target.max_delay_s,
        )
        targets[name] = Target(name=name, handler=handler, policy=policy)

    rules = tuple(
        _rule(rule.name, rule.event_pattern, rule.targets, targets) for rule in settings.rules
    )
    _unique("rule", [rule.name for rule in rules])
    pipes = tuple(
        PipeSpec(
            name=pipe.name,
            filter=compile_pattern(pipe.filter, where=f"pipe {pipe.name!r}: filter"),
            template=compile_template(
                pipe.input_template, where=f"pipe {pipe.name!r}: input_template"
            ),
            event_source=pipe.event_source,
            detail_type=pipe.detail_type,
        )
        for pipe in settings.pipes
    )
    _unique("pipe", [pipe.name for pipe in pipes])
    return Topology(rules=rules, targets=targets, pipes=pipes)


def _rule(name: str, pattern: dict[str, Any], names: list[str], targets: dict[str, Target]) -> Rule:
    unknown = [target for target in names if target not in targets]
    if unknown:
        raise ConfigError(
            f"rule {name!r}: unknown target(s) {', '.join(map(repr, unknown))} "
            f"(declared targets: {', '.join(sorted(targets)) or 'none'}; add [bus.targets.NAME])"
        )
    compiled = compile_pattern(pattern, where=f"rule {name!r}: event_pattern")
    return Rule(name=name, pattern=compiled, targets=tuple(dict.fromkeys(names)))


def _unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{kind} {name!r} is declared twice")
        seen.add(name)
