"""What a household may make the server send, when it adds a subscriber on its web site.

The operator's subscribers (CLI, admin API) are full Apprise URLs: they may name any host,
method, header or mail server, which is right for the person who runs the server and wrong
for a family with a passphrase. A household's URL could otherwise make the server send
``DELETE`` with an API key to a service on 127.0.0.1, post to the cloud's metadata address,
or relay mail through any SMTP server. So a household's URL is held to a few plain forms,
and bedtales sends to it itself (``notify/publish.py``, ``notify/channels.py``):

- **email** ``mailto://ADDRESS``: one address, sent only through the operator's own mail
  server (``[smtp]`` settings); the URL names the recipient and nothing else.
- **ntfy** ``ntfys://HOST/TOPIC``: a host *name* (no address, port or login), reached over
  https on 443 at an address checked to be public (:func:`check_address`) when sending.
- **Discord, Slack, Telegram** webhooks: the host is fixed (discord.com, hooks.slack.com,
  api.telegram.org); the household gives only the ids and tokens in the path.

Not allowed: every other Apprise service (``json://``, ``form://``, ``xml://``, Matrix,
Gotify, Mattermost… name a host of the household's choosing and are sent by Apprise, whose
connections bedtales cannot pin), and every query parameter: they change the method, the
headers (``+name``), the payload (``:name``, ``-name``), the mail server (``smtp``,
``mode``…), TLS checks (``verify``), redirects, time limits, or read files (``template``).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import quote, unquote

from bedtales.config import Settings
from bedtales.errors import BedtalesError, InputError

IPAddress = IPv4Address | IPv6Address
HTTPS_PORT = 443
URL_MAX = 2000
ADDRESS_MAX = 254
DEFAULT_NTFY_SERVER = "ntfy.sh"
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,64}")

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")

# the forms a household may give, after ``scheme://`` and before any "?"; "/?" at the end
# because Apprise writes its URLs with a trailing slash
_FORMS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"(?P<local>[^/@:?#]+)@(?P<domain>[^/@:?#]+)/?"),
    "ntfy": re.compile(r"(?P<host>[^/@:?#]+)/(?P<topic>[^/?#]+)/?"),
    "discord": re.compile(r"(?P<id>[0-9]{1,30})/(?P<token>[A-Za-z0-9_-]{1,100})/?"),
    "slack": re.compile(
        r"(?P<a>[A-Za-z0-9]{1,30})/(?P<b>[A-Za-z0-9]{1,30})/(?P<c>[A-Za-z0-9]{1,60})/?"
    ),
    "telegram": re.compile(
        r"(?:bot)?(?P<bot>[0-9]{1,20}(?::|%3A)[A-Za-z0-9_-]{1,100})/(?P<chat>-?[0-9]{1,32})/?"
    ),
}
# the webhook addresses Discord and Slack show, read as the same forms
_NATIVE = {
    "discord": re.compile(r"https://(?:discord|discordapp)\.com/api/webhooks/(?P<rest>.+)"),
    "slack": re.compile(r"https://hooks\.slack\.com/services/(?P<rest>.+)"),
}
_SCHEMES = {
    "mailto": "email",
    "mailtos": "email",
    "ntfy": "ntfy",
    "ntfys": "ntfy",
    "discord": "discord",
    "slack": "slack",
    "tgram": "telegram",
}
# where bedtales posts for the services whose host is not the household's to choose
FIXED_HOSTS = {"discord": "discord.com", "slack": "hooks.slack.com", "telegram": "api.telegram.org"}
_HELP = {
    "email": "only mailto://name@example.com (no login or server: mail goes through this "
    "server's own)",
    "ntfy": "only ntfys://SERVER/TOPIC, the server a host name (no address, port or login)",
    "discord": "only discord://WEBHOOK_ID/WEBHOOK_TOKEN, or the "
    "https://discord.com/api/webhooks/… address Discord shows",
    "slack": "only slack://TOKEN_A/TOKEN_B/TOKEN_C, or the https://hooks.slack.com/services/… "
    "address Slack shows",
    "telegram": "only tgram://BOT_TOKEN/CHAT_ID, the chat id a number",
}
# why a query parameter is refused; every parameter is, these say what it would have done
_PARAMETER_WHY = {
    "method": "it changes the HTTP method",
    "smtp": "it names another mail server",
    "mode": "it changes how the message is sent",
    "secure": "it changes how mail is sent",
    "port": "it changes the port",
    "verify": "it turns off TLS certificate checks",
    "redirect": "it changes how redirects are followed",
    "cto": "it changes the time limits",
    "rto": "it changes the time limits",
    "retry": "it sends the message again",
    "template": "it reads a file or an address",
    "attach": "it reads a file or an address",
    "to": "email goes to the one address in the URL",
    "cc": "email goes to the one address in the URL",
    "bcc": "email goes to the one address in the URL",
    "from": "email comes from this server's own address",
    "token": "logins cannot be given here",
    "user": "logins cannot be given here",
    "pass": "logins cannot be given here",
}
_PREFIX_WHY = {
    "+": "it adds an HTTP header",
    ":": "it sets a payload field",
    "-": "it removes a payload field",
}


class AddressRefused(BedtalesError):
    """A host bedtales will not connect to for a household. The message is the same
    whatever the reason, so that a household cannot map the server's network with it;
    ``detail`` (for the log) says which address and why."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"{host} cannot be reached from bedtales")
        self.host = host
        self.detail = detail


@dataclass(frozen=True)
class Target:
    """A household's URL, read: the service and exactly what bedtales sends to."""

    service: str  # email, ntfy, discord, slack or telegram
    host: str  # the https host bedtales posts to; for email, the recipient's domain
    # email: (address,); ntfy: (topic,); discord: (id, token); slack: (a, b, c);
    # telegram: (bot token, chat id)
    parts: tuple[str, ...] = field(repr=False)
    url: str = field(repr=False)  # the URL as stored, in its one plain form


# ----------------------------------------------------------------------------- the web form


def email_url(address: str, settings: Settings) -> str:
    """The subscriber URL for one email address (form field ``email``); refused while the
    operator has not set up the mail server households' email goes through."""
    if not settings.smtp.host:
        raise InputError(
            "email subscribers cannot be added here: the server's operator has not set up mail",
            field="email",
        )
    local, domain = clean_address(address, field="email").split("@")
    return f"mailto://{quote(local, safe='')}@{domain}"


def ntfy_url(server: str | None, topic: str) -> str:
    """The subscriber URL for an ntfy topic (fields ``topic`` and ``server``; no server:
    ntfy.sh). Always https: the topic is the only secret of a public ntfy server."""
    topic = (topic or "").strip()
    if not TOPIC.fullmatch(topic):
        raise InputError(
            "topic must be 1 to 64 letters, digits, - or _ (pick one nobody will guess)",
            field="topic",
        )
    return f"ntfys://{clean_server(server)}/{topic}"


def clean_address(address: str, *, field: str) -> str:
    """One email address, ``local@domain`` and nothing else (no name, no second address)."""
    address = address.strip() if isinstance(address, str) else ""
    local, at, domain = address.rpartition("@")
    if (
        not at
        or len(address) > ADDRESS_MAX
        or len(local) > 64
        or not _LOCAL_PART.fullmatch(local)
        or not _is_host_name(domain)
    ):
        raise InputError(f"{field} must be one email address, like name@example.com", field=field)
    return f"{local}@{domain.lower()}"


def clean_server(server: str | None) -> str:
    """An ntfy server's host name (field ``server``): https, port 443, no path."""
    host = (server or "").strip() or DEFAULT_NTFY_SERVER
    if host.lower().startswith("https://"):
        host = host[len("https://") :]
    host = host.rstrip("/")
    if not _is_host_name(host):
        raise InputError(
            "server must be the host name of an https ntfy server, like ntfy.sh "
            "(no http://, port, path or IP address)",
            field="server",
        )
    return host.lower()


def _is_host_name(host: str) -> bool:
    """A DNS name with a dot and a top-level label that is not a number: never an IP."""
    return (
        len(host) <= 253
        and _HOST_NAME.fullmatch(host) is not None
        and not host.rpartition(".")[2].isdigit()
    )


# ----------------------------------------------------------------------------- any URL


def check_household_url(url: str) -> str:
    """The URL a household gave, held to the policy above and written in its one plain
    form; :class:`InputError` (field ``url``) naming what is refused."""
    return read_household_url(url).url


def read_household_url(url: str) -> Target:
    """:func:`check_household_url`, and what the URL sends to: the sending side reads the
    URL with this same function, so what was checked is what is sent."""
    if not isinstance(url, str) or not url.strip():
        raise InputError("url must not be empty", field="url")
    url = url.strip()
    if len(url) > URL_MAX:
        raise InputError(f"url is {len(url)} characters long; the most is {URL_MAX}", field="url")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InputError("url must not contain spaces or line breaks", field="url")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    service = _service(scheme, url) if sep else None
    rest, _, query = rest.partition("?")
    refused = _refused_parameters(query)
    if service is None:
        allowed = ", ".join(f"{s}://" for s in _SCHEMES)
        raise InputError(
            f"only these services can be added here: {allowed}, and the webhook addresses "
            "Discord and Slack show" + (f"; and {refused}" if refused else ""),
            field="url",
        )
    if refused:
        raise InputError(refused[0].upper() + refused[1:], field="url")
    if "#" in rest:
        raise InputError(
            "url must not contain # (a Slack webhook posts to its own channel)", field="url"
        )
    if scheme == "https":  # the webhook address Discord or Slack shows: the same tokens
        native = _NATIVE[service].fullmatch(f"https://{rest}")
        rest = native["rest"] if native else ""
    return _read_form(service, rest)


def _service(scheme: str, url: str) -> str | None:
    if scheme == "https":
        return next((name for name, form in _NATIVE.items() if form.match(url)), None)
    return _SCHEMES.get(scheme)


def _refused_parameters(query: str) -> str | None:
    """Every query parameter is refused: what each one would have done, or None."""
    names = [unquote(part.split("=", 1)[0]) for part in query.split("&") if part]
    if not names:
        return None
    reasons = ", ".join(f"{name} ({_why(name)})" for name in names)
    return f"settings after ? cannot be given here; refused: {reasons}"


def _why(name: str) -> str:
    if name[:1] in _PREFIX_WHY:
        return _PREFIX_WHY[name[:1]]
    return _PARAMETER_WHY.get(name.lower(), "only the plain form of the URL is accepted")


def _read_form(service: str, rest: str) -> Target:
    match = _FORMS[service].fullmatch(rest)
    if match is None:
        raise InputError(f"this {service} URL cannot be added here: {_HELP[service]}", field="url")
    if service == "email":
        address = clean_address(f"{unquote(match['local'])}@{match['domain']}", field="url")
        local, domain = address.split("@")
        return Target("email", domain, (address,), f"mailto://{quote(local, safe='')}@{domain}")
    if service == "ntfy":
        try:  # the form's own rules, told against "url"
            host, stored = clean_server(match["host"]), ntfy_url(match["host"], match["topic"])
        except InputError as exc:
            raise InputError(str(exc), field="url") from None
        return Target("ntfy", host, (match["topic"],), stored)
    host = FIXED_HOSTS[service]
    if service == "discord":
        parts: tuple[str, ...] = (match["id"], match["token"])
        return Target(service, host, parts, f"discord://{parts[0]}/{parts[1]}")
    if service == "slack":
        parts = (match["a"], match["b"], match["c"])
        return Target(service, host, parts, "slack://" + "/".join(parts))
    parts = (unquote(match["bot"]), match["chat"])
    return Target(service, host, parts, f"tgram://{parts[0]}/{parts[1]}")


# ----------------------------------------------------------------------------- addresses

CGNAT = IPv4Network("100.64.0.0/10")  # carrier-grade NAT: ipaddress calls it neither
NAT64 = IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix: an IPv4 address inside
IPV4_COMPATIBLE = IPv6Network("::/96")  # deprecated ::a.b.c.d


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order. A module seam: tests
    replace it to say "ntfy.example resolves to 93.184.216.34" without a network."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = [ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    return list(dict.fromkeys(addresses))


def check_address(host: str, port: int) -> list[IPAddress]:
    """The addresses of ``host``, each checked to be on the public internet: any address
    that is not refuses the host (a name resolving to one public and one private address
    must not be a coin toss). :class:`AddressRefused` otherwise, or when it does not resolve."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise AddressRefused(host, f"{host} does not resolve: {exc}") from None
    if not addresses:
        raise AddressRefused(host, f"{host} resolves to no address")
    for address in addresses:
        problem = refused_because(address)
        if problem is not None:
            raise AddressRefused(host, f"{host} resolves to {address}, {problem}")
    return addresses


def refused_because(address: IPAddress) -> str | None:
    """Why bedtales will not connect to ``address`` for a household, or None if it may."""
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:  # the IPv4 address a mapped, NAT64 or 6to4 one reaches
            problem = refused_because(inner)
            return None if problem is None else f"{problem} ({inner} inside it)"
        if address.is_site_local:
            return "a site-local address"
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    for attribute, problem in checks:
        if getattr(address, attribute):
            return problem
    if isinstance(address, IPv4Address) and address in CGNAT:
        return "a carrier-grade NAT address"
    if not address.is_global:
        return "not a public address"
    return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):  # not :: or ::1
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None
