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
is claimed. A send that fails gives its claim back and the delivery is retried by the bus
policy, for those subscribers only. The one gap: a worker that dies between its claim and
the end of the send leaves the claim "sending", and that subscriber is not told (never told
twice is the promise; the row shows who was missed).
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.exc import IntegrityError

from bedtales.clock import utcnow
from bedtales.config import SmtpSettings
from bedtales.domain import Household, Story
from bedtales.errors import Deferred
from bedtales.households import services
from bedtales.notify.channels import SendFailed, send
from bedtales.notify.messages import Message, story_message
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
        if (failure := tell(ctx.db, story, subscriber, message, ctx.settings.smtp)) is not None
    ]
    if failures:
        error = f"{len(failures)} of {len(subscribers)} not told: " + "; ".join(failures)
        _record(ctx.db, story.id, notify_error=error[:2000])
        raise SendFailed(error)  # the bus retries; whoever was told is skipped then
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
) -> str | None:
    """Send the story to one subscriber unless claimed already; the failure, or None.
    A household's own subscriber is sent under its web site's rules, its email through the
    operator's mail server (``smtp``)."""
    if not _claim(db, story.id, subscriber.id):
        log.info("story %s: subscriber %s is told already", story.id, subscriber.name)
        return None
    try:
        send(subscriber.url, message, household_added=subscriber.household_added, smtp=smtp)
    except SendFailed as exc:
        _unclaim(db, story.id, subscriber.id)
        log.warning("story %s: telling %s failed: %s", story.id, subscriber.name, exc)
        return f"{subscriber.name} ({subscriber.service}): {exc}"
    except BaseException:
        _unclaim(db, story.id, subscriber.id)  # e.g. the worker is stopping: try again later
        raise
    with db.session() as session:
        session.execute(
            update(StoryNotificationRow)
            .where(_pair(story.id, subscriber.id))
            .values(state="sent", sent_at=utcnow())
        )
    log.info("story %s: told %s (%s)", story.id, subscriber.name, subscriber.service)
    return None


def _claim(db: Database, story_id: str, subscriber_id: int) -> bool:
    """Claim the pair, committed before anything is sent; False if it is claimed already
    (or the story or the subscriber was deleted meanwhile: nothing to send then either)."""
    try:
        with db.session() as session:
            session.add(StoryNotificationRow(story_id=story_id, subscriber_id=subscriber_id))
    except IntegrityError:
        return False
    return True


def _unclaim(db: Database, story_id: str, subscriber_id: int) -> None:
    with db.session() as session:
        session.execute(delete(StoryNotificationRow).where(_pair(story_id, subscriber_id)))


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
