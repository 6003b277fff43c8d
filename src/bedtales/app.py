"""The composition root: builds the database and engines from settings. It is the one place
that knows which backend was chosen; everything else receives what it needs."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from bedtales import scheduler, services
from bedtales.bus.backends import Backend
from bedtales.bus.bus import Bus
from bedtales.bus.effects import EffectLog
from bedtales.bus.events import Delivery, Event
from bedtales.bus.topology import Topology, build_topology
from bedtales.bus.worker import Worker, WorkerOptions
from bedtales.config import CONFIG_FILE_NAME, Settings, load_settings
from bedtales.domain import Household, Story, clean_name, clean_timezone, local_timezone
from bedtales.engines.image import ImageEngine
from bedtales.engines.image import engines as image_engines
from bedtales.engines.speech import SpeechEngine
from bedtales.engines.speech import engines as speech_engines
from bedtales.engines.text import TextEngine, get_text_engine
from bedtales.errors import ConfigError, InputError
from bedtales.media import MediaStore, make_media_store
from bedtales.pipes import Pipe
from bedtales.scheduler import Scheduler
from bedtales.schedules import add_schedule
from bedtales.storage import Database
from bedtales.storage.models import utcnow
from bedtales.stories import writer
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES
from bedtales.targets import Handler, TargetContext, give_up_hook, load_handlers

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

[image]
# engine = "builtin"        # builtin (offline, Pillow), openai

[speech]
# engine = "auto"           # auto (piper if installed, else espeak), piper, espeak, openai

[media]
# store = "local"           # local (files in the data dir), s3
# s3_bucket = "bedtales"
# s3_endpoint_url = "http://127.0.0.1:8333"   # SeaweedFS, MinIO, R2…; unset means AWS
# The key that signs links to pictures and narrations. Keep it secret; changing it only
# breaks the links already sent.
"""
SECRET_LINE = 'link_secret = "{secret}"\n'  # noqa: S105 - a template, not a secret


class App:
    """Settings plus the database they point at."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)

    @classmethod
    def open(
        cls, data_dir: Path | None = None, *, adjust: Callable[[Settings], Settings] | None = None
    ) -> App:
        """Open an initialised installation, bringing its schema up to date. ``adjust``
        changes the settings read before anything is built from them (`bedtales run --lan`
        points links at the address it listens on)."""
        settings = load_settings(data_dir)
        app = cls(adjust(settings) if adjust is not None else settings)
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
        if "tools" in self.__dict__:
            self.tools.close()
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

    @cached_property
    def tools(self) -> Toolbox:
        return Toolbox(self.settings)

    def _context(self, delivery: Delivery) -> TargetContext:
        return TargetContext(delivery, self.db, self.settings, EffectLog(self.db), self.tools)

    def run_delivery(self, delivery: Delivery) -> None:
        """Run the handler of the delivery's target (called in a worker thread)."""
        handler = self.handlers[self.topology.targets[delivery.target].handler]
        handler(self._context(delivery))

    def dead_lettered(self, delivery: Delivery, error: str) -> None:
        """Let the target note on its story that it gave up (the failure reason)."""
        hook = give_up_hook(self.topology.targets[delivery.target].handler)
        if hook is not None:
            hook(self._context(delivery), error)

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
        self._check_tools(chosen)
        options = WorkerOptions(
            targets=chosen, concurrency=concurrency, lease_s=self.settings.bus.lease_s
        )
        return Worker(
            self.bus.backend, self.topology, self.run_delivery, options, self.dead_lettered
        )

    def _check_tools(self, targets: tuple[str, ...]) -> None:
        """Build the engines and store the chosen targets use, so that a missing extra, voice
        file or secret stops the worker at start with the reason, rather than failing every
        delivery until it is dead-lettered."""
        handlers = {self.topology.targets[t].handler for t in targets}
        if handlers & {"illustrate", "narrate", "notify"}:
            self.tools.media  # noqa: B018 - built for its checks
        if "notify" in handlers:  # messages carry signed links: the store must be able to sign
            self.tools.media.link("stories/check/image.png", utcnow() + timedelta(hours=1))
        if "illustrate" in handlers:
            self.tools.image_engine()
        if "narrate" in handlers:
            self.tools.speech_engine()
        if "write_story" in handlers:  # an unknown engine or a missing extra
            self.tools.text_engine()

    def scheduler(self) -> Scheduler:
        """The scheduler, after checking that a rule routes its events somewhere."""
        probe = Event(source=scheduler.SOURCE, detail_type=scheduler.DETAIL_TYPE, detail={})
        if not self.topology.route(probe):  # every firing would be lost
            raise ConfigError(
                "invalid setting bus.rules: no rule matches ScheduleFired, so schedules would "
                "fire and write nothing; declared rules replace the default ones, so declare "
                "the schedule-fired rule too (see docs/bus.md)"
            )
        return scheduler.Scheduler(self.db, self.bus)

    def pipes(self) -> list[Pipe]:
        return [Pipe(spec, self.db, self.bus) for spec in self.topology.pipes]

    def household(self, name: str | None) -> str:
        """The household meant: ``name``, or the default one when none is given."""
        return name or self.settings.default_household

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
            self.household(household),
            engine=engine,
            seed=seed,
            now=now,
        )


class Toolbox:
    """The engines and the media store the targets use: built once per process, on first
    use, and shared by the worker's handler threads (each engine is safe to share)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._media: MediaStore | None = None
        self._image: ImageEngine | None = None
        self._speech: SpeechEngine | None = None
        self._text: TextEngine | None = None

    @property
    def media(self) -> MediaStore:
        with self._lock:
            if self._media is None:
                self._media = make_media_store(self.settings)
            return self._media

    def image_engine(self) -> ImageEngine:
        with self._lock:
            if self._image is None:
                self._image = image_engines.create(self.settings.image.engine, self.settings)
            return self._image

    def speech_engine(self) -> SpeechEngine:
        with self._lock:
            if self._speech is None:
                name = speech_engine_name(self.settings)
                self._speech = speech_engines.create(name, self.settings)
            return self._speech

    def text_engine(self) -> TextEngine:
        """The configured text engine, shared by the write_story handlers (a local model is
        loaded once per process, not once per story)."""
        with self._lock:
            if self._text is None:
                self._text = get_text_engine(self.settings.text.engine, self.settings)
            return self._text

    def close(self) -> None:
        if self._media is not None:
            self._media.close()


def speech_engine_name(settings: Settings) -> str:
    """The configured speech engine; ``auto`` is piper when the voice extra is installed."""
    if settings.speech.engine != "auto":
        return settings.speech.engine
    from bedtales.engines.speech import piper

    return "piper" if piper.available() else "espeak"


def _add_link_secret(config_file: Path) -> None:
    """Give a settings file written by an older bedtales its media link secret."""
    text = config_file.read_text(encoding="utf-8")
    line = SECRET_LINE.format(secret=secrets.token_urlsafe(32))
    header = re.compile(r"^\[media\][ \t]*$", flags=re.MULTILINE)
    if header.search(text):
        text = header.sub(lambda m: m.group(0) + "\n" + line.rstrip("\n"), text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n[media]\n" + line
    config_file.write_text(text, encoding="utf-8")


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
            secret = SECRET_LINE.format(secret=secrets.token_urlsafe(32))
            config_file.write_text(CONFIG_TEMPLATE + secret, encoding="utf-8")
            config_file.chmod(0o600)  # it holds the link secret (and perhaps API keys)
            settings = load_settings(data_dir)
        elif settings.media.link_secret is None:
            _add_link_secret(config_file)
            settings = load_settings(data_dir)
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
    # every day at 19:15 in the household's zone, as the reference app's cron(15 19 * * ? *)
    add_schedule(app.db, home.name)
    return app, home, True
