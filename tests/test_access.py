"""Who may change a household from its site: the passphrase (a scrypt hash, set from the CLI),
sessions that belong to one household, the sign-in rate limit, and replacing the private
link. On SQLite and PostgreSQL. The site's own flows are in test_web_family.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.errors import InputError, NotFound, SignInRefused, TooManyAttempts
from bedtales.households import access, services
from bedtales.storage.models import HouseholdRow

PASSPHRASE = "correct horse battery"


def token_of(bedtales: App, name: str = "home") -> str:
    return services.get_household(bedtales.db, name).page_token


def test_a_passphrase_is_kept_only_as_a_salted_scrypt_hash(bedtales: App) -> None:
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    with bedtales.db.session() as session:
        stored = session.scalar(
            select(HouseholdRow.passphrase_hash).where(HouseholdRow.name == "home")
        )
    assert stored is not None
    assert PASSPHRASE not in stored
    assert stored.startswith("scrypt$")
    assert access.verify_passphrase(stored, PASSPHRASE)
    assert not access.verify_passphrase(stored, PASSPHRASE + "!")
    assert access.hash_passphrase(PASSPHRASE) != access.hash_passphrase(PASSPHRASE)  # salted
    assert not access.verify_passphrase("not a hash", PASSPHRASE)
    assert services.get_household(bedtales.db, "home").has_passphrase


@pytest.mark.parametrize(
    ("passphrase", "problem"),
    [("", "must not be empty"), ("short", "at least 8"), ("x" * 201, "at most 200")],
)
def test_a_weak_or_huge_passphrase_is_refused(bedtales: App, passphrase: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as refused:
        access.set_passphrase(bedtales.db, "home", passphrase)
    assert refused.value.field == "passphrase"
    assert not services.get_household(bedtales.db, "home").has_passphrase


def test_signing_in_opens_a_session_of_that_household_only(bedtales: App) -> None:
    services.add_household(bedtales.db, "Other")
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    access.set_passphrase(bedtales.db, "Other", "another passphrase")
    new = access.sign_in(bedtales.db, token_of(bedtales), PASSPHRASE, "10.0.0.1")
    home_id = new.signed_in.household_id
    other_id = access.household_id(bedtales.db, token_of(bedtales, "Other"))

    assert access.signed_in(bedtales.db, home_id, new.token) is not None
    assert access.signed_in(bedtales.db, other_id, new.token) is None  # never another's
    assert access.signed_in(bedtales.db, home_id, "made-up") is None
    assert access.signed_in(bedtales.db, home_id, None) is None

    access.sign_out(bedtales.db, new.token)
    assert access.signed_in(bedtales.db, home_id, new.token) is None


def test_a_session_ends_with_its_lifetime_and_with_a_new_passphrase(bedtales: App) -> None:
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    new = access.sign_in(bedtales.db, token_of(bedtales), PASSPHRASE, "10.0.0.1")
    home_id = new.signed_in.household_id
    later = utcnow() + access.SESSION_LIFETIME + timedelta(seconds=1)
    assert access.signed_in(bedtales.db, home_id, new.token, now=later) is None

    access.set_passphrase(bedtales.db, "home", "a brand new passphrase")
    assert access.signed_in(bedtales.db, home_id, new.token) is None


def test_wrong_passphrases_are_counted_per_client_then_refused(bedtales: App) -> None:
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    token = token_of(bedtales)
    now = utcnow()
    for _ in range(access.FAILURES_ALLOWED):
        with pytest.raises(SignInRefused, match="not the household's passphrase"):
            access.sign_in(bedtales.db, token, "wrong guess!", "10.0.0.9", now=now)
    # now even the right one waits, from that client
    with pytest.raises(TooManyAttempts) as waiting:
        access.sign_in(bedtales.db, token, PASSPHRASE, "10.0.0.9", now=now)
    assert 0 < waiting.value.retry_after_s <= access.FAILURE_WINDOW.total_seconds()
    # another client is not held back, and the first may try again after the window
    access.sign_in(bedtales.db, token, PASSPHRASE, "10.0.0.10", now=now)
    later = now + access.FAILURE_WINDOW + timedelta(seconds=1)
    access.sign_in(bedtales.db, token, PASSPHRASE, "10.0.0.9", now=later)


def test_a_household_without_a_passphrase_says_how_to_set_one(bedtales: App) -> None:
    with pytest.raises(SignInRefused, match="bedtales households passphrase home"):
        access.sign_in(bedtales.db, token_of(bedtales), "anything at all", "10.0.0.1")


def test_an_unknown_link_signs_nobody_in(bedtales: App) -> None:
    with pytest.raises(NotFound):
        access.sign_in(bedtales.db, "x" * 32, PASSPHRASE, "10.0.0.1")


def test_a_rotated_link_replaces_the_old_one(bedtales: App) -> None:
    old = token_of(bedtales)
    new = access.rotate_link(bedtales.db, "home")
    assert new != old
    with pytest.raises(NotFound):
        services.household_by_token(bedtales.db, old)
    assert services.household_by_token(bedtales.db, new).name == "home"


# ----------------------------------------------------------------------------- the CLI


def test_households_passphrase_from_stdin_and_rotate_link(data_dir: Path) -> None:
    runner = CliRunner()
    args = ["households", "passphrase", "home", "--stdin", "--data-dir", str(data_dir)]
    done = runner.invoke(cli, args, input=PASSPHRASE + "\n")
    assert done.exit_code == 0, done.output
    assert "Passphrase set" in done.output
    assert PASSPHRASE not in done.output

    weak = runner.invoke(cli, args, input="short\n")
    assert weak.exit_code == 2
    assert "at least 8" in weak.output

    rotated = runner.invoke(cli, ["households", "rotate-link", "home", "--data-dir", str(data_dir)])
    assert rotated.exit_code == 0, rotated.output
    assert "/households/" in rotated.output
    missing = runner.invoke(
        cli, ["households", "rotate-link", "nobody", "--data-dir", str(data_dir)]
    )
    assert missing.exit_code == 2


def test_households_passphrase_asks_twice_and_refuses_a_mismatch(data_dir: Path) -> None:
    runner = CliRunner()
    args = ["households", "passphrase", "home", "--data-dir", str(data_dir)]
    mismatch = runner.invoke(cli, args, input=f"{PASSPHRASE}\nsomething else\n")
    assert mismatch.exit_code == 2
    assert "differ" in mismatch.output
    same = runner.invoke(cli, args, input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert same.exit_code == 0, same.output


def test_tries_sent_all_at_once_are_counted_as_they_arrive(bedtales: App) -> None:
    """Forty wrong passphrases at the same moment from one client: at most the allowed ten
    are checked, the rest are refused unchecked."""
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    token = token_of(bedtales)

    def attempt(_: int) -> str:
        try:
            access.sign_in(bedtales.db, token, "a wrong guess", "10.0.0.42")
        except SignInRefused:
            return "checked"
        except TooManyAttempts:
            return "refused"
        return "signed in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(40)))
    assert outcomes.count("signed in") == 0
    assert outcomes.count("checked") <= access.FAILURES_ALLOWED
    assert outcomes.count("refused") >= 40 - access.FAILURES_ALLOWED


def test_a_right_passphrase_is_not_counted_against_the_client(bedtales: App) -> None:
    access.set_passphrase(bedtales.db, "home", PASSPHRASE)
    token = token_of(bedtales)
    for _ in range(access.FAILURES_ALLOWED + 5):
        access.sign_in(bedtales.db, token, PASSPHRASE, "10.0.0.7")
    with pytest.raises(SignInRefused):  # still checked: the right ones left no trace
        access.sign_in(bedtales.db, token, "a wrong guess", "10.0.0.7")
