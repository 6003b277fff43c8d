"""Searching for a lost thing: the friend has lost something dear; everyone looks for it."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_MISSING = (
    move(
        [
            "“Oh (dear|no|my)!” (sighed|said) {friend}, (looking|peering) (all around|round "
            "and round),",
            "{Friend} (searched|hunted) (high and low|here and there), (all|up and down) "
            "(the|across the) ground,",
        ],
        [
            "“I've (lost|dropped) my {item}, and it's nowhere to be found!”",
            "“My {item}'s gone! It (must have|could have) (slipped|rolled) (away|off) "
            "without a sound!”",
        ],
    ),
    move(
        [
            "{Friend} (patted|searched) every (pocket|corner|nook) (from top to toe|high and low),",
            "{Friend} (looked|peered) (this way and that|up and down), (so worried|so sad), "
            "(and so|and slow),",
        ],
        [
            "“My {item}! I (had|held) it (just|only) a moment ago!”",
            "“I've lost my {item}, (and I miss it so|and where it is, I do not know)!”",
        ],
    ),
    move(
        [
            "But {friend} (looked|seemed) (worried|a little sad|glum), (and gave a sigh|"
            "with a tear in one eye),",
            "{Friend} (stopped|stood still) and (gasped|sighed) (a little sigh|a tiny sigh),",
        ],
        [
            "“It was (right|just) here!” said {friend}. “Oh, (my|dear), oh why?”",
            "“I've lost my {item}! (Won't you|Will you) help me try?”",
        ],
    ),
)
_PROMISE = (
    move(
        [
            "“(Let's|We'll) (look|search) together, (every|each) (single|last) one,",
            "“A (lost thing|thing that's lost) is (just|only) a (hunt|game) (begun|to be won),",
        ],
        [
            "And (looking|searching) (for things|together) (can be|is) (ever such|such) fun!”",
            "We'll (find|look for) your {item} (before|till) (the night is|our hunt is) done!”",
        ],
    ),
    move(
        [
            "{names} (rolled up|pushed up) {their} sleeves (right|straight) away,",
            "“(Don't worry|Don't fret|Never mind), (dear|kind) {friend_kind},” {names} "
            "(said|called) (without delay|right away),",
        ],
        [
            "“We'll find your {item}, (you'll see|just wait), (without delay|straight away)!”",
            "“Come on, (everyone|friends)! Let's (look|search) (this way|every way)!”",
            "“(Two|Many|Lots of) (eyes|hands) (look better|are quicker) than one, (they say|"
            "hooray)!”",
        ],
    ),
)
_SEARCH = (
    move(
        [
            "{They} (looked|peeked|searched) (under|behind|beside) {sight}, (all around|round "
            "and round),",
            "{They} (tiptoed|crept) (about|along), (their|with) (noses|eyes) (close to|low to) "
            "the ground,",
        ],
        [
            "But the {item} was nowhere to be found.",
            "But not a (glint|twinkle|sign) of the {item} (could be|was) found.",
        ],
    ),
    move(
        [
            "{They} (lifted|turned over) (every|each) (stone|leaf|cushion) (they could see|"
            "that there could be),",
            "{Friend} (peeked|peered) (inside|behind) (a box|a basket|a cup), (as quick|"
            "as quiet) as could be,",
        ],
        [
            "But no {item}! “(Oh, where|Where) (can|could) it be?”",
            "But all they found was a (sleepy|snoozing) (snail|beetle), who yawned, “Not me!”",
        ],
    ),
    move(
        [
            "{They} (looked|searched) (high and low|low and high) (and here and there|and "
            "everywhere),",
            "{They} (asked|called to) {sight}, “Have you seen it anywhere?”",
        ],
        [
            "But the {item}, (sad to say|it seemed), was not there.",
            "“Not here,” (they said|said everyone). “Let's look over there!”",
        ],
    ),
)
_FOUND = (
    move(
        [
            "Then something (twinkled|glinted|sparkled) (in the grass|by a stone|nearby), "
            "(small and bright|tiny and bright|shiny and bright),",
            "(Look|Oh, look)! What was that, (so shiny|so small|so {colour}), (peeping|"
            "peeking) into sight?",
        ],
        [
            "It was the {item}! (Oh, what a|What a happy|What a lovely) sight!",
            "(There|Why, there) was the {item}, (tucked in tight|safe and tight)!",
        ],
    ),
    move(
        [
            "{names} (spotted|noticed) something (small|shiny|{colour}) (on the ground|"
            "all curled round),",
            "(A|One) (gleam|glint|twinkle) (peeped|shone) out (from under|from behind) "
            "{sight}, (low to the ground|without a sound),",
        ],
        [
            "It was the {item}, (safe|snug) and sound!",
            "The {item}! (Found at last|Hooray), it's found!",
        ],
    ),
    move(
        [
            "And there, where (nobody|no one) (had thought|would think) to look, it lay,",
            "(Tucked|Hidden) (in a nook|in a corner), (snug|cosy) as (could be|can be), it lay,",
        ],
        [
            "The {item}! (Found at last|Found, found, found)! (Hooray|Hurrah), hooray!",
            "(Waiting|Sitting) (for|till) (someone|a friend) (to come|came) (along|by) that way.",
        ],
    ),
)
_JOY = (
    move(
        [
            "{Friend} (danced|twirled) (a happy jig|a little dance|round and round), (full of "
            "glee|as glad as can be),",
            "“(Thank you|Oh, thank you), (dear|kind) friends!” (cried|laughed) {friend}, "
            "(happy as can be|full of glee),",
        ],
        [
            "“(I'll|I will) keep it (safe|close) (right here with me|for ever, you'll see)!”",
            "“You're the (best|kindest) (friends|finders) there could be!”",
        ],
    ),
    move(
        [
            "{Friend} (hugged|held) the {item} (close|snug) and tight,",
            "{Friend} gave {them} (a hug|a great big hug|a happy squeeze) (so warm and "
            "tight|that felt just right),",
        ],
        [
            "And everyone (laughed|cheered|clapped) (with delight|in the soft moonlight).",
            "And the {item} (shone|gleamed|twinkled) (bright|so bright|warm and bright).",
        ],
    ),
)

PLOT = plot(
    "lost-thing",
    "searching for a lost thing",
    [
        stanza(_MISSING, _PROMISE),
        stanza(_SEARCH, _SEARCH),
        stanza(_FOUND, _JOY),
    ],
    titles=[
        "{Cast_and} {Item}",
        "The Search for {Item}",
        "{Friend_s} Lost {Item_kind}",
        "Where Is {Item}?",
        "The Night {Item} Went Missing",
        "{Names} and the Missing {Item_kind}",
        "Found: One {Item_kind}",
        "High and Low for {Item}",
        "The {Adj} Search",
    ],
    recaps=[
        "found the {item} that {friend} had lost",
        "searched high and low for {item_a}, and found it",
        "helped {friend} find {item_a}",
    ],
    uses="item",
)
