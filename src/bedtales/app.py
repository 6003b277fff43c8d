"""The composition root: builds the database and engines from settings. It is the one place
that knows which backend was chosen; everything else receives what it needs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bedtales import services
from bedtales.config import CONFIG_FILE_NAME, Settings, load_settings
from bedtales.domain import Household, Story, clean_name, clean_timezone, local_timezone
from bedtales.errors import ConfigError
from bedtales.storage import Database
from bedtales.stories import writer
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES

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
            app.db.migrate()
        return app

    def close(self) -> None:
        self.db.dispose()

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
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    config_file = settings.data_dir / CONFIG_FILE_NAME
    if not config_file.exists():
        config_file.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    app = App(settings)
    app.db.migrate()
    name = clean_name(household or settings.default_household, field="household")
    existing = {h.name: h for h in services.list_households(app.db)}
    if name in existing:
        return app, existing[name], False
    tz = clean_timezone(timezone) if timezone else local_timezone()
    home = services.add_household(app.db, name, timezone=tz)
    if samples:
        services.import_entries(app.db, name, SAMPLE_CHARACTERS, STARTER_SCENES)
    return app, home, True
