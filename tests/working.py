"""Run an app's worker and pipes in threads until a condition holds (for tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bedtales.app import App


def work_until(
    bedtales: App, done: Callable[[], object], timeout_s: float = 20, concurrency: int = 2
) -> None:
    stop = threading.Event()
    threads = [threading.Thread(target=bedtales.worker(concurrency=concurrency).run, args=(stop,))]
    threads += [
        threading.Thread(target=p.run, args=(stop,), kwargs={"idle_wait_s": 0.1})
        for p in bedtales.pipes()
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + timeout_s
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert done(), "the worker did not get there in time"
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
