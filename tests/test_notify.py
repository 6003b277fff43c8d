"""The notify target, subscribers and the message: a real SMTP server (aiosmtpd), a real
JSON webhook receiver, real workers on the bus, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.config import load_settings
from bedtales.domain import Story
from bedtales.errors import Deferred, InputError
from bedtales.households import services
from bedtales.media import IMAGE, THUMBNAIL, story_key
from bedtales.notify import messages, subscribers
from bedtales.storage.models import StoryNotificationRow, StoryRow
from bedtales.stories.scenes import read_scene
from bedtales.stories.views import story_view
from bedtales.targets import notify as notify_target
from bedtales.targets.notify import POLL_MAX_S, POLL_MIN_S, poll_delay
from bedtales.web import urls
from servers.chat_completions import ScriptedResponse, ScriptedServer
from servers.smtp import SmtpServer
from working import work_until

BASE_URL = "http://127.0.0.1:8080"  # the default web.base_url
SECRET = "Sup3rSecretValue"
runner = CliRunner()


@pytest.fixture
def quick(data_dir: Path) -> Iterator[App]:
    """The app with quick retries, so failing channels are retried within the test."""
    policy = {"max_attempts": 3, "base_delay_s": 0.01, "max_delay_s": 0.02}
    bedtales = App(
        load_settings(
            data_dir,
            bus={"targets": {n: policy for n in ("illustrate", "narrate", "notify")}},
        )
    )
    yield bedtales
    bedtales.close()


def delivery_for(story_id: str, target: str = "notify", event_id: str | None = None) -> Delivery:
    event = Event(
        "bedtales.stories", "StoryCreated", {"id": story_id}, id=event_id or f"event-{story_id}"
    )
    return Delivery(event, target, attempt=1, receipt="r1")


def current(bedtales: App, story: Story) -> Story:
    return services.get_story(bedtales.db, story.id)


def parts(mail: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part of a multipart/alternative email."""
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


class Tags(HTMLParser):
    """The start tags of an HTML document, with their attributes unescaped."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def sources(self, tag: str, attribute: str) -> list[str | None]:
        return [attrs.get(attribute) for name, attrs in self.tags if name == tag]


def claims(bedtales: App, story: Story) -> list[tuple[int, str]]:
    with bedtales.db.session() as session:
        rows = session.scalars(
            select(StoryNotificationRow).where(StoryNotificationRow.story_id == story.id)
        )
        return sorted((row.subscriber_id, row.state) for row in rows)


def cli_run(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}{result.stderr}"
    return result.stdout + result.stderr


# ----------------------------------------------------------------------------- the email


def test_a_new_story_reaches_an_email_subscriber_through_the_bus(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(), label="family")
    story = quick.write_story(seed=3)

    work_until(quick, lambda: current(quick, story).notify_state == "done", timeout_s=60)

    [received] = smtp_server.received
    mail = received.message
    assert received.recipients == ["family@example.com"]
    assert mail["Subject"].strip() == f"Tonight's story: {story.title}"
    assert mail["To"] == "family@example.com"
    assert "bedtales@example.com" in mail["From"]
    text, html = parts(mail)
    link = f"{BASE_URL}/stories/{story.id}"
    first_lines = story.description.split("\n\n")[0].splitlines()
    for part in (text, html):
        assert story.title in part
        assert link in part
        assert all(line.strip() in part for line in first_lines)
    # the scene read into the sentence ("… at a picnic by a bubbling river"), not "set in …"
    where = read_scene(story.scene).phrase()
    assert f"A story about {' and '.join(story.characters)} {where}." in text
    assert link in Tags(html).sources("a", "href")
    assert claims(quick, story) == [(1, "sent")]
    with quick.db.session() as session:
        row = session.get(StoryRow, story.id)
        assert row is not None
        assert row.notified_at is not None
        assert row.notify_error is None


def test_untrusted_words_are_escaped_in_html_and_literal_in_text(
    quick: App, smtp_server: SmtpServer
) -> None:
    hostile = 'Bo<script>alert("x")</script>'
    quoted = 'Ann "Quotes" O\'Neil'
    scene = 'a <b>bold</b> & "quoted" garden'
    for character in services.list_characters(quick.db, "home"):
        services.remove_character(quick.db, "home", character.name)
    for old in services.list_scenes(quick.db, "home"):
        services.remove_scene(quick.db, "home", str(old.id))
    services.add_characters(quick.db, "home", [hostile, quoted])
    services.add_scene(quick.db, "home", scene)
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    written = quick.write_story(seed=5)
    # titles come from the text engine: an OpenAI-compatible one may echo names as they are
    with quick.db.session() as session:
        session.execute(update(StoryRow).values(title=f"{hostile} meets {quoted}"))
    story = current(quick, written)

    quick.run_delivery(delivery_for(story.id))

    [mail] = smtp_server.messages
    text, html = parts(mail)
    assert mail["Subject"].strip() == f"Tonight's story: {story.title}"
    for word in (hostile, quoted, scene):
        assert word in text  # exactly as written
        assert word not in html
    assert "Bo&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Ann &#34;Quotes&#34; O&#39;Neil" in html
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34; garden" in html
    tags = {name for name, _ in Tags(html).tags}
    assert not tags & {"script", "b"}


# ----------------------------------------------------------------------------- at most once


def test_a_redelivered_event_sends_one_email_per_subscriber(
    quick: App, smtp_server: SmtpServer
) -> None:
    for address in ("a@example.com", "b@example.com"):
        subscribers.add_subscriber(quick.db, "home", smtp_server.url(to=address))
    story = quick.write_story(seed=6)
    delivery = delivery_for(story.id)

    quick.run_delivery(delivery)
    quick.run_delivery(delivery)
    # even when the story forgot it was done, the claims hold
    with quick.db.session() as session:
        session.execute(update(StoryRow).values(notify_state="pending"))
    quick.run_delivery(delivery)

    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "a@example.com",
        "b@example.com",
    ]
    assert claims(quick, story) == [(1, "sent"), (2, "sent")]
    assert current(quick, story).notify_state == "done"


def test_the_same_delivery_run_at_once_by_many_threads_sends_one_email(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=7)
    delivery = delivery_for(story.id)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def deliver() -> None:
        start.wait()
        try:
            quick.run_delivery(delivery)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(smtp_server.wait_for(1)) == 1
    assert claims(quick, story) == [(1, "sent")]


def test_two_workers_with_the_event_published_twice_send_one_email(
    data_dir: Path, smtp_server: SmtpServer
) -> None:
    first, second = App.open(data_dir), App.open(data_dir)
    try:
        subscribers.add_subscriber(first.db, "home", smtp_server.url())
        story = first.write_story(seed=8)
        # a publisher that retried: the same story in two events, one delivery each
        first.bus.publish([delivery_for(story.id, event_id=f"{n}-{story.id}").event for n in "ab"])

        def both_done() -> bool:
            states = first.bus.backend.delivery_states(story.id)
            return [d.state for d in states if d.target == "notify"] == ["done", "done"]

        stop = threading.Event()
        workers = [
            threading.Thread(target=a.worker(["notify"]).run, args=(stop,)) for a in (first, second)
        ]
        for thread in workers:
            thread.start()
        try:
            finished = _wait(both_done, timeout_s=30)
        finally:
            stop.set()
            for thread in workers:
                thread.join(10)
        assert finished, "the workers did not finish in time"
        assert len(smtp_server.messages) == 1
    finally:
        first.close()
        second.close()


def _wait(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


# ----------------------------------------------------------------------------- failures


def test_a_failing_channel_is_retried_without_resending_to_the_others(
    quick: App, smtp_server: SmtpServer, chat_server: ScriptedServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(), label="email")
    hook = chat_server.url.replace("http://", "json://") + "/hook"
    subscribers.add_subscriber(quick.db, "home", hook, label="hook")
    chat_server.enqueue("/hook", ScriptedResponse(500, "busy"), ScriptedResponse(200, "ok"))
    story = quick.write_story(seed=9)

    work_until(quick, lambda: current(quick, story).notify_state == "done", timeout_s=60)

    assert len(smtp_server.messages) == 1
    requests = chat_server.requests_to("/hook")
    assert len(requests) == 2
    body = requests[-1].json()
    assert body["title"] == f"Tonight's story: {story.title}"
    assert f"{BASE_URL}/stories/{story.id}" in body["message"]
    [notify] = [d for d in quick.bus.backend.delivery_states(story.id) if d.target == "notify"]
    assert (notify.state, notify.attempts) == ("done", 2)
    assert claims(quick, story) == [(1, "sent"), (2, "sent")]


def test_a_channel_that_keeps_failing_ends_in_the_dead_letter_queue(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(), label="email")
    smtp_server.refuse(100)
    story = quick.write_story(seed=10)

    work_until(quick, lambda: quick.bus.backend.dead_letters("notify"), timeout_s=60)

    [letter] = quick.bus.backend.dead_letters("notify")
    assert letter.attempts == 3
    assert smtp_server.refused == 3
    assert smtp_server.messages == []
    assert claims(quick, story) == [(1, "failed")]  # `bedtales dlq replay` can send it
    with quick.db.session() as session:
        row = session.get(StoryRow, story.id)
        assert row is not None
        assert row.notify_state == "failed"
        assert "554" in (row.notify_error or "")
    [told] = subscribers.story_notifications(quick.db, story.id)
    assert (told.subscriber, told.state, told.sent_at) == ("email", "failed", None)
    assert "554" in (told.error or "")

    # the mail server is back: a replay sends it once, and the failure is forgotten
    smtp_server.refuse(0)
    quick.bus.backend.replay([letter.id])
    work_until(quick, lambda: current(quick, story).notify_state == "done", timeout_s=60)
    [mail] = smtp_server.wait_for(1)
    assert mail["Message-ID"] == f"<story-{story.id}.1@example.com>"
    [told] = subscribers.story_notifications(quick.db, story.id)
    assert (told.state, told.error) == ("sent", None)
    assert told.sent_at is not None


def test_a_json_webhook_gets_the_title_and_the_link(
    quick: App, chat_server: ScriptedServer
) -> None:
    chat_server.enqueue("/story", ScriptedResponse(200, {"ok": True}))
    url = chat_server.url.replace("http://", "json://") + "/story"
    subscribers.add_subscriber(quick.db, "home", url)
    story = quick.write_story(seed=11)

    quick.run_delivery(delivery_for(story.id))

    [request] = chat_server.requests_to("/story")
    body = request.json()
    assert body["title"] == f"Tonight's story: {story.title}"
    assert f"{BASE_URL}/stories/{story.id}" in body["message"]
    assert story.description.splitlines()[0] in body["message"]


def test_a_young_story_looks_again_soon_an_old_one_less_often() -> None:
    assert poll_delay(0) == POLL_MIN_S  # espeak narrates in a second: look again soon
    assert poll_delay(8) == 1.0  # an eighth of the story's age…
    assert poll_delay(3600) == POLL_MAX_S  # …up to a ceiling


def test_a_story_with_no_subscribers_is_done_with_nothing_sent(quick: App) -> None:
    story = quick.write_story(seed=12)

    quick.run_delivery(delivery_for(story.id))

    assert current(quick, story).notify_state == "done"
    assert claims(quick, story) == []


# ----------------------------------------------------------------------------- when


def test_complete_waits_for_the_picture_and_the_narration(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.set_notify_when(quick.db, "home", "complete", 600)
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=13)

    with pytest.raises(Deferred) as deferred:
        quick.run_delivery(delivery_for(story.id))
    assert "picture and the narration" in str(deferred.value)
    assert POLL_MIN_S <= deferred.value.delay_s <= POLL_MAX_S
    quick.run_delivery(delivery_for(story.id, "illustrate"))
    with pytest.raises(Deferred, match="waiting for the narration"):
        quick.run_delivery(delivery_for(story.id))
    assert smtp_server.messages == []
    quick.run_delivery(delivery_for(story.id, "narrate"))
    quick.run_delivery(delivery_for(story.id))

    [mail] = smtp_server.messages
    text, html = parts(mail)
    picture = story_view(current(quick, story), quick.tools.media).image.url
    assert picture is not None
    [shown] = Tags(html).sources("img", "src")
    assert (shown or "").startswith("cid:")  # the picture itself rides along
    assert urls.absolute(BASE_URL, picture) in text  # and its signed link, absolute
    assert "listen" in html


def test_complete_through_the_bus_sends_once_both_are_done(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.set_notify_when(quick.db, "home", "complete")
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=14)

    work_until(quick, lambda: current(quick, story).notify_state == "done", timeout_s=60)

    [mail] = smtp_server.messages
    _, html = parts(mail)
    assert len(Tags(html).sources("img", "src")) == 1
    done = current(quick, story)
    assert (done.image.state, done.audio.state) == ("done", "done")


def test_complete_sends_after_the_timeout_with_what_is_ready(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.set_notify_when(quick.db, "home", "complete", timeout_s=30)
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=15, now=utcnow() - timedelta(seconds=31))

    quick.run_delivery(delivery_for(story.id))  # no picture, no narration: sent anyway

    [mail] = smtp_server.messages
    text, html = parts(mail)
    assert Tags(html).sources("img", "src") == []
    assert "appear on the page as soon as they are ready" in text
    assert current(quick, story).notify_state == "done"


def test_notify_when_is_checked(bedtales: App) -> None:
    with pytest.raises(InputError, match="created or complete") as bad:
        subscribers.set_notify_when(bedtales.db, "home", "sometimes")
    assert bad.value.field == "when"
    with pytest.raises(InputError, match="between 30 and 86400") as short:
        subscribers.set_notify_when(bedtales.db, "home", "complete", 5)
    assert short.value.field == "timeout"
    home = subscribers.set_notify_when(bedtales.db, "home", "complete", 120)
    assert (home.notify_when, home.notify_timeout_s) == ("complete", 120)
    home = subscribers.set_notify_when(bedtales.db, "home", "created")
    assert (home.notify_when, home.notify_timeout_s) == ("created", 120)


# ----------------------------------------------------------------------------- subscribers


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "must not be empty"),
        ("mailto://me@example.com extra", "spaces"),
        ("example.com", "service://"),
        ("nosuch://host/path", "unknown service nosuch://"),
        ("discord://onlyone", "not a usable Discord URL"),
        ("tgram://bad", "cannot read this Telegram URL"),
        ("json://a/b,json://c/d", "one Apprise URL"),
        ("json://host/" + "x" * 2000, "the most is 2000"),
    ],
)
def test_invalid_urls_are_refused_with_the_reason(bedtales: App, url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as refused:
        subscribers.add_subscriber(bedtales.db, "home", url)
    assert refused.value.field == "url"
    assert subscribers.list_subscribers(bedtales.db, "home") == []


def test_the_cli_refuses_an_invalid_url_with_exit_code_2(data_dir: Path) -> None:
    output = cli_run("subscribers", "add", "discord://onlyone", "--data-dir", data_dir, code=2)
    assert "error: not a usable Discord URL" in output
    output = cli_run("subscribers", "add", "nosuch://x", "--data-dir", data_dir, code=2)
    assert "unknown service nosuch://" in output
    assert json.loads(cli_run("subscribers", "list", "--json", "--data-dir", data_dir)) == []


def test_duplicates_are_refused(bedtales: App) -> None:
    url = "ntfy://ntfy.sh/bedtime-stories"
    subscribers.add_subscriber(bedtales.db, "home", url, label="phone")
    with pytest.raises(InputError, match="already a subscriber") as twice:
        subscribers.add_subscriber(bedtales.db, "home", url)
    assert twice.value.field == "url"
    with pytest.raises(InputError, match="already has a subscriber 'phone'"):
        subscribers.add_subscriber(bedtales.db, "home", "ntfy://ntfy.sh/other", label="phone")
    with pytest.raises(InputError, match="must not be a number"):
        subscribers.add_subscriber(bedtales.db, "home", "ntfy://ntfy.sh/third", label="42")


SECRET_URLS = [
    f"mailtos://me:{SECRET}@example.com?to=family@example.com",
    f"json://user:{SECRET}@hooks.example/path?+Authorization=Bearer%20{SECRET}",
    f"ntfys://ntfy.sh/topic?token=tk_{SECRET}",
    f"discord://123456789/{SECRET}",
    f"tgram://123456789:{SECRET}/12345",
    f"slack://T1JJ3T3L2/A1BRTD4JD/{SECRET}/#general",
]


def test_masked_urls_never_show_passwords_or_tokens(data_dir: Path) -> None:
    shown = []
    for n, url in enumerate(SECRET_URLS):
        shown.append(cli_run("subscribers", "add", url, "--label", f"s{n}", "--data-dir", data_dir))
    shown.append(cli_run("subscribers", "list", "--data-dir", data_dir))
    listed = json.loads(cli_run("subscribers", "list", "--json", "--data-dir", data_dir))
    shown.append(json.dumps(listed))
    shown.append(cli_run("subscribers", "remove", "s0", "--data-dir", data_dir))
    bedtales = App.open(data_dir)
    try:
        shown += [repr(s) for s in subscribers.list_subscribers(bedtales.db, "home")]
    finally:
        bedtales.close()

    assert [s["service"] for s in listed] == [
        "E-Mail", "JSON", "ntfy", "Discord", "Telegram", "Slack"
    ]  # fmt: skip
    assert listed[0]["maskedUrl"] == "mailtos://me:****@example.com/family%40example.com"
    assert all(SECRET not in text for text in shown), shown


def test_subscribers_remove_by_id_or_label(bedtales: App) -> None:
    first = subscribers.add_subscriber(bedtales.db, "home", "ntfy://ntfy.sh/one", label="one")
    second = subscribers.add_subscriber(bedtales.db, "home", "ntfy://ntfy.sh/two")

    assert subscribers.remove_subscriber(bedtales.db, "home", "one").id == first.id
    assert subscribers.remove_subscriber(bedtales.db, "home", str(second.id)).id == second.id
    assert subscribers.list_subscribers(bedtales.db, "home") == []


def test_subscribers_test_says_which_were_reached(data_dir: Path, smtp_server: SmtpServer) -> None:
    cli_run("subscribers", "add", smtp_server.url(), "--label", "grandma", "--data-dir", data_dir)
    closed = smtp_server.url(to="nobody@example.com").replace(str(smtp_server.port), "9")
    cli_run("subscribers", "add", closed, "--label", "broken", "--data-dir", data_dir)

    output = cli_run("subscribers", "test", "--data-dir", data_dir, code=1)

    assert "sent: 'grandma'" in output
    assert "failed: 'broken'" in output
    [mail] = smtp_server.messages
    assert mail["Subject"] == "bedtales: a test message"
    assert BASE_URL in parts(mail)[0]
    assert "sent: 'grandma'" in cli_run("subscribers", "test", "grandma", "--data-dir", data_dir)
    assert len(smtp_server.messages) == 2


def test_households_notify_sets_and_shows_when(data_dir: Path) -> None:
    shown = cli_run(
        "households", "notify", "--when", "complete", "--timeout", "120", "--data-dir", data_dir
    )
    assert "once its picture and narration are done, or 120 s" in shown
    assert "or 120 s" in cli_run("households", "notify", "--data-dir", data_dir)
    refused = cli_run("households", "notify", "--when", "later", "--data-dir", data_dir, code=2)
    assert "notify_when must be created or complete" in refused
    refused = cli_run("households", "notify", "--timeout", "1", "--data-dir", data_dir, code=2)
    assert "timeout must be between 30 and 86400" in refused


# ----------------------------------------------------------------------------- the picture


def test_the_email_carries_the_picture_and_the_text_keeps_its_link(
    quick: App, smtp_server: SmtpServer
) -> None:
    """Mail clients that block remote pictures, and webmail that cannot reach a home
    network, still show it: the HTML's <img> names a part of the email itself."""
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=21)
    quick.run_delivery(delivery_for(story.id, "illustrate"))
    quick.run_delivery(delivery_for(story.id))

    [mail] = smtp_server.messages
    text, html = parts(mail)
    [source] = Tags(html).sources("img", "src")
    assert (source or "").startswith("cid:")
    [related] = [p for p in mail.walk() if p.get_content_type() == "multipart/related"]
    html_part, picture = related.iter_parts()
    assert html_part.get_content_type() == "text/html"
    assert picture.get_content_type() == "image/png"
    assert picture["Content-ID"] == f"<{(source or '').removeprefix('cid:')}>"
    assert picture.get_content() == quick.tools.media.get(story_key(story.id, IMAGE))
    assert f"{BASE_URL}/stories/{story.id}" in text
    assert f"{BASE_URL}/media/stories/{story.id}/image.png?expires=" in text


def test_a_picture_too_big_to_mail_gives_way_to_its_thumbnail(
    quick: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = quick.write_story(seed=22)
    quick.run_delivery(delivery_for(story.id, "illustrate"))
    story = current(quick, story)
    store = quick.tools.media
    thumbnail = store.get(story_key(story.id, THUMBNAIL))
    assert story.image.size is not None
    assert len(thumbnail) < story.image.size
    monkeypatch.setattr(messages, "INLINE_PICTURE_MAX", story.image.size - 1)
    assert messages.inline_picture(story, store) == (thumbnail, "image/png")
    monkeypatch.setattr(messages, "INLINE_PICTURE_MAX", len(thumbnail) - 1)
    assert messages.inline_picture(story, store) is None
    message = messages.story_message(story, store, BASE_URL)
    assert message.picture is None  # the email shows the signed link instead
    [source] = Tags(message.html).sources("img", "src")
    assert (source or "").startswith(f"{BASE_URL}/media/stories/{story.id}/")


# ----------------------------------------------------------------------------- unsure sends


def left_sending(
    bedtales: App,
    story: Story,
    subscriber_id: int,
    age_s: float = 0.0,
    holder: str | None = None,
    at: datetime | None = None,
) -> None:
    """What a worker killed between its claim and the send leaves behind: the claim (by
    default of the delivery :func:`delivery_for` makes, as a claim before 0009: no holder)."""
    with bedtales.db.session() as session:
        session.add(
            StoryNotificationRow(
                story_id=story.id,
                subscriber_id=subscriber_id,
                state="sending",
                created_at=at or utcnow() - timedelta(seconds=age_s),
                claimed_by=holder,
            )
        )


def redelivery(story: Story) -> Delivery:
    """The delivery of a worker that died, back once its lease ran out: a second attempt."""
    first = delivery_for(story.id)
    return Delivery(first.event, first.target, attempt=2, receipt="r2")


def test_an_unsure_send_is_sent_again_with_the_same_message_id(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(to="a@example.com"))
    told_before = quick.write_story(seed=11)
    quick.run_delivery(delivery_for(told_before.id))  # a send that was never interrupted
    [first] = smtp_server.wait_for(1)
    assert first["Message-ID"] == f"<story-{told_before.id}.1@example.com>"

    story = quick.write_story(seed=12)
    left_sending(quick, story, 1)
    quick.run_delivery(redelivery(story))

    [_, resent] = smtp_server.wait_for(2)
    assert resent["Message-ID"] == f"<story-{story.id}.1@example.com>"
    assert resent["Subject"].strip() == f"Tonight's story: {story.title}"
    assert claims(quick, story) == [(1, "resent")]
    assert current(quick, story).notify_state == "done"
    # resolved once: a later redelivery sends nothing more
    with quick.db.session() as session:
        session.execute(update(StoryRow).values(notify_state="pending"))
    quick.run_delivery(redelivery(story))
    assert len(smtp_server.messages) == 2


def test_an_old_claim_is_unsure_even_on_a_first_attempt(
    quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=13)
    left_sending(quick, story, 1, age_s=120)

    quick.run_delivery(delivery_for(story.id))

    assert len(smtp_server.wait_for(1)) == 1
    assert claims(quick, story) == [(1, "resent")]


def test_a_young_claim_on_a_first_attempt_is_left_to_its_sender(
    quick: App, smtp_server: SmtpServer
) -> None:
    """Another delivery of the story is sending it now: not sent twice, and the story is not
    marked done, so if that worker dies its delivery comes back to a story still to tell."""
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=14)
    left_sending(quick, story, 1)

    quick.run_delivery(delivery_for(story.id))

    assert smtp_server.messages == []
    assert claims(quick, story) == [(1, "sending")]
    assert current(quick, story).notify_state == "pending"
    quick.run_delivery(redelivery(story))  # that worker died: its delivery comes back
    assert len(smtp_server.wait_for(1)) == 1
    assert claims(quick, story) == [(1, "resent")]


def test_a_retry_leaves_a_young_claim_of_another_delivery_to_it(
    quick: App, smtp_server: SmtpServer
) -> None:
    """The event was published twice: delivery b holds the claim and is sending right now.
    Delivery a's second attempt must not take it for its own dead try and send again."""
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=16)
    left_sending(quick, story, 1, holder="another-event")

    quick.run_delivery(redelivery(story))

    assert smtp_server.messages == []
    assert claims(quick, story) == [(1, "sending")]
    assert current(quick, story).notify_state == "pending"


def test_a_slow_send_that_was_taken_over_cannot_undo_the_takeover(
    quick: App, smtp_server: SmtpServer
) -> None:
    """Delivery a's send was slow enough to look dead; delivery b took the claim over and
    resent. a's late outcome, failure or success, must leave b's claim alone."""
    subscribers.add_subscriber(quick.db, "home", smtp_server.url())
    story = quick.write_story(seed=17)
    slow = notify_target.Claim(story.id, 1, "event-a", utcnow() - timedelta(seconds=600))
    left_sending(quick, story, 1, age_s=600, holder="event-a", at=slow.at)

    quick.run_delivery(delivery_for(story.id, event_id="event-b"))  # old: taken over
    assert len(smtp_server.wait_for(1)) == 1
    assert claims(quick, story) == [(1, "resent")]

    notify_target._note(slow, quick.db, state="failed", error="timed out")
    notify_target._unclaim(quick.db, slow)
    assert claims(quick, story) == [(1, "resent")]
    with quick.db.session() as session:
        session.execute(update(StoryRow).values(notify_state="pending"))
    quick.run_delivery(redelivery(story))  # a's retry: nothing failed, nothing to send
    assert len(smtp_server.messages) == 1


def test_skip_marks_an_unsure_send_and_sends_nothing(
    data_dir: Path, quick: App, smtp_server: SmtpServer
) -> None:
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(), label="gran")
    subscribers.add_subscriber(quick.db, "home", smtp_server.url(to="b@example.com"))
    shown = cli_run("households", "notify", "--on-unsure", "skip", "--data-dir", data_dir)
    assert "not made again (unsure)" in shown
    story = quick.write_story(seed=15)
    left_sending(quick, story, 1)

    quick.run_delivery(redelivery(story))

    [mail] = smtp_server.wait_for(1)  # the other subscriber only
    assert mail["To"] == "b@example.com"
    assert claims(quick, story) == [(1, "unsure"), (2, "sent")]
    assert current(quick, story).notify_state == "done"
    shown = cli_run("story", "show", story.id, "--data-dir", data_dir)
    assert "unsure" in shown
    assert "gran" in shown
    document = json.loads(cli_run("story", "show", story.id, "--json", "--data-dir", data_dir))
    gran, other = document["notifications"]
    assert (gran["subscriber"], gran["state"], gran["sentAt"]) == ("gran", "unsure", None)
    assert "on-unsure: skip" in gran["error"]
    assert (other["subscriber"], other["state"], other["error"]) == ("#2", "sent", None)
    assert other["service"] == "E-Mail"
    assert other["sentAt"] is not None


def test_households_notify_on_unsure_is_checked(data_dir: Path) -> None:
    shown = cli_run("households", "notify", "--data-dir", data_dir)
    assert "made again (resend)" in shown
    refused = cli_run(
        "households", "notify", "--on-unsure", "maybe", "--data-dir", data_dir, code=2
    )
    assert "notify_on_unsure must be resend or skip" in refused
    assert "made again (resend)" in cli_run("households", "notify", "--data-dir", data_dir)
    cli_run("households", "notify", "--on-unsure", "skip", "--data-dir", data_dir)
    [listed] = json.loads(cli_run("households", "list", "--json", "--data-dir", data_dir))
    assert listed["notifyOnUnsure"] == "skip"
    assert "if unsure" in cli_run("households", "list", "--data-dir", data_dir)
    cli_run("households", "notify", "--on-unsure", "resend", "--data-dir", data_dir)
    bedtales = App.open(data_dir)
    try:
        with pytest.raises(InputError) as bad:
            subscribers.set_notify_on_unsure(bedtales.db, "home", "never")
        assert bad.value.field == "on_unsure"
        home = subscribers.set_notify_on_unsure(bedtales.db, "home", " SKIP ")
        assert home.notify_on_unsure == "skip"
    finally:
        bedtales.close()
