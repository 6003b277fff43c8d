"""Subscribers: who hears about a household's new stories, each given as an Apprise URL
(``mailto://``, ``ntfy://``, ``slack://``, ``discord://``, ``tgram://``, ``json://``…), and
when they hear (:func:`set_notify_when`). Reading, masking and sending to the URLs is
:mod:`bedtales.channels`' work.

A URL may hold a password or a token: a :class:`Subscriber` shows it masked, and keeps the
URL itself for sending only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bedtales.channels import SendFailed, describe, read_url, send
from bedtales.domain import Household, clean_name
from bedtales.errors import InputError, NotFound
from bedtales.messages import test_message
from bedtales.services import get_household, household_row, refuse_duplicates
from bedtales.storage import Database
from bedtales.storage.models import HouseholdRow, SubscriberRow

NOTIFY_WHEN = ("created", "complete")
TIMEOUT_MIN_S, TIMEOUT_MAX_S = 30, 24 * 3600
_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Subscriber:
    id: int
    household: str
    label: str | None
    service: str  # Apprise's name for the channel: "E-Mail", "ntfy", "Slack"…
    masked_url: str
    created_at: datetime
    # the URL as given, secrets and all: for sending only, never for showing
    url: str = field(repr=False)

    @property
    def name(self) -> str:
        """How messages and logs name it: the label, else the number."""
        return f"{self.label!r} (#{self.id})" if self.label else f"#{self.id}"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "household": self.household,
            "label": self.label,
            "service": self.service,
            "maskedUrl": self.masked_url,
            "createdAt": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class TestOutcome:
    subscriber: Subscriber
    error: str | None  # None: the channel took it


# ----------------------------------------------------------------------------- services


def add_subscriber(db: Database, household: str, url: str, label: str | None = None) -> Subscriber:
    """Add a subscriber; an URL Apprise cannot use is refused with its reason."""
    url = url.strip() if isinstance(url, str) else url
    read_url(url)
    label = clean_label(label)
    taken = f"that URL is already a subscriber of {household!r}"
    with refuse_duplicates(taken, "url"), db.session() as session:
        home = household_row(session, household)
        rows = session.scalars(select(SubscriberRow).where(SubscriberRow.household_id == home.id))
        for row in rows:
            if row.url == url:
                raise InputError(taken, field="url")
            if label is not None and row.label == label:
                raise InputError(f"{household!r} already has a subscriber {label!r}", field="label")
        row = SubscriberRow(household_id=home.id, url=url, label=label)
        session.add(row)
        session.flush()
        return _subscriber(row, home.name)


def list_subscribers(db: Database, household: str) -> list[Subscriber]:
    with db.session() as session:
        home = household_row(session, household)
        query = select(SubscriberRow).where(SubscriberRow.household_id == home.id)
        return [_subscriber(row, home.name) for row in session.scalars(query.order_by("id"))]


def get_subscriber(db: Database, household: str, id_or_label: str) -> Subscriber:
    with db.session() as session:
        home = household_row(session, household)
        return _subscriber(_find(session, home, id_or_label), home.name)


def remove_subscriber(db: Database, household: str, id_or_label: str) -> Subscriber:
    """Remove a subscriber given by the number `subscribers list` shows, or its label."""
    with db.session() as session:
        home = household_row(session, household)
        row = _find(session, home, id_or_label)
        removed = _subscriber(row, home.name)
        session.delete(row)
        return removed


def set_notify_when(
    db: Database, household: str, when: str, timeout_s: int | None = None
) -> Household:
    """``created``: tell subscribers at once; ``complete``: once the picture and the
    narration are done, or ``timeout_s`` after the story was written, whichever is first."""
    when = when.strip().lower()
    if when not in NOTIFY_WHEN:
        raise InputError(f"notify_when must be created or complete, not {when!r}", field="when")
    if timeout_s is not None and not TIMEOUT_MIN_S <= timeout_s <= TIMEOUT_MAX_S:
        raise InputError(
            f"timeout must be between {TIMEOUT_MIN_S} and {TIMEOUT_MAX_S} seconds, not {timeout_s}",
            field="timeout",
        )
    values: dict[str, Any] = {"notify_when": when}
    if timeout_s is not None:
        values["notify_timeout_s"] = timeout_s
    with db.session() as session:
        home_id = household_row(session, household).id
        session.execute(update(HouseholdRow).where(HouseholdRow.id == home_id).values(values))
    return get_household(db, household)


def send_test(
    db: Database, household: str, base_url: str, id_or_label: str | None = None
) -> list[TestOutcome]:
    """Send a short test message now to one subscriber, or to all of the household's."""
    chosen = (
        [get_subscriber(db, household, id_or_label)]
        if id_or_label is not None
        else list_subscribers(db, household)
    )
    message = test_message(household, base_url)
    outcomes = []
    for subscriber in chosen:
        try:
            send(subscriber.url, message)
        except SendFailed as exc:
            outcomes.append(TestOutcome(subscriber, str(exc)))
        else:
            outcomes.append(TestOutcome(subscriber, None))
    return outcomes


def clean_label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    label = clean_name(label, field="label")
    if _NUMBER.fullmatch(label):
        raise InputError("label must not be a number: numbers are subscriber ids", field="label")
    return label


def _find(session: Session, home: HouseholdRow, id_or_label: str) -> SubscriberRow:
    query = select(SubscriberRow).where(SubscriberRow.household_id == home.id)
    wanted = id_or_label.strip()
    if _NUMBER.fullmatch(wanted):
        query = query.where(SubscriberRow.id == int(wanted))
    else:
        query = query.where(SubscriberRow.label == wanted)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"no subscriber {id_or_label!r} in {home.name!r}")
    return row


def _subscriber(row: SubscriberRow, household: str) -> Subscriber:
    service, masked_url = describe(row.url)
    return Subscriber(
        id=row.id,
        household=household,
        label=row.label,
        service=service,
        masked_url=masked_url,
        created_at=row.created_at,
        url=row.url,
    )
