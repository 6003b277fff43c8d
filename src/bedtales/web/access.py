"""Sessions and CSRF tokens on the family's site (the rules are in households/access.py).

Two cookies, both HttpOnly, ``Secure`` when the site is reached over https:

- ``bedtales_session`` (SameSite=Lax): a signed-in family's session token.
- ``bedtales_csrf`` (SameSite=Lax): a random token every form also carries in a hidden
  ``csrf`` field. Another site can make a browser post a form here, but it can neither read
  nor set this cookie, so it cannot send the matching field: a form without it is refused
  (403). Lax, not Strict: a page opened from a link in an email is a cross-site visit, and a
  Strict cookie would not come with it, so a new one would replace it and the forms open in
  other tabs would stop working. A signed-in family's forms carry its session's own token
  instead, which the server keeps beside the session (double submit for the private link,
  synchronizer token once signed in).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from fastapi import Request, Response

from bedtales.errors import Forbidden
from bedtales.households import access
from bedtales.households.access import NewSession, SignedIn
from bedtales.storage import Database

SESSION_COOKIE = "bedtales_session"
CSRF_COOKIE = "bedtales_csrf"
CSRF_FIELD = "csrf"
CSRF_MAX = 100


def client_of(request: Request) -> str:
    """Who is asking, for the sign-in rate limit: the peer's address (behind a reverse
    proxy, uvicorn's ``--proxy-headers`` makes it the browser's); an IPv6 address by its /64,
    since a home gets the whole /64 and may use any address in it."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return host


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def session_of(db: Database, request: Request, household_id: int) -> SignedIn | None:
    return access.signed_in(db, household_id, request.cookies.get(SESSION_COOKIE))


def start_session(request: Request, response: Response, new: NewSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(access.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def end_session(db: Database, request: Request, response: Response) -> None:
    access.sign_out(db, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def csrf_token(request: Request, signed_in: SignedIn | None) -> str:
    """The token this page's forms carry: the session's, else the browser's CSRF cookie
    (made now if it has none; :func:`remember_csrf` sets it on the response)."""
    if signed_in is not None:
        return signed_in.csrf_token
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie and 20 <= len(cookie) <= CSRF_MAX:
        return cookie
    fresh: str = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(32))
    return fresh


def remember_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie if :func:`csrf_token` made one for this page."""
    fresh = request.state.__dict__.get("new_csrf")
    if fresh:
        response.set_cookie(
            CSRF_COOKIE,
            fresh,
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )


def check_csrf(request: Request, given: object, signed_in: SignedIn | None) -> None:
    """Refuse (403) a form whose ``csrf`` field does not match: the session's token when
    signed in, else the CSRF cookie."""
    expected = signed_in.csrf_token if signed_in else request.cookies.get(CSRF_COOKIE)
    if (
        not isinstance(given, str)
        or not expected
        or len(given) > CSRF_MAX
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise Forbidden(
            "this form has expired or did not come from this site: reload the page and try again"
        )
