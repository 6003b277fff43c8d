"""Posting to a household's chat and push subscribers (ntfy, Discord, Slack, Telegram):
done by bedtales itself, not by Apprise, so that the connection goes to the address that was
checked and nowhere else.

Apprise resolves a host name when it connects, after any check bedtales could make, and
follows redirects: a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding), or a server that redirects inward, would carry a household's
message inside the network. Here the host is resolved once (:func:`guard.check_address`),
and the request goes to that address with the name in the ``Host`` header and in TLS's SNI,
so the certificate is still checked for the name. No redirect is followed, no proxy from the
environment is used, and the time limits are short (5 s to connect, 15 s to read).

What the household is told on a failure is one sentence ("ntfy.sh did not take the
message"): the status, the server's answer or the refused address go to the log only.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from bedtales.errors import BedtalesError
from bedtales.notify.guard import HTTPS_PORT, AddressRefused, IPAddress, Target, check_address
from bedtales.notify.messages import Message

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)
BODY_MAX = 1900  # characters of chat text: under Discord's 2000, far under the others'
USER_AGENT = "bedtales"
SERVICE_NAMES = {"discord": "Discord", "slack": "Slack", "telegram": "Telegram"}
# Discord renders Markdown in a webhook's text: these would format or link a story's words
_DISCORD_MARKUP = str.maketrans({c: "\\" + c for c in "\\*_~`|<>[]()#-@:"})


class PublishFailed(BedtalesError):
    """The service did not take the message; the message is for the household, ``detail``
    for the log."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where} did not take the message")
        self.detail = detail


def shown_name(target: Target) -> str:
    """How a household is told the service: its ntfy server's name, or the service's."""
    return SERVICE_NAMES.get(target.service, target.host)


def publish(target: Target, message: Message) -> None:
    """Post ``message`` to a household's ntfy, Discord, Slack or Telegram subscriber;
    :class:`PublishFailed` with a generic reason if it was not taken."""
    path, body = _request(target, message)
    try:
        response = _post(target.host, path, body)
    except AddressRefused as exc:
        raise PublishFailed(shown_name(target), exc.detail) from None
    except httpx.HTTPError as exc:  # its text is the socket's or TLS's: no URL, no token
        raise PublishFailed(shown_name(target), f"{type(exc).__name__}: {exc}") from None
    if not response.is_success:
        detail = f"HTTP {response.status_code} from {target.host}: {response.text[:200]!r}"
        raise PublishFailed(shown_name(target), detail)


def dial(address: IPAddress, port: int) -> tuple[str, str, int]:
    """``(scheme, host, port)`` actually connected to for a checked address: the address
    itself, over https. A seam for tests only (tests/test_notify_guard.py turns it to a
    local plain-http server, to see what is sent without the internet); nothing else
    replaces it."""
    return "https", str(address), port


def _post(host: str, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST to ``host`` at the address checked for it, trying the next checked address
    only when one cannot be connected to (then nothing was sent)."""
    failure: httpx.HTTPError | None = None
    for address in check_address(host, HTTPS_PORT):
        scheme, connect_to, port = dial(address, HTTPS_PORT)
        netloc = f"[{connect_to}]" if ":" in connect_to else connect_to
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
            try:
                return client.post(
                    f"{scheme}://{netloc}:{port}{path}",
                    json=body,
                    headers={"Host": host, "User-Agent": USER_AGENT},
                    extensions={"sni_hostname": host},
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                log.info("%s at %s: %s; trying its next address", host, address, exc)
                failure = exc
    assert failure is not None  # check_address returns at least one address
    raise failure


def _request(target: Target, message: Message) -> tuple[str, dict[str, Any]]:
    """The path and JSON body for the service. Each gets plain text: ntfy and Telegram
    show it as it is, Slack is told not to format it, Discord's Markdown is escaped. ntfy
    takes JSON at its root rather than Title/Click/Tags headers: a title may be in any
    script, and HTTP headers are Latin-1."""
    text = _fit(message.chat)
    if target.service == "ntfy":
        (topic,) = target.parts
        body: dict[str, Any] = {
            "topic": topic,
            "title": message.subject,
            "message": text,
            "tags": ["crescent_moon"],
        }
        link = _link(message.chat)
        return "/", ({**body, "click": link} if link else body)
    if target.service == "discord":
        webhook_id, token = target.parts
        content = f"**{_discord_plain(message.subject)}**\n{_discord_plain(text)}"
        # no @everyone or @name from a story's words, however they are written
        body = {"username": "bedtales", "content": content, "allowed_mentions": {"parse": []}}
        return f"/api/webhooks/{webhook_id}/{token}", body
    if target.service == "slack":
        a, b, c = target.parts
        body = {"text": _slack_plain(f"{message.subject}\n\n{text}"), "mrkdwn": False}
        return f"/services/{a}/{b}/{c}", body
    if target.service == "telegram":
        bot, chat = target.parts
        return f"/bot{bot}/sendMessage", {"chat_id": chat, "text": f"{message.subject}\n\n{text}"}
    raise ValueError(f"no HTTP service {target.service!r}")  # email goes through SMTP


def _fit(chat: str) -> str:
    """At most :data:`BODY_MAX` characters, the last line (the story's link) always kept."""
    if len(chat) <= BODY_MAX:
        return chat
    head, _, last = chat.rpartition("\n")
    return head[: max(0, BODY_MAX - len(last) - 2)] + "…\n" + last


def _link(chat: str) -> str | None:
    """The link the chat text ends with (the story's page), for ntfy's click action."""
    words = chat.split()
    return words[-1] if words and _is_link(words[-1]) else None


def _discord_plain(text: str) -> str:
    """Discord shows these words as written: Markdown escaped, links left to work."""
    return "".join(
        word if _is_link(word) else word.translate(_DISCORD_MARKUP)
        for word in re.split(r"(\s+)", text)
    )


def _is_link(word: str) -> bool:
    return word.startswith(("https://", "http://"))


def _slack_plain(text: str) -> str:
    """Slack reads <…> as links and mentions even with formatting off: escape them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
