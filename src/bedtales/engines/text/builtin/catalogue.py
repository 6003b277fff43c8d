"""Who and what a story can bring in: friends, little ones who need help, small treasures,
things to make, and the sights and pictures of each setting.

The planner draws each of these on its own, so the number of different stories multiplies.
Everything here is gentle on purpose; the quality gates' safety list checks it again anyway
(tests/test_engine_builtin.py writes every entry into a story).
"""

from __future__ import annotations

from dataclasses import dataclass

from bedtales.stories.scenes import SETTINGS

ANYWHERE = frozenset(SETTINGS)
OUTDOORS = ANYWHERE - {"home"}


def _where(spec: str) -> frozenset[str]:
    if spec == "*":
        return ANYWHERE
    if spec == "out":
        return OUTDOORS
    found = frozenset(spec.split())
    unknown = found - ANYWHERE
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)} in {spec!r}")
    return found


@dataclass(frozen=True)
class Friend:
    """A creature the characters meet, who helps, and who may come back in a series."""

    key: str  # "hedgehog"
    kind: str  # "hedgehog", "baby seal": what "a"/"the" go before
    looks: tuple[str, ...]  # "prickly little", "sleepy": before the kind
    moves: tuple[str, ...]  # "shuffled", "trundled"
    moving: tuple[str, ...]  # "shuffling"
    says: tuple[str, ...]  # "snuffled": how it speaks
    home: str  # "its leafy nest"
    settings: frozenset[str]


def _friend(
    key: str, kind: str, looks: str, moves: str, says: str, home: str, where: str
) -> Friend:
    past = tuple(moves.split("/"))
    return Friend(
        key=key,
        kind=kind,
        looks=tuple(looks.split("/")),
        moves=past,
        moving=tuple(_ing(verb) for verb in past),
        says=tuple(says.split("/")),
        home=home,
        settings=_where(where),
    )


def _ing(past: str) -> str:
    """ "shuffled" -> "shuffling", "hopped" -> "hopping", "scurried" -> "scurrying"."""
    irregular = {
        "swam": "swimming",
        "flew": "flying",
        "swung": "swinging",
        "crept": "creeping",
        "slid": "sliding",
        "leapt": "leaping",
        "tiptoed": "tiptoeing",
    }
    if past in irregular:
        return irregular[past]
    if not past.endswith("ed"):
        raise ValueError(f"friend moves need past tenses ending in -ed, or a known one: {past!r}")
    if past.endswith("ied"):
        return past[:-3] + "ying"
    # a doubled consonant stays ("hopp-ing") and a silent e is gone already ("shuffl-ing")
    return past[:-2] + "ing"


FRIENDS: tuple[Friend, ...] = (
    _friend(
        "owl",
        "owl",
        "wise old/sleepy/snowy-white/fluffy",
        "glided/swooped/fluttered",
        "hooted/said",
        "its hollow tree",
        "forest garden farm mountains snow town castle",
    ),
    _friend(
        "fox",
        "fox",
        "clever red/bushy-tailed/friendly/little",
        "trotted/padded/scampered",
        "yipped/said",
        "its cosy den",
        "forest garden farm snow mountains town",
    ),
    _friend(
        "badger",
        "badger",
        "friendly/stripy/sleepy old/kind",
        "shuffled/trundled/ambled",
        "rumbled/said",
        "its sett beneath the roots",
        "forest garden farm",
    ),
    _friend(
        "hedgehog",
        "hedgehog",
        "prickly little/round little/sleepy/tiny",
        "shuffled/trundled/snuffled",
        "snuffled/said",
        "its nest of leaves",
        "forest garden farm home town",
    ),
    _friend(
        "squirrel",
        "squirrel",
        "bushy-tailed/busy little/red/cheeky",
        "scampered/scurried/hopped",
        "chattered/said",
        "its drey up in the tree",
        "forest garden town castle",
    ),
    _friend(
        "rabbit",
        "rabbit",
        "floppy-eared/soft grey/little/fluffy",
        "hopped/bounded/scampered",
        "whispered/said",
        "its burrow",
        "forest garden farm mountains snow",
    ),
    _friend(
        "mole",
        "mole",
        "velvety/little/short-sighted/gentle",
        "shuffled/pottered/ambled",
        "mumbled/said",
        "its tunnel underground",
        "garden forest farm",
    ),
    _friend(
        "mouse",
        "mouse",
        "tiny/little brown/whiskery/quick little",
        "scurried/scampered/pattered",
        "squeaked/said",
        "its hole behind the wall",
        "home town farm castle garden",
    ),
    _friend(
        "cat",
        "cat",
        "stripy/sleepy/purring/ginger",
        "padded/strolled/tiptoed",
        "purred/said",
        "its basket by the fire",
        "home town farm castle garden",
    ),
    _friend(
        "dog",
        "dog",
        "waggy/shaggy/friendly/spotty",
        "trotted/bounded/scampered",
        "woofed/said",
        "its kennel",
        "home town farm garden snow mountains",
    ),
    _friend(
        "duck",
        "duck",
        "speckled/little/busy/cheerful",
        "waddled/paddled/bobbed",
        "quacked/said",
        "the reeds by the water",
        "river farm garden town",
    ),
    _friend(
        "frog",
        "frog",
        "green/little/spotty/bouncy",
        "hopped/leapt/bounded",
        "croaked/said",
        "its lily pad",
        "river garden jungle forest",
    ),
    _friend(
        "otter",
        "otter",
        "playful/sleek/whiskery/merry",
        "swam/slid/paddled",
        "chirped/said",
        "its holt by the river",
        "river sea",
    ),
    _friend(
        "heron",
        "heron",
        "tall grey/patient/long-legged/quiet",
        "waded/stepped/paddled",
        "croaked/said",
        "the reeds",
        "river",
    ),
    _friend(
        "seal",
        "seal",
        "smiling/whiskery/sleek grey/round",
        "flopped/swam/wriggled",
        "barked/said",
        "the rocks by the shore",
        "sea snow",
    ),
    _friend(
        "crab",
        "crab",
        "little red/sideways/busy/tiny",
        "scuttled/scurried/pattered",
        "clicked/said",
        "its rock pool",
        "sea",
    ),
    _friend(
        "gull",
        "seagull",
        "cheeky/white/bright-eyed/breezy",
        "swooped/glided/flapped",
        "called/said",
        "its nest on the cliff",
        "sea river town",
    ),
    _friend(
        "puffin",
        "puffin",
        "stripy-beaked/little/bright-eyed/round",
        "flapped/waddled/fluttered",
        "chirped/said",
        "its burrow on the cliff",
        "sea snow",
    ),
    _friend(
        "dolphin",
        "dolphin",
        "smiling/silvery/playful/gentle",
        "swam/leapt/glided",
        "clicked/sang",
        "the deep blue sea",
        "sea underwater",
    ),
    _friend(
        "turtle",
        "turtle",
        "old/gentle/slow/wise",
        "swam/paddled/glided",
        "said/murmured",
        "the warm sea",
        "sea underwater",
    ),
    _friend(
        "seahorse",
        "seahorse",
        "tiny/curly-tailed/golden/shy",
        "bobbed/drifted/floated",
        "whispered/said",
        "the swaying seagrass",
        "underwater",
    ),
    _friend(
        "octopus",
        "octopus",
        "eight-armed/pink/curious/friendly",
        "floated/swirled/drifted",
        "burbled/said",
        "its cave of shells",
        "underwater",
    ),
    _friend(
        "penguin",
        "penguin",
        "little/waddly/round/fluffy",
        "waddled/slid/shuffled",
        "squawked/said",
        "its snowy nest",
        "snow sea",
    ),
    _friend(
        "reindeer",
        "reindeer",
        "gentle/snowy/velvet-nosed/young",
        "trotted/stepped/ambled",
        "snorted/said",
        "the snowy hills",
        "snow mountains",
    ),
    _friend(
        "goat",
        "mountain goat",
        "sure-footed/shaggy/bearded/nimble",
        "climbed/leapt/skipped",
        "bleated/said",
        "its ledge up high",
        "mountains farm",
    ),
    _friend(
        "robin",
        "robin",
        "red-breasted/little/bright-eyed/cheerful",
        "hopped/fluttered/flew",
        "sang/chirped",
        "its nest in the holly",
        "garden snow forest town",
    ),
    _friend(
        "snail",
        "snail",
        "little/slow/shiny/patient",
        "slid/crept/glided",
        "whispered/said",
        "its shell",
        "garden forest",
    ),
    _friend(
        "ladybird",
        "ladybird",
        "spotty/tiny/red/polka-dot",
        "flew/crawled/fluttered",
        "hummed/said",
        "the rose bush",
        "garden",
    ),
    _friend(
        "bee",
        "bumblebee",
        "fuzzy/busy/stripy/buzzy",
        "buzzed/hovered/zoomed",
        "hummed/buzzed",
        "its hive",
        "garden farm",
    ),
    _friend(
        "butterfly",
        "butterfly",
        "painted/blue/velvet/flutter-winged",
        "fluttered/floated/drifted",
        "whispered/said",
        "the flowers",
        "garden jungle forest",
    ),
    _friend(
        "firefly",
        "firefly",
        "glowing/tiny/twinkly/golden",
        "floated/drifted/flickered",
        "buzzed/whispered",
        "its glowing meadow",
        "forest garden river jungle",
    ),
    _friend(
        "moth",
        "moth",
        "soft grey/velvet/dusty/gentle",
        "fluttered/floated/drifted",
        "whispered/said",
        "the lamp by the door",
        "home town garden forest",
    ),
    _friend(
        "parrot",
        "parrot",
        "rainbow/chatty/bright green/clever",
        "flapped/swooped/flew",
        "squawked/sang",
        "its treetop",
        "jungle",
    ),
    _friend(
        "monkey",
        "monkey",
        "cheeky/little/long-tailed/giggly",
        "swung/scampered/leapt",
        "chattered/said",
        "its tree in the jungle",
        "jungle",
    ),
    _friend(
        "sloth",
        "sloth",
        "slow/sleepy/smiling/shaggy",
        "crept/climbed/ambled",
        "yawned/said",
        "its branch",
        "jungle",
    ),
    _friend(
        "elephant",
        "baby elephant",
        "grey/gentle/wrinkly/big-eared",
        "plodded/trundled/ambled",
        "trumpeted/said",
        "its herd",
        "jungle desert",
    ),
    _friend(
        "camel",
        "camel",
        "humpy/patient/long-lashed/kind",
        "plodded/padded/ambled",
        "grunted/said",
        "the oasis",
        "desert",
    ),
    _friend(
        "fennec",
        "fennec fox",
        "big-eared/sandy/tiny/quick",
        "pattered/scampered/trotted",
        "yipped/said",
        "its burrow in the dunes",
        "desert",
    ),
    _friend(
        "tortoise",
        "tortoise",
        "old/wise/slow/patient",
        "plodded/ambled/trundled",
        "said/murmured",
        "its sunny stone",
        "desert garden",
    ),
    _friend(
        "lamb",
        "lamb",
        "woolly/little/bouncy/snowy-white",
        "skipped/frolicked/trotted",
        "bleated/said",
        "the flock",
        "farm garden mountains",
    ),
    _friend(
        "pony",
        "pony",
        "shaggy/little/dappled/gentle",
        "trotted/cantered/clip-clopped",
        "whinnied/said",
        "the stable",
        "farm garden castle mountains",
    ),
    _friend(
        "hen",
        "hen",
        "speckled/busy/fluffy/clucky",
        "strutted/bustled/pottered",
        "clucked/said",
        "the henhouse",
        "farm garden",
    ),
    _friend(
        "pig",
        "piglet",
        "pink/muddy/little/giggly",
        "trotted/snuffled/scampered",
        "oinked/said",
        "the straw in the sty",
        "farm",
    ),
    _friend(
        "cow",
        "cow",
        "spotty/gentle/patient/big brown",
        "ambled/plodded/strolled",
        "mooed/said",
        "the barn",
        "farm",
    ),
    _friend(
        "pigeon",
        "pigeon",
        "cooing/grey/plump/bobbing",
        "strutted/fluttered/flew",
        "cooed/said",
        "its rooftop",
        "town castle",
    ),
    _friend(
        "dragon",
        "dragon",
        "gentle/little green/friendly/sleepy",
        "flapped/flew/glided",
        "rumbled/said",
        "its cave on the hill",
        "castle mountains sky",
    ),
    _friend(
        "unicorn",
        "unicorn",
        "silver/shimmering/gentle/starry",
        "trotted/pranced/cantered",
        "whinnied/said",
        "the meadow of stars",
        "castle sky garden forest",
    ),
    _friend(
        "teddy",
        "teddy bear",
        "old/button-eyed/cuddly/patched",
        "toddled/shuffled/waddled",
        "said/whispered",
        "the toy box",
        "home",
    ),
    _friend(
        "doll",
        "rag doll",
        "smiling/patched/floppy/button-eyed",
        "skipped/toddled/danced",
        "said/sang",
        "the dolls' house",
        "home town",
    ),
    _friend(
        "robot",
        "little robot",
        "clanky/shiny/friendly/blinking",
        "rolled/trundled/whirred",
        "beeped/said",
        "its charging station",
        "space home town",
    ),
    _friend(
        "alien",
        "little alien",
        "green/friendly/three-eyed/giggly",
        "floated/bounced/zoomed",
        "giggled/said",
        "its silver saucer",
        "space",
    ),
    _friend(
        "comet",
        "comet",
        "bright/sparkly/friendly/young",
        "whooshed/zoomed/swished",
        "sang/said",
        "the far side of the sky",
        "space sky",
    ),
    _friend(
        "cloud",
        "cloud",
        "fluffy/little white/puffy/dreamy",
        "drifted/floated/sailed",
        "whispered/said",
        "the sky",
        "sky mountains",
    ),
    _friend(
        "goose",
        "goose",
        "grey/honking/friendly/long-necked",
        "flew/flapped/glided",
        "honked/said",
        "the lake far away",
        "sky river farm",
    ),
    _friend(
        "lamplighter",
        "lamplighter",
        "kind old/smiling/whistling/patient",
        "strolled/walked/wandered",
        "said/hummed",
        "the little house by the square",
        "town",
    ),
    _friend(
        "baker",
        "baker",
        "floury/smiling/round/jolly",
        "bustled/hurried/pottered",
        "said/laughed",
        "the flat above the shop",
        "home town",
    ),
    _friend(
        "king",
        "king",
        "kind old/smiling/sleepy/jolly",
        "strolled/wandered/ambled",
        "said/chuckled",
        "the castle tower",
        "castle",
    ),
    _friend(
        "snowman",
        "snowman",
        "smiling/jolly/carrot-nosed/frosty",
        "shuffled/slid/wobbled",
        "chuckled/said",
        "the snowy hill",
        "snow",
    ),
)


@dataclass(frozen=True)
class Little:
    """A small creature (or a small sky thing) that needs help to get home or to sleep."""

    key: str
    kind: str  # "baby owl"
    home: str  # "its nest"
    settings: frozenset[str]


def _little(spec: str, where: str) -> Little:
    key, kind, home = spec.split("/")
    return Little(key, kind, home, _where(where))


LITTLE_ONES: tuple[Little, ...] = (
    _little("owlet/baby owl/its nest high in the oak", "forest garden farm"),
    _little("cub/fox cub/its den under the roots", "forest garden snow"),
    _little("bunny/baby bunny/its burrow", "forest garden farm mountains"),
    _little("fawn/little fawn/its mother in the glade", "forest garden"),
    _little("hoglet/baby hedgehog/its nest of leaves", "forest garden home"),
    _little("duckling/fluffy duckling/its mother on the pond", "river farm garden town"),
    _little("gosling/little gosling/the goose family", "river farm"),
    _little("cygnet/baby swan/the swans' nest in the reeds", "river"),
    _little("pup/seal pup/the rocks where its mother waited", "sea snow"),
    _little("hatchling/baby turtle/the sea", "sea underwater"),
    _little("crab/tiny crab/its rock pool", "sea"),
    _little("fish/little striped fish/the coral garden", "underwater sea"),
    _little("seahorse/baby seahorse/the seagrass", "underwater"),
    _little("lamb/little lamb/the flock", "farm mountains garden"),
    _little("chick/yellow chick/the henhouse", "farm garden"),
    _little("piglet/tiny piglet/the sty", "farm"),
    _little("foal/little foal/its mother in the field", "farm castle"),
    _little("kitten/tiny kitten/its basket", "home town farm castle"),
    _little("puppy/sleepy puppy/its basket by the door", "home town farm"),
    _little("mouse/baby mouse/its hole in the wall", "home town castle farm"),
    _little("star/little star/the sky", "out"),
    _little("cloud/little cloud/the sky", "sky mountains garden sea"),
    _little("moonbeam/moonbeam/the moon", "out"),
    _little("comet/baby comet/the stars", "space sky"),
    _little("firefly/tiny firefly/the glowing meadow", "forest garden river jungle"),
    _little("ladybird/little ladybird/the rose bush", "garden"),
    _little("penguin/baby penguin/its snowy nest", "snow"),
    _little("calf/baby elephant/its herd", "jungle desert"),
    _little("monkey/baby monkey/its treetop", "jungle"),
    _little("parrot/little parrot/its treetop", "jungle"),
    _little("meerkat/little meerkat/its burrow in the sand", "desert"),
    _little("dragon/baby dragon/its cave on the hill", "castle mountains"),
    _little("snowflake/snowflake/the snow cloud", "snow mountains"),
    _little("bat/baby bat/its cave", "forest mountains castle"),
)

# Small treasures: lost and found, given and kept. Adjectives and nouns are drawn apart.
ITEM_LOOKS = (
    "silver", "golden", "tiny", "shiny", "little", "red", "blue", "green", "yellow",
    "purple", "spotty", "stripy", "lucky", "sparkly", "rainbow",
)  # fmt: skip
ITEM_NOUNS = (
    "button", "bell", "key", "marble", "pebble", "shell", "feather", "ribbon", "spoon",
    "whistle", "locket", "acorn", "thimble", "compass", "kite", "ball", "toy boat",
    "music box", "hair clip", "teacup", "paintbrush", "crayon", "star badge", "hat",
    "mitten", "scarf", "sock", "bucket", "lantern", "glove",
)  # fmt: skip

# Things to make together; each fits the settings named.
MAKES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (what, _where(where))
    for what, where in (
        ("blanket fort", "home"),
        ("den of cushions", "home"),
        ("paper lantern", "*"),
        ("paper boat", "river sea home garden town"),
        ("boat of leaves", "river forest garden"),
        ("raft of sticks", "river forest"),
        ("little bridge of sticks", "river forest garden"),
        ("sandcastle", "sea desert"),
        ("snowman", "snow mountains"),
        ("snow castle", "snow"),
        ("kite", "garden farm sea mountains sky town"),
        ("daisy chain", "garden farm forest"),
        ("bird feeder", "garden forest farm snow"),
        ("nest of moss", "forest garden"),
        ("tower of blocks", "home"),
        ("birthday cake", "home town farm castle"),
        ("garden of pebbles", "garden sea river"),
        ("star map", "*"),
        ("wind chime", "*"),
        ("tiny house for a mouse", "home garden forest farm"),
        ("swing of rope", "forest garden jungle"),
        ("drum from a bucket", "*"),
        ("flag for the hill", "mountains garden farm"),
        ("crown of flowers", "garden castle forest"),
        ("moon made of paper", "*"),
        ("path of lanterns", "out"),
    )
)

FRIEND_NAMES = (
    "Bramble", "Pip", "Tumble", "Hazel", "Nutmeg", "Pebble", "Juniper", "Clover", "Maple",
    "Biscuit", "Sprout", "Button", "Wren", "Fern", "Thistle", "Puddle", "Dot", "Bobbin",
    "Crumble", "Toffee", "Sunny", "Noodle", "Bean", "Twig", "Acorn", "Poppy", "Tansy",
    "Bluebell", "Coco", "Mabel", "Otis", "Percy", "Rosie", "Dumpling", "Marble", "Crumpet",
    "Fudge", "Honey", "Willow", "Barnaby", "Humphrey", "Gus", "Winnie", "Flick", "Skip",
    "Dusty", "Misty", "Pumpkin", "Sorrel", "Hopscotch", "Jingle", "Marigold", "Parsnip",
    "Bertie", "Dotty", "Mopsy", "Pickle", "Ruby", "Sage", "Tilly", "Ziggy", "Olive", "Rusty",
    "Velvet", "Whisper", "Pippin", "Bumble", "Nimbus", "Sixpence", "Tuppence", "Waffle",
)  # fmt: skip

# What the characters see, by setting ("the" included, so verbs take "were").
SIGHTS: dict[str, tuple[str, ...]] = {
    "forest": (
        "the tall trees",
        "the mossy stones",
        "the curly ferns",
        "the spotty mushrooms",
        "the bluebells",
        "the fireflies",
        "the old oak roots",
        "the pine cones",
    ),
    "sea": (
        "the waves",
        "the seashells",
        "the rock pools",
        "the sandy dunes",
        "the little boats",
        "the seagulls",
        "the starfish",
        "the pebbles",
    ),
    "river": (
        "the reeds",
        "the lily pads",
        "the stepping stones",
        "the dragonflies",
        "the ripples",
        "the willow trees",
        "the little fish",
        "the water lilies",
    ),
    "underwater": (
        "the waving seaweed",
        "the coral reefs",
        "the bubbles",
        "the shells",
        "the little fish",
        "the sea stars",
        "the sandy ripples",
        "the pearls",
    ),
    "castle": (
        "the towers",
        "the flags",
        "the banners",
        "the winding stairs",
        "the candles",
        "the tapestries",
        "the drawbridge chains",
        "the turrets",
    ),
    "space": (
        "the planets",
        "the stars",
        "the moon's round craters",
        "the comets",
        "the twinkling galaxies",
        "the rings of Saturn",
        "the star clouds",
        "the moon rocks",
    ),
    "sky": (
        "the clouds",
        "the rainbows",
        "the swallows",
        "the sunbeams",
        "the kites",
        "the hills far below",
        "the drifting mists",
        "the first stars",
    ),
    "mountains": (
        "the tall peaks",
        "the pine trees",
        "the mountain streams",
        "the rocks",
        "the goats on the ledges",
        "the valleys far below",
        "the wildflowers",
        "the winding paths",
    ),
    "snow": (
        "the snowflakes",
        "the icicles",
        "the snowy pines",
        "the frosty windows",
        "the snowdrifts",
        "the sledges",
        "the footprints in the snow",
        "the frosty hedges",
    ),
    "garden": (
        "the flowers",
        "the sunflowers",
        "the daisies",
        "the bumblebees",
        "the garden gnomes",
        "the tall hollyhocks",
        "the butterflies",
        "the apple trees",
    ),
    "town": (
        "the lamp posts",
        "the chimney pots",
        "the shop windows",
        "the cobbled streets",
        "the rooftops",
        "the clock tower's hands",
        "the bicycles",
        "the window boxes",
    ),
    "jungle": (
        "the giant leaves",
        "the hanging vines",
        "the parrots",
        "the bright flowers",
        "the tall palm trees",
        "the waterfalls",
        "the butterflies",
        "the monkeys",
    ),
    "desert": (
        "the golden dunes",
        "the cactus flowers",
        "the camels",
        "the palm trees",
        "the sand ripples",
        "the warm stones",
        "the little lizards",
        "the desert stars",
    ),
    "farm": (
        "the haystacks",
        "the tractors",
        "the hens",
        "the sheep",
        "the cows",
        "the pumpkins",
        "the wooden fences",
        "the barn doors",
    ),
    "home": (
        "the cushions",
        "the bookshelves",
        "the toys",
        "the warm lamps",
        "the patchwork quilts",
        "the slippers",
        "the teacups",
        "the pictures on the walls",
    ),
    "default": (
        "the flowers",
        "the stars",
        "the clouds",
        "the butterflies",
        "the lanterns",
        "the twinkling lights",
        "the soft hills",
        "the sleepy trees",
    ),
}

# One thing each, so that verbs agree ("the moon was smiling").
SKY_THINGS = (
    "the moon", "the evening star", "the brightest star", "the Milky Way",
    "the silver moon", "the smiling moon", "the little star", "the round moon",
)  # fmt: skip
SOFT_AS = (
    "as soft as a summer cloud", "as soft as a kitten's ear", "as soft as a feather",
    "as soft as moss", "as soft as a whisper", "as soft as warm bread", "as soft as a petal",
    "as soft as a bunny's fur", "as soft as falling snow", "as soft as a lullaby",
)  # fmt: skip
BRIGHT_AS = (
    "as bright as a button", "as bright as a lantern", "as bright as a new penny",
    "as bright as the morning star", "as bright as a buttercup", "as bright as a firefly",
    "as bright as a birthday candle", "as bright as the moon",
)  # fmt: skip
QUIET_AS = (
    "as quiet as a mouse", "as quiet as falling snow", "as quiet as a feather",
    "as quiet as the moon", "as quiet as a sleeping cat", "as quiet as a secret",
    "as quiet as a snail", "as quiet as a cloud",
)  # fmt: skip
COLOURS = ("silver", "golden", "pearly", "rosy", "honey-gold", "soft blue", "shimmery")
LITTLE_WORDS = ("little", "tiny", "small", "wee")
WALKED = ("tiptoed", "wandered", "strolled", "skipped", "pattered", "ambled", "padded", "trotted")
LOOKED = ("peeked", "peered", "gazed", "looked", "glanced")
SAID = ("whispered", "said", "murmured", "called")
NIGHT_WORDS = ("night", "evening")
