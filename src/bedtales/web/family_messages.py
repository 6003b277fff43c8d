"""Messages: who hears about the household's new stories, and when.

Signed in, a family adds an email address (sent through the operator's mail server, when
there is one) or an ntfy topic with plain forms, sends a test, removes one, and chooses
whether messages go at once or once the picture and narration are ready. The URLs are
built and checked by :func:`bedtales.notify.subscribers.add_household_subscriber`: a household can
never give a raw Apprise URL, which could reach inside the server's network.

With the private link alone the page lists who hears, by label and service only: a link
forwarded to a grandparent should not show the family's addresses, even masked.

Each subscriber also says how the newest story went for them (:func:`last_story_words`):
sent, sent again after a stopped server, may not have arrived, or could not be sent. Why it
could not be sent shows only when signed in: the reason may name the mail server.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bedtales.domain import Story
from bedtales.errors import InputError, NotFound
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.notify.guard import DEFAULT_NTFY_SERVER
from bedtales.notify.subscribers import Notification
from bedtales.web.family_visit import GENERAL, FormData, Visit, field_errors, notice_of, visit_of
from bedtales.web.pages import day_and_time

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

KINDS = {"email": ("email", "label"), "ntfy": ("server", "topic", "label")}


def last_story_words(
    story: Story | None, told: Notification | None, timezone: str, *, signed_in: bool
) -> str | None:
    """How the household's newest story went for one subscriber, in a sentence; None
    without a story. ``told``: the subscriber's row for it, None if it has none."""
    if story is None:
        return None
    title = f"“{story.title}”"
    if told is None:
        if story.notify_state == "done":
            return f"Not sent {title}: added after it went out."
        return f"{title} is not sent yet."
    when = day_and_time(told.sent_at, timezone) if told.sent_at else ""
    if told.state == "sent":
        return f"Sent {title} on {when}."
    if told.state == "resent":
        return (
            f"Sent {title} on {when}, a second time: the server stopped while sending it "
            "first, so it may have arrived twice."
        )
    if told.state == "unsure":
        return (
            f"{title} may not have arrived: the server stopped while sending it, "
            "and this household chose not to send again."
        )
    reason = f" ({told.error})" if signed_in and told.error else ""
    if story.notify_state == "failed":  # the bus gave up: nothing is tried any more
        return (
            f"{title} could not be sent{reason}. Whoever runs bedtales can send it again "
            "once the problem is mended."
        )
    if told.state == "failed":
        return f"{title} could not be sent{reason}; it is tried again for a while."
    return f"Sending {title}…"


def _page(
    visit: Visit,
    status: int = 200,
    *,
    kind: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """``kind``: the add form that was refused, shown with its ``errors`` and ``values``."""
    newest = services.list_stories(visit.db, household=visit.name, limit=1)
    story = newest[0] if newest else None
    told = {}
    if story is not None:
        told = {n.subscriber_id: n for n in subscribers.story_notifications(visit.db, story.id)}
    listed = subscribers.list_subscribers(visit.db, visit.name)
    zone = visit.household.timezone
    return visit.page(
        "messages.html",
        status,
        current="messages",
        notice=notice_of(visit.request),
        subscribers=listed,
        last_story={
            s.id: last_story_words(
                story, told.get(s.id), zone, signed_in=visit.signed_in is not None
            )
            for s in listed
        },
        email_ready=bool(visit.bedtales.settings.smtp.host),
        default_server=DEFAULT_NTFY_SERVER,
        failed=kind,
        errors=errors or {},
        values=values or {},
    )


@router.get("/households/{page_token}/messages")
def messages(request: Request, page_token: str) -> Response:
    return _page(visit_of(request, page_token))


@router.post("/households/{page_token}/messages")
def add_subscriber(request: Request, page_token: str, form: FormData) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    kind = form.get("kind")
    fields = KINDS.get(kind)
    if fields is None:
        return _page(visit, 422, errors={GENERAL: "choose email or ntfy"})
    values = {name: form.get(name) for name in fields}
    try:
        subscribers.add_household_subscriber(
            visit.db,
            visit.name,
            kind=kind,
            settings=visit.bedtales.settings,
            email=values.get("email"),
            server=values.get("server"),
            topic=values.get("topic"),
            label=values.get("label"),
        )
    except InputError as exc:
        return _page(visit, 422, kind=kind, errors=field_errors(exc, fields), values=values)
    return visit.done("messages", "added")


@router.post("/households/{page_token}/messages/test")
def send_test(request: Request, page_token: str, form: FormData) -> Response:
    """Send a test message to one subscriber now, and say whether it went. The reason it
    did not stays in the server's log: it may name the mail server or its answer."""
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    try:
        outcomes = subscribers.send_test(
            visit.db,
            visit.name,
            visit.bedtales.settings.web.base_url,
            form.get("subscriber"),
            smtp=visit.bedtales.settings.smtp,
        )
    except NotFound:
        return visit.done("messages", "removed")  # gone meanwhile: the list shows it
    for outcome in outcomes:
        if outcome.error is not None:
            log.warning("test message to %s failed: %s", outcome.subscriber.name, outcome.error)
    sent = all(outcome.error is None for outcome in outcomes)
    return visit.done("messages", "sent" if sent else "not-sent")


@router.post("/households/{page_token}/messages/remove")
def remove_subscriber(request: Request, page_token: str, form: FormData) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    with suppress(NotFound):  # removed already
        subscribers.remove_subscriber(visit.db, visit.name, form.get("subscriber"))
    return visit.done("messages", "removed")


@router.post("/households/{page_token}/messages/when")
def notify_when(request: Request, page_token: str, form: FormData) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    try:
        subscribers.set_notify_when(visit.db, visit.name, form.get("when"))
    except InputError as exc:
        return _page(visit, 422, errors=field_errors(exc, ("when",)))
    return visit.done("messages", "saved")
