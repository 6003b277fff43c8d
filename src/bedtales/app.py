"""The composition root: builds the database, the bus and the tools from settings. It is the
one place that picks what the settings name (engines, media store, bus backend, target
handlers) from their registries (:mod:`bedtales.registry`), and checks those names when it
builds them; everything else receives what it needs."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bedtales import private
from bedtales.bus.backends import Backend
from bedtales.bus.backends import backends as bus_backends
from bedtales.bus.bus import Bus
from bedtales.bus.effects import EffectLog
from bedtales.bus.events import Delivery, Event
from bedtales.bus.rules import Topology, build_topology
from bedtales.clock import utcnow
from bedtales.config import CONFIG_FILE_NAME, Settings, invalid_setting, load_settings
from bedtales.domain import Household, Story, clean_name, clean_timezone, local_timezone
from bedtales.engines.image import ImageEngine
from bedtales.engines.image import engines as image_engines
from bedtales.engines.speech import SpeechEngine
from bedtales.engines.speech import engines as speech_engines
from bedtales.engines.text import TextEngine
from bedtales.engines.text import engines as text_engines
from bedtales.errors import ConfigError, InputError
from bedtales.households import services
from bedtales.media import MediaStore, make_media_store
from bedtales.media import stores as media_stores
from bedtales.registry import Registry
from bedtales.storage import Database
from bedtales.targets import TargetContext, TargetHandler, import_handler_modules
from bedtales.targets import handlers as target_handlers

if TYPE_CHECKING:  # the parts a command may not need are imported where they are built
    from bedtales.bus.worker import Worker
    from bedtales.pipes.pipe import Pipe
    from bedtales.pipes.spec import PipeSpec
    from bedtales.scheduler.firing import Scheduler

T = TypeVar("T")

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
        bedtales = cls(adjust(settings) if adjust is not None else settings)
        if not bedtales.db.exists():
            bedtales.close()
            raise ConfigError(
                f"no bedtales database at {bedtales.db.safe_url}: run `bedtales init` first"
                + (f" (with --data-dir {data_dir})" if data_dir else "")
            )
        if bedtales.db.current_revision() != bedtales.db.head_revision():
            bedtales.db.migrate()  # refuses a database newer than this code
        return bedtales

    def close(self) -> None:
        if "bus" in self.__dict__:
            self.bus.close()
        if "tools" in self.__dict__:
            self.tools.close()
        self.db.dispose()

    # ----------------------------------------------------------------- the event backbone

    @cached_property
    def handlers(self) -> Registry[TargetHandler]:
        """The target handlers: the built-in ones, and those ``bus.handler_modules`` add."""
        import_handler_modules(self.settings.bus.handler_modules)
        return target_handlers

    @cached_property
    def topology(self) -> Topology:
        """Rules and targets, checked, and the pipes feeding them: a bad one raises
        ConfigError naming it."""
        topology = build_topology(self.settings.bus, self.handlers.names())
        self.pipe_specs  # noqa: B018 - compiled for its checks, at the same moment as before
        return topology

    @cached_property
    def bus(self) -> Bus:
        return Bus(self.topology, make_backend(self.settings, self.db))

    @cached_property
    def tools(self) -> Toolbox:
        return Toolbox(self.settings)

    def _context(self, delivery: Delivery) -> TargetContext:
        return TargetContext(
            delivery=delivery,
            db=self.db,
            effects=EffectLog(self.db),
            settings=self.settings,
            tools=self.tools,
        )

    def _handler(self, delivery: Delivery) -> TargetHandler:
        return self.handlers.get(self.topology.targets[delivery.target].handler)

    def run_delivery(self, delivery: Delivery) -> None:
        """Run the handler of the delivery's target (called in a worker thread)."""
        self._handler(delivery).run(self._context(delivery))

    def dead_lettered(self, delivery: Delivery, error: str) -> None:
        """Let the target note on its story that it gave up (the failure reason)."""
        hook = self._handler(delivery).on_dead_letter
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
        from bedtales.bus.worker import Worker, WorkerOptions

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
        for name in handlers:  # imported now: a module that cannot load stops the start
            self.handlers.get(name)
        used = {path for name in handlers for path in TOOLS_USED.get(name, ())}
        check_names(self.settings, *(path for path in NAMED if path in used))
        if "media.store" in used:
            self.tools.media  # noqa: B018 - built for its checks
        if "notify" in handlers:  # messages carry signed links: the store must be able to sign
            self.tools.media.link("stories/check/image.png", utcnow() + timedelta(hours=1))
        if "image.engine" in used:
            self.tools.image_engine()
        if "speech.engine" in used:
            self.tools.speech_engine()
        if "text.engine" in used:  # a missing extra or model file
            self.tools.text_engine()

    def scheduler(self) -> Scheduler:
        """The scheduler, after checking that a rule routes its events somewhere."""
        from bedtales.scheduler import firing as scheduler

        probe = Event(source=scheduler.SOURCE, detail_type=scheduler.DETAIL_TYPE, detail={})
        if not self.topology.route(probe):  # every firing would be lost
            raise ConfigError(
                "invalid setting bus.rules: no rule matches ScheduleFired, so schedules would "
                "fire and write nothing; declared rules replace the default ones, so declare "
                "the schedule-fired rule too (see docs/bus.md)"
            )
        return scheduler.Scheduler(self.db, self.bus)

    @cached_property
    def pipe_specs(self) -> tuple[PipeSpec, ...]:
        """The declared pipes, checked: a bad one raises ConfigError naming it."""
        from bedtales.pipes.spec import compile_pipes

        return compile_pipes(self.settings.bus.pipes)

    def pipes(self) -> list[Pipe]:
        from bedtales.pipes.pipe import Pipe

        return [Pipe(spec, self.db, self.bus) for spec in self.pipe_specs]

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
        if engine is None:  # the setting's engine, refused here as the worker refuses it
            check_names(self.settings, "text.engine")
        from bedtales.stories import writer

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
        self._built: dict[str, Any] = {}

    def _once(self, setting: str, build: Callable[[], T]) -> T:
        """The tool ``setting`` names, built on first use after checking the name."""
        with self._lock:
            if setting not in self._built:
                check_names(self.settings, setting)
                self._built[setting] = build()
            tool: T = self._built[setting]
            return tool

    @property
    def media(self) -> MediaStore:
        return self._once("media.store", lambda: make_media_store(self.settings))

    def image_engine(self) -> ImageEngine:
        name = self.settings.image.engine
        return self._once("image.engine", lambda: image_engines.create(name, self.settings))

    def speech_engine(self) -> SpeechEngine:
        return self._once(
            "speech.engine",
            lambda: speech_engines.create(speech_engine_name(self.settings), self.settings),
        )

    def text_engine(self) -> TextEngine:
        """The configured text engine, shared by the write_story handlers (a local model is
        loaded once per process, not once per story)."""
        name = self.settings.text.engine
        return self._once("text.engine", lambda: text_engines.create(name, self.settings))

    def close(self) -> None:
        media: MediaStore | None = self._built.get("media.store")
        if media is not None:
            media.close()


def speech_engine_name(settings: Settings) -> str:
    """The configured speech engine; ``auto`` is piper when the voice extra is installed."""
    if settings.speech.engine != "auto":
        return settings.speech.engine
    from bedtales.engines.speech import piper

    return "piper" if piper.available() else "espeak"


def _add_link_secret(config_file: Path) -> None:
    """Give a settings file written by an older bedtales its media link secret, taking
    away others' access first: the secret is never in a file that others can read."""
    config_file.chmod(private.PRIVATE_FILE)
    text = config_file.read_text(encoding="utf-8")
    line = SECRET_LINE.format(secret=secrets.token_urlsafe(32))
    header = re.compile(r"^\[media\][ \t]*$", flags=re.MULTILINE)
    if header.search(text):
        text = header.sub(lambda m: m.group(0) + "\n" + line.rstrip("\n"), text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n[media]\n" + line
    config_file.write_text(text, encoding="utf-8")


def make_backend(settings: Settings, db: Database) -> Backend:
    """The delivery backend ``bus.backend`` names."""
    check_names(settings, "bus.backend")
    return bus_backends.create(settings.bus.backend, settings.bus, db)


@dataclass(frozen=True)
class Named:
    """A setting that names something registered: an engine, the media store, the backend."""

    registry: Registry[Any]
    also: tuple[str, ...] = ()  # names it accepts besides the registered ones
    # worded as a choice ("Input should be 'sql' or 'redis'"), as the store and the backend
    # always were, rather than "unknown bus backend ..."
    choice: bool = False

    def problem(self, value: str) -> str | None:
        """Why ``value`` cannot be used, in the words of a setting refused on loading."""
        if value in self.also or value in self.registry:
            return None
        if self.choice:
            *others, last = [repr(name) for name in self.registry.names()]
            choices = f"{', '.join(others)} or {last}" if others else last
            return f"Input should be {choices}"
        known = ", ".join([*self.also, *sorted(self.registry.names())])
        return f"Value error, unknown {self.registry.kind} {value!r}; known: {known}"


# The settings that name something registered, in the order their sections are declared.
NAMED = {
    "text.engine": Named(text_engines),
    "image.engine": Named(image_engines),
    "speech.engine": Named(speech_engines, also=("auto",)),
    "media.store": Named(media_stores, choice=True),
    "bus.backend": Named(bus_backends, choice=True),
}
# What each built-in handler builds, by the setting that names it.
TOOLS_USED = {
    "write_story": ("text.engine",),
    "illustrate": ("media.store", "image.engine"),
    "narrate": ("media.store", "speech.engine"),
    "notify": ("media.store",),
}


def check_names(settings: Settings, *paths: str) -> None:
    """Refuse settings (``paths`` such as "text.engine") that name nothing registered, with
    one line each as :func:`~bedtales.config.load_settings` words a bad value. Done here, as
    the tools are built, so that reading the settings imports no engine and the commands that
    use none work whatever the engine settings say. The modules of ``bus.handler_modules``
    are imported first: they may register engines and stores as well as handlers."""
    import_handler_modules(settings.bus.handler_modules)
    problems = []
    for path in paths:
        section, name = path.split(".")
        problem = NAMED[path].problem(getattr(getattr(settings, section), name))
        if problem is not None:
            problems.append(invalid_setting(settings, (section, name), problem))
    if problems:
        raise ConfigError("\n".join(problems))


def initialise(
    data_dir: Path | None = None,
    *,
    household: str | None = None,
    timezone: str | None = None,
    samples: bool = True,
) -> tuple[App, Household, bool]:
    """Create the data dir, settings file, database and default household (idempotent).

    Returns the App, the household and whether the household was created just now.
    """
    settings = load_settings(data_dir)
    name = clean_name(household or settings.default_household, field="household")
    tz = clean_timezone(timezone) if timezone else local_timezone()  # check before creating
    try:
        # the database's subscriber URLs hold mail passwords: the folder is this user's alone
        private.make_folders(settings.data_dir)
        private.tighten(settings.data_dir)
        config_file = settings.data_dir / CONFIG_FILE_NAME
        if not config_file.exists():
            secret = SECRET_LINE.format(secret=secrets.token_urlsafe(32))
            private.create_file(config_file, CONFIG_TEMPLATE + secret)  # kept if one won a race
            settings = load_settings(data_dir)
        elif settings.media.link_secret is None:
            _add_link_secret(config_file)
            settings = load_settings(data_dir)
        else:
            private.tighten(config_file)
    except OSError as exc:
        raise ConfigError(
            f"invalid setting data_dir: cannot use {settings.data_dir}: {exc.strerror}"
        ) from None
    from bedtales.scheduler.schedules import add_schedule
    from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES

    bedtales = App(settings)
    bedtales.db.migrate()
    existing = {h.name: h for h in services.list_households(bedtales.db)}
    if name in existing:
        return bedtales, existing[name], False
    home = services.add_household(
        bedtales.db,
        name,
        timezone=tz,
        characters=SAMPLE_CHARACTERS if samples else (),
        scenes=STARTER_SCENES if samples else (),
    )
    # every day at 19:15 in the household's zone, as the reference app's cron(15 19 * * ? *)
    add_schedule(bedtales.db, home.name)
    return bedtales, home, True
