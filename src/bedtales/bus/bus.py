"""The bus: routes events through the rules and hands them to the delivery backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bedtales.bus.backends import Backend
from bedtales.bus.events import Event
from bedtales.bus.rules import Topology

if TYPE_CHECKING:
    from sqlalchemy import Connection


class Bus:
    def __init__(self, topology: Topology, backend: Backend) -> None:
        self.topology = topology
        self.backend = backend

    def publish(self, events: Sequence[Event], *, connection: Connection | None = None) -> int:
        """Put events on the bus: each is delivered to the targets of every rule it matches.
        An event matching no rule is still recorded (``events tail`` shows it). Returns how
        many events were new (an id seen before is not delivered again)."""
        items = [(event, self.topology.route(event)) for event in events]
        return self.backend.publish(items, connection=connection)

    def close(self) -> None:
        self.backend.close()
