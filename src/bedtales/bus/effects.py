"""The idempotency helper handlers use: record completed effects by key, so a redelivered
event does not apply one twice.

An effect that writes to the database is applied in the same transaction that records it,
so it happens exactly once even if the worker dies at any moment. An effect outside the
database (an email) can only be made at-least-once or at-most-once; the notify target
decides which, per effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bedtales.bus.events import Delivery
from bedtales.storage import Database
from bedtales.storage.models import BusEffectRow


class EffectLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def once(self, key: str, apply: Callable[[Session], None]) -> bool:
        """Run ``apply`` and record ``key`` in one transaction, unless ``key`` is recorded
        already. Returns True when the effect was applied now."""
        try:
            with self.db.session() as session:
                if session.get(BusEffectRow, key) is not None:
                    return False
                apply(session)
                session.add(BusEffectRow(key=key))
        except IntegrityError:  # another worker recorded it first; our transaction rolled back
            return False
        return True


@dataclass(frozen=True)
class HandlerContext:
    """What a target handler gets besides its delivery (a target's handler gets the
    settings and tools too: :class:`bedtales.targets.TargetContext`)."""

    delivery: Delivery
    db: Database
    effects: EffectLog

    def once(self, effect: str, apply: Callable[[Session], None]) -> bool:
        """Apply a database effect named ``effect`` once per delivery key."""
        return self.effects.once(f"{self.delivery.key}:{effect}", apply)
