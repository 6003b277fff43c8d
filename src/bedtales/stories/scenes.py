"""Reading a scene: the free text a parent wrote, taken apart into what a story can use.

"a bakery after closing time where the dough will not stop rising" is a bakery (the place,
indoors), at night (after closing time), with dough in it that will not stop rising. The
builtin writer weaves those parts into its lines; the message and the picture's alt text
use :meth:`SceneParts.phrase` to say where the story is set ("at a picnic by a bubbling
river", "on a snowy mountain where the wind hums softly").

How it reads, without a language model (a new scene is read in well under a millisecond):
the text is cut into noun phrases at determiners, prepositions, verbs and punctuation, and
each phrase is looked up by its last words in small curated tables (:mod:`.scene_words`).

- The place is the first phrase whose noun is a place ("snowy mountain", "bakery", "pirate
  ship"); a weak place ("snow", "clouds", "stars") only when there is no other.
- A trip ("a rocket trip", "a hot-air balloon ride", "a train journey") happens in its
  vehicle: the vehicle is the place ("rocket", "in"); with no vehicle the place is where
  it goes ("a trip to the moon": the moon), else what it crosses ("a walk through the
  woods").
- The setting is the place's. Buildings, gatherings and small craft (a cottage, a bakery, a
  picnic, a train, a boat) defer to their surroundings when the scene names some ("a cosy
  cottage on a snowy hill" is a snow story, still indoors; "a boat on the river" a river
  one); under the sea is always underwater.
- The wonder is the clause after "where", "that", "who", "which" or "when"; a clause with
  no subject of its own gets one from the phrase it is about, matched by number ("a
  lighthouse by the sea that guides the little boats home": the lighthouse guides …).
- The activity is the -ing phrase ("building a snowman", "sailing the seas"), up to the
  place or a time ("at dusk").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Literal, NamedTuple, cast

from bedtales.stories import scene_words as lex

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

FALLBACK_SCENE = "a land of gentle dreams"


@dataclass(frozen=True)
class Noun:
    """A noun phrase without its determiner: "snowy mountain", "rock pools", "dough"."""

    words: str
    plural: bool = False
    mass: bool = False  # "dough", "sand", "snow": no "a"
    proper: bool = False  # "Mars", "Paris", "Grandma's house": no article at all
    unique: bool = False  # "countryside", "Enchanted Forest": always "the", never "a"

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
        """ "a snowy mountain", "an old oak tree", "some rock pools", "some dough", "Mars",
        "the countryside"."""
        if self.proper:
            return self.words
        if self.unique:
            return self.the
        if self.plural or self.mass:
            return f"some {self.words}"
        return f"{'an' if _starts_with_vowel_sound(self.words) else 'a'} {self.words}"

    @property
    def was(self) -> str:
        return "were" if self.plural else "was"

    @property
    def is_(self) -> str:
        """ "is" or "are": "the rock pools are", "the dough is"."""
        return "are" if self.plural else "is"


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
    # what goes before the text in phrase(): "at", "on the way", "with", "in a world of"
    frame: str = "in"

    @property
    def where(self) -> str | None:
        """The place after its preposition: "on the snowy mountain", "in Paris"."""
        return f"{self.preposition} {self.place.the}" if self.place else None

    def phrase(self) -> str:
        """Where the story is set, to follow "A story about Milo and Luna …" or "A picture of
        Milo and Luna …": "at a picnic by a bubbling river", "on a snowy mountain where the
        wind hums softly", "building a snowman in the first snow of winter", "with farm
        animals". The scene's own words, with only the frame chosen."""
        return f"{self.frame} {self.text}" if self.frame else self.text


def _starts_with_vowel_sound(words: str) -> bool:
    first = words.lstrip().lower()
    if first.startswith(lex.SILENT_H):
        return True
    return first[:1] in "aeiou" and not first.startswith(lex.YOU_SOUND)


# ----------------------------------------------------------------------------- tidying

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = ".,;:!?… "
_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“"}
_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
_TOKEN = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?|[^\w\s]")
_TAG = re.compile(r"<[^<>]{0,80}>")
_QUOTES = frozenset("\"'“”‘’«»„`*_~")


def tidy(scene: str) -> str:
    """One line, no stray quotes or end punctuation, common words in lower case (a capital
    that only opens the scene, a scene in capitals or Title Case); names keep theirs."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", scene)).strip().rstrip(_END_PUNCTUATION)
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip().rstrip(_END_PUNCTUATION)
    if not text:
        return FALLBACK_SCENE
    return lex.PROPER_NAMES.sub(lambda m: lex.proper_display(m.group(0)), _recase(text))


def _recase(text: str) -> str:
    words = list(_WORD.finditer(text))
    if text.isupper() and sum(ch.isalpha() for ch in text) >= 4:
        return text.lower()  # names come back with PROPER_NAMES
    capital = [w.group(0)[:1].isupper() and w.group(0)[1:].islower() for w in words]
    title = len(words) >= 2 and all(capital) and any(lex.is_function(w.group(0)) for w in words)
    lowers = [
        capital[i]
        and w.group(0).lower() not in lex.FAMILY
        and (lex.is_known(w.group(0)) or (i == 0 and _opener(w.group(0).lower())))
        for i, w in enumerate(words)
    ]
    # a capital beside a name is part of the name: "the Enchanted Forest", "Milo's Garden"
    named = [capital[i] and not lowers[i] for i in range(len(words))]
    out, last = [], 0
    for i, w in enumerate(words):
        beside_name = (i > 0 and named[i - 1]) or (i + 1 < len(words) and named[i + 1])
        function = lex.is_function(w.group(0)) and (title or i == 0 or not beside_name)
        if w.group(0) != "I" and lowers[i] and (function or not beside_name):
            out.append(text[last : w.start()] + w.group(0).lower())
            last = w.end()
    return "".join(out) + text[last:]


def _opener(low: str) -> bool:
    return len(low) > 4 and low.endswith(("ing", "ed"))


def shape_of(text: str) -> SceneShape:
    first = text.partition(" ")[0].lower()
    if first in lex.WHERE:
        return "where"
    if first in lex.WHERETO:
        return "whereto"
    if _opener(first) and first.endswith("ing") and first not in lex.ING_NOUNS:
        return "doing"
    return "what" if first in lex.DETERMINERS else "topic"


# ----------------------------------------------------------------------------- reading


@lru_cache(maxsize=512)
def read_scene(scene: str) -> SceneParts:
    """Take a scene apart. Never raises: odd text still gives usable parts."""
    text = tidy(scene)
    return _Reading(text, shape_of(text)).parts()


class _Token(NamedTuple):
    text: str
    low: str  # lower case, "&" as "and", curly apostrophes straight
    start: int
    end: int
    word: bool


class _Phrase(NamedTuple):
    """A noun phrase as found: its words' token indexes and the preposition before it."""

    tokens: tuple[int, ...]
    role: str | None  # "in", "of", "to"…; None at the start or after a verb
    at: int  # the token that opens it: its preposition, else its first word
    clause: bool  # in the wonder clause
    determined: bool  # came after "a", "the", "my"…: "the king's castle" is no name


class _Found(NamedTuple):
    phrase: _Phrase
    noun: Noun
    kind: str  # place, weak (a place only if there is no other), trip, time, weather,
    # abstract, thing
    entry: lex.Place | None


def _tokens(text: str) -> list[_Token]:
    """The words and marks of a scene; past the first hundred or so, a scene is no longer
    one a family wrote, and reading them all would only cost time."""
    tokens = []
    for m in islice(_TOKEN.finditer(text), _TOKENS_MAX):
        raw = m.group(0)
        if raw in _QUOTES:
            continue
        low = "and" if raw == "&" else raw.lower().replace("’", "'")
        tokens.append(_Token(raw, low, m.start(), m.end(), raw == "&" or raw[0].isalnum()))
    return tokens


class _Chunker:
    """Cuts tokens into noun phrases. Stops at a relative word ("where", "that"…) or, in a
    scene that is a sentence ("the moon is made of cheese"), at its verb."""

    def __init__(self, tokens: list[_Token], start: int, *, clause: bool) -> None:
        self.tokens = tokens
        self.clause = clause
        self.phrases: list[_Phrase] = []
        self.ings: list[int] = []  # where -ing doings start: "sailing", "building"
        self.stop: int | None = None  # the relative word, or the verb of a sentence
        self.sentence = False
        self._cur: list[int] = []
        self._role: str | None = None
        self._at = start
        self._open = False  # after a determiner or an adjective: a noun is still to come
        self._determined = False
        for i in range(start, len(tokens)):
            if self._step(i):
                break
        self._close()

    def _close(self, *, forget_role: bool = False) -> None:
        words = self._cur
        while words and self.tokens[words[-1]].low in _NOT_LAST:
            words = words[:-1]
        if words:
            at = min(self._at, words[0])
            self.phrases.append(
                _Phrase(tuple(words), self._role, at, self.clause, self._determined)
            )
        self._cur, self._open, self._determined = [], False, False
        if forget_role:
            self._role, self._at = None, len(self.tokens)

    def _step(self, i: int) -> bool:
        tok = self.tokens[i]
        low = tok.low
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        last = self.tokens[self._cur[-1]].low if self._cur else None
        if not tok.word:
            self._close(forget_role=True)
        elif not self.clause and self._relative(i):
            self._close()
            self.stop = i
            return True
        elif (low in lex.DETERMINERS or low.isdigit()) and not self._in_name(i, nxt):
            if self._cur and not self._open:
                self._close()
            self._open = self._determined = True
            if self._at >= len(self.tokens):
                self._at = i
        elif low in lex.PREPOSITIONS:
            self._close()
            self._role, self._at = low, i
        elif low in lex.CONJUNCTIONS:
            if self._cur and self._open:  # "a big and friendly dragon"
                self._cur.append(i)
            else:
                self._close()
        elif low in lex.AUXILIARIES:
            if not self.clause and self._role is None and len(self.phrases) + bool(self._cur) == 1:
                self.sentence, self.stop = True, i
                return True
            self._close(forget_role=True)
        elif low in lex.PRONOUNS or low in lex.RELATIVES:
            self._close(forget_role=True)
        elif (low in lex.ADVERBS and not self._open) or (low == "home" and self._homeward(i)):
            self._close()
        elif self._doing(i, last, nxt):
            self._close(forget_role=True)
            self.ings.append(i)
        elif self._verb(i, low, last):
            self._close(forget_role=True)
        else:
            self._word(i, low, last, nxt)
        return False

    def _word(self, i: int, low: str, last: str | None, nxt: _Token | None) -> None:
        if last is not None and not self._open and lex.is_adjective(low):
            self._close()  # "a garden full of", "a dragon lost in the woods"
        if not self._cur and self._at >= len(self.tokens):
            self._at = i
        self._cur.append(i)
        # "Luna's secret den": a possessive, like an adjective, still waits for its noun
        self._open = (
            lex.is_adjective(low)
            or low.endswith("'s")
            or (low in lex.ADVERBS and not lex.is_noun(low))
        )
        plural_noun = lex.is_plural(low) and (self.clause or lex.is_noun(low))
        if plural_noun and not (nxt and lex.is_noun(nxt.low)):
            self._close()  # "the trees murmur": a plural noun ends its phrase

    def _homeward(self, i: int) -> bool:
        """ "guides the boats home", "have gone home"; but "at home", "a cosy home"."""
        if self._open or i == 0 or not self.tokens[i - 1].word:
            return False
        return bool(self._cur) or self._role is None

    def _in_name(self, i: int, nxt: _Token | None) -> bool:
        """ "the Hundred Acre Wood": a capital number word inside a name is no determiner."""
        tok = self.tokens[i]
        return (
            i > 0
            and tok.text[:1].isupper()
            and tok.low not in ("a", "an", "the")
            and nxt is not None
            and nxt.text[:1].isupper()
            and not lex.is_known(nxt.text)
        )

    def _relative(self, i: int) -> bool:
        low = self.tokens[i].low
        if low not in lex.RELATIVES:
            return False
        if low != "that":
            return True
        before = self.tokens[i - 1] if i > 0 else None  # "that old barn" is no clause
        return before is not None and before.word and before.low not in _NOT_BEFORE_THAT

    def _doing(self, i: int, last: str | None, nxt: _Token | None) -> bool:
        low = self.tokens[i].low
        if self._open or not low.endswith("ing") or not _opener(low) or low in lex.ING_NOUNS:
            return False
        if last is not None:  # "a little boat drifting on …"
            return lex.is_noun(last) or nxt is None or not lex.is_nounish(nxt.low)
        if nxt is None or not nxt.word or nxt.low in _NOT_IN_PHRASE:
            return True  # "building a snowman", "dancing in the rain"
        if {f"{low} {nxt.low}", f"{low} {lex.singular(nxt.low)}"} & lex.COMPOUNDS:
            return False  # "after closing time", "in sleeping bags"
        if self._role in _GERUND_AFTER:
            return True  # "after playing football"
        return self._role is None or not lex.is_nounish(nxt.low)  # "with dancing fairies"

    def _verb(self, i: int, low: str, last: str | None) -> bool:
        if self._open or (lex.is_nounish(low) and low not in lex.VERB_FORMS):
            return False
        participle = _opener(low) and low.endswith("ed") and not lex.is_adjective(low)
        if last is not None:  # after a noun: "a dragon lives in a cave", "clouds ruled by"
            in_clause = self.clause or not lex.is_noun(low)
            return (low in lex.VERB_FORMS and in_clause) or participle
        if self._role == "to" and low in lex.VERB_FORMS:
            return True  # "to visit the moon"
        if i == 0 or not self.tokens[i - 1].word or lex.is_nounish(low):
            return False
        # after a phrase or a helping verb: "that guides the boats", "have gone home"; in a
        # clause, the word after its subject ("the clowns juggle stars")
        after_subject = self.clause and self._role is None and not lex.is_known(low)
        return low in lex.VERB_FORMS or participle or after_subject


_NOT_LAST = lex.CONJUNCTIONS | lex.ADVERBS | lex.DETERMINERS
_GERUND_AFTER = ("after", "before", "by", "for", "from", "without", "about", "like")
_NOT_IN_PHRASE = lex.DETERMINERS | lex.PREPOSITIONS | lex.CONJUNCTIONS | lex.ADVERBS
_NOT_BEFORE_THAT = (
    lex.PREPOSITIONS | lex.DETERMINERS | lex.CONJUNCTIONS | lex.VERB_FORMS | lex.AUXILIARIES
)


def _kind(lows: list[str]) -> tuple[str | None, lex.Place | None]:
    """What a phrase names, by its last one to three words: "pirate ship", "closing time"."""
    if all(lex.is_adjective(w) or w in lex.ADVERBS or w == "and" for w in lows):
        return None, None
    head = lows[-1]
    base = lex.singular(head)
    for n in (3, 2, 1):
        if len(lows) < n:
            continue
        for key in {" ".join(lows[-n:]), " ".join([*lows[-n:-1], base])}:
            if key in lex.TIMES:
                return "time", None
            if key in lex.PLACES:
                entry = lex.PLACES[key]
                return ("weak" if entry.weak else "place"), entry
            if key in lex.NAMED_PLACES:
                return "place", lex.NAMED_PLACES[key][1]
    if head in lex.TRIPS or base in lex.TRIPS:
        return "trip", None
    if head in lex.WEATHER_NOUNS or base in lex.WEATHER_NOUNS:
        return "weather", None
    if head in lex.ABSTRACT or base in lex.ABSTRACT or head in lex.PRONOUNS:
        return "abstract", None
    return "thing", None


def _noun(tokens: list[_Token], entry: lex.Place | None, *, determined: bool) -> Noun:
    lows = [t.low for t in tokens]
    words = [lex.PROPER_DISPLAY.get(t.low, "and" if t.low == "and" else t.text) for t in tokens]
    head = lows[-1]
    named = lex.NAMED_PLACES.get(" ".join(lows))
    if named:
        return Noun(
            named[0], plural=named[1].plural, proper=not named[1].unique, unique=named[1].unique
        )
    capital = any(w[:1].isupper() for w in words)
    possessive = lows[0].endswith("'s") and not determined
    # "Narnia", "Grandma", "Grandma's house"; but "the Enchanted Forest" takes "the"
    proper = possessive or (capital and (len(words) == 1 or not lex.is_known(head)))
    unique = not proper and (capital or bool(entry and entry.unique))
    plural = not proper and (lex.is_plural(head) or bool(entry and entry.plural))
    mass = not plural and (
        head in lex.MASS or lex.singular(head) in lex.MASS or bool(entry and entry.mass)
    )
    return Noun(" ".join(words), plural=plural, mass=mass, proper=proper, unique=unique)


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + words.replace(" ", "|").replace("_", r"\s+") + r")\b")


# (pattern, what it means, whether it says so outright); "under the stars" only hints night
_TIMES: tuple[tuple[re.Pattern[str], Time, bool], ...] = (
    (
        _pattern(
            "nights? night-?time nightfall midnight tonight overnight moonlit moonlight "
            "starlit starlight starry bedtime closing_time after_dark christmas_eve"
        ),
        "night",
        True,
    ),
    (_pattern("twilight dusk gloaming"), "dusk", True),
    (_pattern("sunset sundown setting_sun"), "sunset", True),
    (_pattern("evenings? teatime"), "evening", True),
    (_pattern("mornings? dawn sunrise daybreak breakfast"), "morning", True),
    (_pattern("days? daytime daylight afternoon midday noon lunchtime"), "day", True),
    (re.compile(r"\b(?:under|beneath|below)\s+(?:\w+\s+){0,4}?(?:stars|moon)\b"), "night", False),
)
_NOT_THEN = re.compile(r"\b(?:for|till|until|by)\s+(?:the\s+)?$")  # "baked for the morning"
_SEASONS: tuple[tuple[re.Pattern[str], Season], ...] = (
    (_pattern(r"winter\w* wintry christmas snowm[ae]n yuletide sledging sledding"), "winter"),
    (_pattern("spring springtime easter blossoms?"), "spring"),
    (_pattern(r"summer\w* midsummer"), "summer"),
    (_pattern(r"autumn\w* halloween harvest"), "autumn"),
)
_WEATHER: tuple[tuple[re.Pattern[str], Weather], ...] = (
    (_pattern("snow snows snowy snowing snowfall snowflakes? snowstorm blizzard"), "snow"),
    (
        _pattern(
            r"rain rains rainy raining rained raindrops? rainstorm drizzl\w* showers "
            r"storms? stormy thunder\w* puddles?"
        ),
        "rain",
    ),
    (_pattern("winds? windy breezes? breezy gusts? gusty gales?"), "wind"),
    (_pattern("sun sunny sunshine sunlit sunlight sunbeams?"), "sun"),
    (_pattern("fog foggy mist misty haze hazy"), "fog"),
    (_pattern("cloudy overcast grey_clouds gray_clouds rain_clouds storm_clouds"), "clouds"),
)
_UNDERWATER = re.compile(
    r"\b(?:underwater|undersea|seabed|sea\s+bed|ocean\s+floor)\b"
    r"|\b(?:under|beneath|below)\s+(?:the\s+)?(?:\w+\s+)?(?:sea|ocean|waves|water)\b"
)
_TOKENS_MAX = 120
_PHRASES_MAX = 24
_PLACES = ("place", "weak")
_THING_WORDS_MAX = 4
# "looking for a place to sleep": a place only wished for is not where the story is
_NOT_THERE = ("for", "like", "about", "without")
# "at the bottom of the garden", "in the middle of the forest"
_AT_PARTS = ("bottom", "top", "edge", "end", "foot", "side", "back", "front")
_ONE = ("is", "was", "has", "does")
_MANY = ("are", "were", "have", "do")


class _Reading:
    """One scene being read; :meth:`parts` gives what was found."""

    def __init__(self, text: str, shape: SceneShape) -> None:
        self.text, self.shape = text, shape
        self.parse = _TAG.sub(" ", text)  # "a <b>castle</b>" reads as "a castle"
        self.low = self.parse.lower()
        self.tokens = _tokens(self.parse)
        self.main = _Chunker(self.tokens, 0, clause=False)
        stop = self.main.stop
        self.clause: _Chunker | None = None
        if stop is not None:
            start = 0 if self.main.sentence else stop + 1
            self.clause = _Chunker(self.tokens, start, clause=True)
        phrases = ([] if self.main.sentence else self.main.phrases) + (
            self.clause.phrases if self.clause else []
        )
        found = [self._found(p) for p in phrases[:_PHRASES_MAX]]
        self.found: list[_Found] = [f for f in found if f is not None]
        self.lead = next((f for f in self.found if not f.phrase.clause), None)
        if self.main.sentence:
            self.lead = self.found[0] if self.found else None

    def _found(self, phrase: _Phrase) -> _Found | None:
        tokens = [self.tokens[i] for i in phrase.tokens]
        kind, entry = _kind([t.low for t in tokens])
        if kind is None:
            return None
        return _Found(phrase, _noun(tokens, entry, determined=phrase.determined), kind, entry)

    def parts(self) -> SceneParts:
        place, entry, found = self._place()
        weather = self._weather()
        setting = self._setting(entry, found, place)
        if setting == "default" and weather == "snow":
            setting = "snow"  # "a world where it always snows"
        season = next((s for p, s in _SEASONS if p.search(self.low)), None)
        if season is None and weather == "snow" and setting != "mountains":
            season = "winter"
        return SceneParts(
            text=self.text,
            shape=self.shape,
            setting=setting,
            indoors=bool(place and entry and entry.indoors),
            place=place,
            preposition=self._preposition(entry, found),
            time=self._time(),
            season=season,
            weather=weather,
            things=self._things(place, found),
            wonder=self._wonder(place, found),
            activity=self._activity(found),
            frame=self._frame(),
        )

    # ------------------------------------------------------------------------- place

    def _place(self) -> tuple[Noun | None, lex.Place | None, _Found | None]:
        main = [f for f in self.found if self.main.sentence or not f.phrase.clause]
        lead = self.lead
        if lead is not None and lead.kind == "trip" and not self.main.sentence:
            return self._trip(lead, main)
        for kind in _PLACES:
            for f in main:
                if f.kind == kind and f.phrase.role not in _NOT_THERE:
                    return f.noun, f.entry, f
        if lead is not None and lead.noun.proper and self.shape in ("where", "whereto"):
            return lead.noun, None, lead  # "in Narnia"
        return None, None, None

    def _trip(
        self, lead: _Found, main: list[_Found]
    ) -> tuple[Noun | None, lex.Place | None, _Found | None]:
        """A trip happens in its vehicle ("a rocket trip"); with none, at where it goes ("a
        trip to the moon"), else on what it crosses ("a walk through the woods")."""
        tokens = [self.tokens[i] for i in lead.phrase.tokens[:-1]]
        if tokens:
            kind, entry = _kind([t.low for t in tokens])
            if kind in ("place", "weak"):
                return _noun(tokens, entry, determined=lead.phrase.determined), entry, None
        places = [f for f in main[1:] if f.kind in _PLACES and f.phrase.role not in _NOT_THERE]
        to = [f for f in places if f.phrase.role in lex.WHERETO]
        for f in to or places:
            return f.noun, f.entry, f
        return None, None, None

    def _preposition(self, entry: lex.Place | None, found: _Found | None) -> str:
        if found is not None and found is self.lead and self.shape == "where":
            role = found.phrase.role
            if role in lex.WHERE:
                return role  # "under the sea", "near the castle"
        return entry.preposition if entry else "in"

    def _setting(
        self, entry: lex.Place | None, found: _Found | None, place: Noun | None
    ) -> Setting:
        if _UNDERWATER.search(self.low):
            return "underwater"
        if entry is not None and place is not None and not entry.defers and not entry.weak:
            return _snowy(entry.setting, place)
        for f in self.found:  # a cottage on a snowy hill, a picnic by a river
            if f is not found and f.entry and not f.entry.defers and not f.entry.weak:
                return _snowy(f.entry.setting, f.noun)
        return self._hinted() or _as_setting(entry.setting if entry else "default")

    def _hinted(self) -> Setting | None:
        """The setting the scene's words lean to ("dinosaurs", "farm animals"), if any."""
        scores: dict[str, float] = {}
        for t in self.tokens:
            for low in {t.low, lex.singular(t.low)}:
                entry = lex.PLACES.get(low)
                if entry is not None and not entry.weak and not entry.defers:
                    scores[entry.setting] = scores.get(entry.setting, 0) + 1
                elif low in lex.HINTS:
                    scores[lex.HINTS[low]] = scores.get(lex.HINTS[low], 0) + 0.5
        if not scores:
            return None
        return _as_setting(max(scores, key=lambda s: scores[s]))  # ties: the first named

    # ------------------------------------------------------------------- time, weather

    def _time(self) -> Time | None:
        best: tuple[bool, int, Time] | None = None
        for pattern, time, outright in _TIMES:
            for m in pattern.finditer(self.low):
                if _NOT_THEN.search(self.low, 0, m.start()):
                    continue
                candidate = (not outright, m.start(), time)
                if best is None or candidate < best:
                    best = candidate
        return best[2] if best else None

    def _weather(self) -> Weather | None:
        """What the weather does ("where the wind hums softly") before how the place looks
        ("a snowy mountain")."""
        clause_at = self._clause_char()
        best: tuple[bool, int, Weather] | None = None
        for pattern, weather in _WEATHER:
            for m in pattern.finditer(self.low):
                candidate = (m.start() < clause_at, m.start(), weather)
                if best is None or candidate < best:
                    best = candidate
        return best[2] if best else None

    def _clause_char(self) -> int:
        stop = self.main.stop
        if stop is None or self.main.sentence:
            return len(self.low)
        return self.tokens[stop].start

    # -------------------------------------------------------------- things, clauses

    def _things(self, place: Noun | None, found: _Found | None) -> tuple[Noun, ...]:
        seen = {place.words.lower()} if place else set()
        heads = {lex.singular(place.head.lower())} if place else set()
        things: list[Noun] = []
        for f in self.found:
            if f is found or f.kind not in ("thing", "place", "weak"):
                continue
            if f.phrase.clause and not lex.is_noun(f.noun.head.lower()):
                continue  # "a dragon who lost its roar": the roar is no thing to meet
            if len(f.phrase.tokens) > _THING_WORDS_MAX:
                continue  # a run of words not known here, not a thing to name
            key = f.noun.words.lower()
            if key in seen or lex.singular(f.noun.head.lower()) in heads:
                continue
            seen.add(key)
            things.append(f.noun)
        return tuple(things[:5])

    def _wonder(self, place: Noun | None, found: _Found | None) -> str | None:
        if self.clause is None:
            return None
        if self.main.sentence:
            return _present(_SPACES.sub(" ", self.parse).strip())
        stop = self.main.stop
        if stop is None:
            return None
        rest = [t for t in self.tokens[stop + 1 :] if t.word]
        if not rest:
            return None
        clause = _SPACES.sub(" ", self.parse[rest[0].start :]).strip(" ,;:-")
        relative = self.tokens[stop].low
        first = next((t for t in rest if t.low not in lex.ADVERBS), rest[0])
        has_subject = (
            first.low in lex.DETERMINERS
            or first.low in lex.PRONOUNS
            or first.text[:1].isupper()
            or first.low.endswith("'s")
        )
        if relative in ("that", "who", "which", "whose") and not has_subject:
            subject = self._antecedent(first.low, place, found)
            if subject is not None:
                owner = "'s" if relative == "whose" else ""
                clause = f"{subject.the}{owner} {clause}"
        return _present(clause)

    def _antecedent(self, verb: str, place: Noun | None, found: _Found | None) -> Noun | None:
        """What "that guides the little boats home" is about: the nearest thing before it that
        agrees with the verb, else the place ("a lighthouse by the sea that guides …")."""
        before = [f for f in self.found if not f.phrase.clause]
        things = [f.noun for f in reversed(before) if f.kind == "thing"]
        places = [f.noun for f in reversed(before) if f.kind in _PLACES and f is not found]
        candidates = things + ([place] if place else []) + places
        plural: bool | None = None
        if verb in _ONE or (
            verb in lex.VERB_FORMS and verb.endswith("s") and verb not in lex.VERBS
        ):
            plural = False
        elif verb in _MANY or verb in lex.VERBS:
            plural = True
        agreeing = [n for n in candidates if plural is None or n.plural == plural]
        pool = agreeing or candidates
        return pool[0] if pool else None

    def _activity(self, found: _Found | None) -> str | None:
        if not self.main.ings or self.main.sentence:
            return None
        start = self.main.ings[0]
        stops = [len(self.tokens)]
        if self.main.stop is not None:
            stops.append(self.main.stop)
        stops += [j for j in range(start + 1, len(self.tokens)) if not self.tokens[j].word]
        for f in self.found:
            role = f.phrase.role
            if f.phrase.clause or f.phrase.at <= start:
                continue
            if (f is found and role in lex.WHERE and role not in lex.DIRECTIONS) or (
                f.kind == "time"
            ):
                stops.append(f.phrase.at)
        end = min(stops)
        text = self.parse[self.tokens[start].start : self.tokens[end - 1].end]
        return _SPACES.sub(" ", text).strip() or None

    # ------------------------------------------------------------------------- frame

    def _frame(self) -> str:
        """What goes before the scene to say where a story is set."""
        if self.shape in ("where", "doing"):
            return ""  # "on a pirate ship …", "building a snowman …"
        if self.shape == "whereto":
            return "on the way"  # "on the way to the moon"
        if self.main.sentence:
            return "where"  # "where the moon is made of cheese"
        if self.tokens and self.tokens[0].low in lex.PREPOSITIONS:
            return ""  # "after playing football", "with a dragon"
        lead = self.lead
        if lead is None:
            first = self.tokens[0].low if self.tokens else ""
            return "" if first in ("where", "when") else "in a world of"
        if self.shape == "what":
            if lead.kind in ("place", "weak") and lead.entry:
                return lead.entry.preposition  # "at a picnic", "on a sleepy farm"
            if lead.kind == "abstract" and lead.noun.head in _AT_PARTS:
                return "at"
            frames = {"trip": "on", "time": "on", "weather": "in", "abstract": "in"}
            return frames.get(lead.kind, "with")
        return self._topic_frame(lead)

    def _topic_frame(self, lead: _Found) -> str:
        """A scene without an article: "Paris at night", "farm animals", "space"."""
        noun = lead.noun
        a = "an" if _starts_with_vowel_sound(self.text) else "a"
        if lead.kind in ("place", "weak"):
            if noun.words == "home":
                return "at"  # "at home"
            preposition = lead.entry.preposition if lead.entry else "in"
            if noun.proper or (lead.entry and lead.entry.bare):
                return preposition  # "in Paris at night", "in space"
            the = noun.unique or noun.plural or noun.mass
            return f"{preposition} {'the' if the else a}"  # "in the snow", "at a party"
        if lead.kind == "trip":
            return "on" if noun.plural else f"on {a}"  # "on a space adventure"
        if lead.kind == "time":
            key = " ".join(self.tokens[i].low for i in lead.phrase.tokens)
            return lex.TIMES[key][2] if key in lex.TIMES else f"on {a}"  # "at Christmas"
        if lead.kind == "weather":
            return "in the"  # "in the rain"
        if noun.proper:
            return "with" if lex.is_known(noun.head) else "in"  # "with Grandma", "in Narnia"
        if lead.kind == "thing" and (noun.plural or noun.mass):
            return "with"  # "with farm animals"
        if lead.kind == "thing" and lex.is_noun(noun.head.lower()):
            return f"with {a}"  # "with a unicorn"
        return "in a world of"  # "in a world of kindness"


def _as_setting(name: str) -> Setting:
    return cast(Setting, name) if name in SETTINGS else "default"


def _snowy(setting: str, noun: Noun) -> Setting:
    """ "a snowy hill" is a snow story; "a snowy mountain" stays in the mountains."""
    if setting in ("garden", "default") and any(w in lex.SNOWY for w in noun.words.split()):
        return "snow"
    return _as_setting(setting)


def _present(clause: str) -> str:
    return re.sub(r"\bwere\b", "are", re.sub(r"\bwas\b", "is", clause))
