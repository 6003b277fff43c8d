"""The settings a scene can call up: what each looks like, who helps there, who needs help.

A setting is chosen from keywords in the scene text (see :mod:`.scenes`). Each brings its own
imagery and goodbyes (couplets), helpers, small creatures, and the troubles that fit it: no
clouds in outer space, no kites caught in trees at sea.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedtales.engines.text.builtin.couplets import Couplet, pool


@dataclass(frozen=True)
class Helper:
    a: str  # "a wise old owl"
    the: str  # "the owl"
    move: str  # "gliding": "came gliding by"


@dataclass(frozen=True)
class Creature:
    a: str  # "a baby rabbit"
    the: str  # "the baby rabbit"


@dataclass(frozen=True)
class Setting:
    key: str
    keywords: re.Pattern[str]  # words that call this setting up
    hints: re.Pattern[str]  # words that lean towards it, counted half ("stars", "picnic")
    places: tuple[str, ...]  # "the forest": where the story happens
    special_places: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
    ground: str  # where a fallen star lies
    imagery: tuple[Couplet, ...]
    farewell: tuple[Couplet, ...]
    helpers: tuple[Helper, ...]
    little_ones: tuple[Creature, ...]
    problems: tuple[str, ...]
    glowers: str = "fireflies"
    toy: str = "kite"
    title_place: str = ""  # for titles; default: the place, title-cased
    # scenes with these words see other sights ("a pirate ship": no sand between the toes)
    special_imagery: tuple[tuple[re.Pattern[str], tuple[Couplet, ...]], ...] = ()


ALL_PROBLEMS = ("star", "lantern", "sleepless", "lost", "cloud", "toy", "shy")


_NEVER = re.compile(r"(?!x)x")


def _words(*stems: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(stems) + r")\b")


def _helpers(*specs: str) -> tuple[Helper, ...]:
    return tuple(Helper(*spec.split("/")) for spec in specs)


def _little(*specs: str) -> tuple[Creature, ...]:
    return tuple(Creature(*spec.split("/")) for spec in specs)


FOREST = Setting(
    key="forest",
    keywords=_words(r"forests?", r"woods?", r"woodlands?", r"groves?", r"treehouses?"),
    hints=_words(r"trees?", r"owls?", r"foxe?s?", r"deer", r"squirrels?", r"camping"),
    places=("the forest", "the woods"),
    special_places=(
        (_words(r"forests?"), ("the forest",)),
        (_words(r"woods?", r"woodlands?"), ("the woods",)),
    ),
    ground="the mossy ground",
    imagery=pool(
        (
            "The tall trees swayed and whispered overhead,",
            "And moss lay soft and green, just like a bed.",
        ),
        (
            "Among the trees, the fireflies blinked so bright,",
            "Like tiny stars that came to play tonight.",
        ),
        (
            "A sleepy stream went winding through the trees,",
            "And sang a bubbly song to the evening breeze.",
        ),
        (
            "The mushrooms wore their spotty caps of red,",
            "And every fern was nodding its green head.",
        ),
        (
            "Among the leaves, the rabbits hopped and played,",
            "Then snuggled down to rest beneath the shade.",
        ),
        (
            "The owls called out, “Hoo-hoo! And who are you?”",
            "And {they} called back, “Good evening to you too!”",
        ),
        (
            "A deer stepped out, so gentle and so shy,",
            "And blinked its big brown eyes as {they} passed by.",
        ),
        (
            "The path went on through bluebells, soft and deep,",
            "Where little foxes curled up for their sleep.",
        ),
    ),
    farewell=pool(
        (
            "The trees all rustled, “Goodnight! Come back soon!”",
            "And waved their branches underneath the moon.",
        ),
        (
            "{They} left {place} along the mossy track,",
            "And every bunny waved, “Come back, come back!”",
        ),
    ),
    helpers=_helpers(
        "a wise old owl/the owl/gliding",
        "a clever red fox/the fox/trotting",
        "a gentle deer/the deer/tiptoeing",
        "a friendly badger/the badger/shuffling",
        "a little snail/the snail/sliding",
        "a glowing firefly/the firefly/floating",
    ),
    little_ones=_little(
        "a baby rabbit/the baby rabbit",
        "a little fox cub/the fox cub",
        "a tiny hedgehog/the hedgehog",
        "a small bear cub/the bear cub",
        "a baby owl/the baby owl",
    ),
    problems=ALL_PROBLEMS,
)

_AT_SEA = pool(
    (
        "The ship rocked gently, creaking to and fro,",
        "While waves went splashing softly down below.",
    ),
    (
        "The big white sails were puffed up by the breeze,",
        "That carried {them} across the silver seas.",
    ),
    (
        "The captain smiled and tipped a feathered hat,",
        "And on the deck there curled a sleepy cat.",
    ),
    (
        "The dolphins raced beside the ship to play,",
        "And splashed {them} with a sparkly, salty spray.",
    ),
    (
        "High in the crow's nest, {they} could see so far:",
        "The sea, the moon, and every shining star.",
    ),
    (
        "The lighthouse winked its friendly yellow light,",
        "To guide the ship across the sea at night.",
    ),
)

_UNDERWATER = pool(
    (
        "Beneath the waves, the coral glowed so bright,",
        "In shades of pink and orange, gold and white.",
    ),
    (
        "Small bubbles wobbled upward, round and clear,",
        "And popped with giggles, tickling every ear.",
    ),
    (
        "A seahorse bobbed along and said, “Hello!”",
        "And swished its curly tail, so soft and slow.",
    ),
    (
        "The seaweed swayed like ribbons in the sea,",
        "As soft and green and wavy as could be.",
    ),
    (
        "A whale sang out a deep and dreamy tune,",
        "Beneath the wobbly, watery, silver moon.",
    ),
    (
        "The sand below was smooth and soft and white,",
        "With shells that sparkled in the deep-sea light.",
    ),
    (
        "A school of tiny fish swam by in a line,",
        "And all their silver scales began to shine.",
    ),
)

SEA = Setting(
    key="sea",
    keywords=_words(
        r"seas?",
        r"oceans?",
        r"beach(?:es)?",
        r"boats?",
        r"ships?",
        r"pirates?",
        r"sail\w*",
        r"shores?",
        r"islands?",
        r"underwater",
        r"undersea",
        r"mermaids?",
        r"waves?",
        r"coral",
        r"seaside",
        r"harbou?rs?",
        r"lighthouses?",
        r"submarines?",
        r"whales?",
        r"dolphins?",
        r"lagoons?",
        r"reefs?",
    ),
    hints=_words(r"fish\w*", r"swim\w*", r"shells?", r"sand\w*", r"crabs?", r"lakes?"),
    places=("the sea", "the ocean"),
    special_places=(
        (_words(r"beach(?:es)?", r"shores?", r"seaside"), ("the beach", "the shore")),
        (_words(r"oceans?"), ("the ocean",)),
    ),
    ground="the sand",
    imagery=pool(
        (
            "The waves rolled in and whispered on the shore,",
            "Then tiptoed out, and then came back for more.",
        ),
        (
            "The sea was calm and shimmered, silver-blue,",
            "And little boats went bobbing, two by two.",
        ),
        (
            "Bright shells lay sparkling, pink and pearly white,",
            "Like treasures tucked away for {them} tonight.",
        ),
        (
            "A dolphin leapt and splashed with a happy flip,",
            "And waved a flipper at a passing ship.",
        ),
        (
            "The gulls flew home across the rosy bay,",
            "And called, “Goodnight!” as they flew on their way.",
        ),
        (
            "Beneath the waves, the coral glowed like jewels,",
            "And little fish played hide-and-seek in pools.",
        ),
        (
            "The salty breeze was soft and cool and sweet,",
            "And warm, soft sand was tickling {their} feet.",
        ),
        (
            "Far out at sea, a lighthouse, tall and white,",
            "Was winking its kind eye into the night.",
        ),
    ),
    farewell=pool(
        (
            "The sea sang, “Shh,” and rocked the boats to rest,",
            "And the last pink light went fading in the west.",
        ),
        (
            "{They} waved goodbye to every fish and shell,",
            "And heard the sea say softly, “Sleep well.”",
        ),
    ),
    helpers=_helpers(
        "a gentle whale/the whale/swimming",
        "a friendly dolphin/the dolphin/leaping",
        "an old sea turtle/the turtle/paddling",
        "a little crab/the crab/scuttling",
        "a friendly seal/the seal/splashing",
    ),
    little_ones=_little(
        "a baby seal/the baby seal",
        "a tiny turtle/the tiny turtle",
        "a little starfish/the starfish",
        "a baby whale/the baby whale",
        "a little octopus/the octopus",
    ),
    problems=("star", "sleepless", "lost", "cloud", "shy"),
    special_imagery=(
        (
            _words(r"underwater", r"undersea", r"mermaids?", r"coral", r"reefs?", r"submarines?"),
            _UNDERWATER,
        ),
        (_words(r"ships?", r"boats?", r"pirates?", r"sail\w*", r"voyages?"), _AT_SEA),
    ),
)

CASTLE = Setting(
    key="castle",
    keywords=_words(
        r"castles?",
        r"kingdoms?",
        r"kings?",
        r"queens?",
        r"princes?",
        r"princess(?:es)?",
        r"palaces?",
        r"knights?",
        r"royal",
        r"thrones?",
    ),
    hints=_words(r"towers?", r"dragons?", r"fair(?:y|ies)", r"wizards?", r"magic", r"unicorns?"),
    places=("the castle", "the kingdom"),
    special_places=((_words(r"castles?"), ("the castle",)),),
    ground="the courtyard stones",
    imagery=pool(
        (
            "The castle towers reached up to the sky,",
            "With flags that fluttered gently, way up high.",
        ),
        (
            "Across the moat, the drawbridge lowered slow,",
            "And lanterns lit the courtyard with a glow.",
        ),
        (
            "Inside the hall were tapestries of gold",
            "That told of gentle tales from days of old.",
        ),
        (
            "A royal cat was curled upon the stair,",
            "And purred a sleepy purr without a care.",
        ),
        (
            "The throne room glowed with cushions plump and red,",
            "Where the old king liked to nod his sleepy head.",
        ),
        (
            "Up winding stairs, around, around, and round,",
            "{They} climbed to where the tallest towers are found.",
        ),
        (
            "The castle garden smelled of roses sweet,",
            "And fountains played a tinkly, splashy beat.",
        ),
    ),
    farewell=pool(
        (
            "The castle bells rang softly, “Time for bed,”",
            "And every tower nodded its pointy head.",
        ),
        (
            "The guards all yawned and waved from the castle wall:",
            "“Goodnight, goodnight, to one and all!”",
        ),
    ),
    helpers=_helpers(
        "a friendly dragon/the dragon/flapping",
        "a kind old wizard/the wizard/shuffling",
        "a royal cat/the royal cat/padding",
        "a snow-white horse/the horse/trotting",
        "a little mouse/the mouse/scurrying",
    ),
    little_ones=_little(
        "a baby dragon/the baby dragon",
        "a little kitten/the kitten",
        "a tiny mouse/the tiny mouse",
        "a baby swan/the baby swan",
        "a little puppy/the puppy",
    ),
    problems=ALL_PROBLEMS,
    toy="ball",
)

SPACE = Setting(
    key="space",
    keywords=_words(
        r"space",
        r"outer space",
        r"rockets?",
        r"planets?",
        r"galax(?:y|ies)",
        r"astronauts?",
        r"comets?",
        r"mars",
        r"aliens?",
        r"spaceships?",
        r"orbit",
        r"universe",
        r"cosmos",
        r"saturn",
        r"jupiter",
        r"meteors?",
        r"milky way",
    ),
    hints=_words(r"moons?", r"stars?", r"starry", r"sky", r"night sky"),
    places=("outer space", "the stars"),
    special_places=(
        (_words(r"moons?"), ("the moon",)),
        (_words(r"mars"), ("Mars",)),
    ),
    ground="a moon rock",
    imagery=pool(
        (
            "The rocket zoomed past planets, big and small,",
            "And one with rings, the prettiest of all.",
        ),
        (
            "The Earth looked like a marble, blue and round,",
            "And up in space there wasn't any sound.",
        ),
        (
            "A comet swished its sparkly tail of white,",
            "And zoomed away into the velvet night.",
        ),
        (
            "{They} bounced across the moon, so light and high,",
            "And did a floaty somersault in the sky.",
        ),
        (
            "The stars were close enough to touch and hold;",
            "They twinkled silver, twinkled pink and gold.",
        ),
        (
            "A little planet, spinning, called, “Hello!",
            "I've never had a visitor before, you know!”",
        ),
        (
            "{They} floated like a feather in the air,",
            "With moon dust twinkling softly here and there.",
        ),
        (
            "The Milky Way spread out, a creamy stream,",
            "As sparkly and as soft as any dream.",
        ),
    ),
    farewell=pool(
        (
            "The stars all twinkled, “Come back soon!”",
            "And waved goodbye beside the smiling moon.",
        ),
        (
            "The rocket hummed and gently turned around,",
            "And zoomed back home without a single sound.",
        ),
    ),
    helpers=_helpers(
        "a friendly robot/the robot/floating",
        "a kind little alien/the alien/zooming",
        "a smiling comet/the comet/swooshing",
        "a moon rabbit/the moon rabbit/hopping",
    ),
    little_ones=_little(
        "a baby comet/the baby comet",
        "a little alien/the little alien",
        "a tiny moon mouse/the moon mouse",
        "a baby star/the baby star",
    ),
    problems=("star", "sleepless", "lost", "shy"),
)

MOUNTAINS = Setting(
    key="mountains",
    keywords=_words(
        r"mountains?",
        r"hills?",
        r"hillsides?",
        r"peaks?",
        r"valleys?",
        r"cliffs?",
        r"alps",
        r"climb\w*",
        r"summits?",
        r"hik\w*",
    ),
    hints=_words(r"rocks?", r"rocky", r"caves?", r"goats?", r"eagles?"),
    places=("the mountains", "the hills"),
    special_places=((_words(r"hills?", r"hillsides?"), ("the hills",)),),
    ground="the grassy slope",
    imagery=pool(
        (
            "The mountains stood like giants, calm and tall,",
            "With snowy caps, the biggest hats of all.",
        ),
        (
            "A little stream came tumbling down the hill,",
            "Then splashed into a pool, and lay so still.",
        ),
        (
            "The valley lay below in green and gold,",
            "With little farms and cottages of old.",
        ),
        (
            "A mountain goat went skipping, sure and light,",
            "From rock to rock, up to a dizzy height.",
        ),
        (
            "Above them all, an eagle soared so high,",
            "It looked just like a kite against the sky.",
        ),
        (
            "The air was crisp and clean and smelled of pine,",
            "And every star came out to shine and shine.",
        ),
        (
            "{They} called, “Hello!” and the hills called back,",
            "“Hello, hello!” along the mountain track.",
        ),
    ),
    farewell=pool(
        (
            "The mountains yawned and tucked their peaks in white,",
            "And whispered down the valley, “Sleep tight.”",
        ),
        (
            "{They} waved goodbye to every goat and sheep,",
            "And tiptoed down the path, so soft and steep.",
        ),
    ),
    helpers=_helpers(
        "a mountain goat/the goat/skipping",
        "a golden eagle/the eagle/soaring",
        "a fluffy marmot/the marmot/scampering",
        "a gentle llama/the llama/ambling",
    ),
    little_ones=_little(
        "a baby goat/the baby goat",
        "a little lamb/the lamb",
        "a baby marmot/the baby marmot",
        "a tiny chipmunk/the chipmunk",
    ),
    problems=ALL_PROBLEMS,
)

SNOW = Setting(
    key="snow",
    keywords=_words(
        r"snow\w*",
        r"winter\w*",
        r"ice",
        r"icy",
        r"frost\w*",
        r"sled\w*",
        r"sleighs?",
        r"ski\w*",
        r"arctic",
        r"polar",
        r"penguins?",
        r"igloos?",
        r"north pole",
        r"christmas",
        r"mittens?",
        r"skating",
    ),
    hints=_words(r"cold", r"white", r"polar bears?"),
    places=("the snow", "the snowy hills"),
    special_places=(),
    ground="the snow",
    imagery=pool(
        (
            "The snowflakes danced like feathers, soft and slow,",
            "And covered all the world in quiet snow.",
        ),
        (
            "The icicles hung twinkling, long and bright,",
            "Like glassy candles glowing in the night.",
        ),
        (
            "{They} made a snowman, round and fat and jolly,",
            "With a carrot nose, a scarf, and twigs of holly.",
        ),
        (
            "{Their} breath made little clouds, so white and round,",
            "And boots went crunch, crunch, crunch upon the ground.",
        ),
        (
            "The snowy hills were smooth as whipped cream,",
            "And stars above gave everything a gleam.",
        ),
        (
            "{They} rode a sled down slopes of sparkling white,",
            "Then stopped and stared up at the starry night.",
        ),
        (
            "A penguin waddled past, so round and small,",
            "And slid along the ice, the best slide of all!",
        ),
    ),
    farewell=pool(
        (
            "The snowflakes whispered, “Shh, it's time for bed,”",
            "And sprinkled sparkles on the path ahead.",
        ),
        (
            "{They} waved goodbye to snowman, sled, and hill;",
            "The snowy world was quiet, calm, and still.",
        ),
    ),
    helpers=_helpers(
        "a friendly penguin/the penguin/waddling",
        "a gentle polar bear/the polar bear/padding",
        "a snowy owl/the snowy owl/gliding",
        "an arctic fox/the arctic fox/trotting",
        "a kind reindeer/the reindeer/trotting",
    ),
    little_ones=_little(
        "a baby penguin/the baby penguin",
        "a little seal pup/the seal pup",
        "a polar bear cub/the bear cub",
        "a baby reindeer/the baby reindeer",
    ),
    problems=("star", "sleepless", "lost", "cloud", "shy"),
)

GARDEN = Setting(
    key="garden",
    keywords=_words(
        r"gardens?",
        r"parks?",
        r"meadows?",
        r"playgrounds?",
        r"football",
        r"soccer",
        r"swings?",
        r"lawns?",
        r"ponds?",
        r"yards?",
        r"backyards?",
    ),
    hints=_words(
        r"picnics?", r"flowers?", r"grass\w*", r"balls?", r"butterfl(?:y|ies)", r"rivers?"
    ),
    places=("the garden", "the meadow"),
    special_places=(
        (_words(r"parks?", r"playgrounds?", r"football", r"soccer", r"swings?"), ("the park",)),
        (_words(r"meadows?"), ("the meadow",)),
    ),
    ground="the grass",
    imagery=pool(
        (
            "The flowers closed their petals, one by one,",
            "And said goodnight to the warm and setting sun.",
        ),
        (
            "The empty swings swayed gently to and fro,",
            "As if the breeze was playing, soft and slow.",
        ),
        (
            "Beside the pond, the ducks were tucked in tight,",
            "With heads beneath their wings, all snug for night.",
        ),
        (
            "The grass was cool and soft beneath {their} toes,",
            "And sweet smells drifted up from every rose.",
        ),
        (
            "A bumblebee went buzzing home to bed,",
            "With pollen sprinkled on its fuzzy head.",
        ),
        (
            "{They} kicked a ball across the grassy ground,",
            "And chased it round and round and round and round.",
        ),
        (
            "The tall old trees stood guard beside the gate,",
            "And whispered, “Go on, play! It's not too late!”",
        ),
    ),
    farewell=pool(
        (
            "The daisies nodded, “Off you go, sleep tight!”",
            "And fireflies lit the path with twinkly light.",
        ),
        (
            "{They} waved goodbye to duck and bee and tree,",
            "As calm and happy as a heart can be.",
        ),
    ),
    helpers=_helpers(
        "a friendly robin/the robin/hopping",
        "a little snail/the snail/sliding",
        "a kind old duck/the duck/waddling",
        "a busy squirrel/the squirrel/scampering",
        "a little hedgehog/the hedgehog/snuffling",
    ),
    little_ones=_little(
        "a little duckling/the duckling",
        "a baby bunny/the bunny",
        "a tiny frog/the tiny frog",
        "a baby squirrel/the baby squirrel",
    ),
    problems=ALL_PROBLEMS,
    toy="ball",
)

CITY = Setting(
    key="city",
    keywords=_words(
        r"city",
        r"cities",
        r"towns?",
        r"streets?",
        r"villages?",
        r"markets?",
        r"bus(?:es)?",
        r"trains?",
        r"shops?",
        r"shopping",
        r"rooftops?",
        r"bakery",
        r"london",
        r"paris",
        r"new york",
        r"tokyo",
        r"downtown",
        r"skyscrapers?",
    ),
    hints=_words(r"houses?", r"lamps?", r"cars?", r"bridges?", r"cafe", r"library"),
    places=("the town", "the city"),
    special_places=(
        (_words(r"city", r"cities", r"downtown", r"skyscrapers?"), ("the city",)),
        (_words(r"villages?"), ("the village",)),
        (_words(r"towns?"), ("the town",)),
    ),
    ground="the street",
    imagery=pool(
        (
            "The streetlamps blinked awake, one by one,",
            "Like little moons, now that the day was done.",
        ),
        (
            "The windows glowed like lanterns, warm and bright,",
            "Where families were tucking in for the night.",
        ),
        (
            "The bakery smelled of bread all warm and sweet,",
            "And sleepy cats curled up along the street.",
        ),
        (
            "A little train went chugging, clickety-clack,",
            "Along the shiny, winding railway track.",
        ),
        (
            "High on the rooftops, pigeons cooed, “Sleep tight,”",
            "And tucked their heads in, feathery and white.",
        ),
        (
            "The big town clock went ticking, tick and tock,",
            "And counted down the minutes round the block.",
        ),
        (
            "The buses yawned and rumbled home to rest;",
            "The city lights were twinkling at their best.",
        ),
    ),
    farewell=pool(
        (
            "The city hummed a lullaby so low,",
            "And every streetlamp dimmed its friendly glow.",
        ),
        (
            "{They} waved goodbye to every light and shop,",
            "And the last bus gave a sleepy little stop.",
        ),
    ),
    helpers=_helpers(
        "a friendly pigeon/the pigeon/fluttering",
        "a kind old cat/the cat/padding",
        "a scruffy little dog/the dog/trotting",
        "a helpful lamplighter/the lamplighter/strolling",
    ),
    little_ones=_little(
        "a little kitten/the kitten",
        "a baby pigeon/the baby pigeon",
        "a tiny puppy/the puppy",
        "a little mouse/the little mouse",
    ),
    problems=ALL_PROBLEMS,
)

JUNGLE = Setting(
    key="jungle",
    keywords=_words(
        r"jungles?",
        r"rainforests?",
        r"tropical",
        r"monkeys?",
        r"parrots?",
        r"tigers?",
        r"vines?",
        r"safaris?",
        r"amazon",
        r"elephants?",
        r"toucans?",
    ),
    hints=_words(r"lions?", r"giraffes?", r"zoos?", r"frogs?", r"snakes?", r"hippos?"),
    places=("the jungle",),
    special_places=(),
    ground="a big green leaf",
    imagery=pool(
        (
            "Big leaves hung down like umbrellas, wide and green,",
            "The biggest leaves that anyone had seen.",
        ),
        (
            "The monkeys swung from vine to vine to vine,",
            "And called, “Goodnight!” in voices soft and fine.",
        ),
        (
            "A parrot with bright feathers, red and blue,",
            "Said, “Hello, [friend|friends]! And how do you do?”",
        ),
        (
            "A waterfall went splashing, cool and white,",
            "And sparkled silver in the starry night.",
        ),
        (
            "The frogs began to sing their evening song:",
            "“Ribbit, ribbit, ribbit,” all night long.",
        ),
        (
            "Sweet flowers bloomed in orange, pink, and red,",
            "And butterflies were going home to bed.",
        ),
        (
            "A sleepy sloth was hanging upside down,",
            "And gave a slow, slow smile, and not a frown.",
        ),
    ),
    farewell=pool(
        (
            "The frogs all sang, “Goodnight! Come back and play!”",
            "As {they} went home along the leafy way.",
        ),
        (
            "The monkeys waved goodbye from every tree,",
            "And the parrot called, “Sweet dreams from me!”",
        ),
    ),
    helpers=_helpers(
        "a chatty parrot/the parrot/flapping",
        "a cheeky monkey/the monkey/swinging",
        "a gentle elephant/the elephant/plodding",
        "a sleepy sloth/the sloth/inching",
        "a bright toucan/the toucan/flying",
    ),
    little_ones=_little(
        "a baby monkey/the baby monkey",
        "a little elephant/the little elephant",
        "a tiny tree frog/the tree frog",
        "a baby parrot/the baby parrot",
    ),
    problems=ALL_PROBLEMS,
    toy="ball",
)

DESERT = Setting(
    key="desert",
    keywords=_words(
        r"deserts?",
        r"dunes?",
        r"camels?",
        r"cactus",
        r"cacti",
        r"oasis",
        r"pyramids?",
        r"sahara",
    ),
    hints=_words(r"sand\w*", r"lizards?"),
    places=("the desert",),
    special_places=(),
    ground="the sand",
    imagery=pool(
        (
            "The sandy dunes rolled on like waves of gold,",
            "Still warm from all the sunshine they could hold.",
        ),
        (
            "A tall green cactus wore a flower on top,",
            "Just like a party hat, with a pink and yellow pop.",
        ),
        (
            "The desert sky was huge and deep and clear,",
            "With stars so bright, they seemed so very near.",
        ),
        (
            "A camel padded by on big soft feet,",
            "And hummed a tune, so steady and so sweet.",
        ),
        (
            "A little lizard yawned beside a stone,",
            "Then wriggled off to find a bed of its own.",
        ),
        (
            "{They} found a pool of water, cool and blue,",
            "With palm trees waving, “How do you do?”",
        ),
    ),
    farewell=pool(
        (
            "The dunes all glowed beneath the silver moon,",
            "And whispered, “Shh. Come back and visit soon.”",
        ),
        (
            "{They} waved goodbye to camel, dune, and tree,",
            "And the desert stars all winked, as bright as could be.",
        ),
    ),
    helpers=_helpers(
        "a kindly camel/the camel/swaying",
        "a little fennec fox/the fennec fox/trotting",
        "a wise old tortoise/the tortoise/plodding",
        "a friendly lizard/the lizard/scurrying",
    ),
    little_ones=_little(
        "a baby camel/the baby camel",
        "a tiny fox cub/the fox cub",
        "a baby tortoise/the baby tortoise",
        "a small lizard/the little lizard",
    ),
    problems=("star", "sleepless", "lost", "shy"),
)

FARM = Setting(
    key="farm",
    keywords=_words(
        r"farms?",
        r"farmyards?",
        r"barns?",
        r"tractors?",
        r"cows?",
        r"horses?",
        r"pigs?",
        r"sheep",
        r"chickens?",
        r"hens?",
        r"orchards?",
        r"haystacks?",
        r"ponies",
        r"pony",
    ),
    hints=_words(r"fields?", r"lambs?", r"ducks?", r"goats?", r"apples?", r"hay"),
    places=("the farm",),
    special_places=(),
    ground="the hay",
    imagery=pool(
        (
            "The big red barn was sleepy, warm, and wide,",
            "With cows and sheep all snuggled up inside.",
        ),
        (
            "The hens were roosting, all in a fluffy line,",
            "And clucked, “Goodnight! Tomorrow will be fine!”",
        ),
        (
            "The piglets dozed in straw beside the door,",
            "And every now and then, they gave a snore.",
        ),
        (
            "The fields were soft and golden with the hay,",
            "Where baby lambs had skipped and jumped all day.",
        ),
        (
            "The orchard smelled of apples, ripe and sweet,",
            "And clover tickled softly at {their} feet.",
        ),
        (
            "The horses nodded over the wooden gate,",
            "And softly neighed, “Hello! You're not too late!”",
        ),
    ),
    farewell=pool(
        (
            "The cows all mooed a soft and low goodbye,",
            "Beneath the big and starry country sky.",
        ),
        (
            "{They} waved goodnight to every hen and cow,",
            "And the old barn owl hooted, “Bedtime now!”",
        ),
    ),
    helpers=_helpers(
        "a kind old horse/the horse/trotting",
        "a clever sheepdog/the sheepdog/bounding",
        "a gentle cow/the cow/ambling",
        "a barn owl/the barn owl/swooping",
        "a friendly goose/the goose/waddling",
    ),
    little_ones=_little(
        "a little lamb/the lamb",
        "a fluffy chick/the chick",
        "a baby piglet/the piglet",
        "a tiny calf/the calf",
        "a little kitten/the kitten",
    ),
    problems=ALL_PROBLEMS,
)

DEFAULT = Setting(
    key="default",
    keywords=_NEVER,  # chosen when nothing else fits
    hints=_NEVER,
    places=("Dreamland", "the land of make-believe"),
    special_places=(),
    ground="the grass",
    imagery=pool(
        (
            "The path was lit by moonbeams, soft and pale,",
            "That sparkled like a shining silver trail.",
        ),
        (
            "The breeze was warm and smelled of something sweet,",
            "Like honey cakes and strawberries: a treat!",
        ),
        (
            "A little bird sang one last song for the day,",
            "Then tucked its head and sleepily flew away.",
        ),
        (
            "So many stars were sparkling overhead,",
            "“Like silver sprinkles on a cake!” {they} said.",
        ),
        (
            "The fireflies came out to dance and play,",
            "And lit the paths in a soft and golden way.",
        ),
        (
            "The crickets played a tune, so soft and low,",
            "Like tiny fiddles playing long ago.",
        ),
    ),
    farewell=pool(
        (
            "{They} waved goodbye to {place} and said,",
            "“We'll come again, but now it's time for bed!”",
        ),
        (
            "The crickets hushed, the breeze began to rest,",
            "And the last soft light was fading in the west.",
        ),
    ),
    helpers=_helpers(
        "a friendly owl/the owl/gliding",
        "a clever little fox/the fox/trotting",
        "a glowing firefly/the firefly/floating",
        "a little snail/the snail/sliding",
        "a cheerful hedgehog/the hedgehog/snuffling",
    ),
    little_ones=_little(
        "a baby rabbit/the baby rabbit",
        "a little duckling/the duckling",
        "a tiny mouse/the tiny mouse",
        "a baby bird/the baby bird",
    ),
    problems=ALL_PROBLEMS,
    title_place="Dreamland",
)

# Ties between settings go to the earlier one: "an underwater castle" is a sea story, and
# "a picnic on the moon" (a hint each for space and the garden) a space story.
SETTINGS: tuple[Setting, ...] = (
    SEA,
    SPACE,
    SNOW,
    JUNGLE,
    DESERT,
    MOUNTAINS,
    CASTLE,
    FARM,
    FOREST,
    GARDEN,
    CITY,
)
