"""`bedtales web` (the story pages, the JSON API, health and metrics, served by uvicorn) and
`bedtales run` (all of bedtales in one process).

Both print, at start, the addresses the household's page opens at (the one links use, each
LAN address when the site listens on all of them, this machine's own), and a QR code of the
first a phone can open: when the output is a terminal, or with ``--qr``. A service whose
output goes to a journal gets the addresses, not a block of QR characters.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from bedtales.cli.common import command, opened, out
from bedtales.cli.options import DataDir
from bedtales.cli.parts import processes, services
from bedtales.errors import NotFound
from bedtales.web import urls
from bedtales.web.serving import is_local, serving_settings, site_addresses, web_server

if TYPE_CHECKING:
    import uvicorn

    from bedtales.app import App

HostOpt = Annotated[
    str | None,
    typer.Option(help="Address to listen on (default: the setting web.host, 127.0.0.1)."),
]
PortOpt = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Port to listen on (default: web.port, 8080)."),
]
LanOpt = Annotated[
    bool,
    typer.Option(
        "--lan",
        help="Listen on all addresses, so phones and tablets on the home network can open "
        "the site; links then name this machine's LAN address (unless web.base_url is set).",
    ),
]
QrOpt = Annotated[
    bool | None,
    typer.Option(
        "--qr/--no-qr",
        help="Print a QR code of the household's page for a phone's camera "
        "(default: when the output is a terminal).",
        show_default=False,
    ),
]


def register(cli: typer.Typer) -> None:
    command(cli, "web")(web)
    command(cli, "run")(run)


def web(
    host: HostOpt = None,
    port: PortOpt = None,
    lan: LanOpt = False,
    qr: QrOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the story pages, the JSON API (/api), /healthz, /readyz and /metrics.

    Stops cleanly on Ctrl-C or SIGTERM: answers in flight finish first.
    """
    serving = functools.partial(serving_settings, host=host, port=port, lan=lan)
    with opened(data_dir, adjust=serving) as bedtales:
        settings = bedtales.settings
        server = web_server(bedtales)
        admin = "on" if settings.admin_token is not None else "off (set BEDTALES_ADMIN_TOKEN)"
        listening = urls.site(settings.web.host, settings.web.port)
        out.print(Text(f"bedtales web on {listening} — Ctrl-C stops it"))
        out.print(Text(f"story links start with {settings.web.base_url}; admin API {admin}"))
        print_addresses(bedtales, qr=qr)
        _serve(server)


def run(
    host: HostOpt = None,
    port: PortOpt = None,
    lan: LanOpt = False,
    qr: QrOpt = None,
    concurrency: Annotated[int, typer.Option(help="Target handlers running at once.")] = 2,
    data_dir: DataDir = None,
) -> None:
    """Run everything in one process: the web site, the pipe, the picture, narration and
    message targets, and the expiry sweeper. What a family runs at home.

    On the first start it writes a story at once and prints its link. Ctrl-C or SIGTERM
    stops it cleanly.
    """
    _log_story_steps()
    serving = functools.partial(serving_settings, host=host, port=port, lan=lan)
    with opened(data_dir, adjust=serving) as bedtales:
        web = bedtales.settings.web
        runner = processes.Runner(bedtales, processes.RunOptions(concurrency=concurrency))
        server = runner.server()  # built first: a bad setting stops us before anything starts
        runner.start_background()
        try:
            link = runner.first_story()
            if link is not None:
                out.print(Text(f"Tonight's first story is being painted and narrated: {link}"))
            listening = urls.site(web.host, web.port)
            out.print(Text(f"bedtales on {listening} — Ctrl-C stops it"))
            print_addresses(bedtales, qr=qr)
            _serve(server)
        finally:
            out.print(Text("stopping: running handlers finish, the rest is handed back"))
            runner.shut_down()


def print_addresses(bedtales: App, *, qr: bool | None) -> None:
    """The default household's page at every address it opens at, and a QR code of the
    first one a phone can open (``qr``: None means when stdout is a terminal)."""
    settings = bedtales.settings
    try:
        household = services.get_household(bedtales.db, settings.default_household)
    except NotFound:  # made with `init --household other`: no page to point at
        return
    addresses = site_addresses(settings, urls.household(household.page_token))
    out.print(
        Text(f"The stories of {household.name!r} (a private address: share it with the family):")
    )
    for address in addresses:
        out.print(Text(f"  {address}" + (" (this machine only)" if is_local(address) else "")))
    if not (sys.stdout.isatty() if qr is None else qr):
        return
    reachable = [address for address in addresses if not is_local(address)]
    if not reachable:
        out.print(Text("No QR code: these open on this machine only; --lan serves phones too"))
        return
    out.print(Text("On a phone, scan this with the camera:"))
    out.print(Text(qr_code(reachable[0])))


def qr_code(url: str) -> str:
    """``url`` as a QR code in text: two rows of modules per line (half blocks), drawn for a
    dark terminal, as segno draws it."""
    import io

    import segno

    drawn = io.StringIO()
    segno.make(url).terminal(out=drawn, compact=True)
    return drawn.getvalue().rstrip("\n")


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
