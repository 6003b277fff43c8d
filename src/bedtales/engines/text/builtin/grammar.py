"""Line templates: the small language the builtin writer's verses are written in.

One template is one line of verse with parts that are filled for each story:

- ``{slot}``: a value of the story — a name, the friend, a thing of the scene (see
  :data:`SLOTS`). A slot whose value is a tuple gives one of its values at random each time.
- ``(one|other|third)``: a free choice, for variety; choices may nest, and a choice may be
  empty (``(very |)``).
- ``[one|more]`` or ``[one|two|more]``: follows how many characters there are (was/were).
- ``<kind>`` at the very end (only punctuation and quotes may follow): the rhyme. An ending
  phrase of that kind (:mod:`.endings`) whose last word rhymes with the other line of the
  couplet. A line without one ends on a fixed word of the rhyme lexicon instead.

Every template is checked when its module is imported — unknown slots, unclosed brackets,
an end that is neither a lexicon word nor an ending kind — so a broken verse fails loudly at
once, not in a child's story. "a"/"an" are put right after filling ("an owl", "a unicorn"),
so a template may write "a {friend_kind}" whatever the kind is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from bedtales.engines.text.builtin.endings import ENDINGS, groups_of_kind
from bedtales.engines.text.builtin.lexicon import end_word, rhyme_group

FORMS = 3  # one character, two characters, three or more

# Every slot a template may use; the composer fills all of them for each story.
SLOTS = frozenset(
    {
        # the cast: "Milo", "Milo and Luna"; "they" is the name when there is one character
        "names",
        "Names",
        "they",
        "They",
        "them",
        "their",
        "Their",
        # the friend the characters meet: "a hedgehog called Bramble", "Bramble"
        "friend_a",
        "friend",
        "Friend",
        "friend_kind",
        "friend_moves",  # "shuffled", "fluttered"
        "friend_moving",  # "shuffling"
        "friend_says",  # "snuffled", "hooted"
        "friend_home",  # "its burrow"
        "friend_home_my",  # "my burrow": in the friend's own words
        # a small creature that needs help: "a baby owl", "the baby owl", "The baby owl"
        "little_a",
        "little",
        "Little",
        "little_home",  # "its nest"
        "little_home_my",  # "my nest": in the little one's own words
        # a small thing, lost, found or given: "a silver button"; "silver button" (bare, to
        # follow "the", "my", "your")
        "item_a",
        "item",
        # something made together: "a blanket fort", "the blanket fort", "The blanket fort"
        "make_a",
        "make",
        "Make",
        # the scene: "the bakery"; "in the bakery"; a thing in it; its clause
        "place",
        "Place",
        "at_place",
        "At_place",
        "thing",
        "Thing",
        "thing_was",
        "wonder",
        "activity",  # "building a snowman"
        # sights, sounds and pictures that fit the scene and the night
        "sight",  # "the fireflies", "the rock pools"
        "Sight",
        "sky_thing",  # "the moon", "a star"
        "Sky_thing",
        "soft_as",  # "as soft as a summer cloud"
        "bright_as",  # "as bright as a button"
        "quiet_as",  # "as quiet as a mouse"
        "colour",  # "silver", "golden"
        "little_word",  # "little", "tiny", "small"
        "walked",  # "tiptoed", "wandered"
        "looked",  # "peeked", "peered"
        "said",  # "whispered", "said"
        "night",  # "night", "evening"
        "recap",  # the series: what they did last time, "helped a baby owl home"
    }
)

# "{they} were" is wrong for one character ("Milo were"): the cast's verbs need [was|were]
_UNAGREED = re.compile(
    r"\{(?:[Tt]hey|[Nn]ames)\} (?:\([^()\[]*\b(?:was|were|are|is)\b[^()]*\)|(?:was|were|are|is)\b)"
)
_TOKEN = re.compile(r"\{([A-Za-z_]+)\}|\(|\)|\||\[([^\[\]]*)\]|<([a-z_]+)>")
_TAIL = re.compile(r"[\s.,;:!?…“”‘’\"']*$")
_A_AN = re.compile(r"\b([Aa]n?) ([A-Za-z][\w'-]*)")
_SPACES = re.compile(r"  +")
_SPACE_BEFORE = re.compile(r" +([,.;:!?”])")

# Words that start with a vowel letter but a consonant sound, and the other way round.
_CONSONANT_SOUND = re.compile(r"(?i)^(?:uni|use|usu|uku|ure|one|once|eu|ewe)")
_VOWEL_SOUND = re.compile(r"(?i)^(?:hour|honest|honour|heir)")


class Alt:
    """``(a|b|c)``: one of the options, at random."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[tuple[Part, ...], ...]) -> None:
        self.options = options


class Slot:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Agree:
    """``[was|were]``: the option for the number of characters."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[str, str, str]) -> None:
        self.options = options


Part = str | Alt | Slot | Agree


@dataclass(frozen=True, eq=False)
class Line:
    """One compiled line template."""

    source: str
    parts: tuple[Part, ...]
    kind: str | None  # the ending kind, or None
    word: str | None  # the fixed end word, or None
    # a choice at the very end, "(behind the hills|below the trees)": its options and their
    # end words; the composer takes the one that rhymes
    inline: tuple[tuple[str, str, str], ...]  # (text, word, group)
    tail: str  # punctuation (and quotes) after the end: ",", ".”"
    groups: frozenset[str]  # rhyme groups this line can end on
    quotes: int = 0  # quotes opened and not closed: a first line's must close in its partner


@dataclass(frozen=True, eq=False)
class Move:
    """One couplet's worth of lines: a first line goes with any second line it can rhyme with
    (every line must have at least one partner).

    ``needs`` names what the story must have for these lines to make sense: a slot that is
    only sometimes real ("wonder", "thing"), or "out"/"in" for outdoor or indoor scenes.
    """

    firsts: tuple[Line, ...]
    seconds: tuple[Line, ...]
    needs: frozenset[str] = frozenset()


# One couplet of a stanza: the moves that may fill it (the composer picks one that fits).
Position = tuple[Move, ...]
# A stanza: its couplets, in order.
Stanza = tuple[Position, ...]

NEEDS = frozenset({"out", "in", "wonder", "thing", "activity", "weather", "named_friend"})


def line(source: str) -> Line:
    """Compile and check one template."""
    if _UNAGREED.search(source):
        raise ValueError(f"the cast's verb must agree: write [was|were], not {source!r}")
    body = source.rstrip()
    tail = _TAIL.search(body)
    assert tail is not None
    tail_text = tail.group(0)
    head = body[: tail.start()]
    kind: str | None = None
    word: str | None = None
    inline: tuple[tuple[str, str, str], ...] = ()
    ending = re.search(r"<([a-z_]+)>$", head)
    if "<" in (head[: ending.start()] if ending else head):
        raise ValueError(f"a <kind> may only end a line: {source!r}")
    if ending:
        kind = ending.group(1)
        if kind not in ENDINGS:
            raise ValueError(f"verse ends on an unknown kind <{kind}>: {source!r}")
        parts = _parse(head[: ending.start()], source)
        groups = groups_of_kind(kind)
    else:
        parts = _parse(head, source)
        if parts and isinstance(parts[-1], Alt):
            inline = _inline_ending(parts[-1], source)
            parts = parts[:-1]
            groups = frozenset(group for _, _, group in inline)
        elif head.endswith("}") or head.endswith("]"):
            raise ValueError(f"verse ends on a slot, not a rhyme word: {source!r}")
        else:
            word = end_word(head)
            group = rhyme_group(word)
            if group is None:
                raise ValueError(
                    f"verse ends on {word!r}, which the rhyme lexicon lacks: {source!r}"
                )
            groups = frozenset({group})
    quotes = source.count("“") - source.count("”")
    return Line(source, parts, kind, word, inline, tail_text, groups, quotes)


def _inline_ending(choice: Alt, source: str) -> tuple[tuple[str, str, str], ...]:
    options: list[tuple[str, str, str]] = []
    for option in choice.options:
        if not all(isinstance(part, str) for part in option):
            raise ValueError(f"a choice that ends a line must be plain words: {source!r}")
        text = "".join(str(part) for part in option)
        word = end_word(text)
        group = rhyme_group(word)
        if group is None:
            raise ValueError(
                f"verse may end on {word!r} ({text!r}), which the rhyme lexicon lacks: {source!r}"
            )
        options.append((text, word, group))
    return tuple(options)


def move(firsts: Sequence[str], seconds: Sequence[str], needs: str = "") -> Move:
    """A couplet pool; checks that every first line can rhyme with every second line."""
    if not firsts or not seconds:
        raise ValueError(f"a move needs first and second lines: {firsts!r} / {seconds!r}")
    wanted = frozenset(needs.split())
    if wanted - NEEDS:
        raise ValueError(f"unknown needs {sorted(wanted - NEEDS)}; known: {sorted(NEEDS)}")
    compiled = Move(tuple(line(f) for f in firsts), tuple(line(s) for s in seconds), wanted)
    for second in compiled.seconds:
        if not any(mark in second.tail for mark in ".!?"):
            raise ValueError(f"a couplet's second line must end a sentence: {second.source!r}")
    for one in compiled.firsts:
        if not any(rhymable(one, two) for two in compiled.seconds):
            raise ValueError(f"no second line can rhyme with {one.source!r}")
    for two in compiled.seconds:
        if not any(rhymable(one, two) for one in compiled.firsts):
            raise ValueError(f"no first line can rhyme with {two.source!r}")
    return compiled


def stanza(*positions: Move | Sequence[Move]) -> Stanza:
    """A stanza: one position per couplet, each a move or a list of alternative moves."""
    if not positions:
        raise ValueError("a stanza needs at least one couplet")
    return tuple((p,) if isinstance(p, Move) else tuple(p) for p in positions)


def template(source: str, slots: frozenset[str]) -> tuple[Part, ...]:
    """A free template (a title, a recap): slots and choices, no rhyme."""
    parts = _parse(source, source, slots)
    return parts


def rhymable(one: Line, two: Line) -> bool:
    """The two lines can end on two different words of one group (and close each other's
    quotes)."""
    if one.quotes + two.quotes != 0:
        return False
    for group in one.groups & two.groups:
        mine, theirs = _words_in(one, group), _words_in(two, group)
        if any(a != b for a in mine for b in theirs):
            return True
    return False


@cache
def _words_in(line: Line, group: str) -> frozenset[str]:
    if line.word is not None:
        return frozenset({line.word})
    if line.kind is not None:
        return frozenset(ending.word for ending in ENDINGS[line.kind].get(group, ()))
    return frozenset(word for _, word, g in line.inline if g == group)


def _parse(text: str, source: str, slots: frozenset[str] = SLOTS) -> tuple[Part, ...]:
    stack: list[list[list[Part]]] = [[[]]]  # nested choices: options, each a list of parts
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            stack[-1][-1].append(text[position : match.start()])
        position = match.end()
        mark = match.group(0)
        if match.group(1):
            name = match.group(1)
            if name not in slots:
                raise ValueError(f"verse has an unknown slot {{{name}}}: {source!r}")
            stack[-1][-1].append(Slot(name))
        elif match.group(2) is not None:
            options = match.group(2).split("|")
            if len(options) == 2:
                options = [options[0], options[1], options[1]]
            if len(options) != FORMS:
                raise ValueError(f"[agreement] needs 2 or 3 options: {mark!r} in {source!r}")
            stack[-1][-1].append(Agree((options[0], options[1], options[2])))
        elif mark == "(":
            stack.append([[]])
        elif mark == "|":
            if len(stack) == 1:
                raise ValueError(f"'|' outside a (choice): {source!r}")
            stack[-1].append([])
        elif mark == ")":
            if len(stack) == 1:
                raise ValueError(f"unopened ')' in {source!r}")
            choices = stack.pop()
            stack[-1][-1].append(Alt(tuple(tuple(choice) for choice in choices)))
        else:  # pragma: no cover - the pattern matches nothing else
            raise ValueError(f"unexpected {mark!r} in {source!r}")
    if len(stack) != 1:
        raise ValueError(f"unclosed '(' in {source!r}")
    if position < len(text):
        stack[0][0].append(text[position:])
    if any(ch in "{}[]" for part in stack[0][0] if isinstance(part, str) for ch in part):
        raise ValueError(f"verse has a stray bracket: {source!r}")
    return tuple(stack[0][0])


SlotValue = str | tuple[str, ...]


def fill(
    parts: Sequence[Part], slots: Mapping[str, SlotValue], form: int, rng: random.Random
) -> str:
    """The parts with every slot, choice and agreement filled."""
    out: list[str] = []
    _fill(parts, slots, form, rng, out)
    return "".join(out)


def _fill(
    parts: Sequence[Part],
    slots: Mapping[str, SlotValue],
    form: int,
    rng: random.Random,
    out: list[str],
) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Slot):
            value = slots[part.name]
            out.append(value if isinstance(value, str) else rng.choice(value))
        elif isinstance(part, Alt):
            _fill(rng.choice(part.options), slots, form, rng, out)
        else:
            out.append(part.options[form])


def tidy(text: str) -> str:
    """Spaces, "a"/"an", and a capital at the start of the line (inside an opening quote)."""
    text = _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", text)).strip()
    text = _A_AN.sub(_article, text)
    for index, ch in enumerate(text):
        if ch.isalpha():
            return text[:index] + ch.upper() + text[index + 1 :]
        if ch not in "“‘\"'(":
            break
    return text


def _article(match: re.Match[str]) -> str:
    article, word = match.group(1), match.group(2)
    vowel = (word[0] in "aeiouAEIOU" and not _CONSONANT_SOUND.match(word)) or bool(
        _VOWEL_SOUND.match(word)
    )
    right = "an" if vowel else "a"
    if article[0].isupper():
        right = right.capitalize()
    return f"{right} {word}"
