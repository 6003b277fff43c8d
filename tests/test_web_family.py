"""The household's own site, in process: every page, signing in and out, who may change
what, the forms and their errors, bedtime, messages, "tell a story now" and its progress,
and a new private link. Real services, real targets; every test runs on SQLite and
PostgreSQL. Nothing here needs JavaScript: each change is a plain form, POST then 303."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from ipaddress import ip_address
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape
from sqlalchemy import func, select, update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.domain import Story
from bedtales.households import access as household_access
from bedtales.households import services
from bedtales.notify import guard, subscribers
from bedtales.scheduler import schedules
from bedtales.storage.models import SignInFailureRow, StoryNotificationRow, StoryRow
from bedtales.stories.views import story_view
from bedtales.web import create_site, family, family_library, family_messages, urls
from bedtales.web.pages import picture_alt
from servers.smtp import SmtpServer

PASSPHRASE = "moon and stars and tea"
PAGES = ("", "characters", "scenes", "bedtime", "messages", "sign-in")
# every form of the site: (page it is on, where it posts, its fields besides csrf)
CHANGES = (
    ("characters", "characters", {"name": "Eric"}),
    ("characters", "characters/remove", {"name": "Milo"}),
    ("scenes", "scenes", {"scene": "on a boat under the stars"}),
    ("scenes", "scenes/remove", {"scene": "1"}),
    ("bedtime", "bedtime", {"time": "19:30", "days": "MON", "timezone": "Europe/Paris"}),
    ("bedtime", "bedtime/pause", {}),
    ("bedtime", "bedtime/resume", {}),
    ("messages", "messages", {"kind": "ntfy", "topic": "our-tales-7f3", "server": "ntfy.sh"}),
    ("messages", "messages/test", {"subscriber": "1"}),
    ("messages", "messages/remove", {"subscriber": "1"}),
    ("messages", "messages/when", {"when": "complete"}),
    ("", "link", {}),
)
OPEN_FORMS = (("", "stories", {}), ("sign-in", "sign-in", {"passphrase": PASSPHRASE}))


# ----------------------------------------------------------------------------- helpers


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


def set_story(bedtales: App, story_id: str, **values: object) -> None:
    with bedtales.db.session() as session:
        session.execute(update(StoryRow).where(StoryRow.id == story_id).values(**values))


def csrf_in(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no form on the page"
    return found.group(1)


def page_of(token: str, page: str = "") -> str:
    return urls.household(token, page)


def post(
    client: TestClient, token: str, page: str, path: str, fields: dict[str, object]
) -> Response:
    """Post a form the way a browser does: read its page first, send its CSRF token."""
    csrf = csrf_in(client.get(page_of(token, page)).text)
    return client.post(page_of(token, path), data={"csrf": csrf, **fields}, follow_redirects=False)


def sign_in(client: TestClient, token: str, passphrase: str = PASSPHRASE) -> Response:
    return post(client, token, "sign-in", "sign-in", {"passphrase": passphrase})


def character_names(bedtales: App, household: str = "home") -> list[str]:
    return [c.name for c in services.list_characters(bedtales.db, household)]


def field_error(html: str, field_id: str) -> str:
    """The error shown next to a field, checking that the field points at it."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', html)
    assert found is not None, f"no error next to {field_id}"
    assert re.search(rf'id="{field_id}"[^>]*aria-describedby="[^"]*{field_id}-error', html)
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', html)
    return unescape(found.group(1))


@pytest.fixture
def client(bedtales: App) -> Iterator[TestClient]:
    with TestClient(create_site(bedtales)) as client:
        yield client


@pytest.fixture
def token(bedtales: App) -> str:
    """The household "home" (Milo and Luna, the starter scenes), with a passphrase."""
    household_access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    return services.get_household(bedtales.db, "home").page_token


@pytest.fixture
def signed_in(client: TestClient, token: str) -> TestClient:
    assert sign_in(client, token).status_code == 303
    return client


# ----------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_link_alone(client: TestClient, token: str, page: str) -> None:
    response = client.get(page_of(token, page))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    html = response.text
    assert html.count("<h1") == 1
    assert '<nav class="family-nav" aria-label="Household">' in html
    assert 'aria-current="page"' in html
    assert '<a class="skip-link" href="#main">' in html
    # the first visit gets its CSRF cookie, and the page's forms carry the same token
    cookie = client.cookies.get("bedtales_csrf")
    assert cookie is not None
    if page in ("", "sign-in"):
        assert csrf_in(html) == cookie
    else:  # the household's settings, read-only
        assert "Sign in to change this" in html
        assert 'name="csrf"' not in html


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_signed_in(signed_in: TestClient, token: str, page: str) -> None:
    response = signed_in.get(page_of(token, page))
    assert response.status_code == 200
    assert "Sign out</button>" in response.text
    assert "Sign in to change this" not in response.text


@pytest.mark.parametrize("page", [*PAGES, "stories/0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"])
def test_an_unknown_token_is_the_404_page(client: TestClient, token: str, page: str) -> None:
    not_found = client.get("/no-such-page")
    for wrong in ("A" * 32, token[:-1] + ("A" if token[-1] != "A" else "B"), "x"):
        response = client.get(page_of(wrong, page))
        assert response.status_code == 404
        assert response.text == not_found.text  # nothing tells a household exists


def test_an_unknown_token_refuses_every_form_with_404(client: TestClient, token: str) -> None:
    csrf = csrf_in(client.get(page_of(token)).text)
    for _, path, fields in (*CHANGES, *OPEN_FORMS):
        response = client.post(
            page_of("A" * 32, path), data={"csrf": csrf, **fields}, follow_redirects=False
        )
        assert response.status_code == 404, path


# ----------------------------------------------------------------------------- signing in


def test_signing_in_sets_a_session_cookie_and_leads_on(client: TestClient, token: str) -> None:
    wanted = page_of(token, "bedtime")
    form = client.get(urls.sign_in(token, wanted)).text
    assert f'name="next" value="{wanted}"' in form
    assert 'autocomplete="current-password"' in form
    response = client.post(
        page_of(token, "sign-in"),
        data={"csrf": csrf_in(form), "passphrase": PASSPHRASE, "next": wanted},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == wanted
    [cookie] = [c for c in response.headers.get_list("set-cookie") if "bedtales_session=" in c]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain http here; https sets it
    page = client.get(wanted).text
    assert "Sign out</button>" in page
    assert "Save bedtime" in page


@pytest.mark.parametrize(
    "wanted",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/",
        "/households/{token}/../../api/stories",
        "/households/{token}/%2e%2e/x",
        "/households/other-token-123456789/characters",
        "/households/{token}//elsewhere.example",
        "/households/{token}evil",
    ],
)
def test_signing_in_never_leads_off_the_household(
    client: TestClient, token: str, wanted: str
) -> None:
    response = post(
        client,
        token,
        "sign-in",
        "sign-in",
        {"passphrase": PASSPHRASE, "next": wanted.format(token=token)},
    )
    assert response.status_code == 303
    assert response.headers["location"] == page_of(token)


def test_signing_out_ends_the_session(signed_in: TestClient, token: str, bedtales: App) -> None:
    session_cookie = signed_in.cookies.get("bedtales_session")
    response = post(signed_in, token, "", "sign-out", {})
    assert response.status_code == 303
    assert response.headers["location"] == urls.household_query(token, done="signed-out")
    page = signed_in.get(response.headers["location"]).text
    assert "You are signed out." in page
    assert "Sign out</button>" not in page
    # the old cookie opens nothing any more, even if a browser kept it
    home_id = household_access.household_id(bedtales.db, token)
    assert household_access.signed_in(bedtales.db, home_id, session_cookie) is None


def test_a_wrong_passphrase_is_401_next_to_the_field_and_counted(
    client: TestClient, token: str, bedtales: App
) -> None:
    response = sign_in(client, token, "not the passphrase")
    assert response.status_code == 401
    assert field_error(response.text, "passphrase") == "that is not the household's passphrase"
    assert "bedtales_session" not in client.cookies
    with bedtales.db.session() as session:
        assert session.scalar(select(func.count()).select_from(SignInFailureRow)) == 1


def test_the_eleventh_try_is_429_with_retry_after(client: TestClient, token: str) -> None:
    for _ in range(household_access.FAILURES_ALLOWED):
        assert sign_in(client, token, "a wrong guess!").status_code == 401
    response = sign_in(client, token)  # even the right one, now
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "too many wrong passphrases" in unescape(response.text)
    assert "bedtales_session" not in client.cookies


def test_a_household_without_a_passphrase_says_how_to_set_one(
    client: TestClient, bedtales: App
) -> None:
    token = services.get_household(bedtales.db, "home").page_token
    page = client.get(page_of(token, "sign-in")).text
    assert "<code>bedtales households passphrase home</code>" in page
    assert 'type="password"' not in page
    assert "bedtales households passphrase home" in client.get(page_of(token, "scenes")).text
    refused = post(client, token, "", "sign-in", {"passphrase": "anything at all"})
    assert refused.status_code == 401


# ----------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize(("page", "path", "fields"), [*CHANGES, *OPEN_FORMS])
def test_a_form_without_its_csrf_token_is_403(
    signed_in: TestClient, token: str, bedtales: App, page: str, path: str, fields: dict[str, str]
) -> None:
    before = character_names(bedtales)
    signed_in.get(page_of(token, page))
    browser_cookie = signed_in.cookies.get("bedtales_csrf")
    assert browser_cookie, "the site set its CSRF cookie"  # else the last case is the first
    for csrf in (None, "", "forged-" + "x" * 30, browser_cookie):
        data = fields if csrf is None else {"csrf": csrf, **fields}
        response = signed_in.post(page_of(token, path), data=data, follow_redirects=False)
        assert response.status_code == 403, (path, csrf)
        assert "This form has expired" in response.text
    assert character_names(bedtales) == before
    assert services.list_stories(bedtales.db, household="home") == []


@pytest.mark.parametrize(("page", "path", "fields"), CHANGES)
def test_changes_without_a_session_are_401(
    client: TestClient, token: str, bedtales: App, page: str, path: str, fields: dict[str, str]
) -> None:
    before = (character_names(bedtales), schedules.list_schedules(bedtales.db, "home"))
    response = post(client, token, "", path, fields)
    assert response.status_code == 401
    assert "Sign in to change this" in response.text
    assert f'href="{escape(urls.sign_in(token, page_of(token)))}"' in response.text
    assert (character_names(bedtales), schedules.list_schedules(bedtales.db, "home")) == before
    assert services.get_household(bedtales.db, "home").page_token == token


def test_one_households_session_never_changes_another(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    services.add_household(bedtales.db, "next door", characters=["Ada"], scenes=["in a tree"])
    household_access.set_passphrase(bedtales.db, "next door", "another passphrase")
    other = services.get_household(bedtales.db, "next door").page_token
    # next door's pages do not count home's session as theirs
    page = signed_in.get(page_of(other, "characters")).text
    assert "Sign in to change this" in page
    session_csrf = csrf_in(signed_in.get(page_of(token)).text)
    browser_csrf = signed_in.cookies.get("bedtales_csrf")
    for csrf, status in ((session_csrf, 403), (browser_csrf, 401)):
        response = signed_in.post(
            page_of(other, "characters"),
            data={"csrf": csrf, "name": "Intruder"},
            follow_redirects=False,
        )
        assert response.status_code == status
    assert character_names(bedtales, "next door") == ["Ada"]


# ----------------------------------------------------------------------------- characters, scenes


def test_adding_and_removing_a_character(signed_in: TestClient, token: str, bedtales: App) -> None:
    response = post(signed_in, token, "characters", "characters", {"name": "  Eric  "})
    assert response.status_code == 303
    assert response.headers["location"] == urls.household_query(token, "characters", done="added")
    page = signed_in.get(response.headers["location"]).text
    assert '<p class="notice" role="status">Added.</p>' in page
    assert '<span class="entry-text">Eric</span>' in page
    assert character_names(bedtales) == ["Milo", "Luna", "Eric"]
    removed = post(signed_in, token, "characters", "characters/remove", {"name": "Milo"})
    assert removed.status_code == 303
    assert character_names(bedtales) == ["Luna", "Eric"]
    # a second tap (another phone was quicker) changes nothing and is no error
    again = post(signed_in, token, "characters", "characters/remove", {"name": "Milo"})
    assert again.status_code == 303


def test_adding_and_removing_a_scene(signed_in: TestClient, token: str, bedtales: App) -> None:
    before = len(services.list_scenes(bedtales.db, "home"))
    added = post(signed_in, token, "scenes", "scenes", {"scene": "on a boat under the stars"})
    assert added.status_code == 303
    scenes = services.list_scenes(bedtales.db, "home")
    assert len(scenes) == before + 1
    new = next(s for s in scenes if s.description == "on a boat under the stars")
    page = signed_in.get(page_of(token, "scenes")).text
    assert f'name="scene" value="{new.id}"' in page  # its remove button
    removed = post(signed_in, token, "scenes", "scenes/remove", {"scene": str(new.id)})
    assert removed.status_code == 303
    assert len(services.list_scenes(bedtales.db, "home")) == before


def test_markup_in_a_name_is_shown_as_text(signed_in: TestClient, token: str) -> None:
    post(signed_in, token, "characters", "characters", {"name": "<b>x</b>"})
    page = signed_in.get(page_of(token, "characters")).text
    assert "<b>x</b>" not in page
    assert '<span class="entry-text">&lt;b&gt;x&lt;/b&gt;</span>' in page
    assert 'Remove<span class="visually-hidden"> &lt;b&gt;x&lt;/b&gt;</span>' in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 10_000, "name is 10000 characters long; the most is 60"),
        ("", "name must not be empty"),
        ("   ", "name must not be empty"),
        ("milo", "character 'milo' already exists in 'home'"),
    ],
)
def test_a_refused_name_comes_back_next_to_its_field(
    signed_in: TestClient, token: str, bedtales: App, value: str, message: str
) -> None:
    response = post(signed_in, token, "characters", "characters", {"name": value})
    assert response.status_code == 422
    assert response.headers["cache-control"] == "private, no-store"
    assert field_error(response.text, "new-name") == message
    assert f'value="{escape(value)}"' in response.text  # what was typed, to correct it
    assert character_names(bedtales) == ["Milo", "Luna"]


def test_the_fifty_first_character_is_refused_with_the_cap(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    services.add_characters(
        bedtales.db, "home", [f"Friend {n}" for n in range(services.MAX_CHARACTERS - 2)]
    )
    response = post(signed_in, token, "characters", "characters", {"name": "One Too Many"})
    assert response.status_code == 422
    assert field_error(response.text, "new-name") == (
        "a household may have at most 50 characters; it has 50: remove some first"
    )
    assert "the most it may have" in response.text
    assert len(character_names(bedtales)) == services.MAX_CHARACTERS


def test_a_long_scene_is_refused(signed_in: TestClient, token: str, bedtales: App) -> None:
    before = services.list_scenes(bedtales.db, "home")
    response = post(signed_in, token, "scenes", "scenes", {"scene": "y" * 10_000})
    assert response.status_code == 422
    assert "the most is 300" in field_error(response.text, "new-scene")
    assert services.list_scenes(bedtales.db, "home") == before


# ----------------------------------------------------------------------------- bedtime

WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI"]


def nightly(bedtales: App) -> schedules.Schedule:
    [schedule] = schedules.list_schedules(bedtales.db, "home")
    return schedule


def test_bedtime_on_weekdays_becomes_the_schedule(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    fields = {"time": "19:30", "days": WEEKDAYS, "timezone": "America/New_York"}
    response = post(signed_in, token, "bedtime", "bedtime", fields)
    assert response.status_code == 303
    schedule = nightly(bedtales)
    assert schedule.name == "nightly"  # the household's schedule, changed in place
    assert schedule.expression == "cron(30 19 ? * MON,TUE,WED,THU,FRI *)"
    assert schedule.timezone == "America/New_York"
    assert services.get_household(bedtales.db, "home").timezone == "America/New_York"
    page = signed_in.get(page_of(token, "bedtime")).text
    assert "<strong>19:30</strong>, on Mon, Tue, Wed, Thu, Fri, America/New_York time" in page
    shown = re.findall(r'<li><time datetime="([^"]+)">', page)
    assert len(shown) == 5
    for moment in map(datetime.fromisoformat, shown):
        assert (moment.hour, moment.minute) == (19, 30)
        assert moment.weekday() < 5
        assert moment.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    # the form shows what is saved
    assert 'value="19:30"' in page
    for day in WEEKDAYS:
        assert f'value="{day}" checked' in page
    assert 'value="SAT">' in page
    assert '<option value="America/New_York" selected>' in page


def test_every_day_is_the_daily_cron(signed_in: TestClient, token: str, bedtales: App) -> None:
    days = [*WEEKDAYS, "SAT", "SUN"]
    post(signed_in, token, "bedtime", "bedtime", {"time": "07:05", "days": days, "timezone": "UTC"})
    assert nightly(bedtales).expression == "cron(5 7 * * ? *)"
    assert "every day" in signed_in.get(page_of(token, "bedtime")).text


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"time": "19:30", "timezone": "UTC"}, "days", "tick at least one day"),
        ({"time": "25:00", "days": ["MON"], "timezone": "UTC"}, "bedtime-time", "time must be"),
        ({"time": "", "days": ["MON"], "timezone": "UTC"}, "bedtime-time", "time must be"),
        ({"time": "19:30", "days": ["FUNDAY"], "timezone": "UTC"}, "days", "days must be"),
        ({"time": "19:30", "days": ["MON"], "timezone": "Mars/Olympus"}, "bedtime-zone", "IANA"),
    ],
)
def test_a_refused_bedtime_writes_nothing(
    signed_in: TestClient,
    token: str,
    bedtales: App,
    fields: dict[str, object],
    field_id: str,
    message: str,
) -> None:
    before = nightly(bedtales)
    response = post(signed_in, token, "bedtime", "bedtime", fields)
    assert response.status_code == 422
    html = response.text
    if field_id == "days":
        found = re.search(r'<p class="field-error" id="days-error">([^<]*)</p>', html)
        assert found is not None
        assert message in found.group(1)
        assert 'aria-describedby="days-error"' in html
    else:
        assert message in field_error(html, field_id)
    assert nightly(bedtales) == before
    assert services.get_household(bedtales.db, "home").timezone == "Europe/London"


def test_a_schedule_set_elsewhere_is_shown_and_can_be_replaced(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    schedules.update(bedtales.db, "home", "nightly", expression="rate(1 day)")
    page = signed_in.get(page_of(token, "bedtime")).text
    assert "<code>rate(1 day)</code>" in page
    assert "Replace it with a bedtime" in page
    assert len(re.findall(r'<li><time datetime="', page)) == 5
    post(
        signed_in,
        token,
        "bedtime",
        "bedtime",
        {"time": "18:45", "days": ["SAT", "SUN"], "timezone": "Europe/London"},
    )
    assert nightly(bedtales).expression == "cron(45 18 ? * SAT,SUN *)"


def test_bedtime_is_added_when_there_is_none(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    schedules.remove(bedtales.db, "home", "nightly")
    assert "No bedtime is set" in signed_in.get(page_of(token, "bedtime")).text
    post(
        signed_in,
        token,
        "bedtime",
        "bedtime",
        {"time": "20:00", "days": ["FRI"], "timezone": "Asia/Tokyo"},
    )
    schedule = nightly(bedtales)
    assert (schedule.expression, schedule.timezone) == ("cron(0 20 ? * FRI *)", "Asia/Tokyo")


def test_pausing_and_resuming_bedtime(signed_in: TestClient, token: str, bedtales: App) -> None:
    assert post(signed_in, token, "bedtime", "bedtime/pause", {}).status_code == 303
    assert nightly(bedtales).enabled is False
    page = signed_in.get(page_of(token, "bedtime")).text
    assert "<strong>Paused:</strong>" in page
    assert "If resumed now, the next bedtimes would be" in page
    assert "Resume bedtime stories</button>" in page
    assert post(signed_in, token, "bedtime", "bedtime/resume", {}).status_code == 303
    schedule = nightly(bedtales)
    assert schedule.enabled is True
    assert schedule.next_fire_at is not None


def test_bedtime_read_only_shows_the_zone(client: TestClient, token: str) -> None:
    page = client.get(page_of(token, "bedtime")).text
    assert "<strong>19:15</strong>, every day, Europe/London time" in page
    assert "Times are in the Europe/London time zone." in page
    assert "<select" not in page


# ----------------------------------------------------------------------------- messages


@pytest.fixture
def public_ntfy(monkeypatch: pytest.MonkeyPatch) -> None:
    """ntfy.sh resolves to a public address, without a network."""
    monkeypatch.setattr(guard, "resolve", lambda host, port: [ip_address("93.184.216.34")])


@pytest.fixture
def mail_client(
    data_dir: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The site of a server whose operator set up mail (the test SMTP server), signed in."""
    monkeypatch.setenv("BEDTALES_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("BEDTALES_SMTP__PORT", str(smtp_server.port))
    monkeypatch.setenv("BEDTALES_SMTP__SECURITY", "none")
    monkeypatch.setenv("BEDTALES_SMTP__SENDER", "stories@example.org")
    bedtales = App.open(data_dir)
    household_access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    try:
        with TestClient(create_site(bedtales)) as client:
            assert sign_in(client, home_token(client)).status_code == 303
            yield client
    finally:
        bedtales.close()


def home_token(client: TestClient) -> str:
    bedtales: App = client.app.state.bedtales  # type: ignore[attr-defined]
    return services.get_household(bedtales.db, "home").page_token


def test_an_ntfy_topic_is_added_listed_and_removed(
    signed_in: TestClient, token: str, bedtales: App, public_ntfy: None
) -> None:
    fields = {"kind": "ntfy", "topic": "our-tales-7f3", "server": "ntfy.sh", "label": "Phones"}
    response = post(signed_in, token, "messages", "messages", fields)
    assert response.status_code == 303
    [subscriber] = subscribers.list_subscribers(bedtales.db, "home")
    assert subscriber.service == "ntfy"
    assert subscriber.household_added
    page = signed_in.get(page_of(token, "messages")).text
    assert '<span class="entry-title">Phones</span>' in page
    assert escape(subscriber.masked_url) in page
    # with the link alone: who hears, not where
    signed_in.cookies.delete("bedtales_session")
    read_only = signed_in.get(page_of(token, "messages")).text
    assert '<span class="entry-title">Phones</span>' in read_only
    assert escape(subscriber.masked_url) not in read_only
    assert sign_in(signed_in, token).status_code == 303
    removed = post(signed_in, token, "messages", "messages/remove", {"subscriber": subscriber.id})
    assert removed.status_code == 303
    assert subscribers.list_subscribers(bedtales.db, "home") == []


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"kind": "ntfy", "topic": "no spaces please"}, "ntfy-topic", "topic must be"),
        ({"kind": "ntfy", "topic": ""}, "ntfy-topic", "topic must be"),
        ({"kind": "ntfy", "topic": "fine", "label": "z" * 10_000}, "ntfy-label", "label is"),
    ],
)
def test_a_refused_subscriber_comes_back_on_its_form(
    signed_in: TestClient,
    token: str,
    bedtales: App,
    public_ntfy: None,
    fields: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    response = post(signed_in, token, "messages", "messages", fields)
    assert response.status_code == 422
    assert message in field_error(response.text, field_id)
    assert subscribers.list_subscribers(bedtales.db, "home") == []


def test_email_needs_the_operators_mail_server(signed_in: TestClient, token: str) -> None:
    page = signed_in.get(page_of(token, "messages")).text
    assert "Email needs the server's mail settings" in page
    assert 'id="email-address"' not in page
    refused = post(signed_in, token, "messages", "messages", {"kind": "email", "email": "a@b.org"})
    assert refused.status_code == 422
    assert "has not set up mail" in unescape(refused.text)


def test_an_email_subscriber_is_added_and_sent_a_test(
    mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    token = home_token(mail_client)
    fields = {"kind": "email", "email": "grandma@example.com", "label": "Grandma"}
    assert post(mail_client, token, "messages", "messages", fields).status_code == 303
    bedtales: App = mail_client.app.state.bedtales  # type: ignore[attr-defined]
    [subscriber] = subscribers.list_subscribers(bedtales.db, "home")
    sent = post(mail_client, token, "messages", "messages/test", {"subscriber": subscriber.id})
    assert sent.headers["location"] == urls.household_query(token, "messages", done="sent")
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "grandma@example.com"
    smtp_server.refuse(1)
    failed = post(mail_client, token, "messages", "messages/test", {"subscriber": subscriber.id})
    assert failed.headers["location"] == urls.household_query(token, "messages", done="not-sent")
    page = mail_client.get(failed.headers["location"]).text
    assert "The test message could not be sent." in page
    assert "554" not in page  # the mail server's answer stays in the log


def test_an_invalid_email_is_refused_next_to_its_field(mail_client: TestClient) -> None:
    token = home_token(mail_client)
    response = post(
        mail_client, token, "messages", "messages", {"kind": "email", "email": "<b>not</b>"}
    )
    assert response.status_code == 422
    assert "email must be one email address" in field_error(response.text, "email-address")
    assert 'value="&lt;b&gt;not&lt;/b&gt;"' in response.text


def test_choosing_when_messages_go(signed_in: TestClient, token: str, bedtales: App) -> None:
    assert (
        post(signed_in, token, "messages", "messages/when", {"when": "complete"}).status_code == 303
    )
    assert services.get_household(bedtales.db, "home").notify_when == "complete"
    assert 'value="complete" checked' in signed_in.get(page_of(token, "messages")).text
    refused = post(signed_in, token, "messages", "messages/when", {"when": "never"})
    assert refused.status_code == 422
    assert services.get_household(bedtales.db, "home").notify_when == "complete"


def test_messages_say_how_the_newest_story_went_for_each_subscriber(
    client: TestClient, token: str, bedtales: App
) -> None:
    """Sent, sent again, may not have arrived, could not be sent (why: signed in only), not
    tried yet: what `story show` says, in words, for the newest story only."""
    states = {
        "Grandma": ("sent", None),
        "Aunt": ("resent", None),
        "Uncle": ("unsure", "a stopped worker may or may not have sent it"),
        "Cousin": ("failed", "mail.example.com: 554 mailbox full"),
        "Neighbour": None,
    }
    for n, label in enumerate(states):
        subscribers.add_subscriber(
            bedtales.db, "home", f"ntfy://ntfy.example/topic-{n}", label=label
        )
    bedtales.write_story(seed=1)  # an older story: not the one shown
    story = bedtales.write_story(seed=2)
    sent_at = datetime(2026, 12, 1, 19, 15, 4, tzinfo=UTC)
    with bedtales.db.session() as session:
        session.execute(
            update(StoryRow).where(StoryRow.id == story.id).values(notify_state="pending")
        )
        for subscriber in subscribers.list_subscribers(bedtales.db, "home"):
            state = states[subscriber.label or ""]
            if state is not None:
                session.add(
                    StoryNotificationRow(
                        story_id=story.id,
                        subscriber_id=subscriber.id,
                        state=state[0],
                        error=state[1],
                        sent_at=sent_at if state[0] in ("sent", "resent") else None,
                    )
                )
    title = f"“{story.title}”"

    linked = unescape(client.get(page_of(token, "messages")).text)
    assert f"Sent {title} on Tuesday 1 December, 7:15 pm." in linked  # Europe/London
    assert f"Sent {title} on Tuesday 1 December, 7:15 pm, a second time" in linked
    assert f"{title} may not have arrived" in linked
    assert f"{title} could not be sent; it is tried again" in linked
    assert "554" not in linked  # the mail server's answer: signed in only
    assert f"{title} is not sent yet." in linked  # Neighbour
    assert sign_in(client, token).status_code == 303
    signed = unescape(client.get(page_of(token, "messages")).text)
    assert f"{title} could not be sent (mail.example.com: 554 mailbox full); it is tried" in signed
    with bedtales.db.session() as session:  # the bus gave up
        session.execute(
            update(StoryRow).where(StoryRow.id == story.id).values(notify_state="failed")
        )
    given_up = unescape(client.get(page_of(token, "messages")).text)
    assert f"{title} could not be sent (mail.example.com: 554 mailbox full). Whoever" in given_up


def test_last_story_words_for_a_subscriber_added_after_the_story_went(bedtales: App) -> None:
    story = bedtales.write_story(seed=3)
    assert family_messages.last_story_words(None, None, "UTC", signed_in=True) is None
    with bedtales.db.session() as session:
        session.execute(update(StoryRow).values(notify_state="done"))
    done = services.get_story(bedtales.db, story.id)
    words = family_messages.last_story_words(done, None, "UTC", signed_in=False)
    assert words == f"Not sent “{story.title}”: added after it went out."


# ----------------------------------------------------------------------------- tell a story now


def progress_of(client: TestClient, location: str) -> dict[str, object]:
    response = client.get(location + "/progress")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    progress: dict[str, object] = response.json()
    return progress


def test_telling_a_story_now_and_following_it_to_the_end(
    client: TestClient, token: str, bedtales: App
) -> None:
    response = post(client, token, "", "stories", {})  # the private link is enough
    assert response.status_code == 303
    location = response.headers["location"]
    story_id = location.rsplit("/", 1)[1]
    assert location == page_of(token, f"stories/{story_id}")
    story = services.get_story(bedtales.db, story_id)
    assert story.household == "home"
    page = client.get(location).text
    assert f"<h1>{escape(story.title)}</h1>" in page
    assert f'data-progress="{location}/progress"' in page
    assert 'role="status" aria-live="polite"' in page
    assert f'href="{urls.story(story_id)}"' in page
    assert f'<a href="{location}">Refresh</a>' in page  # without JavaScript
    assert progress_of(client, location) == {
        "written": True,
        "painted": False,
        "narrated": False,
        "sent": False,
        "failed": [],
        "complete": False,
    }
    deliver(bedtales, story, "illustrate", "narrate", "notify")
    assert progress_of(client, location) == {
        "written": True,
        "painted": True,
        "narrated": True,
        "sent": True,
        "failed": [],
        "complete": True,
    }
    done = client.get(location).text
    assert "All done: the story is ready." in done
    assert "Nobody to send it to yet" in done  # no subscribers: nothing to wait for
    assert "Refresh</a>" not in done


def test_the_stories_address_opened_again_leads_home(client: TestClient, token: str) -> None:
    response = client.get(page_of(token, "stories"), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == page_of(token)


def test_a_failed_step_says_so(client: TestClient, token: str, bedtales: App) -> None:
    location = post(client, token, "", "stories", {}).headers["location"]
    story_id = location.rsplit("/", 1)[1]
    set_story(bedtales, story_id, image_state="failed", audio_state="done", notify_state="done")
    assert progress_of(client, location)["failed"] == ["painted"]
    assert progress_of(client, location)["complete"] is True
    assert "The picture could not be painted" in client.get(location).text


def test_one_story_at_a_time(client: TestClient, token: str, bedtales: App) -> None:
    first = post(client, token, "", "stories", {}).headers["location"]
    again = post(client, token, "", "stories", {})
    assert again.status_code == 429
    assert int(again.headers["retry-after"]) > 0
    assert f'href="{first}"' in again.text
    assert len(services.list_stories(bedtales.db, household="home")) == 1
    # once it is finished and a minute old, the next may come
    story_id = first.rsplit("/", 1)[1]
    earlier = datetime.now(UTC) - family.family_stories.BREATHER - timedelta(seconds=1)
    set_story(bedtales, story_id, created_at=earlier)
    assert post(client, token, "", "stories", {}).status_code == 429  # still being made
    set_story(bedtales, story_id, image_state="done", audio_state="done", notify_state="done")
    assert post(client, token, "", "stories", {}).status_code == 303
    assert len(services.list_stories(bedtales.db, household="home")) == 2


def test_a_household_without_characters_is_told_what_to_do(
    client: TestClient, token: str, bedtales: App
) -> None:
    for name in character_names(bedtales):
        services.remove_character(bedtales.db, "home", name)
    response = post(client, token, "", "stories", {})
    assert response.status_code == 422
    assert "has no characters yet" in unescape(response.text)
    assert f'href="{page_of(token, "characters")}"' in response.text


def test_another_households_story_has_no_progress_here(
    client: TestClient, token: str, bedtales: App
) -> None:
    services.add_household(bedtales.db, "next door", characters=["Ada"], scenes=["in a tree"])
    theirs = bedtales.write_story("next door")
    for path in (f"stories/{theirs.id}", f"stories/{theirs.id}/progress", "stories/not-a-uuid"):
        assert client.get(page_of(token, path)).status_code == 404


# ----------------------------------------------------------------------------- the home page


def write(bedtales: App, when: datetime, characters: list[str] | None = None) -> Story:
    story = bedtales.write_story()
    values: dict[str, object] = {"created_at": when, "expires_at": when + timedelta(days=2)}
    if characters is not None:
        values["characters"] = characters
    set_story(bedtales, story.id, **values)
    return story


def test_tonights_story_then_the_library(client: TestClient, token: str, bedtales: App) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    older = write(bedtales, now - timedelta(days=1, hours=2))
    newest = write(bedtales, now - timedelta(minutes=5))
    deliver(bedtales, older, "illustrate")
    services.keep_story(bedtales.db, older.id)
    html = client.get(page_of(token)).text
    tonight = html.index('<section class="tonight"')
    library = html.index('<section class="library"')
    assert tonight < html.index(f'href="/stories/{newest.id}"') < library
    assert f'<h2 class="eyebrow" id="tonight-title">{escape("Tonight’s story")}</h2>' in html
    assert "The picture is being painted…" in html  # the newest has no picture yet
    assert library < html.index(f'href="/stories/{older.id}"')
    assert 'class="shelf-thumb" src="/media/stories/' in html  # the older one's thumbnail
    assert '<span class="kept-mark"><span aria-hidden="true">♥</span> Kept</span>' in html
    local = (now - timedelta(days=1, hours=2)).astimezone(ZoneInfo("Europe/London"))
    assert f">{local:%A} {local.day} {local:%B}</time>" in html
    assert f'<form class="tell-form" method="post" action="{page_of(token, "stories")}">' in html
    # the feed's address as the podcast app will reach it: where this page was opened
    # (web.base_url is not set here), as the feed's own links are
    assert urls.absolute("http://testserver", urls.podcast(token)) in html


def test_an_old_story_at_the_top_is_not_tonights(
    client: TestClient, token: str, bedtales: App
) -> None:
    story = write(bedtales, datetime.now(UTC) - timedelta(days=3))
    set_story(bedtales, story.id, kept_at=datetime.now(UTC))
    deliver(bedtales, story, "illustrate")
    html = client.get(page_of(token)).text
    assert '<h2 class="eyebrow" id="tonight-title">The newest story</h2>' in html
    view = story_view(services.get_story(bedtales.db, story.id), bedtales.tools.media)
    alt = escape(picture_alt(view.characters, view.scene))
    assert f'<img class="tonight-picture" src="/media/stories/{story.id}/image.png?' in html
    assert f'alt="{alt}" width="1024" height="1024">' in html


def test_dates_are_in_the_households_zone(client: TestClient, token: str, bedtales: App) -> None:
    services.update_household(bedtales.db, "home", timezone="Asia/Tokyo")
    write(bedtales, datetime.now(UTC) - timedelta(hours=3))
    story = write(bedtales, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    set_story(bedtales, story.id, kept_at=datetime.now(UTC))  # kept: shown, however old
    html = client.get(page_of(token)).text
    assert '<time datetime="2026-03-01T23:30:00+00:00">Monday 2 March</time>' in html


def test_filtering_the_library_by_character(client: TestClient, token: str, bedtales: App) -> None:
    now = datetime.now(UTC)
    both = write(bedtales, now - timedelta(hours=3), ["Milo", "Luna"])
    luna = write(bedtales, now - timedelta(hours=2), ["Luna"])
    milo = write(bedtales, now - timedelta(hours=1), ["Milo"])
    html = client.get(urls.household_query(token, character="milo")).text
    assert '<h2 id="library-title">Stories with milo</h2>' in html
    assert re.findall(r'href="/stories/([0-9a-f-]+)"', html) == [milo.id, both.id]
    assert (
        f'href="{escape(urls.household_query(token, character="Milo"))}" aria-current="page"'
        in html
    )
    assert '<section class="tonight"' not in html
    luna_page = client.get(urls.household_query(token, character="Luna")).text
    assert re.findall(r'href="/stories/([0-9a-f-]+)"', luna_page) == [luna.id, both.id]
    unknown = client.get(urls.household_query(token, character="<b>x</b>"))
    assert unknown.status_code == 200
    assert "No stories with &lt;b&gt;x&lt;/b&gt; just now." in unknown.text
    assert "<b>x</b>" not in unknown.text
    assert re.findall(r'href="/stories/', unknown.text) == []


def test_older_stories_are_a_link_away(
    client: TestClient, token: str, bedtales: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(family, "HOME_STORIES", 2)
    now = datetime.now(UTC)
    written = [write(bedtales, now - timedelta(hours=hours)) for hours in (1, 2, 3)]
    first = client.get(page_of(token)).text
    assert re.findall(r'href="/stories/([0-9a-f-]+)"', first) == [s.id for s in written[:2]]
    more = re.search(r'<a class="button" href="([^"]+)">Older stories</a>', first)
    assert more is not None
    second = client.get(unescape(more.group(1))).text
    assert re.findall(r'href="/stories/([0-9a-f-]+)"', second) == [written[2].id]
    assert "Older stories</a>" not in second
    assert client.get(urls.household_query(token, before="not a date")).status_code == 200


def test_the_home_page_asks_the_database_a_few_times_whatever_the_stories(
    client: TestClient, token: str, bedtales: App
) -> None:
    """No query per story: a page of many stories costs what a page of one does."""
    from sqlalchemy import event

    # every visit checks what the page shows: within a second of the last check the cache
    # would serve it with no query at all, and the count would hang on the machine's speed
    client.app.state.household_pages.recheck_s = 0  # type: ignore[attr-defined]

    def count_queries() -> int:
        statements: list[str] = []

        def note(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(bedtales.db.engine, "before_cursor_execute", note)
        try:
            assert client.get(page_of(token)).status_code == 200
        finally:
            event.remove(bedtales.db.engine, "before_cursor_execute", note)
        return len(statements)

    now = datetime.now(UTC)
    write(bedtales, now - timedelta(minutes=1))
    one = count_queries()
    for hours in range(1, 8):
        deliver(bedtales, write(bedtales, now - timedelta(hours=hours)), "illustrate")
    assert count_queries() == one


# ----------------------------------------------------------------------------- a new private link


def test_a_new_private_link(signed_in: TestClient, token: str, bedtales: App) -> None:
    response = post(signed_in, token, "", "link", {})
    assert response.status_code == 303
    new = services.get_household(bedtales.db, "home").page_token
    assert new != token
    assert response.headers["location"] == urls.household_query(new, done="new-link")
    assert signed_in.get(page_of(token)).status_code == 404
    page = signed_in.get(response.headers["location"])
    assert page.status_code == 200
    assert "The old link has stopped working." in page.text
    assert "Sign out</button>" in page.text  # this phone stays signed in


# ----------------------------------------------------------------------------- the lean library


def test_the_library_lists_what_list_stories_does(bedtales: App, token: str) -> None:
    """family_library reads fewer columns than services.list_stories, never other stories."""
    now = datetime.now(UTC)
    written = [
        write(bedtales, now - timedelta(hours=h), [["Milo"], ["Luna"]][h % 2]) for h in range(6)
    ]
    set_story(bedtales, written[1].id, expires_at=now - timedelta(minutes=1))  # gone
    set_story(bedtales, written[2].id, expires_at=now - timedelta(minutes=1), kept_at=now)  # kept
    services.add_household(bedtales.db, "next door", characters=["Milo"], scenes=["in a tree"])
    bedtales.write_story("next door")
    for character in (None, "milo", "LUNA", "Nobody"):
        expected = services.list_stories(bedtales.db, household="home", character=character)
        cards = family_library.library(bedtales.db, token, limit=50, character=character)
        assert [c.id for c in cards] == [s.id for s in expected], character
    two = family_library.library(bedtales.db, token, limit=2)
    after = family_library.library(bedtales.db, token, limit=50, before=two[-1].created_at)
    everything = services.list_stories(bedtales.db, household="home")
    assert [c.id for c in two + after] == [s.id for s in everything]


@pytest.mark.parametrize("kept", [False, True])
def test_library_links_are_the_story_pages_links(bedtales: App, token: str, kept: bool) -> None:
    story = bedtales.write_story()
    deliver(bedtales, story, "illustrate")
    if kept:
        services.keep_story(bedtales.db, story.id)
    now = datetime.now(UTC)
    view = story_view(services.get_story(bedtales.db, story.id), bedtales.tools.media, now=now)
    [card] = family_library.library(bedtales.db, token, limit=1, now=now)
    store = bedtales.tools.media
    assert card.picture_link(store, thumbnail=True, now=now) == view.image.thumbnail_url
    assert card.picture_link(store, thumbnail=False, now=now) == view.image.url


def test_pages_keep_to_the_content_security_policy(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    """No inline script or style (the policy refuses both), and the script is served."""
    location = post(signed_in, token, "", "stories", {}).headers["location"]
    for path in [*(page_of(token, page) for page in PAGES), location]:
        html = signed_in.get(path).text
        assert " style=" not in html
        assert "<style" not in html
        assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
        script = re.search(r'<script src="([^"]+family\.js[^"]*)" defer></script>', html)
        assert script is not None
    assert signed_in.get(unescape(script.group(1))).status_code == 200


def test_the_cached_home_page_follows_the_household(
    client: TestClient, token: str, bedtales: App
) -> None:
    """The private link's view is cached (a second at most as it is, then rendered again
    only when it changed): a new story and a rotated link show after the recheck, and each
    visitor's form carries their own token."""
    first = client.get(page_of(token))
    assert first.status_code == 200
    story = bedtales.write_story()
    time.sleep(1.1)  # past the cache's recheck, as any later visit would be
    second = client.get(page_of(token))
    assert f'href="/stories/{story.id}"' in second.text
    with TestClient(client.app) as stranger:
        theirs = csrf_in(stranger.get(page_of(token)).text)
    assert theirs != csrf_in(second.text)
    # another visitor's token does not work here
    refused = client.post(page_of(token, "stories"), data={"csrf": theirs})
    assert refused.status_code == 403
    # a link rotated elsewhere (the CLI, another web process): gone after the recheck, and
    # not served as it was to the visits after the one that found it gone
    household_access.rotate_link(bedtales.db, "home")
    time.sleep(1.1)
    assert client.get(page_of(token)).status_code == 404
    assert client.get(page_of(token)).status_code == 404


def test_a_form_from_a_session_that_ended_says_to_sign_in_again(
    signed_in: TestClient, token: str, bedtales: App
) -> None:
    page = signed_in.get(page_of(token, "characters"))
    stale = csrf_in(page.text)
    household_access.set_passphrase(bedtales.db, "home", "a different passphrase")  # ends it
    response = signed_in.post(
        page_of(token, "characters"), data={"csrf": stale, "name": "Pip"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "Sign in again" in response.text
    assert "Pip" not in character_names(bedtales)
