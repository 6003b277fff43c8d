"""Reading the scene: tidy its text for the middle of a line, see how it reads, find its setting.

Scenes are free text written by a parent: "a magical forest with talking animals",
"Playing football in the park", "on a pirate ship sailing the seas", "to the moon", "farm
animals". The composer needs to know which of these shapes it has, to frame it in a sentence
that reads well ("went to a magical forest …", "were playing football …", "were on a pirate
ship …", "went to the moon", "was all about farm animals"), and which setting's imagery fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bedtales.engines.text.builtin.places import DEFAULT, SETTINGS, Setting

# what: "a picnic on the moon" (went to …), topic: "farm animals" (all about …),
# doing: "building a snowman" (were …), where: "in the park" (were …), whereto: "to the moon"
SceneShape = Literal["what", "topic", "doing", "where", "whereto"]


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


FALLBACK_SCENE = "a land of gentle dreams"

# "on a pirate ship": the characters *were* there.
_WHERE = _word_set(
    "in on at under inside by near aboard beside beneath below above over up down across "
    "through among around behind underneath within along outside atop upon amid amidst "
    "between beyond past"
)
# "to the moon": the characters *went* there.
_WHERETO = _word_set("to into onto towards toward unto")
# Words ending in -ing that are things, not doings ("Spring in the meadow").
_ING_NOUNS = _word_set(
    "evening morning king ring spring thing something nothing everything anything wedding "
    "pudding ceiling swing sling string wing sting darling duckling sibling gosling earring "
    "viking seedling icing lightning dumpling inkling sapling clearing stocking stuffing "
    "frosting railing"
)
# Words that make a noun phrase a place one can go to: "a forest", "the beach", "my room".
_DETERMINERS = _word_set(
    "a an the some my our your his her their this that these those one two three four five "
    "every lots many"
)
# First words that are written with a capital only because they open the scene.
_COMMON_OPENERS = _DETERMINERS | _word_set("little big tiny magical snowy sunny starry outer")
# Setting words that are names, and keep their capital ("Mars", "Paris at night").
_PROPER = _word_set("mars london paris tokyo sahara amazon saturn jupiter christmas alps")
_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = ".,;:!?"
_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»"}


@dataclass(frozen=True)
class SceneReading:
    text: str  # the scene, tidied: "a magical forest with talking animals"
    shape: SceneShape
    setting: Setting

    @property
    def goto(self) -> str:
        """The scene after "went": "to a magical forest", "to the moon"."""
        return self.text if self.shape == "whereto" else f"to {self.text}"


def tidy(scene: str) -> str:
    """One line, no stray quotes or end punctuation, a lower-case opener where it is common."""
    text = _SPACES.sub(" ", scene).strip().rstrip(_END_PUNCTUATION).strip()
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip().rstrip(_END_PUNCTUATION).strip()
    if not text:
        return FALLBACK_SCENE
    first, _, rest = text.partition(" ")
    lowered = first.lower()
    if first[:1].isupper() and first[1:] == lowered[1:] and _is_common(lowered):
        text = lowered + (" " + rest if rest else "")
    return text


def _is_common(word: str) -> bool:
    return (
        word in _COMMON_OPENERS
        or word in _WHERE
        or word in _WHERETO
        or (word.endswith("ing") and len(word) > 4)
        or (word not in _PROPER and any(_names_setting(word, s) for s in SETTINGS))
    )


def _names_setting(word: str, setting: Setting) -> bool:
    return bool(setting.keywords.fullmatch(word) or setting.hints.fullmatch(word))


def shape_of(text: str) -> SceneShape:
    first = text.partition(" ")[0].lower()
    if first in _WHERE:
        return "where"
    if first in _WHERETO:
        return "whereto"
    if first.endswith("ing") and len(first) > 4 and first not in _ING_NOUNS:
        return "doing"
    return "what" if first in _DETERMINERS else "topic"


def setting_for(text: str) -> Setting:
    """The setting whose words the scene uses most; ties go to the earlier setting."""
    lowered = text.lower()
    best, best_score = DEFAULT, 0.0
    for setting in SETTINGS:
        score = len(setting.keywords.findall(lowered)) + 0.5 * len(setting.hints.findall(lowered))
        if score > best_score:
            best, best_score = setting, score
    return best


@lru_cache(maxsize=256)
def read_scene(scene: str) -> SceneReading:
    text = tidy(scene)
    return SceneReading(text=text, shape=shape_of(text), setting=setting_for(text))
