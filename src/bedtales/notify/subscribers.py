"""Subscribers: who hears about a household's new stories, each given as an Apprise URL
(``mailto://``, ``ntfy://``, ``slack://``, ``discord://``, ``tgram://``, ``json://``…), and
when they hear (:func:`set_notify_when`). Reading, masking and sending to the URLs is
:mod:`bedtales.notify.channels`' work.

A URL may hold a password or a token: a :class:`Subscriber` shows it masked, and keeps the
URL itself for sending only.

Who added it matters: the operator (:func:`add_subscriber`, from the CLI or the admin API)
may give any Apprise URL; a household on its web site (:func:`add_household_subscriber`)
only the plain forms :mod:`bedtales.notify.guard` allows, and they are sent under its rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bedtales.config import Settings, SmtpSettings
from bedtales.domain import Household, clean_name
from bedtales.errors import InputError, NotFound
from bedtales.households.services import check_cap, get_household, household_row, refuse_duplicates
from bedtales.notify.channels import SendFailed, describe, read_url, send
from bedtales.notify.guard import (
    HTTPS_PORT,
    AddressRefused,
    check_address,
    check_household_url,
    email_url,
    ntfy_url,
    read_household_url,
)
from bedtales.notify.messages import test_message
from bedtales.storage import Database
from bedtales.storage.models import HouseholdRow, StoryNotificationRow, SubscriberRow

NOTIFY_WHEN = ("created", "complete")
ON_UNSURE = ("resend", "skip")
MAX_SUBSCRIBERS = 10  # a household's cap
HOUSEHOLD_KINDS = ("email", "ntfy", "url")
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
    added_by: str = "operator"  # or "household": sent under the web site's rules

    @property
    def household_added(self) -> bool:
        return self.added_by == "household"

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
    return _store(db, household, url, clean_label(label), added_by="operator", field="url")


def add_household_subscriber(
    db: Database,
    household: str,
    *,
    kind: str,
    settings: Settings,
    email: str | None = None,
    server: str | None = None,
    topic: str | None = None,
    url: str | None = None,
    label: str | None = None,
) -> Subscriber:
    """Add a subscriber from the household's own web site, from its plain form: ``kind``
    ``email`` (field ``email``, sent through the operator's ``[smtp]``), ``ntfy`` (fields
    ``server``, ``topic``) or ``url`` (field ``url``: an ntfy, Discord, Slack or Telegram
    URL). Everything else an operator's URL may do is refused (:mod:`bedtales.notify.guard`)."""
    chosen = (kind or "").strip().lower()
    if chosen == "email":
        stored, field = email_url(email or "", settings), "email"
    elif chosen == "ntfy":
        stored, field = ntfy_url(server, topic or ""), "topic"
    elif chosen == "url":
        stored, field = check_household_url(url or ""), "url"
    else:
        raise InputError(f"kind must be {', '.join(HOUSEHOLD_KINDS)}, not {kind!r}", field="kind")
    _check_reachable(stored, field="server" if chosen == "ntfy" else "url")
    read_url(stored)  # Apprise reads it too: the CLI and the admin API show it
    return _store(db, household, stored, clean_label(label), added_by="household", field=field)


def _check_reachable(url: str, *, field: str) -> None:
    """An ntfy server of the household's choosing must be on the public internet now (it
    is checked again at each send); the same words whatever the reason, see AddressRefused."""
    target = read_household_url(url)
    if target.service != "ntfy":
        return  # email goes through the operator's server; the others' hosts are fixed
    try:
        check_address(target.host, HTTPS_PORT)
    except AddressRefused as exc:
        raise InputError(
            f"{target.host} cannot be used: bedtales cannot reach it on the public internet",
            field=field,
        ) from exc


def _store(
    db: Database, household: str, url: str, label: str | None, *, added_by: str, field: str
) -> Subscriber:
    """Store it unless the household has it already (``field`` names the form's field)."""
    taken = f"that {'URL' if field == 'url' else field} is already a subscriber of {household!r}"
    with refuse_duplicates(taken, field), db.session() as session:
        home = household_row(session, household)
        rows = list(
            session.scalars(select(SubscriberRow).where(SubscriberRow.household_id == home.id))
        )
        for row in rows:
            if row.url == url:
                raise InputError(taken, field=field)
            if label is not None and row.label == label:
                raise InputError(f"{household!r} already has a subscriber {label!r}", field="label")
        check_cap(len(rows), 1, MAX_SUBSCRIBERS, "subscribers", field)
        row = SubscriberRow(household_id=home.id, url=url, label=label, added_by=added_by)
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


def set_notify_on_unsure(db: Database, household: str, choice: str) -> Household:
    """What to do with a send a dead worker may or may not have made, when its delivery
    comes back: ``resend`` (a second message is better than none at bedtime) or ``skip``
    (mark the subscriber unsure and send nothing)."""
    choice = choice.strip().lower()
    if choice not in ON_UNSURE:
        raise InputError(
            f"notify_on_unsure must be resend or skip, not {choice!r}", field="on_unsure"
        )
    with db.session() as session:
        home_id = household_row(session, household).id
        session.execute(
            update(HouseholdRow).where(HouseholdRow.id == home_id).values(notify_on_unsure=choice)
        )
    return get_household(db, household)


def send_test(
    db: Database,
    household: str,
    base_url: str,
    id_or_label: str | None = None,
    *,
    smtp: SmtpSettings | None = None,
) -> list[TestOutcome]:
    """Send a short test message now to one subscriber, or to all of the household's;
    ``smtp``: the operator's mail server, which households' email subscribers need."""
    chosen = (
        [get_subscriber(db, household, id_or_label)]
        if id_or_label is not None
        else list_subscribers(db, household)
    )
    message = test_message(household, base_url)
    outcomes = []
    for subscriber in chosen:
        try:
            send(subscriber.url, message, household_added=subscriber.household_added, smtp=smtp)
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


@dataclass(frozen=True)
class Notification:
    """Where one story stands with one subscriber: sending, sent, failed (``error`` says
    why; a retry takes it back), resending, resent or unsure (a stopped worker may have
    sent it; the household chose not to send again)."""

    subscriber_id: int
    subscriber: str  # the label, else "#id"
    service: str
    state: str
    error: str | None
    sent_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "subscriber": self.subscriber,
            "service": self.service,
            "state": self.state,
            "error": self.error,
            "sentAt": self.sent_at.isoformat() if self.sent_at else None,
        }


def story_notifications(db: Database, story_id: str) -> list[Notification]:
    """Each subscriber's state for one story, in the order they were added; a subscriber
    with none was not tried yet (or was added after the story was sent)."""
    with db.session() as session:
        rows = session.execute(
            select(StoryNotificationRow, SubscriberRow)
            .join(SubscriberRow, SubscriberRow.id == StoryNotificationRow.subscriber_id)
            .where(StoryNotificationRow.story_id == story_id)
            .order_by(SubscriberRow.id)
        ).all()
        return [
            Notification(
                subscriber_id=row.id,
                subscriber=row.label or f"#{row.id}",
                service=describe(row.url)[0],
                state=told.state,
                error=told.error,
                sent_at=told.sent_at,
            )
            for told, row in rows
        ]


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
        added_by=row.added_by,
    )
