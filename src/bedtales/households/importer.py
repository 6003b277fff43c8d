"""Reading the reference app's data files, as they are:

characters: ``[{"id": "1", "name": "Eric"}, …]`` — scenes: ``[{"id": "1", "description": "…"}, …]``

Every entry is checked before anything is stored; the first problem names the file and the
entry, and then nothing at all is imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bedtales.domain import clean_name, clean_scene
from bedtales.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024


def read_characters(path: Path) -> list[str]:
    return [
        clean_name(
            _field(path, index, entry, "name"), field=f"{path}: entry {index}{_id(entry)} name"
        )
        for index, entry in enumerate(_entries(path), start=1)
    ]


def read_scenes(path: Path) -> list[str]:
    return [
        clean_scene(
            _field(path, index, entry, "description"),
            field=f"{path}: entry {index}{_id(entry)} description",
        )
        for index, entry in enumerate(_entries(path), start=1)
    ]


def _entries(path: Path) -> list[Any]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(
                f"{path}: file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB", field=str(path)
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", field=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})", field=str(path)) from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply", field=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            field=str(path),
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field=str(path)) from None
    if not isinstance(data, list):
        raise InputError(
            f"{path}: expected a JSON list of entries, found {_kind(data)}", field=str(path)
        )
    return data


def _field(path: Path, index: int, entry: Any, name: str) -> str:
    if not isinstance(entry, dict):
        raise InputError(
            f"{path}: entry {index} should be an object, found {_kind(entry)}", field=str(path)
        )
    if name not in entry:
        raise InputError(f"{path}: entry {index}{_id(entry)} has no {name!r}", field=str(path))
    value = entry[name]
    if not isinstance(value, str):
        raise InputError(
            f"{path}: entry {index}{_id(entry)} {name} should be text, found {_kind(value)}",
            field=str(path),
        )
    return value


def _id(entry: Any) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str | int):
        return f" (id {entry['id']!s})"
    return ""


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), "a number")
