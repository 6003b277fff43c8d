"""The words :mod:`bedtales.stories.scenes` knows: places, times, weather, things, verbs.

Curated, not complete: a scene with words missing here still reads (an unknown word is taken
for part of a noun phrase), these only make the reading better. Each table is written once
as plain words and built into sets and dictionaries at import.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple


def _set(words: str) -> frozenset[str]:
    return frozenset(words.replace("_", " ").split())


class Place(NamedTuple):
    setting: str
    preposition: str  # "in the forest", "on the beach", "at the picnic", "by the river"
    indoors: bool = False
    defers: bool = False  # the setting comes from the surroundings when the scene has some
    unique: bool = False  # "the countryside": never "a countryside"
    bare: bool = False  # "space", "home": no article at all
    weak: bool = False  # "snow", "clouds", "stars": the place only when there is no other
    mass: bool = False
    vehicle: bool = False
    plural: bool = False


# setting: "preposition: word/flags …"; flags: i indoors, d defers, u unique, b bare, w weak,
# m mass, v vehicle, p plural; "_" joins words ("pirate_ship")
_PLACES = {
    "forest": "in: forest woods/p wood woodland grove glade thicket copse wildwood treetops/p "
    "treehouse/id tree_house/id",
    "sea": "by: sea ocean sea_shore at: seaside/u on: beach shore coast island pier jetty "
    "at: lighthouse harbour harbor port in: bay cove lagoon "
    "in: boat/vd sailboat/vd rowboat/vd rowing_boat/vd dinghy/vd "
    "on: ship/v pirate_ship/v yacht/v ferry/v raft/vd",
    "underwater": "on: seabed/u sea_bed/u reef coral_reef ocean_floor/u in: submarine/v "
    "mermaid_kingdom",
    "river": "by: river stream brook pond lake canal waterfall creek lily_pond millpond "
    "on: riverbank river_bank in: canoe/v kayak/v",
    "castle": "in: castle palace kingdom fortress fort tower throne_room/i ballroom/i",
    "space": "in: space/bu outer_space/bu galaxy universe/u rocket/v spaceship/v "
    "spacecraft/v space_shuttle/v on: moon planet comet asteroid space_station moon_base "
    "under: stars/pw",
    "sky": "in: sky/uw clouds/pw balloon/v hot-air_balloon/v hot_air_balloon/v "
    "helicopter/v on: cloud rainbow airship/v plane/v aeroplane/v airplane/v "
    "magic_carpet/v broomstick/v",
    "mountains": "on: mountain peak summit cliff volcano mountaintop mountain_top "
    "in: mountains/p valley cave canyon",
    "snow": "in: snow/mw arctic/u igloo/i winter_wonderland on: glacier iceberg ski_slope "
    "ice/mw at: ice_rink skating_rink on: sleigh/v sled/v sledge/v",
    "garden": "in: garden meadow field park orchard backyard yard greenhouse/i allotment "
    "hills/p on: hill lawn at: playground picnic/d",
    "town": "in: town city village square marketplace on: street road bridge rooftops/p "
    "rooftop at: station train_station market fair funfair fairground carnival circus zoo "
    "on: train/vd bus/vd tram/vd in: car/vd taxi/vd circus_tent big_top",
    "jungle": "in: jungle rainforest",
    "desert": "in: desert dunes/p at: oasis pyramids/p pyramid",
    "farm": "on: farm farmyard ranch tractor/v in: barn/i stable/i henhouse/i countryside/u",
    "home": "in: home/id house/id cottage/id bedroom/i room/i nursery/i kitchen/i "
    "bakery/id library/id shop/id toy_shop/id toyshop/id sweet_shop/id bookshop/id cafe/id "
    "café/id museum/id classroom/i attic/i cellar/i bed/i den/i playroom/i hotel/id "
    "cinema/id theatre/id theater/id workshop/id post_office/id school/d",
    "default": "in: world/d land/d dream/d dreamland/u fairyland/u wonderland/d place/dw "
    "tent/d "
    "at: party/d tea_party/d sleepover/d festival/d birthday_party/d concert/d "
    "feast/d parade/d",
}


def _places() -> dict[str, Place]:
    places: dict[str, Place] = {}
    for setting, spec in _PLACES.items():
        preposition = "in"
        for item in spec.split():
            if item.endswith(":"):
                preposition = item[:-1]
                continue
            word, _, flags = item.partition("/")
            places[word.replace("_", " ")] = Place(
                setting, preposition, *(flag in flags for flag in "idubwmvp")
            )
    return places


PLACES = _places()
# names that are places: display, setting, preposition, flags (u: "the Sahara", p: plural)
_NAMED = (
    "Paris:town:in London:town:in Rome:town:in Venice:town:in Tokyo:town:in "
    "New_York:town:in Mars:space:on Saturn:space:on Jupiter:space:on Venus:space:on "
    "Neptune:space:on Pluto:space:on Narnia:default:in Neverland:default:in "
    "Wonderland:default:in Atlantis:underwater:in Antarctica:snow:in Egypt:desert:in "
    "Africa:jungle:in Amazon:jungle:in/u Sahara:desert:in/u Arctic:snow:in/u "
    "North_Pole:snow:at/u South_Pole:snow:at/u Alps:mountains:in/up "
    "Himalayas:mountains:in/up Milky_Way:space:in/u"
)
NAMED_PLACES: dict[str, tuple[str, Place]] = {}
for _item in _NAMED.split():
    _name, _setting, _rest = _item.split(":")
    _preposition, _, _flags = _rest.partition("/")
    NAMED_PLACES[_name.replace("_", " ").lower()] = (
        _name.replace("_", " "),
        Place(_setting, _preposition, unique="u" in _flags, plural="p" in _flags),
    )
# other names that keep their capital wherever they are written
_NAMES = ("Christmas", "Christmas Eve", "Halloween", "Easter", "Santa", "Santa's")
PROPER_DISPLAY = {name.lower(): name for name in _NAMES} | {
    key: display for key, (display, _) in NAMED_PLACES.items()
}
PROPER_NAMES = re.compile(
    r"\b(?:"
    + "|".join(re.escape(k) for k in sorted(PROPER_DISPLAY, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def proper_display(name: str) -> str:
    return PROPER_DISPLAY.get(name.lower().replace("’", "'"), name)


# "a rocket trip", "a train journey": happens in its vehicle, on the way somewhere
TRIPS = _set(
    "trip trips ride rides journey journeys voyage voyages flight flights cruise adventure "
    "adventures expedition outing drive walk walks hike visit quest excursion tour holiday "
    "vacation"
)
# time words: time, season, and how a scene that is only about it is framed ("at night")
_TIMES = (
    "night:night:-:at nights:night:-:at midnight:night:-:at nighttime:night:-:at "
    "night-time:night:-:at bedtime:night:-:at evening:evening:-:in_the "
    "morning:morning:-:in_the afternoon:day:-:in_the day:day:-:on_a daytime:day:-:in_the "
    "dusk:dusk:-:at dawn:morning:-:at sunrise:morning:-:at daybreak:morning:-:at "
    "closing_time:night:-:at sunset:sunset:-:at sundown:sunset:-:at twilight:dusk:-:at "
    "christmas:-:winter:at "
    "christmas_eve:night:winter:on halloween:night:autumn:at easter:-:spring:at "
    "winter:-:winter:in spring:-:spring:in summer:-:summer:in autumn:-:autumn:in "
    "wintertime:-:winter:in summertime:-:summer:in springtime:-:spring:in"
)
TIMES: dict[str, tuple[str | None, str | None, str]] = {}
for _item in _TIMES.split():
    _word, _time, _season, _frame = _item.split(":")
    TIMES[_word.replace("_", " ")] = (
        None if _time == "-" else _time,
        None if _season == "-" else _season,
        _frame.replace("_", " "),
    )

WEATHER_NOUNS = _set(
    "rain rains raindrops drizzle shower showers storm storms thunderstorm snowstorm "
    "rainstorm blizzard thunder lightning wind winds breeze gale fog mist haze sunshine "
    "sunlight frost snowfall"
)
ABSTRACT = _set(
    "goodnight goodbye goodbyes hello hellos lullaby lullabies song songs tune tunes story "
    "stories tale tales dreams way ways time times fun love kindness friendship lot lots bit "
    "kind sort type thing things sleep rest peace quiet silence name names life end start "
    "beginning middle side top bottom front back edge inside outside magic wonder wonders "
    "closing_time while moment minute minutes hour hours"
)
PRONOUNS = _set(
    "i me you we us they them he him she her it everyone everybody someone somebody anyone "
    "anybody nobody everything something anything nothing who what"
)
DETERMINERS = _set(
    "a an the some my our your his her their its this these those every each any no lots "
    "several many much both all another other own one two three four five six seven eight "
    "nine ten eleven twelve twenty hundred hundreds thousand thousands dozen dozens few"
)
# "on a pirate ship": the characters *were* there
WHERE = _set(
    "in on at under inside by near aboard beside beneath below above over up down across "
    "through among around behind underneath within along outside atop upon amid amidst "
    "between beyond past"
)
# "to the moon": the characters *went* there
WHERETO = _set("to into onto towards toward unto")
PREPOSITIONS = (
    WHERE | WHERETO | _set("of with without for from after before during till until like about")
) | _set("off against via")
# prepositions that keep a place inside an activity: "flying to the moon"
DIRECTIONS = WHERETO | _set("across over through along around up down past towards from")
CONJUNCTIONS = _set("and or nor but plus & then")
RELATIVES = _set("where who which whose when while that")
AUXILIARIES = _set(
    "is are was were am be been has have had do does did will would can could shall should "
    "may might must won't can't don't doesn't isn't aren't wasn't weren't cannot"
)
ADVERBS = _set(
    "softly gently quietly slowly always never not just still really very so too together "
    "away back far here there now then again ever once twice high deep full right fast "
    "tonight today tomorrow yesterday sweetly brightly merrily happily sleepily soundly "
    "almost only even all"
)
# Words ending in -ing that are things, not doings ("Spring in the meadow")
ING_NOUNS = _set(
    "evening morning king ring spring thing something nothing everything anything wedding "
    "pudding ceiling swing sling string wing sting darling duckling sibling gosling earring "
    "viking seedling icing lightning dumpling inkling sapling clearing stocking stuffing "
    "frosting railing outing"
)
ADJECTIVES = _set(
    "big little small tiny huge giant old young new magic magical enchanted mystical secret "
    "hidden sleepy quiet calm gentle kind friendly happy jolly merry cheerful shy brave "
    "clever wise silly funny soft warm cold cool cosy cozy snug snowy sunny rainy windy "
    "misty foggy frosty icy starry starlit moonlit sunlit golden silver shiny sparkly bright "
    "dark deep tall high long short wide round sandy rocky grassy leafy mossy green blue red "
    "yellow pink purple orange white black brown grey gray rosy wild fluffy fuzzy furry "
    "sweet pretty beautiful lovely first last busy lazy lonely lost empty full faraway "
    "distant far-off nearby peaceful still hushed dreamy drowsy crystal wooden stone glass "
    "paper velvet outer royal ancient mysterious curious wonderful marvellous great grand "
    "narrow twisty winding crooked hollow underwater undersea hot-air hot cloudy stormy "
    "breezy sleeping floating flying glowing twinkling bubbling whispering singing talking "
    "dancing shimmering glittering frozen gentle noisy busy lively tidy messy spooky "
    "colourful colorful candlelit lamplit wintry wintery summery autumnal snow-covered "
    "rolling salty fresh crisp light heavy loud dusty muddy wet dry smooth bumpy curly bold "
    "proud"
)
SNOWY = _set("snowy snow-covered frosty icy frozen wintry wintery")
MASS = _set(
    "dough bread sand snow water honey grass hay moss milk tea cocoa chocolate ice fog mist "
    "rain sunshine moonlight starlight music treasure gold silver dust stardust glitter mud "
    "seaweed coral cheese butter flour sugar jam cream smoke steam lava jelly toast porridge "
    "soup popcorn candy fruit food air clover heather ivy foam spray candyfloss wool straw "
    "frost football soccer tennis cricket rugby hockey furniture laughter custard pasta rice "
    "lemonade juice snowfall hide-and-seek"
)
# plural forms that do not end in -s, and singular words that do
PLURALS = _set("children people mice geese feet teeth men women oxen cacti fungi dice police")
SINGULAR_S = _set(
    "bus gas lens canvas atlas news chaos iris dress princess class chess glass moss grass "
    "mattress compass cactus octopus circus walrus platypus hippopotamus asparagus hibiscus "
    "lotus citrus oasis tennis christmas bonus campus virus ukulele always perhaps series "
    "species this his its us yes pegasus famous"
)
SINGULAR_ALSO = _set("sheep deer fish moose reindeer bison salmon trout aircraft")
# known things: a capital on these is only the scene's opener; used to find noun heads
THINGS = _set(
    "animal bear bunny rabbit fox owl deer squirrel hedgehog badger mouse cat kitten dog "
    "puppy horse pony cow calf pig piglet sheep lamb goat chicken hen chick rooster duck "
    "duckling goose frog toad turtle tortoise fish whale dolphin seal octopus crab starfish "
    "seahorse shark jellyfish penguin polar_bear walrus reindeer moose wolf lion tiger "
    "elephant giraffe zebra monkey sloth parrot toucan snake lizard camel hippo rhino "
    "crocodile kangaroo koala panda bird robin sparrow eagle swan bat butterfly bee "
    "bumblebee ladybird ladybug caterpillar snail spider ant firefly glow-worm glowworm worm "
    "dragonfly dinosaur dragon unicorn mermaid fairy elf giant troll gnome wizard witch "
    "pirate king queen prince princess knight captain sailor astronaut alien robot teddy "
    "teddy_bear doll toy ball kite lantern lamp streetlamp lamplighter baker farmer grandma "
    "grandpa granny grandad grandmother grandfather mum mummy dad daddy mother father "
    "friend child baby family snowman snowflake tree oak pine willow flower wildflower rose "
    "daisy bluebell tulip sunflower leaf mushroom toadstool acorn shell seashell pebble rock "
    "rock_pool pool wave book star moon sun planet comet cloud rainbow boat ship train bus "
    "car rocket balloon sled sleigh candle blanket pillow cake cookie biscuit bun pie apple "
    "carrot cheese bread dough honey milk cocoa tea jam sand water grass hay moss shadow "
    "light window door key map treasure chest crown wand hat bell clock drum fire campfire "
    "tent nest egg feather seed path road gate wall dune sandcastle snowball puddle "
    "footprint lighthouse animals dough chimney ghost mole otter beaver kingfisher lily "
    "heron hare lamb mole flame candle present gift sweet sweets cupcake muffin pancake "
    "picnic_basket basket bucket spade bag sleeping_bag birthday lullaby cupboard wardrobe "
    "sandcastle snowmen clown juggler acrobat"
)
# what a family calls its own: "a picnic with Grandma" keeps the capital
FAMILY = _set(
    "grandma grandpa granny grandad granddad nana nanny gran mum mummy mom mommy dad daddy "
    "papa mama auntie uncle aunt"
)
VERBS = _set(
    "whisper sing hum dance glow shine twinkle say tell light guide bake sleep dream play "
    "fly swim live grow fall float drift rise bloom talk wait watch keep come go sparkle "
    "hide hop jump run walk climb sail row wave smile laugh giggle read write paint draw "
    "build make cook eat drink stop start begin love like want need know think see look "
    "hear listen find lose meet visit help share give take bring carry hold open close ring "
    "chime call cry shout sigh yawn snore snooze nap tuck hug kiss greet wander roam explore "
    "twirl spin swirl flutter buzz chirp tweet hoot howl purr roar squeak croak quack moo "
    "neigh bark splash bubble ripple flow shimmer glitter gleam blink wink nod rock sway "
    "rustle creak chug puff blow melt freeze bounce skip tiptoe march gather count wish "
    "shine sit stand lie rest stay get grow turn become seem feel leave arrive return wake "
    "celebrate wonder remember forget ask answer whistle snow rain juggle rule"
)
_IRREGULAR = _set(
    "sang sung told said lit flew flown swam grew fell rose came went kept slept made found "
    "lost met saw heard took brought held rang began begun built ate drank gave shone hid "
    "ran stood sat drew wrote thought knew blew spun wove woke left got became felt lay "
    "goes does gone done seen given taken fallen risen grown known shown eaten broken "
    "chosen forgotten woken ridden written spoken"
)
# "an hour", "a unicorn", "a one-eyed owl", "a European"
SILENT_H = ("hour", "honest", "honour", "honor", "heir")
YOU_SOUND = ("uni", "use", "usu", "uti", "ufo", "uk", "ure", "eu", "ew", "one", "once")


def verb_forms(base: str) -> tuple[str, ...]:
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base, base[:-1] + "ies", base[:-1] + "ied"
    third = base + ("es" if base.endswith(("s", "x", "z", "ch", "sh", "o")) else "s")
    return base, third, base + ("d" if base.endswith("e") else "ed")


VERB_FORMS = frozenset(form for verb in VERBS for form in verb_forms(verb)) | _IRREGULAR

# words that lean a scene towards a setting when no place decides it (counted half)
_HINTS = {
    "forest": "tree oak pine owl fox deer squirrel badger hedgehog mushroom toadstool acorn "
    "bluebell camping campfire tent",
    "sea": "pirate shell seashell seagull gull crab sandcastle wave dolphin whale sailing "
    "sailor captain rock_pool",
    "underwater": "mermaid coral seahorse octopus jellyfish",
    "river": "duck frog otter beaver kingfisher lily swan heron fishing",
    "castle": "king queen prince princess knight dragon crown throne royal wizard",
    "space": "star astronaut alien comet planet",
    "sky": "balloon kite bird rainbow",
    "mountains": "goat eagle rock rocky",
    "snow": "snowman snowmen snowflake penguin polar_bear sledging sledding skating "
    "reindeer christmas",
    "garden": "flower butterfly bee ladybird football soccer ball swing glow-worm wildflower daisy",
    "town": "lamp lamplighter streetlamp shop clock",
    "jungle": "parrot monkey tiger elephant sloth toucan snake lion giraffe dinosaur",
    "desert": "camel cactus cacti dune lizard",
    "farm": "cow pig sheep hen chicken horse pony tractor lamb goose hay animal",
    "home": "book teddy toy bed pillow blanket",
}
HINTS = {word.replace("_", " "): s for s, words in _HINTS.items() for word in words.split()}
# two-word names whose first word is no doing: "closing time", "sleeping bag"
COMPOUNDS = frozenset(key for key in (*PLACES, *TIMES, *THINGS, *NAMED_PLACES) if " " in key)

_FUNCTION = DETERMINERS | PREPOSITIONS | CONJUNCTIONS | RELATIVES | AUXILIARIES | PRONOUNS
_KNOWN = (
    _FUNCTION
    | ADVERBS
    | ADJECTIVES
    | MASS
    | THINGS
    | VERB_FORMS
    | ABSTRACT
    | WEATHER_NOUNS
    | TRIPS
    | frozenset(PLACES)
    | frozenset(TIMES)
    | frozenset(HINTS)
) - {"i"}


@lru_cache(maxsize=4096)
def singular(word: str) -> str:
    """ "pools" → "pool", "fireflies" → "firefly", "foxes" → "fox"; others as they are."""
    if word in SINGULAR_S or word in PLURALS or len(word) < 4 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "'s", "’s")):
        return word
    return word[:-1]


@lru_cache(maxsize=4096)
def is_plural(word: str) -> bool:
    return word in PLURALS or (word not in SINGULAR_ALSO and singular(word) != word)


@lru_cache(maxsize=4096)
def is_known(word: str) -> bool:
    low = word.lower().replace("’", "'")
    return low in _KNOWN or singular(low) in _KNOWN


def is_function(word: str) -> bool:
    return word.lower() in _FUNCTION and word != "I"


@lru_cache(maxsize=4096)
def is_noun(low: str) -> bool:
    """A word known as a thing or a place, in either number."""
    base = singular(low)
    return any(w in THINGS or w in PLACES or w in MASS for w in (low, base))


@lru_cache(maxsize=4096)
def is_nounish(low: str) -> bool:
    """A noun, or a word that heads a time, weather or abstract phrase ("closing time")."""
    base = singular(low)
    return is_noun(low) or any(
        w in TIMES or w in WEATHER_NOUNS or w in ABSTRACT for w in (low, base)
    )


@lru_cache(maxsize=4096)
def is_adjective(low: str) -> bool:
    return low in ADJECTIVES and not is_noun(low)
