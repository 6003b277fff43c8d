"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for email tests.

bedtales talks to it over a real socket through smtplib, exactly as to a family's mail
server. Each test gets its own server on a free port; a test can make it refuse the next
messages (``refuse(n)``) to see how sending copes.

Usage::

    def test_email(smtp_server: SmtpServer) -> None:
        add_subscriber(db, "home", smtp_server.url())
        ...
        [mail] = smtp_server.messages
        assert mail["Subject"].startswith("Tonight's story")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

SERVICE = "SMTP server (aiosmtpd)"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    """aiosmtpd calls ``handle_DATA`` once per message, on its own event-loop thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refusals = 0
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.refusals > 0:
                self.refusals -= 1
                self.refused += 1
                return "554 5.7.1 refused for the test"
            message = BytesParser(policy=policy.default).parsebytes(envelope.content)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpServer:
    def __init__(self, controller: Controller, handler: _Handler) -> None:
        self._controller = controller
        self._handler = handler
        self.host = "127.0.0.1"
        self.port = int(controller.port)

    def url(self, to: str = "family@example.com", sender: str = "bedtales@example.com") -> str:
        """A ``mailto://`` Apprise URL that sends here, unencrypted, without a login."""
        return f"mailto://{self.host}:{self.port}?from={sender}&to={to}"

    @property
    def received(self) -> list[Received]:
        with self._handler.lock:
            return list(self._handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    @property
    def refused(self) -> int:
        """How many messages it refused so far."""
        with self._handler.lock:
            return self._handler.refused

    def refuse(self, count: int) -> None:
        """Answer the next ``count`` messages with a permanent error (554)."""
        with self._handler.lock:
            self._handler.refusals = count

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.received.clear()
            self._handler.refusals = self._handler.refused = 0

    def wait_for(self, count: int, timeout_s: float = 10) -> list[EmailMessage]:
        """The messages, once at least ``count`` have arrived (or the time is up)."""
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server for one test; see the module docstring."""
    from conftest import require_service  # here: conftest imports this module

    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), ready_timeout=10)
    try:
        controller.start()
    except Exception as exc:  # no loop, port taken, sockets refused: say so, per CI rules
        require_service(SERVICE, f"{type(exc).__name__}: {exc}")
        return
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()
