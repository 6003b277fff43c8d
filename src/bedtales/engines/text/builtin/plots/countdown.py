"""Counting down to sleep: ten little stars come down to play, and one by one they grow sleepy
and float home, ten, nine, eight … until only one is left.

Each couplet counts on from the one before, so its first line names the stars still there.
Where a couplet counts two steps, its lines are sorted by rhyme sound so that whichever pair
is drawn, the count runs right (a "four" line only meets a "three" line that follows it).
"""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_TEN = move(
    [
        "Then down, down, down came ten little stars, (tumbling|floating) from the sky,",
        "Ten little stars came (tumbling|twinkling|floating) down to play,",
        "“Look!” said {friend}. “Ten little stars have come to stay!”",
        "Ten little stars slid down a moonbeam, in a row,",
        "Whee! Ten little stars came (sliding|tumbling) down, so bright,",
        "Ten little stars came down to shine,",
        "Ten little stars came (twirling|tumbling) all around,",
    ],
    [
        "They (landed|settled) (softly|gently) in a (twinkly|sparkly) line.",
        "“Hello!” (chimed|sang) the stars. “(Can|May) we play?”",
        "“Hello!” (chimed|sang) the stars. “Hooray, hooray!”",
        "And they danced and twirled without a sound.",
        "{names} counted them (all|up): ten! And oh, what a sight!",
        "And {friend} waved and (said|called), “Hello, hello!”",
        "And they (twinkled|giggled) and winked, so (friendly|merry) and shy.",
    ],
)
_NINE = move(
    [
        "Ten little stars (played tag|danced) in a (twinkly|shining) line,",
        "Ten little stars began to (twinkle|sparkle) and glow,",
        "“Ten little stars!” laughed {names}. “How they (shine|twinkle and shine)!”",
        "Ten little stars (began|started) to (play|sway),",
        "Ten little stars (sang|hummed) a (sleepy|twinkly) (song|tune),",
    ],
    [
        "Then one gave a yawn and floated home, and then there were nine.",
        "One whispered, “Goodnight!” and (flew|floated) home — (so|and) that left nine.",
        "Then one said, “(I'm sleepy|I'm tired), goodnight!” — and that left nine.",
        "Till one (yawned|blinked) and floated away, and nine could stay.",
        "Then one (yawned|blinked) and (floated|drifted) home, and nine were left below.",
        "Till one (yawned|blinked) and floated home, and nine (sang|hummed) along.",
    ],
)
_EIGHT = move(
    [
        "Nine little stars (stayed up|played on) (so late|very late),",
        "Nine little stars (stood|lined up) (in a row|tall and straight),",
        "Nine little stars played (hide-and-seek|peekaboo) (till late|till it was late),",
        "Nine little stars (danced|twirled) around {friend}, (soft and slow|just so),",
        "Nine little stars (said|whispered), “We're not sleepy! (We can wait|Let's wait)!”",
    ],
    [
        "Then one (yawned|sighed) and floated home, and then there were eight.",
        "One said, “(Goodnight|Night-night), I'm off to bed!” — and that left eight.",
        "Then one little star curled up (to sleep|for the night) — and that left eight.",
        "Then one (went|floated) home, and eight danced on, nice and slow.",
        "One (waved|blinked) “(Goodbye|Goodnight)!” and (flew|floated) home, and that left eight.",
    ],
)
_SEVEN = move(
    [
        "Eight little stars began to sway,",
        "Eight little stars sang, “(Hip, hip, hooray|Hooray, hooray)!”",
        "Eight little stars (twinkled|giggled) with delight,",
        "Eight little stars (jumped|bounced) up high,",
        "Eight little stars (spun|twirled) around and around,",
    ],
    [
        "Then one (floated|drifted) away, and seven (stayed|were left) to play.",
        "But one was sleepy and (floated|drifted) off, and seven could stay.",
        "Then one (waved|said) goodnight, and seven were left, shining bright.",
        "Then one (floated|drifted) home, and seven (sang|hummed) a lullaby.",
        "Then one (floated|tiptoed) home, and seven danced without a sound.",
    ],
)
_SIX = move(
    [
        "Seven little stars (sat|curled up) in a (twinkly|sleepy) row,",
        "Seven little stars (sang|hummed) (soft|sweet) and low,",
        "Seven little stars (yawned|blinked) at the sky,",
        "Seven little stars (danced|played), as merry as can be,",
        "Seven little stars (twirled|danced) around {names} with delight,",
    ],
    [
        "Then one (floated|drifted) home, and six (stayed|were left) to glow.",
        "Then one (said|whispered) goodbye, and six (twinkled|shone) nearby.",
        "Then one went home to bed, and six (danced|played) on with glee.",
        "One (yawned|sighed) “Goodnight!” and six were left, twinkling bright.",
        "Then one (went home|floated off), and six gave a (happy|sleepy) sigh.",
    ],
)
_FIVE = move(
    [
        "Six little stars were (getting|feeling) (sleepy|drowsy) and (slow|shy),",
        "Six little stars (curled|snuggled) up tight,",
        "Six little stars (hummed a lullaby|gave a sleepy sigh),",
        "Six little stars (rubbed|blinked) their (sleepy|twinkly) eyes,",
        "Six little stars (huddled|snuggled) (close|up) in a (heap|sleepy heap),",
    ],
    [
        "Then one (flew|floated) home, and five (twinkled|glowed) on, (all in a row|soft and low).",
        "One (waved|blinked) goodbye, and five were left, still twinkling bright.",
        "Then one (floated|tiptoed) home (to the sky|up high), and five (waved|called) goodbye.",
        "Then one (went|floated) home, and five (stayed on|were left), half asleep.",
        "Then one (flew|floated) home, and five looked up in (surprise|sleepy surprise).",
    ],
)
# Two steps: a line ending "four" (or "snore" …) meets only a line counting on from four.
_THREE = move(
    [
        "Five little stars were as sleepy as sleepy could be,",
        "Five little stars (yawned|whispered), “Oh my, sleepy me!”",
        "Five little stars sat down for a cup of (tea|sleepy tea),",
        "Five little stars (danced one last dance|sang one last song) with glee,",
        "Five little stars (yawned|blinked), and five became four,",
        "(Yawn|Blink)! One more went home, and five became four,",
    ],
    [
        "Then five became four, and four became three.",
        "Then off went one, and another — four, then three!",
        "(Then|And) one, then one more, (floated|tiptoed) home: four, then three.",
        "Then four became three, and they began to snore.",
        "And four became three, who could not play any more.",
    ],
)
_ONE = move(
    [
        "(Blink|Yawn)! Three became two, and two became one,",
        "(Yawn|Blink), (yawn|blink)! Three, then two — then there was one,",
        "Three little stars (waved|blinked), and three became two,",
        "Then three became two, as sleepy stars do,",
    ],
    [
        "Just one little star, and the counting was done.",
        "The littlest star, who'd had the most fun.",
        "And the counting had been such fun.",
        "And two became one: one little star, (twinkling|winking) at you!",
        "Then two became one, and one (whispered|twinkled), “Goodnight to you!”",
        "And two became one, and the counting was through.",
    ],
)

PLOT = plot(
    "countdown",
    "counting down to sleep: ten little stars go home one by one",
    [
        stanza(_TEN, _NINE),
        stanza(_EIGHT, _SEVEN),
        stanza(_SIX, _FIVE),
        stanza(_THREE, _ONE),
    ],
    titles=[
        "Ten Little Stars",
        "{Cast_and} the Ten Little Stars",
        "Ten, Nine, Eight… Goodnight!",
        "Counting Stars with {Friend}",
        "Counting Down with {Names}",
        "The {Adj} Countdown",
        "One Little Star Left",
        "{Friend} and the Sleepy Stars",
        "How Many Stars, {Names}?",
    ],
    recaps=[
        "counted ten little stars home to bed, one by one",
        "said goodnight to ten little stars, one by one",
        "waved ten sleepy stars home to bed",
    ],
)
