"""`bedtales web` (the story pages, the JSON API, health and metrics, served by uvicorn) and
`bedtales run` (all of bedtales in one process)."""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer
import uvicorn
from rich.text import Text

from bedtales.cli_common import DataDir, command, opened, out
from bedtales.runner import Runner, RunOptions, web_server

HostOpt = Annotated[
    str | None,
    typer.Option(help="Address to listen on (default: the setting web.host, 127.0.0.1)."),
]
PortOpt = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Port to listen on (default: web.port, 8080)."),
]


def register(app: typer.Typer) -> None:
    command(app, "web")(web)
    command(app, "run")(run)


def web(
    host: HostOpt = None,
    port: PortOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the story pages, the JSON API (/api), /healthz, /readyz and /metrics.

    Stops cleanly on Ctrl-C or SIGTERM: answers in flight finish first.
    """
    with opened(data_dir) as bedtales:
        settings = bedtales.settings
        host = host or settings.web.host
        port = port or settings.web.port
        server = web_server(bedtales, host, port)
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address
        admin = "on" if settings.admin_token is not None else "off (set BEDTALES_ADMIN_TOKEN)"
        out.print(Text(f"bedtales web on http://{shown}:{port} — Ctrl-C stops it"))
        out.print(Text(f"story links start with {settings.web.base_url}; admin API {admin}"))
        _serve(server)


def run(
    host: HostOpt = None,
    port: PortOpt = None,
    concurrency: Annotated[int, typer.Option(help="Target handlers running at once.")] = 2,
    data_dir: DataDir = None,
) -> None:
    """Run everything in one process: the web site, the pipe, the picture, narration and
    message targets, and the expiry sweeper. What a family runs at home.

    On the first start it writes a story at once and prints its link. Ctrl-C or SIGTERM
    stops it cleanly.
    """
    _log_story_steps()
    with opened(data_dir) as bedtales:
        settings = bedtales.settings
        options = RunOptions(
            host=host or settings.web.host, port=port or settings.web.port, concurrency=concurrency
        )
        runner = Runner(bedtales, options)
        server = runner.server()  # built first: a bad setting stops us before anything starts
        runner.start_background()
        try:
            link = runner.first_story()
            if link is not None:
                out.print(Text(f"Tonight's first story is being painted and narrated: {link}"))
            out.print(Text(f"bedtales on http://{options.host}:{options.port} — Ctrl-C stops it"))
            _serve(server)
        finally:
            out.print(Text("stopping: running handlers finish, the rest is handed back"))
            runner.shut_down()


def _log_story_steps() -> None:
    """One readable line per story step (written, pictured, narrated, told) on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("bedtales")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def _serve(server: uvicorn.Server) -> None:
    # uvicorn handles SIGINT and SIGTERM itself, shuts down gracefully, then raises the signal
    # again for the handler it found. Ours asks uvicorn to stop (which also covers a SIGTERM
    # before uvicorn is listening) and Ctrl-C's KeyboardInterrupt is caught here, so a
    # requested stop exits with 0, after the App is closed.
    def stop(_signum: int, _frame: object) -> None:
        server.should_exit = True

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
