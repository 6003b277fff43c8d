"""What the pages and the JSON API show of a story: one view, so they never disagree.

Media links are signed here, when the view is made, and expire with the story (the media
store caps them at seven days); a kept story's links are signed for the cap each time. A
part that failed for good has state ``failed`` and no link: the page leaves it out.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bedtales.clock import utcnow
from bedtales.domain import MediaState, Story
from bedtales.media import (
    AUDIO,
    IMAGE,
    MAX_LINK_LIFETIME,
    THUMBNAIL,
    TIMINGS,
    MediaStore,
    story_key,
)


class PictureView(BaseModel):
    state: str = Field(description="pending, done or failed")
    url: str | None = Field(None, description="Signed link to the 1024×1024 PNG, once done.")
    thumbnail_url: str | None = Field(None, alias="thumbnailUrl")
    engine: str | None = None

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class NarrationView(BaseModel):
    state: str = Field(description="pending, done or failed")
    url: str | None = Field(None, description="Signed link to the MP3, once done.")
    timings_url: str | None = Field(
        None, alias="timingsUrl", description="Signed link to the word timings (JSON)."
    )
    engine: str | None = None

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class StoryView(BaseModel):
    id: str
    household: str
    title: str
    scene: str
    characters: list[str]
    stanzas: list[list[str]] = Field(description="The story's stanzas, each a list of lines.")
    created_at: datetime = Field(alias="createdAt")
    expires_at: datetime = Field(alias="expiresAt")
    kept: bool = Field(False, description="Kept by the family: it does not expire while kept.")
    image: PictureView
    audio: NarrationView

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


def stanzas(text: str) -> list[list[str]]:
    """The story's stanzas (blank-line separated), each as its lines."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [
        [line.strip() for line in block.splitlines() if line.strip()] for block in blocks if block
    ]


def story_view(story: Story, store: MediaStore, *, now: datetime | None = None) -> StoryView:
    return StoryView(
        id=story.id,
        household=story.household,
        title=story.title,
        scene=story.scene,
        characters=list(story.characters),
        stanzas=stanzas(story.description),
        created_at=story.created_at,
        expires_at=story.expires_at,
        kept=story.kept_at is not None,
        image=_picture(story, store, now),
        audio=_narration(story, store, now),
    )


def _link(store: MediaStore, story: Story, name: str, now: datetime | None) -> str:
    until = links_until(story.expires_at, story.kept_at, now)
    return store.link(story_key(story.id, name), until, now=now)


def links_until(
    expires_at: datetime, kept_at: datetime | None, now: datetime | None = None
) -> datetime:
    """When a story's media links should stop working: with the story, or, for a kept story,
    as late as the store allows (its cap, seven days): a kept story's page signs them anew
    each time it is shown."""
    if kept_at is None:
        return expires_at
    return (now or utcnow()) + MAX_LINK_LIFETIME


def _done(media: MediaState) -> bool:
    return media.state == "done" and media.key is not None


def _picture(story: Story, store: MediaStore, now: datetime | None) -> PictureView:
    if not _done(story.image):
        return PictureView(state=story.image.state)
    return PictureView(
        state="done",
        url=_link(store, story, IMAGE, now),
        thumbnail_url=_link(store, story, THUMBNAIL, now),
        engine=story.image.engine,
    )


def _narration(story: Story, store: MediaStore, now: datetime | None) -> NarrationView:
    if not _done(story.audio):
        return NarrationView(state=story.audio.state)
    return NarrationView(
        state="done",
        url=_link(store, story, AUDIO, now),
        timings_url=_link(store, story, TIMINGS, now),
        engine=story.audio.engine,
    )
