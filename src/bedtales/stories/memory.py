"""The household memory: what a household heard lately, kept as fingerprints, never as text.

A story's lines, couplets and title are remembered as short hashes of their normalised
words, and the builtin writer's choices (plot shape, friend) by their catalogue keys. The
writer avoids them in the next stories, so a month of bedtimes does not repeat itself. The
memory holds nothing a family wrote (no names, no scenes, no story text), so it may outlive
the stories it came from. A damaged or missing memory never stops a story.

This module holds the records and the hashing; they cross from the story writer to the
engines, so it imports nothing from the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MEMORY_STORIES = 30  # how many of a household's latest stories the memory covers

_WORDS = re.compile(r"[^\W_]+")
_STANZA_BREAK = re.compile(r"\n\s*\n")


def normalise(text: str) -> str:
    """Lower-case words joined by single spaces: punctuation, quotes and case do not count."""
    return " ".join(_WORDS.findall(text.casefold().replace("'", "").replace("’", "")))


def fingerprint(text: str) -> str:
    """A 16-hex-digit hash of ``text``'s normalised words."""
    return hashlib.blake2b(normalise(text).encode(), digest_size=8).hexdigest()


def title_fingerprint(title: str) -> str:
    return fingerprint("title " + title)


def couplet_fingerprint(first: str, second: str) -> str:
    return fingerprint(f"{first} / {second}")


def scene_fingerprint(scene: str) -> str:
    return fingerprint("scene " + scene)


def stanza_lines(description: str) -> Iterator[list[str]]:
    """The non-blank lines of each stanza of a story."""
    for stanza in _STANZA_BREAK.split(description.strip()):
        lines = [line.strip() for line in stanza.splitlines() if line.strip()]
        if lines:
            yield lines


def couplets(lines: list[str]) -> Iterator[tuple[str, str]]:
    """A stanza's lines in pairs: (1, 2), (3, 4) … (an odd last line is left alone)."""
    return zip(lines[::2], lines[1::2], strict=False)


def story_fingerprints(title: str, description: str) -> frozenset[str]:
    """Every line, couplet and the title of a story, as fingerprints."""
    found = {title_fingerprint(title)} if title.strip() else set()
    for lines in stanza_lines(description):
        found.update(fingerprint(line) for line in lines)
        found.update(couplet_fingerprint(a, b) for a, b in couplets(lines))
    return frozenset(found)


@dataclass(frozen=True)
class Memory:
    """What a household heard in its last stories: fingerprints, and the builtin writer's
    plot shapes and friends by key, most recent first."""

    fingerprints: frozenset[str] = frozenset()
    plots: tuple[str, ...] = ()
    friends: tuple[str, ...] = ()
    # the scene fingerprints of those stories, one a story (repeats kept), most recent first
    scenes: tuple[str, ...] = ()

    def heard(self, text: str) -> bool:
        return fingerprint(text) in self.fingerprints

    def heard_couplet(self, first: str, second: str) -> bool:
        return couplet_fingerprint(first, second) in self.fingerprints

    def heard_title(self, title: str) -> bool:
        return title_fingerprint(title) in self.fingerprints


EMPTY_MEMORY = Memory()


@dataclass(frozen=True)
class StoryPlan:
    """What the builtin writer chose for a story: kept with the story (for the series) and,
    by key, in the household memory."""

    plot: str  # plot-shape key: "lost-creature-home"
    friend: str  # friend catalogue key: "hedgehog"
    friend_name: str = ""  # the friend's own name, when it has one: "Bramble"
    # what the characters did, with no subject and no names, for "Last night they …":
    # "helped a little lost star find its way home"
    recap: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "plot": self.plot,
            "friend": self.friend,
            "friendName": self.friend_name,
            "recap": self.recap,
        }

    @classmethod
    def from_json(cls, value: object) -> StoryPlan | None:
        """The plan stored with a story; None when it is missing or not a plan."""
        if not isinstance(value, dict):
            return None
        fields = [value.get(key, "") for key in ("plot", "friend", "friendName", "recap")]
        if not all(isinstance(item, str) for item in fields) or not fields[0] or not fields[1]:
            return None
        plot, friend, friend_name, recap = (str(item) for item in fields)
        return cls(plot=plot, friend=friend, friend_name=friend_name, recap=recap)


@dataclass(frozen=True)
class Previously:
    """The series memory: the household's last story, for a story that remembers it."""

    title: str
    recap: str = ""  # from the builtin writer's plan; empty for other engines' stories
    friend: str = ""  # catalogue key of a friend who may come back (builtin plans only)
    friend_name: str = ""

    def sentence(self, names: str) -> str:
        """One sentence for a prompt: what happened last time."""
        if self.recap:
            return f"Last time, {names} {self.recap}."
        return f"Last time, {names} had an adventure called “{self.title}”."


def distinct_recent(keys: Iterable[str], limit: int) -> tuple[str, ...]:
    """``keys`` (most recent first) without repeats, at most ``limit`` of them."""
    seen: dict[str, None] = {}
    for key in keys:
        if key and key not in seen:
            seen[key] = None
            if len(seen) == limit:
                break
    return tuple(seen)
