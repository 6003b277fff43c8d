"""The composition root: builds the database and engines from settings. It is the one place
that knows which backend was chosen; everything else receives what it needs."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path

from bedtales import services
from bedtales.bus.backends import Backend
from bedtales.bus.bus import Bus
from bedtales.bus.effects import EffectLog, HandlerContext
from bedtales.bus.events import Delivery
from bedtales.bus.topology import Topology, build_topology
from bedtales.bus.worker import Worker, WorkerOptions
from bedtales.config import CONFIG_FILE_NAME, Settings, load_settings
from bedtales.domain import Household, Story, clean_name, clean_timezone, local_timezone
from bedtales.errors import ConfigError, InputError
from bedtales.pipes import Pipe
from bedtales.storage import Database
from bedtales.stories import writer
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES
from bedtales.targets import Handler, load_handlers

CONFIG_TEMPLATE = """\
# bedtales settings. Every setting can also be given as an environment variable:
# BEDTALES_<NAME>, and BEDTALES_<SECTION>__<NAME> inside a section
# (for example BEDTALES_TEXT__ENGINE=openai). See docs/settings.md for all of them.

# database_url = "postgresql+psycopg://bedtales@db.example/bedtales"

[text]
# engine = "builtin"        # builtin (offline), openai, llamacpp

# [openai]
# base_url = "http://127.0.0.1:11434/v1"   # e.g. a local Ollama; leave unset for OpenAI
# model = "llama3.1"
# api_key: prefer the environment variable BEDTALES_OPENAI__API_KEY for secrets
"""


class App:
    """Settings plus the database they point at."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)

    @classmethod
    def open(cls, data_dir: Path | None = None) -> App:
        """Open an initialised installation, bringing its schema up to date."""
        app = cls(load_settings(data_dir))
        if not app.db.exists():
            app.close()
            raise ConfigError(
                f"no bedtales database at {app.db.safe_url}: run `bedtales init` first"
                + (f" (with --data-dir {data_dir})" if data_dir else "")
            )
        if app.db.current_revision() != app.db.head_revision():
            app.db.migrate()  # refuses a database newer than this code
        return app

    def close(self) -> None:
        if "bus" in self.__dict__:
            self.bus.close()
        self.db.dispose()

    # ----------------------------------------------------------------- the event backbone

    @cached_property
    def handlers(self) -> dict[str, Handler]:
        return load_handlers(self.settings.bus.handler_modules)

    @cached_property
    def topology(self) -> Topology:
        """Rules, targets and pipes, checked: a bad one raises ConfigError naming it."""
        return build_topology(self.settings.bus, self.handlers)

    @cached_property
    def bus(self) -> Bus:
        return Bus(self.topology, make_backend(self.settings, self.db))

    def run_delivery(self, delivery: Delivery) -> None:
        """Run the handler of the delivery's target (called in a worker thread)."""
        handler = self.handlers[self.topology.targets[delivery.target].handler]
        handler(HandlerContext(delivery, self.db, self.settings, EffectLog(self.db)))

    def worker(self, targets: list[str] | None = None, *, concurrency: int = 4) -> Worker:
        chosen = tuple(targets or self.topology.targets)
        unknown = [t for t in chosen if t not in self.topology.targets]
        if unknown:
            raise InputError(
                f"unknown target(s) {', '.join(unknown)}; "
                f"known: {', '.join(self.topology.targets)}",
                field="targets",
            )
        if not 1 <= concurrency <= 256:
            raise InputError("concurrency must be between 1 and 256", field="concurrency")
        options = WorkerOptions(
            targets=chosen, concurrency=concurrency, lease_s=self.settings.bus.lease_s
        )
        return Worker(self.bus.backend, self.topology, self.run_delivery, options)

    def pipes(self) -> list[Pipe]:
        return [Pipe(spec, self.db, self.bus) for spec in self.topology.pipes]

    def write_story(
        self,
        household: str | None = None,
        *,
        engine: str | None = None,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Story:
        return writer.write_story(
            self.db,
            self.settings,
            household or self.settings.default_household,
            engine=engine,
            seed=seed,
            now=now,
        )


def make_backend(settings: Settings, db: Database) -> Backend:
    """The delivery backend the settings choose: the only place that knows them all."""
    if settings.bus.backend == "redis":
        from bedtales.bus.backends.redis import RedisBackend

        return RedisBackend(settings.bus.redis_url, bus=settings.bus.name)
    from bedtales.bus.backends.sql import SqlBackend

    return SqlBackend(db)


def initialise(
    data_dir: Path | None = None,
    *,
    household: str | None = None,
    timezone: str | None = None,
    samples: bool = True,
) -> tuple[App, Household, bool]:
    """Create the data dir, settings file, database and default household (idempotent).

    Returns the app, the household and whether the household was created just now.
    """
    settings = load_settings(data_dir)
    name = clean_name(household or settings.default_household, field="household")
    tz = clean_timezone(timezone) if timezone else local_timezone()  # check before creating
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        config_file = settings.data_dir / CONFIG_FILE_NAME
        if not config_file.exists():
            config_file.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"invalid setting data_dir: cannot use {settings.data_dir}: {exc.strerror}"
        ) from None
    app = App(settings)
    app.db.migrate()
    existing = {h.name: h for h in services.list_households(app.db)}
    if name in existing:
        return app, existing[name], False
    home = services.add_household(
        app.db,
        name,
        timezone=tz,
        characters=SAMPLE_CHARACTERS if samples else (),
        scenes=STARTER_SCENES if samples else (),
    )
    return app, home, True
