"""The media store: where pictures and narrations are kept, and the expiring links to them.

Two stores behind one small interface, registered in :data:`stores` and chosen by
``media.store``:

- ``local`` (default): files under ``<data_dir>/media``; links are same-origin paths
  (``/media/…``) that carry an HMAC signature over the key and the expiry time, checked by
  the web app's ``/media/`` route.
- ``s3``: any S3-compatible server through boto3; links are real presigned GET URLs.

Keys are ``stories/{id}/image.png``, ``stories/{id}/audio.mp3`` and so on (see
:func:`story_key`). A link never outlives its story, nor S3's limit of seven days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bedtales.registry import Registry

if TYPE_CHECKING:
    from bedtales.config import Settings

# S3 refuses presigned URLs that live longer than this; the local store follows suit.
MAX_LINK_LIFETIME = timedelta(days=7)

# The files of one story, by name.
IMAGE = "image.png"
THUMBNAIL = "thumbnail.png"
AUDIO = "audio.mp3"
TIMINGS = "audio.json"


def story_key(story_id: str, name: str) -> str:
    return f"stories/{story_id}/{name}"


def story_prefix(story_id: str) -> str:
    return f"stories/{story_id}/"


class MediaStore(Protocol):
    name: str

    def put(self, key: str, data: bytes, mime: str) -> None:
        """Store ``data`` under ``key`` (replacing what was there), atomically."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; raises NotFound."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with ``prefix``; returns how many."""
        ...

    def link(self, key: str, expires_at: datetime, *, now: datetime | None = None) -> str:
        """A link that serves ``key`` until ``expires_at`` (capped at seven days from now):
        a path on the site (local) or an absolute URL (S3). What leaves the site passes it
        through ``web.urls.absolute``, which leaves an absolute one as it is."""
        ...

    def close(self) -> None: ...


stores: Registry[Callable[[Settings], MediaStore]] = Registry(
    "media store", {"local": "bedtales.media.local", "s3": "bedtales.media.s3"}
)


def make_media_store(settings: Settings) -> MediaStore:
    """The store ``media.store`` names (checked by the App before it gets here)."""
    return stores.create(settings.media.store, settings)
