"""The composer: a calm rhyming story from names, a scene and a seed, without any model.

A story is planned (:mod:`.plan`: a plot shape, a friend, a little one, a lost thing, a thing
to make, and how it opens and ends) and then written stanza by stanza. Each stanza is two
couplets; each couplet is two line templates (:mod:`.grammar`) filled with the plan, the
characters and the parts of the scene, ending on two words that rhyme.

The shape of a story:

1. the evening begins, and the characters come in (one of several openings);
2. with the series on, last night remembered (and perhaps last night's friend back);
3. the scene: its place, its time and weather, the things in it, what is special about it;
4. meeting the friend (unless the plot brings its own);
5. the plot's beats, three or four stanzas;
6. goodbye and the way home;
7. bed, and sleep (one of several endings).

More sights of the scene are added while the story is shorter than ``min_words``.

The writer avoids what the household heard lately (``memory``): a line, a couplet or a title
heard in the last stories is written again differently, and plots and friends heard most
recently are taken last. Every choice comes from ``random.Random(seed)``: the same names,
scene, seed and memory always give the same story.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from bedtales.engines.text.builtin import beats
from bedtales.engines.text.builtin.catalogue import (
    BRIGHT_AS,
    COLOURS,
    LITTLE_WORDS,
    LOOKED,
    NIGHT_WORDS,
    QUIET_AS,
    SAID,
    SIGHTS,
    SKY_THINGS,
    SOFT_AS,
    WALKED,
)
from bedtales.engines.text.builtin.endings import ENDINGS, content_words
from bedtales.engines.text.builtin.grammar import (
    Line,
    Move,
    Position,
    SlotValue,
    Stanza,
    fill,
    rhymable,
    tidy,
)
from bedtales.engines.text.builtin.lexicon import rhyme_group
from bedtales.engines.text.builtin.plan import Plan, make_plan
from bedtales.engines.text.builtin.titles import make_title, title_case
from bedtales.engines.text.builtin.words import capitalise, cast_slots, clean_names
from bedtales.stories.gates import count_words  # the gates' own count, so they agree
from bedtales.stories.memory import (
    EMPTY_MEMORY,
    Memory,
    Previously,
    StoryPlan,
    couplet_fingerprint,
    fingerprint,
)
from bedtales.stories.scenes import SceneParts, read_scene

TRIES = 16  # fresh draws of a couplet heard lately, before keeping the last one
RECENT_RHYMES = 2  # couplets in a row that may not share a rhyme sound
EXTRA_STANZAS = 2  # stanzas of sights at most beyond what min_words asks for

# Where a story is when the scene names no place, by setting.
_SETTING_PLACE = {
    "forest": ("in", "the forest"),
    "sea": ("by", "the sea"),
    "river": ("by", "the river"),
    "underwater": ("under", "the sea"),
    "castle": ("in", "the castle"),
    "space": ("in", "outer space"),
    "sky": ("up in", "the sky"),
    "mountains": ("in", "the mountains"),
    "snow": ("in", "the snow"),
    "garden": ("in", "the garden"),
    "town": ("in", "the town"),
    "jungle": ("in", "the jungle"),
    "desert": ("in", "the desert"),
    "farm": ("on", "the farm"),
    "home": ("at", "home"),
    "default": ("in", "the land of dreams"),
}
_WORDS = re.compile(r"[^\W_]+")


# A couplet drawn: its two lines, their templates, their end words and their fingerprints.
_Drawn = tuple[str, str, Line, Line, str, str, tuple[str, str]]


class _Writer:
    def __init__(
        self,
        names: tuple[str, ...],
        scene: SceneParts,
        seed: int,
        memory: Memory,
        previously: Previously | None,
        only_plot: str | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.names = names
        self.scene = scene
        self.memory = memory
        self.previously = previously
        self.plan: Plan = make_plan(self.rng, names, scene, memory, previously, only_plot)
        self.form = min(len(names), 3) - 1
        self.outdoors = not scene.indoors
        self.used_words: set[str] = set()
        self.used_lines: set[int] = set()
        self.written: set[str] = set()  # fingerprints of this story's lines
        self.recent_groups: list[str] = []
        self.anywhere = False  # ending phrases of any setting may be used (see couplet)
        self.pasted = False  # the scene's whole text is in the story already
        self.slots = self._slots()
        self.available = self._available()

    # ------------------------------------------------------------------ the story's values

    def _slots(self) -> dict[str, SlotValue]:
        plan, scene = self.plan, self.scene
        friend = plan.friend
        the_friend = f"the {friend.kind}"
        friend_called = plan.friend_name or the_friend
        friend_a = f"a {plan.friend_look} {friend.kind}" + (
            f" called {plan.friend_name}" if plan.friend_name else ""
        )
        preposition, place = self._place()
        sights = SIGHTS.get(scene.setting, SIGHTS["default"])
        slots: dict[str, SlotValue] = {
            **cast_slots(self.names),
            "friend_a": friend_a,
            "friend": friend_called,
            "Friend": capitalise(friend_called),
            "friend_kind": friend.kind,
            "friend_moves": friend.moves,
            "friend_moving": friend.moving,
            "friend_says": friend.says,
            "friend_home": friend.home,
            "friend_home_my": _in_own_words(friend.home),
            "little_a": f"a {plan.little.kind}",
            "little": f"the {plan.little.kind}",
            "Little": f"The {plan.little.kind}",
            "little_home": plan.little.home,
            "little_home_my": _in_own_words(plan.little.home),
            "item_a": f"a {plan.item}",
            "item": plan.item,
            "make_a": f"a {plan.make}",
            "make": f"the {plan.make}",
            "Make": f"The {plan.make}",
            "place": place,
            "Place": capitalise(place),
            "at_place": f"{preposition} {place}",
            "At_place": capitalise(f"{preposition} {place}"),
            "wonder": scene.wonder or "",
            "activity": scene.activity or "",
            "sight": sights,
            "Sight": tuple(capitalise(s) for s in sights),
            "sky_thing": SKY_THINGS,
            "Sky_thing": tuple(capitalise(s) for s in SKY_THINGS),
            "soft_as": SOFT_AS,
            "bright_as": BRIGHT_AS,
            "quiet_as": QUIET_AS,
            "colour": COLOURS,
            "little_word": LITTLE_WORDS,
            "walked": WALKED,
            "looked": LOOKED,
            "said": SAID,
            "night": NIGHT_WORDS,
            "recap": self._recap_had(),
        }
        return slots

    def _place(self) -> tuple[str, str]:
        scene = self.scene
        if scene.place is not None:
            return scene.preposition, scene.place.the
        return _SETTING_PLACE.get(scene.setting, _SETTING_PLACE["default"])

    def _recap_had(self) -> str:
        """What they did last time, after "they had": "helped a baby owl home"."""
        if self.previously is None:
            return ""
        return self.previously.recap or f"heard the story of “{self.previously.title}”"

    def _available(self) -> frozenset[str]:
        scene = self.scene
        found = {"out" if self.outdoors else "in"}
        if scene.wonder:
            found.add("wonder")
        if scene.things:
            found.add("thing")
        if scene.activity:
            found.add("activity")
        if scene.weather:
            found.add("weather")
        if self.plan.friend_name:
            found.add("named_friend")
        return frozenset(found)

    def _choose_thing(self) -> None:
        """The scene's thing for the next stanza: one of its things, or one of its sights.

        A scene that is all thing ("farm animals") is its own thing: once its whole text is in
        the story, a sight of its setting takes over, so the scene is never pasted twice.
        """
        things = [
            noun for noun in self.scene.things if not (self.pasted and self.scene.text in noun.the)
        ]
        if things:
            noun = self.rng.choice(things)
            the, was = noun.the, noun.was
        else:
            the, was = self.rng.choice(SIGHTS.get(self.scene.setting, SIGHTS["default"])), "were"
        self.slots["thing"], self.slots["Thing"], self.slots["thing_was"] = (
            the,
            capitalise(the),
            was,
        )

    # ------------------------------------------------------------------ writing

    def stanza(self, stanza: Stanza) -> str:
        self._choose_thing()
        lines: list[str] = []
        for position in stanza:
            lines.extend(self.couplet(position))
        text = "\n".join(lines)
        self.pasted = self.pasted or self.scene.text in text
        return text

    def couplet(self, position: Position) -> tuple[str, str]:
        moves = [m for m in position if m.needs <= self.available] or list(position)
        # Easing off, only when nothing else rhymes: words used earlier in the story may come
        # again, then ending phrases of other settings may be used.
        for ease in range(3):
            self.anywhere = ease == 2
            if ease == 1:
                self.used_words.clear()
            best = self._draw(moves)
            if best is not None:
                break
        else:
            raise ValueError(f"no rhyme for {[m.firsts[0].source for m in moves]}")
        self.anywhere = False
        one, two, first, second, word_one, word_two, prints = best
        self.used_lines.update((id(first), id(second)))
        self.used_words.update((word_one, word_two))
        self.written.update(prints)
        self.recent_groups = [*self.recent_groups[1 - RECENT_RHYMES :], rhyme_group(word_one) or ""]
        return one, two

    def _draw(self, moves: Sequence[Move]) -> _Drawn | None:
        """A couplet not heard lately, if one turns up in TRIES draws; else the last drawn."""
        best: _Drawn | None = None
        for _ in range(TRIES):
            move = self.rng.choice(moves)
            first = self._pick_line(move.firsts)
            partners = [s for s in move.seconds if rhymable(first, s)]
            if first.kind is not None:  # two ending phrases of one kind in a row sound padded
                partners = [s for s in partners if s.kind != first.kind] or partners
            second = self._pick_line(partners)
            drawn = self._rhyme(first, second)
            if drawn is None:
                continue
            one, two, word_one, word_two = drawn
            prints = (fingerprint(one), fingerprint(two))
            best = (one, two, first, second, word_one, word_two, prints)
            if not self._heard(one, two, prints):
                break
        return best

    def _pick_line(self, lines: Sequence[Line]) -> Line:
        fresh = [line for line in lines if id(line) not in self.used_lines]
        return self.rng.choice(fresh or list(lines))

    def _heard(self, one: str, two: str, prints: tuple[str, str]) -> bool:
        a, b = prints
        return (
            a in self.written
            or b in self.written
            or a in self.memory.fingerprints
            or b in self.memory.fingerprints
            or couplet_fingerprint(one, two) in self.memory.fingerprints
        )

    def _rhyme(self, first: Line, second: Line) -> tuple[str, str, str, str] | None:
        """Both lines written, ending on two different words of one rhyme group."""
        body_one = fill(first.parts, self.slots, self.form, self.rng)
        body_two = fill(second.parts, self.slots, self.form, self.rng)
        groups = sorted(first.groups & second.groups)
        self.rng.shuffle(groups)
        groups.sort(key=lambda g: g in self.recent_groups)  # fresh sounds first
        for group in groups:
            end_one = self._ending(first, group, "", body_one)
            if end_one is None:
                continue
            end_two = self._ending(second, group, end_one[1], body_two)
            if end_two is None:
                continue
            return (
                tidy(f"{body_one}{end_one[0]}{first.tail}"),
                tidy(f"{body_two}{end_two[0]}{second.tail}"),
                end_one[1],
                end_two[1],
            )
        return None

    def _ending(self, line: Line, group: str, exclude: str, body: str) -> tuple[str, str] | None:
        """The end of ``line`` in ``group``: ("", word) for a fixed word, else a phrase.

        A phrase that says again what the line says already is passed over: "peeped in | in
        a wink", "the moon … | as the moon rose high".
        """
        if line.word is not None:
            fresh = line.word != exclude and line.word not in self.used_words
            return ("", line.word) if fresh else None
        if line.inline:
            fitting = [
                (text, word)
                for text, word, g in line.inline
                if g == group and word != exclude and word not in self.used_words
            ]
            return self.rng.choice(fitting) if fitting else None
        assert line.kind is not None
        said = content_words(body)
        last = _last_word(body)
        options = [
            e
            for e in ENDINGS[line.kind].get(group, ())
            if e.word != exclude
            and e.word not in self.used_words
            and (self.anywhere or e.fits(self.scene.setting, self.scene.indoors))
            and e.first != last
            and not (e.says & said)
        ]
        if not options:
            return None
        ending = self.rng.choice(options)
        return ending.text, ending.word

    # ------------------------------------------------------------------ the whole story

    def write(self, min_words: int) -> tuple[str, StoryPlan]:
        plan = self.plan
        title = self._title()
        head = [self.stanza(plan.opening)]
        if self.previously is not None:
            head.append(self.stanza(self._remembering()))
        head.append(self.stanza(plan.arrival))
        middle: list[str] = []
        if plan.plot.meets_friend and not plan.friend_returns:
            middle.append(self.stanza(plan.meeting))
        middle.extend(self.stanza(beat) for beat in plan.plot.stanzas)
        tail = [self.stanza(plan.goodbye), self.stanza(plan.ending)]
        words = sum(count_words(s) for s in (*head, *middle, *tail))
        extra = 0
        while words < min_words and extra < EXTRA_STANZAS + min_words // 25:
            sights = self.stanza(self.rng.choice(beats.SIGHTS))
            head.append(sights)
            words += count_words(sights)
            extra += 1
        text = "\n\n".join([title, *head, *middle, *tail]) + "\n"
        return text, self._story_plan()

    def _remembering(self) -> Stanza:
        return beats.REMEMBERING if self.plan.friend_returns else beats.REMEMBERING_ALONE

    def _title(self) -> str:
        plan = self.plan
        friend = plan.friend_name or f"the {title_case(plan.friend.kind)}"
        values = {
            "Friend": friend,
            "Friend_kind": title_case(plan.friend.kind),
            "Little": f"the {title_case(plan.little.kind)}",
            "Little_kind": title_case(plan.little.kind),
            "Item": f"the {title_case(plan.item)}",
            "Item_kind": title_case(plan.item),
            "Make": f"the {title_case(plan.make)}",
            "Make_kind": title_case(plan.make),
            "Place": title_case(self._place()[1]),
        }
        return make_title(plan.plot.titles, self.names, values, self.rng, self.memory)

    def _story_plan(self) -> StoryPlan:
        plan = self.plan
        recap = fill(self.rng.choice(plan.plot.recaps), self.slots, self.form, self.rng)
        return StoryPlan(
            plot=plan.plot.key,
            friend=plan.friend.key,
            friend_name=plan.friend_name,
            recap=" ".join(recap.split()),
        )


def _last_word(text: str) -> str:
    found = _WORDS.findall(text.casefold())
    return found[-1] if found else ""


def _in_own_words(home: str) -> str:
    """ "its nest of leaves" -> "my nest of leaves", as the creature itself says it."""
    return re.sub(r"\bits\b", "my", home)


def compose_story(
    characters: Sequence[str],
    scene: str,
    seed: int,
    min_words: int = 200,
    *,
    memory: Memory = EMPTY_MEMORY,
    previously: Previously | None = None,
    only_plot: str | None = None,
) -> tuple[str, StoryPlan]:
    """Write a story and say what it chose: the title line, a blank line, then stanzas.

    ``only_plot`` (a plot key) fixes the plot shape, for tests and benches.
    """
    parts = read_scene(scene)
    writer = _Writer(clean_names(characters), parts, seed, memory, previously, only_plot)
    return writer.write(min_words)


def compose(characters: Sequence[str], scene: str, seed: int, min_words: int = 200) -> str:
    """Write a story (no memory, no series): the title line, a blank line, then stanzas."""
    return compose_story(characters, scene, seed, min_words)[0]
