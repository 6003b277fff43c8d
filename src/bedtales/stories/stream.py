"""The change stream of the stories table (bedtales' DynamoDB Streams).

Rows of ``story_changes`` are appended by database triggers (migration 0002), never by the
application: one per INSERT, MODIFY (only when something changed) and REMOVE, with the new and
old image of the row as JSON, in commit order. Readers keep their own position; records are
kept for :data:`RETENTION` and then pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from bedtales.clock import utcnow
from bedtales.storage.models import StoryChangeRow

RETENTION = timedelta(hours=24)
SOURCE = "bedtales.stories"
# image fields holding times; SQLite and PostgreSQL write them differently, readers get ISO 8601
_TIME_FIELDS = ("created_at", "expires_at", "notified_at")


@dataclass(frozen=True)
class StreamRecord:
    seq: int
    event_name: str
    keys: dict[str, Any]
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None
    changed_at: datetime

    def document(self) -> dict[str, Any]:
        """The record as pipes filter and template it (DynamoDB-stream-like names)."""
        return {
            "eventId": str(self.seq),
            "eventName": self.event_name,
            "eventSource": SOURCE,
            "keys": self.keys,
            "newImage": self.new_image,
            "oldImage": self.old_image,
            "time": self.changed_at.isoformat(),
        }


def read_changes(session: Session | Connection, after: int, limit: int) -> list[StreamRecord]:
    """Records with a sequence number above ``after``, oldest first."""
    table = StoryChangeRow.__table__
    # Core rows, not ORM objects: this runs for every batch the pipe moves
    query = select(table).where(table.c.seq > after).order_by(table.c.seq).limit(limit)
    return [
        StreamRecord(
            seq=row.seq,
            event_name=row.event_name,
            keys=row.keys,
            new_image=_normalise(row.new_image),
            old_image=_normalise(row.old_image),
            changed_at=row.changed_at,
        )
        for row in session.execute(query)
    ]


def latest_position(session: Session) -> int:
    return session.scalar(select(func.max(StoryChangeRow.seq))) or 0


def prune_changes(session: Session, now: datetime | None = None) -> int:
    """Delete records older than the retention period; returns how many went."""
    cutoff = (now or utcnow()) - RETENTION
    result = session.execute(delete(StoryChangeRow).where(StoryChangeRow.changed_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _normalise(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    image = dict(image)
    for field in _TIME_FIELDS:
        value = image.get(field)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:  # SQLite stores UTC without a zone
                moment = moment.replace(tzinfo=UTC)
            image[field] = moment.astimezone(UTC).isoformat()
    return image
