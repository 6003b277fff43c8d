"""Reading a scene: the free text a parent wrote, taken apart into what a story can use.

"a bakery after closing time where the dough will not stop rising" is a bakery (the place,
indoors), at night (after closing time), with dough in it that will not stop rising. The
builtin writer weaves those parts into its lines; the message and the picture's alt text
use :meth:`SceneParts.phrase` to say where the story is set ("at a picnic by a bubbling
river", "on a snowy mountain where the wind hums softly").

INTERFACE FIRST: this module is being rewritten; the records below are the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# what: "a picnic on the moon", topic: "farm animals", doing: "building a snowman",
# where: "in the park", whereto: "to the moon"
SceneShape = Literal["what", "topic", "doing", "where", "whereto"]

# The broad settings the builtin writer knows friends and sights for.
SETTINGS = (
    "forest",
    "sea",  # the sea, a beach, a boat, a lighthouse, rock pools
    "river",  # a river, a pond, a lake, a stream
    "underwater",
    "castle",
    "space",  # the moon, stars, rockets, planets
    "sky",  # clouds, a balloon, the sky
    "mountains",
    "snow",
    "garden",  # gardens, meadows, fields, parks
    "town",  # towns, cities, streets, a station, a train
    "jungle",
    "desert",
    "farm",
    "home",  # a cottage, a bedroom, a bakery, a library: indoors
    "default",
)
Setting = Literal[
    "forest",
    "sea",
    "river",
    "underwater",
    "castle",
    "space",
    "sky",
    "mountains",
    "snow",
    "garden",
    "town",
    "jungle",
    "desert",
    "farm",
    "home",
    "default",
]
Time = Literal["night", "evening", "dusk", "sunset", "morning", "day"]
Season = Literal["winter", "spring", "summer", "autumn"]
Weather = Literal["snow", "rain", "wind", "sun", "fog", "clouds"]


@dataclass(frozen=True)
class Noun:
    """A noun phrase without its determiner: "snowy mountain", "rock pools", "dough"."""

    words: str
    plural: bool = False
    mass: bool = False  # "dough", "sand", "snow": no "a"
    proper: bool = False  # "Mars", "Paris": no article at all

    @property
    def head(self) -> str:
        """The last word: "mountain" of "snowy mountain"."""
        return self.words.rsplit(" ", 1)[-1]

    @property
    def the(self) -> str:
        """ "the snowy mountain", "the rock pools", "Mars"."""
        return self.words if self.proper else f"the {self.words}"

    @property
    def a(self) -> str:
        """ "a snowy mountain", "an old oak tree", "some rock pools", "some dough", "Mars"."""
        if self.proper:
            return self.words
        if self.plural or self.mass:
            return f"some {self.words}"
        return f"{'an' if _starts_with_vowel_sound(self.words) else 'a'} {self.words}"

    @property
    def was(self) -> str:
        return "were" if self.plural else "was"


@dataclass(frozen=True)
class SceneParts:
    text: str  # the scene, tidied: one line, no stray quotes, a lower-case common opener
    shape: SceneShape
    setting: Setting
    indoors: bool
    place: Noun | None  # the main place: "bakery", "snowy mountain"; None for "farm animals"
    preposition: str  # how one is at the place: "in", "on", "at", "by"
    time: Time | None
    season: Season | None
    weather: Weather | None
    things: tuple[Noun, ...]  # what else is in it: "dough", "rock pools", "kind old king"
    # a clause about the place, present tense, without "where"/"that":
    # "the dough will not stop rising", "the trees whisper goodnight"
    wonder: str | None
    activity: str | None  # "building a snowman", "playing football"

    def phrase(self) -> str:
        """Where the story is set, to follow "A story about Milo and Luna …" or "A picture of
        Milo and Luna …": "at a picnic by a bubbling river", "on a snowy mountain where the
        wind hums softly", "building a snowman in the first snow of winter", "about farm
        animals"."""
        raise NotImplementedError


def _starts_with_vowel_sound(words: str) -> bool:
    first = words.lstrip().lower()
    return first[:1] in "aeiou" and not first.startswith(("uni", "use", "one", "eu"))


@lru_cache(maxsize=512)
def read_scene(scene: str) -> SceneParts:
    """Take a scene apart. Never raises: odd text still gives usable parts."""
    raise NotImplementedError
