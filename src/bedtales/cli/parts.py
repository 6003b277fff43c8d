"""The parts of bedtales the commands call, each loaded when a command first uses it.

`bedtales --help` imports every command module; were they to import the database layer,
the app or the notifiers at the top, every command would pay for all of them (1.5 s here).
Through these names a command loads only what it touches. The type checker sees plain
imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedtales.cli.common import lazy

if TYPE_CHECKING:
    from bedtales import app, config, domain, processes, storage
    from bedtales.households import access, importer, services
    from bedtales.notify import subscribers
    from bedtales.scheduler import schedules
    from bedtales.stories import ttl
else:
    app = lazy("bedtales.app")
    config = lazy("bedtales.config")
    domain = lazy("bedtales.domain")
    processes = lazy("bedtales.processes")
    storage = lazy("bedtales.storage")
    access = lazy("bedtales.households.access")
    importer = lazy("bedtales.households.importer")
    services = lazy("bedtales.households.services")
    subscribers = lazy("bedtales.notify.subscribers")
    schedules = lazy("bedtales.scheduler.schedules")
    ttl = lazy("bedtales.stories.ttl")

__all__ = [
    "access",
    "app",
    "config",
    "domain",
    "importer",
    "processes",
    "schedules",
    "services",
    "storage",
    "subscribers",
    "ttl",
]
