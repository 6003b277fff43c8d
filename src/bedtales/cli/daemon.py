"""What the long-running commands (`worker`, `scheduler`) share: stopping cleanly on a
signal, and serving their Prometheus metrics on a port of their own."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.text import Text

from bedtales.cli.common import err

MetricsHostOpt = Annotated[
    str,
    typer.Option(
        help="Address the metrics port listens on: 127.0.0.1 (this machine only) or, for a "
        "Prometheus elsewhere, 0.0.0.0."
    ),
]


def stop_on_signals(doing: str = "finishing running handlers") -> threading.Event:
    """An event set on SIGTERM or SIGINT, after saying on stderr what the process still does
    before it stops (``doing``: a worker finishes its running handlers, a scheduler the pass
    it is making)."""
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        err.print(Text(f"{signal.Signals(signum).name}: {doing}, then stopping"))
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def serve_metrics_on(port: int | None, host: str) -> None:
    if port is None:
        return
    from bedtales.metrics import serve_metrics

    serve_metrics(port, host)
    shown = f"[{host}]" if ":" in host else host
    err.print(Text(f"metrics on http://{shown}:{port}/metrics"))
