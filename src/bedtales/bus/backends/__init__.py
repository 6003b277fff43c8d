"""Delivery backends: one interface, one implementation per engine, one contract test suite
(``tests/test_bus_contract.py``) that every backend passes.

Semantics, for every backend: delivery is **at-least-once**. A claimed delivery is leased to
one worker for ``lease_s`` seconds; acked, it is done; failed, it is retried after the
policy's backoff or, out of attempts or age, moved to the dead-letter queue with its last
error; if the worker dies, the lease runs out and the delivery is claimed again. Handlers
must therefore be idempotent on :attr:`Delivery.key`.

Backends register in :data:`backends`, by the name ``bus.backend`` gives; the App picks one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bedtales.bus.events import DeadLetter, Delivery, DeliveryState, Event, RetryPolicy
from bedtales.registry import Registry

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from bedtales.storage import Database


class Backend(Protocol):
    """Durable per-target queues of deliveries."""

    name: str
    # True when publish() can join the caller's database transaction (the sql backend; pass
    # its Connection):
    # then the pipe advances its checkpoint in the same transaction, exactly once.
    transactional: bool

    def publish(
        self, items: Sequence[tuple[Event, Sequence[str]]], *, connection: Connection | None = None
    ) -> int:
        """Enqueue each event for its matched targets; an event id seen before is skipped.
        Returns how many events were new."""
        ...

    def claim(self, targets: Sequence[str], limit: int, lease_s: float) -> list[Delivery]:
        """Lease up to ``limit`` deliveries that are due, for any of ``targets``."""
        ...

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Mark deliveries done. A delivery whose lease was lost meanwhile is left alone."""
        ...

    def fail(self, delivery: Delivery, error: str, policy: RetryPolicy) -> bool:
        """Schedule a retry, or dead-letter the delivery; True when it was dead-lettered."""
        ...

    def release(self, deliveries: Sequence[Delivery], delay_s: float = 0.0) -> None:
        """Hand deliveries back unprocessed, the attempt not counted: due now (on shutdown),
        or after ``delay_s`` (a handler that is waiting for something, not failing)."""
        ...

    def extend(self, deliveries: Sequence[Delivery], lease_s: float) -> None:
        """Renew the lease of deliveries still being handled."""
        ...

    def wait(self, targets: Sequence[str], timeout_s: float) -> None:
        """Return when work may be due for ``targets``, or after ``timeout_s``."""
        ...

    def dead_letters(self, target: str | None = None, limit: int = 100) -> list[DeadLetter]: ...

    def replay(self, ids: Sequence[str]) -> int:
        """Put dead letters back on their target's queue with fresh attempts."""
        ...

    def drop(self, ids: Sequence[str]) -> int: ...

    def delivery_states(self, subject: str) -> list[DeliveryState]:
        """Every target's state for the events about ``subject`` (a story id)."""
        ...

    def recent_events(self, after: Any, limit: int) -> tuple[list[Event], Any]:
        """Events published after the cursor ``after`` (None: from now), and the next cursor."""
        ...

    def tidy(self) -> int:
        """Forget finished work past its retention; returns how much went. Dead letters stay
        until replayed or dropped."""
        ...

    def close(self) -> None: ...


class BackendSettings(Protocol):
    """What a backend is built from: ``[bus]`` (:class:`bedtales.config.BusSettings` is one),
    read through this protocol so that the bus does not depend on the settings."""

    @property
    def redis_url(self) -> str: ...
    @property
    def name(self) -> str: ...


# A backend is built from [bus] and bedtales' database (the sql backend keeps its queues there).
backends: Registry[Callable[[BackendSettings, Database], Backend]] = Registry(
    "bus backend",
    {"sql": "bedtales.bus.backends.sql", "redis": "bedtales.bus.backends.redis"},
)
