"""The local media store: files under ``<data_dir>/media``, served through signed links.

Each object is one plain file at ``<root>/<key>`` (so the web app can hand it to a
``FileResponse`` and Range requests work), with its mime type in a hidden sidecar
``.<name>.mime`` beside it. Valid keys never have a segment that starts with a dot, so
sidecars and temporary files can never collide with an object. Files are 0600 and folders
0700 from the moment they exist: a family's pictures and voices are for the family.

A link is the same-origin path ``/media/{key}?expires={unix seconds}&signature={hex}``, where
the signature is HMAC-SHA256 over the key and the expiry with ``media.link_secret``. Only the
holder of the secret can make one, and changing any part of it breaks the signature. A path,
not an address: a page works at whatever host and port the family opened it on, and what
leaves the site (a message, the JSON API) makes it absolute with ``web.urls.absolute``.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import math
import mimetypes
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bedtales import private
from bedtales.errors import ConfigError, InputError, LinkExpired, LinkRefused, NotFound
from bedtales.media import MAX_LINK_LIFETIME, MediaStore, stores
from bedtales.web import urls

if TYPE_CHECKING:
    from bedtales.config import Settings

# One key segment: a letter or digit first (never a dot, which hides sidecars and temporary
# files), then letters, digits, dot, dash or underscore.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MAX_KEY_LENGTH = 512
_MAX_DEPTH = 8
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
# 11 digits reach the year 5138: anything longer is not an expiry we wrote
_EXPIRES = re.compile(r"[0-9]{1,11}")
# type/subtype with optional parameters, printable ASCII only (it becomes a header)
_MIME = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(?:;[ -~]*)?", re.ASCII)
_MIME_MAX = 255
_SIDECAR_SUFFIX = ".mime"
_DEFAULT_MIME = "application/octet-stream"
_PUT_ATTEMPTS = 3
# the disk (or the user's quota on it) is full: retried by the bus, and said plainly
_FULL = {errno.ENOSPC, errno.EDQUOT}
# files are 0600 (tempfile.mkstemp makes them so, and rename keeps it), folders 0700


def check_key(key: str) -> str:
    """``key`` if it is a valid object key (``stories/{id}/image.png``); else InputError."""
    if not key:
        raise InputError("media key must not be empty", field="key")
    if len(key) > _MAX_KEY_LENGTH:
        raise InputError(f"media key is longer than {_MAX_KEY_LENGTH} characters", field="key")
    segments = key.split("/")
    if len(segments) > _MAX_DEPTH:
        raise InputError(f"media key has more than {_MAX_DEPTH} parts", field="key")
    for segment in segments:
        if not _SEGMENT.fullmatch(segment):
            raise InputError(
                f"invalid media key {key!r}: each part needs letters, digits, '.', '-' or '_', "
                "must not start with '.', and parts are separated by single '/'",
                field="key",
            )
    return key


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is the start of a valid key (``stories/{id}/``); else InputError.

    An empty prefix would delete everything, so it is refused.
    """
    if not prefix.strip("/"):
        raise InputError("media prefix must not be empty", field="prefix")
    check_key(prefix.removesuffix("/"))
    return prefix


def check_mime(mime: str) -> str:
    """``mime`` if it looks like a media type (``audio/mpeg``); else InputError."""
    if len(mime) > _MIME_MAX or not _MIME.fullmatch(mime):
        raise InputError(f"invalid media type {mime!r}", field="mime")
    return mime


def sign(secret: bytes, key: str, expires: int) -> str:
    """The hex HMAC-SHA256 of ``key`` and ``expires``; a newline keeps the two apart."""
    message = f"{key}\n{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def link_expiry(expires_at: datetime, now: datetime | None) -> tuple[datetime, datetime]:
    """``(now, expiry)`` with the expiry capped at ``now + MAX_LINK_LIFETIME``."""
    if expires_at.tzinfo is None or (now is not None and now.tzinfo is None):
        raise InputError("link times must be timezone-aware", field="expires_at")
    current = now if now is not None else datetime.now(UTC)
    return current, min(expires_at, current + MAX_LINK_LIFETIME)


@stores.register("local")
def create_store(settings: Settings) -> MediaStore:
    return LocalMediaStore.from_settings(settings)


class LocalMediaStore:
    """Files in a folder; see the module docstring. Safe to share between threads."""

    name = "local"

    def __init__(self, root: Path, *, link_secret: bytes | None) -> None:
        self.root = root
        # None: files can be kept and removed, but no link made or checked (a worker that
        # paints and sweeps needs no secret; the web app and the messages do)
        self._secret = link_secret or None
        # put and delete_prefix both create and remove folders; one at a time in this process
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalMediaStore:
        secret = settings.media.link_secret
        root = settings.media.local_dir or settings.data_dir / "media"
        return cls(
            root, link_secret=secret.get_secret_value().encode() if secret is not None else None
        )

    def _link_secret(self) -> bytes:
        if self._secret is None:
            raise ConfigError(
                "media.link_secret is not set: run `bedtales init` to write one, "
                "or set BEDTALES_MEDIA__LINK_SECRET"
            )
        return self._secret

    # objects

    def put(self, key: str, data: bytes, mime: str) -> None:
        path = self._path(key)
        check_mime(mime)
        with self._lock:
            for attempt in range(_PUT_ATTEMPTS):
                try:
                    private.make_folders(path.parent)
                    # the type first: a reader that sees the new bytes also sees their type
                    _write_atomically(_sidecar(path), mime.encode())
                    _write_atomically(path, data)
                    return
                except FileNotFoundError:
                    # another process's delete_prefix removed the folder just made; again
                    if attempt == _PUT_ATTEMPTS - 1:
                        raise
                except OSError as exc:
                    if exc.errno in _FULL:
                        raise self._full(exc, key, len(data)) from exc
                    raise

    def _full(self, exc: OSError, key: str, size: int) -> OSError:
        """The disk's refusal with what it refused and where: the worker's log, the dead
        letter and the story then say which disk to free (the bare error names a temporary
        file, or nothing)."""
        return OSError(
            exc.errno, f"{exc.strerror} in {self.root}: cannot store {key} ({size:,} bytes)"
        )

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(f"no media stored under {key!r}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def mime_type(self, key: str) -> str:
        """The type given to :meth:`put`; guessed from the name if its sidecar is gone."""
        path = self._path(key)
        try:
            return _sidecar(path).read_text().strip() or _DEFAULT_MIME
        except OSError:
            return mimetypes.guess_type(path.name)[0] or _DEFAULT_MIME

    def delete_prefix(self, prefix: str) -> int:
        check_prefix(prefix)
        # the folder that holds every key with this prefix ("stories/ab" → "stories/")
        folder = self.root / prefix.rpartition("/")[0]
        deleted = 0
        with self._lock:
            for path, key in list(_objects(folder, self.root)):
                if key.startswith(prefix):
                    path.unlink(missing_ok=True)
                    _sidecar(path).unlink(missing_ok=True)
                    deleted += 1
            _remove_empty_folders(folder, self.root)
        return deleted

    # links

    def link(self, key: str, expires_at: datetime, *, now: datetime | None = None) -> str:
        check_key(key)
        _, expiry = link_expiry(expires_at, now)
        # rounded down: a link never lives past its cap
        expires = math.floor(expiry.timestamp())
        signature = sign(self._link_secret(), key, expires)
        query = urlencode({"expires": expires, "signature": signature})
        return f"{urls.media(key)}?{query}"

    def verify(
        self,
        key: str,
        expires: str | None,
        signature: str | None,
        *,
        now: datetime | None = None,
    ) -> Path:
        """The file a link points at, if the link is genuine, current and its file exists.

        Raises LinkRefused (tampered or malformed), LinkExpired (genuine, but its time is
        up) or NotFound (genuine, but the file is gone).
        """
        if not expires or not signature:
            raise LinkRefused("the link is not signed")
        if not _EXPIRES.fullmatch(expires) or not _SIGNATURE.fullmatch(signature):
            raise LinkRefused("the link is malformed")
        try:
            check_key(key)
        except InputError:
            raise LinkRefused("the link is malformed") from None
        # compare_digest: the time taken must not tell how much of a guess was right
        if not hmac.compare_digest(sign(self._link_secret(), key, int(expires)), signature):
            raise LinkRefused("the link's signature does not match")
        current = now if now is not None else datetime.now(UTC)
        if current.timestamp() >= int(expires):
            raise LinkExpired("the link has expired")
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no media stored under {key!r}")
        return path

    def close(self) -> None:
        pass  # nothing held open between calls

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))


def _sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}{_SIDECAR_SUFFIX}")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``: readers see
    the old bytes or the new ones, never half of them."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _objects(folder: Path, root: Path) -> Iterator[tuple[Path, str]]:
    """Every object file under ``folder`` with its key; sidecars and temporary files (their
    names start with a dot) are skipped."""
    if not folder.is_dir():
        return
    for directory, _, names in os.walk(folder):
        for name in names:
            if not name.startswith("."):
                path = Path(directory, name)
                yield path, path.relative_to(root).as_posix()


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove empty folders under ``folder``, then its empty parents up to ``root``."""
    if not folder.is_dir():
        return
    for directory, _, _ in os.walk(folder, topdown=False):
        if Path(directory) != root:
            _remove_if_empty(Path(directory))
    parent = folder.parent
    while parent != root and root in parent.parents:
        if not _remove_if_empty(parent):
            break
        parent = parent.parent


def _remove_if_empty(directory: Path) -> bool:
    try:
        directory.rmdir()
    except OSError:
        return False  # not empty (or already gone)
    return True
