"""Backups of the one-machine set-up: the SQLite database, the local media and
``bedtales.toml`` in one tar file (:mod:`bedtales.storage.restore` rebuilds a data directory
from one).

The archive (gzip-compressed when its name ends in ``.gz`` or ``.tgz``) holds, in order:

- ``manifest.json`` first: the format's name and version, the bedtales version, the
  database's schema revision, when it was made, and every other member with its size and
  SHA-256, so that a restore can check the whole file before it writes anything;
- ``bedtales.db``: a snapshot taken with SQLite's online backup API, consistent even while
  `bedtales run` or `web` write (WAL readers never block writers, nor writers them);
- ``bedtales.toml``, its secrets left out unless asked for;
- ``media/stories/{id}/…``: the files of the stories in the snapshot, with their type
  sidecars.

The snapshot is the truth. Media are copied after it, story by story, so a file written
meanwhile for a story the snapshot has is taken in its newest whole form (the store replaces
files by renaming), and files of stories made after the snapshot are left out: the restored
database does not know those stories. A file the snapshot says is done must be there, unless
the sweeper removed it because its story expired meanwhile; one missing for another reason
is named in the manifest and by both commands, and the restored page shows the story
without it.

PostgreSQL and S3 deployments are backed up with their own tools (docs/deploy.md, Backups).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from bedtales import __version__, private
from bedtales.config import CONFIG_FILE_NAME, Settings
from bedtales.errors import BedtalesError, ConfigError, InputError
from bedtales.storage.database import MIGRATIONS

FORMAT = "bedtales-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "bedtales.db"
MEDIA = "media"
STORIES = "stories"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
# Settings that say where the database and the media are: a restore puts both in the new
# data directory, so the copy of bedtales.toml must not point back at the old places.
PLACES: tuple[tuple[str, ...], ...] = (("data_dir",), ("database_url",), ("media", "local_dir"))
# Counted in the summary: what a family would miss.
COUNTED = ("households", "characters", "scenes", "stories", "schedules", "subscribers")
DEPLOY_DOC = "docs/deploy.md (Backups)"
LEFT_OUT_NOTE = "a secret, left out of this backup"


def known_revisions() -> set[str]:
    """The schema revisions this bedtales can open: its numbered migrations."""
    return {path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py")}


def secret_settings(
    model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every setting that holds a secret (a ``SecretStr``), as paths such as
    ``("media", "link_secret")``: found from the declarations, so a new one is covered."""
    found: list[tuple[str, ...]] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        kinds = getattr(annotation, "__args__", (annotation,))
        if SecretStr in kinds:
            found.append((*prefix, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(secret_settings(annotation, (*prefix, name)))
    return found


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass
class Manifest:
    schema_revision: str
    created_at: str
    members: list[Member]
    counts: dict[str, int]
    secrets_included: bool
    secrets_left_out: list[str]
    missing_media: list[str] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    bedtales_version: str = __version__

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2).encode()


@dataclass
class BackupReport:
    path: Path
    size: int
    counts: dict[str, int]
    media_files: int
    secrets_included: bool
    secrets_left_out: list[str]
    secrets_from_environment: list[str]
    expired_meanwhile: int
    missing_media: list[str]


# ----------------------------------------------------------------------------- backup


def backup(settings: Settings, target: Path, *, with_secrets: bool = False) -> BackupReport:
    """Write a backup of the data directory ``settings`` names to ``target``: built beside it
    and renamed into place, 0600, so ``target`` is never half-written."""
    database = _one_machine(settings)
    target = target.absolute()
    if target.is_dir():
        raise InputError(f"{target} is a folder: give the backup file's name", field="FILE")
    if not target.parent.is_dir():
        raise InputError(f"no folder {target.parent} to write the backup in", field="FILE")
    with disk_errors(f"back up to {target}"):
        staging = Path(
            tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        )
        try:
            counts, revision, stories = _snapshot(database, staging / DATABASE)
            toml_path = type(settings).toml_path or settings.data_dir / CONFIG_FILE_NAME
            left_out, from_env = _copy_settings(settings, toml_path, staging, with_secrets)
            root = settings.media.local_dir or settings.data_dir / MEDIA
            files, expired, missing = _copy_media(root, staging / MEDIA, stories)
            members = [_member(staging, path) for path in _files(staging)]
            manifest = Manifest(
                schema_revision=revision,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                members=members,
                counts=counts,
                secrets_included=with_secrets,
                secrets_left_out=left_out,
                missing_media=missing,
            )
            _write_archive(target, manifest, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BackupReport(
        path=target,
        size=target.stat().st_size,
        counts=counts,
        media_files=files,
        secrets_included=with_secrets,
        secrets_left_out=left_out,
        secrets_from_environment=from_env,
        expired_meanwhile=expired,
        missing_media=missing,
    )


@contextlib.contextmanager
def disk_errors(doing: str) -> Iterator[None]:
    """A file system's refusal (a full disk, a folder not ours) as one line, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise BedtalesError(f"cannot {doing}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:  # the database busy past the timeout, or no room for the copy
        raise BedtalesError(f"cannot {doing}: the database said {exc}") from None


def _one_machine(settings: Settings) -> Path:
    """The SQLite file to back up; refuses the settings of a many-machine deployment."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite":
        raise InputError(
            "bedtales backup copies the one-machine set-up (SQLite and local media); "
            f"database_url names {url.get_backend_name()}: back it up with pg_dump as "
            f"{DEPLOY_DOC} shows",
            field="database_url",
        )
    if settings.media.store != "local":
        raise InputError(
            "bedtales backup copies the one-machine set-up (SQLite and local media); "
            f"media.store is {settings.media.store!r}: copy the bucket with an S3 sync as "
            f"{DEPLOY_DOC} shows",
            field="media.store",
        )
    if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
        raise ConfigError(
            f"no bedtales database at {url.database or ':memory:'}: run `bedtales init` first"
        )
    return Path(url.database)


def _snapshot(source: Path, into: Path) -> tuple[dict[str, int], str, list[sqlite3.Row]]:
    """Copy the database with SQLite's backup API (one read transaction: a consistent
    picture), as one self-contained file; return its counts, revision and stories."""
    private.create_file(into)  # 0600 before SQLite opens it
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(into)) as snapshot,
    ):
        live.backup(snapshot)
    with contextlib.closing(sqlite3.connect(into)) as snapshot:
        snapshot.row_factory = sqlite3.Row
        snapshot.execute("PRAGMA journal_mode=DELETE")  # no -wal beside it
        (check,) = snapshot.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise ConfigError(f"the database {source} is damaged ({check}): no backup made")
        revision = _revision(snapshot)
        counts = {name: _count(snapshot, name) for name in COUNTED}
        stories = snapshot.execute(
            "SELECT id, image_state, image_key, audio_state, audio_key, expires_at, kept_at "
            "FROM stories"
        ).fetchall()
    return counts, revision, stories


def _revision(connection: sqlite3.Connection) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise ConfigError("the database has no schema yet: run `bedtales init` first")
    return str(row[0])


def _count(connection: sqlite3.Connection, table: str) -> int:
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - our own table names
    except sqlite3.OperationalError:  # a table an older schema has not got
        return 0


def _copy_settings(
    settings: Settings, toml_path: Path, staging: Path, with_secrets: bool
) -> tuple[list[str], list[str]]:
    """Copy bedtales.toml, without its secrets unless ``with_secrets``, and without the
    settings that point at the old places. Returns the secrets left out, and the secrets
    that are set in the environment only (no backup has them)."""
    in_file: dict[str, Any] = {}
    text = ""
    if toml_path.is_file():
        text = toml_path.read_text(encoding="utf-8")
        in_file = folded(tomllib.loads(text))
    secret_paths = secret_settings()
    left_out = [] if with_secrets else [p for p in secret_paths if lookup(in_file, p)]
    from_env = [
        dotted(p)
        for p in secret_paths
        if lookup(in_file, p) is None and _setting(settings, p) is not None
    ]
    if toml_path.is_file():
        places = [p for p in PLACES if lookup(in_file, p) is not None]
        text = _without(text, in_file, left_out, places)
        private.create_file(staging / CONFIG_FILE_NAME, text)
    return [dotted(p) for p in left_out], from_env


def folded(document: Any) -> Any:
    """The document with every key in lower case, as the settings loader reads names in any
    case (``[SMTP]``, ``ADMIN_TOKEN``): a secret must be found however it is written."""
    if isinstance(document, dict):
        return {str(key).lower(): folded(value) for key, value in document.items()}
    if isinstance(document, list):
        return [folded(item) for item in document]
    return document


def _pruned(document: Any) -> Any:
    """Without empty tables: leaving out a table's only key (``media.link_secret = …`` at
    the top) leaves no table in the file, where the expected document keeps an empty one."""
    if not isinstance(document, dict):
        return document
    kept = {key: _pruned(value) for key, value in document.items()}
    return {key: value for key, value in kept.items() if value != {}}


def lookup(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _setting(settings: Settings, path: tuple[str, ...]) -> Any:
    value: Any = settings
    for part in path:
        value = getattr(value, part)
    return value


def _without(
    text: str,
    document: dict[str, Any],
    secrets_out: list[tuple[str, ...]],
    places: list[tuple[str, ...]],
) -> str:
    """``text`` with the lines of ``secrets_out`` and ``places`` made comments. Checked by
    reading the result: anything else changed, or a value left in, refuses the backup."""
    notes = {p: LEFT_OUT_NOTE for p in secrets_out}
    notes |= {p: "left out of this backup: restore puts it in the data directory" for p in places}
    section: tuple[str, ...] = ()
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        header = re.fullmatch(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?", line.rstrip("\n"))
        if header:  # an array of tables ([[bus.rules]]) holds no secret: matches nothing
            section = (header[1], *header[2].lower().split("."))
            section = section[1:] if header[1] == "[" else section
            continue
        assignment = re.match(r"\s*([A-Za-z0-9_.]+)\s*=", line)
        if assignment:
            path = (*section, *assignment[1].lower().split("."))
            if path in notes:
                lines[index] = f"# {dotted(path)}: {notes[path]}\n"
    result = "".join(lines)
    expected = copy.deepcopy(document)
    for path in notes:
        *parents, last = path
        lookup(expected, tuple(parents)).pop(last)
    secret_values = [str(lookup(document, path)) for path in secrets_out]
    try:
        same = _pruned(folded(tomllib.loads(result))) == _pruned(expected)
    except tomllib.TOMLDecodeError:  # a value over several lines, only its first made a comment
        same = False
    if not same or any(value and value in result for value in secret_values):
        names = ", ".join(dotted(p) for p in notes)
        raise InputError(
            f"cannot leave {names} out of {CONFIG_FILE_NAME}: write each as `name = value` on a "
            "line of its own in its [section], or back up with --with-secrets",
            field="bedtales.toml",
        )
    return result


def _copy_media(root: Path, into: Path, stories: list[sqlite3.Row]) -> tuple[int, int, list[str]]:
    """Copy the files of the snapshot's stories. Returns how many were copied, how many the
    snapshot lists that are gone because their story expired meanwhile, and the keys of
    those missing for another reason."""
    copied, expired, missing = 0, 0, []
    now = datetime.now(UTC)
    for story in stories:
        folder = root / STORIES / story["id"]
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and not path.name.startswith(".tmp-"):
                relative = path.relative_to(root)
                private.make_folders((into / relative).parent)
                if _copy_private(path, into / relative) and not path.name.startswith("."):
                    copied += 1
        for state, key in (("image_state", "image_key"), ("audio_state", "audio_key")):
            if story[state] != "done" or not story[key] or (into / story[key]).is_file():
                continue
            if story["kept_at"] is None and _utc(story["expires_at"]) <= now:
                expired += 1
            else:
                missing.append(str(story[key]))
    return copied, expired, missing


def _copy_private(source: Path, into: Path) -> bool:
    """Copy ``source`` to a new 0600 file; False if the sweeper removed it meanwhile. The
    store replaces files by renaming, so the open file is one whole version."""
    try:
        reader = source.open("rb")
    except FileNotFoundError:
        return False
    with reader, os.fdopen(create(into), "wb") as writer:
        shutil.copyfileobj(reader, writer, CHUNK)
    return True


def create(path: Path) -> int:
    """A new file, 0600 from the start."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private.PRIVATE_FILE)


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _files(folder: Path) -> Iterator[Path]:
    """The database first, then the settings, then the media, each in a stable order."""
    for name in (DATABASE, CONFIG_FILE_NAME):
        if (folder / name).is_file():
            yield folder / name
    if (folder / MEDIA).is_dir():
        yield from sorted(p for p in (folder / MEDIA).rglob("*") if p.is_file())


def _member(folder: Path, path: Path) -> Member:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
    return Member(path.relative_to(folder).as_posix(), path.stat().st_size, digest.hexdigest())


def _write_archive(target: Path, manifest: Manifest, staging: Path) -> None:
    """The tar file, manifest first, written 0600 beside ``target`` and renamed onto it."""
    mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    handle = create(temporary)
    try:
        with os.fdopen(handle, "wb") as file:
            with tarfile.open(fileobj=file, mode=mode) as tar:  # type: ignore[call-overload]
                body = manifest.to_json()
                tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))
                for member in manifest.members:
                    with (staging / member.name).open("rb") as data:
                        tar.addfile(_info(member.name, member.size), data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, private.PRIVATE_FILE, int(datetime.now().timestamp())
    return info
