from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from bedtales.storage import Database
from bedtales.storage.database import _alembic_config
from bedtales.storage.models import HouseholdRow, StoryRow

EXPECTED_TABLES = {
    "households",
    "characters",
    "scenes",
    "stories",
    "subscribers",
    "alembic_version",
}


def test_migrations_create_every_table(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    assert set(inspect(db.engine).get_table_names()) >= EXPECTED_TABLES
    assert db.current_revision() == db.head_revision()
    db.dispose()


def test_migrations_run_down_and_up_again(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    if "postgres" in request.node.callspec.id:
        # the shared test database must stay migrated; use a database of our own
        database_url = request.getfixturevalue("fresh_postgres_url")
    db = Database(database_url)
    db.migrate()
    with db.engine.connect() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.migrate()
    assert set(inspect(db.engine).get_table_names()) >= EXPECTED_TABLES
    db.dispose()


def test_times_come_back_aware_and_in_utc(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    created = datetime(2026, 12, 24, 19, 15, tzinfo=UTC) + timedelta(microseconds=5)
    with db.session() as session:
        home = HouseholdRow(name="h", timezone="UTC", story_ttl_hours=48)
        session.add(home)
        session.flush()
        session.add(
            StoryRow(
                id="00000000-0000-4000-8000-000000000000",
                household_id=home.id,
                title="t",
                description="d",
                scene="s",
                characters=["Eric", "Zoë"],
                prompt="p",
                engine="builtin",
                seed=1,
                word_count=1,
                created_at=created,
                expires_at=created + timedelta(hours=48),
            )
        )
    with db.session() as session:
        row = session.scalars(select(StoryRow)).one()
        assert row.created_at == created
        assert row.created_at.tzinfo is not None
        assert row.characters == ["Eric", "Zoë"]
        assert (row.image_state, row.audio_state, row.notify_state) == (
            "pending",
            "pending",
            "pending",
        )
    db.dispose()


def test_a_new_sqlite_database_does_not_exist_until_migrated(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/fresh/bedtales.db")
    assert not db.exists()
    db.migrate()
    assert db.exists()
    db.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bedtales.storage.models import Base

    db = Database(database_url)
    db.migrate()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], (
        "the models changed without a migration: add one in storage/migrations"
    )
    db.dispose()


def test_households_made_before_0003_get_a_page_token_of_their_own(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    if "postgres" in request.node.callspec.id:
        database_url = request.getfixturevalue("fresh_postgres_url")
    db = Database(database_url)
    db.migrate()
    with db.engine.connect() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO households (name, timezone, story_ttl_hours, created_at) VALUES "
                "('a', 'UTC', 48, CURRENT_TIMESTAMP), ('b', 'UTC', 48, CURRENT_TIMESTAMP)"
            )
        )
        connection.commit()

    db.migrate()

    with db.session() as session:
        rows = session.scalars(select(HouseholdRow).order_by(HouseholdRow.name)).all()
        tokens = {row.page_token for row in rows}
        assert [(r.notify_when, r.notify_timeout_s) for r in rows] == [("created", 600)] * 2
    assert len(tokens) == 2
    assert all(token and len(token) >= 32 for token in tokens)
    db.dispose()


def test_an_upgrade_from_0005_keeps_stories_and_adds_the_memory_and_the_series(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    from bedtales.storage.models import HouseholdMemoryRow
    from bedtales.stories.stream import read_changes

    if "postgres" in request.node.callspec.id:
        database_url = request.getfixturevalue("fresh_postgres_url")
    db = Database(database_url)
    db.migrate()
    story_id = "00000000-0000-4000-8000-000000000006"
    with db.engine.connect() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
        connection.execute(
            text(
                "INSERT INTO households (name, timezone, story_ttl_hours, created_at, "
                "notify_when, notify_timeout_s, page_token) VALUES "
                "('a', 'UTC', 48, CURRENT_TIMESTAMP, 'created', 600, 'token-of-household-a')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO stories (id, household_id, title, description, scene, characters, "
                "prompt, engine, seed, word_count, created_at, expires_at, image_state, "
                "audio_state, notify_state) SELECT :id, id, 'Old Title', 'old words', 'a park', "
                "'[\"Eric\"]', 'p', 'builtin', 1, 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                "'pending', 'pending', 'pending' FROM households WHERE name = 'a'"
            ),
            {"id": story_id},
        )
        connection.commit()

    db.migrate()

    assert {"household_memory"} <= set(inspect(db.engine).get_table_names())
    with db.session() as session:
        home = session.scalars(select(HouseholdRow)).one()
        story = session.get(StoryRow, story_id)
        assert home.series is False
        assert story is not None
        assert (story.title, story.characters, story.plan) == ("Old Title", ["Eric"], None)
        assert session.scalars(select(HouseholdMemoryRow)).all() == []  # not remembered
        story.image_state = "done"
    with db.session() as session:
        modify = read_changes(session, 0, 10)[-1]
    # the change stream's images carry the new column on both databases
    assert modify.event_name == "MODIFY"
    assert modify.new_image is not None
    assert modify.old_image is not None
    assert ("plan", None) in modify.new_image.items()
    assert ("plan", None) in modify.old_image.items()
    assert modify.new_image["image_state"] == "done"

    with db.engine.connect() as connection:  # and back down with rows in place
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
        connection.commit()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM stories")).scalar() == "Old Title"
        connection.execute(text("UPDATE stories SET audio_state = 'done'"))
        connection.commit()
    with db.session() as session:
        modify = read_changes(session, 0, 10)[-1]
    assert modify.new_image is not None
    assert "plan" not in modify.new_image
    db.migrate()
    assert db.current_revision() == db.head_revision()
    db.dispose()


def test_the_head_revision_known_without_alembic_is_alembics_own() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bedtales.storage.database import HEAD_REVISION, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_heads() == [HEAD_REVISION]  # one head, the highest-numbered file


def test_only_a_transaction_that_wrote_rings_the_sqlite_doorbell(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'bedtales.db'}")
    db.migrate()
    chime = db._chime
    assert chime is not None
    try:
        before = chime.rings
        with db.session() as session:  # a read: waiters need not look
            session.execute(select(HouseholdRow.id)).all()
        with db.transaction() as connection:
            connection.execute(select(StoryRow.id)).all()
        assert chime.rings == before
        with db.session() as session:
            session.add(HouseholdRow(name="home", timezone="UTC"))
        assert chime.rings == before + 1
    finally:
        db.dispose()
