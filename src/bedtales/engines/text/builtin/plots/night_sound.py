"""A night-time sound: a funny "fweee… puff" nobody can place; it is not the friend, nor the
breeze; the friends follow it and find a little one fast asleep, snoring. They tuck it in and
tiptoe away, giggling without a sound."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_HEAR = move(
    [
        "Then, all of a sudden, {they} heard a (funny|curious|peculiar) sound,",
        "But (hark|listen|hush)! What was that, so soft and so small?",
        "{They} stopped, for something (funny|curious) was in the air,",
        "“(Hush|Shh)!” said {friend}. “What's that I hear, nearby?”",
        "Then something (funny|curious) came (floating|drifting) through the night,",
        "A (funny|curious|tiny) noise came (drifting|floating) along,",
        "Then came a (funny|curious) sound, from somewhere (down|just) below,",
        "{Friend} stopped and whispered, “Listen, (my dear|dear)!”",
    ],
    [
        "“Fweee… puff! Fweee… puff!” it went, all around.",
        "A (little|tiny) whistle, then a (snuffle|puff), (so|ever so) slow.",
        "“Fweee… puff… fweee… puff…” from somewhere over there!",
        "It went “Fweee!” and then “Puff!”, (soft|small) and clear.",
        "A whistle and a snuffle, from somewhere close by.",
        "A (whistle|snuffle) and a puff, not loud at all.",
        "“Fweee… puff! Fweee… puff!” like a (funny|sleepy) song.",
        "“Fweee… puff… fweee!” it went, with all its might.",
    ],
)
_WONDER = move(
    [
        "“What's that?” said {names} <say>.",
        "{names} (giggled|blinked). “What can it be?”",
        "{They} (listened|held still) and heard it (once more|again, once more).",
        "“(How|Oh, how) (funny|curious)!” {friend} (said|laughed) <say>.",
        "It came again, so (funny|silly) and small.",
    ],
    [
        "“Let's (go|tiptoe) and (look|find out), so we can see!”",
        "{They} giggled, for it was such a (funny|silly) sound after all.",
        "“Let's follow it!” said {friend} <say>.",
        "So off {they} (tiptoed|crept) to explore.",
        "“What is making that (noise|sound)?” asked {names} <say>.",
    ],
)
_NOT_YOU = move(
    [
        "“Was it you?” {names} asked {friend} (with a grin|with a wink),",
        "{names} (looked|peeked) at {friend} and asked, “Was that you?”",
        "“Is somebody whistling?” asked {names} <say>,",
        "“Was that you?” {names} asked {friend}, (looking|peeking) around,",
        "{They} turned to {friend}, who (seemed|looked) (puzzled|surprised) (too|as well),",
    ],
    [
        "“Not me!” {friend_says} {friend}. “I (never|don't) make that sound!”",
        "“Not me!” {friend} laughed. “Not me, it's true!”",
        "“Not me!” (giggled|chuckled) {friend}. “(Honestly|Really), it wasn't me!”",
        "“No, not me,” said {friend}, “but let's (find out|go and see)!”",
        "“Not me!” said {friend}. “I'm (puzzled|curious) too!”",
        "“Not me!” said {friend}. “Let's (look|find out)! Let's begin!”",
    ],
)
_NOT_THAT = move(
    [
        "Was it {sight}? No, they were (fast asleep|sleeping deep),",
        "Was it the (breeze? No, the breeze|wind? No, the wind) had gone to bed,",
        "{They} (peeked|looked) (by|beside|near) the <landmark>,",
        "{They} (looked|peeked) (behind|beside) {sight}, but (nothing|no one) was there,",
        "{They} looked high and low, and here and there,",
    ],
    [
        "And the (funny|curious) sound went on, louder still.",
        "So {they} (crept|tiptoed) on, a little further (along|ahead).",
        "(Nothing|No one) there! Just the funny sound, (once more|as before).",
        "So {they} (looked|searched) somewhere else instead.",
        "And the sound went on, from who knows where!",
        "“Fweee… puff!” went the sound, (soft and deep|as soft as sleep).",
    ],
)
_FOLLOW = move(
    [
        "Everyone followed the sound <move>,",
        "(Closer and closer|Nearer and nearer) (crept|tiptoed) everyone <move>,",
        "{Friend} (led|showed) the way, past the <landmark>,",
        "The sound (grew|got) (louder|clearer), (just|right) nearby,",
        "“(Shh|Hush)!” whispered {friend}. “It's close — it's (just|right) ahead!”",
        "{They} (tiptoed|crept) (on|along), (by|in) the {colour} light,",
    ],
    [
        "“Fweee… puff!” went the sound again, (soft|sleepy) and slow.",
        "And the sound grew (louder|closer) with every (hop|tiptoe).",
        "“Fweee… puff! Fweee… PUFF!” (So|Oh,) close by!",
        "“Fweee… puff!” The sound came from a (cosy|little|snug) bed!",
        "And there, (just|right) ahead, was a (cosy|snug|little) nook, tucked away.",
        "And there {they} (saw|spotted) a little shape, curled up (tight|out of sight).",
    ],
)
_FOUND = move(
    [
        "{They} (looked|peeked) (behind|among) {sight}, just out of sight.",
        "{They} (peeked|peeped) (by|beside) the <landmark>.",
        "And what do you think {they} found (there|at last)?",
        "(Very gently|Ever so gently), {they} (peeked|peeped) (inside|round the side).",
        "At last, {they} saw what made the sound, (right there|just there).",
        "{They} (tiptoed|crept) (up close|a bit closer), and saw where it lay.",
        "{They} peeked, and who was there, fast asleep?",
    ],
    [
        "It was {little_a}, fast asleep and snoring away!",
        "It was {little_a}, snoring, (snug|curled up) and (small|tight)!",
        "There lay {little_a}, fast asleep — and snoring a little (tune|song)!",
        "Why, it was {little_a}, snoring (in its sleep|soft and deep)!",
        "It was {little_a}, fast asleep and snoring, safe and sound!",
        "There was {little_a}, snoring (softly|away), tucked up inside!",
        "It was {little_a}, snoring without a care!",
    ],
)
_GIGGLE = move(
    [
        "“So that was the (sound|noise)!” giggled {names}, (oh|ever) so low,",
        "{They} tried (so hard|hard) not to giggle aloud,",
        "{Friend} (smiled|blinked) and whispered, “(Well|Oh), who knew?”",
        "“Shh!” said {friend}. “Let it sleep, (so soft|nice) and deep!”",
        "{Little} (snuffled|snored), “Fweee… puff!”, and turned around,",
    ],
    [
        "And {little} whistled on, “Fweee… puff,” just so.",
        "How funny! A tiny snore — that was the sound!",
        "So {they} (tiptoed|crept) closer, and didn't make a peep.",
        "And {names} (hid|held in) a giggle too.",
        "“Fweee… puff!” went {little}, not very loud.",
    ],
)
_TUCK = move(
    [
        "{names} tucked {little} in, (snug|cosy) and tight,",
        "“Goodnight, (little|sleepy) one,” {they} whispered, so low,",
        "{Friend} hummed a (tiny|little) lullaby, (soft|sweet) and low,",
        "Then on tiptoe, tiptoe, {they} crept away,",
        "{They} (crept|stole) (back|away) on tiptoe,",
        "{Friend} tucked it in, as snug as a bug,",
    ],
    [
        "And {little} smiled in its sleep: “Fweee… puff… goodnight!”",
        "“Sweet dreams,” (whispered|said) {friend}, “and snore till day!”",
        "And {little} snored on, “Fweee… puff,” so slow.",
        "And {little} (snuggled|nestled) (in|down), (warm|cosy) and snug.",
        "And the sleepy “Fweee… puff” went with {them} all the way.",
        "And {little} (curled up|snuggled down), (cosy|warm) all night.",
    ],
)

PLOT = plot(
    "night-sound",
    "a funny sound in the night, and where it came from",
    [
        stanza(_HEAR, _WONDER),
        stanza(_NOT_YOU, _NOT_THAT),
        stanza(_FOLLOW, _FOUND),
        stanza(_GIGGLE, _TUCK),
    ],
    titles=[
        "{Cast_and} the Funny Little Sound",
        "What Was That Sound?",
        "Fweee… Puff!",
        "A Sound in the {Night}",
        "Listen, {Names}!",
        "{Friend} and the Curious Sound",
        "The {Adj} Mystery Sound",
        "Who Is Whistling, {Names}?",
        "{Names_s} Night-Time Mystery",
    ],
    recaps=[
        "followed a funny sound and found {little_a} fast asleep and snoring",
        "heard a curious sound in the night, and found where it came from",
        "tracked a little “fweee… puff” all the way to {little_a}",
    ],
    uses="little",
)
