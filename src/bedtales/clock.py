"""The one clock and the one way bedtales writes a moment down.

Every "now" comes from :func:`utcnow` (an aware UTC datetime; tests and the scheduler pass a
``now`` instead of patching it), and every moment that leaves bedtales as text (events, JSON
answers) is written by :func:`iso_utc`: ISO 8601 in UTC with a ``Z``.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-12-02T19:15:00Z``: ISO 8601, in UTC, with ``Z`` (microseconds when there are)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
