"""The worker: claims deliveries for its targets, runs their handlers in a thread pool, and
acks, retries or dead-letters each one.

Leases are renewed while a handler runs, so a slow handler keeps its delivery and a dead
worker's deliveries come back after one lease. On SIGTERM (``stop`` set) the worker claims
nothing more, lets running handlers finish for up to ``grace_s``, and hands back anything
still unstarted or unfinished, so another worker takes it at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from bedtales.bus.backends import Backend
from bedtales.bus.events import Delivery
from bedtales.bus.topology import Topology

log = logging.getLogger(__name__)

Run = Callable[[Delivery], None]


@dataclass(frozen=True)
class WorkerOptions:
    targets: tuple[str, ...]
    concurrency: int = 4
    lease_s: float = 60.0
    batch: int = 100
    grace_s: float = 30.0
    idle_wait_s: float = 1.0


class Worker:
    def __init__(
        self, backend: Backend, topology: Topology, run: Run, options: WorkerOptions
    ) -> None:
        self.backend = backend
        self.topology = topology
        self.run_handler = run
        self.options = options
        self._running: dict[Future[None], Delivery] = {}
        self._lock = threading.Lock()
        self._finished = threading.Event()

    def run(self, stop: threading.Event) -> None:
        options = self.options
        with ThreadPoolExecutor(options.concurrency, thread_name_prefix="handler") as pool:
            renewer = threading.Thread(target=self._renew_leases, daemon=True)
            renewer.start()
            while not stop.is_set():
                self._settle_done(block=False)
                room = options.concurrency * 2 - len(self._running)  # keep the pool fed
                if room <= 0:
                    self._settle_done(block=True)
                    continue
                claimed = self.backend.claim(
                    options.targets, min(room, options.batch), options.lease_s
                )
                for delivery in claimed:
                    future = pool.submit(self.run_handler, delivery)
                    with self._lock:
                        self._running[future] = delivery
                if not claimed and not self._running:
                    self.backend.wait(options.targets, options.idle_wait_s)
                elif not claimed:
                    self._settle_done(block=True, timeout=0.05)
            self._shut_down(pool)

    def _settle_done(self, *, block: bool, timeout: float | None = None) -> None:
        with self._lock:
            futures = list(self._running)
        if not futures:
            return
        if block:
            done, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        else:
            done = {f for f in futures if f.done()}
        acks: list[Delivery] = []
        for future in done:
            with self._lock:
                delivery = self._running.pop(future)
            error = future.exception()
            if error is None:
                acks.append(delivery)
            else:
                self._failed(delivery, error)
        self.backend.ack(acks)

    def _failed(self, delivery: Delivery, error: BaseException) -> None:
        message = f"{type(error).__name__}: {error}"
        policy = self.topology.targets[delivery.target].policy
        if self.backend.fail(delivery, message, policy):
            log.error(
                "%s gave up on event %s after %d attempt(s): %s; it is in the dead-letter queue",
                delivery.target,
                delivery.event.id,
                delivery.attempt,
                message,
            )
        else:
            log.warning(
                "%s attempt %d failed: %s; will retry", delivery.target, delivery.attempt, message
            )

    def _renew_leases(self) -> None:
        while not self._finished.wait(self.options.lease_s / 3):
            with self._lock:
                running = [d for f, d in self._running.items() if not f.done()]
            if running:
                self.backend.extend(running, self.options.lease_s)

    def _shut_down(self, pool: ThreadPoolExecutor) -> None:
        with self._lock:
            unstarted = [d for f, d in self._running.items() if f.cancel()]
            for future in [f for f in self._running if f.cancelled()]:
                del self._running[future]
        self.backend.release(unstarted)
        deadline = time.monotonic() + self.options.grace_s
        while self._running and time.monotonic() < deadline:
            self._settle_done(block=True, timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            unfinished = list(self._running.values())
        if unfinished:
            log.warning("handing back %d unfinished deliveries", len(unfinished))
            self.backend.release(unfinished)
        self._finished.set()
        pool.shutdown(wait=False, cancel_futures=True)
