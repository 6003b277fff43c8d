"""The JSON API, through the web app in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from bedtales.app import App
from bedtales.clock import utcnow
from bedtales.errors import ConfigError, Expired, InputError
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.storage.models import StoryNotificationRow
from bedtales.web import create_site
from web_client import (  # noqa: F401 - the fixtures client and web_app
    ADMIN,
    SECRETS,
    bedtales_of,
    client_fixture,
    web_app_fixture,
)

HOME = "/api/households/home"
SUBSCRIBER_PASSWORD = "mail-password-3e9c27"
SUBSCRIBER_URL = f"mailto://milo:{SUBSCRIBER_PASSWORD}@mail.example.com"

# every admin operation, with a body it would accept
ADMIN_CALLS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/stories", None),
    ("POST", "/api/stories", {}),
    ("GET", f"{HOME}/characters", None),
    ("POST", f"{HOME}/characters", {"name": "Pip"}),
    ("DELETE", f"{HOME}/characters/Milo", None),
    ("GET", f"{HOME}/scenes", None),
    ("POST", f"{HOME}/scenes", {"description": "a lighthouse at dusk"}),
    ("DELETE", f"{HOME}/scenes/1", None),
    ("GET", f"{HOME}/subscribers", None),
    ("POST", f"{HOME}/subscribers", {"url": "ntfy://ntfy.sh/bedtales-test"}),
    ("DELETE", f"{HOME}/subscribers/1", None),
    ("GET", HOME, None),
    ("PATCH", HOME, {"series": True}),
]


def call(
    client: TestClient, method: str, path: str, body: object = None, **headers: str
) -> httpx.Response:
    return client.request(method, path, json=body, headers=headers)


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "field"}, body
    assert body["error"], body
    assert body.get("field") == field, body
    return str(body["error"])


# ----------------------------------------------------------------------------- stories


def test_a_story_is_public_to_whoever_has_its_id(client: TestClient) -> None:
    story = bedtales_of(client).write_story(seed=3)
    response = client.get(f"/api/stories/{story.id}")
    assert response.status_code == 200
    view = response.json()
    assert (view["id"], view["title"], view["household"]) == (story.id, story.title, "home")
    assert view["characters"] == ["Milo", "Luna"]
    assert view["stanzas"]
    assert all(view["stanzas"])
    assert view["image"]["state"] == view["audio"]["state"] == "pending"
    assert view["image"]["url"] is None  # no link before the picture exists
    assert client.get(f"/api/stories/{story.id.upper()}").json()["id"] == story.id


def test_the_admin_sees_how_far_telling_each_subscriber_got(client: TestClient) -> None:
    bedtales = bedtales_of(client)
    subscribers.add_subscriber(bedtales.db, "home", SUBSCRIBER_URL, label="Grandma")
    subscribers.add_subscriber(bedtales.db, "home", "ntfy://ntfy.example/topic")
    story = bedtales.write_story(seed=4)
    with bedtales.db.session() as session:
        session.add(
            StoryNotificationRow(
                story_id=story.id, subscriber_id=1, state="failed", error="554 mailbox full"
            )
        )
    path = f"/api/stories/{story.id}"

    assert client.get(path).json()["notify"] is None  # a forwarded link shows nobody
    assert "wrong admin token" in assert_error(
        client.get(path, headers={"Authorization": "Bearer wrong"}), 403
    )
    for view in (
        client.get(path, headers=ADMIN).json(),
        client.get("/api/stories", headers=ADMIN).json()[0],
    ):
        assert view["notify"] == {
            "state": "pending",
            "subscribers": [
                {
                    "subscriber": "Grandma",
                    "service": "E-Mail",
                    "state": "failed",
                    "error": "554 mailbox full",
                    "sentAt": None,
                }
            ],
        }
        assert SUBSCRIBER_PASSWORD not in str(view)


@pytest.mark.parametrize(
    "story_id",
    ["not-a-uuid", "1", "' OR 1=1 --", "x" * 500, "%00", "%E2%98%83", str(uuid.uuid4())],
)
def test_anything_but_a_known_story_id_is_404(client: TestClient, story_id: str) -> None:
    assert_error(client.get(f"/api/stories/{story_id}"), 404)


def test_an_expired_story_is_gone(client: TestClient) -> None:
    story = bedtales_of(client).write_story(now=utcnow() - timedelta(days=3))
    assert "expired" in assert_error(client.get(f"/api/stories/{story.id}"), 410)


def test_start_a_story_now_then_read_it(client: TestClient) -> None:
    response = client.post("/api/stories", headers=ADMIN)
    assert response.status_code == 202, response.text
    started = response.json()
    assert set(started) == {"id", "url"}
    assert started["url"] == f"http://127.0.0.1:8080/stories/{started['id']}"
    assert response.headers["location"] == f"/api/stories/{started['id']}"
    assert client.get(response.headers["location"]).json()["household"] == "home"
    again = client.post("/api/stories", json={"household": "home"}, headers=ADMIN)
    assert again.status_code == 202
    listed = client.get("/api/stories", headers=ADMIN).json()
    assert [s["id"] for s in listed] == [again.json()["id"], started["id"]]


def test_starting_a_story_refuses_bad_input(client: TestClient) -> None:
    services.add_household(bedtales_of(client).db, "empty")
    start = "/api/stories"
    assert_error(client.post(start, json={"household": "nowhere"}, headers=ADMIN), 404)
    assert_error(client.post(start, json={"household": "empty"}, headers=ADMIN), 422, "characters")
    assert_error(client.post(start, json={"household": 5}, headers=ADMIN), 422, "household")
    assert_error(client.post(start, json={"seed": 1}, headers=ADMIN), 422, "seed")
    assert_error(client.post(start, json=[], headers=ADMIN), 422, "body")
    assert client.get(start, headers=ADMIN).json() == []


def test_list_stories_by_household_newest_first(client: TestClient) -> None:
    bedtales = bedtales_of(client)
    services.add_household(bedtales.db, "away", characters=["Ada"], scenes=["a quiet harbour"])
    now = utcnow()
    older = bedtales.write_story(now=now - timedelta(hours=2))
    newer = bedtales.write_story(now=now - timedelta(hours=1))
    away = bedtales.write_story("away")

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/stories{query}", headers=ADMIN)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    assert ids("") == [away.id, newer.id, older.id]
    assert ids("?household=home") == [newer.id, older.id]
    assert ids("?household=home&limit=1") == [newer.id]
    assert_error(client.get("/api/stories?household=nowhere", headers=ADMIN), 404)
    assert_error(client.get("/api/stories?limit=0", headers=ADMIN), 422, "limit")
    assert_error(client.get("/api/stories?limit=many", headers=ADMIN), 422, "limit")


# ----------------------------------------------------------------------------- the token


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_admin_calls_need_the_admin_token(
    client: TestClient, method: str, path: str, body: object
) -> None:
    db = bedtales_of(client).db
    subscribers.add_subscriber(db, "home", SUBSCRIBER_URL)  # number 1
    for headers in ({}, {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": "Bearer"}):
        response = call(client, method, path, body, **headers)
        assert_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    for wrong in ("Bearer wrong", f"Bearer {ADMIN['Authorization'][7:-1]}", "Bearer tökén"):
        response = client.request(
            method, path, json=body, headers={"Authorization": wrong.encode()}
        )
        assert "wrong admin token" in assert_error(response, 403)
    # nothing was done: Milo, scene 1 and subscriber 1 are still there, no story was written
    assert "Milo" in [c.name for c in services.list_characters(db, "home")]
    assert 1 in [s.id for s in services.list_scenes(db, "home")]
    assert len(subscribers.list_subscribers(db, "home")) == 1
    assert services.list_stories(db) == []
    assert call(client, method, path, body, **ADMIN).status_code < 300


def test_without_an_admin_token_the_admin_api_is_off(data_dir: Path) -> None:
    bedtales = App.open(data_dir)  # no BEDTALES_ADMIN_TOKEN
    try:
        with TestClient(create_site(bedtales)) as client:
            for method, path, body in ADMIN_CALLS:
                response = call(client, method, path, body, Authorization="Bearer anything")
                assert "set BEDTALES_ADMIN_TOKEN" in assert_error(response, 403)
            story = bedtales.write_story()
            assert client.get(f"/api/stories/{story.id}").status_code == 200
    finally:
        bedtales.close()


# ----------------------------------------------------------------------------- households


def test_a_households_series_is_read_and_changed(client: TestClient) -> None:
    shown = client.get(HOME, headers=ADMIN)
    assert shown.status_code == 200
    assert shown.json() == {
        "name": "home",
        "timezone": "Europe/London",
        "storyTtlHours": 48,
        "notifyWhen": "created",
        "notifyTimeoutS": 600,
        "notifyOnUnsure": "resend",
        "series": False,
    }
    changed = client.patch(HOME, json={"series": True}, headers=ADMIN)
    assert changed.status_code == 200
    assert changed.json() == {**shown.json(), "series": True}
    assert client.get(HOME, headers=ADMIN).json()["series"] is True
    db = bedtales_of(client).db
    assert services.get_household(db, "home").series is True
    assert services.get_household(db, "home").page_token not in changed.text
    off = client.patch(HOME, json={"series": False}, headers=ADMIN)
    assert off.json()["series"] is False
    assert_error(client.get("/api/households/nowhere", headers=ADMIN), 404)
    assert_error(client.patch("/api/households/nowhere", json={"series": True}, headers=ADMIN), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"series": "yes"}, "series"),
        ({"series": 1}, "series"),
        ({"series": None}, "series"),  # nothing to change
        ({}, "series"),
        ({"series": True, "timezone": "UTC"}, "timezone"),
        ([True], "body"),
    ],
)
def test_a_bad_household_change_is_refused_naming_the_field(
    client: TestClient, body: object, field: str
) -> None:
    assert_error(client.patch(HOME, json=body, headers=ADMIN), 422, field)
    assert client.get(HOME, headers=ADMIN).json()["series"] is False


# ----------------------------------------------------------------------------- characters


def test_characters_add_list_remove(client: TestClient) -> None:
    added = client.post(f"{HOME}/characters", json={"name": " Pip "}, headers=ADMIN)
    assert added.status_code == 201
    assert added.json() == {"id": added.json()["id"], "name": "Pip"}
    names = [c["name"] for c in client.get(f"{HOME}/characters", headers=ADMIN).json()]
    assert names == ["Milo", "Luna", "Pip"]
    removed = client.delete(f"{HOME}/characters/pip", headers=ADMIN)
    assert removed.json() == added.json()
    assert_error(client.delete(f"{HOME}/characters/Pip", headers=ADMIN), 404)
    assert_error(client.get("/api/households/nowhere/characters", headers=ADMIN), 404)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "milo"}, 422, "name"),  # a duplicate, in any case
        ({"name": "   "}, 422, "name"),
        ({"name": "x" * 61}, 422, "name"),
        ({"name": "x" * 5000}, 422, "name"),
        ({"name": "Pip\x00"}, 422, "name"),
        ({"name": None}, 422, "name"),
        ({}, 422, "name"),
        ({"name": "Pip", "age": 4}, 422, "age"),
        (["Pip"], 422, "body"),
    ],
)
def test_a_bad_character_is_refused_naming_the_field(
    client: TestClient, body: object, status: int, field: str
) -> None:
    assert_error(client.post(f"{HOME}/characters", json=body, headers=ADMIN), status, field)
    assert len(client.get(f"{HOME}/characters", headers=ADMIN).json()) == 2


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b'{"name": "Pip"', "application/json"), (b"\xff\xfe", "application/json")],
)
def test_malformed_json_is_400_naming_the_body(
    client: TestClient, content: bytes, content_type: str
) -> None:
    headers = {**ADMIN, "Content-Type": content_type}
    response = client.post(f"{HOME}/characters", content=content, headers=headers)
    assert "malformed JSON" in assert_error(response, 400, "body")


def test_a_body_that_is_not_json_is_400(client: TestClient) -> None:
    headers = {**ADMIN, "Content-Type": "text/plain"}
    response = client.post(f"{HOME}/characters", content=b'{"name": "Pip"}', headers=headers)
    assert "application/json" in assert_error(response, 400, "body")


def test_an_oversize_body_is_413_and_changes_nothing(client: TestClient) -> None:
    big = b'{"name": "' + b"x" * 70_000 + b'"}'
    headers = {**ADMIN, "Content-Type": "application/json"}
    declared = client.post(f"{HOME}/characters", content=big, headers=headers)
    assert "too large" in assert_error(declared, 413, "body")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = client.post(f"{HOME}/characters", content=chunks(), headers=headers)
    assert "too large" in assert_error(streamed, 413, "body")
    assert len(client.get(f"{HOME}/characters", headers=ADMIN).json()) == 2


# ----------------------------------------------------------------------------- scenes


def test_scenes_add_list_remove_by_id_or_text(client: TestClient) -> None:
    scenes = client.get(f"{HOME}/scenes", headers=ADMIN).json()
    assert len(scenes) >= 20
    assert set(scenes[0]) == {"id", "description"}
    text = "a lighthouse at dusk"
    added = client.post(f"{HOME}/scenes", json={"description": text}, headers=ADMIN)
    assert added.status_code == 201
    assert added.json()["description"] == text
    duplicate = client.post(f"{HOME}/scenes", json={"description": text.upper()}, headers=ADMIN)
    assert_error(duplicate, 422, "description")
    too_long = client.post(f"{HOME}/scenes", json={"description": "y" * 301}, headers=ADMIN)
    assert "at most 300" in assert_error(too_long, 422, "description")
    assert (
        client.delete(f"{HOME}/scenes/{added.json()['id']}", headers=ADMIN).json() == added.json()
    )
    first = scenes[0]
    assert client.delete(f"{HOME}/scenes/{first['description']}", headers=ADMIN).json() == first
    assert_error(client.delete(f"{HOME}/scenes/{first['id']}", headers=ADMIN), 404)
    assert_error(client.delete(f"{HOME}/scenes/999999999999", headers=ADMIN), 404)


# ----------------------------------------------------------------------------- subscribers


def test_subscribers_are_shown_masked_only(client: TestClient) -> None:
    body = {"url": SUBSCRIBER_URL, "label": "Grandma"}
    added = client.post(f"{HOME}/subscribers", json=body, headers=ADMIN)
    assert added.status_code == 201, added.text
    shown = added.json()
    assert set(shown) == {"id", "household", "label", "service", "maskedUrl", "createdAt"}
    assert shown["label"] == "Grandma"
    assert shown["maskedUrl"].startswith("mailto://")
    listed = client.get(f"{HOME}/subscribers", headers=ADMIN)
    assert listed.json() == [shown]
    assert_error(client.post(f"{HOME}/subscribers", json=body, headers=ADMIN), 422, "url")
    bad = client.post(f"{HOME}/subscribers", json={"url": "not a url"}, headers=ADMIN)
    assert_error(bad, 422, "url")
    numbered = {"url": "ntfy://ntfy.sh/bedtales-7", "label": "42"}
    assert_error(client.post(f"{HOME}/subscribers", json=numbered, headers=ADMIN), 422, "label")
    removed = client.delete(f"{HOME}/subscribers/Grandma", headers=ADMIN)
    assert removed.json() == shown
    assert_error(client.delete(f"{HOME}/subscribers/{shown['id']}", headers=ADMIN), 404)
    for response in (added, listed, removed):
        assert SUBSCRIBER_PASSWORD not in response.text


# ----------------------------------------------------------------------------- errors


def test_unknown_api_paths_and_methods_answer_json(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404)
    response = client.put(f"{HOME}/characters", headers=ADMIN)
    assert_error(response, 405)
    assert "GET" in response.headers["allow"]


def test_failures_answer_a_generic_message_and_never_the_reason(
    web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_database(*_args: object) -> None:
        raise ConfigError("cannot open the database postgresql://bedtales:hunter2@db/x")

    def bug(*_args: object) -> None:
        raise RuntimeError("a bug that mentions hunter2")

    monkeypatch.setattr(services, "list_characters", broken_database)
    monkeypatch.setattr(services, "list_scenes", bug)
    with TestClient(web_app, raise_server_exceptions=False) as client:
        unavailable = client.get(f"{HOME}/characters", headers=ADMIN)
        assert "server log" in assert_error(unavailable, 503)
        crashed = client.get(f"{HOME}/scenes", headers=ADMIN)
        assert "server log" in assert_error(crashed, 500)
        assert "hunter2" not in unavailable.text + crashed.text


def test_pages_may_render_errors_as_html_but_api_errors_stay_json(web_app: FastAPI) -> None:
    def html_error(_request: Request, status: int, message: str) -> Response | None:
        return HTMLResponse(f"<p>{message}</p>", status_code=status) if status == 410 else None

    def gone() -> None:
        raise Expired("that story has gone")

    def refused() -> None:
        raise InputError("no such colour", field="colour")

    web_app.add_api_route("/test/gone", gone)
    web_app.add_api_route("/test/refused", refused)
    web_app.add_api_route("/api/test/gone", gone)
    web_app.state.html_error = html_error
    with TestClient(web_app) as client:
        page = client.get("/test/gone")
        assert (page.status_code, page.text) == (410, "<p>that story has gone</p>")
        assert_error(client.get("/test/refused"), 422, "colour")  # the hook passed: JSON
        assert_error(client.get("/api/test/gone"), 410)


def test_no_answer_reveals_a_secret(client: TestClient) -> None:
    bedtales = bedtales_of(client)
    story = bedtales.write_story()
    expired = bedtales.write_story(now=utcnow() - timedelta(days=3))
    client.post(f"{HOME}/subscribers", json={"url": SUBSCRIBER_URL}, headers=ADMIN)
    responses = [
        client.get("/api/openapi.json"),
        client.get("/healthz"),
        client.get("/readyz"),
        client.get(f"/api/stories/{story.id}"),
        client.get(f"/api/stories/{expired.id}"),
        client.get("/api/stories/nope"),
        client.get("/api/stories", headers={"Authorization": "Bearer wrong"}),
        client.get("/api/stories", headers=ADMIN),
        client.post("/api/stories", headers=ADMIN),
        client.get(f"{HOME}/subscribers", headers=ADMIN),
        client.post(f"{HOME}/characters", content=b"{", headers=ADMIN),
        client.get("/metrics"),
    ]
    forbidden = [*SECRETS.values(), SUBSCRIBER_PASSWORD, str(bedtales.settings.data_dir)]
    for response in responses:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        leaked = [secret for secret in forbidden if secret in seen]
        assert leaked == [], (response.request.url, leaked)


def test_the_schema_states_the_services_lengths(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["NewCharacter"]["properties"]["name"]["maxLength"] == 60
    assert schemas["NewScene"]["properties"]["description"]["maxLength"] == 300
    assert document["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"


# ----------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b'{"name": "P\xffp"}', "not valid UTF-8", id="invalid-utf-8"),
        pytest.param(b"[" * 20_000 + b"]" * 20_000, "nested too deeply", id="deep"),
        pytest.param(b'{"name": ' + b"9" * 5_000 + b"}", "too many digits", id="long-number"),
    ],
)
def test_a_body_json_cannot_read_is_400_naming_the_body(
    client: TestClient, content: bytes, reason: str
) -> None:
    headers = {**ADMIN, "Content-Type": "application/json"}
    response = client.post(f"{HOME}/characters", content=content, headers=headers)
    message = assert_error(response, 400, "body")
    assert message.startswith("body: malformed JSON"), message
    assert reason in message
    assert len(client.get(f"{HOME}/characters", headers=ADMIN).json()) == 2


def test_a_name_too_long_is_refused_in_characters(client: TestClient) -> None:
    long_name = "h" * 10_000
    refused = [
        (client.post("/api/stories", json={"household": long_name}, headers=ADMIN), "household"),
        (client.get("/api/stories", params={"household": long_name}, headers=ADMIN), "household"),
        (
            client.post(
                f"{HOME}/subscribers",
                json={"url": SUBSCRIBER_URL, "label": long_name},
                headers=ADMIN,
            ),
            "label",
        ),
    ]
    for response, field in refused:
        message = assert_error(response, 422, field)
        assert message == f"{field}: String should have at most 60 characters", message
    assert client.get("/api/stories", headers=ADMIN).json() == []
    assert client.get(f"{HOME}/subscribers", headers=ADMIN).json() == []
