"""A light that went out: the friends' lantern (indoors, the lamp) goes out; kind lights come to
help — the moon, the stars, tiny twinkling lights, a neighbour's candle — and they say thank you."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# ----------------------------------------------------------------------------- the light goes out

_GOES_OUT = [
    "Then, flicker, flicker… (pop|puff)! Out went the (light|glow).",
    "Then the (little|tiny|sleepy) flame (went out|blinked out) with a (tiny|little|sleepy) sigh.",
    "Then — blink, blink, blink! — it (faded|flickered) out of sight.",
    "But then the (little|tiny) flame gave a yawn, and (went to sleep|said goodnight).",
    "Then the light (blinked|winked) out, (soft and slow|ever so slow).",
]
_LANTERN = (
    move(
        [
            "{They} carried a (little|paper|{colour}) lantern, (held up high|swinging by),",
            "{Friend} led the way with a lantern's (friendly|{colour}|cosy) glow,",
            "(Their|The) (little|paper) lantern (swung|bobbed) and (shone|glowed) so bright,",
            "The lantern (glowed|shone) (upon|along) the (path|way) for all to see,",
            "(Swinging|Swaying) (to and fro|side to side), the lantern lit the way,",
        ],
        [
            *_GOES_OUT,
            "Then (puff|whoosh)! The (light|glow) (blinked|slipped) away.",
            "But then — one, two, three — the (light|glow) was gone, (quick as can be|just like "
            "magic, you see).",
        ],
        needs="out",
    ),
    move(
        [
            "The (little|old|reading) lamp (glowed|shone) (warm and bright|close by),",
            "(The|A) candle (flickered|glowed), (soft|warm) and (gold|low),",
            "{They} (sat|snuggled) by the (lamp|lamplight), (cosy|warm) and bright,",
            "The lamp (made|cast) a (cosy|golden|{colour}) (glow|pool) upon the floor,",
            "(Everything|Each corner) (glowed|shone) in the lamp's (warm|soft) (light|glow),",
        ],
        [
            *_GOES_OUT,
            "But soon the glow grew dim, and dimmer — and then (no more|was gone, no more).",
        ],
        needs="in",
    ),
)
_DARK = move(
    [
        "Now everything was (dim|dark) and (hushed|soft) and deep,",
        "The dark (was|felt) soft, like a (great big hug|quilt so deep),",
        "{names} (stayed|snuggled) close to {friend}, (snug and tight|safe and tight),",
        "“(Don't worry|It's all right),” said {friend}, “the dark is (kind|gentle) too.”",
        "(Shh|Hush), (listen|look)… the {night} was (soft|quiet) and deep,",
        "{They} stood (very|ever so) still, as quiet as could be,",
    ],
    [
        "“Shh,” (said|whispered) {friend}, “the dark is only the {night}, fast asleep.”",
        "“Let's wait a (little|tiny) while,” said {friend}, “and we'll find some light.”",
        "“(Just wait|Let's wait) and see what (little|kind) (lights|friends) come shining "
        "through.”",
        "“Stay close,” (said|smiled) {friend}, “as snug as a bug.”",
        "“We'll find a (little|tiny) light,” said {friend}, “just wait and see.”",
        "“Stay close to me,” (said|whispered) {friend}, “we'll wait here, you and me.”",
    ],
)

# ----------------------------------------------------------------------------- finding light

_LOOK = move(
    [
        "{They} (looked|peered) this way and that, (left and right|all around),",
        "“Where could we find a little light?” {they} (wondered|asked) (aloud|out loud),",
        "{They} stood (very|ever so) still, and (looked|peeped) (about|around),",
        "{They} waited (a while|a moment), (quiet|hushed) and low,",
        "{Friend} (whispered|said), “(Wait|Look)… let's look (around|about),”",
    ],
    [
        "Then something (twinkled|glimmered), small and bright.",
        "Then a (tiny|little) (glow|light) came (bobbing|floating) round and round.",
        "And then a (tiny|little) (speck|spark) of light peeped out.",
        "Then, look! A (tiny|little) glow, as soft as a cloud.",
        "And a (tiny|little) light (peeped|twinkled) out, (small|shy) and proud.",
        "Then, (just|right) ahead, there (shone|gleamed) a (tiny|little) glow.",
    ],
)
_HELP_SAYS = [
    "It was only small, but it (shone|glowed) (just right|warm and true).",
    "And now {they} could see a (little|tiny) bit more.",
]
_HELP = (
    move(
        [
            "It was a (cloud|swirl) of (tiny|twinkly) (glowing|shining) (lights|specks), "
            "(bobbing|dancing) (near|high),",
            "(Up|High) above, {sky_thing} (peeped|slipped) out (from behind a cloud|to say hello),",
            "The clouds (rolled|drifted) back, (and|so) {sky_thing} (could|began to) (shine|glow),",
            "(A|One) (tiny|little) (light|glow) (came|bobbed) (near|close), then (two|three), then "
            "four,",
            "{Sky_thing} (came out|peeped out) (and shone|to shine) <bright_as>,",
            "(Then|And) {they} (saw|spotted) (some little lights|a tiny glow) along the way,",
        ],
        [
            *_HELP_SAYS,
            "And everything began to (twinkle|glimmer), soft and slow.",
            "And the dark (grew|turned) (soft|gentle) and (gold|bright).",
            "“(Look|Oh, look)!” (cried|whispered) {names}. “A light! (Hooray|Hip, hooray)!”",
            "It was as if (little|tiny) stars had (floated|drifted) down from the sky.",
        ],
        needs="out",
    ),
    move(
        [
            "(Through|Past) the window, {sky_thing} (peeped|shone) (in|in to see),",
            "A kind (neighbour|friend next door) (knocked|tapped) with a candle (bright|at the "
            "door),",
            "{Friend} found a candle (waiting|left) by the door,",
            "A (silver|{colour}) moonbeam (crept|slipped) in across the floor,",
            "(A|The) (little|tiny) night-light (blinked|flickered) awake in the dark,",
        ],
        [
            *_HELP_SAYS,
            "And its gentle glow (shone|twinkled) like a (spark|little spark).",
            "And (everyone|all of them) (smiled|gave) a (happy|great big) grin.",
            "And the room was as (cosy|cheerful) as (could be|can be).",
        ],
        needs="in",
    ),
)
_MORE = (
    move(
        [
            "(Then|And then) came (more|other) (little|tiny) lights, (two|three) and (four|more),",
            "(One by one|Little by little), the stars peeped out (to play|to light the way),",
            "(More|Other) (little|tiny) lights came (bobbing|dancing) in a (row|line),",
            "{Friend} (called|whispered), “Come, little lights, and (show us home|light the way)!”",
            "(Everything|All around) (began|started) to (glimmer|shimmer) and (shine|glow),",
        ],
        [
            "(And|So) the (gentle|friendly) (glow|light) (grew|spread) (more and more|all around).",
            "Now everyone could see the (way|path) to go.",
            "And {names} (laughed|smiled) to see them play.",
            "And every (little|tiny) light began to shine.",
            "And {they} (laughed|cheered), “Our (shining|twinkly) friends are here to stay!”",
            "Soon the whole {night} was (twinkling|glimmering), soft and slow.",
        ],
        needs="out",
    ),
    move(
        [
            "(Then|And) {friend} found (a candle|a little lamp) or two,",
            "{Sky_thing} (peeped|shone) in through the window, soft and (bright|white),",
            "Then the stars peeped in and lit up the (stair|chair),",
            "{Friend} (found|fetched) (another|a second) (lamp|candle) for more light,",
            "(Soon|And soon) the (room|place) was (glowing|shining) (gold and bright|once more),",
        ],
        [
            "And now the way ahead was (plain to see|clear and bright).",
            "And every corner was (twinkling|glowing), soft and (bright|white).",
            "And everything was (golden|glowing), through and through.",
            "And soon there was a (glow|light) (everywhere|to share).",
            "And the room felt cosy and safe and (right|light).",
        ],
        needs="in",
    ),
)
_LIT = move(
    [
        "All around now (glowed|shone), (soft and gold|warm and white),",
        "Now {they} could see each step, (so clear|quite clear),",
        "{Friend} (smiled|beamed) as the (light|glow) spread (wide|far and wide),",
        "The {night} (shimmered|sparkled), (golden|shiny) and new,",
        "The dark was gone, and all was (glowing bright|as bright as day),",
    ],
    [
        "And everyone felt (full of cheer|glad inside|happy all through).",
        "The (light|glow) was <bright_as>.",
        "“(Hooray|Hurrah)!” cried {names}, for all was right.",
        "And on {they} went, (happy|glad) and light.",
        "And all {at_place} looked <look>.",
    ],
)

# ----------------------------------------------------------------------------- thank you

_THANK = move(
    [
        "{names} (called|whispered), “Thank you (for the light|for lighting the way)!”",
        "{They} (waved|bowed) a thank-you to (every|each) (little|tiny) (glow|light),",
        "“Thank you, (kind|dear) (friends|helpers)!” {they} (said|called) (and bowed down low|once "
        "more),",
        "{Friend} (bowed|nodded) low and (said|whispered), “(Thank you|Many thanks), (one and "
        "all|each and every one)!”",
        "(And|So) {they} (said|whispered) “thank you” (soft and low|loud and clear),",
    ],
    [
        "(And|Then) the (lights|glow) twinkled back, as if to say, “Goodnight!”",
        "And every little light (winked|blinked) back, as if to say, “Come back another day!”",
        "And the lights seemed to twinkle (brighter|even brighter) than before.",
        "What a (lovely|happy) thing, to have friends who glow!",
        "“Goodnight,” the lights (twinkled|whispered), “goodnight, everyone!”",
        "“It was our pleasure,” came a (tiny|twinkly) call.",
        "And the (glow|lights) (twinkled|shimmered), warm and near.",
    ],
)
_RELIT = move(
    [
        "And then — (guess what|look)! — {their} own little light (blinked|flickered) on once "
        "more,",
        "The (little|sleepy) flame (woke up|yawned awake) and (stretched|grew) (tall|bright),",
        "(Now|So) everything (was|shone) (lovely|warm) and (clear|new),",
        "{Friend} (smiled|grinned), “There's always a light (if you look|when friends care),”",
        "(Now|So) all the (little|kind) lights (shone|twinkled) (to guide the way|so bright),",
    ],
    [
        "And {they} felt (warm|cosy), happy, and (light|snug).",
        "(And|So) no one (minded|feared) the dark (at all|any more).",
        "{names} (laughed|smiled), “The dark is lovely with friends like you!”",
        "And the path (ahead|home) (shone|glowed) <bright_as>.",
        "And everyone (smiled|cheered), happy and light.",
        "And now there was light (enough|and more) to share.",
        "And the {night} felt cosier than ever before.",
    ],
)

PLOT = plot(
    "lantern",
    "a light that went out, and the kind lights that helped",
    [
        stanza(_LANTERN, _DARK),
        stanza(_LOOK, _HELP),
        stanza(_MORE, _LIT),
        stanza(_THANK, _RELIT),
    ],
    titles=[
        "{Cast_and} the Little Lights",
        "The Night the Lantern Went Out",
        "A Light for {Names}",
        "Little Lights for {Names}",
        "When the Light Went Out",
        "The {Adj} Lantern",
        "Thank You, Little Lights!",
        "{Friend} and the Kind Lights",
        "Who Lit the Way, {Names}?",
    ],
    recaps=[
        "lit the way with {friend} when the light went out",
        "found a little light again with {friend}",
        "thanked the kind little lights that helped {friend} find the way",
    ],
)
