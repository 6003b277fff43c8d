"""The message that tells a family their story is ready: the title, the first lines, the
link to the page, and the picture when there is one.

One message, three bodies: an HTML and a plain-text part for email, and a short text for
chat and push channels (whose own title is the subject). Every link in it is absolute, made
from ``web.base_url``: a message is read far from the site.

When the picture is painted, the message also carries its bytes (:class:`InlinePicture`) and
an HTML part that shows them from a ``cid:`` part of the email: mail clients that block
remote images, and webmail proxies that cannot reach a home network, would otherwise show a
broken picture. The plain ``html`` keeps the signed link, for senders that cannot attach.

Everything a story holds was written by an engine or typed by a person, so it is untrusted:
the HTML template escapes it (autoescape), and every part gets it with control characters
and line breaks taken out where a line is expected, so it cannot break a header or the
layout of the text part.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bedtales.domain import Story
from bedtales.errors import NotFound, StorageError
from bedtales.media import THUMBNAIL, MediaStore, story_key
from bedtales.stories.scenes import read_scene
from bedtales.stories.views import story_view
from bedtales.web import urls

FIRST_LINES_MAX = 6
SUBJECT_MAX = 200
# The most picture bytes an email carries (a third more once base64-encoded). The painted
# picture (1024 px) is shown 496 px wide, sharp on a phone's screen, and the builtin engine's
# is far below this; a larger one (an OpenAI PNG is 1-3 MB) gives way to the 256 px
# thumbnail, so that no story email weighs megabytes on a phone's data plan.
INLINE_PICTURE_MAX = 768 * 1024
# names need them ("Ali\u200creza", family emoji); they change no layout
_JOINERS = frozenset("\u200c\u200d")

# autoescape for .html only: the text part must show "<script>" and quotes as written
_templates = Environment(
    loader=PackageLoader("bedtales.notify", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class InlinePicture:
    """The story's picture, to travel inside an email as a related part."""

    data: bytes
    mime: str  # image/png
    content_id: str  # without angle brackets; the HTML shows it as cid:{content_id}
    html: str = field(repr=False)  # the email's HTML part, its <img> pointing at the bytes


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # the plain-text part of an email
    html: str  # the HTML part of an email, the picture (if any) by its signed link
    chat: str  # the body for chat and push channels; their title is the subject
    picture: InlinePicture | None = field(default=None, repr=False)
    # the left part of the email's Message-ID, the same every time this story is sent to
    # this subscriber (:func:`message_id_for`): a resend is the same message to mail stores
    # that deduplicate by it. None: a fresh one (a test message)
    message_id: str | None = None


def message_id_for(story_id: str, subscriber_id: int) -> str:
    """The stable left part of the Message-ID of ``story_id`` sent to ``subscriber_id``."""
    return f"story-{story_id}.{subscriber_id}"


def story_message(
    story: Story, store: MediaStore, base_url: str, *, timezone: str = "UTC"
) -> Message:
    """The message for ``story``; the picture's link is signed now and expires with it."""
    view = story_view(story, store)
    title = one_line(story.title)
    stanza = [one_line(line) for line in (view.stanzas[0] if view.stanzas else [])]
    lines = stanza[:FIRST_LINES_MAX]
    link = urls.story_link(base_url, story.id)
    picture_url = urls.absolute(base_url, view.image.url) if view.image.url else None
    values = {
        "title": title,
        "lines": lines,
        "more": len(view.stanzas) > 1 or len(stanza) > FIRST_LINES_MAX,
        "link": link,
        "picture_url": picture_url,
        "picture_ready": view.image.state == "done",
        "narration_ready": view.audio.state == "done",
        "characters": _and([one_line(name) for name in story.characters]),
        # "at a picnic by a bubbling river": the scene read into the sentence, not pasted
        "where": one_line(read_scene(one_line(story.scene)).phrase()),
        "kept_until": _local_time(story.expires_at, timezone),
    }
    subject = _subject(f"Tonight's story: {title}")
    html = _templates.get_template("story.html")
    picture = None
    if picture_url is not None and (inline := inline_picture(story, store)) is not None:
        data, mime = inline
        content_id = f"picture.{story.id}@bedtales"
        shown = html.render(subject=subject, picture_src=f"cid:{content_id}", **values)
        picture = InlinePicture(data, mime, content_id, shown)
    return Message(
        subject=subject,
        text=_templates.get_template("story.txt").render(values),
        html=html.render(subject=subject, picture_src=picture_url, **values),
        chat="\n".join(lines) + f"\n\nRead the whole story: {link}",
        picture=picture,
    )


def inline_picture(story: Story, store: MediaStore) -> tuple[bytes, str] | None:
    """``(bytes, mime)`` of the picture to put in an email: the full picture when it is at
    most :data:`INLINE_PICTURE_MAX` bytes, else the 256 px thumbnail; None when neither is
    small enough or can be read (the email then shows the signed link)."""
    image = story.image
    if image.state != "done" or image.key is None:
        return None
    choices = [(story_key(story.id, THUMBNAIL), "image/png")]
    if image.size is not None and image.size <= INLINE_PICTURE_MAX:
        choices.insert(0, (image.key, image.mime or "image/png"))
    for key, mime in choices:
        if not mime.startswith("image/"):
            continue
        try:
            data = store.get(key)
        except (NotFound, StorageError):  # gone, or the store is down: the link still works
            continue
        if len(data) <= INLINE_PICTURE_MAX:
            return data, mime
    return None


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
