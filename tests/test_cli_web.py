"""`bedtales web` and `bedtales run`: a real uvicorn in a child process, stopped the way
people and systemd do; where it listens, the addresses it prints and what its log keeps."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import segno
from markupsafe import escape
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.cli.main import cli
from bedtales.cli.web import print_addresses
from bedtales.config import load_settings
from bedtales.domain import Story
from bedtales.errors import InputError
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.processes import Runner, RunOptions
from bedtales.web import serving, urls
from bedtales.web.serving import lan_ips, serving_settings
from servers.smtp import SmtpServer

START_TIMEOUT_S = 30.0
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_web_help_names_its_options() -> None:
    result = runner.invoke(cli, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data-dir"):
        assert option in result.stdout


def test_web_refuses_a_port_out_of_range(data_dir: Path) -> None:
    result = runner.invoke(cli, ["web", "--port", "70000", "--data-dir", str(data_dir)])
    assert result.exit_code == 2


def wait_until_healthy(process: subprocess.Popen[str], address: str) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()
        try:
            return httpx.get(f"{address}/healthz", timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "bedtales web did not start"
            time.sleep(0.1)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_web_serves_until_stopped_then_exits_cleanly(data_dir: Path, stop: signal.Signals) -> None:
    port = free_port()
    command = [sys.executable, "-m", "bedtales", "web", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        address = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(process, address).json() == {"status": "ok"}
        assert httpx.get(f"{address}/readyz", timeout=5).status_code == 200
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"bedtales web on {address}" in stdout
    assert "Traceback" not in stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_run_writes_a_first_story_completes_it_and_stops_cleanly(
    data_dir: Path, stop: signal.Signals
) -> None:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bedtales", "run", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_healthy(process, address)
        bedtales = App.open(data_dir)
        try:
            deadline = time.monotonic() + 60
            while True:
                [story] = services.list_stories(bedtales.db)  # written at once, one only
                if story.image.state == story.audio.state == "done":
                    break
                assert time.monotonic() < deadline, "the first story was never completed"
                time.sleep(0.2)
        finally:
            bedtales.close()
        page = httpx.get(f"{address}/stories/{story.id}", timeout=5)
        assert page.status_code == 200
        assert str(escape(story.title)) in page.text  # as the page escapes it ("Nimbus&#39;")
    finally:
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert f"/stories/{story.id}" in stdout  # the link to the first story is printed
    for step in ("written for home", "illustrated", "narrated"):
        assert step in stderr  # one readable line per story step


def test_run_writes_no_first_story_when_there_is_one(data_dir: Path) -> None:
    bedtales = App.open(data_dir)
    try:
        bedtales.write_story(seed=1)
        runner_ = Runner(bedtales, RunOptions())
        assert runner_.first_story() is None
    finally:
        bedtales.close()


def test_run_tells_the_family_of_the_first_story_and_of_each_firing(
    data_dir: Path, smtp_server: SmtpServer
) -> None:
    """What a family sees: `bedtales run` writes a story at once, then another when a
    schedule fires, each painted, narrated and emailed (to a real SMTP server)."""
    bedtales = App.open(data_dir)
    subscribers.add_subscriber(bedtales.db, "home", smtp_server.url(), label="family")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtales", "run", "--data-dir", str(data_dir),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        [first] = wait_for_complete_stories(bedtales, 1)
        smtp_server.wait_for(1, timeout_s=60)
        soon = (datetime.now(UTC) + timedelta(seconds=3)).astimezone(ZoneInfo("Europe/London"))
        added = runner.invoke(
            cli,
            ["schedule", "add", f"at({soon:%Y-%m-%dT%H:%M:%S})", "--name", "soon",
             "--data-dir", str(data_dir)],
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        stories = wait_for_complete_stories(bedtales, 2)
        [second] = [story for story in stories if story.id != first.id]
        messages = smtp_server.wait_for(2, timeout_s=60)
    finally:
        bedtales.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    links = [message.get_body(("plain",)).get_content() for message in messages]  # type: ignore[union-attr]
    assert f"/stories/{first.id}" in links[0]
    assert f"/stories/{second.id}" in links[1]
    assert "scheduler: fired 1 schedule(s)" in stderr
    assert f"schedule soon of home: story {second.id}" in stderr


def wait_for_complete_stories(bedtales: App, count: int) -> list[Story]:
    deadline = time.monotonic() + 90
    while True:
        stories = services.list_stories(bedtales.db)
        assert len(stories) <= count, f"more stories than expected: {stories}"
        if len(stories) == count and all(s.image.state == s.audio.state == "done" for s in stories):
            return stories
        assert time.monotonic() < deadline, f"{count} complete stories never came: {stories}"
        time.sleep(0.2)


# ----------------------------------------------------------------------------- addresses


@contextmanager
def started(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`bedtales ARGS --data-dir DATA_DIR` in a child process, stopped with SIGTERM after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtales", *args, "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def painted_story(data_dir: Path) -> Story:
    bedtales = App.open(data_dir)
    try:
        story = bedtales.write_story(seed=7)
        event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"e-{story.id}")
        bedtales.run_delivery(Delivery(event, "illustrate", attempt=1, receipt="r1"))
        return services.get_story(bedtales.db, story.id)
    finally:
        bedtales.close()


def page_token(data_dir: Path) -> str:
    bedtales = App.open(data_dir)
    try:
        return services.get_household(bedtales.db, "home").page_token
    finally:
        bedtales.close()


def test_a_page_served_at_another_port_shows_a_picture_that_loads(data_dir: Path) -> None:
    """The bug this fixes: links were built for web.base_url's port (8080), not --port."""
    story = painted_story(data_dir)
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    with started(data_dir, "web", "--port", str(port)) as process:
        wait_until_healthy(process, address)
        page = httpx.get(f"{address}/stories/{story.id}", timeout=5)
        source = re.search(r'<img src="([^"]+)" alt=', page.text)
        assert source is not None
        picture = httpx.get(page.url.join(unescape(source[1])), timeout=5)  # as a browser would
        assert picture.status_code == 200
        assert picture.headers["content-type"] == "image/png"
        # what leaves the site (the API here) is absolute, at the port it was started on
        image_url = httpx.get(f"{address}/api/stories/{story.id}", timeout=5).json()["image"]["url"]
        assert image_url.startswith(f"{address}/media/stories/{story.id}/image.png?")
        assert httpx.get(image_url, timeout=5).content == picture.content
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=30)
    assert f"story links start with {address};" in stdout


def test_web_lan_listens_on_every_address_and_names_the_lan_one(data_dir: Path) -> None:
    story = painted_story(data_dir)
    token = page_token(data_dir)
    port = free_port()
    # the test machine's own answer: where links should point (127.0.0.1 on one with no LAN)
    lan = lan_ips()
    base = f"http://{lan[0]}:{port}" if lan else f"http://127.0.0.1:{port}"
    with started(data_dir, "web", "--lan", "--port", str(port)) as process:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        for ip in lan:  # listening on all addresses: each LAN one answers too
            assert httpx.get(f"http://{ip}:{port}/healthz", timeout=5).status_code == 200
        view = httpx.get(f"http://127.0.0.1:{port}/api/stories/{story.id}", timeout=5).json()
        assert view["image"]["url"].startswith(f"{base}/media/")
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"bedtales web on http://0.0.0.0:{port}" in stdout
    assert f"story links start with {base};" in stdout
    page = urls.household(token)
    for ip in lan:
        assert f"  http://{ip}:{port}{page}\n" in stdout
    assert f"  http://127.0.0.1:{port}{page} (this machine only)" in stdout
    assert "▀" not in stdout, "no QR code when the output is not a terminal"


def test_lan_and_host_together_are_refused(data_dir: Path) -> None:
    result = runner.invoke(cli, ["web", "--lan", "--host", "10.0.0.2", "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert "give --lan or --host, not both" in result.stderr


def test_a_base_url_the_person_set_is_kept(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, web={"base_url": "https://tales.example"})
    served = serving_settings(settings, port=9000, lan=True)
    assert served.web.base_url == "https://tales.example"
    assert (served.web.host, served.web.port) == (serving.ALL_ADDRESSES, 9000)


def test_an_unset_base_url_follows_the_port_and_stays_unset(tmp_path: Path) -> None:
    served = serving_settings(load_settings(tmp_path), port=9000)
    assert served.web.base_url == "http://127.0.0.1:9000"
    # the podcast feed asks whether the person set one: still no
    assert "base_url" not in served.web.model_fields_set
    assert serving_settings(load_settings(tmp_path), host="10.1.2.3").web.base_url == (
        "http://10.1.2.3:8080"
    )
    with pytest.raises(InputError) as both:
        serving_settings(load_settings(tmp_path), host="10.1.2.3", lan=True)
    assert both.value.field == "host"


def test_lan_ips_fall_back_to_the_host_name_and_skip_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoRoute(socket.socket):
        def connect(self, address: object) -> None:
            raise OSError("Network is unreachable")

    found = ["127.0.1.1", "169.254.3.4", "192.168.1.7", "192.168.1.7", "10.0.0.9"]
    monkeypatch.setattr(socket, "socket", NoRoute)
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *_args: [(socket.AF_INET, 0, 0, "", (ip, 0)) for ip in found],
    )
    assert lan_ips() == ["192.168.1.7", "10.0.0.9"]


def terminal_qr(url: str) -> str:
    drawn = io.StringIO()
    segno.make(url).terminal(out=drawn, compact=True)
    return drawn.getvalue()


def test_the_qr_code_is_of_the_first_address_a_phone_can_open(
    bedtales: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = services.get_household(bedtales.db, "home").page_token
    bedtales.settings = serving_settings(
        load_settings(bedtales.settings.data_dir, web={"base_url": "http://tales.example:9000"})
    )
    print_addresses(bedtales, qr=True)
    shown = capsys.readouterr().out
    page = f"http://tales.example:9000{urls.household(token)}"
    assert f"  {page}\n" in shown
    assert terminal_qr(page).rstrip("\n") in shown
    print_addresses(bedtales, qr=False)
    assert "▀" not in capsys.readouterr().out
    print_addresses(bedtales, qr=None)  # piped, as under a service manager: addresses only
    assert "▀" not in capsys.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    print_addresses(bedtales, qr=None)  # a person at a terminal
    assert terminal_qr(page).rstrip("\n") in capsys.readouterr().out


def test_no_qr_code_of_an_address_only_this_machine_opens(
    bedtales: App, capsys: pytest.CaptureFixture[str]
) -> None:
    bedtales.settings = serving_settings(bedtales.settings, port=9000)
    print_addresses(bedtales, qr=True)
    shown = capsys.readouterr().out
    assert "(this machine only)" in shown
    assert "▀" not in shown
    assert "--lan" in shown


def test_run_lan_with_qr_prints_the_household_page_as_a_qr_code(data_dir: Path) -> None:
    token = page_token(data_dir)
    port = free_port()
    base = f"http://tales.example:{port}"  # set by the person: kept, and not this machine's
    with started(
        data_dir, "run", "--lan", "--qr", "--port", str(port),
        env={"BEDTALES_WEB__BASE_URL": base},
    ) as process:  # fmt: skip
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    page = base + urls.household(token)
    assert f"Tonight's first story is being painted and narrated: {base}/stories/" in stdout
    assert f"  {page}\n" in stdout
    assert terminal_qr(page).rstrip("\n") in stdout


# ----------------------------------------------------------------------------- the access log


def test_the_access_log_keeps_no_private_link(data_dir: Path) -> None:
    story = painted_story(data_dir)
    token = page_token(data_dir)
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    with started(data_dir, "web", "--port", str(port)) as process:
        wait_until_healthy(process, address)
        image = httpx.get(f"{address}/api/stories/{story.id}", timeout=5).json()["image"]["url"]
        for path in (f"/households/{token}", f"/stories/{story.id}", f"/story?id={story.id}"):
            httpx.get(address + path, timeout=5)
        assert httpx.get(image, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=30)
    # the page's own address is printed at start, on purpose; the log lines follow
    logged = "\n".join(line for line in stdout.splitlines() if " HTTP/1.1" in line)
    signature = image.rpartition("signature=")[2]
    assert f"/api/stories/{story.id[:8]}-****" in logged  # each request is logged…
    assert "/households/**** HTTP/1.1" in logged
    assert f"/stories/{story.id[:8]}-**** HTTP/1.1" in logged
    assert "signature=**** HTTP/1.1" in logged
    for secret in (token, story.id, signature):  # …its capabilities are not
        assert secret not in logged


def test_run_redacts_its_access_log_too(bedtales: App) -> None:
    access = logging.getLogger("uvicorn.access")
    for installed in [f for f in access.filters if isinstance(f, serving.RedactedAccessLog)]:
        access.removeFilter(installed)  # left by an earlier test in this process
    Runner(bedtales, RunOptions()).server()  # as `bedtales run` builds it
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    access.addHandler(handler)
    token, story_id = "Zx9" * 11, "0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"
    try:
        for path in (
            f"/households/{token}/podcast.xml",
            f"/media/stories/{story_id}/x?signature=ab",
        ):
            access.warning('%s - "%s %s HTTP/%s" %d', "10.0.0.2:5", "GET", path, "1.1", 200)
    finally:
        access.removeHandler(handler)
    logged = lines.getvalue()
    assert '"GET /households/****/podcast.xml HTTP/1.1" 200' in logged
    assert '"GET /media/stories/0b5a3a4e-****/x?signature=**** HTTP/1.1" 200' in logged
    assert token not in logged


def test_a_household_link_inside_a_query_is_redacted_too() -> None:
    """The sign-in link carries the page to go back to, percent-encoded, in ?next=."""
    from bedtales.web import urls

    token = "Kq3v9XzN2bLp7RtY5wMe8HcJ4uFa6DsG"
    link = urls.sign_in(token, urls.household(token, "bedtime"))
    assert token in link
    assert token not in urls.redacted(link)
    assert token not in urls.redacted(link.replace("%2F", "%2f"))
