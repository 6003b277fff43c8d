"""A dream inside the story: the characters doze off beside the friend, dream a short, happy
dream (a cloud, a sea of light, a castle of cushions) in which a star gives them a small
present, and wake to find the present (the story's item) really there."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# ----------------------------------------------------------------------------- dozing off

_DROWSY = move(
    [
        "{They} sat down to rest (beside|with) {friend}, (nice and slow|soft and slow),",
        "{Friend} (hummed|sang) a (drowsy|sleepy|gentle) (tune|song), "
        "(soft and deep|as soft as sleep),",
        "The {night} was (warm|soft) and hushed, (with hardly a sound|all around),",
        "{names} gave a (great big|long|sleepy) yawn, all the way from nose to toes,",
        "{They} (curled up|snuggled down) (close|cosy) by the <landmark>,",
        "All the fun had made {them} (very|ever so) sleepy, it would seem,",
    ],
    [
        "And eyelids grew heavy, and (drooped|sank) (so|oh so) low.",
        "And little by little, (sleepy|heavy) eyelids (drooped|closed) into a doze.",
        "And before long, {names} [was|were] sound asleep.",
        "And (softly|slowly), {they} (drifted|floated) off into a dream.",
        "Till {names} (nodded|dozed) off without a sound.",
    ],
)
_DRIFT = move(
    [
        "In the dream, {they} floated up on a (fluffy|big white|puffy) cloud,",
        "{They} dreamed of (floating|drifting) (high|up) (on|upon) a (fluffy|big white) cloud,",
        "In the dream, {they} (sailed|drifted) across a sea of (twinkling|shining|silver) light,",
        "In the dream, {they} (bounced|tumbled) through a castle made of cushions, "
        "(piled high|so high),",
        "In the dream, {they} (slid|rode) (down|along) a (moonbeam|rainbow), with a glide,",
        "{They} dreamed of a (garden|meadow) where the (flowers|daisies) (sang|hummed) "
        "(to the moon|a lullaby),",
    ],
    [
        "And everything was <soft_as>.",
        "And the (stars|moon) (sang|hummed) a lullaby, (soft|warm) and bright.",
        "And (oh|my), how (light|happy) {they} felt, (floating|drifting) (by|so high)!",
        "And {friend} was there too, (smiling|waving) (wide|with pride).",
        "And a (gentle|friendly) breeze (hummed|sang) a (dreamy|drowsy) tune.",
        "And {they} (laughed|giggled) (out loud|aloud).",
    ],
)

# ----------------------------------------------------------------------------- the dream

_DREAMLAND = move(
    [
        "A (smiling|friendly|kind) (star|old moon) (floated|came) (down|by) to say hello,",
        "Little fish swam through the sky, and teacups danced (by|in a row),",
        "{They} (danced|skipped) (with|beside) the (stars|moon), "
        "(round and round|without a sound),",
        "The moon (laughed|giggled) a (silver|tinkly|jingly) laugh, "
        "(as soft as snow|and waved hello),",
        "{They} (bounced|jumped) from one cloud to the next, (way up high|so high),",
    ],
    [
        "For in a dream, (anything|everything) can happen, you know.",
        "It was the (dreamiest|silliest|happiest) dream, (way up high|up in the sky)!",
        "And (everything|the whole sky) (twinkled|giggled) (all around|with a happy sound).",
        "And {friend} (twirled|danced) along, with a (silver|golden) glow.",
        "And the whole dream (felt|was) <soft_as>.",
    ],
)
_GIFT = move(
    [
        "Then a (smiling|twinkly|kind) star (brought|gave {them}) {item_a}, "
        "(down from up high|all the way from the sky),",
        "In the dream, {they} found a present, (wrapped|tied) (up|) with a ribbon of blue,",
        "A (kind|sleepy|smiling) moon (held out|gave {them}) {item_a} (to keep|to hold),",
        "Into {their} [hand|hands|hands], a (little|twinkly) star (dropped|placed) {item_a}, "
        "(so small|just so),",
        "“(Here|This) is {item_a} for you,” (sang|said) a (friendly|twinkly) star, "
        "(shining bright|so bright),",
    ],
    [
        "And inside (it|the present) was {item_a}, (all shiny|sparkly) and new.",
        "And {they} (held|kept) it (close|tight), the (dearest|loveliest) (thing|present) of all.",
        "It (twinkled|shimmered) like a (drop|sliver) of (moonlight|starlight).",
        "“(Keep it safe|It's yours),” it (whispered|smiled), “now (off you go|away you fly)!”",
        "“(Hold it tight|Keep it safe),” it (whispered|said), “(while|as) you sleep.”",
        "“This is for you,” it (whispered|said), “worth more than gold!”",
    ],
)

# ----------------------------------------------------------------------------- waking

_WAKE = move(
    [
        "Then {names} (blinked|woke) and rubbed (sleepy|dreamy) eyes,",
        "“(Wake up|Hello), [sleepyhead|sleepyheads]!” (said|laughed) {friend}, soft and low,",
        "{names} (woke|sat up) with a stretch and a (smile|sleepy smile),",
        "And (softly|slowly), the dream (faded|floated) away, as dreams do,",
        "A (little|tiny|gentle) breeze (came|crept) by and tickled a (sleepy|dreamy) nose,",
    ],
    [
        "And there sat {friend}, (smiling|looking) kind and wise.",
        "“You dozed off,” (smiled|laughed) {friend}, “for a (little|tiny) while!”",
        "“Did you have a (lovely|happy) dream?” asked {friend}. “I hope so, too!”",
        "“Welcome back!” (laughed|smiled) {friend}. “I kept watch over you.”",
        "And {sky_thing} still shone, with a (silver|gentle) glow.",
        "“(Atishoo|Achoo)!” And the dream was gone, the way a dream goes.",
    ],
)
_SIGN = move(
    [
        "But look! What was that, (held tight|tucked) in {their} [hand|hands|hands], "
        "(after all|so small)?",
        "Then {they} (felt|found) something (small|tiny) close by, just so,",
        "Was it only a dream? It seemed so, until…",
        "Something (small|tiny) (twinkled|glinted) in {their} [hand|hands|hands], "
        "(so small|just there),",
        "{names} (looked|peeped) down in wonder, and what was there to see?",
        "{Friend} (pointed|smiled) and (whispered|said), “Look! What's that, (right|just) there?”",
    ],
    [
        "It was the {item} from the dream, (twinkling|shining), and small.",
        "The {item} from the dream, with a (silver|starry|dreamy) glow!",
        "The {item} from the dream, (shining|twinkling) there still!",
        "The {item} from the dream! But how, and from where?",
        "The {item} from the dream, (as real as real|as bright as bright) could be!",
    ],
)

# ----------------------------------------------------------------------------- a dream to keep

_KEEP = move(
    [
        "{They} (tucked|put) the {item} (safe|snug) in a pocket, nice and deep,",
        "{names} held the {item} (close|tight) and smiled (at the night|with delight),",
        "“[I'll|We'll] keep it for ever,” whispered {names}, soft and low,",
        "The {item} (twinkled|glowed) like a (tiny|little) (star|lantern), "
        "(warm and bright|so bright),",
        "(Oh|My), what a dream, and what a (lovely|wonderful) (find|surprise),",
    ],
    [
        "A little piece of the dream, to treasure and keep.",
        "For some dreams leave a little something behind.",
        "And {they} felt <feel>.",
        "“[I'll|We'll] always remember this dream, [I|we] know!”",
        "And it (sparkled|shimmered) back in the (silver|soft) moonlight.",
    ],
)
_WONDER = move(
    [
        "{Friend} (winked|smiled) and (said|whispered), “Some dreams are real, you (see|know),”",
        "“Was it a dream?” {they} (wondered|asked). {Friend} (just|only) gave a wink,",
        "{They} (looked|gazed) up at {sky_thing}, (twinkling|shining) (so high|in the sky),",
        "(And|So) {they} (smiled|grinned), the way (dreamers|happy dreamers) do,",
        "{Sky_thing} (winked|shone), as if to say, “(Hello|I know)!”",
        "“(How|But how) did it get here?” {they} (wondered|whispered), wiggling sleepy toes,",
    ],
    [
        "And the {item} (twinkled|winked) (back|too), as if it knew.",
        "And {names} (smiled|grinned) (back|too), (quick as a blink|with a blink).",
        "And {they} felt <feel>.",
        "And the night (seemed to|did) (wink|twinkle) (back|too), (way up high|from the sky).",
        "And {friend} (just|only) (smiled|winked) and (said|whispered), “Who knows?”",
    ],
)

PLOT = plot(
    "dream",
    "a little dream that leaves something behind",
    [
        stanza(_DROWSY, _DRIFT),
        stanza(_DREAMLAND, _GIFT),
        stanza(_WAKE, _SIGN),
        stanza(_KEEP, _WONDER),
    ],
    titles=[
        "{Names_s} {Adj} Dream",
        "Forty Winks with {Friend}",
        "The {Item_kind} from a Dream",
        "Was It Only a Dream?",
        "{Cast_and} the Dream",
        "The {Adj} Nap",
        "What {Names} Dreamed",
        "A Dream That Came True",
        "{Friend} and the Dreamers",
    ],
    recaps=[
        "dreamed a little dream that left {item_a} behind",
        "dreamed of {item_a} and found it on waking",
        "dozed off with {friend} and dreamed of {item_a}",
    ],
    uses="item",
)
