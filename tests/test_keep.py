"""Keeping the stories a child loves: the CLI, the API, the heart on the page and the sweeper.
A kept story and its media outlive their expiry; unkept, the story expires as it would have.
Real stories, painted and narrated by the real targets, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.domain import Story
from bedtales.errors import Expired, NotFound
from bedtales.households import services
from bedtales.media import story_prefix
from bedtales.storage.models import StoryRow
from bedtales.stories.ttl import sweep
from bedtales.web import create_site

MISSING_ID = "0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


def expire_now(bedtales: App, story: Story, by: timedelta = timedelta(minutes=1)) -> None:
    with bedtales.db.session() as session:
        session.execute(
            update(StoryRow).where(StoryRow.id == story.id).values(expires_at=utcnow() - by)
        )


def media_files(bedtales: App, story: Story) -> list[Path]:
    root = bedtales.settings.data_dir / "media"
    return [p for p in root.rglob("*") if p.is_file() and story.id in str(p)]


@pytest.fixture
def finished(bedtales: App) -> Story:
    story = bedtales.write_story()
    deliver(bedtales, story, "illustrate", "narrate")
    return services.get_story(bedtales.db, story.id)


@pytest.fixture
def client(bedtales: App) -> Iterator[TestClient]:
    with TestClient(create_site(bedtales)) as client:
        yield client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return unescape(match.group(1))


# ----------------------------------------------------------------------------- services


def test_a_kept_story_outlives_its_expiry_with_its_media(bedtales: App, finished: Story) -> None:
    kept = services.keep_story(bedtales.db, finished.id)
    assert kept.kept_at is not None
    files = media_files(bedtales, finished)
    assert files
    expire_now(bedtales, finished, by=timedelta(days=3))

    assert sweep(bedtales.db, bedtales.tools.media).stories == 0
    assert services.get_story(bedtales.db, finished.id).title == finished.title
    assert finished.id in [s.id for s in services.list_stories(bedtales.db)]
    assert media_files(bedtales, finished) == files


def test_keeping_twice_keeps_the_first_time(bedtales: App, finished: Story) -> None:
    first = services.keep_story(bedtales.db, finished.id)
    again = services.keep_story(bedtales.db, finished.id)
    assert again.kept_at == first.kept_at


def test_unkept_the_story_expires_as_it_would_have(bedtales: App, finished: Story) -> None:
    services.keep_story(bedtales.db, finished.id)
    unkept = services.unkeep_story(bedtales.db, finished.id)
    assert unkept.kept_at is None
    assert unkept.expires_at == finished.expires_at

    expire_now(bedtales, finished)
    assert sweep(bedtales.db, bedtales.tools.media).stories == 1
    assert media_files(bedtales, finished) == []
    with pytest.raises(NotFound):
        services.get_story(bedtales.db, finished.id)


def test_unkept_after_its_time_it_stays_an_hour_then_goes(bedtales: App, finished: Story) -> None:
    services.keep_story(bedtales.db, finished.id)
    expire_now(bedtales, finished, by=timedelta(days=1))
    unkept = services.unkeep_story(bedtales.db, finished.id)
    assert timedelta(minutes=59) < unkept.expires_at - utcnow() <= services.UNKEPT_GRACE
    assert sweep(bedtales.db, bedtales.tools.media).stories == 0
    assert sweep(bedtales.db, bedtales.tools.media, now=utcnow() + timedelta(hours=2)).stories == 1


def test_an_expired_or_unknown_story_cannot_be_kept(bedtales: App, finished: Story) -> None:
    expire_now(bedtales, finished)
    with pytest.raises(Expired):
        services.keep_story(bedtales.db, finished.id)
    with pytest.raises(NotFound):
        services.keep_story(bedtales.db, MISSING_ID)


# ----------------------------------------------------------------------------- the CLI


def test_story_keep_and_unkeep_on_the_command_line(data_dir: Path, finished: Story) -> None:
    runner = CliRunner()
    kept = runner.invoke(cli, ["story", "keep", finished.id, "--data-dir", str(data_dir)])
    assert kept.exit_code == 0, kept.output
    assert "Kept" in kept.output
    shown = runner.invoke(
        cli, ["story", "show", finished.id, "--json", "--data-dir", str(data_dir)]
    )
    assert json.loads(shown.output)["keptAt"] is not None

    unkept = runner.invoke(
        cli, ["story", "unkeep", finished.id, "--json", "--data-dir", str(data_dir)]
    )
    assert unkept.exit_code == 0, unkept.output
    assert json.loads(unkept.output)["keptAt"] is None

    missing = runner.invoke(cli, ["story", "keep", MISSING_ID, "--data-dir", str(data_dir)])
    assert missing.exit_code == 2
    assert "no story" in missing.output


# ----------------------------------------------------------------------------- the API


def test_put_and_delete_keep_on_the_api(client: TestClient, finished: Story) -> None:
    kept = client.put(f"/api/stories/{finished.id}/keep")
    assert kept.status_code == 200, kept.text
    assert kept.json()["kept"] is True
    assert client.get(f"/api/stories/{finished.id}").json()["kept"] is True

    unkept = client.delete(f"/api/stories/{finished.id}/keep")
    assert unkept.status_code == 200
    assert unkept.json()["kept"] is False


def test_keeping_an_unknown_or_expired_story_on_the_api(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    missing = client.put(f"/api/stories/{MISSING_ID}/keep")
    assert missing.status_code == 404
    assert "error" in missing.json()
    assert client.put("/api/stories/not-a-story/keep").status_code == 404
    expire_now(bedtales, finished)
    gone = client.put(f"/api/stories/{finished.id}/keep")
    assert gone.status_code == 410
    assert "expired" in gone.json()["error"]


# ----------------------------------------------------------------------------- the heart


def test_the_heart_keeps_the_story_and_its_page_stays_after_expiry(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    page = client.get(f"/stories/{finished.id}")
    assert 'aria-pressed="false"' in page.text
    answer = client.post(
        f"/stories/{finished.id}/keep",
        data={"csrf": csrf_of(page.text), "keep": "yes"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/stories/{finished.id}"

    expire_now(bedtales, finished, by=timedelta(days=5))
    sweep(bedtales.db, bedtales.tools.media)
    kept_page = client.get(f"/stories/{finished.id}")
    assert kept_page.status_code == 200
    assert 'aria-pressed="true"' in kept_page.text
    assert "Kept: this story stays" in kept_page.text
    # the media links were signed anew and work, although the story's own expiry has passed
    links = re.findall(r'src="(/media/[^"]+)"', kept_page.text)
    assert links
    for link in links:
        assert client.get(unescape(link)).status_code == 200


def test_the_heart_without_its_form_token_is_refused(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    client.get(f"/stories/{finished.id}")  # the browser has its CSRF cookie
    for data in ({"keep": "yes"}, {"keep": "yes", "csrf": "forged-token-forged-token"}):
        answer = client.post(f"/stories/{finished.id}/keep", data=data, follow_redirects=False)
        assert answer.status_code == 403
        assert "did not come from this site" in answer.text
    assert services.get_story(bedtales.db, finished.id).kept_at is None


def test_each_visitor_gets_their_own_form_token_on_a_cached_page(
    bedtales: App, finished: Story
) -> None:
    app = create_site(bedtales)
    with TestClient(app) as first, TestClient(app) as second:
        one = csrf_of(first.get(f"/stories/{finished.id}").text)
        two = csrf_of(second.get(f"/stories/{finished.id}").text)
        assert one != two
        assert csrf_of(first.get(f"/stories/{finished.id}").text) == one
        # one visitor's token does not work with another's cookie
        answer = second.post(
            f"/stories/{finished.id}/keep",
            data={"csrf": one, "keep": "yes"},
            follow_redirects=False,
        )
        assert answer.status_code == 403


def test_keeping_an_expired_story_from_its_page_says_it_is_gone(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    token = csrf_of(client.get(f"/stories/{finished.id}").text)
    expire_now(bedtales, finished)
    answer = client.post(f"/stories/{finished.id}/keep", data={"csrf": token, "keep": "yes"})
    assert answer.status_code == 410
    missing = client.post(f"/stories/{MISSING_ID}/keep", data={"csrf": token, "keep": "yes"})
    assert missing.status_code == 404


def test_the_sweeper_leaves_kept_stories_among_expired_ones(bedtales: App) -> None:
    stories = [bedtales.write_story(seed=n) for n in range(4)]
    services.keep_story(bedtales.db, stories[1].id)
    for story in stories:
        expire_now(bedtales, story)
    done = sweep(bedtales.db, bedtales.tools.media, batch=2)
    assert done.stories == 3
    assert [s.id for s in services.list_stories(bedtales.db)] == [stories[1].id]
    assert not any(bedtales.tools.media.exists(story_prefix(s.id) + "x") for s in stories)


def test_only_the_form_gets_the_visitors_token_whatever_the_story_says(
    client: TestClient, bedtales: App
) -> None:
    """The cached page holds a placeholder where each visitor's token goes; no name or
    story can hold it, so the token lands in the form field and nowhere else."""
    from bedtales.web.pages import CSRF_PLACEHOLDER

    services.add_character(bedtales.db, "home", "__bedtales_csrf__")
    story = bedtales.write_story()
    page = client.get(f"/stories/{story.id}").text
    token = csrf_of(page)
    assert page.count(token) == 1
    assert CSRF_PLACEHOLDER not in page
    assert "__bedtales_csrf__" in page  # the name, as typed
