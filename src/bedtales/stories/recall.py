"""The household memory and the series in the database: the story writer reads them before
it writes and records the memory with the story it stores.

The records and the hashing are in :mod:`bedtales.stories.memory` (engines import it, so it
knows no database). Here: one ``household_memory`` row per story written, holding
fingerprints and catalogue keys only, so it outlives the story's expiry; a household keeps
its latest :data:`MEMORY_STORIES`. A damaged row is skipped and a memory that cannot be read
or written at all is left out, each with a warning in the log: the memory shapes a story,
it never stops one. Every read and write runs in a savepoint, so a failure (the table
missing) leaves the caller's transaction usable on PostgreSQL too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bedtales.storage.database import is_unique_violation
from bedtales.storage.models import HouseholdMemoryRow, HouseholdRow, StoryRow
from bedtales.stories.memory import (
    EMPTY_MEMORY,
    MEMORY_STORIES,
    Memory,
    Previously,
    StoryPlan,
    distinct_recent,
    scene_fingerprint,
    story_fingerprints,
)

log = logging.getLogger(__name__)

_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_KEY = re.compile(r"\S{1,64}")  # a catalogue key as the columns hold it


@dataclass(frozen=True)
class _Story:
    """One row of the memory, checked."""

    fingerprints: frozenset[str]
    plot: str | None
    friend: str | None
    scene: str


def load_memory(session: Session, household_id: int) -> Memory:
    """What the household heard in its latest :data:`MEMORY_STORIES` stories (plots, friends
    and scenes most recent first); :data:`EMPTY_MEMORY` when it cannot be read."""
    table = HouseholdMemoryRow
    query = (
        select(table.story_id, table.fingerprints, table.plot, table.friend, table.scene)
        .where(table.household_id == household_id)
        .order_by(table.created_at.desc(), table.id.desc())
        .limit(MEMORY_STORIES)
    )
    try:
        with session.begin_nested():
            rows = session.execute(query).all()
    except SQLAlchemyError as exc:
        log.warning(
            "the household memory of household %s cannot be read (%s): writing without it",
            household_id,
            _reason(exc),
        )
        return EMPTY_MEMORY
    heard: set[str] = set()
    plots: list[str] = []
    friends: list[str] = []
    scenes: list[str] = []
    for row in rows:
        story = _checked(row.fingerprints, row.plot, row.friend, row.scene)
        if story is None:
            log.warning(
                "the household memory of story %s is damaged: left out", _printable(row.story_id)
            )
            continue
        heard.update(story.fingerprints)
        plots.extend([story.plot] if story.plot else [])
        friends.extend([story.friend] if story.friend else [])
        scenes.append(story.scene)
    return Memory(
        fingerprints=frozenset(heard),
        plots=distinct_recent(plots, MEMORY_STORIES),
        friends=distinct_recent(friends, MEMORY_STORIES),
        scenes=tuple(scenes),
    )


def _checked(fingerprints: object, plot: object, friend: object, scene: object) -> _Story | None:
    """The row's values if they are what :func:`record_story` writes; None for anything else."""
    if not isinstance(fingerprints, str) or not isinstance(scene, str):
        return None
    found = fingerprints.split()
    if not all(_FINGERPRINT.fullmatch(item) for item in found):
        return None
    if not _FINGERPRINT.fullmatch(scene):
        return None
    keys = (plot, friend)
    if not all(key is None or (isinstance(key, str) and _KEY.fullmatch(key)) for key in keys):
        return None
    return _Story(frozenset(found), _str_or_none(plot), _str_or_none(friend), scene)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def record_story(
    session: Session, household_id: int, story: StoryRow, plan: StoryPlan | None
) -> None:
    """Remember ``story`` (already flushed in this session) in the same transaction, and
    forget the household's stories beyond the latest :data:`MEMORY_STORIES`.

    A story already remembered (its id written again after it was swept) stays as it was;
    a memory that cannot be written is logged and left out, and the story is stored anyway.
    """
    values = {
        "household_id": household_id,
        "story_id": story.id,
        "created_at": story.created_at,
        "plot": _key(plan.plot) if plan else None,
        "friend": _key(plan.friend) if plan else None,
        "scene": scene_fingerprint(story.scene),
        "fingerprints": " ".join(sorted(story_fingerprints(story.title, story.description))),
    }
    table = HouseholdMemoryRow
    beyond = (
        select(table.id)
        .where(table.household_id == household_id)
        .order_by(table.created_at.desc(), table.id.desc())
        .offset(MEMORY_STORIES)
    )
    try:
        with session.begin_nested():
            session.execute(insert(table).values(values))
            # at most a few rows past the latest: one short walk of the household's index
            session.execute(delete(table).where(table.id.in_(beyond.scalar_subquery())))
    except SQLAlchemyError as exc:
        if isinstance(exc, IntegrityError) and is_unique_violation(exc):
            log.info("story %s is in the household memory already", story.id)
            return
        log.warning(
            "story %s could not be added to the household memory (%s): stored without it",
            story.id,
            _reason(exc),
        )


def _key(value: str) -> str | None:
    """A plan's catalogue key as the memory keeps it; None (and a warning) for one that is
    not a key."""
    if _KEY.fullmatch(value):
        return value
    log.warning("the household memory leaves out a plan key that is not one: %r", value[:80])
    return None


def load_previously(session: Session, household_id: int, now: datetime) -> Previously | None:
    """The household's latest story not expired at ``now``, for a series; None when its
    series is off, when it has none, or when it cannot be read."""
    home = session.get(HouseholdRow, household_id)
    if home is None or not home.series:
        return None
    query = (
        select(StoryRow.title, StoryRow.plan)
        .where(
            StoryRow.household_id == household_id,
            StoryRow.created_at <= now,
            StoryRow.expires_at > now,
        )
        .order_by(StoryRow.created_at.desc())
        .limit(1)
    )
    try:
        with session.begin_nested():
            row = session.execute(query).first()
    except (SQLAlchemyError, ValueError) as exc:  # ValueError: a plan that is not JSON
        log.warning(
            "the last story of household %s cannot be read (%s): writing without it",
            household_id,
            _reason(exc),
        )
        return None
    if row is None:
        return None
    plan = StoryPlan.from_json(row.plan)
    if plan is None:
        return Previously(title=row.title)
    return Previously(
        title=row.title, recap=plan.recap, friend=plan.friend, friend_name=plan.friend_name
    )


def _reason(exc: Exception) -> str:
    """The database's own first line, without the statement SQLAlchemy appends."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _printable(value: object) -> str:
    return repr(value) if not isinstance(value, str) else value[:40]
