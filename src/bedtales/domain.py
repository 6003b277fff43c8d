"""The records that cross boundaries (CLI, web API, engines) and the rules for valid input."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bedtales.errors import InputError
from bedtales.stories.safety import builtin_safety_list

NAME_MAX = 60
SCENE_MAX = 300
MAX_STORY_TTL_HOURS = 7 * 24  # media links cannot outlive the S3 presigned-URL maximum


@dataclass(frozen=True)
class Household:
    name: str
    timezone: str
    story_ttl_hours: int
    notify_when: str = "created"
    notify_timeout_s: int = 600
    # a send a dead worker may or may not have made: "resend" it, or "skip" it (unsure)
    notify_on_unsure: str = "resend"
    # a series: stories may bring back a friend from a recent one and remember the last one
    series: bool = False
    # the unguessable part of the household page's address; a secret, like a private link
    page_token: str = field(default="", repr=False)
    # the site lets the family change things only once the operator set a passphrase
    has_passphrase: bool = False


@dataclass(frozen=True)
class Character:
    id: int
    household: str
    name: str


@dataclass(frozen=True)
class Scene:
    id: int
    household: str
    description: str


@dataclass(frozen=True)
class MediaState:
    """What a target has done for one story: pending, done or failed (and why)."""

    state: str
    key: str | None = None
    mime: str | None = None
    size: int | None = None
    engine: str | None = None
    error: str | None = None
    seconds: float | None = None  # a narration's length, once known

    def to_json(self) -> dict[str, object]:
        shape: dict[str, object] = {
            "state": self.state,
            "key": self.key,
            "mime": self.mime,
            "size": self.size,
            "engine": self.engine,
            "error": self.error,
        }
        if self.seconds is not None:
            shape["seconds"] = round(self.seconds, 3)
        return shape


@dataclass(frozen=True)
class Story:
    id: str
    household: str
    title: str
    description: str
    scene: str
    characters: tuple[str, ...]
    prompt: str
    engine: str
    engine_note: str | None
    seed: int
    word_count: int
    created_at: datetime
    expires_at: datetime
    image: MediaState = field(default_factory=lambda: MediaState("pending"))
    audio: MediaState = field(default_factory=lambda: MediaState("pending"))
    notify_state: str = "pending"
    # when the family kept it: a kept story never expires (until it is unkept)
    kept_at: datetime | None = None

    def gone(self, now: datetime) -> bool:
        """Past its expiry and not kept: no longer shown, and the sweeper's to remove."""
        return self.kept_at is None and self.expires_at <= now

    def to_json(self) -> dict[str, object]:
        """The public JSON shape (camelCase, as the reference app's story records)."""
        return {
            "id": self.id,
            "household": self.household,
            "title": self.title,
            "description": self.description,
            "scene": self.scene,
            "characters": list(self.characters),
            "prompt": self.prompt,
            "engine": self.engine,
            "engineNote": self.engine_note,
            "seed": self.seed,
            "wordCount": self.word_count,
            "createdAt": self.created_at.isoformat(),
            "expiresAt": self.expires_at.isoformat(),
            "keptAt": self.kept_at.isoformat() if self.kept_at else None,
            "image": self.image.to_json(),
            "audio": self.audio.to_json(),
        }


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Trim a name or scene and refuse empty, over-long or control-character text.

    HTML and quotes are kept exactly as written: escaping happens where text is shown.
    """
    if not isinstance(value, str):
        raise InputError(f"{field} must be text, not {type(value).__name__}", field=field)
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise InputError(f"{field} must not be empty", field=field)
    if any(_is_control(ch) for ch in value):
        raise InputError(f"{field} must not contain control characters", field=field)
    if len(value) > max_length:
        raise InputError(
            f"{field} is {len(value)} characters long; the most is {max_length}", field=field
        )
    # refused here rather than later, when every story with it would fail the gates
    blocked = builtin_safety_list().find(value)
    if blocked:
        raise InputError(
            f"{field} uses words from the child-safety list: {', '.join(blocked)}", field=field
        )
    return value


# joiners are format characters that names and emoji need: "Ali\u200creza", family emoji
_JOINERS = frozenset("\u200c\u200d")


def _is_control(ch: str) -> bool:
    return ch not in _JOINERS and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_name(value: str, *, field: str = "name") -> str:
    return clean_text(value, field=field, max_length=NAME_MAX)


def clean_scene(value: str, *, field: str = "scene") -> str:
    return clean_text(value, field=field, max_length=SCENE_MAX)


def text_key(value: str) -> str:
    """The key under which two names (or scenes) count as duplicates."""
    return " ".join(value.casefold().split())


def clean_timezone(value: str, *, field: str = "timezone") -> str:
    value = value.strip()
    if value not in available_timezones():
        raise InputError(
            f"{field} {value!r} is not an IANA time zone (for example Europe/London)",
            field=field,
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"{field} {value!r} cannot be loaded", field=field) from None
    return value


def clean_ttl_hours(value: int, *, field: str = "story_ttl_hours") -> int:
    if not 1 <= value <= MAX_STORY_TTL_HOURS:
        raise InputError(
            f"{field} must be between 1 and {MAX_STORY_TTL_HOURS} hours, not {value}", field=field
        )
    return value


def clean_on_off(value: str, *, field: str) -> bool:
    """A switch as the command line gives it: on or off (any case)."""
    cleaned = value.strip().lower()
    if cleaned not in ("on", "off"):
        raise InputError(f"{field} must be on or off, not {value!r}", field=field)
    return cleaned == "on"


def local_timezone() -> str:
    """This machine's IANA time zone name, or UTC when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        parts = localtime.resolve().parts
        if "zoneinfo" in parts:
            candidates.append("/".join(parts[parts.index("zoneinfo") + 1 :]))
    zones = available_timezones()
    return next((name for name in candidates if name in zones), "UTC")
