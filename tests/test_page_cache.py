"""The page cache behind the story page and the household's home page: a page is served as
it is for a moment, then checked by one visit while the others are served what is there."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bedtales.clock import utcnow
from bedtales.web import pages
from bedtales.web.pages import NEVER, PageCache


def no_wording(_expires: object, _now: object) -> str:
    return ""


def test_one_visit_checks_a_page_while_the_others_are_served_it() -> None:
    cache = PageCache(recheck_s=0.05, wording=no_wording)
    now = utcnow()
    cache.put("k", ("v1", ""), NEVER, b"page one")
    assert cache.recent("k", now) == b"page one"
    time.sleep(0.06)
    assert cache.recent("k", now) is None  # this visit checks
    assert cache.recent("k", now) == b"page one"  # the others meanwhile
    assert cache.get("k", ("v2", "")) is None  # it changed: rendered again
    cache.put("k", ("v2", ""), NEVER, b"page two")
    assert cache.recent("k", now) == b"page two"


def test_a_check_that_never_finishes_is_taken_over_after_the_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pages, "RECHECK_GRACE_S", 0.01)
    cache = PageCache(recheck_s=0.01, wording=no_wording)
    cache.put("k", ("v", ""), NEVER, b"page")
    time.sleep(0.02)
    now = utcnow()
    assert cache.recent("k", now) is None
    time.sleep(0.02)
    assert cache.recent("k", now) is None  # the first checker vanished: another checks


def test_an_expired_page_is_never_served_stale() -> None:
    cache = PageCache(recheck_s=60)
    expires = utcnow() + timedelta(seconds=1)
    cache.put("story", ("state", "within the hour"), expires, b"story page")
    assert cache.recent("story", utcnow()) == b"story page"
    assert cache.recent("story", expires + timedelta(seconds=1)) is None
