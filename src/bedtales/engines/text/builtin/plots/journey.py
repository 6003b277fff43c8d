"""A there-and-back journey: the friend knows a way up to the very top; off they go, see
wonders on the way, reach the top, look out over the sleeping world, and come back down."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# The friend's idea. Out of doors the way goes up a hill; indoors, up a stair to a window at
# the top. Every later line says only "the top", "up there", "back down", so both fit.
_IDEA_SECONDS = [
    "“(Come along|Follow me), it isn't far, you'll see!”",
    "“We'll climb up to the top, and be back before you know!”",
    "“From up there, {sky_thing} will (look|seem) so near!”",
    "“From the very top, you can see the whole world below!”",
    "“The view from the top is the (loveliest|dreamiest) sight!”",
    "“Let's go and see the world from way up high!”",
    "“Let's go (up and back|there and back), what do you say?”",
    "“We'll be (home|back) in time for bed!”",
    "“(From the top|Up there), you can see for miles, so wide!”",
    "“(Just|Only) a little climb, and then a little rest!”",
]
_IDEA_OUT = move(
    [
        "“I know a hill, the (tallest|highest) hill of all,” said {friend} <say>,",
        "{Friend} pointed up to a hill, so tall,",
        "“Shall we go on a (journey|little journey)?” asked {friend} <say>,",
        "“Come on a journey up the hill!” said {friend} <say>,",
        "“Come on a journey,” said {friend}, “and I'll be your guide!”",
        "“I know the way,” said {friend}, “and the view is the best!”",
        "{Friend} smiled a (big|secret) smile, and said,",
        "{Friend} looked up at the (tallest|highest) hill, and said,",
    ],
    [
        *_IDEA_SECONDS,
        "“From up there, the houses look ever so small!”",
        "“Up there, you can see it all!”",
    ],
    needs="out",
)
_IDEA_IN = move(
    [
        "“I know a (secret|hidden|winding) stair,” said {friend} <say>,",
        "{Friend} opened a (little|tiny|hidden) door that (no one|nobody) knew was there,",
        "“Shall we go on a (journey|little journey)?” asked {friend} <say>,",
        "“Come up the stairs with me!” said {friend} <say>,",
        "“Come on a journey,” said {friend}, “and I'll be your guide!”",
        "“I know the way,” said {friend}, “and the view is the best!”",
        "{Friend} pointed to a (winding|twisty|creaky) stair,",
        "{Friend} smiled a (big|secret) smile, and said,",
        "{Friend} looked up the (winding|twisty) stairs, and said,",
    ],
    [
        *_IDEA_SECONDS,
        "“At the very top, there's a little window, round and high!”",
        "“(So|Now) hold on tight, and climb with care!”",
        "“Come and see (what's|the view) at the top of the stair!”",
    ],
    needs="in",
)
_SET_OFF = move(
    [
        "So off {they} set with {friend}, side by side,",
        "{Friend} led the way, with {names} close behind,",
        "{names} (wrapped up snug|took a lantern) and set off with delight,",
        "Up and up and up (went|climbed) everyone, (in a line|one by one|side by side),",
        "“(Off we go|Here we go)!” (laughed|cried) {names} <say>,",
        "Off went everyone, on a (little|moonlit) trip,",
        "{They} set off (at once|with a cheer), without delay,",
        "{names} (skipped|hopped) and (hummed|sang) along,",
    ],
    [
        "“(Stay close|Keep close), and see what we can find!”",
        "And so the (journey|little journey) had begun.",
        "And {friend} (hummed|sang) a (walking|marching|happy) song.",
        "(Off|Away) went everyone, as merry as could be.",
        "And {sky_thing} came out to (shine|twinkle) on {them}. Hooray!",
        "And {sky_thing} (began|started) to (shine|twinkle and shine).",
        "And {sky_thing} (peeped|looked) down to give {them} light.",
        "And {friend} (led|showed) the way, so no one would slip.",
        "And {friend} would be {their} trusty guide.",
    ],
)

# On the way: wonders, and a steep bit made easy.
_WONDERS_OUT = move(
    [
        "{They} (passed|tiptoed past) {sight}, all {colour} in the night,",
        "{Sight} (nodded|waved) hello as {they} went by,",
        "{They} (passed|went by) the <landmark>,",
        "Along the way, {they} saw {sight} (glowing|shining) below,",
        "{They} (counted|spotted) {sight}: one, two, three,",
        "{Friend} (pointed out|showed {them}) {sight}, one by one,",
    ],
    [
        "And a shooting star went (whizzing|zooming) across the sky.",
        "“(Look|Oh, look)!” (said|whispered) {names}. “What a (lovely|wonderful) sight!”",
        "{Friend} (called|said), “(Nearly there|Keep going)! Not far to go!”",
        "And all around, the {night} was <soft_as>.",
        "(Higher and higher|Further and further) (went|climbed) everyone, (in a row|one by one).",
        "{Friend} said, “Isn't it a (lovely|beautiful) night?”",
        "And {friend} (said|whispered), “(Look|Oh, look), can you see?”",
        "And every (step|little step) was (such|so much) fun!",
    ],
    needs="out",
)
_WONDERS_IN = move(
    [
        "{They} (tiptoed|crept) past {sight}, all (quiet|hushed) in the night,",
        "Up the (winding|creaky|twisty) stairs (went|crept) everyone, (on tiptoe|in a row),",
        "A (stair|floorboard) went (creak|squeak), then (squeak|creak) (once more|some more),",
        "{They} tiptoed past a door, and then one more,",
        "{They} (tiptoed|crept) along, (looking|peeking) around,",
        "A sleepy clock (ticked|tocked) a (soft|sleepy) hello,",
        "{They} tiptoed past a (sleepy|snoozing) (cat|mouse), curled up in a heap,",
    ],
    [
        "“(Shh|Hush)!” giggled {names}. “Not a (sound|single sound)!”",
        "{Friend} (called|said), “(Nearly there|Keep going)! Not far to go!”",
        "(Higher and higher|Up and up) (went|crept) everyone, (on tiptoe|in a row).",
        "And all around, everything was <soft_as>.",
        "And the moon peeped in at every window to (watch|see) {them} go.",
        "A (little|sleepy) lamp (gave|lent) a (friendly|golden) light.",
        "And {names} (giggled|tiptoed) on, across the floor.",
        "“Shh,” whispered {friend}, “it's fast asleep!”",
    ],
    needs="in",
)
_STEEP = move(
    [
        "Halfway up, everyone stopped (for a rest|a little while|to look and see),",
        "The way grew (steep|steeper), but {they} didn't (stop|mind),",
        "When {their} legs grew (tired|wobbly), {friend} (sang|hummed) a (song|tune),",
        "{names} (huffed and puffed|puffed and puffed) (and puffed some more|a little more),",
        "{Friend} (said|called), “(Hold on|Keep going), we're (nearly|almost) there!”",
        "Puff, puff! Everyone (climbed|went) on, up and away,",
    ],
    [
        "“(Just|Only) a little further!” {friend} said <say>.",
        "And {friend} cheered {them} on, “Hooray! Hooray!”",
        "And on (went|climbed) everyone, as brave as brave could be.",
        "And {names} sang along the whole way (through|long).",
        "And everybody (hummed|sang) along.",
        "And on went everyone with a (skip and a hop|hop, hop, hop).",
        "And up {they} went, higher than ever before.",
        "And up {they} (went|climbed), with (extra|tender) care.",
        "“You're (doing well|so brave)!” said {friend}. “(And|Oh,) so kind!”",
        "And {friend} (said|whispered), “You're doing your best!”",
    ],
)

# The top, and the view.
_TOP = move(
    [
        "At last, {they} reached the very top of all,",
        "And there {they} stood, right up at the top, so high,",
        "High at the very top, everyone sat down (side by side|in a row),",
        "{They} (puffed|panted) a little, (and|then) looked around,",
        "At last! {They} had (climbed|come) (all the way|right up to the top),",
        "{They} stood at the top in the (cool night|starry|evening) air,",
    ],
    [
        "And oh, what a view there was from (up there|up on top)!",
        "{Sky_thing} seemed (so close|close enough to touch), up in the sky.",
        "“We (did it|made it)!” laughed {names} <say>.",
        "{Friend} did a (little|happy) dance, round and round.",
        "And everybody (gave|let out) a happy sigh.",
        "And everyone cheered, “Hip, hip, hooray!”",
        "And everyone gazed out, far and wide.",
        "And everything was hushed, without a sound.",
        "And everyone felt (so|ever so) proud and tall.",
    ],
)
_VIEW = move(
    [
        "Far below, the whole wide world lay fast asleep,",
        "{Sight} looked (so small|tiny) from so high,",
        "The lights of home (twinkled|glowed) so small,",
        "{They} could see for miles and miles, far and wide,",
        "{Sky_thing} (shone|glowed) so near, so (twinkly|sparkly) and bright,",
    ],
    [
        "“It's like a (dream|picture)!” {names} said <say>.",
        "“Look! There's [my|our] (house|home)!” laughed {names} <say>.",
        "And the sleepy world (seemed to whisper|hummed), “Goodnight.”",
        "{They} (sat|stayed) and gazed up at the sky.",
        "And a (shooting|falling) star went (sailing|twinkling) by.",
        "It was the (loveliest|dreamiest) sight of all.",
        "“(Look|Oh, look), we can see it all!”",
        "And the {night} was (calm|hushed), so soft and deep.",
        "And {sky_thing} kept watch over everybody's sleep.",
        "And {friend} (smiled|beamed) with (happy|quiet) pride.",
        "And everything (shimmered|glowed) in the (silver|gentle) light.",
    ],
)

# Back down the same way, and home again.
_BACK = move(
    [
        "Then back went everyone, the (same|very same) way they came,",
        "Down, down, down went everyone, (in a row|one by one),",
        "{They} (waved to|passed) {sight} (once more|as before),",
        "(Going|Coming) down was quicker (by far|than before),",
        "{Friend} led the way back down, (nice and slow|side by side),",
        "{Friend} hummed a (sleepy|coming-home) song,",
        "{They} waved goodbye to the top, and turned around,",
    ],
    [
        "And down {they} (skipped|hurried), with a hop and a bound.",
        "And soon everyone was back where the journey had begun.",
        "And {friend} (taught|showed) {them} a (counting|humming|guessing) game.",
        "And everyone (skipped|hopped) and (sang|hummed) (a little|some) more.",
        "And everyone got back to the bottom, safe and sound.",
        "And the very top looked tiny from below.",
        "And {names} joined in, the whole way long.",
    ],
)
_HOME_AGAIN = move(
    [
        "“What a (journey|trip|night)!” said {names} <say>,",
        "{They} looked back up at the very top, so tall,",
        "{Their} (feet|legs) were (tired|sleepy), but everyone felt light,",
        "{Friend} gave a (great big|happy) yawn, and then a smile,",
        "{names} (hugged|thanked) {friend}: “Thank you, my friend!”",
        "“Up was fun, and down was fun!” {friend} laughed <say>,",
        "{Friend} (yawned|sighed), “(What|Oh, what) a lovely night, it's true!”",
    ],
    [
        "“Let's go again (another|some other) night!”",
        "“Let's go again in a while!”",
        "“What a (lovely|perfect) way for a night to end!”",
        "“Thank you, thank you, for the (loveliest|happiest) view!”",
        "And everybody felt (proud and tall|happy, and sleepy too).",
        "It had been the (loveliest|happiest) journey of all!",
        "And {names} (said|yawned), “[I|We] think so too!”",
    ],
)

PLOT = plot(
    "journey",
    "a journey up to the very top and back",
    [
        stanza([_IDEA_OUT, _IDEA_IN], _SET_OFF),
        stanza([_WONDERS_OUT, _WONDERS_IN], _STEEP),
        stanza(_TOP, _VIEW),
        stanza(_BACK, _HOME_AGAIN),
    ],
    titles=[
        "{Cast_and} the Journey to the Top",
        "Up, Up, Up and Home Again",
        "There and Back Again with {Friend}",
        "{Names_s} {Adj} Journey",
        "All the Way Up with {Friend}",
        "The View from the Very Top",
        "{Friend}, {Cast_and} the Long Way Up",
        "The {Adj} Journey",
        "How {Names} Reached the Top",
    ],
    recaps=[
        "climbed all the way to the very top with {friend}, and back again",
        "followed {friend} up to the very top and back",
        "made a journey to the very top to see the whole world asleep",
    ],
)
