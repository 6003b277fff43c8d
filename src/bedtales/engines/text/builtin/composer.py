"""The composer: a calm rhyming story from names, a scene and a seed, without any model.

The story follows one arc, a stanza (two couplets) for each step:

1. evening falls, and the characters come in;
2. they set out into the scene (its own words, mid-line) and see its sights;
3. they wander and wonder;
4. they find a small trouble: a fallen star, a lantern gone out, a creature that cannot sleep;
5. a helper of that setting arrives (an owl in the woods, a whale at sea);
6. together they put it right, and are thanked;
7. kindness and cheers (left out when the story is long enough without them);
8. goodbye, and the way home;
9. bed, and everyone falls asleep.

Longer stories (``min_words`` above what nine stanzas hold) get more wandering and more
cheer in the middle. Every choice comes from ``random.Random(seed)``: the same names, scene
and seed always give the same story.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from bedtales.engines.text.builtin.couplets import Couplet
from bedtales.engines.text.builtin.places import DEFAULT as DEFAULT_SETTING
from bedtales.engines.text.builtin.places import SETTINGS, Creature, Helper, Setting
from bedtales.engines.text.builtin.scenes import SceneReading, read_scene
from bedtales.engines.text.builtin.titles import (
    TitleParts,
    join_names,
    make_title,
    possessive,
    title_case,
    where,
)
from bedtales.engines.text.builtin.verses import (
    BEDTIME,
    CELEBRATE,
    EVENING,
    FAREWELL,
    FRIENDS,
    HELPER_ARRIVES,
    HELPER_OFFERS,
    HOMEWARD,
    PROBLEMS,
    SCENE_ABOUT,
    SCENE_BE,
    SCENE_GO,
    SLEEP,
    TEAMWORK,
    WONDER,
    Problem,
)
from bedtales.stories.gates import count_words  # the gates' own count, so they agree

FALLBACK_NAME = "Little Dreamer"
LONG_ENOUGH = 300  # words; a longer story leaves out the stanza of cheers
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]")
_SCENE_FRAMES: dict[str, tuple[Couplet, ...]] = {
    "doing": SCENE_BE,  # "were building a snowman"
    "where": SCENE_BE,  # "were on a pirate ship"
    "whereto": SCENE_GO,  # "went to the moon"
    "what": SCENE_GO + SCENE_ABOUT,  # "went to a picnic on the moon"
    "topic": SCENE_ABOUT,  # "was all about farm animals"
}
_FAREWELLS: dict[str, tuple[Couplet, ...]] = {
    setting.key: setting.farewell + FAREWELL for setting in (*SETTINGS, DEFAULT_SETTING)
}


class _Picker:
    """Draws couplets without repeating one, avoiding end words already used and the
    rhymes of the last few couplets (no "so/slow" straight after "low/ago")."""

    RECENT = 3

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[int] = set()
        self.ends: set[str] = set()
        self.recent: list[str] = []

    def take(self, options: Sequence[Couplet]) -> Couplet:
        fresh = [c for c in options if id(c) not in self.used]
        new_words = [c for c in fresh if not c.ends & self.ends]
        best = [c for c in new_words if c.rhyme not in self.recent]
        choice = self.rng.choice(best or new_words or fresh or options)
        self.used.add(id(choice))
        self.ends |= choice.ends
        self.recent = [*self.recent[1 - self.RECENT :], choice.rhyme]
        return choice


def _clean_names(characters: Sequence[str]) -> tuple[str, ...]:
    # names stay as written; only line breaks inside one would break the verse
    names = tuple(
        " ".join(name.split()) if _BREAKS.search(name) else name.strip()
        for name in characters
        if name.strip()
    )
    return names or (FALLBACK_NAME,)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cast_slots(names: tuple[str, ...]) -> dict[str, str]:
    joined = join_names(names)
    if len(names) == 1:
        they, them, their = joined, joined, possessive(joined)
    else:
        they, them, their = "they", "them", "their"
    return {
        "names": joined,
        "they": they,
        "They": _cap(they),
        "them": them,
        "their": their,
        "Their": _cap(their),
    }


def _pick_little(setting: Setting, helper: Helper, rng: random.Random) -> Creature:
    helper_animal = helper.the.split()[-1]
    others = [c for c in setting.little_ones if helper_animal not in c.the.split()]
    return rng.choice(others or list(setting.little_ones))


def _imagery_for(reading: SceneReading) -> tuple[Couplet, ...]:
    lowered = reading.text.lower()
    for pattern, imagery in reading.setting.special_imagery:
        if pattern.search(lowered):
            return imagery
    return reading.setting.imagery


def _place_for(reading: SceneReading) -> tuple[str, ...]:
    lowered = reading.text.lower()
    for pattern, places in reading.setting.special_places:
        if pattern.search(lowered):
            return places
    return reading.setting.places


class _Story:
    def __init__(self, names: tuple[str, ...], reading: SceneReading, seed: int) -> None:
        self.rng = random.Random(seed)
        self.picker = _Picker(self.rng)
        self.form = min(len(names), 3) - 1
        self.names = names
        self.reading = reading
        self.setting = setting = reading.setting
        rng = self.rng
        self.imagery = _imagery_for(reading)
        self.place = rng.choice(_place_for(reading))
        self.helper = rng.choice(setting.helpers)
        self.problem: Problem = PROBLEMS[rng.choice(setting.problems)]
        self.little = _pick_little(setting, self.helper, rng)
        self.slots = {
            **_cast_slots(names),
            "scene": reading.text,
            "goto": reading.goto,
            "place": self.place,
            "Place": _cap(self.place),
            "helper": self.helper.a,
            "helper_the": self.helper.the,
            "Helper_the": _cap(self.helper.the),
            "helper_move": self.helper.move,
            "little": self.little.a,
            "little_the": self.little.the,
            "Little_the": _cap(self.little.the),
            "ground": setting.ground,
            "glowers": setting.glowers,
            "toy": setting.toy,
        }

    def stanza(self, *pools: Sequence[Couplet]) -> str:
        lines: list[str] = []
        for options in pools:
            couplet = self.picker.take(options)
            lines.extend(line.format_map(self.slots) for line in couplet.forms[self.form])
        return "\n".join(lines)

    def explore(self) -> str:
        pools = [self.imagery, WONDER]
        self.rng.shuffle(pools)
        return self.stanza(*pools)

    def title(self) -> str:
        creature = self.little.the.removeprefix("the ")
        problem = self.rng.choice(self.problem.titles).format(
            little=title_case(creature), toy=title_case(self.setting.toy)
        )
        helper = self.helper.a.split(" ", 1)[-1]  # "a wise old owl" -> "wise old owl"
        named_place = self.setting.title_place  # "Dreamland" rather than "the land of …"
        return make_title(
            TitleParts(
                names=self.names,
                place=named_place or title_case(self.place),
                where=f"in {named_place}" if named_place else where(self.place),
                problem=problem,
                problem_can_be_helped=self.problem.can_be_helped,
                helper="the " + title_case(helper),
            ),
            self.rng,
        )

    def write(self, min_words: int) -> str:
        title = self.title()
        scene_frames = _SCENE_FRAMES[self.reading.shape]
        opening = [
            self.stanza(EVENING, FRIENDS),
            self.stanza(scene_frames, self.imagery),
            self.explore(),
        ]
        trouble = [
            self.stanza(self.problem.found, self.problem.told),
            self.stanza(HELPER_ARRIVES, HELPER_OFFERS),
            self.stanza(self.problem.solved, self.problem.after),
        ]
        joy = [self.stanza(TEAMWORK, CELEBRATE)]
        ending = [
            self.stanza(_FAREWELLS[self.setting.key], HOMEWARD),
            self.stanza(BEDTIME, SLEEP),
        ]
        words = sum(count_words(s) for s in (*opening, *trouble, *joy, *ending))
        cheer = count_words(joy[0])
        if words > LONG_ENOUGH and words - cheer >= min_words:  # keep the tale short
            joy.clear()
            words -= cheer
        while words < min_words:  # a longer story: more wandering, then more joy
            if len(opening) <= len(joy) + 2:
                extra = self.explore()
                opening.append(extra)
            else:
                extra = self.stanza(WONDER, CELEBRATE)
                joy.append(extra)
            words += count_words(extra)
        return "\n\n".join([title, *opening, *trouble, *joy, *ending]) + "\n"


def compose(characters: Sequence[str], scene: str, seed: int, min_words: int = 200) -> str:
    """Write a story: the title line, a blank line, then stanzas of rhyming couplets."""
    return _Story(_clean_names(characters), read_scene(scene), seed).write(min_words)
