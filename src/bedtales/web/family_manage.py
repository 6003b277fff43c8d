"""The household's characters and scenes: two lists with the same shape (see them, add one,
remove one), so one set of routes serves both, each with its own words.

Anyone with the private link sees the lists; adding and removing needs a session. A refused
name or scene (empty, too long, a duplicate, past the cap) comes back on the form, next to
its field, with status 422 and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bedtales.domain import NAME_MAX, SCENE_MAX
from bedtales.errors import InputError, NotFound
from bedtales.households import services
from bedtales.storage import Database
from bedtales.web.family_visit import FormData, Visit, field_errors, notice_of, visit_of

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Entry:
    key: str  # what the remove button sends
    text: str


@dataclass(frozen=True)
class Collection:
    """One of the household's lists, and how the page speaks of it."""

    page: str
    field: str
    heading: str
    lede: str
    label: str
    hint: str
    empty: str
    max_length: int
    cap: int
    entries: Callable[[Database, str], list[Entry]]
    add: Callable[[Database, str, str], object]
    remove: Callable[[Database, str, str], object]


CHARACTERS = Collection(
    page="characters",
    field="name",
    heading="Characters",
    lede="Every story is about these characters: the children, their toys, their pets.",
    label="Name",
    hint=f"A name as you say it, up to {NAME_MAX} characters.",
    empty="No characters yet.",
    max_length=NAME_MAX,
    cap=services.MAX_CHARACTERS,
    entries=lambda db, household: [
        Entry(c.name, c.name) for c in services.list_characters(db, household)
    ],
    add=services.add_character,
    remove=services.remove_character,
)
SCENES = Collection(
    page="scenes",
    field="scene",
    heading="Scenes",
    lede="Each night's story happens in one of these places, picked at random.",
    label="Scene",
    hint=f"Where a story could happen, such as “at a picnic by a bubbling river” "
    f"(up to {SCENE_MAX} characters).",
    empty="No scenes yet.",
    max_length=SCENE_MAX,
    cap=services.MAX_SCENES,
    entries=lambda db, household: [
        Entry(str(s.id), s.description) for s in services.list_scenes(db, household)
    ],
    add=services.add_scene,
    remove=services.remove_scene,
)


def _page(
    visit: Visit,
    kind: Collection,
    status: int = 200,
    errors: dict[str, str] | None = None,
    value: str = "",
) -> Response:
    return visit.page(
        "collection.html",
        status,
        current=kind.page,
        kind=kind,
        entries=kind.entries(visit.db, visit.name),
        notice=notice_of(visit.request),
        errors=errors or {},
        value=value,
    )


def _show(request: Request, page_token: str, kind: Collection) -> Response:
    return _page(visit_of(request, page_token), kind)


def _add(request: Request, page_token: str, form: FormData, kind: Collection) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    value = form.get(kind.field)
    try:
        kind.add(visit.db, visit.name, value)
    except InputError as exc:
        return _page(visit, kind, 422, field_errors(exc, (kind.field,)), value)
    return visit.done(kind.page, "added")


def _remove(request: Request, page_token: str, form: FormData, kind: Collection) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    # removed already (a second tap, another phone): no error, the list shows it is gone
    with suppress(NotFound):
        kind.remove(visit.db, visit.name, form.get(kind.field))
    return visit.done(kind.page, "removed")


@router.get("/households/{page_token}/characters")
def characters(request: Request, page_token: str) -> Response:
    return _show(request, page_token, CHARACTERS)


@router.post("/households/{page_token}/characters")
def add_character(request: Request, page_token: str, form: FormData) -> Response:
    return _add(request, page_token, form, CHARACTERS)


@router.post("/households/{page_token}/characters/remove")
def remove_character(request: Request, page_token: str, form: FormData) -> Response:
    return _remove(request, page_token, form, CHARACTERS)


@router.get("/households/{page_token}/scenes")
def scenes(request: Request, page_token: str) -> Response:
    return _show(request, page_token, SCENES)


@router.post("/households/{page_token}/scenes")
def add_scene(request: Request, page_token: str, form: FormData) -> Response:
    return _add(request, page_token, form, SCENES)


@router.post("/households/{page_token}/scenes/remove")
def remove_scene(request: Request, page_token: str, form: FormData) -> Response:
    return _remove(request, page_token, form, SCENES)
