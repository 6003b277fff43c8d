"""The ``notify`` target: tells the household's subscribers that a story is ready.

As the reference app's SNS email, but through Apprise URLs (email, ntfy, Slack, Discord,
Telegram, webhooks…), at most once per subscriber however often the event is delivered.

When: a household with ``notify_when = "created"`` is told at once (the reference app);
one with ``"complete"`` when the picture and the narration are done, or ``notify_timeout_s``
after the story was written with whatever is ready. Until then the delivery is deferred
(:class:`~bedtales.errors.Deferred`: it comes back, its attempt not counted).

At most once: before sending to a subscriber, the handler claims the pair (story,
subscriber) in ``story_notifications`` in a committed transaction of its own; a second
claim fails on the primary key, so a redelivered event, or a second worker, skips whoever
is claimed. A send that fails marks its claim "failed" with the reason, and the delivery is
retried by the bus policy, for those subscribers only: the retry takes the failed claim back
(a compare-and-set on its state, so one worker does). Should the bus give up, the claim stays
"failed" with its reason, for `story show`, the API and the household's page.

Unsure sends: a worker that dies between its claim and the end of the send leaves the claim
"sending", and nobody knows whether the message went. When the delivery comes back it
resolves such a claim by the household's ``notify_on_unsure``: ``resend`` (the default: a
second message is better than none at bedtime) sends again and marks it "resent"; ``skip``
marks it "unsure" and sends nothing. Email carries one Message-ID per (story, subscriber),
so a resend is the same message to mail stores that deduplicate by it.

A claim names the delivery that holds it (``claimed_by``, the event's id) and when it was
made or taken over. It is unsure, not a send in progress, when it is this delivery's own and
this delivery was tried before (attempt > 1: deliveries are leased, so the earlier try
ended without noting the send), or when it is older than :func:`unsure_after` (a send in
progress takes the mail server's timeout at most). A young claim of another delivery of the
same story (the event published twice, a replay) is left to it: this one does not mark the
story done then, so should that worker die, its delivery comes back to a story still to be
told. Taking over a claim is a compare-and-set on its state and time, so one worker does;
and a delivery notes its outcome only on a claim still its own (same holder, same time), so
a slow send that was taken over cannot overwrite, or give back, the claim of the delivery
that took it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError

from bedtales.clock import utcnow
from bedtales.config import Settings, SmtpSettings
from bedtales.domain import Household, Story
from bedtales.errors import Deferred
from bedtales.households import services
from bedtales.notify.channels import SendFailed, send
from bedtales.notify.messages import Message, message_id_for, story_message
from bedtales.notify.subscribers import Subscriber, list_subscribers
from bedtales.storage import Database
from bedtales.storage.models import StoryNotificationRow, StoryRow
from bedtales.targets import TargetContext, handler
from bedtales.targets.media import story_for

log = logging.getLogger(__name__)

# how often a "complete" household's story looks again for its picture and narration: one
# cheap row read each time. Often while the story is young (espeak narrates in a second),
# then less and less (a remote voice may take minutes): the family waits at most an eighth
# of the story's age, and never more than POLL_MAX_S, after both are done.
POLL_MIN_S = 0.2
POLL_MAX_S = 5.0
POLL_FRACTION = 1 / 8
# a claim still "sending" this long after it was made is taken for a dead worker's (at
# least: see unsure_after)
UNSURE_AFTER_S = 30.0
UNSURE_STATES = ("sending", "resending")


@dataclass(frozen=True)
class Claim:
    """A (story, subscriber) pair held by one delivery since ``at``."""

    story_id: str
    subscriber_id: int
    holder: str  # the event's id
    at: datetime


def unsure_after(settings: Settings) -> float:
    """Seconds after which another delivery's claim still "sending" is taken for a dead
    worker's: longer than any live send (the mail server's timeout is per step, so twice
    it) and than a lease, after which a dead worker's own delivery comes back anyway."""
    return max(UNSURE_AFTER_S, 2 * settings.smtp.timeout_s, settings.bus.lease_s)


def poll_delay(age_s: float) -> float:
    """Seconds before a story ``age_s`` old looks again for its picture and narration."""
    return min(POLL_MAX_S, max(POLL_MIN_S, age_s * POLL_FRACTION))


def _give_up(ctx: TargetContext, error: str) -> None:
    """The bus gave up: the story says why (the dead-letter queue can send it again)."""
    story_id = ctx.delivery.event.subject
    if story_id:
        _record(ctx.db, story_id, notify_state="failed", notify_error=error[:2000])


@handler("notify", on_dead_letter=_give_up)
def notify(ctx: TargetContext) -> None:
    story = story_for(ctx)
    if story is None or story.notify_state == "done":
        return
    household = services.get_household(ctx.db, story.household)
    wait_for_media(story, household)
    subscribers = list_subscribers(ctx.db, household.name)
    if not subscribers:
        log.info("story %s: %r has no subscribers; nobody to tell", story.id, household.name)
        _record(ctx.db, story.id, notify_state="done", notify_error=None)
        return
    message = story_message(
        story, ctx.tools.media, ctx.settings.web.base_url, timezone=household.timezone
    )
    failures = [
        failure
        for subscriber in subscribers
        if (
            failure := tell(
                ctx.db,
                story,
                subscriber,
                message,
                ctx.settings.smtp,
                holder=ctx.delivery.event.id,
                attempt=ctx.delivery.attempt,
                on_unsure=household.notify_on_unsure,
                unsure_after_s=unsure_after(ctx.settings),
            )
        )
        is not None
    ]
    if failures:
        error = f"{len(failures)} of {len(subscribers)} not told: " + "; ".join(failures)
        _record(ctx.db, story.id, notify_error=error[:2000])
        raise SendFailed(error)  # the bus retries; whoever was told is skipped then
    if _still_sending(ctx.db, story.id):
        # another delivery of this story is sending now: it says "done", or, should its
        # worker die, comes back and resolves the claim (the story must not say done then)
        log.info("story %s: another delivery is still telling someone", story.id)
        return
    _record(ctx.db, story.id, notify_state="done", notify_error=None, notified_at=utcnow())


def wait_for_media(story: Story, household: Household) -> None:
    """Defer the delivery while a "complete" household's story still waits for its
    picture or narration and the household's timeout has not run out."""
    if household.notify_when != "complete":
        return
    media = (("picture", story.image.state), ("narration", story.audio.state))
    pending = [name for name, state in media if state == "pending"]
    if not pending:
        return
    age_s = (utcnow() - story.created_at).total_seconds()
    left_s = household.notify_timeout_s - age_s
    if left_s > 0:
        raise Deferred(
            f"waiting for the {' and the '.join(pending)} (at most {left_s:.0f} s more)",
            delay_s=min(poll_delay(age_s), left_s),
        )
    log.info("story %s: telling without the %s after %.0f s", story.id, " or ".join(pending), age_s)


def tell(
    db: Database,
    story: Story,
    subscriber: Subscriber,
    message: Message,
    smtp: SmtpSettings | None = None,
    *,
    holder: str = "",
    attempt: int = 1,
    on_unsure: str = "resend",
    unsure_after_s: float = UNSURE_AFTER_S,
) -> str | None:
    """Send the story to one subscriber unless claimed already; the failure, or None.
    A household's own subscriber is sent under its web site's rules, its email through the
    operator's mail server (``smtp``). ``holder`` is the delivery's event id, ``attempt``
    its attempt; a claim left by a dead worker is resolved by ``on_unsure`` (see the
    module's docstring)."""
    message = replace(message, message_id=message_id_for(story.id, subscriber.id))
    claim = _claim(db, story.id, subscriber.id, holder)
    if claim is not None:
        return _send(db, claim, subscriber, message, smtp, done="sent")
    taken = _take_unsure(db, story.id, subscriber.id, holder, attempt, on_unsure, unsure_after_s)
    if taken is None:
        log.info("story %s: subscriber %s is told already", story.id, subscriber.name)
        return None
    state, claim = taken
    if state == "resending":
        log.warning("story %s: %s may not have been told; sending again", story.id, subscriber.name)
        return _send(db, claim, subscriber, message, smtp, done="resent")
    log.warning("story %s: %s may not have been told; not sent again", story.id, subscriber.name)
    return None


def _send(
    db: Database,
    claim: Claim,
    subscriber: Subscriber,
    message: Message,
    smtp: SmtpSettings | None,
    *,
    done: str,
) -> str | None:
    """Send on a claim held by this delivery and note it ``done``; the failure, or None.
    A failure marks the claim "failed", so the retry takes it back and sends (with the same
    Message-ID)."""
    story_id = claim.story_id
    try:
        send(subscriber.url, message, household_added=subscriber.household_added, smtp=smtp)
    except SendFailed as exc:
        _note(claim, db, state="failed", error=str(exc)[:2000])
        log.warning("story %s: telling %s failed: %s", story_id, subscriber.name, exc)
        return f"{subscriber.name} ({subscriber.service}): {exc}"
    except BaseException:
        _unclaim(db, claim)  # e.g. the worker is stopping: try again later
        raise
    _note(claim, db, state=done, error=None, sent_at=utcnow())
    log.info("story %s: told %s (%s)", story_id, subscriber.name, subscriber.service)
    return None


def _note(claim: Claim, db: Database, **values: object) -> None:
    """Note the outcome on the claim if it is still this delivery's: another delivery that
    took it over (this send was slow enough to look dead) notes its own."""
    with db.session() as session:
        noted = session.execute(update(StoryNotificationRow).where(_held(claim)).values(values))
    if noted.rowcount != 1:  # type: ignore[attr-defined]
        log.warning(
            "story %s: subscriber #%d was taken over by another delivery while this one sent",
            claim.story_id,
            claim.subscriber_id,
        )


def _take_unsure(
    db: Database,
    story_id: str,
    subscriber_id: int,
    holder: str,
    attempt: int,
    on_unsure: str,
    unsure_after_s: float,
) -> tuple[str, Claim] | None:
    """Take over a claim a dead worker left: its new state ("resending" or "unsure") and
    the claim, or None when the pair is told already, or may be being told right now by
    someone else."""
    with db.session() as session:
        row = session.get(StoryNotificationRow, (story_id, subscriber_id))
        seen = None if row is None else (row.state, row.created_at, row.claimed_by)
    if seen is None or seen[0] not in UNSURE_STATES:
        return None
    own = seen[2] in (holder, None)  # None: a claim made before claims named their holder
    old = (utcnow() - seen[1]).total_seconds() >= unsure_after_s
    if not (old or (attempt > 1 and own)):
        return None
    state = "unsure" if on_unsure == "skip" else "resending"
    error = (
        "a stopped worker may or may not have sent it; not sent again (on-unsure: skip)"
        if state == "unsure"
        else None
    )
    claim = Claim(story_id, subscriber_id, holder, utcnow())
    with db.session() as session:
        taken = session.execute(
            update(StoryNotificationRow)
            .where(
                _pair(story_id, subscriber_id),
                StoryNotificationRow.state == seen[0],
                StoryNotificationRow.created_at == seen[1],
            )
            .values(state=state, error=error, created_at=claim.at, claimed_by=holder)
        )
    return (state, claim) if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _claim(db: Database, story_id: str, subscriber_id: int, holder: str) -> Claim | None:
    """Claim the pair, committed before anything is sent, or take back a claim whose send
    failed; None if it is claimed already (or the story or the subscriber was deleted
    meanwhile: nothing to send then either)."""
    claim = Claim(story_id, subscriber_id, holder, utcnow())
    try:
        with db.session() as session:
            session.add(
                StoryNotificationRow(
                    story_id=story_id,
                    subscriber_id=subscriber_id,
                    created_at=claim.at,
                    claimed_by=holder,
                )
            )
    except IntegrityError:
        with db.session() as session:
            retaken = session.execute(
                update(StoryNotificationRow)
                .where(_pair(story_id, subscriber_id), StoryNotificationRow.state == "failed")
                .values(state="sending", created_at=claim.at, claimed_by=holder)
            )
        return claim if retaken.rowcount == 1 else None  # type: ignore[attr-defined]
    return claim


def _still_sending(db: Database, story_id: str) -> bool:
    """Whether a claim of the story is still being sent (this delivery's are all settled)."""
    with db.session() as session:
        claim = session.scalar(
            select(StoryNotificationRow.subscriber_id)
            .where(
                StoryNotificationRow.story_id == story_id,
                StoryNotificationRow.state.in_(UNSURE_STATES),
            )
            .limit(1)
        )
    return claim is not None


def _unclaim(db: Database, claim: Claim) -> None:
    with db.session() as session:
        session.execute(delete(StoryNotificationRow).where(_held(claim)))


def _held(claim: Claim) -> ColumnElement[bool]:
    """The claim's row, while it is still this delivery's (not taken over or settled)."""
    return (
        _pair(claim.story_id, claim.subscriber_id)
        & StoryNotificationRow.state.in_(UNSURE_STATES)
        & (StoryNotificationRow.claimed_by == claim.holder)
        & (StoryNotificationRow.created_at == claim.at)
    )


def _pair(story_id: str, subscriber_id: int) -> ColumnElement[bool]:
    return (StoryNotificationRow.story_id == story_id) & (
        StoryNotificationRow.subscriber_id == subscriber_id
    )


def _record(db: Database, story_id: str, **values: object) -> None:
    """Note the outcome on the story; a "done" is never overwritten by a late failure."""
    with db.session() as session:
        session.execute(
            update(StoryRow)
            .where(StoryRow.id == story_id, StoryRow.notify_state != "done")
            .values(values)
        )
