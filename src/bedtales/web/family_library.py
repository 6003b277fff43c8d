"""The household's library as its home page lists it: the stories still shown (kept, or
not yet expired), newest first, filtered by character, a page at a time.

The same stories as :func:`bedtales.households.services.list_stories` (the same ``StoryRow.alive``
rule, the same character match, tested so), read leaner: only the columns a card shows,
in one query joined to the household by its page token, as ``pages.story_state`` reads a
story page's state. Whole stories (their text and prompt) for fifty cards cost the page
most of its time; these cost a tenth of it, and a household of a thousand stories is
listed in a few milliseconds. A character filter still reads every shown story's
characters (a JSON list, matched here where SQLite and PostgreSQL agree), streaming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bedtales.clock import utcnow
from bedtales.domain import text_key
from bedtales.households.services import features
from bedtales.media import IMAGE, THUMBNAIL, MediaStore, story_key
from bedtales.storage import Database
from bedtales.storage.models import CharacterRow, HouseholdRow, StoryRow
from bedtales.stories.views import links_until

_CARD = select(
    StoryRow.id,
    StoryRow.title,
    StoryRow.scene,
    StoryRow.characters,
    StoryRow.created_at,
    StoryRow.expires_at,
    StoryRow.kept_at,
    StoryRow.image_state,
    StoryRow.image_key,
).join(HouseholdRow, HouseholdRow.id == StoryRow.household_id)


@dataclass(frozen=True)
class Card:
    """What a list of stories shows of one."""

    id: str
    title: str
    scene: str
    characters: list[str]
    created_at: datetime
    expires_at: datetime
    kept_at: datetime | None
    image_state: str
    image_key: str | None

    @property
    def kept(self) -> bool:
        return self.kept_at is not None

    @property
    def painted(self) -> bool:
        return self.image_state == "done" and self.image_key is not None

    def links_until(self, now: datetime) -> datetime:
        return links_until(self.expires_at, self.kept_at, now)

    def picture_link(self, store: MediaStore, *, thumbnail: bool, now: datetime) -> str | None:
        if not self.painted:
            return None
        key = story_key(self.id, THUMBNAIL if thumbnail else IMAGE)
        return store.link(key, self.links_until(now), now=now)


def library(
    db: Database,
    page_token: str,
    *,
    limit: int,
    character: str | None = None,
    before: datetime | None = None,
    now: datetime | None = None,
) -> list[Card]:
    """Up to ``limit`` stories of the household at ``page_token``, newest first;
    ``character``: only those with this character (any case); ``before``: only those
    written before it (the next page: the last one's ``created_at``, to the microsecond, so
    only a story written in the very same microsecond could fall between two pages)."""
    query = _CARD.where(
        HouseholdRow.page_token == page_token, StoryRow.alive(now or utcnow())
    ).order_by(StoryRow.created_at.desc())
    if before is not None:
        query = query.where(StoryRow.created_at < before)
    with db.engine.connect() as connection:
        if character is None:
            return [Card(*row) for row in connection.execute(query.limit(limit))]
        wanted = text_key(character)
        cards: list[Card] = []
        for row in connection.execution_options(yield_per=200).execute(query):
            if features(row.characters, wanted):
                cards.append(Card(*row))
                if len(cards) == limit:
                    break
        return cards


def character_names(db: Database, page_token: str) -> list[str]:
    """The household's characters, in the order they were added (for the filter)."""
    query = (
        select(CharacterRow.name)
        .join(HouseholdRow, HouseholdRow.id == CharacterRow.household_id)
        .where(HouseholdRow.page_token == page_token)
        .order_by(CharacterRow.id)
    )
    with db.engine.connect() as connection:
        return list(connection.scalars(query))
