"""The real web app under uvicorn, in a thread, on a free port of 127.0.0.1.

The socket is bound *before* the app is made, because links that leave the site (messages,
the JSON API) start with ``web.base_url``, which should name the address the server really
answers on (pages link with paths, whatever the address). So::

    with free_socket() as sock:
        settings = ...base_url=address_of(sock)...
        with serving(create_site(App(settings)), sock):
            httpx.get(address_of(sock) + "/stories/…")

``serving`` returns once uvicorn accepts connections and stops it on the way out.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


@contextmanager
def free_socket() -> Iterator[socket.socket]:
    """A TCP socket bound to a port of 127.0.0.1 that nothing else has."""
    # IPPROTO_TCP named, as uvicorn's own sockets have it: asyncio turns Nagle off only on
    # such sockets, and with it on, a small answer can wait ~40 ms for a delayed ACK
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def address_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def serving(app: ASGIApp, sock: socket.socket) -> Iterator[None]:
    """``app`` under uvicorn in a thread, on ``sock``, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
