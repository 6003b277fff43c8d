"""The bedtime site, in process: the story page, the household page, the error pages and the
security headers on every response. Real stories, painted and narrated by the real targets;
every test runs on SQLite and PostgreSQL. The browser tests are in test_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import delete, update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.clock import utcnow
from bedtales.config import MediaSettings, Settings
from bedtales.domain import Story
from bedtales.households import services
from bedtales.storage.models import StoryRow
from bedtales.stories.scenes import read_scene
from bedtales.web import create_site
from bedtales.web.pages import picture_alt
from bedtales.web.security import content_security_policy

# local media links are paths on the site: whatever address it is opened at, 'self' covers them
LOCAL_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
MISSING_ID = "0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


def local_path(url: str) -> str:
    """The path and query of a link the app made (pages get them as paths already)."""
    parts = urlsplit(url)
    assert not parts.scheme, f"a page's media link is a path on the site: {url}"
    return f"{parts.path}?{parts.query}"


def set_story(bedtales: App, story: Story, **values: object) -> None:
    with bedtales.db.session() as session:
        session.execute(update(StoryRow).where(StoryRow.id == story.id).values(**values))


def linked_stories(html: str) -> list[str]:
    return re.findall(r'href="/stories/([0-9a-f-]+)"', html)


@pytest.fixture
def client(bedtales: App) -> Iterator[TestClient]:
    with TestClient(create_site(bedtales)) as client:
        yield client


@pytest.fixture
def finished(bedtales: App) -> Story:
    """A story with its picture and narration."""
    story = bedtales.write_story()
    deliver(bedtales, story, "illustrate", "narrate")
    return story


# ----------------------------------------------------------------------------- the story page


def test_a_finished_story_shows_title_picture_player_and_stanzas(
    client: TestClient, finished: Story
) -> None:
    response = client.get(f"/stories/{finished.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert f'<h1 id="story-title">{escape(finished.title)}</h1>' in html
    for line in finished.description.splitlines():
        if line.strip():
            assert f'<span class="line">{escape(line.strip())}</span>' in html
    assert html.count('<p class="stanza">') == finished.description.count("\n\n") + 1
    alt = picture_alt(list(finished.characters), finished.scene)
    # the scene read into the sentence: "… at a picnic by a bubbling river"
    assert alt == f"A picture of Milo and Luna {read_scene(finished.scene).phrase()}"
    image = re.search(r'<img src="([^"]+)" alt="([^"]+)" width="1024" height="1024">', html)
    assert image is not None
    assert unescape(image.group(2)) == alt
    audio = re.search(r'<audio controls preload="metadata" src="([^"]+)"', html)
    assert audio is not None
    assert "being painted" not in html
    assert "being recorded" not in html
    for link in (image.group(1), audio.group(1)):
        assert "signature=" in link
        media = client.get(local_path(unescape(link)))
        assert media.status_code == 200
        assert media.headers["content-type"] in ("image/png", "audio/mpeg")


def test_the_page_has_landmarks_and_a_way_to_skip_to_the_story(
    client: TestClient, finished: Story
) -> None:
    html = client.get(f"/stories/{finished.id}").text
    assert '<html lang="en">' in html
    for landmark in ("<header", "<main", "<footer", "<article"):
        assert landmark in html
    assert '<a class="skip-link" href="#main">Skip to the story</a>' in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html


def test_the_page_has_opengraph_tags_for_link_previews(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    html = client.get(f"/stories/{finished.id}").text
    base = bedtales.settings.web.base_url
    first_line = finished.description.splitlines()[0].strip()
    found = re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)">', html)
    properties = {name: unescape(value) for name, value in found}
    assert properties["og:title"] == finished.title
    assert properties["og:type"] == "article"
    assert properties["og:url"] == f"{base}/stories/{finished.id}"
    assert properties["og:description"].startswith(first_line)
    assert properties["og:image"].startswith(f"{base}/media/stories/{finished.id}/image.png?")
    assert properties["og:image:alt"].startswith("A picture of Milo and Luna")


def test_without_javascript_a_new_story_says_its_picture_and_narration_are_coming(
    client: TestClient, bedtales: App
) -> None:
    story = bedtales.write_story()
    html = client.get(f"/stories/{story.id}").text
    assert "The picture is being painted…" in html
    assert "The narration is being recorded…" in html
    assert "<noscript>" in html
    assert "<img src=" not in html
    assert "<audio" not in html
    assert escape(story.title) in html
    assert html.count('<p class="stanza">') >= 2


def test_a_part_that_failed_for_good_is_left_out(client: TestClient, bedtales: App) -> None:
    story = bedtales.write_story()
    deliver(bedtales, story, "narrate")
    set_story(bedtales, story, image_state="failed", image_error="the paint box is empty")
    html = client.get(f"/stories/{story.id}").text
    assert "being painted" not in html
    assert 'class="picture"' not in html
    assert "the paint box is empty" not in html
    assert "<audio controls" in html
    assert client.get(f"/stories/{story.id}/parts").json()["image"] == {
        "state": "failed",
        "url": None,
        "thumbnailUrl": None,
        "engine": None,
    }


def test_the_parts_the_page_script_polls_follow_the_targets(
    client: TestClient, bedtales: App
) -> None:
    story = bedtales.write_story()
    response = client.get(f"/stories/{story.id}/parts")
    assert response.headers["cache-control"] == "no-store"
    parts = response.json()
    assert set(parts) == {"image", "audio"}
    assert parts["image"]["state"] == parts["audio"]["state"] == "pending"
    deliver(bedtales, story, "illustrate", "narrate")
    parts = client.get(f"/stories/{story.id}/parts").json()
    assert parts["image"]["state"] == parts["audio"]["state"] == "done"
    timings = client.get(local_path(parts["audio"]["timingsUrl"])).json()
    assert timings["duration"] > 0
    assert timings["words"][0]["word"] == "This"


def test_names_scenes_and_titles_appear_as_written_never_as_markup(bedtales: App) -> None:
    services.add_household(
        bedtales.db,
        "cheeky",
        characters=['<script>alert("hi")</script>', 'Ma\'ry "Moo"'],
        scenes=["a <b>castle</b> where \"quotes\" & 'apostrophes' live"],
    )
    story = bedtales.write_story("cheeky")
    deliver(bedtales, story, "illustrate")
    set_story(bedtales, story, title="<script>document.title='x'</script> \"Quoted\" Night")
    with TestClient(create_site(bedtales)) as client:
        html = client.get(f"/stories/{story.id}").text
    # the only script on the page is the site's own
    assert html.count("<script") == 1
    assert re.search(r'<script src="/static/bedtales\.js\?v=[0-9a-f]+" defer></script>', html)
    assert "<b>" not in html
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in html
    assert "Ma&#39;ry &#34;Moo&#34;" in html
    assert "&lt;b&gt;castle&lt;/b&gt; where &#34;quotes&#34; &amp; &#39;apostrophes&#39;" in html
    assert (
        '<h1 id="story-title">&lt;script&gt;document.title=&#39;x&#39;&lt;/script&gt; '
        "&#34;Quoted&#34; Night</h1>"
    ) in html
    # inside attributes too: no quote ends one early
    assert 'content="&lt;script&gt;document.title=&#39;x&#39;&lt;/script&gt; &#34;' in html
    assert re.search(r'alt="A picture of &lt;script&gt;alert\(&#34;hi&#34;\)', html)


def test_a_page_follows_its_story_through_the_page_cache(bedtales: App) -> None:
    app = create_site(bedtales)
    app.state.story_pages.recheck_s = 0  # check the story on every request
    story = bedtales.write_story()
    page = f"/stories/{story.id}"
    with TestClient(app) as client:
        first = client.get(page)
        assert "being painted" in first.text
        assert client.get(page.upper().replace("/STORIES/", "/stories/")).text == first.text
        deliver(bedtales, story, "illustrate", "narrate")
        finished = client.get(page).text
        assert "being painted" not in finished
        assert "<img src=" in finished
        assert "<audio controls" in finished
        set_story(bedtales, story, expires_at=utcnow() - timedelta(seconds=1))
        assert client.get(page).status_code == 410
        with bedtales.db.session() as session:
            session.execute(delete(StoryRow).where(StoryRow.id == story.id))
        assert client.get(page).status_code == 404


# ----------------------------------------------------------------------------- 404, 410, links


@pytest.mark.parametrize(
    "story_id",
    [
        MISSING_ID,
        "nope",
        "123",
        "0b5a3a4e7d8f4c2b9a1e3f6d5c4b2a19",
        f"{MISSING_ID}x",
        "%3Cscript%3E",
        "..%2F..%2Fetc%2Fpasswd",
        "x" * 5000,
    ],
)
def test_an_unknown_or_malformed_story_id_is_a_404_page(client: TestClient, story_id: str) -> None:
    response = client.get(f"/stories/{story_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "We could not find that story" in response.text
    parts = client.get(f"/stories/{story_id}/parts")
    assert parts.status_code == 404
    if "%2F" not in story_id:  # else the client resolves the dots: no story route at all
        assert parts.json() == {"error": "not found"}


def test_an_unknown_address_is_the_404_page_but_the_api_keeps_json(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "We could not find that story" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/json"


def test_an_expired_story_is_a_410_page(client: TestClient, bedtales: App) -> None:
    story = bedtales.write_story(now=utcnow() - timedelta(days=3))
    response = client.get(f"/stories/{story.id}")
    assert response.status_code == 410
    assert "This story has gone back to the land of dreams" in response.text
    assert escape(story.title) not in response.text
    parts = client.get(f"/stories/{story.id}/parts")
    assert parts.status_code == 410
    assert parts.json() == {"error": "gone"}


def test_the_reference_apps_link_form_redirects_to_the_story(
    client: TestClient, bedtales: App
) -> None:
    story = bedtales.write_story()
    response = client.get("/story", params={"id": story.id.upper()}, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/stories/{story.id}"
    assert client.get(f"/story?id={story.id}").text.count(escape(story.title)) >= 2
    for bad in ("/story", "/story?id=", "/story?id=nope", "/story?id=%3Cb%3E"):
        assert client.get(bad, follow_redirects=False).status_code == 404


# ----------------------------------------------------------------------------- households


def test_the_household_page_lists_only_its_own_stories_that_have_not_expired(
    client: TestClient, bedtales: App
) -> None:
    ours = [bedtales.write_story(), bedtales.write_story()]
    deliver(bedtales, ours[0], "illustrate")
    expired = bedtales.write_story(now=utcnow() - timedelta(days=3))
    services.add_household(bedtales.db, "grandma", characters=["Nana"], scenes=["a quiet pond"])
    theirs = bedtales.write_story("grandma")
    token = services.get_household(bedtales.db, "home").page_token
    response = client.get(f"/households/{token}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    html = response.text
    assert "Stories for home" in html
    assert linked_stories(html) == [ours[1].id, ours[0].id]  # newest first
    assert expired.id not in html
    assert theirs.id not in html
    assert html.count('class="shelf-thumb"') == 1  # the painted one has its thumbnail
    assert f"/media/stories/{ours[0].id}/thumbnail.png?" in html
    grandma = services.get_household(bedtales.db, "grandma").page_token
    assert linked_stories(client.get(f"/households/{grandma}").text) == [theirs.id]


@pytest.mark.parametrize(
    "token", ["wrong-token-wrong-token-wrong-tok", "short", "x" * 65, "%3Cscript%3E", "home"]
)
def test_a_wrong_household_token_is_a_404_page(client: TestClient, token: str) -> None:
    response = client.get(f"/households/{token}")
    assert response.status_code == 404
    assert "We could not find" in response.text


def test_a_household_without_stories_says_so(client: TestClient, bedtales: App) -> None:
    home = services.add_household(bedtales.db, '<i>"Nan"</i>', characters=["Nana"])
    html = client.get(f"/households/{home.page_token}").text
    assert "No stories yet" in html
    assert "Stories for &lt;i&gt;&#34;Nan&#34;&lt;/i&gt;" in html


# ----------------------------------------------------------------------------- security


def check_headers(headers: Mapping[str, str]) -> None:
    assert headers["content-security-policy"] == LOCAL_CSP
    for name, value in HEADERS.items():
        assert headers[name] == value, name
    assert "camera=()" in headers["permissions-policy"]


def test_every_response_carries_the_security_headers(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    expired = bedtales.write_story(now=utcnow() - timedelta(days=3))
    token = services.get_household(bedtales.db, "home").page_token
    parts = client.get(f"/stories/{finished.id}/parts").json()
    media = local_path(parts["image"]["url"])
    paths = {
        f"/stories/{finished.id}": 200,
        f"/stories/{finished.id}/parts": 200,
        f"/stories/{expired.id}": 410,
        "/stories/nope": 404,
        "/nothing/here": 404,
        f"/story?id={finished.id}": 301,
        f"/households/{token}": 200,
        "/static/bedtales.css": 200,
        "/static/bedtales.js": 200,
        media: 200,
        media.replace("signature=", "signature=0"): 403,
        "/media/stories/nope/image.png": 403,
        "/api/openapi.json": 200,
        "/api/no-such-thing": 404,
    }
    for path, status in paths.items():
        response = client.get(path, follow_redirects=False)
        assert response.status_code == status, path
        check_headers(response.headers)


def test_a_crash_is_a_500_page_with_the_headers_too(bedtales: App) -> None:
    app = create_site(bedtales)

    def boom() -> None:
        raise RuntimeError("the night light broke")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        api = client.get("/api/boom")
    assert page.status_code == api.status_code == 500
    assert "Something went bump in the night" in page.text
    assert "the night light broke" not in page.text + api.text
    assert api.headers["content-type"] == "application/json"
    for response in (page, api):
        check_headers(response.headers)


def test_the_policy_allows_the_s3_server_where_the_media_are(tmp_path: Path) -> None:
    at_endpoint = Settings(
        data_dir=tmp_path,
        media=MediaSettings(store="s3", s3_endpoint_url="http://127.0.0.1:8333/bucket-path"),
    )
    policy = content_security_policy(at_endpoint)
    assert "img-src 'self' http://127.0.0.1:8333;" in policy
    assert "media-src 'self' http://127.0.0.1:8333;" in policy
    behind_a_proxy = Settings(
        data_dir=tmp_path,
        media=MediaSettings(
            store="s3",
            s3_endpoint_url="http://10.0.0.5:8333",
            s3_public_endpoint_url="https://media.tales.example",
        ),
    )
    policy = content_security_policy(behind_a_proxy)
    assert "img-src 'self' https://media.tales.example;" in policy  # where the links point
    assert "10.0.0.5" not in policy
    on_aws = Settings(
        data_dir=tmp_path, media=MediaSettings(store="s3", s3_bucket="tales", s3_region="eu-west-2")
    )
    assert (
        "img-src 'self' https://tales.s3.amazonaws.com https://tales.s3.eu-west-2.amazonaws.com;"
        in content_security_policy(on_aws)
    )


def test_nothing_is_loaded_from_anywhere_else(
    client: TestClient, bedtales: App, finished: Story
) -> None:
    base = bedtales.settings.web.base_url
    pending = bedtales.write_story()
    token = services.get_household(bedtales.db, "home").page_token
    pages = [f"/stories/{finished.id}", f"/stories/{pending.id}", f"/households/{token}", "/x"]
    for path in pages:
        html = client.get(path).text
        for url in re.findall(r'(?:src|href|content)="([^"]*)"', html):
            assert not url.startswith("//"), url
            # absolute links are the story's own (link previews) and the podcast feed's,
            # which names the address the page was opened at when web.base_url is not set
            outside = url.startswith(("http:", "https:"))
            assert not outside or url.startswith((base + "/", "http://testserver/")), url
        assert "@import" not in html
        assert "style=" not in html  # the policy forbids inline styles; none are needed
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', client.get(pages[0]).text)
    assert {urlsplit(a).path for a in assets} == {
        "/static/moon.svg",
        "/static/bedtales.css",
        "/static/bedtales.js",
    }
    for asset in assets:
        # an SVG names its XML namespace with a URL that nothing fetches
        text = client.get(asset).text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http:" not in text
        assert "https:" not in text
        assert "@import" not in text
        assert "url(" not in text
