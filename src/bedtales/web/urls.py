"""Every address bedtales hands out is built here, and only here.

Pages link with paths (``/stories/…``, ``/media/…``): same-origin, so the site works at any
host and port a family opens it on (``http://raspberrypi.local:9000``, a LAN address, a
reverse proxy). What leaves the site — messages, the podcast feed, the address printed at
start — needs an absolute link: :func:`absolute` makes one from the public base.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit


def story(story_id: str) -> str:
    return f"/stories/{story_id}"


def story_link(base_url: str, story_id: str) -> str:
    """The story's page as an absolute address, for what leaves the site (messages, feeds,
    the link `bedtales run` prints, the page's own share link)."""
    return absolute(base_url, story(story_id))


def story_parts(story_id: str) -> str:
    return f"/stories/{story_id}/parts"


def story_keep(story_id: str) -> str:
    return f"/stories/{story_id}/keep"


def book(story_id: str) -> str:
    return f"/stories/{story_id}/book.pdf"


def household(page_token: str, page: str = "") -> str:
    """The household's own site: whoever has this address reads the household's stories.
    ``page`` is one of its pages ("characters", "bedtime", …)."""
    return f"/households/{page_token}" + (f"/{quote(page)}" if page else "")


def household_query(page_token: str, page: str = "", **query: str | None) -> str:
    """A household page with a query string (``?character=Milo``); None values are left
    out, and no query at all gives the bare page."""
    given = {name: value for name, value in query.items() if value is not None}
    return household(page_token, page) + (f"?{urlencode(given)}" if given else "")


def sign_in(page_token: str, next_path: str | None = None) -> str:
    """The household's sign-in page; ``next_path`` is where to go once signed in."""
    return household_query(page_token, "sign-in", next=next_path)


def podcast(page_token: str) -> str:
    return f"/households/{page_token}/podcast.xml"


def podcast_part(page_token: str, story_id: str, extension: str) -> str:
    """An episode's narration (``mp3``) or picture (``png``) in the feed: a stable address
    that redirects to a freshly signed media link."""
    return f"/households/{page_token}/podcast/{story_id}.{extension}"


def podcast_artwork(page_token: str) -> str:
    return f"/households/{page_token}/podcast/artwork.png"


def media(key: str) -> str:
    return f"/media/{quote(key, safe='/')}"


def absolute(base_url: str, link: str) -> str:
    """``link`` as an absolute address: a path is put under ``base_url``; a link that is
    already absolute (an S3 link) is left as it is."""
    if link.startswith("/") and not link.startswith("//"):  # a path: most links, quickly
        return base_url.rstrip("/") + link
    if urlsplit(link).scheme:
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def site(host: str, port: int, *, scheme: str = "http") -> str:
    """The base address of a server at ``host`` and ``port`` (an IPv6 address bracketed)."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


# The capabilities an address can carry: whoever has one reads what it opens.
_HOUSEHOLD_TOKEN = re.compile(r"(/households/)[^/?#\s]+")
# the same inside a query, percent-encoded (the sign-in page's ?next=%2Fhouseholds%2F…)
_ENCODED_HOUSEHOLD_TOKEN = re.compile(r"(%2Fhouseholds%2F)[^&#%\s]+", re.IGNORECASE)
_SIGNATURE = re.compile(r"(signature=)[^&#\s]+", re.IGNORECASE)
_STORY_ID = re.compile(
    r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE
)
REDACTED = "****"


def redacted(link: str) -> str:
    """``link`` fit for a log line: household tokens and media signatures hidden, and story
    ids cut to their first 8 characters (enough to tell stories apart in a log, far too few
    to open one). Each is a capability, so a log that kept them would be a key ring."""
    link = _HOUSEHOLD_TOKEN.sub(rf"\g<1>{REDACTED}", link)
    link = _ENCODED_HOUSEHOLD_TOKEN.sub(rf"\g<1>{REDACTED}", link)
    link = _SIGNATURE.sub(rf"\g<1>{REDACTED}", link)
    return _STORY_ID.sub(rf"\g<1>-{REDACTED}", link)
