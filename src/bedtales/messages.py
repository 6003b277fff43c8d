"""The message that tells a family their story is ready: the title, the first lines, the
link to the page, and the picture when there is one.

One message, three bodies: an HTML and a plain-text part for email, and a short text for
chat and push channels (whose own title is the subject). Everything a story holds was written
by an engine or typed by a person, so it is untrusted: the HTML template escapes it
(autoescape), and every part gets it with control characters and line breaks taken out
where a line is expected, so it cannot break a header or the layout of the text part.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bedtales.domain import Story
from bedtales.media import MediaStore
from bedtales.stories.scenes import read_scene
from bedtales.views import story_view

FIRST_LINES_MAX = 6
SUBJECT_MAX = 200
# names need them ("Ali\u200creza", family emoji); they change no layout
_JOINERS = frozenset("\u200c\u200d")

# autoescape for .html only: the text part must show "<script>" and quotes as written
_templates = Environment(
    loader=PackageLoader("bedtales", "templates/email"),
    autoescape=select_autoescape(["html"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # the plain-text part of an email
    html: str  # the HTML part of an email
    chat: str  # the body for chat and push channels; their title is the subject


def story_link(base_url: str, story_id: str) -> str:
    return f"{base_url.rstrip('/')}/stories/{story_id}"


def story_message(
    story: Story, store: MediaStore, base_url: str, *, timezone: str = "UTC"
) -> Message:
    """The message for ``story``; the picture's link is signed now and expires with it."""
    view = story_view(story, store)
    title = one_line(story.title)
    stanza = [one_line(line) for line in (view.stanzas[0] if view.stanzas else [])]
    lines = stanza[:FIRST_LINES_MAX]
    link = story_link(base_url, story.id)
    values = {
        "title": title,
        "lines": lines,
        "more": len(view.stanzas) > 1 or len(stanza) > FIRST_LINES_MAX,
        "link": link,
        "picture_url": view.image.url,
        "picture_ready": view.image.state == "done",
        "narration_ready": view.audio.state == "done",
        "characters": _and([one_line(name) for name in story.characters]),
        # "at a picnic by a bubbling river": the scene read into the sentence, not pasted
        "where": one_line(read_scene(one_line(story.scene)).phrase()),
        "kept_until": _local_time(story.expires_at, timezone),
    }
    subject = _subject(f"Tonight's story: {title}")
    return Message(
        subject=subject,
        text=_templates.get_template("story.txt").render(values),
        html=_templates.get_template("story.html").render(subject=subject, **values),
        chat="\n".join(lines) + f"\n\nRead the whole story: {link}",
    )


def test_message(household: str, base_url: str) -> Message:
    """A short message that says the channel works (``bedtales subscribers test``)."""
    values = {"household": one_line(household), "link": base_url.rstrip("/")}
    subject = "bedtales: a test message"
    text = _templates.get_template("test.txt").render(values)
    return Message(
        subject=subject,
        text=text,
        html=_templates.get_template("test.html").render(subject=subject, **values),
        chat=text.strip(),
    )


def one_line(value: str) -> str:
    """``value`` as one line: control and format characters (line breaks, bidi overrides)
    become spaces, and runs of spaces one."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in _JOINERS else ch
        for ch in value
    )
    return " ".join(kept.split())


def _subject(value: str) -> str:
    return value if len(value) <= SUBJECT_MAX else value[: SUBJECT_MAX - 1].rstrip() + "…"


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _local_time(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({timezone})"
