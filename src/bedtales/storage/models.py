"""The tables. SQLite by default, PostgreSQL by URL; Alembic migrations create them.

Times are stored as UTC and always come back timezone-aware, on both databases.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from bedtales.clock import utcnow
from bedtales.domain import NAME_MAX, SCENE_MAX

# Constraint names are fixed so that migrations are the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, stored naive-UTC where the database has no zones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; bedtales stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def new_page_token() -> str:
    return secrets.token_urlsafe(24)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class HouseholdRow(Base):
    __tablename__ = "households"
    __table_args__ = (Index("ix_households_page_token", "page_token", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    story_ttl_hours: Mapped[int] = mapped_column(Integer, default=48)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "created": tell the family at once (the reference app); "complete": once the picture
    # and the narration are done, or after notify_timeout_s with whatever is ready
    notify_when: Mapped[str] = mapped_column(
        String(16), default="created", server_default="created"
    )
    notify_timeout_s: Mapped[int] = mapped_column(Integer, default=600, server_default="600")
    # a send that may or may not have happened (claimed, then the worker died): "resend"
    # sends again when the delivery comes back, "skip" marks it unsure (targets/notify.py)
    notify_on_unsure: Mapped[str] = mapped_column(
        String(16), default="resend", server_default="resend"
    )
    # the unguessable part of the household page's address. Always set (by add_household, and
    # by migration 0003 for older rows); nullable only because SQLite cannot add a NOT NULL
    # column without a default to a table that already has rows.
    page_token: Mapped[str | None] = mapped_column(String(64), default=new_page_token)
    # the series: a story may bring back a friend from a recent one and remember the last
    # one in a line or two (stories/recall.py)
    series: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the passphrase that lets the family change things on its site (households/access.py):
    # a scrypt hash, never the passphrase; None: the site only reads
    passphrase_hash: Mapped[str | None] = mapped_column(String(255), default=None)

    characters: Mapped[list[CharacterRow]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="CharacterRow.id"
    )
    scenes: Mapped[list[SceneRow]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="SceneRow.id"
    )


class CharacterRow(Base):
    __tablename__ = "characters"
    __table_args__ = (UniqueConstraint("household_id", "name_key", name="uq_characters_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # casefolded name: "Eric" and "eric" are the same character
    name_key: Mapped[str] = mapped_column(String(NAME_MAX * 3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    household: Mapped[HouseholdRow] = relationship(back_populates="characters")


class SceneRow(Base):
    __tablename__ = "scenes"
    __table_args__ = (
        UniqueConstraint("household_id", "description_key", name="uq_scenes_description"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(SCENE_MAX))
    description_key: Mapped[str] = mapped_column(String(SCENE_MAX * 3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    household: Mapped[HouseholdRow] = relationship(back_populates="scenes")


class StoryRow(Base):
    __tablename__ = "stories"
    __table_args__ = (
        Index("ix_stories_household_created", "household_id", "created_at"),
        Index("ix_stories_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    scene: Mapped[str] = mapped_column(Text)
    characters: Mapped[list[str]] = mapped_column(JSON)
    prompt: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(40))
    # why the engine that wrote it is not the one asked for (failed gates, unreachable…)
    engine_note: Mapped[str | None] = mapped_column(Text, default=None)
    seed: Mapped[int] = mapped_column(Integer)
    word_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # what the builtin writer chose (StoryPlan.to_json()): the series brings it back
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # kept by the family: never expired by the sweeper while set (see alive())
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # Filled in by the targets downstream of StoryCreated (illustrate, narrate, notify).
    image_state: Mapped[str] = mapped_column(String(16), default="pending")
    image_key: Mapped[str | None] = mapped_column(Text, default=None)
    image_mime: Mapped[str | None] = mapped_column(String(64), default=None)
    image_size: Mapped[int | None] = mapped_column(Integer, default=None)
    image_engine: Mapped[str | None] = mapped_column(String(40), default=None)
    image_error: Mapped[str | None] = mapped_column(Text, default=None)
    audio_state: Mapped[str] = mapped_column(String(16), default="pending")
    audio_key: Mapped[str | None] = mapped_column(Text, default=None)
    audio_mime: Mapped[str | None] = mapped_column(String(64), default=None)
    audio_size: Mapped[int | None] = mapped_column(Integer, default=None)
    audio_engine: Mapped[str | None] = mapped_column(String(40), default=None)
    audio_error: Mapped[str | None] = mapped_column(Text, default=None)
    audio_seconds: Mapped[float | None] = mapped_column(Double, default=None)
    notify_state: Mapped[str] = mapped_column(String(16), default="pending")
    notify_error: Mapped[str | None] = mapped_column(Text, default=None)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    household: Mapped[HouseholdRow] = relationship()

    @classmethod
    def alive(cls, now: datetime) -> ColumnElement[bool]:
        """Stories still shown at ``now``: kept ones, and the rest until they expire."""
        return or_(cls.kept_at.is_not(None), cls.expires_at > now)


class HouseholdMemoryRow(Base):
    """One story in its household's memory (stories/recall.py): fingerprints and catalogue
    keys, never text or names. The story id is no foreign key: the row outlives the story's
    expiry, and only the household's latest ``MEMORY_STORIES`` rows are kept."""

    __tablename__ = "household_memory"
    __table_args__ = (Index("ix_household_memory_latest", "household_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    story_id: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the story's
    plot: Mapped[str | None] = mapped_column(String(64), default=None)  # builtin plans only
    friend: Mapped[str | None] = mapped_column(String(64), default=None)
    scene: Mapped[str] = mapped_column(String(16))  # the scene's fingerprint
    # the story's lines, couplets and title: 16-hex-digit fingerprints, space-separated
    fingerprints: Mapped[str] = mapped_column(Text)


class StoryNotificationRow(Base):
    """One story told to one subscriber: claimed before sending, so a story goes to a
    subscriber at most once however often its event is delivered."""

    __tablename__ = "story_notifications"

    story_id: Mapped[str] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    # sending (claimed), sent; after a worker died mid-send: resending, resent or unsure
    state: Mapped[str] = mapped_column(String(16), default="sending")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # when the claim was made or taken over: with claimed_by, whose it is now
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # the id of the event whose delivery holds the claim (none on rows before 0009)
    claimed_by: Mapped[str | None] = mapped_column(String(255), default=None)


class SubscriberRow(Base):
    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("household_id", "url", name="uq_subscribers_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # an Apprise URL; it may hold a password, so it is shown masked
    url: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(NAME_MAX), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "operator" (CLI, admin API: any Apprise URL) or "household" (its site: URLs held to
    # what cannot reach inside the server's network, see notify/guard.py)
    added_by: Mapped[str] = mapped_column(String(16), default="operator", server_default="operator")


class HouseholdSessionRow(Base):
    """A signed-in family on its site: the cookie holds the token, this row its SHA-256."""

    __tablename__ = "household_sessions"
    __table_args__ = (Index("ix_household_sessions_household", "household_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInFailureRow(Base):
    """One wrong passphrase from one client: the sign-in rate limit counts recent ones."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_client", "client", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScheduleRow(Base):
    """When to write a story for a household: an expression (see scheduler/expressions.py)
    read in an IANA zone. The scheduler claims rows whose due_at has come (scheduler/firing.py)."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("household_id", "name", name="uq_schedules_name"),
        Index("ix_schedules_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    expression: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # flexible time window: fire at a random moment up to this many minutes late (0 = off)
    window_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # retry policy: attempts per firing, and how late a missed firing may still be caught up
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    max_age_s: Mapped[int] = mapped_column(Integer, default=6 * 3600)
    # the next fire time itself (what rate() counts from, what the idempotency key names)…
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # …and when it is due: the fire time plus its place in the window; None while paused or
    # once an at() has fired. The scheduler claims rows with due_at <= now.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    household: Mapped[HouseholdRow] = relationship()


# ----------------------------------------------------------------------------- the event backbone

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer, "sqlite")
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class StoryChangeRow(Base):
    """The change stream: one row per change to ``stories``, written only by a database
    trigger (see migration 0002), never by the application."""

    __tablename__ = "story_changes"
    # AUTOINCREMENT: SQLite must never reuse a sequence number once old records are pruned,
    # or a reader's stored position would skip the new ones
    __table_args__ = (
        Index("ix_story_changes_changed_at", "changed_at"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_name: Mapped[str] = mapped_column(String(8))
    keys: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    new_image: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    old_image: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PipeCheckpointRow(Base):
    __tablename__ = "pipe_checkpoints"

    pipe: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BusEventRow(Base):
    __tablename__ = "bus_events"
    __table_args__ = (Index("ix_bus_events_subject", "subject"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(128))
    detail_type: Mapped[str] = mapped_column(String(128))
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    subject: Mapped[str | None] = mapped_column(String(64), default=None)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BusDeliveryRow(Base):
    """One event for one target. Claimable while ``state`` is pending and ``due_at`` (epoch
    seconds) has come; a claim pushes ``due_at`` to the end of its lease (SQS-style
    visibility timeout), so a crashed worker's delivery becomes claimable again by itself."""

    __tablename__ = "bus_deliveries"
    __table_args__ = (
        # claims walk the pending deliveries in due order and stop after a batch
        Index(
            "ix_bus_deliveries_due",
            "due_at",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(
            "ix_bus_deliveries_dead",
            "target",
            postgresql_where=text("state = 'dead'"),
            sqlite_where=text("state = 'dead'"),
        ),
        Index("ix_bus_deliveries_event", "event_seq"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_seq: Mapped[int] = mapped_column(ForeignKey("bus_events.seq", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending, done, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[float] = mapped_column(Double)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BusEffectRow(Base):
    """Effects a handler has applied, by key, so a redelivered event does not repeat one."""

    __tablename__ = "bus_effects"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
