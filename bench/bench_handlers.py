"""No-op target handlers for bench/bus.py: each logs "<story id> <target> <start time>"."""

from __future__ import annotations

import os
import threading
import time

from bedtales.bus.effects import HandlerContext
from bedtales.targets import handler

_lock = threading.Lock()
_log = open(os.environ["BEDTALES_BENCH_LOG"], "a", buffering=1)  # noqa: SIM115 - lives as long as the worker


@handler("bench-noop")
def noop(ctx: HandlerContext) -> None:
    started = time.time()
    with _lock:
        _log.write(f"{ctx.delivery.event.subject} {ctx.delivery.target} {started:.6f}\n")
