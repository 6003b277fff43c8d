"""Helping a lost creature home: a little one has lost its way; the friends lead it back."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_FOUND = (
    move(
        [
            "Then {they} heard a (sniffle|little sob|tiny sigh) (from somewhere near|close "
            "by, quite near),",
            "(But listen|Hush now)! A (tiny|little|wobbly) voice (came|drifted) (soft|faint) "
            "and clear,",
        ],
        [
            "And there sat {little_a}, (sniffling|snuffling), (small and dear|oh dear).",
            "It was {little_a}, who (whispered|sniffed), “Is someone near?”",
        ],
    ),
    move(
        [
            "(Behind|Beside|Beneath) {sight}, where (nobody|no one) (thought|had thought) to see,",
            "And then {they} saw a (little|tiny) shape that (no one else|nobody else) could see,",
        ],
        [
            "It was {little_a}, as lost as lost could be.",
            "It was {little_a}, (as small|as sad) as (small|sad) could be.",
        ],
    ),
    move(
        [
            "(But look|Oh look)! Who was that, (so small|all alone), (all by itself at night|"
            "alone in the night)?",
            "Something (small|little) (peeked|peeped) out, (its eyes|two eyes) so (round|"
            "wide) and bright,",
        ],
        [
            "It was {little_a}, (lost|all lost), and (a little|ever so) (sad|shy) (tonight|"
            "that night).",
            "{Little} (looked up|blinked) with (big|wide) eyes, (not feeling quite right|"
            "holding on tight).",
        ],
    ),
)
_LOST = move(
    [
        "“I (wandered off|followed a moth|chased a leaf),” (said|sniffed) {little} <softly>,",
        "“I cannot find my way (back home|home again),” it (said|sighed) <softly>,",
        "“My home is {little_home_my},” it (whispered|said) <softly>,",
        "“I (only|just) (stopped|turned) to (look|play) (a while|a bit),” it (sniffed|said) "
        "<softly>,",
        "“(Everything|Each path) looks (the same|so big) (at night|in the dark),” it "
        "(sighed|said) <softly>,",
    ],
    [
        "“And now I (don't know|can't tell) which way to go!”",
        "“(Please|Oh please), (can|will) you help me home today?”",
        "“I'm (lost|so lost), and it is (getting late|late), "
        "(you see|you know|and I'm far from home).”",
        "“(Oh, how|How) I (wish|long) (to be|I were) (home|back) in bed tonight!”",
    ],
)
_COMFORT = move(
    [
        "{names} (knelt|bent) down (low|beside it) <when>,",
        "“(Don't worry|Don't be sad|There, there),” said {names} <say>,",
        "{Friend} (patted|nuzzled) {little} (kindly|softly), (and|then) (smiled|said) <say>,",
        "“(We're|We are) (here|with you) now,” said {names}. “(Please|Now), don't cry.”",
    ],
    [
        "“We'll (help|take) you home, (you'll see|we promise), (right away|without delay).”",
        "“(Come with us|Hold on tight), and (we will|we'll) find the way.”",
        "And {friend} (said|nodded), “I know the way!”",
        "“We'll (find|help you find) your home (together|all together), by and by.”",
        "“(Home|Your home) is (never|not) (far|so far) (when friends|with friends) are near.”",
    ],
)
_FOLLOW = move(
    [
        "{They} (followed|went along) the (winding|silver|moonlit) (path|trail) <sky>,",
        "{Friend} (led|showed) the way, past the <landmark>,",
        "(Over|Past|Around) {sight} {they} (went|{walked}) <move>,",
        "{They} looked (high and low|low and high) <when>,",
        "{Little} (rode|sat) on {their} (shoulder|hand) (all the way|the whole way) (there|home),",
    ],
    [
        "And {little} held on (tight|with hope) <when>.",
        "(Following|Watching for) the (signs|clues|pawprints), one by one <when>.",
        "(While|As) {sky_thing} (lit|showed) the way <sky>.",
        "Until at last {they} (saw|found) the way <when>.",
    ],
)
_HOME = (
    move(
        [
            "“(That's|There's) my home!” (cried|squeaked) {little} <say>,",
            "(A happy voice|Some happy voices|A joyful voice) called out from {little_home} "
            "<when>,",
            "And there it was, (just|right) by the <landmark>,",
        ],
        [
            "{Little} (ran|scampered|hurried) home <when>.",
            "And everyone felt <feel>.",
            "“Thank you, (friends|{names})!” {little} (cried|called) <say>.",
        ],
    ),
)
_THANKS = move(
    [
        "(Its family|Its mother|Its whole family) (hugged|snuggled) it (close|tight) <when>,",
        "{Little} (waved|smiled) goodbye from {little_home} <when>,",
    ],
    [
        "And (said|whispered), “Thank you, (kind|dear) friends, goodnight!”",
        "And {names} felt <feel>.",
    ],
)

PLOT = plot(
    "lost-home",
    "helping a lost creature home",
    [
        stanza(_FOUND, _LOST),
        stanza(_COMFORT, _FOLLOW),
        stanza(_FOLLOW, _HOME),
        stanza(_HOME, _THANKS),
    ],
    titles=[
        "{Cast_and} the Lost {Little_kind}",
        "The {Little_kind} Who Lost the Way",
        "A Way Home for {Little}",
        "How {Names} Helped {Little} Home",
        "The Night {Names} Found {Little}",
        "{Friend} and the Lost {Little_kind}",
        "Home Again, {Little_kind}",
        "The {Adj} Way Home",
        "{Little_kind}, Lost and Found",
    ],
    recaps=[
        "helped {little_a} find the way home to {little_home}",
        "took {little_a} home to {little_home}",
        "helped {little_a} who was lost find {little_home}",
    ],
    uses="little",
)
