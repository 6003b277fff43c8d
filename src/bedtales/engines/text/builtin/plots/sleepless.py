"""A little one who cannot sleep: the friends try counting, a lullaby or a warm drink, a story
or gentle rocking, and a cuddle, until it yawns and drifts off."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_WIDE_AWAKE = move(
    [
        "(There|Nearby), by {sight}, {they} (found|spotted) {little_a}, (eyes open wide|wide awake "
        "that night),",
        "{They} found {little_a}, (tossing and turning|fidgeting) (to and fro|left and right|round "
        "and round),",
        "Then {they} (met|came upon) {little_a}, as wide awake as (could be|can be),",
        "(Beside|Near) {sight} sat {little_a}, its eyes (wide|big) and (bright|round),",
        "{They} found {little_a} that could not (sleep a wink|sleep tonight),",
        "(There|Nearby), {they} (heard|found) {little_a}, (sighing|fidgeting) (in the "
        "night|wide-eyed and shy),",
    ],
    [
        "It (wriggled to the left, and it wriggled|wiggled to the left, and it wiggled) to the "
        "right.",
        "“I can't sleep!” it (sighed|said), and gave a (wide-awake|worried) blink.",
        "“I can't sleep,” it sighed, “(however|no matter how) hard I try!”",
        "It (sighed|said), “(Oh dear|Oh my), my eyes won't (close|shut) (at all|tight)!”",
        "It tossed and (turned|fidgeted), and gave a little sigh.",
        "“(Everyone else is sleeping|All the others are asleep), but not me!”",
        "“I can't (close|shut) my eyes,” it (said|sighed), “though I've tried and tried.”",
        "It (wriggled|wiggled) and jiggled, and (wriggled|tossed) all around.",
    ],
)
_WHY = move(
    [
        "“(What's the matter|Can't you sleep)?” {they} (asked|whispered) (with care|kind and "
        "true),",
        "{Friend} (sat|knelt) down (close by|nearby) and asked it, “(What's wrong|Can't you "
        "sleep)?”",
        "“(Oh dear|Poor little one),” said {names}, “(let us|we'll) help you (if we may|right "
        "away)!”",
        "{Friend} (leaned|bent) close and asked, “What's keeping you awake, (little one|my dear)? "
        "Tell us true.”",
        "{They} (sat down|snuggled up) (close|beside it), (nice and near|not far at all),",
    ],
    [
        "“My head is (buzzing|full of thoughts),” it (sighed|said), “and my toes are wriggly too!”",
        "“I've tried and tried,” it (sighed|said), “but sleep just won't come my way!”",
        "“The night (feels|is) so big,” it (sighed|whispered), “and I'm so small!”",
        "“I can't get (comfy|cosy),” it (sighed|said), “though I've wriggled (all night long|so "
        "long)!”",
        "“I keep (thinking|wondering),” it (sighed|said), “about the (busy|whole|long) day!”",
        "It (blinked|sighed), “Please, (can|will) you help me (get to sleep|fall asleep)?”",
        "“I'm wide awake,” it (sighed|said), “the whole night through!”",
        "“I'm not a (bit|little bit) sleepy,” it (sighed|said), “oh dear!”",
        "“I've counted to a hundred,” it (sighed|said), “and I'm still not there!”",
    ],
)
_COUNTING = move(
    [
        "{Friend} (said|whispered), “Let's count some (sheep|stars), nice and slow,”",
        "So they all counted (woolly|fluffy) sheep that (hopped|jumped) over a gate,",
        "{They} counted (twinkly|tiny) (stars|bubbles|snowflakes), (one by one|up to four),",
        "“One (sheep|little sheep), two (sheep|little sheep)…” {they} (counted|whispered) (soft "
        "and slow|soft and low),",
        "(First|To start), {they} counted sheep to help it (sleep|doze),",
        "{They} counted (woolly sheep|twinkly stars) in a (long|wobbly) line,",
    ],
    [
        "But {little} just kept on counting, (more and more|more and more and more)!",
        "“Nine!” (said|cried) {little}, wide awake and feeling fine.",
        "But it was (still|just as) awake, though it was getting late.",
        "But {little} only (giggled|yawned a little) and said, “Not yet, oh no!”",
        "But {little} was (still|just as) awake when they were done.",
        "But {little} was (far|much) too wriggly, wiggling its toes.",
    ],
)
_LULLABY = move(
    [
        "So {names} (sang|hummed) a lullaby, (soft|slow) and low,",
        "{Friend} (hummed|sang) a (dreamy|sleepy) (tune|song) (about the moon|of the sea),",
        "“Let's sing a (lullaby|hushing song)!” (said|whispered) {friend}, and they all sang "
        "along,",
        "{They} (sang|hummed) “Hush, little one” (so sweet|soft and deep),",
        "{They} (sang|hummed), and a (gentle|sleepy) (lullaby|song) (floated|drifted) (by|nearby),",
    ],
    [
        "And {little} (swayed|nodded) along, but (still|it) (didn't|could not) sleep.",
        "{Little} (sang along, and sang|hummed along, and hummed) it all with glee.",
        "And {little}'s eyes grew (heavy|droopy), just a tiny bit, (you see|by and by).",
        "{Little} gave a tiny yawn, (at last|and a sigh).",
        "{Little} sighed a (dreamy|happy) sigh, and swayed to and fro.",
        "And {little} (hummed|murmured) along (with|to) the tune.",
        "And {little} (swayed|rocked) along with the song.",
        "{Little} (blinked|yawned) a (sleepy|slow) (blink|yawn), and gave a (little|happy) sigh.",
    ],
)
_DRINK = move(
    [
        "{Friend} (brought|fetched) a (cup|mug) of (something warm|warm milk) to drink,",
        "{They} (warmed|made) some milk with honey (in|too),",
        "“(A warm drink|Warm milk) (helps|will help),” said {friend}, “(let's|we'll) (make|fetch) "
        "(one|some) for you,”",
        "Next came a (cup|mug) of (warm|honey) milk, (warm and sweet|just right),",
        "{They} (blew on|stirred) the warm milk until it was just right,",
        "{Friend} (brought|fetched) warm milk in a (little|tiny|{colour}) mug,",
    ],
    [
        "{Little} took a (little|tiny|sleepy) sip, and gave a slow blink.",
        "And {little} (drank|sipped) it all, and smiled a milky grin.",
        "And {little} felt warm and cosy, (inside|all through).",
        "“Thank you,” (sighed|murmured) {little}, (so|all) warm and snug.",
        "And {little} drank every drop, then sighed, “That's (nice|lovely)… (goodnight|just "
        "right).”",
        "{Little} (sipped and sipped|drank and drank), and said, “What a treat!”",
    ],
)
_STORY = move(
    [
        "{Friend} (told|whispered) a (story|tale) about a sleepy (bear|moon),",
        "{names} (told|whispered) a (bedtime|gentle|quiet) (story|tale), (soft and low|soft and "
        "nice),",
        "“(Shall I|I'll) tell a story?” (whispered|asked) {friend}, and {little} snuggled (near|up "
        "tight),",
        "{They} told a tale of a (cloud|star|moon) that (yawned|nodded) and (drifted away|sailed "
        "along),",
        "“Once upon a time…” {friend} began, (soft and deep|slow and low),",
    ],
    [
        "And {little} (listened|snuggled), its eyes (half-closed|drooping) and slow.",
        "{Little} (listened|snuggled) close, and yawned once, then twice.",
        "By the end, {little} lay <soft_as>.",
        "“(And then|What happened)?” (yawned|murmured) {little}, so (drowsy|sleepy) (and "
        "slow|now).",
        "“The end,” said {friend}. {Little} yawned — (almost there|nearly asleep).",
        "And {little} (listened|snuggled) (in|with) (sleepy|drowsy) delight.",
        "{Little} (yawned|smiled), and (drifted|floated) off in a sleepy way.",
        "And {little} (listened|snuggled in), and yawned before too long.",
        "And {little} (listened|nodded), (as cosy as can be|drowsy and dear).",
    ],
)
_ROCK = move(
    [
        "{They} rocked {little} (gently|softly), (to and fro|nice and slow),",
        "{Friend} (rocked|swayed) {little} (to and fro|side to side),",
        "(Back and forth|To and fro), {they} (rocked|swayed) {little} (with care|just so),",
        "{They} (wrapped|tucked) {little} in (something|a blanket) <soft_as>,",
        "{They} (stroked|patted) {little} (gently|softly) (on the head|as it lay),",
    ],
    [
        "And it gave a (sleepy|drowsy|long) yawn (so wide|and sighed).",
        "Its (eyes|eyelids) (fluttered|flickered), (heavy as can be|drowsy and slow).",
        "It breathed (slow|slower), (soft|calm) and (light|free).",
        "{Little} (murmured|mumbled), “That's (nice|lovely)…” and (closed|shut) one eye.",
        "And {little} (snuggled|nestled) in, as snug as a bug.",
        "“(Again|Rock me more), please,” (yawned|murmured) {little} in a sleepy way.",
        "And soon it (nodded|drooped) its (sleepy|little) head.",
        "And it sighed a (long|soft) and sleepy sigh, just so.",
    ],
)
_CUDDLE = move(
    [
        "{Friend} gave {little} a (great big|gentle|cosy) hug,",
        "{They} cuddled {little} (close and near|safe and tight|the way good friends do),",
        "(Then|Last of all), (everyone|they all) gave {little} a cuddle, (soft and deep|with a "
        "happy glow),",
        "{Little} (snuggled|nestled) into the cosiest cuddle (of all|that could be),",
        "“(A cuddle|One more cuddle)?” (asked|whispered) {names}, and (everyone|they all) "
        "(hugged|snuggled) (tight|in),",
        "{They} (hugged|cuddled) {little} (close|tight) and (hummed|sang) a (little|sleepy) song,",
    ],
    [
        "And its eyes began to (droop|close), oh so slow.",
        "And that was (just|exactly) what {little} had needed all along.",
        "“Mmm, that's (nice|the best),” {little} (sighed|murmured), (warm and snug|half asleep).",
        "It yawned the (biggest|sleepiest) yawn you ever did see.",
        "And it felt so (safe|cosy) and warm, and just right.",
        "It (sighed|smiled) and snuggled closer, (safe and sound|cosy and small).",
        "“(Thank you|Thanks),” (yawned|sighed) {little}, “you're (the best|so kind), it's true.”",
        "It (yawned|sighed) a (happy|sleepy) yawn, and smiled a (sleepy|drowsy) grin.",
    ],
)
_YAWN = move(
    [
        "{Little} yawned (the biggest|a great big) yawn, (so wide|from side to side),",
        "{Little}'s eyelids (drooped|fluttered), (ever so slow|low and slow),",
        "{Little} (blinked|yawned) once, then twice, then once more,",
        "{Little} (nodded|drooped) its (sleepy|little|drowsy) head,",
        "{Little} (mumbled|murmured), “I'm not (sleepy|tired)…” and yawned (once more|a yawn so "
        "wide),",
        "{Little} (snuggled|cuddled) up (with|beside) {friend}, (warm and light|snug and deep),",
    ],
    [
        "“(Goodnight|Night-night),” it (mumbled|murmured|whispered), (ever so|soft and) low.",
        "It (snuggled|nestled) down, with {friend} close beside.",
        "It (snuggled|nestled) (down|deep) in its (cosy|soft|little) bed.",
        "And then came a tiny, (gentle|soft) snore.",
        "It breathed (slow and soft|soft and slow), (almost|nearly) asleep.",
        "And (slowly|softly), its eyes (shut|closed) tight.",
    ],
)
_DRIFT = move(
    [
        "{Little} (was|fell) (fast|sound) asleep (at last|before too long),",
        "{Little} (drifted|floated) off (at last|to the land of sleep),",
        "(Shh|Hush)! {Little} was (sleeping|snoring) (now|softly), (safe and sound|curled up "
        "round|snug and tight),",
        "(Now|So) {little} (slept|was sleeping), as (peaceful|quiet) as (could be|a summer day),",
        "{Little} (smiled|sighed) in its (sleep|dreams), (so soft and small|so sweet and small),",
    ],
    [
        "{They} tucked it in and whispered, “Sweet dreams, (goodnight|sleep tight).”",
        "“Sweet dreams,” (whispered|smiled) {friend}, “(and|now) sleep (soft|sweet) and deep.”",
        "(So|And) {they} (tiptoed|crept) away (without a sound|on tiptoe|as quiet as can be).",
        "And {they} carried it home (so gently|on tiptoe), every step of the way.",
        "And all the wide-awake (wriggles|wiggles) were past.",
        "And the whole {night} (felt|was) <soft_as>.",
        "And all {at_place} was (quiet|hushed), (as still as can be|soft and deep).",
        "“We did it,” {names} (whispered|smiled), not (loud|loudly) at all.",
        "And {friend} (hummed|sang) it one last (sleepy|little) song.",
    ],
)

PLOT = plot(
    "sleepless",
    "helping a little one who cannot sleep",
    [
        stanza(_WIDE_AWAKE, _WHY),
        stanza(_COUNTING, [_LULLABY, _DRINK]),
        stanza([_STORY, _ROCK], _CUDDLE),
        stanza(_YAWN, _DRIFT),
    ],
    titles=[
        "{Little} Cannot Sleep",
        "{Cast_and} the Wide-Awake {Little_kind}",
        "A Lullaby for {Little}",
        "The {Little_kind} Who Could Not Sleep",
        "Sleepy Now, {Little_kind}",
        "How {Names} Helped {Little} Sleep",
        "Counting Sheep with {Friend}",
        "One More Yawn, {Little_kind}",
        "The {Adj} Lullaby",
    ],
    recaps=[
        "helped {little_a} who could not sleep",
        "hummed {little_a} to sleep with {friend}",
        "rocked {little_a} to sleep",
    ],
    uses="little",
)
