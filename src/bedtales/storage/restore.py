"""The data directory rebuilt from a backup (:mod:`bedtales.storage.backup` says what one
holds): the whole archive is checked first (its manifest, every member's size and SHA-256,
a schema this bedtales knows), then written beside the new directory and renamed into place,
so a refused or failed restore leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from bedtales import private
from bedtales.config import CONFIG_FILE_NAME
from bedtales.errors import InputError
from bedtales.storage.backup import (
    CHUNK,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    LEFT_OUT_NOTE,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    MEDIA,
    Manifest,
    Member,
    create,
    disk_errors,
    folded,
    known_revisions,
    lookup,
)
from bedtales.storage.database import HEAD_REVISION


@dataclass
class RestoreReport:
    data_dir: Path
    counts: dict[str, int]
    media_files: int
    schema_revision: str
    migrated_to: str | None
    new_link_secret: bool
    secrets_to_set: list[str]
    missing_media: list[str]


def restore(archive: Path, data_dir: Path) -> RestoreReport:
    """Rebuild a data directory at ``data_dir`` from ``archive``. The whole archive is
    checked first; nothing is written unless it is a complete backup this bedtales can
    read, and ``data_dir`` appears whole (built beside it, then renamed) or not at all."""
    data_dir = data_dir.absolute()
    _check_new(data_dir)
    manifest = check(archive)
    with disk_errors(f"restore into {data_dir}"):
        private.make_folders(data_dir.parent)
        staging = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=f".{data_dir.name}.restoring-"))
    try:
        with disk_errors(f"restore into {data_dir}"):
            _extract(archive, manifest, staging)
        new_secret = _settings_file(staging)
        migrated_to = None
        if manifest.schema_revision != HEAD_REVISION:
            from bedtales.storage.database import Database

            database = Database(f"sqlite:///{staging / DATABASE}")
            try:
                database.migrate()
            finally:
                database.dispose()
            migrated_to = HEAD_REVISION
        _move(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RestoreReport(
        data_dir=data_dir,
        counts=manifest.counts,
        media_files=sum(
            1
            for m in manifest.members
            if m.name.startswith(f"{MEDIA}/") and not PurePosixPath(m.name).name.startswith(".")
        ),
        schema_revision=manifest.schema_revision,
        migrated_to=migrated_to,
        new_link_secret=new_secret,
        secrets_to_set=[s for s in manifest.secrets_left_out if s != "media.link_secret"],
        missing_media=manifest.missing_media,
    )


def _move(staging: Path, data_dir: Path) -> None:
    """Rename the finished folder to ``data_dir`` (onto it, if it is an empty folder)."""
    try:
        os.replace(staging, data_dir)
    except OSError as exc:  # filled meanwhile, or another file system
        raise InputError(f"cannot create {data_dir}: {exc.strerror}", field="data_dir") from None


def _check_new(data_dir: Path) -> None:
    if data_dir.is_dir():
        if any(data_dir.iterdir()):
            raise InputError(
                f"{data_dir} is not empty: restore builds a new data directory; give a new "
                "or empty folder",
                field="data_dir",
            )
    elif data_dir.exists():
        raise InputError(f"{data_dir} is a file, not a folder", field="data_dir")


def check(archive: Path) -> Manifest:
    """Read the whole of ``archive`` and return its manifest if it is a complete backup this
    bedtales can restore; else InputError with the reason. Writes nothing."""
    if not archive.is_file():
        raise InputError(f"no backup file {archive}", field="FILE")
    with _opened(archive) as tar:
        first = _next(tar, archive)
        if first is None or first.name != MANIFEST or not first.isfile():
            raise _not_a_backup(archive, f"it does not start with {MANIFEST}")
        manifest = _manifest(_read(tar, first, archive), archive)
        listed = {m.name: m for m in manifest.members}
        seen: set[str] = set()
        while (info := _next(tar, archive)) is not None:
            expected = listed.get(info.name)
            if expected is None or not info.isfile() or info.name in seen:
                raise _damaged(archive, f"it holds {info.name!r}, which its manifest does not list")
            seen.add(info.name)
            _verify(_chunks(tar, info, archive), expected, archive)
    absent = [name for name in listed if name not in seen]
    if absent:
        raise _damaged(
            archive, f"truncated or incomplete: {len(absent)} file(s) missing, first {absent[0]}"
        )
    return manifest


@contextlib.contextmanager
def _opened(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _not_a_backup(archive, f"not a tar file ({exc})") from None
    with tar:
        yield tar


def _next(tar: tarfile.TarFile, archive: Path) -> tarfile.TarInfo | None:
    try:
        return tar.next()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(archive, f"truncated or damaged ({exc})") from None


def _chunks(tar: tarfile.TarFile, info: tarfile.TarInfo, archive: Path) -> Iterator[bytes]:
    file = tar.extractfile(info)
    assert file is not None  # a regular file
    try:
        yield from iter(lambda: file.read(CHUNK), b"")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(archive, f"truncated or damaged in {info.name} ({exc})") from None


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo, archive: Path) -> bytes:
    if info.size > MAX_MANIFEST_BYTES:
        raise _not_a_backup(archive, f"its {MANIFEST} is too large")
    return b"".join(_chunks(tar, info, archive))


def _verify(
    chunks: Iterator[bytes], expected: Member, archive: Path, out: IO[bytes] | None = None
) -> None:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    if size != expected.size or digest.hexdigest() != expected.sha256:
        raise _damaged(
            archive, f"{expected.name} does not match its checksum: the file is corrupted"
        )


def _manifest(body: bytes, archive: Path) -> Manifest:
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _not_a_backup(archive, f"its {MANIFEST} is not JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _not_a_backup(archive, f"its {MANIFEST} is not a {FORMAT} manifest")
    version = raw.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise _not_a_backup(archive, "its format_version is not a whole number")
    if version > FORMAT_VERSION:
        raise _newer(
            archive, f"backup format {version}; this bedtales reads up to {FORMAT_VERSION}", raw
        )
    revision = raw.get("schema_revision")
    if not isinstance(revision, str) or not re.fullmatch(r"[0-9]{4}", revision):
        raise _not_a_backup(archive, "its schema_revision is not a revision number")
    if revision not in known_revisions():
        raise _newer(
            archive, f"database schema {revision}; this bedtales knows up to {HEAD_REVISION}", raw
        )
    try:
        members = [Member(str(m["name"]), int(m["size"]), str(m["sha256"])) for m in raw["members"]]
        manifest = Manifest(
            schema_revision=str(revision),
            created_at=str(raw["created_at"]),
            members=members,
            counts={str(k): int(v) for k, v in raw["counts"].items()},
            secrets_included=bool(raw["secrets_included"]),
            secrets_left_out=[str(s) for s in raw["secrets_left_out"]],
            missing_media=[str(s) for s in raw.get("missing_media", [])],
            bedtales_version=str(raw.get("bedtales_version", "?")),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _not_a_backup(archive, f"its {MANIFEST} lacks fields or has wrong ones") from None
    for member in members:
        _check_name(member.name, archive)
    if DATABASE not in {m.name for m in members}:
        raise _not_a_backup(archive, f"it holds no {DATABASE}")
    return manifest


def _check_name(name: str, archive: Path) -> None:
    """A member may be the database, the settings or a media file, and nothing that could
    land outside the new data directory."""
    path = PurePosixPath(name)
    inside = not path.is_absolute() and ".." not in path.parts and "" not in name.split("/")
    if not inside or not (name in (DATABASE, CONFIG_FILE_NAME) or path.parts[0] == MEDIA):
        raise _not_a_backup(archive, f"its manifest names {name!r}, which no backup holds")


def _not_a_backup(archive: Path, why: str) -> InputError:
    return InputError(f"{archive} is not a bedtales backup: {why}", field="FILE")


def _damaged(archive: Path, why: str) -> InputError:
    return InputError(f"{archive} cannot be restored: {why}", field="FILE")


def _newer(archive: Path, why: str, raw: dict[str, Any]) -> InputError:
    made_by = raw.get("bedtales_version", "a newer version")
    return InputError(
        f"{archive} was made by a newer bedtales ({made_by}: {why}): upgrade bedtales to "
        "restore it",
        field="FILE",
    )


def _extract(archive: Path, manifest: Manifest, staging: Path) -> None:
    """Write every member under ``staging``, 0600 in 0700 folders, checking each again (the
    file might have changed since :func:`check` read it)."""
    listed = {m.name: m for m in manifest.members}
    with _opened(archive) as tar:
        _next(tar, archive)  # the manifest
        while (info := _next(tar, archive)) is not None:
            expected = listed.pop(info.name)
            path = staging.joinpath(*PurePosixPath(info.name).parts)
            private.make_folders(path.parent)
            with os.fdopen(create(path), "wb") as out:
                _verify(_chunks(tar, info, archive), expected, archive, out)
    if listed:
        raise _damaged(archive, "it changed while it was being restored")


def _settings_file(staging: Path) -> bool:
    """Give the restored bedtales.toml a link secret if the backup left it out (or had no
    settings file), as `bedtales init` would; True if a new one was made."""
    from bedtales.app import CONFIG_TEMPLATE, SECRET_LINE

    path = staging / CONFIG_FILE_NAME
    line = SECRET_LINE.format(secret=secrets.token_urlsafe(32))
    if not path.is_file():
        private.create_file(path, CONFIG_TEMPLATE + line)
        return True
    text = path.read_text(encoding="utf-8")
    if lookup(folded(tomllib.loads(text)), ("media", "link_secret")) is not None:
        return False
    header = re.compile(r"^\[media\][ \t]*$", flags=re.MULTILINE | re.IGNORECASE)
    left_out = "# media.link_secret: " + LEFT_OUT_NOTE + "\n"
    if left_out in text:  # where the old one was
        text = text.replace(left_out, line, 1)
    elif header.search(text):
        text = header.sub(lambda m: m.group(0) + "\n" + line.rstrip("\n"), text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n[media]\n" + line
    path.unlink()
    private.create_file(path, text)
    return True
