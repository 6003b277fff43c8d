"""Where the site listens and which addresses it hands out, for ``bedtales run`` and
``bedtales web`` both; and the web server itself (uvicorn, with the access log redacted).

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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bedtales.errors import InputError
from bedtales.web import urls

if TYPE_CHECKING:
    import uvicorn

    from bedtales.app import App
    from bedtales.config import Settings

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
    `bedtales run` both do. The media store is built first: a store the settings name
    wrongly stops the site at start, not on every page."""
    import uvicorn

    bedtales.tools.media  # noqa: B018 - built for its checks

    from bedtales.web import create_site

    config = uvicorn.Config(
        create_site(bedtales),
        host=bedtales.settings.web.host,
        port=bedtales.settings.web.port,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        log_level=log_level,
    )
    # after the Config: it sets up uvicorn's loggers, and the filter must outlive that
    redact_access_log()
    return uvicorn.Server(config)
