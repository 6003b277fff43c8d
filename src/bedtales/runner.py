"""The all-in-one service a family runs: ``bedtales run``; and where the site listens and
which addresses it hands out, for ``bedtales run`` and ``bedtales web`` both.

One process holds every part, on whatever the settings choose (SQLite, local media and the
offline engines by default): the scheduler that fires the household's schedules, the pipe
from the story stream to the bus, a worker running the targets (writing the scheduled story,
picture, narration, message), the expiry sweeper, and the web site in front. The
web server owns the main thread and its signals; on SIGINT or SIGTERM it stops taking
requests, then the other parts stop (running handlers finish, the rest is handed back).

On the first start, with no story yet, one is written at once so the family can see the
whole thing work, and its link is printed. After that a story comes when a schedule fires
(19:15 every evening in the household's zone, unless changed with `bedtales schedule`).

Links that leave the site (messages, the JSON API) start with ``web.base_url``. When the
person has not set it, it follows where the site listens (:func:`serving_settings`): the
port given with ``--port``, and with ``--lan`` this machine's address on the home network,
so that a phone can open what it is sent.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bedtales import services
from bedtales.app import App
from bedtales.errors import InputError
from bedtales.expiry import Sweeper
from bedtales.web import urls

if TYPE_CHECKING:
    import uvicorn

    from bedtales.config import Settings

log = logging.getLogger(__name__)

# seconds uvicorn waits for answers in flight (a story being written) before it stops anyway;
# the writer stores a story in one transaction, so stopping mid-way leaves nothing half-done
GRACEFUL_SHUTDOWN_S = 30
# what --lan listens on: every IPv4 address of this machine
ALL_ADDRESSES = "0.0.0.0"  # noqa: S104 - on purpose, and only when asked for
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - compared, not bound
LOCAL = "127.0.0.1"
# TEST-NET-1 (RFC 5737), never routed: "connecting" a UDP socket to it sends nothing; the
# kernel only picks the local address its route would leave from
_ROUTE_PROBE = ("192.0.2.1", 9)


# ----------------------------------------------------------------------------- addresses


def serving_settings(
    settings: Settings, *, host: str | None = None, port: int | None = None, lan: bool = False
) -> Settings:
    """The settings to serve with: ``web.host`` and ``web.port`` where the site listens
    (``--host``/``--port``, all addresses with ``--lan``), and ``web.base_url`` following
    them unless the person set it (file or environment), which always wins."""
    if lan and host is not None:
        raise InputError(
            "give --lan or --host, not both: --lan listens on all addresses", field="host"
        )
    web = settings.web
    listen, port = ALL_ADDRESSES if lan else (host or web.host), port or web.port
    base_url = web.base_url
    if "base_url" not in web.model_fields_set:
        base_url = urls.site(_link_host(listen), port)
    # built, not copied: a base_url worked out here is still not the person's, and whatever
    # asks whether they set one (the podcast feed) must keep hearing no
    served = type(web).model_construct(
        web.model_fields_set | {"host", "port"},
        **{**web.model_dump(), "host": listen, "port": port, "base_url": base_url},
    )
    return settings.model_copy(update={"web": served})


def _link_host(listen: str) -> str:
    """The host links name when the site listens on ``listen``: the LAN address when it
    listens on all of them (this machine's own when it has none), else ``listen`` itself."""
    if listen in _WILDCARDS:
        return next(iter(lan_ips()), LOCAL)
    return listen


def lan_ips() -> list[str]:
    """This machine's IPv4 addresses that another device on the network could open, the one
    its default route leaves from first; never loopback (127.x) or link-local. Found without
    sending a packet: a UDP socket's route, else the addresses its host name resolves to."""
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(_ROUTE_PROBE)
        found.append(str(probe.getsockname()[0]))
    if not found:  # no route out (an offline machine): what the host name says
        with contextlib.suppress(OSError):
            infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
            found += [str(info[4][0]) for info in infos]
    return [ip for ip in dict.fromkeys(found) if _reachable(ip)]


def _reachable(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    return not (
        address.is_loopback
        or address.is_unspecified
        or address.is_link_local
        or address.is_multicast
    )


def is_local(url: str) -> bool:
    """Whether ``url`` names this machine only (127.x, ::1, localhost): no phone opens it."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may well resolve elsewhere
        return False


def site_addresses(settings: Settings, path: str = "/") -> list[str]:
    """The addresses ``path`` opens at: the one links use (``web.base_url``) first, then
    each LAN address when the site listens on all of them, then this machine's own."""
    web = settings.web
    bases = [web.base_url]
    if web.host in _WILDCARDS:
        bases += [urls.site(ip, web.port) for ip in lan_ips()]
        bases.append(urls.site(LOCAL if web.host != "::" else "::1", web.port))
    else:
        bases.append(urls.site(web.host, web.port))
    return [urls.absolute(base, path) for base in dict.fromkeys(bases)]


# ----------------------------------------------------------------------------- the web server


class RedactedAccessLog(logging.Filter):
    """Keeps the capabilities in a request's path out of uvicorn's access log: household
    tokens, media signatures and story ids (:func:`bedtales.web.urls.redacted`). A log is
    read, kept and shipped by more people than the family's private links are meant for."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                urls.redacted(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def redact_access_log() -> None:
    """Install :class:`RedactedAccessLog` on ``uvicorn.access`` (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactedAccessLog) for f in access.filters):
        access.addFilter(RedactedAccessLog())


def web_server(bedtales: App, *, log_level: str | None = None) -> uvicorn.Server:
    """uvicorn serving the site at ``web.host``:``web.port``, as `bedtales web` and
    `bedtales run` both do."""
    import uvicorn

    from bedtales.web import create_app

    config = uvicorn.Config(
        create_app(bedtales),
        host=bedtales.settings.web.host,
        port=bedtales.settings.web.port,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        log_level=log_level,
    )
    # after the Config: it sets up uvicorn's loggers, and the filter must outlive that
    redact_access_log()
    return uvicorn.Server(config)


# ----------------------------------------------------------------------------- bedtales run


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 2


class Runner:
    def __init__(self, bedtales: App, options: RunOptions) -> None:
        self.bedtales = bedtales
        self.options = options
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start_background(self) -> None:
        """Start the scheduler, the pipes, the worker and the sweeper (each in a thread of
        its own)."""
        app = self.bedtales
        parts: list[tuple[str, Callable[[threading.Event], None]]] = [
            ("worker", app.worker(concurrency=self.options.concurrency).run),
            ("scheduler", app.scheduler().run),
            ("sweeper", Sweeper(app.db, app.tools.media).run),
            *((f"pipe-{p.spec.name}", p.run) for p in app.pipes()),
        ]
        for name, run in parts:
            thread = threading.Thread(target=run, args=(self.stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def first_story(self) -> str | None:
        """Write a story now if the default household has none yet; returns its link."""
        app = self.bedtales
        household = app.settings.default_household
        if services.list_stories(app.db, household=household, limit=1):
            return None
        story = app.write_story(household)
        return urls.absolute(app.settings.web.base_url, urls.story(story.id))

    def server(self) -> uvicorn.Server:
        return web_server(self.bedtales, log_level="warning")

    def shut_down(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(GRACEFUL_SHUTDOWN_S + 5)
