"""No-op target handlers for bench/bus.py: each records "<story id> <target> <start time>".

Lines are buffered and flushed every 10 ms by a background thread, so the record costs the
handler next to nothing; the times written are the handlers' own start times.
"""

from __future__ import annotations

import os
import threading
import time

from bedtales.bus.effects import HandlerContext
from bedtales.targets import handler

_lock = threading.Lock()
_log = open(os.environ["BEDTALES_BENCH_LOG"], "a")  # noqa: SIM115 - lives as long as the worker


def _flush_now_and_then() -> None:
    while True:
        time.sleep(0.01)
        with _lock:
            _log.flush()


threading.Thread(target=_flush_now_and_then, daemon=True).start()


@handler("bench-noop")
def noop(ctx: HandlerContext) -> None:
    started = time.time()
    line = f"{ctx.delivery.event.subject} {ctx.delivery.target} {started:.6f}\n"
    with _lock:
        _log.write(line)
