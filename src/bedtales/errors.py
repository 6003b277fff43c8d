"""One exception hierarchy, mapped once to CLI exit codes (cli/common.py) and once to HTTP
status codes (web/errors.py)."""

from __future__ import annotations


class BedtalesError(Exception):
    """Base of every error bedtales raises on purpose."""

    exit_code = 1


class ConfigError(BedtalesError):
    """A setting is missing or invalid; the message names the setting."""

    exit_code = 2


class Unreachable(ConfigError):
    """A service bedtales needs (the database, Redis) did not answer. It may be down for a
    moment, or its setting (named in the message) may be wrong: exit code 1, so that a
    supervisor starts the process again, while 2 stays for settings that can never work."""

    exit_code = 1


class InputError(BedtalesError):
    """Bad input from a person or a file; the message names the field and the problem."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(BedtalesError):
    """The thing asked for does not exist."""

    exit_code = 2


class Expired(NotFound):
    """The story existed but has passed its expiry time."""


class SignInRefused(BedtalesError):
    """A wrong passphrase, or a household that has none yet (HTTP 401)."""

    exit_code = 2


class TooManyAttempts(BedtalesError):
    """Too many wrong passphrases from one client of late (HTTP 429); says when to retry."""

    exit_code = 2

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Forbidden(BedtalesError):
    """A form without its CSRF token, or a change the private link alone may not make
    (HTTP 403)."""

    exit_code = 2


class EngineError(BedtalesError):
    """An engine could not do its work (bad answer, unreachable service, missing extra)."""

    exit_code = 1


class EngineUnavailable(EngineError):
    """An engine cannot be used at all here: unknown name, missing extra or model file."""

    exit_code = 2


class LinkRefused(BedtalesError):
    """A signed media link was tampered with or is malformed (HTTP 403)."""

    exit_code = 2


class LinkExpired(LinkRefused):
    """A signed media link was genuine but its time is up (HTTP 410)."""


class Unprocessable(BedtalesError):
    """An event a target can never handle (a story too long to narrate): retrying cannot
    help, so the bus dead-letters it at once with this reason."""


class StorageError(BedtalesError):
    """The media store could not do its work (unreachable, timed out, refused)."""


class Deferred(BedtalesError):
    """Raised by a handler that is waiting for something (the picture, before the message):
    not a failure. The delivery comes back after ``delay_s``, its attempt not counted."""

    def __init__(self, reason: str, delay_s: float) -> None:
        super().__init__(reason)
        self.delay_s = delay_s


def one_line(exc: BaseException) -> str:
    """``Type: the first line of its message``, for a log line that says why a loop failed
    (``OperationalError: (sqlite3.OperationalError) database or disk is full``). SQLAlchemy's
    messages go on with the statement and its parameters: nothing an operator needs."""
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message.splitlines()[0]}" if message else type(exc).__name__


def reason(exc: BaseException) -> str:
    """``Type: message`` for a delivery's failure, as the dead-letter queue and the story keep
    it. A database error's message ends at its own words: SQLAlchemy goes on with the
    statement and its parameters, which may hold a story's text or a subscriber's URL."""
    message = str(exc).split("\n[SQL:", 1)[0].strip()
    return f"{type(exc).__name__}: {message}"
