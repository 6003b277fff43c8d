"""Who may do what on a household's own site.

The private link (``/households/{page_token}``) lets a family read, keep favourites and ask
for a story now: whoever has it is the family. Changing characters, scenes, bedtime or
subscribers (whose URLs can hold mail passwords) also needs the household's passphrase,
set by the operator (``bedtales households passphrase NAME``) and kept only as a scrypt hash.
Signing in with it opens a session: a random token in an HttpOnly cookie, stored here as its
SHA-256, with the CSRF token the session's forms carry. Sessions live in the database, so any
number of web processes share them, and changing the passphrase ends them all.

Tries are counted per client (the address the request came from; an IPv6 client by its
/64, which one home gets whole) for :data:`FAILURE_WINDOW`, before the passphrase is checked,
and a right one is forgotten; after :data:`FAILURES_ALLOWED` wrong ones the client waits,
whatever household it tries (:class:`~bedtales.errors.TooManyAttempts`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bedtales.clock import utcnow
from bedtales.errors import InputError, NotFound, SignInRefused, TooManyAttempts
from bedtales.households.services import PAGE_TOKEN, household_by_token, household_row
from bedtales.storage import Database
from bedtales.storage.models import (
    HouseholdRow,
    HouseholdSessionRow,
    SignInFailureRow,
    new_page_token,
)

PASSPHRASE_MIN = 8
PASSPHRASE_MAX = 200
SESSION_LIFETIME = timedelta(days=30)
FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)
CLIENT_MAX = 64

# scrypt at n=2^14, r=8, p=1: 16 MiB and about 50 ms a check here (OWASP's floor for scrypt is
# n=2^17 with more memory; a household passphrase guarded by the rate limit is well served)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCHEME = "scrypt"


# ----------------------------------------------------------------------------- passphrases


def clean_passphrase(value: str, *, field: str = "passphrase") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{field} must not be empty", field=field)
    if len(value) < PASSPHRASE_MIN:
        raise InputError(
            f"{field} must be at least {PASSPHRASE_MIN} characters (a few words are best)",
            field=field,
        )
    if len(value) > PASSPHRASE_MAX:
        raise InputError(f"{field} must be at most {PASSPHRASE_MAX} characters", field=field)
    return value


def hash_passphrase(passphrase: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64): the parameters travel with the hash, so they can
    be raised later without breaking the ones already stored."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(passphrase, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        [_SCHEME, str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_passphrase(stored: str, given: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(given, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode(), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * n * r * p, dklen=32
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def set_passphrase(db: Database, household: str, passphrase: str) -> None:
    """Set (or change) the household's passphrase; every open session ends."""
    hashed = hash_passphrase(clean_passphrase(passphrase))
    with db.session() as session:
        home = household_row(session, household)
        home.passphrase_hash = hashed
        session.execute(
            delete(HouseholdSessionRow).where(HouseholdSessionRow.household_id == home.id)
        )


def rotate_link(db: Database, household: str) -> str:
    """Give the household a new private link; the old one answers 404 from now on. Returns
    the new page token. Signed-in sessions stay: they are the family's own browsers."""
    token = new_page_token()
    with db.session() as session:
        household_row(session, household).page_token = token
    return token


# ----------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SignedIn:
    """A family signed in on its site."""

    household: str
    household_id: int
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie; only its hash is stored
    signed_in: SignedIn


def sign_in(
    db: Database, page_token: str, passphrase: str, client: str, *, now: datetime | None = None
) -> NewSession:
    """Open a session for the household at ``page_token``. Every try is counted against
    ``client`` *before* the passphrase is checked, and forgotten only if it was right: so
    tries sent all at once are counted as they arrive, and the one past the limit is refused
    (:class:`TooManyAttempts`) without being checked. A wrong passphrase is
    :class:`SignInRefused`."""
    moment = now or utcnow()
    client = client[:CLIENT_MAX]
    home = household_by_token(db, page_token)
    attempt = _count_attempt(db, client, moment)
    with db.session() as session:
        row = session.scalar(select(HouseholdRow).where(HouseholdRow.name == home.name))
        if row is None:
            raise NotFound("no household page at this address")
        stored = row.passphrase_hash
        household_id = row.id
    if stored is None:
        raise SignInRefused(
            "this household has no passphrase yet: whoever runs bedtales can set one with "
            f"`bedtales households passphrase {home.name}`"
        )
    if not verify_passphrase(stored, passphrase or ""):
        raise SignInRefused("that is not the household's passphrase")
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    signed_in = SignedIn(home.name, household_id, csrf, moment + SESSION_LIFETIME)
    with db.session() as session:
        session.execute(delete(SignInFailureRow).where(SignInFailureRow.id == attempt))
        session.add(
            HouseholdSessionRow(
                token_hash=_token_hash(token),
                household_id=household_id,
                csrf_token=signed_in.csrf_token,
                created_at=moment,
                expires_at=signed_in.expires_at,
            )
        )
        # a good moment to forget sessions that ended on their own
        session.execute(delete(HouseholdSessionRow).where(HouseholdSessionRow.expires_at <= moment))
    return NewSession(token, signed_in)


def signed_in(
    db: Database, household_id: int, token: str | None, *, now: datetime | None = None
) -> SignedIn | None:
    """The session behind a cookie, if it is open and belongs to this household (a cookie
    of one household never opens another's)."""
    if not token or len(token) > 100:
        return None
    with db.session() as session:
        row = session.get(HouseholdSessionRow, _token_hash(token))
        if row is None or row.household_id != household_id or row.expires_at <= (now or utcnow()):
            return None
        home = session.get(HouseholdRow, household_id)
        if home is None:
            return None
        return SignedIn(home.name, household_id, row.csrf_token, row.expires_at)


def household_id(db: Database, page_token: str) -> int:
    """The row id of the household at ``page_token``, which its sessions are bound to;
    :class:`NotFound` for any other token."""
    if not PAGE_TOKEN.fullmatch(page_token):
        raise NotFound("no household page at this address")
    with db.session() as session:
        found = session.scalar(select(HouseholdRow.id).where(HouseholdRow.page_token == page_token))
    if found is None:
        raise NotFound("no household page at this address")
    return found


def sign_out(db: Database, token: str | None) -> None:
    if not token:
        return
    with db.session() as session:
        session.execute(
            delete(HouseholdSessionRow).where(HouseholdSessionRow.token_hash == _token_hash(token))
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ----------------------------------------------------------------------------- rate limit


def _count_attempt(db: Database, client: str, now: datetime) -> int:
    """Count a try against ``client`` (committed before the passphrase is checked) and
    refuse it if, with the others in the window, it is one too many. Returns the try's row
    id, which a right passphrase forgets."""
    since = now - FAILURE_WINDOW
    with db.session() as session:
        row = SignInFailureRow(client=client, failed_at=now)
        session.add(row)
        # forget what the window no longer counts, so the table stays small
        session.execute(delete(SignInFailureRow).where(SignInFailureRow.failed_at <= since))
        session.flush()
        attempt = row.id
    with db.session() as session:
        # counted after this try was committed: of tries made at once, each sees itself and
        # every other committed before it, so the ones past FAILURES_ALLOWED are refused
        tries = session.scalar(
            select(func.count())
            .select_from(SignInFailureRow)
            .where(SignInFailureRow.client == client, SignInFailureRow.failed_at > since)
        )
        if (tries or 0) <= FAILURES_ALLOWED:
            return attempt
        oldest = session.scalar(
            select(func.min(SignInFailureRow.failed_at)).where(
                SignInFailureRow.client == client, SignInFailureRow.failed_at > since
            )
        )
    wait = (oldest or now) + FAILURE_WINDOW - now
    minutes = max(1, round(wait.total_seconds() / 60))
    raise TooManyAttempts(
        f"too many wrong passphrases from here; try again in {minutes} minutes",
        retry_after_s=max(1, int(wait.total_seconds())),
    )
