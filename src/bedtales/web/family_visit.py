"""What every page of a household's own site needs: the household behind the address, who
is asking (signed in or holding the private link only), the form they sent, and how pages
and refusals are answered.

Who may do what is decided here, once: the private link reads, keeps favourites and asks
for a story now (:meth:`Visit.refuse_forgery`); changing the household also needs a session
(:meth:`Visit.refuse_change`). Every form carries a CSRF token, checked before anything else,
so a form from another site is refused (403) whoever is signed in. A token that matches no
household raises :class:`~bedtales.errors.NotFound`, which ``web.errors`` answers with the
same 404 page as any unknown address: the site never tells whether a household exists.

Forms are read here, whole (:func:`read_form`), rather than field by field with FastAPI's
``Form()``: every route takes the same :class:`Form`, a missing field is simply empty (the
service then names it), and a repeated one (the days of the week) is a list. The site's forms
are plain ``application/x-www-form-urlencoded`` ones, which the standard library reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bedtales.domain import Household
from bedtales.errors import BedtalesError, Forbidden, InputError
from bedtales.households import access as household_access
from bedtales.households import services
from bedtales.households.access import SignedIn
from bedtales.web import access, urls
from bedtales.web.pages import templates

if TYPE_CHECKING:
    from bedtales.app import App
    from bedtales.storage import Database

# the address is the key to these pages: kept out of shared caches and history snapshots
FAMILY_HEADERS = {"Cache-Control": "private, no-store"}
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 100  # the largest form (bedtime) has a dozen
GENERAL = "form"  # the error key of a message that belongs to no one field

# what a page may say after a change (``?done=…``): fixed wording, so a crafted link can
# only make the page say one of these
NOTICES = {
    "added": "Added.",
    "removed": "Removed.",
    "saved": "Saved.",
    "paused": "Bedtime stories are paused.",
    "resumed": "Bedtime stories are back on.",
    "sent": "The test message was sent: check that it arrived.",
    "not-sent": "The test message could not be sent. Check the address, or ask whoever runs "
    "bedtales to look at the server log.",
    "signed-in": "You are signed in.",
    "signed-out": "You are signed out.",
    "new-link": "This is your household's new private link: bookmark it. The old link has "
    "stopped working.",
}


class Form:
    """The fields of a submitted form: the first value of a field, or all of them."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str) -> str:
        return next((value for key, value in self.pairs if key == name), "")

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


async def read_form(request: Request) -> Form:
    """The form in the request body; an empty one for any other body (its CSRF field is
    then missing, and the form is refused)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or content_type != FORM_TYPE:
        return Form([])
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return Form(parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except ValueError:  # more fields than any form of ours has
        return Form([])


FormData = Annotated[Form, Depends(read_form)]


@dataclass(frozen=True)
class Visit:
    """One request to a household's site: the household, the session if signed in, and
    the CSRF token this page's forms carry."""

    request: Request
    bedtales: App
    household: Household
    signed_in: SignedIn | None
    csrf: str

    @property
    def db(self) -> Database:
        return self.bedtales.db

    @property
    def name(self) -> str:
        return self.household.name

    @property
    def token(self) -> str:
        return self.household.page_token

    def url(self, page: str = "", **query: str | None) -> str:
        return urls.household_query(self.token, page, **query)

    def sign_in_url(self, page: str = "") -> str:
        """The sign-in page, leading back to ``page`` of this site."""
        return urls.sign_in(self.token, self.url(page))

    def refuse_forgery(self, form: Form) -> Response | None:
        """The 403 page for a form without this visitor's CSRF token, else None."""
        try:
            access.check_csrf(self.request, form.get(access.CSRF_FIELD), self.signed_in)
        except Forbidden as exc:
            # a session that ended meanwhile (signed out elsewhere, a new passphrase): its
            # forms carried its token, so say how to go on
            ended = self.signed_in is None and self.request.cookies.get(access.SESSION_COOKIE)
            link = (self.sign_in_url(), "Sign in again") if ended else None
            return self.problem("This form has expired", str(exc), 403, link=link)
        return None

    def refuse_change(self, form: Form) -> Response | None:
        """Refuse a change unless the form is genuine (else 403) and the visitor is signed
        in to this household (else 401); None when it may go ahead."""
        forged = self.refuse_forgery(form)
        if forged is not None:
            return forged
        if self.signed_in is None:
            return self.problem(
                "Sign in to change this",
                "Changing the household needs its passphrase: sign in first.",
                401,
            )
        return None

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page of the site (``templates/family/…``), never cached, setting the CSRF cookie
        if this visit made one."""
        html = templates.get_template(f"family/{template}").render(visit=self, **context)
        response = HTMLResponse(html, status_code=status, headers=FAMILY_HEADERS)
        access.remember_csrf(self.request, response)
        return response

    def problem(
        self, heading: str, message: str, status: int, *, link: tuple[str, str] | None = None
    ) -> HTMLResponse:
        """A refusal as a page of the site; ``link``: (address, words) of the way on."""
        if link is None and status == 401:
            link = (self.sign_in_url(), "Sign in")
        return self.page(
            "problem.html", status, current=None, heading=heading, message=message, link=link
        )

    def done(self, page: str = "", notice: str | None = None) -> RedirectResponse:
        """After a change: 303 to the page to show, with the notice to say there."""
        return see_other(self.url(page, done=notice))


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=FAMILY_HEADERS)


def visit_of(request: Request, page_token: str) -> Visit:
    """The visit to the household at ``page_token``; NotFound (the 404 page) for any other."""
    bedtales: App = request.app.state.bedtales
    household = services.household_by_token(bedtales.db, page_token)
    signed_in = None
    if request.cookies.get(access.SESSION_COOKIE):  # no cookie, no queries
        home_id = household_access.household_id(bedtales.db, page_token)
        signed_in = access.session_of(bedtales.db, request, home_id)
    return Visit(request, bedtales, household, signed_in, access.csrf_token(request, signed_in))


def notice_of(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def field_errors(exc: BedtalesError, fields: tuple[str, ...]) -> dict[str, str]:
    """A service's refusal as ``{field: message}``: by its field when the form has that
    field, else under :data:`GENERAL` (shown above the form)."""
    field = exc.field if isinstance(exc, InputError) else None
    return {field if field in fields else GENERAL: str(exc)}
