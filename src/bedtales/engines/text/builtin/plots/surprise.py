"""A surprise: the friend whispers a secret about a little one nearby; everyone makes something
for a party, hides, and — surprise! — the little one is overjoyed.

The friend's secret gives the reason (a birthday, a first party, a thank-you); every later line
only says "the surprise" and "the party", so any reason fits.
"""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# The friend tells the secret: every first line leads into what the friend says next.
_SECRET = move(
    [
        "{Friend} leaned (close|in close) and whispered, (very|ever so) low,",
        "“Psst!” said {friend}. “I've a secret, and it's true!”",
        "{Friend} looked (left and right|this way and that), then whispered with delight,",
        "{Friend} (whispered|said), with (twinkly|sparkly|shining) eyes,",
        "“Can you keep a secret?” asked {friend}, coming close by,",
        "{Friend} came (close|closer) and whispered in {their} ear,",
        "“Shh, (listen|come close)!” said {friend}. “Here's a secret — (what fun|and it's fun)!”",
    ],
    [
        "“{little_a} I know has a birthday tonight!”",
        "“{little_a} nearby is new here, and (just a little|a little bit) shy.”",
        "“{little_a} nearby has never had a party — shall we (give|make) it one?”",
        "“It's the birthday of {little_a} I know — and it doesn't know we know!”",
        "“{little_a} I know has been so kind to everyone — let's say thank you!”",
        "“{little_a} I know (deserves|needs) a (lovely surprise|party tonight)!”",
        "“{little_a} nearby is new here — let's give it a cheer!”",
    ],
)
_PLAN = move(
    [
        "“Oh, a surprise!” (said|cried) {names} <say>,",
        "{names} (clapped|jumped for joy) and (cried|shouted), “Hooray!”",
        "“A party! What fun!” (said|cried) {names} <say>,",
        "“I know! I know!” (said|cried) {names} <say>,",
        "“We'll keep it secret,” (said|promised) {names} <say>,",
        "{names} thought (and thought|hard) for a (minute|moment) or two,",
        "{names} clapped with delight,",
    ],
    [
        "“Let's make {make_a}! (Oh, what fun|How lovely), don't you think?”",
        "“We'll make {make_a}, the (best|loveliest) you ever did see!”",
        "“Let's make {make_a} — and keep it out of sight!”",
        "So {they} (set to work|began) on {make_a} right away.",
        "“We'll make {make_a}, and it will never know!”",
        "“Let's make {make_a} — just for you-know-who!”",
    ],
)
_MAKING = move(
    [
        "{They} (worked|hummed) and (worked|hummed) with (tender|extra) care,",
        "{Friend} (fetched|carried) things (to and fro|high and low),",
        "Busy, busy, busy, {they} worked away,",
        "{names} did a bit, and {friend} did the rest,",
        "{Friend} added a (ribbon|bow) and (a sparkle|sparkles) on top,",
        "Everyone (worked|hummed) and (giggled|whispered), as busy as bees,",
        "{They} (hummed|whispered) and (worked|giggled) in the {colour} light,",
    ],
    [
        "And soon {make} was ready, with sparkles here and there!",
        "And bit by bit, {make} began to grow.",
        "“(Nearly|Almost) done!” said {friend}. “Hooray!”",
        "And {make} (looked its very best|was the very best).",
        "And everyone (hummed and giggled|giggled and hummed), and didn't stop.",
        "And {make} (took shape|was done) with (the greatest|such) ease.",
        "And {make} looked (just right|a lovely sight).",
        "“It's (perfect|lovely)!” said {friend} <say>.",
        "“{Little} will love it!” {names} (said|giggled) <say>.",
    ],
)
_HIDE = move(
    [
        "{They} (hung|strung) up (lanterns|ribbons|paper stars) (in a row|high and low),",
        "Everyone (hid|crouched) (behind|among) {sight}, as quiet as can be,",
        "“Quick, hide!” said {friend}. “(Somebody's|Someone is) coming by!”",
        "Everybody hid, (here and there|all around),",
        "Everyone (hid|crouched) (down|low), side by side,",
        "{They} waited {quiet_as}, (crouching|lying) low,",
    ],
    [
        "And {sky_thing} peeped (down|in) to (see|watch) the show.",
        "And {names} (giggled|wriggled) (quietly|silently) with glee.",
        "And everyone let out a (tiny|giggly|happy) sigh.",
        "And (nobody|no one) made a (single|) sound.",
        "Then everyone waited, (all|so) (giggly|wriggly) inside.",
        "Then (tip-tap|pitter-pat), somebody (came|was coming) (by|nearby)!",
    ],
)
_ARRIVES = move(
    [
        "Along came {little}, (sleepy|yawning) and slow,",
        "{Little} peeped (in|round the corner), (so small|so shy),",
        "Just then, {little} came wandering by,",
        "{Little} came (closer and closer|nearer and nearer), till it was near,",
        "{Little} came (along|by), rubbing its (sleepy|little) eyes,",
        "{Little} came (by|along) the (usual|same old) way,",
    ],
    [
        "“Surprise!” cried everyone. “Hip, hip, hooray!”",
        "Out jumped everyone: “Surprise! Surprise!”",
        "And everybody popped out and (cried|called), “Hello!”",
        "“Surprise!” everyone (whispered|sang), (sweet and low|soft and low).",
        "“Surprise!” (cried|called) everyone, with a cheer.",
        "“Surprise!” called everyone, (big and small|one and all).",
        "“Surprise!” (cried|called) everyone, jumping up so high.",
    ],
)
_JOY = move(
    [
        "{Little} (gasped|blinked), and then (smiled|beamed) a smile so wide,",
        "“Is this my (party|surprise)?” (asked|cried) {little} <say>,",
        "{Little} gazed at {make}, its eyes (shining|sparkling) bright,",
        "{Little} could hardly believe its eyes,",
        "{Little} did a (twirl|skip) and a (jump|hop) and a spin,",
        "“Oh, thank you, thank you!” {little} (cried|said) <say>,",
    ],
    [
        "“This is the (best|happiest) surprise (of all|there could be)!”",
        "“{Make}, all for me?”",
        "And {little} (laughed|giggled), as (happy|glad) as (can be|could be).",
        "And everyone cheered, (happy|glad) inside.",
        "“I love it, and I love you (too|all)!”",
        "“(Is it|Is this) for me? What a (lovely|wonderful) surprise!”",
        "“Oh, what a (lovely|happy|beautiful) sight!”",
        "And {friend} (laughed|giggled) with a (great big|happy) grin.",
    ],
)
_PARTY = move(
    [
        "Then everybody danced, round and round,",
        "{They} played (party games|pass-the-parcel) in the {colour} light,",
        "{Friend} (sang|hummed) a (party|happy|jolly) song,",
        "{names} danced with {little}, (round and round|on tiptoe),",
        "Everybody shared a (honey|sticky|sugary) treat,",
        "Everybody (danced|played), big and small,",
        "{They} sang a song (for|to) the (evening|twinkly) star.",
    ],
    [
        "And {make} was the (best|finest) thing of all.",
        "And {sky_thing} (twinkled|winked) along.",
        "And {little} (laughed|giggled) with delight.",
        "It was the (jolliest|merriest) party by far.",
        "And {little} (giggled|laughed) and (sang|hummed) along.",
        "And oh, it was all so sweet!",
        "And even {sky_thing} seemed to (dance|twirl) around.",
    ],
)
_THANKS = move(
    [
        "{Little} hugged them all, (big and small|one by one),",
        "“Thank you, friends!” (said|sang) {little} <say>,",
        "{Little} gave a (happy little|great big|sleepy little) yawn,",
        "“I'll always remember (tonight|this night)!” said {little} <say>,",
        "{Little} gazed at {make} (with delight|once more),",
    ],
    [
        "“I'll dream of (this|my party) (till|until) the dawn!”",
        "“This was the (happiest|very best) night!”",
        "And everybody hugged, like never before.",
        "Oh, what a surprise! And oh, what fun!",
        "“The best surprise of all!”",
        "And {names} felt as (happy as happy|glad as glad) could be.",
    ],
)

PLOT = plot(
    "surprise",
    "a surprise party for a little one",
    [
        stanza(_SECRET, _PLAN),
        stanza(_MAKING, _HIDE),
        stanza(_ARRIVES, _JOY),
        stanza(_PARTY, _THANKS),
    ],
    titles=[
        "A Surprise for {Little}",
        "Surprise, {Little_kind}!",
        "{Cast_and} the Secret Party",
        "The Secret {Make_kind}",
        "{Friend_s} Secret",
        "Shh! It's a Surprise!",
        "The {Adj} Surprise Party",
        "{Cast_and} the Surprise Party",
        "A Party for {Little}",
    ],
    recaps=[
        "planned a surprise party for {little_a}",
        "made {make_a} for a surprise party",
        "kept a secret, and made {make_a} for {little_a}",
    ],
    uses="little make",
)
