"""Who is awake? The friends tiptoe about asking who is still awake; every answer is sleepier
than the last, until the only ones awake are the listeners — and now it is their bedtime too."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_SHH = move(
    [
        "{Friend} whispered, “(Shh|Hush)…” (soft and low|as quiet as could be),",
        "“Let's play a (quiet|sleepy|hushing) game,” {friend} (whispered|said) (with a yawn|soft "
        "and low),",
        "{They} (tiptoed|crept) (along|about) with {friend}, (soft|quiet) and slow,",
        "(Softly|On tiptoe), {friend} led {them} (round|about) on (tiny|quiet) (toes|feet),",
        "{They} (tiptoed|crept) (behind|after) {friend}, heel to toe,",
        "{Friend} (whispered|said), “(Let's|Come and) play a game with me,”",
        "The {night} was (quiet|hushed), (soft and deep|as still as a lake),",
        "{Friend} said, “(I know|Here's) a (sleepy|quiet) game (for you|to do),”",
    ],
    [
        "“Who is still awake?” {they} (asked|wondered), (ever so|very) low.",
        "“Who is awake,” {they} (wondered|whispered), “and who's (asleep|gone to sleep)?”",
        "“(Now|So), who is still awake? Let's (go and see|tiptoe and peep)!”",
        "“Let's find out who's awake, and who is (fast|half) asleep.”",
        "“Who is still awake? Let's (tiptoe|creep) and find out, who knows!”",
        "“Who's still awake, I wonder, (so late|so long) before the dawn?”",
        "“(Who|Now who) is still awake, and who is sleepy (now|too)?”",
    ],
)
_ASK_SIGHTS = move(
    [
        "{They} (tiptoed|crept) up to {sight} and (whispered|asked), “Who is awake (nearby|out "
        "there|tonight)?”",
        "“(Are you|Is anyone) awake?” {they} (asked|whispered to) {sight} (close by|nearby),",
        "{They} (asked|whispered to) {sight}, “Are you awake (tonight|right now)?”",
        "“Who is awake?” {they} (asked|whispered to) {sight}, (soft and slow|on tiptoe),",
        "{They} (bent|leaned) close to {sight}: “Is anyone (awake|still up) in there?”",
        "{They} (tiptoed|crept) up to {sight} without a peep,",
        "{They} (peeped|peeked) at {sight} and (whispered|asked), “(Shh|Hush)… who's awake to "
        "play?”",
    ],
    [
        "“Not us,” came a (sleepy|rustly|drowsy) (whisper|yawn), “we're (nearly|almost) asleep.”",
        "“We're (ever so|far too|much too) sleepy,” came the (soft|sleepy|drowsy) reply.",
        "“Not us! We're (dozing|drifting) off. (Goodnight|Sleep tight)!”",
        "A (tiny|little) yawn came back, and a (sleepy|drowsy) “Oh… hello.”",
        "“Shh… we're dreaming,” came (the answer|a hush), (soft|quiet) and slow.",
        "“Not us,” came a yawn, “we're sleepy now — (another day|some other day)!”",
        "“Shh… not us,” came a (sleepy|drowsy) yawn from somewhere.",
    ],
)
_ASK_LITTLE = move(
    [
        "{They} (found|spotted|came upon) {little_a}, (snug and small|tucked up tight),",
        "(Snuggled|Nestled) near {sight}, {they} (found|saw) {little_a}, curled up round,",
        "{They} (asked|whispered to) {little_a}, “(And|What about) you? Are you awake (too|, "
        "too)?”",
        "(Then|Next) {they} (peeped at|found) {little_a}, (snuggled deep|in a cosy heap),",
        "(There|Nearby), {little_a} (blinked|peeped) (out|up) with (sleepy eyes|a sleepy sigh),",
        "{They} (found|heard) {little_a}, (humming|singing) a (sleepy|little) song,",
    ],
    [
        "“I'm (only|just) a (little|tiny) bit awake,” it (yawned|said), “but not for long.”",
        "It (gave|let out) a (tiny|little) yawn and (whispered|murmured), “Nearly… asleep.”",
        "“(Nearly|Almost) asleep,” it (yawned|sighed), and snuggled down (for the night|out of "
        "sight).",
        "“Only a little,” it (murmured|yawned), “and getting sleepier, it's true.”",
        "It gave a (sleepy|drowsy) nod, and curled up in a ball.",
        "“I was,” it (yawned|smiled), “but now I'm (dozing|drowsy)… (night-night|goodnight), "
        "bye-bye!”",
        "It gave a (sleepy|drowsy) yawn, and (snuggled|settled) down without a sound.",
    ],
)
_ASK_THING = move(
    [
        "“(And|Now) what about {thing}?” {they} (wondered|whispered), (peeping|tiptoeing) "
        "(near|by),",
        "{They} (asked|tried) {thing} (next|too), (on tiptoe|as quiet as a mouse),",
        "{Thing} {thing_was} (nodding|swaying|dozing) (gently|softly) (there|to and fro),",
        "(Next|And then), {they} (asked|whispered to) {thing}, (so hushed and still|soft and "
        "light),",
        "“Who is awake?” {they} asked {thing} (once more|too),",
    ],
    [
        "But the only answer was a (sleepy|drowsy|gentle) sigh.",
        "A (hush|yawn) came back: “Too sleepy (to play|now)… (goodnight|sleep tight)!”",
        "And all {they} heard was a (tiny|soft|drowsy) snore.",
        "{Thing} {thing_was} (already|far too) (dreaming|sleepy), it was true.",
        "“(Nearly|Almost) asleep…” came a (drowsy|whispery) voice, (soft|thin) and low.",
        "And everything (was|lay) (hushed|quiet), (soft|calm) and (deep|slow).",
        "A (sleepy|drowsy) “Shh!” came (floating|drifting) through the air.",
    ],
)
_MOON_ANSWERS = [
    "“Only half awake,” the moon (smiled|yawned), “to keep you company tonight.”",
    "The moon (yawned a silver yawn|smiled a sleepy smile) and hid behind a cloud.",
    "“I'm (only|just) half awake,” (smiled|yawned) the moon, “to light the way for you.”",
    "The moon just (yawned|winked) and (whispered|murmured), “Almost asleep.”",
    "The moon gave a (slow|sleepy) silver (wink|blink) and dimmed down slow.",
    "“Me? I'm dozing,” (sighed|yawned) the moon, “sleepy through and through.”",
    "“I'm (nearly|almost) asleep,” the moon (yawned|sighed) in reply.",
]
_MOON_GRINS = [
    *_MOON_ANSWERS,
    "“Only just awake,” the moon (said|yawned) with a (sleepy|silver) grin.",
]
_ASK_MOON = (
    move(
        [
            "{They} (looked|gazed) up at the moon and (called|whispered), “Are you awake (too|up "
            "there)?”",
            "“(Dear moon|Moon), are you awake?” {they} (whispered|called) (up high|to the sky),",
            "(Up|High) above, the moon (was|sat) (shining|glowing) (bright|white),",
            "{They} (asked|called to) the moon, so round and (white|bright),",
            "“Are you awake, (dear|kind) moon?” {they} (whispered|called), (soft and low|ever so "
            "low),",
            "{They} (called|whispered) up to the moon, (softly|gently), not (too loud|aloud),",
            "{They} (asked|whispered to) the moon, with a yawn so deep,",
        ],
        _MOON_ANSWERS,
        needs="out",
    ),
    move(
        [
            "{They} (peeped|peeked) (out of|through) the window at the moon (so bright|up high),",
            "{They} tiptoed to the window to ask the moon (outside|up high),",
            "(Through|In at) the window, the moon (was|sat) peeping in,",
            "(Beyond|Outside) the window, the moon (was|hung) (big|round) and (bright|high),",
            "“Are you awake, (dear|kind) moon?” {they} (whispered|called) (through the window|at "
            "the glass), (soft and low|ever so low),",
            "{They} called to the moon through the window, not (too loud|aloud),",
            "{They} (asked|whispered to) the moon, who was peeping in too,",
            "{They} (peeped|peeked) at the moon, and asked it with a yawn so deep,",
        ],
        _MOON_GRINS,
        needs="in",
    ),
)
_ASK_FRIEND = move(
    [
        "{They} (turned|looked) to {friend} (and asked|to ask), “(And|What about) you?”",
        "“(And|Now) are you awake?” {they} (asked|whispered to) {friend} (with a smile|with a "
        "grin),",
        "But {friend} was yawning, (slow and deep|wide and slow),",
        "{Friend} gave a (great big|long, slow|sleepy) yawn and (stretched up high|rubbed both "
        "eyes),",
        "Even {friend} was (blinking|nodding) now, (and yawning wide|and sleepy too),",
    ],
    [
        "“Only just,” (yawned|mumbled) {friend}, “I'm (nearly|almost) asleep.”",
        "“Me? Hardly,” {friend} (yawned|sighed). “My eyes are (heavy|sleepy) (now|too).”",
        "{Friend} (mumbled|murmured) something (sleepy|drowsy) and low.",
        "“Not for long,” {friend} (yawned|murmured). “I'll be asleep in a while.”",
        "“Mmm… (nearly|almost) dreaming,” came {friend}'s (reply|sleepy sigh).",
        "“(Only just|Barely),” yawned {friend}, “my dreams are about to begin.”",
        "{Friend} (nodded|swayed) and (yawned|sighed), “I'm (sleepy|drowsy) (deep inside|as can "
        "be).”",
    ],
)
_HUSH = move(
    [
        "{Sight} (were|lay) (sleeping|dreaming|dozing), (soft|calm) and deep,",
        "{Little} was (snoring|dreaming) (softly|gently), (snug and round|snug and tight),",
        "The moon was (dozing|drowsing), and {sight} (lay still|were dreaming too),",
        "Everything (was|lay) (hushed|quiet), (soft and slow|calm and deep),",
        "(Now|So) {sight} (were|lay) (sleeping|asleep), (every one|each and every one),",
        "{Friend} was (nodding off|yawning and yawning), (drifting down|snug and sound),",
        "All {at_place} was (sleeping|hushed), (soft and deep|calm and slow),",
    ],
    [
        "And (all|everyone) was (fast|sound) asleep.",
        "And not a (thing|leaf|whisker) stirred, all around.",
        "And the {night} was <soft_as>.",
        "And every (sleepy|little) eye was (closed|shut) for the night.",
        "And the whole {night} was (calm|soft) and (blue|new).",
        "And the (busy|long) day was done.",
        "And the (sleepy|drowsy) {night} (hummed|sighed), sweet and low.",
    ],
)
_ONLY_YOU = move(
    [
        "{Friend} (looked|peeped) (all|) around and (yawned|whispered), “(Now|So) who, oh who?”",
        "“Who is still awake?” (asked|whispered) {friend}. “Shall I tell you (who|true)?”",
        "The (sleepy|drowsy) {night} (whispered|sighed) its answer, (soft|velvet) and blue,",
        "{Friend} (smiled a sleepy smile|yawned one last yawn) and (said|whispered), “(I "
        "know|Guess) who!”",
        "Everything else was (sleeping|asleep), (through and through|the whole night through),",
        "(And|So) who was (left|still) awake? (Can you guess|Do you know) who?",
    ],
    [
        "“Only you — and now it's time for you to (sleep|dream), too.”",
        "“(Why|Well), only you! (So|Now) close your eyes, as sleepyheads do.”",
        "Only {names}! And now it was {their} (bedtime|turn to sleep) too.",
        "“Only you, [sleepyhead|sleepyheads]! And your (bed|pillow) is waiting for you.”",
        "“(Only you|Just you)! And soon your dreams will come (drifting|floating) through.”",
        "“Only you are (still|left) awake — and now you're yawning, too!”",
    ],
)

PLOT = plot(
    "who-is-awake",
    "asking who is still awake, until only the listeners are",
    [
        stanza(_SHH, _ASK_SIGHTS),
        stanza(_ASK_LITTLE, _ASK_THING),
        stanza(_ASK_MOON, _ASK_FRIEND),
        stanza(_HUSH, _ONLY_YOU),
    ],
    titles=[
        "Who Is Awake, {Names}?",
        "Who Is Still Awake?",
        "Hush, {Names}! Who Is Awake?",
        "Only You, {Names}",
        "{Friend} Asks Who Is Awake",
        "{Friend_s} Tiptoe Game",
        "Everyone Is Sleepy But You",
        "The {Adj} Who-Is-Awake Walk",
        "Shh! Who Is Awake This {Night}?",
    ],
    recaps=[
        "tiptoed around with {friend}, asking who was still awake",
        "asked the moon and {little_a} who was still awake",
        "played the who-is-awake game with {friend}",
    ],
    uses="little",
)
