"""Shared fixtures. Tests that need PostgreSQL use the real server at
``BEDTALES_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, database ``test``); each test run
creates its own database there and drops it afterwards. Under ``CI=true`` a missing
server fails those tests; locally they are skipped with the reason."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bedtales.app import App, initialise
from bedtales.storage import Database
from bedtales.storage.models import Base
from servers.chat_completions import chat_server  # noqa: F401 - a fixture for every module
from servers.seaweedfs import s3_server  # noqa: F401 - a fixture for every module
from servers.smtp import smtp_server  # noqa: F401

POSTGRES_URL = os.environ.get(
    "BEDTALES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(name: str, problem: str) -> None:
    """Skip locally, fail in CI: a missing real service must never pass silently there."""
    message = f"{name} is not available: {problem}"
    if IN_CI:
        pytest.fail(message + " (CI=true: services are required)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # no test may read the developer's own settings or data
    for key in list(os.environ):
        if key.startswith("BEDTALES_") and key != "BEDTALES_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test run."""
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"bedtales_test_{uuid.uuid4().hex[:12]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        require_service("PostgreSQL", f"{admin_url.render_as_string(hide_password=True)}: {exc}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of this test's own."""
    url = make_url(postgres_server_url)
    name = f"{url.database}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url: str) -> Iterator[Database]:
    db = Database(postgres_server_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL: a new SQLite file, or the test run's PostgreSQL
    database with every table emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'bedtales.db'}"
    db: Database = request.getfixturevalue("postgres_database")
    with db.engine.begin() as connection:
        tables = ", ".join(Base.metadata.tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db.url.render_as_string(hide_password=False)


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialised data directory (household 'home' with samples) on each database."""
    monkeypatch.setenv("BEDTALES_DATABASE_URL", database_url)
    # espeak narrates a story in a fraction of a second, piper in seconds: tests that run
    # workers would spend most of their time narrating. Tests of piper ask for it.
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "espeak")
    directory = tmp_path / "data"
    bedtales, _, _ = initialise(directory, timezone="Europe/London")
    bedtales.close()
    return directory


@pytest.fixture
def bedtales(data_dir: Path) -> Iterator[App]:
    opened = App.open(data_dir)
    yield opened
    opened.close()
