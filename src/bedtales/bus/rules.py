"""Rules and targets, compiled and checked once at start-up from what ``[bus]`` declares.

A bad pattern or unknown target stops start-up with a message that names the rule or target
— never a failure at three in the morning when the first event arrives. The bus reads the
declarations through the small protocols below, so it does not depend on the settings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bedtales.bus.events import Event, RetryPolicy
from bedtales.bus.patterns import EventPattern, compile_pattern
from bedtales.errors import ConfigError


class TargetDeclaration(Protocol):
    @property
    def handler(self) -> str | None: ...
    @property
    def max_attempts(self) -> int: ...
    @property
    def max_age_s(self) -> float: ...
    @property
    def base_delay_s(self) -> float: ...
    @property
    def max_delay_s(self) -> float: ...


class RuleDeclaration(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def event_pattern(self) -> Mapping[str, Any]: ...
    @property
    def targets(self) -> Sequence[str]: ...


class BusDeclarations(Protocol):
    """What ``[bus]`` declares (:class:`bedtales.config.BusSettings` is one)."""

    @property
    def rules(self) -> Sequence[RuleDeclaration]: ...
    @property
    def targets(self) -> Mapping[str, TargetDeclaration]: ...


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
class Topology:
    """The bus's routing: its rules and targets."""

    rules: tuple[Rule, ...]
    targets: dict[str, Target]

    def route(self, event: Event) -> list[str]:
        """The targets of every rule the event matches, each once, in declaration order."""
        envelope = event.envelope()
        matched: dict[str, None] = {}
        for rule in self.rules:
            if rule.pattern.matches(envelope):
                matched.update(dict.fromkeys(rule.targets))
        return list(matched)


def build_topology(settings: BusDeclarations, handlers: Collection[str]) -> Topology:
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
        _rule(rule.name, dict(rule.event_pattern), list(rule.targets), targets)
        for rule in settings.rules
    )
    _unique("rule", [rule.name for rule in rules])
    return Topology(rules=rules, targets=targets)


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
