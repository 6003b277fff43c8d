"""Subscribers a household adds on its web site must not reach inside the server's network:
the URL policy, the address checks, and real servers on 127.0.0.1 (a recording HTTP server,
aiosmtpd) that a household's URL must never reach while the operator's same URL still does.

Two seams stand in for the internet, and only where a test says so: ``guard.resolve`` (what
a host name resolves to) and ``publish.dial`` (where a checked address is connected to)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path

import pytest
from sqlalchemy import update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.config import Settings, SmtpSettings, load_settings
from bedtales.errors import ConfigError, InputError
from bedtales.households.services import household_row
from bedtales.notify import guard, publish, subscribers
from bedtales.notify.channels import describe
from bedtales.notify.guard import (
    AddressRefused,
    IPAddress,
    check_address,
    check_household_url,
    email_url,
    ntfy_url,
)
from bedtales.storage.models import StoryRow, SubscriberRow
from servers.smtp import SmtpServer

PUBLIC = ip_address("93.184.216.34")
DISCORD = "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js"
SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
TELEGRAM = "tgram://123456789:AABx8iXjE5C-vG4SDhf6ARgdFgxYxhuHb4A/-1001234567"
BASE_URL = "http://127.0.0.1:8080"


# ----------------------------------------------------------------------------- a web server


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        loaded = json.loads(self.body)
        assert isinstance(loaded, dict)
        return loaded


class Recorder(ThreadingHTTPServer):
    """Keeps every request it gets and answers each with ``status`` (and ``location``)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.status = 200
        self.location: str | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def requests(self) -> list[Seen]:
        with self.lock:
            return list(self.seen)


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Internet:
    """What host names resolve to (``names``; others do not resolve), and the checked
    addresses bedtales connected to (``dialled``)."""

    names: dict[str, list[IPAddress]] = field(default_factory=dict)
    dialled: list[tuple[IPAddress, int]] = field(default_factory=list)


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch, web_server: Recorder) -> Internet:
    """The two seams: names resolve through ``Internet.names``, and every checked address
    is connected to, over plain http, at the local web server."""
    fake = Internet()

    def resolve(host: str, port: int) -> list[IPAddress]:
        if host not in fake.names:
            raise OSError(f"no such name: {host}")
        return fake.names[host]

    def dial(address: IPAddress, port: int) -> tuple[str, str, int]:
        fake.dialled.append((address, port))
        return "http", "127.0.0.1", web_server.port

    monkeypatch.setattr(guard, "resolve", resolve)
    monkeypatch.setattr(publish, "dial", dial)
    return fake


def mail_settings(data_dir: Path, smtp_server: SmtpServer) -> Settings:
    smtp = {
        "host": smtp_server.host,
        "port": smtp_server.port,
        "security": "none",
        "sender": "stories@example.org",
    }
    return load_settings(data_dir, smtp=smtp)


def store_directly(bedtales: App, url: str) -> None:
    """A household subscriber written to the database without the policy (an older
    release, or a hand-edited row): sending must still hold it to the rules."""
    with bedtales.db.session() as session:
        home = household_row(session, "home")
        session.add(SubscriberRow(household_id=home.id, url=url, added_by="household"))


def errors_of(bedtales: App, settings: Settings | None = None) -> list[str | None]:
    smtp = settings.smtp if settings else None
    outcomes = subscribers.send_test(bedtales.db, "home", BASE_URL, smtp=smtp)
    return [outcome.error for outcome in outcomes]


# ----------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ntfy://ntfy.sh/bedtime-stories", "ntfys://ntfy.sh/bedtime-stories"),
        ("ntfys://NTFY.example.org/our_topic/", "ntfys://ntfy.example.org/our_topic"),
        ("mailto://Grandma@Example.org", "mailto://Grandma@example.org"),
        ("mailtos://al%2Bice@example.org", "mailto://al%2Bice@example.org"),
        (DISCORD + "/", DISCORD),
        ("https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", DISCORD),
        (SLACK, SLACK),
        ("https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", SLACK),
        (TELEGRAM, TELEGRAM),
        (TELEGRAM.replace(":", "%3A").replace("tgram%3A", "tgram:"), TELEGRAM),
    ],
)
def test_allowed_services_are_stored_in_their_plain_form(given: str, stored: str) -> None:
    assert check_household_url(given) == stored


@pytest.mark.parametrize(
    ("parameter", "why"),
    [
        ("method=DELETE", "changes the HTTP method"),
        ("+X-Api-Key=k", "adds an HTTP header"),
        (":message=x", "sets a payload field"),
        ("-title=", "removes a payload field"),
        ("smtp=127.0.0.1", "names another mail server"),
        ("mode=ssl", "changes how"),
        ("secure=no", "changes how mail is sent"),
        ("verify=no", "turns off TLS certificate checks"),
        ("redirect=yes", "redirects"),
        ("cto=600", "time limits"),
        ("rto=600", "time limits"),
        ("to=other@example.org", "one address"),
        ("template=/etc/passwd", "reads a file"),
        ("token=tk_x", "logins"),
        ("priority=max", "plain form"),
    ],
)
@pytest.mark.parametrize("url", ["ntfys://ntfy.sh/topic", "mailto://a@example.org", DISCORD])
def test_every_query_parameter_is_refused_by_name(url: str, parameter: str, why: str) -> None:
    name = parameter.split("=")[0]
    with pytest.raises(InputError) as refused:
        check_household_url(f"{url}?{parameter}")
    assert refused.value.field == "url"
    assert f"{name} (" in str(refused.value)
    assert why in str(refused.value)


def test_a_refused_service_names_its_parameters_too() -> None:
    with pytest.raises(InputError) as refused:
        check_household_url("json://127.0.0.1:8080/hook?method=DELETE&+X-Api-Key=secret")
    message = str(refused.value)
    assert message.startswith("only these services can be added here")
    assert "method (it changes the HTTP method)" in message
    assert "+X-Api-Key (it adds an HTTP header)" in message
    assert "secret" not in message


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("json://hooks.example/bedtime", "only these services"),
        ("jsons://hooks.example/bedtime", "only these services"),
        ("form://127.0.0.1/x", "only these services"),
        ("xml://169.254.169.254", "only these services"),
        ("matrix://user:pw@matrix.example/#room", "only these services"),
        ("https://hooks.example/api/webhooks/1/2", "only these services"),
        ("ntfy.sh/topic", "only these services"),
        ("mailtos://me:app-password@gmail.com", "no login or server"),
        ("mailto://127.0.0.1:25", "no login or server"),
        ("mailto://someone@127.0.0.1", "one email address"),
        ("ntfy://127.0.0.1:8080/topic", "no address, port or login"),
        ("ntfy://user:pw@ntfy.example.org/topic", "no address, port or login"),
        ("ntfy://127.0.0.1/topic", "host name of an https ntfy server"),
        ("ntfy://localhost/topic", "host name of an https ntfy server"),
        ("ntfy://ntfy.sh/one/two", "ntfys://SERVER/TOPIC"),
        ("ntfy://ntfy.sh/" + "t" * 65, "1 to 64"),
        (SLACK + "/#general", "must not contain #"),
        ("discord://webhook/token", "discord://WEBHOOK_ID/WEBHOOK_TOKEN"),
        ("tgram://123:abc/@channel", "the chat id a number"),
        ("ntfy://ntfy.sh/topic extra", "spaces"),
        ("", "must not be empty"),
    ],
)
def test_other_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as refused:
        check_household_url(url)
    assert refused.value.field == "url"


def test_the_plain_form_builds_email_and_ntfy_urls() -> None:
    settings = Settings(smtp=SmtpSettings(host="mail.example.org", sender="s@example.org"))
    assert email_url(" grandma@Example.ORG ", settings) == "mailto://grandma@example.org"
    assert email_url("o'neil+stories@example.org", settings) == (
        "mailto://o%27neil%2Bstories@example.org"
    )
    assert ntfy_url(None, "our-stories") == "ntfys://ntfy.sh/our-stories"
    assert ntfy_url("https://ntfy.example.org/", "x_1") == "ntfys://ntfy.example.org/x_1"


@pytest.mark.parametrize(
    "address",
    ["", "grandma", "a@b", "a@127.0.0.1", "Grandma <g@example.org>", "a@example.org,b@example.org",
     "a b@example.org", "a@exa_mple.org", "a..b@example.org", "x" * 65 + "@example.org"],
)  # fmt: skip
def test_an_email_field_takes_one_plain_address(address: str) -> None:
    settings = Settings(smtp=SmtpSettings(host="mail.example.org", sender="s@example.org"))
    with pytest.raises(InputError, match="one email address") as refused:
        email_url(address, settings)
    assert refused.value.field == "email"


def test_without_the_operators_mail_server_households_cannot_add_email() -> None:
    with pytest.raises(InputError, match="has not set up mail") as refused:
        email_url("grandma@example.org", Settings())
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    ("server", "topic", "field"),
    [
        ("ntfy.sh", "", "topic"),
        ("ntfy.sh", "has space", "topic"),
        ("ntfy.sh", "sl/ash", "topic"),
        ("http://ntfy.example.org", "t", "server"),
        ("ntfy.example.org:8080", "t", "server"),
        ("10.0.0.1", "t", "server"),
        ("ntfy.example.org/path", "t", "server"),
    ],
)
def test_ntfy_fields_are_checked(server: str, topic: str, field: str) -> None:
    with pytest.raises(InputError) as refused:
        ntfy_url(server, topic)
    assert refused.value.field == field


def test_the_smtp_settings_need_a_sender_with_a_host(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sender"):
        load_settings(tmp_path, smtp={"host": "mail.example.org"})
    with pytest.raises(ConfigError, match="one email address"):
        load_settings(tmp_path, smtp={"host": "mail.example.org", "sender": "not an address"})
    settings = load_settings(tmp_path, smtp={"host": "mail.example.org", "sender": "s@example.org"})
    assert (settings.smtp.security, settings.smtp.resolved_port) == ("starttls", 587)


# ----------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address checked, not bound
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("::ffff:127.0.0.1", "a loopback address (127.0.0.1 inside it)"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:100.64.0.1", "carrier-grade NAT"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("2001:db8::1", "private"),  # documentation
    ],
)
def test_addresses_inside_a_network_are_refused(address: str, problem: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_address(address, 443)  # literals: getaddrinfo returns them as they are
    assert str(refused.value) == f"{address} cannot be reached from bedtales"  # one sentence
    assert problem in refused.value.detail


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert check_address(address, 443) == [ip_address(address)]


def test_a_name_for_the_loopback_address_is_refused() -> None:
    with pytest.raises(AddressRefused) as refused:
        check_address("localhost", 443)
    assert "loopback" in refused.value.detail


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    internet: Internet,
) -> None:
    internet.names["ntfy.example"] = [PUBLIC, ip_address("10.0.0.7")]
    internet.names["public.example"] = [PUBLIC, ip_address("2606:4700::1111")]
    with pytest.raises(AddressRefused) as refused:
        check_address("ntfy.example", 443)
    assert str(refused.value) == "ntfy.example cannot be reached from bedtales"
    assert "10.0.0.7, a private address" in refused.value.detail
    assert check_address("public.example", 443) == internet.names["public.example"]
    with pytest.raises(AddressRefused) as missing:
        check_address("nowhere.example", 443)
    assert str(missing.value) == "nowhere.example cannot be reached from bedtales"  # the same


# ----------------------------------------------------------------------------- never reached


def test_a_household_cannot_add_urls_that_reach_a_local_server(
    bedtales: App, web_server: Recorder
) -> None:
    for url in (
        f"json://127.0.0.1:{web_server.port}/hook?method=DELETE&+X-Api-Key=secret",
        f"ntfy://127.0.0.1:{web_server.port}/topic",
        f"form://127.0.0.1:{web_server.port}/hook",
    ):
        with pytest.raises(InputError) as refused:
            subscribers.add_household_subscriber(
                bedtales.db, "home", kind="url", url=url, settings=bedtales.settings
            )
        assert refused.value.field == "url"
    with pytest.raises(InputError) as refused:
        subscribers.add_household_subscriber(
            bedtales.db, "home", kind="ntfy", server=f"127.0.0.1:{web_server.port}", topic="t",
            settings=bedtales.settings,
        )  # fmt: skip
    assert refused.value.field == "server"
    assert subscribers.list_subscribers(bedtales.db, "home") == []
    assert web_server.requests == []


def test_stored_household_urls_are_refused_at_send_time(
    bedtales: App, web_server: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    store_directly(bedtales, f"json://127.0.0.1:{web_server.port}/hook?method=DELETE")
    store_directly(bedtales, f"ntfy://127.0.0.1:{web_server.port}/topic")
    store_directly(bedtales, "ntfys://localhost/topic")

    with caplog.at_level(logging.WARNING):
        errors = errors_of(bedtales)

    assert errors == ["this subscriber's URL can no longer be used"] * 3
    assert web_server.requests == []
    assert "only these services" in caplog.text  # the reason, for the operator


def test_the_operators_same_urls_still_reach_the_local_server(
    bedtales: App, web_server: Recorder
) -> None:
    hook = f"json://127.0.0.1:{web_server.port}/hook?method=DELETE&+X-Api-Key=secret"
    subscribers.add_subscriber(bedtales.db, "home", hook)
    subscribers.add_subscriber(bedtales.db, "home", f"ntfy://127.0.0.1:{web_server.port}/topic")

    assert errors_of(bedtales) == [None, None]

    deleted, posted = web_server.requests
    assert (deleted.method, deleted.path, deleted.headers["X-Api-Key"]) == (
        "DELETE",
        "/hook",
        "secret",
    )
    assert posted.method == "POST"


def test_a_name_that_now_resolves_inside_is_refused_at_send_time(
    bedtales: App, web_server: Recorder, internet: Internet,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    internet.names["ntfy.example"] = [PUBLIC]
    subscribers.add_household_subscriber(
        bedtales.db,
        "home",
        kind="ntfy",
        server="ntfy.example",
        topic="t",
        settings=bedtales.settings,
    )
    internet.names["ntfy.example"] = [ip_address("127.0.0.1")]  # DNS rebinding, or a new record

    with caplog.at_level(logging.WARNING):
        assert errors_of(bedtales) == ["ntfy.example did not take the message"]

    assert internet.dialled == []
    assert web_server.requests == []
    assert "ntfy.example resolves to 127.0.0.1, a loopback address" in caplog.text


def test_adding_an_ntfy_server_that_resolves_inside_is_refused(
    bedtales: App, internet: Internet
) -> None:
    internet.names["ntfy.example"] = [ip_address("192.168.1.10")]
    for name in ("ntfy.example", "missing.example"):  # one answer for both: no network map
        with pytest.raises(InputError) as refused:
            subscribers.add_household_subscriber(
                bedtales.db, "home", kind="ntfy", server=name, topic="t", settings=bedtales.settings
            )
        assert refused.value.field == "server"
        assert str(refused.value) == (
            f"{name} cannot be used: bedtales cannot reach it on the public internet"
        )


# ----------------------------------------------------------------------------- sent pinned


def test_ntfy_is_posted_to_the_checked_address_with_the_name_in_host(
    bedtales: App, web_server: Recorder, internet: Internet
) -> None:
    internet.names["ntfy.example"] = [PUBLIC]
    added = subscribers.add_household_subscriber(
        bedtales.db, "home", kind="ntfy", server="ntfy.example", topic="our-stories",
        settings=bedtales.settings, label="phones",
    )  # fmt: skip
    assert (added.added_by, added.masked_url) == ("household", "ntfys://ntfy.example/****")

    assert errors_of(bedtales) == [None]

    assert internet.dialled == [(PUBLIC, 443)]
    [request] = web_server.requests
    assert (request.method, request.path, request.headers["Host"]) == ("POST", "/", "ntfy.example")
    body = request.json()
    assert (body["topic"], body["title"]) == ("our-stories", "bedtales: a test message")
    assert body["click"] == BASE_URL


def test_a_redirect_is_not_followed(
    bedtales: App, web_server: Recorder, internet: Internet,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    internet.names["ntfy.example"] = [PUBLIC]
    subscribers.add_household_subscriber(
        bedtales.db, "home", kind="url", url="ntfy://ntfy.example/t", settings=bedtales.settings
    )
    web_server.status, web_server.location = 307, f"http://127.0.0.1:{web_server.port}/inside"

    with caplog.at_level(logging.WARNING):
        assert errors_of(bedtales) == ["ntfy.example did not take the message"]

    assert [r.path for r in web_server.requests] == ["/"]
    assert "HTTP 307 from ntfy.example" in caplog.text


@pytest.mark.parametrize(
    ("url", "host", "path"),
    [
        (DISCORD, "discord.com", "/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js"),
        (SLACK, "hooks.slack.com", "/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"),
        (TELEGRAM, "api.telegram.org",
         "/bot123456789:AABx8iXjE5C-vG4SDhf6ARgdFgxYxhuHb4A/sendMessage"),
    ],
)  # fmt: skip
def test_chat_webhooks_are_posted_to_their_fixed_host(
    bedtales: App, web_server: Recorder, internet: Internet,
    url: str, host: str, path: str,
) -> None:  # fmt: skip
    internet.names[host] = [PUBLIC]
    subscribers.add_household_subscriber(
        bedtales.db, "home", kind="url", url=url, settings=bedtales.settings
    )

    assert errors_of(bedtales) == [None]

    [request] = web_server.requests
    assert (request.method, request.path, request.headers["Host"]) == ("POST", path, host)
    assert BASE_URL in json.dumps(request.json())


def test_a_story_through_the_bus_reaches_a_household_discord_as_plain_text(
    bedtales: App, web_server: Recorder, internet: Internet
) -> None:
    internet.names["discord.com"] = [PUBLIC]
    subscribers.add_household_subscriber(
        bedtales.db, "home", kind="url", url=DISCORD, settings=bedtales.settings
    )
    story = bedtales.write_story(seed=3)
    with bedtales.db.session() as session:  # a title as an engine might write it
        session.execute(update(StoryRow).values(title="**Bo** @everyone [x](https://evil.example)"))
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")

    bedtales.run_delivery(Delivery(event, "notify", attempt=1, receipt="r1"))

    [request] = web_server.requests
    body = request.json()
    assert body["allowed_mentions"] == {"parse": []}  # no ping, whatever the words say
    title = r"Tonight's story\: \*\*Bo\*\* \@everyone \[x\]\(https\://evil.example\)"
    assert str(body["content"]).startswith(f"**{title}**\n")
    assert str(body["content"]).endswith(f" {BASE_URL}/stories/{story.id}")  # a working link


# ----------------------------------------------------------------------------- email


def test_household_email_goes_through_the_operators_server_to_that_address(
    data_dir: Path, smtp_server: SmtpServer
) -> None:
    settings = mail_settings(data_dir, smtp_server)
    bedtales = App(settings)
    try:
        added = subscribers.add_household_subscriber(
            bedtales.db, "home", kind="email", email="grandma@example.org", settings=settings
        )
        assert added.url == "mailto://grandma@example.org"
        story = bedtales.write_story(seed=4)
        event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")

        bedtales.run_delivery(Delivery(event, "notify", attempt=1, receipt="r1"))
        assert errors_of(bedtales, settings) == [None]
    finally:
        bedtales.close()

    story_mail, test_mail = smtp_server.received
    for received in (story_mail, test_mail):
        assert received.recipients == ["grandma@example.org"]
        assert received.sender == "stories@example.org"
        assert received.message["To"] == "grandma@example.org"
    assert story_mail.message["Subject"].startswith("Tonight's story: ")


def test_household_email_never_names_its_own_mail_server(
    data_dir: Path, smtp_server: SmtpServer, bedtales: App
) -> None:
    relay = f"mailto://grandma@example.org?smtp=127.0.0.1&port={smtp_server.port}"
    with pytest.raises(InputError, match="smtp \\(it names another mail server\\)"):
        subscribers.add_household_subscriber(
            bedtales.db, "home", kind="url", url=relay, settings=bedtales.settings
        )
    store_directly(bedtales, relay)
    store_directly(bedtales, smtp_server.url(to="grandma@example.org"))  # an operator's form

    assert (
        errors_of(bedtales, mail_settings(data_dir, smtp_server))
        == ["this subscriber's URL can no longer be used"] * 2
    )
    assert smtp_server.received == []


def test_household_email_without_the_operators_server_is_not_sent(
    bedtales: App, smtp_server: SmtpServer
) -> None:
    store_directly(bedtales, "mailto://grandma@example.org")

    assert errors_of(bedtales) == [
        "email cannot be sent: the server's operator has not set up mail"
    ]
    assert smtp_server.received == []


# ----------------------------------------------------------------------------- masked


@pytest.mark.parametrize(
    ("url", "secrets", "masked"),
    [
        ("ntfys://ntfy.sh/our-secret-topic", ["our-secret-topic"], "ntfys://ntfy.sh/****"),
        ("ntfy://ntfy.example.org/a-topic/b-topic", ["a-topic", "b-topic"],
         "ntfy://ntfy.example.org/****/****"),
        (DISCORD, ["4174216298", "JHMHI8qBe7bk2ZwO5U711o3dV_js"], "discord://****/****"),
        (SLACK + "/#general", ["T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"],
         "slack://****/****/****/****"),
        (TELEGRAM, ["123456789", "AABx8iXjE5C"], "tgram://****/****"),
        ("jsons://hooks.example/T0KEN/hook", ["T0KEN"], "jsons://hooks.example/****/****"),
    ],
)  # fmt: skip
def test_masked_urls_hide_secrets_in_paths(url: str, secrets: list[str], masked: str) -> None:
    service, shown = describe(url)
    assert shown == masked
    assert service != "unknown"
    assert not any(secret in shown for secret in secrets)


def test_a_household_subscriber_is_listed_masked(bedtales: App, internet: Internet) -> None:
    internet.names["ntfy.sh"] = [PUBLIC]
    subscribers.add_household_subscriber(
        bedtales.db, "home", kind="ntfy", server=None, topic="tk-secret", settings=bedtales.settings
    )
    [listed] = subscribers.list_subscribers(bedtales.db, "home")
    assert (listed.service, listed.masked_url, listed.added_by) == (
        "ntfy",
        "ntfys://ntfy.sh/****",
        "household",
    )
    assert "tk-secret" not in json.dumps(listed.to_json()) + repr(listed)
