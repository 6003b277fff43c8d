"""Making something together: the friend has an idea, everyone gathers what is needed, builds
it (with a wobble that is laughed off), and enjoys the finished thing."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# The idea: the friend has it, the second line says what it is.
_IDEA = move(
    [
        "Then {friend} had a (splendid|brilliant|wonderful) (idea|thought) "
        "(that night|right away),",
        "{Friend} looked around {place} and smiled a (secret|sudden|little) smile,",
        "“(Guess|Do you know) what I'd (love|like) to do?” {friend_says} {friend}, "
        "(with a smile|with delight|with glee),",
        "“Shall we make something (special|lovely|wonderful)?” asked {friend}, with a "
        "(smile|grin),",
        "{Friend} (beamed|brightened up) and (cried|said), “I know "
        "(what we can do|the thing to do)!”",
    ],
    [
        "“Let's make {make_a}, all together, me and you!”",
        "“Let's make {make_a}! Come on, let's start (right away|without delay)!”",
        "“Let's make {make_a}! Oh, wouldn't that be (a delight|just right)?”",
        "“Let's make {make_a}! It will only take a little while.”",
        "“We could make {make_a}, the (finest|biggest|best) one "
        "(you ever did see|there could be)!”",
    ],
)
# Everyone agrees and gets ready.
_YES = move(
    [
        "“(Oh yes|Yes, please|Hooray), let's!” (cried|called) {names}, "
        "(jumping with glee|jumping to and fro),",
        "“Oh yes!” said {names}. “[I'll|We'll] help you, too!”",
        "“(A lovely|A splendid|A wonderful) idea!” said {names}, “(a good one|a fine one), "
        "indeed!”",
        "{names} (clapped|jumped up|cheered) and (laughed|giggled) (with glee|in delight),",
        "{names} had never made {make_a} before,",
        "With sleeves rolled up, {names} (gave|grinned) a (great big|happy|cheeky) grin,",
    ],
    [
        "“Where shall we start? And what (will|do) we need?”",
        "And {friend} (laughed|said), “Then (let's|we'll) begin!”",
        "And everyone agreed it was a (splendid|lovely|happy) thing to do.",
        "“(Hooray|Yippee)! (Oh, what|What) fun this is going to be!”",
        "{Friend} (laughed|smiled), “Then this will be the first of many more!”",
        "“We'll (help|start) (right now|straight away)!” {they} (said|cried) <say>.",
        "And {friend} (giggled|chuckled), “Oh, how (nice|fine|grand)! (Come on|Come along), let's "
        "go!”",
    ],
)
# Gathering what is needed.
_GATHER = move(
    [
        "{They} (gathered|collected) (bits and bobs|odds and ends) "
        "(from here and there|from near and far|from all around),",
        "{They} (hunted|looked) everywhere {at_place}, (up and down|high and low),",
        "{Friend} knew (all|just) the (best|right) places to look, (all around|for miles around),",
        "{names} (carried|fetched) the (little|tiny) (bits|pieces), (one by one|two by two),",
        "{They} (put|gathered) (it all|everything) (together|in one place), in a (tidy|little) "
        "pile,",
    ],
    [
        "Until there was all that anyone could need, and plenty (more|to share).",
        "And {sky_thing} (peeped|looked) down to see what {they} had found.",
        "(And|Then) {friend} (brought|found) the (very last|final) (bit|piece) for {them}, too.",
        "And {friend} said, “(That's|Now that's) (enough|lots)! We have plenty to share!”",
        "And everything was ready, (tidy|neat) and (sorted|waiting) (in a row|just so).",
        "And {friend} said, “(That'll do|Perfect)! We'll be (done|finished) in a while!”",
        "And {friend} counted it all (twice|over), (with care|just for fun).",
    ],
)
# Building it, side by side.
_BUILD = move(
    [
        "Everyone set to work together, side by side,",
        "{Friend} held it all steady while {names} did the rest,",
        "{Friend} (called|said), “A little here, and a little there!”",
        "(Bit by bit|Piece by piece), {make} began to (grow|show),",
        "{They} worked and (hummed|sang) a (little|happy|working) (song|tune),",
        "{They} (fixed|tucked|pressed) each (piece|bit) in (tight|just so),",
        "Everyone (worked|helped) with a (busy|happy|cheerful) smile,",
    ],
    [
        "And everyone (helped|lent a hand) (all along|the whole way through).",
        "And every piece went (just|exactly) where it (ought to|should) go.",
        "And {make} (grew|got) (finer|better) all the while.",
        "And {they} felt (happy|cosy) and (proud|warm) inside.",
        "And every (part|piece) fitted (just|perfectly) right.",
        "And (everyone|each of them) (worked|helped) (with care|with pride), and did their "
        "(very best|best).",
        "And {names} (fitted|placed) each (bit|piece) with (tender|gentle) care.",
    ],
)
# The wobble, laughed off.
_WOBBLE = move(
    [
        "But (oops|oh my)! {Make} (wobbled|tipped) and (tumbled|toppled) down,",
        "{Friend} gave a (great big|tiny|sudden) sneeze, and (over|down) it fell,",
        "(Oops|Whoops)! One piece went on upside down, (quick as a blink|in a wink),",
        "{Friend} (pulled|tugged) the wrong bit, and it all went (crooked|lopsided), "
        "(just look|oh, look)!",
        "Then {make} went wibbly-wobbly, (like never before|as never before),",
    ],
    [
        "But {names} just (laughed|giggled), and {friend} (laughed|chuckled) (too|as well).",
        "No one minded one bit, and no one wore a frown.",
        "“(Never mind|No matter)!” laughed {friend}. “We'll (fix|mend) it in a wink!”",
        "And everyone (laughed|giggled) until their tummies shook.",
        "So {they} (laughed|giggled), and put it right, and (tried|started) once more.",
    ],
)
# Finished!
_DONE = move(
    [
        "At last {make} was (finished|ready|done), as (fine|grand) as (can|could) be,",
        "{They} stepped back to look, and oh, what a (sight|delight)!",
        "{Friend} added the (finishing|very last) touch, (just there|with care),",
        "The (very|) last (piece|bit) went (in|on), and {make} was done,",
        "“(Hooray|Hurray)! We did it!” (cried|laughed) {names} <say>,",
    ],
    [
        "There never was a (finer|lovelier) one, not anywhere!",
        "“We made it (all|) together!” {they} (cried|said) <say>.",
        "And everyone cheered, for the making had been such fun.",
        "“(Look|Just look) what we made!” {they} (laughed|cried) <say>.",
        "And {friend} (clapped|cheered) and (cheered|clapped), as happy as can be.",
        "(It was|Oh, it was) (even|much) (better|finer) than {they} had (hoped|planned) "
        "(it would be|before).",
    ],
)
# Enjoying it.
_ENJOY = move(
    [
        "{They} named {make} “Sir Wobbles”, the grandest name by far,",
        "{Friend} danced a happy dance, and {names} sang along,",
        "{They} (sat|stayed) (close by|beside it) for a (while|little while),",
        "{Sky_thing} peeped (down|in) to see it, and smiled a (silver|happy|sleepy) smile,",
        "{They} showed it to {sight}, (each and every one|for everyone to see),",
        "Everyone gathered round to (admire|look at) it, (one and all|big and small),",
        "Oh, how {they} (played|laughed) (with|beside) {make}, "
        "(with such delight|till the stars shone bright),",
    ],
    [
        "And {they} felt as proud as proud could be.",
        "And {friend} (said|laughed), “What [a clever friend|clever friends] you are!”",
        "It was the (happiest|loveliest) {night} of all.",
        "“We made it together, and that's the (best|nicest) (part|thing) of all.”",
        "And {friend} (said|whispered), “Let's make another one "
        "(some other night|tomorrow night)!”",
        "(And|So) {they} (sat|stayed) there, smiling, for a (while|little while).",
        "And {friend} (smiled|grinned) the (widest|biggest|happiest) smile.",
        "And {sky_thing} (hummed|sang) a (happy|merry|sleepy) song.",
        "And everyone agreed it was the (best|finest) fun under the sun.",
    ],
)

PLOT = plot(
    "make-together",
    "making something together",
    [
        stanza(_IDEA, _YES),
        stanza(_GATHER, _BUILD),
        stanza(_WOBBLE, _DONE),
        stanza(_ENJOY, _ENJOY),
    ],
    titles=[
        "{Cast_and} {Make}",
        "The Wobbly {Make_kind}",
        "{Friend_s} Big Idea",
        "A {Make_kind} for Everyone",
        "Making {Make} with {Friend}",
        "The {Make_kind} That {Names} Made",
        "The {Adj} {Make_kind}",
    ],
    recaps=[
        "made {make_a} with {friend}",
        "helped {friend} make {make_a}",
        "made {make_a} together",
    ],
    uses="make",
)
