"""The expiry sweeper: stories and their media vanish once past ``expires_at``, unless the
family kept them (``kept_at``).

Reads refuse an expired story at once (services.get_story); the sweeper is what frees the
space. It works in batches and is safe beside running workers and other sweepers: for each
batch it deletes the stories' media first and their rows second, so a crash in between
leaves only rows that the next pass finishes (never media without a row). A target that was
still painting an expired story deletes what it wrote when it finds the story gone
(targets/media.py). Deleting a row appends a REMOVE record to the change stream, as TTL
deletions do in the reference app.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from bedtales.clock import utcnow
from bedtales.media import MediaStore, story_prefix
from bedtales.storage import Database
from bedtales.storage.models import StoryRow

log = logging.getLogger(__name__)

BATCH = 200
EVERY_S = 300.0


@dataclass(frozen=True)
class Sweep:
    stories: int
    files: int


def sweep(
    db: Database, store: MediaStore, *, now: datetime | None = None, batch: int = BATCH
) -> Sweep:
    """Delete every story expired at ``now`` (default: now) with its media; returns counts."""
    cutoff = now or utcnow()
    stories = files = 0
    while True:
        with db.session() as session:
            ids = list(
                session.scalars(
                    select(StoryRow.id)
                    .where(StoryRow.expires_at <= cutoff, StoryRow.kept_at.is_(None))
                    .order_by(StoryRow.expires_at)
                    .limit(batch)
                )
            )
        if not ids:
            return Sweep(stories, files)
        for story_id in ids:
            files += store.delete_prefix(story_prefix(story_id))
        with db.session() as session:
            stories += session.execute(
                # no story past its expiry can be kept (services.keep_story refuses it), so
                # none of these was kept after its media went
                delete(StoryRow).where(
                    StoryRow.id.in_(ids), StoryRow.expires_at <= cutoff, StoryRow.kept_at.is_(None)
                )
            ).rowcount  # type: ignore[attr-defined]
        if len(ids) < batch:
            return Sweep(stories, files)


class Sweeper:
    """Sweeps every ``every_s`` seconds until stopped, sleeping in between (started by
    :class:`bedtales.processes.Background` in ``bedtales run`` and ``bedtales worker``)."""

    def __init__(self, db: Database, store: MediaStore, every_s: float = EVERY_S) -> None:
        self.db = db
        self.store = store
        self.every_s = every_s

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                done = sweep(self.db, self.store)
            except Exception:  # the database or the store is away: try again next time
                log.exception("expiry: the sweep failed; trying again in %g s", self.every_s)
            else:
                if done.stories:
                    log.info("expiry: removed %d stories and %d files", done.stories, done.files)
            stop.wait(max(0.0, self.every_s - (time.monotonic() - started)))
