"""Channels: one message to one Apprise URL (``mailto://``, ``ntfy://``, ``slack://``,
``discord://``, ``tgram://``, ``json://``…), and reading and masking such URLs.

Apprise reads, checks and privacy-prints every URL, and sends to every channel but email.
Email is built here (a text part and an HTML part of our own) and handed to ``smtplib``
with the server, security mode, login and addresses Apprise read from the ``mailto://``
URL: Apprise's email plugin would make the text part itself from the HTML, and its
converter drops the links, the one thing the message is for.

A URL a household added on its web site is not sent this way: it is read again under the
site's rules (:mod:`bedtales.notify.guard`) and sent by bedtales itself, email through the
operator's mail server (``[smtp]``) and the rest to an address checked to be public
(:mod:`bedtales.notify.publish`); the household is told only a generic reason.

A URL may hold a password or a token: it is only ever shown masked (:func:`mask_url`), and
errors from a channel are passed on only where they cannot echo it.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any
from urllib.parse import unquote

from apprise import Apprise, AppriseAsset, NotifyBase, NotifyFormat
from apprise.plugins import N_MGR
from apprise.plugins.email import NotifyEmail
from apprise.utils.parse import parse_urls

from bedtales.config import SmtpSettings
from bedtales.errors import BedtalesError, InputError
from bedtales.notify.guard import read_household_url
from bedtales.notify.messages import Message
from bedtales.notify.publish import PublishFailed, publish, shown_name

log = logging.getLogger(__name__)

URL_MAX = 2000
# "bedtales" rather than "Apprise" as the sender's name, in emails and chat messages
ASSET = AppriseAsset(app_id="bedtales", app_desc="bedtales bedtime stories")
# Apprise's plugin registry and URL splitter, which it leaves unannotated
_PLUGINS: Any = N_MGR
_split_urls: Callable[[str], list[str]] = parse_urls
# query parameters Apprise privacy-prints as they are: custom headers (+), payload fields (:)
# and anything named like a secret
_SECRET_PARAM = re.compile(r"^[+:]|token|key|secret|pass|auth|sig|pw", re.IGNORECASE)
# services whose path is a secret (webhook ids and tokens; an ntfy topic is all that guards a
# public server's messages), and those whose "host" is a token too: Apprise leaves them
# readable, or shows their first and last characters
_SECRET_PATH = frozenset({"ntfy", "ntfys", "json", "jsons", "xml", "xmls", "form", "forms"})
_SECRET_HOST = frozenset({"discord", "slack", "tgram"})


class SendFailed(BedtalesError):
    """A channel did not take the message; the reason never holds the URL's secrets."""


def describe(url: str) -> tuple[str, str]:
    """``(service name, masked URL)`` of a stored URL, even one Apprise no longer reads."""
    plugin = Apprise.instantiate(url, asset=ASSET)
    if plugin is None:
        return "unknown", _scheme(url) + "://****"
    return str(plugin.service_name), mask_url(plugin, url)


def read_url(url: str) -> NotifyBase:
    """The Apprise plugin for ``url``; :class:`InputError` (field ``url``) with the reason."""
    if not isinstance(url, str) or not url:
        raise InputError("url must not be empty", field="url")
    if len(url) > URL_MAX:
        raise InputError(f"url is {len(url)} characters long; the most is {URL_MAX}", field="url")
    if any(ch.isspace() for ch in url):
        raise InputError("url must not contain spaces or line breaks", field="url")
    if "://" not in url:
        raise InputError(
            "url must look like service://…, for example mailto://user:password@example.com",
            field="url",
        )
    if len(_split_urls(url)) != 1:
        raise InputError("url must be one Apprise URL; add each subscriber alone", field="url")
    scheme = _scheme(url)
    if scheme not in _PLUGINS:
        raise InputError(f"unknown service {scheme}:// (see docs/notify.md)", field="url")
    kind = _PLUGINS[scheme]
    if not kind.enabled:
        raise InputError(
            f"{scheme}:// cannot be used here: a package it needs is missing", field="url"
        )
    try:
        plugin = Apprise.instantiate(url, asset=ASSET, suppress_exceptions=False)
    except Exception as exc:  # Apprise's reason, e.g. "An invalid Slack Token was specified"
        raise InputError(f"not a usable {kind.service_name} URL: {exc}", field="url") from None
    if plugin is None:
        raise InputError(
            f"Apprise cannot read this {kind.service_name} URL; its forms are listed at "
            f"{kind.setup_url}",
            field="url",
        )
    return plugin


def mask_url(plugin: NotifyBase, given: str) -> str:
    """Apprise's privacy print of the URL (passwords and tokens hidden), keeping only the
    query parameters the person wrote, with values that may be secrets hidden too."""
    masked = _privacy_print(plugin)
    base, _, query = masked.partition("?")
    base = _mask_path(base)
    wanted = {_param_name(part) for part in given.partition("?")[2].split("&") if part}
    kept = []
    for part in query.split("&"):
        name = _param_name(part)
        if part and name in wanted:
            kept.append(f"{part.split('=', 1)[0]}=****" if _SECRET_PARAM.search(name) else part)
    return base.rstrip("/") + ("?" + "&".join(kept) if kept else "")


def _mask_path(base: str) -> str:
    """``ntfys://ntfy.sh/****``, ``discord://****/****``: the service and a real host kept."""
    scheme, sep, rest = base.partition("://")
    if scheme.lower() not in _SECRET_PATH | _SECRET_HOST:
        return base
    netloc, slash, path = rest.partition("/")
    if scheme.lower() in _SECRET_HOST:
        netloc = "****"
    return scheme + sep + netloc + slash + "/".join("****" if p else p for p in path.split("/"))


def _privacy_print(plugin: Any) -> str:  # Any: Apprise leaves url() unannotated
    return str(plugin.url(privacy=True))


def _param_name(part: str) -> str:
    return unquote(part.split("=", 1)[0]).lower()


def _scheme(url: str) -> str:
    return url.partition("://")[0].lower()


# ----------------------------------------------------------------------------- sending


def send(
    url: str,
    message: Message,
    *,
    household_added: bool = False,
    smtp: SmtpSettings | None = None,
) -> None:
    """Send ``message`` to one subscriber URL; :class:`SendFailed` with the reason.

    ``household_added``: the URL came from a household's web site, and is sent under its
    rules (:func:`_send_for_household`); ``smtp`` is the operator's mail server, the only
    one such email goes through. The operator's URLs have Apprise's full power."""
    if household_added:
        _send_for_household(url, message, smtp)
        return
    try:
        plugin = read_url(url)
        if isinstance(plugin, NotifyEmail) and plugin.pgp_mode == "no":
            _send_email(plugin, message)
        else:  # chat and push channels, and email Apprise must sign or encrypt (pgp=…)
            _send_with_apprise(plugin, message)
    except SendFailed:
        raise
    except InputError as exc:
        raise SendFailed(f"the subscriber's URL cannot be used: {exc}") from None
    except Exception as exc:  # never let a channel crash the worker; keep secrets out
        raise SendFailed(_redacted(f"{type(exc).__name__}: {exc}", url)) from None


def _send_with_apprise(plugin: NotifyBase, message: Message) -> None:
    email = isinstance(plugin, NotifyEmail)
    apprise = Apprise(asset=ASSET)
    apprise.add(plugin)
    # text for chats: Apprise escapes it for channels that speak HTML or markdown, so a
    # story's words can never become markup there
    result = apprise.notify(
        body=message.html if email else message.chat,
        title=message.subject,
        body_format=NotifyFormat.HTML if email else NotifyFormat.TEXT,
    )
    if not result:
        # Apprise's own log lines: written with its secure logging, so URLs come masked
        reasons = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
        raise SendFailed("; ".join(reasons) or f"{plugin.service_name} did not take the message")


@dataclass(frozen=True)
class _Smtp:
    """What Apprise read from a ``mailto://`` URL (provider defaults applied), typed."""

    host: str
    port: int
    mode: str  # insecure, ssl or starttls
    user: str | None
    password: str | None = field(repr=False)
    verify: bool
    timeout: float
    sender: tuple[str, str]
    to: list[tuple[str, str]]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    headers: dict[str, str]


def _smtp(plugin: Any) -> _Smtp:
    from_name, sender = plugin.from_addr
    return _Smtp(
        host=str(plugin.smtp_host),
        port=int(plugin.port),
        mode=str(plugin.secure_mode),
        user=str(plugin.user) if plugin.user else None,
        password=str(plugin.password) if plugin.password else None,
        verify=bool(plugin.verify_certificate),
        timeout=float(plugin.socket_connect_timeout),
        sender=(str(from_name or "bedtales"), str(sender)),
        to=[(str(name or ""), str(address)) for name, address in plugin.targets],
        cc=sorted(plugin.cc),
        bcc=sorted(plugin.bcc),
        reply_to=sorted(plugin.reply_to),
        headers={str(k): str(v) for k, v in dict(plugin.headers).items()},
    )


def _send_for_household(url: str, message: Message, smtp: SmtpSettings | None) -> None:
    """A household's subscriber: its URL read again under the site's rules (it may have been
    stored before a rule came, or written to the database by hand), then sent by bedtales
    itself. The household hears one sentence; the log gets the reason."""
    try:
        target = read_household_url(url)
    except InputError as exc:  # names what is refused, never the URL's tokens
        log.warning("a household's subscriber URL is refused: %s", exc)
        raise SendFailed("this subscriber's URL can no longer be used") from None
    route = _household_route(target.parts[0], smtp) if target.service == "email" else None
    where = "the mail server" if route is not None else shown_name(target)
    try:
        if route is not None:
            _deliver(route, message)
        else:
            publish(target, message)
    except PublishFailed as exc:
        log.warning("%s: %s", exc, exc.detail)
        raise SendFailed(str(exc)) from None
    except Exception as exc:  # the mail server's answer, or a failure nobody foresaw
        log.warning("%s failed for a household: %s", where, _redacted(str(exc), url))
        raise SendFailed(f"{where} did not take the message") from None


def _household_route(address: str, smtp: SmtpSettings | None) -> _Smtp:
    """The operator's mail server, to the one address of a household's subscriber."""
    if smtp is None or not smtp.host or not smtp.sender:
        raise SendFailed("email cannot be sent: the server's operator has not set up mail")
    return _Smtp(
        host=smtp.host,
        port=smtp.resolved_port,
        mode="insecure" if smtp.security == "none" else smtp.security,
        user=smtp.user,
        password=smtp.password.get_secret_value() if smtp.password else None,
        verify=True,
        timeout=smtp.timeout_s,
        sender=("bedtales", smtp.sender),
        to=[("", address)],
        cc=[],
        bcc=[],
        reply_to=[],
        headers={},
    )


def _send_email(plugin: NotifyEmail, message: Message) -> None:
    """One multipart email (text, then HTML) to the URL's To, Cc and Bcc addresses."""
    _deliver(_smtp(plugin), message)


def _deliver(route: _Smtp, message: Message) -> None:
    """Hand the email to the route's mail server: the URL's, or the operator's."""
    mail, recipients = _email(route, message)
    context = ssl.create_default_context()
    if not route.verify:  # the person asked for it in the URL (verify=no)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    where = f"the mail server {route.host}:{route.port}"
    try:
        smtp = (
            smtplib.SMTP_SSL(route.host, route.port, timeout=route.timeout, context=context)
            if route.mode == "ssl"
            else smtplib.SMTP(route.host, route.port, timeout=route.timeout)
        )
        with smtp:
            if route.mode == "starttls":
                smtp.starttls(context=context)
            if route.user and route.password:
                smtp.login(route.user, route.password)
            refused = smtp.send_message(mail, route.sender[1], recipients)
    except (OSError, smtplib.SMTPException) as exc:
        # smtplib's messages are the server's replies or the socket's: no password in them
        raise SendFailed(f"{where} did not take it: {exc}") from None
    if refused:  # the others took it: not retried, or they would get it twice
        log.warning("%s refused %s", where, ", ".join(sorted(refused)))


def _email(route: _Smtp, message: Message) -> tuple[EmailMessage, list[str]]:
    recipients = _unique_in_order([a for _, a in route.to] + route.cc + route.bcc)
    if not recipients:
        raise SendFailed("the mailto URL names no address Apprise could read")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = formataddr(route.sender)
    mail["To"] = ", ".join(formataddr(pair) for pair in route.to)
    if route.cc:
        mail["Cc"] = ", ".join(route.cc)
    if route.reply_to:
        mail["Reply-To"] = ", ".join(route.reply_to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = _message_id(route, message)
    for name, value in route.headers.items():  # +Header=value in the URL
        mail[name] = value
    mail.set_content(message.text)
    picture = message.picture
    mail.add_alternative(message.html if picture is None else picture.html, subtype="html")
    html = mail.get_body(("html",))
    if picture is not None and html is not None:
        # the HTML part becomes multipart/related: the HTML, then the picture its cid: names
        maintype, _, subtype = picture.mime.partition("/")
        html.add_related(
            picture.data, maintype, subtype, cid=f"<{picture.content_id}>", disposition="inline"
        )
    return mail, recipients


def _message_id(route: _Smtp, message: Message) -> str:
    """The message's own stable id at the sender's domain, or a fresh one."""
    domain = route.sender[1].rpartition("@")[2]
    if message.message_id is None:
        return make_msgid(domain=domain or None)
    return f"<{message.message_id}@{domain or 'bedtales.invalid'}>"


def _unique_in_order(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _redacted(text: str, url: str) -> str:
    """``text`` with every longer piece of ``url`` hidden: an exception we did not expect
    (from a library under Apprise) may quote the URL, tokens and all."""
    pieces = {url, *re.split(r"[/:@?&=#,;]+", url.partition("://")[2])}
    for piece in sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True):
        text = text.replace(piece, "****").replace(unquote(piece), "****")
    return text
