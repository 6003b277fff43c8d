"""The event envelope (EventBridge's shape), deliveries, retry policies and dead letters."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bedtales.clock import iso_utc, utcnow

# Deterministic event ids: the same stream record always becomes the same event id, so a
# publisher that retries after a crash can be deduplicated by id.
EVENT_NAMESPACE = uuid.UUID("6f1d2c6e-3b0a-4f55-9a43-6265647461c5")


def event_id_for(*parts: object) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, ":".join(str(p) for p in parts)))


@dataclass(frozen=True)
class Event:
    """One event, as on EventBridge: ``{"id", "source", "detail-type", "time", "detail"}``."""

    source: str
    detail_type: str
    detail: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=utcnow)

    def envelope(self) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.id,
            "source": self.source,
            "detail-type": self.detail_type,
            "time": iso_utc(self.time),
            "detail": self.detail,
        }

    def to_json(self) -> str:
        return json.dumps(self.envelope(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_envelope(cls, data: dict[str, Any]) -> Event:
        return cls(
            id=data["id"],
            source=data["source"],
            detail_type=data["detail-type"],
            time=datetime.fromisoformat(data["time"].replace("Z", "+00:00")),
            detail=data["detail"],
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        return cls.from_envelope(json.loads(text))

    @property
    def subject(self) -> str | None:
        """What the event is about (a story id), for per-story delivery state: ``id`` of a
        StoryCreated, ``storyId`` (the story it is to write) of a ScheduleFired."""
        for name in ("storyId", "id"):
            value = self.detail.get(name)
            if isinstance(value, str):
                return value
        return None


@dataclass(frozen=True)
class Delivery:
    """One event handed to one target. ``receipt`` is the backend's token for this attempt:
    unique together with the target (a redis receipt is shared by an event's targets)."""

    event: Event
    target: str
    attempt: int
    receipt: str

    @property
    def key(self) -> str:
        """The idempotency key of this delivery: the same on every redelivery."""
        return f"{self.event.id}:{self.target}"


@dataclass(frozen=True)
class RetryPolicy:
    """Like an EventBridge target's: attempts, event age, exponential backoff with full jitter."""

    max_attempts: int = 10
    max_age_s: float = 24 * 3600
    base_delay_s: float = 1.0
    max_delay_s: float = 300.0

    def next_delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before attempt ``attempt + 1``: full jitter, uniform in
        [0, min(max_delay, base * 2 ** (attempt - 1))]."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 1))
        return (rng or random).uniform(0, ceiling)

    def for_event(self, event: Event) -> RetryPolicy:
        """This policy, with the attempts and age the event asks for in ``detail.retryPolicy``
        (``{"maxAttempts", "maxAgeSeconds"}``): a ScheduleFired carries its schedule's retry
        policy there, as an EventBridge Scheduler schedule gives its target one."""
        asked = event.detail.get("retryPolicy")
        if not isinstance(asked, dict):
            return self
        attempts, age = asked.get("maxAttempts"), asked.get("maxAgeSeconds")
        return replace(
            self,
            max_attempts=attempts
            if isinstance(attempts, int) and _positive(attempts)
            else self.max_attempts,
            max_age_s=float(age) if isinstance(age, int) and _positive(age) else self.max_age_s,
        )

    def gives_up(self, attempt: int, event_time: datetime, now: datetime) -> bool:
        return attempt >= self.max_attempts or (now - event_time).total_seconds() >= self.max_age_s


def _positive(value: int) -> bool:
    return not isinstance(value, bool) and value >= 1


@dataclass(frozen=True)
class DeadLetter:
    """A delivery that ran out of attempts or age, with its last error."""

    id: str
    event: Event
    target: str
    attempts: int
    error: str
    failed_at: datetime


@dataclass(frozen=True)
class DeliveryState:
    """Where one target stands with one event: pending, running, done or dead."""

    event_id: str
    detail_type: str
    target: str
    state: str
    attempts: int
    last_error: str | None
    updated_at: datetime | None
