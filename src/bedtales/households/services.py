"""The operations behind every command and API endpoint: households, characters, scenes,
stories. The CLI and the web app call these and nothing below them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bedtales.clock import utcnow
from bedtales.domain import (
    Character,
    Household,
    MediaState,
    Scene,
    Story,
    clean_name,
    clean_scene,
    clean_timezone,
    clean_ttl_hours,
    text_key,
)
from bedtales.errors import Expired, InputError, NotFound
from bedtales.storage import Database
from bedtales.storage.database import is_unique_violation
from bedtales.storage.models import CharacterRow, HouseholdRow, SceneRow, StoryRow

# how long an unkept story stays when its own expiry passed while it was kept
UNKEPT_GRACE = timedelta(hours=1)

# what one household may hold: enough for any family, bounded for a server of thousands
MAX_CHARACTERS = 50
MAX_SCENES = 200

_SCENE_NUMBER = re.compile(r"[0-9]{1,9}")

# page tokens are secrets.token_urlsafe(24): 32 characters of the URL-safe alphabet
PAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@contextmanager
def refuse_duplicates(message: str, field: str) -> Iterator[None]:
    """Turn a unique-constraint violation (a lost race with another writer) into the same
    InputError a checked duplicate gets."""
    """Turn a lost race between two writers of the same name into the usual clear error."""
    try:
        yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise InputError(message, field=field) from None
        raise


# ----------------------------------------------------------------------------- households


def add_household(
    db: Database,
    name: str,
    *,
    timezone: str = "UTC",
    ttl_hours: int = 48,
    characters: Sequence[str] = (),
    scenes: Sequence[str] = (),
) -> Household:
    """A new household, with its first characters and scenes if given, in one transaction."""
    row = HouseholdRow(
        name=clean_name(name, field="household"),
        timezone=clean_timezone(timezone),
        story_ttl_hours=clean_ttl_hours(ttl_hours),
    )
    names = [clean_name(n) for n in characters]
    descriptions = [clean_scene(d) for d in scenes]
    with (
        refuse_duplicates(f"household {row.name!r} already exists", "household"),
        db.session() as session,
    ):
        if _find_household(session, row.name) is not None:
            raise InputError(f"household {row.name!r} already exists", field="household")
        session.add(row)
        session.flush()
        _insert_characters(session, row, names, skip_existing=True)
        _insert_scenes(session, row, descriptions, skip_existing=True)
    return _household(row)


def list_households(db: Database) -> list[Household]:
    with db.session() as session:
        rows = session.scalars(select(HouseholdRow).order_by(HouseholdRow.name))
        return [_household(row) for row in rows]


def get_household(db: Database, name: str) -> Household:
    with db.session() as session:
        return _household(household_row(session, name))


def update_household(
    db: Database, name: str, *, series: bool | None = None, timezone: str | None = None
) -> Household:
    """Change what is given and keep the rest. ``series``: stories may bring back a friend
    from a recent story and remember the last one (stories/recall.py). ``timezone``: the
    family's IANA zone, in which its pages and messages show times (its schedules keep the
    zone each was made in)."""
    if series is None and timezone is None:
        raise InputError("nothing to change: give series (on or off) or timezone", field="series")
    if series is not None and not isinstance(series, bool):
        raise InputError(f"series must be on or off, not {series!r}", field="series")
    zone = clean_timezone(timezone) if timezone is not None else None
    with db.session() as session:
        row = household_row(session, name)
        if series is not None:
            row.series = series
        if zone is not None:
            row.timezone = zone
        session.flush()
        return _household(row)


def household_by_token(db: Database, page_token: str) -> Household:
    """The household whose page is at this token; :class:`NotFound` for any other."""
    if not PAGE_TOKEN.fullmatch(page_token):
        raise NotFound("no household page at this address")
    with db.session() as session:
        row = session.scalar(select(HouseholdRow).where(HouseholdRow.page_token == page_token))
        if row is None:
            raise NotFound("no household page at this address")
        return _household(row)


def household_row(session: Session, name: str) -> HouseholdRow:
    row = _find_household(session, name)
    if row is None:
        raise NotFound(f"household {name!r} does not exist (see `bedtales households list`)")
    return row


def _find_household(session: Session, name: str) -> HouseholdRow | None:
    return session.scalar(select(HouseholdRow).where(HouseholdRow.name == name.strip()))


def _household(row: HouseholdRow) -> Household:
    return Household(
        name=row.name,
        timezone=row.timezone,
        story_ttl_hours=row.story_ttl_hours,
        notify_when=row.notify_when,
        notify_timeout_s=row.notify_timeout_s,
        notify_on_unsure=row.notify_on_unsure,
        series=row.series,
        page_token=row.page_token or "",
        has_passphrase=row.passphrase_hash is not None,
    )


# ----------------------------------------------------------------------------- characters


def add_character(db: Database, household: str, name: str) -> Character:
    return add_characters(db, household, [name])[0]


def add_characters(db: Database, household: str, names: Iterable[str]) -> list[Character]:
    """Add characters in one transaction; one duplicate refuses them all."""
    cleaned = [clean_name(name) for name in names]
    taken_message = f"a character of that name was just added to {household!r}"
    with refuse_duplicates(taken_message, "name"), db.session() as session:
        home = household_row(session, household)
        rows = _insert_characters(session, home, cleaned, skip_existing=False)
        return [_character(row, home.name) for row in rows]


def _insert_characters(
    session: Session, home: HouseholdRow, names: list[str], *, skip_existing: bool
) -> list[CharacterRow]:
    query = select(CharacterRow.name_key).where(CharacterRow.household_id == home.id)
    taken = set(session.scalars(query))
    have = len(taken)
    fresh = _fresh(names, taken, skip_existing, "character", "name", home.name)
    check_cap(have, len(fresh), MAX_CHARACTERS, "characters", "name")
    rows = [CharacterRow(household_id=home.id, name=n, name_key=text_key(n)) for n in fresh]
    session.add_all(rows)
    session.flush()
    return rows


def check_cap(have: int, adding: int, most: int, kind: str, field: str) -> None:
    """Refuse adding past a household's cap, saying how many it has and may have."""
    if adding and have + adding > most:
        raise InputError(
            f"a household may have at most {most} {kind}; it has {have}: remove some first",
            field=field,
        )


def _fresh(
    values: list[str], taken: set[str], skip_existing: bool, kind: str, field: str, household: str
) -> list[str]:
    """The values whose keys are not taken; a taken one is skipped or refused."""
    fresh: list[str] = []
    for value in values:
        key = text_key(value)
        if key in taken:
            if skip_existing:
                continue
            raise InputError(f"{kind} {value!r} already exists in {household!r}", field=field)
        taken.add(key)
        fresh.append(value)
    return fresh


def list_characters(db: Database, household: str) -> list[Character]:
    with db.session() as session:
        home = household_row(session, household)
        return [_character(row, home.name) for row in home.characters]


def remove_character(db: Database, household: str, name: str) -> Character:
    with db.session() as session:
        home = household_row(session, household)
        row = session.scalar(
            select(CharacterRow).where(
                CharacterRow.household_id == home.id, CharacterRow.name_key == text_key(name)
            )
        )
        if row is None:
            raise NotFound(f"no character {name!r} in {home.name!r}")
        session.delete(row)
        return _character(row, home.name)


def _character(row: CharacterRow, household: str) -> Character:
    return Character(id=row.id, household=household, name=row.name)


# ----------------------------------------------------------------------------- scenes


def add_scene(db: Database, household: str, description: str) -> Scene:
    return add_scenes(db, household, [description])[0]


def add_scenes(db: Database, household: str, descriptions: Iterable[str]) -> list[Scene]:
    """Add scenes in one transaction; one duplicate refuses them all."""
    cleaned = [clean_scene(text) for text in descriptions]
    taken_message = f"that scene was just added to {household!r}"
    with refuse_duplicates(taken_message, "scene"), db.session() as session:
        home = household_row(session, household)
        rows = _insert_scenes(session, home, cleaned, skip_existing=False)
        return [_scene(row, home.name) for row in rows]


def _insert_scenes(
    session: Session, home: HouseholdRow, descriptions: list[str], *, skip_existing: bool
) -> list[SceneRow]:
    query = select(SceneRow.description_key).where(SceneRow.household_id == home.id)
    taken = set(session.scalars(query))
    have = len(taken)
    fresh = _fresh(descriptions, taken, skip_existing, "scene", "scene", home.name)
    check_cap(have, len(fresh), MAX_SCENES, "scenes", "scene")
    rows = [
        SceneRow(household_id=home.id, description=d, description_key=text_key(d)) for d in fresh
    ]
    session.add_all(rows)
    session.flush()
    return rows


def list_scenes(db: Database, household: str) -> list[Scene]:
    with db.session() as session:
        home = household_row(session, household)
        return [_scene(row, home.name) for row in home.scenes]


def remove_scene(db: Database, household: str, id_or_description: str) -> Scene:
    """Remove a scene given by the number `scenes list` shows, or by its exact text."""
    with db.session() as session:
        home = household_row(session, household)
        query = select(SceneRow).where(SceneRow.household_id == home.id)
        if _SCENE_NUMBER.fullmatch(id_or_description.strip()):
            query = query.where(SceneRow.id == int(id_or_description))
        else:
            query = query.where(SceneRow.description_key == text_key(id_or_description))
        row = session.scalar(query)
        if row is None:
            raise NotFound(f"no scene {id_or_description!r} in {home.name!r}")
        session.delete(row)
        return _scene(row, home.name)


def _scene(row: SceneRow, household: str) -> Scene:
    return Scene(id=row.id, household=household, description=row.description)


# ----------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportResult:
    characters_added: int
    characters_skipped: int
    scenes_added: int
    scenes_skipped: int


def import_entries(
    db: Database, household: str, characters: Sequence[str], scenes: Sequence[str]
) -> ImportResult:
    """Add what is new, skip what the household already has; all in one transaction."""
    names = [clean_name(n) for n in characters]
    descriptions = [clean_scene(d) for d in scenes]
    changed = f"{household!r} changed during the import; run it again"
    with refuse_duplicates(changed, "import"), db.session() as session:
        home = household_row(session, household)
        added_characters = _insert_characters(session, home, names, skip_existing=True)
        added_scenes = _insert_scenes(session, home, descriptions, skip_existing=True)
    return ImportResult(
        characters_added=len(added_characters),
        characters_skipped=len(names) - len(added_characters),
        scenes_added=len(added_scenes),
        scenes_skipped=len(descriptions) - len(added_scenes),
    )


# ----------------------------------------------------------------------------- stories


def get_story(db: Database, story_id: str, *, now: datetime | None = None) -> Story:
    """One story; :class:`NotFound` if unknown, :class:`Expired` once past ``expires_at``
    (unless kept)."""
    with db.session() as session:
        return story_record(_live_story(session, story_id, now or utcnow()))


def _live_story(session: Session, story_id: str, now: datetime) -> StoryRow:
    row = session.get(StoryRow, story_id.strip().lower())
    if row is None:
        raise NotFound(f"no story {story_id!r}")
    if row.kept_at is None and row.expires_at <= now:
        raise Expired(f"story {story_id!r} has expired")
    return row


def list_stories(
    db: Database,
    *,
    household: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
    character: str | None = None,
) -> list[Story]:
    """Stories still shown (kept, or not yet expired), newest first; ``character``: only
    those this character is in (any case)."""
    with db.session() as session:
        query = select(StoryRow).where(StoryRow.alive(now or utcnow()))
        if household is not None:
            query = query.where(StoryRow.household_id == household_row(session, household).id)
        query = query.order_by(StoryRow.created_at.desc())
        if character is None:
            return [story_record(row) for row in session.scalars(query.limit(limit))]
        # characters is a JSON list: matched here, where SQLite and PostgreSQL agree
        wanted = text_key(character)
        stories: list[Story] = []
        for row in session.scalars(query.execution_options(yield_per=200)):
            if features(row.characters, wanted):
                stories.append(story_record(row))
                if len(stories) == limit:
                    break
        return stories


def features(characters: Iterable[str], wanted_key: str) -> bool:
    """Whether a story's characters include the one whose :func:`text_key` is given."""
    return any(text_key(name) == wanted_key for name in characters)


def keep_story(db: Database, story_id: str, *, now: datetime | None = None) -> Story:
    """Keep a story: it and its media are never expired while kept. Keeping a kept story
    changes nothing (its first keeping time stays); an unknown story is :class:`NotFound`,
    an expired one :class:`Expired`."""
    with db.session() as session:
        row = _live_story(session, story_id, now or utcnow())
        if row.kept_at is None:
            row.kept_at = now or utcnow()
        session.flush()
        return story_record(row)


def unkeep_story(db: Database, story_id: str, *, now: datetime | None = None) -> Story:
    """Let a kept story expire normally: at its own ``expires_at``, or, if that has passed
    while it was kept, :data:`UNKEPT_GRACE` from now, so that a slip of the finger can be
    taken back before the sweeper comes."""
    moment = now or utcnow()
    with db.session() as session:
        row = _live_story(session, story_id, moment)
        if row.kept_at is not None:
            row.kept_at = None
            row.expires_at = max(row.expires_at, moment + UNKEPT_GRACE)
        session.flush()
        return story_record(row)


def recent_scenes(session: Session, household_id: int, count: int) -> list[str]:
    """Scenes of the household's last ``count`` stories, expired ones included."""
    if count <= 0:
        return []
    query = (
        select(StoryRow.scene)
        .where(StoryRow.household_id == household_id)
        .order_by(StoryRow.created_at.desc())
        .limit(count)
    )
    return list(session.scalars(query))


def story_record(row: StoryRow) -> Story:
    return Story(
        id=row.id,
        household=row.household.name,
        title=row.title,
        description=row.description,
        scene=row.scene,
        characters=tuple(row.characters),
        prompt=row.prompt,
        engine=row.engine,
        engine_note=row.engine_note,
        seed=row.seed,
        word_count=row.word_count,
        created_at=row.created_at,
        expires_at=row.expires_at,
        image=MediaState(
            row.image_state,
            row.image_key,
            row.image_mime,
            row.image_size,
            row.image_engine,
            row.image_error,
        ),
        audio=MediaState(
            row.audio_state,
            row.audio_key,
            row.audio_mime,
            row.audio_size,
            row.audio_engine,
            row.audio_error,
            row.audio_seconds,
        ),
        notify_state=row.notify_state,
        kept_at=row.kept_at,
    )
