"""A kindness passed along: the characters cheer up the friend, the friend cheers up a little
one, the little one passes it on, round and round the place, until it comes back to the
characters at the end (with a small present: the story's item)."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

# ----------------------------------------------------------------------------- for the friend

_NOTICE = move(
    [
        "{Friend} gave a (little|tiny|sleepy) sigh, for it had been a (long|busy) day,",
        "{Friend} (looked|seemed) a (little|tiny) bit (tired|chilly|glum) (tonight|that night),",
        "{names} (noticed|saw) that {friend} (looked|seemed) a (little|tiny) bit blue,",
        "“(Oh|Hello), are you all right?” {they} asked {friend}, (kind and true|gentle and kind),",
        "{Friend} had been busy all day long, and was (tired|weary) through and through,",
        "{Friend} sat down, (as quiet as quiet|as still as still) could be,",
    ],
    [
        "So {names} (wondered|thought about) what kind thing to do.",
        "“[I|We] know just what will help!” said {names} (right away|straight away).",
        "And {names} had a (kind|lovely|warm) idea, just right.",
        "“[I'll|We'll] cheer you up,” said {names}. “[I|We] know (just|exactly) what to do!”",
        "“[I'll|We'll] cheer you up,” said {names}, “(just wait and see|you'll see)!”",
    ],
)
_KIND = move(
    [
        "{They} gave {friend} a (honey|sugar|crumbly) biscuit, (the very last one|to share),",
        "{They} wrapped a (woolly|cosy|stripy) scarf (around|round) {friend} (with care|just so),",
        "{They} gave {friend} a (great big|gentle|cosy) hug, so (warm|snug) and tight,",
        "{They} (sang|hummed) {friend} a (happy|cheery|funny) little song,",
        "{They} drew {friend} a (little|happy) picture of (a star|a big balloon),",
        "{They} told {friend} a (silly|funny) joke about a (bouncy|wobbly) ball,",
    ],
    [
        "And {friend} (smiled|beamed) from (head|top) to toe.",
        "And all of {friend}'s (sighs|tiredness) (melted|floated) (out of sight|far away).",
        "“(Thank you|Oh, thank you)!” said {friend}. “How kind you are!”",
        "And {friend} (giggled|laughed) and (giggled|laughed), "
        "(oh, what fun|till the fun was done).",
        "And {friend}'s (face|whole face) (lit up|glowed), as (bright|round) as the moon.",
        "And soon {friend} was (humming|singing) along.",
        "And {friend} laughed the (happiest|merriest|biggest) laugh of all.",
    ],
)

# ----------------------------------------------------------------------------- to the little one

_PASS = move(
    [
        "{Friend} felt so (warm|glad) inside, and (said|thought), “I'll pass it along!”",
        "“A kindness (grows|is best) when it's shared,” (thought|said) {friend}, "
        "“(it's true|you know)!”",
        "{Friend} looked around for someone (else|new) to help, (far and near|far or near),",
        "{Friend} (wondered|asked), “Who (could|might) (use|need) a little kindness "
        "(too|tonight)?”",
        "{Friend} (smiled|whispered), “I know (just|exactly) what to do!”",
    ],
    [
        "And there sat {little_a}, looking (lonely|sleepy) and blue.",
        "(Close by|Nearby), {little_a} (sat|was sitting), (feeling|looking) (rather|a little) low.",
        "For {little_a} (could not|couldn't) (settle down|get to sleep), try as it might.",
        "And there was {little_a}, who (needed|wished for) a friend, it's true.",
        "For {little_a} had been sitting by itself (so long|all along).",
        "And close by was {little_a}, (who needed|in need of) a little cheer.",
    ],
)
_FOR_LITTLE = move(
    [
        "{Friend} (sang|hummed) {little} a (gentle|cheery|sleepy) (song|tune),",
        "{Friend} tucked {little} (up|in), (all snug|snug) and tight,",
        "{Friend} told {little} a (funny|silly) joke (or two|to share),",
        "{Friend} (sat|stayed) with {little} (a while|for a while), (close|cosy) and near,",
        "{Friend} (showed|taught) {little} a (brand new|happy|clever) game to play,",
    ],
    [
        "And {little} smiled (the sweetest|a tiny) smile, (so wide|so bright).",
        "And {little} felt (ever so much|so much) better (right away|straight away|that night).",
        "And {little} felt (happy|cosy) and full of cheer.",
        "And {little} (laughed|giggled) and (laughed|giggled), “Hooray, hooray!”",
        "And {little} (giggled|laughed) and (giggled|laughed), the whole night long.",
        "And {little}'s (face|eyes) (lit up|shone), (so bright|with delight).",
        "“Oh, thank you!” {little} (whispered|squeaked), “(that was|you are) so kind, it's true!”",
    ],
)

# ----------------------------------------------------------------------------- round and round

_PASS_ON = move(
    [
        "{Little} (felt|was) so (glad|warm) inside, it (wanted|longed) to share,",
        "Now it was {little}'s turn to (help|be kind to) someone new,",
        "So {little} (found|helped) someone (smaller|littler) still,",
        "{Little} (hummed|sang) a (tiny|sleepy) (tune|song) for (everyone around|all nearby),",
        "{Little} (whispered|said), “Now I'll pass it on, (too|like you)!”",
        "{Little} shared a (hug|smile) with a (brand new|sleepy|shy) friend,",
    ],
    [
        "And on it went, the way that kind things (do|always do).",
        "And the kindness (skipped|hopped|went travelling) on, "
        "(from friend to friend|without end).",
        "And soon the kindness (went|spread) (skipping|dancing) round and round.",
        "And everyone it (reached|touched) felt <feel>.",
        "And that someone (passed it on|did the same), as (kind ones|good friends) will.",
    ],
)
_SPREAD = move(
    [
        "(Round|Around) and (round|around) the kindness (went|flew), from friend to friend,",
        "A smile here, a song there, a kind word to share,",
        "It (hopped|skipped|rolled) (along|on) like a (little|bouncing) ball,",
        "Each time it was passed (along|on), it (grew|got) a (little|tiny) bit more,",
        "From one to the next, all (through|across) {place} it flew,",
    ],
    [
        "Till everyone {at_place} had a smile, (big and small|one and all).",
        "And (every|each) (face|heart) it (found|met) (grew|felt) (happier|cosier) too.",
        "(And|Till) it (visited|knocked at) every door.",
        "And kindness (sparkled|twinkled) everywhere.",
        "And oh, how it grew as it went, (far and wide|without end).",
    ],
)

# ----------------------------------------------------------------------------- home again

_BACK = move(
    [
        "And then, guess what? The kindness came (all the way|right) back around,",
        "At last the kindness (found|made) its way back to where it had begun,",
        "(Who should come|Then who came) (skipping|hurrying) back but {friend} and {little}, side "
        "by side,",
        "{Little} and {friend} (came|hurried) back, with (shining|twinkling) eyes,",
        "Then {friend} and {little} (came|tiptoed) back, (smiling|beaming) (wide|with pride),",
    ],
    [
        "{Little} (held out|brought) {item_a}, the (best|nicest) thing it had found.",
        "“(This is for you|Here is a thank-you),” said {friend}, “for (all|the kind things) you've "
        "done!”",
        "{Little} (sang|hummed) {them} a (happy|sleepy) song, and {friend} (smiled|hummed) beside.",
        "“(This is|Here's) {item_a} for you,” said {friend}, “a (thank-you|little) surprise!”",
        "And {friend} and {little} gave {them} the (warmest|biggest) hug (around|to be found).",
    ],
)
_HOME = move(
    [
        "And that is how a (little|tiny|small) kindness (grows|goes),",
        "So the kindness {names} had given came home once more,",
        "“You see?” said {friend}. “A kindness always comes back, (you know|just so)!”",
        "{They} (hugged|thanked) everyone, (one and all|big and small),",
        "(Round|Around) it went, from friend to friend, and back to {them} at last,",
    ],
    [
        "And everyone felt warm (right down|all the way down) to their toes.",
        "And everyone felt (happier|warmer) than (before|ever before).",
        "“So pass it on tomorrow, and round again it will go!”",
        "And that was the (loveliest|kindest|happiest) (thing|gift) of all.",
        "And {they} (smiled|laughed) to see it had come (home|back) so fast.",
    ],
)

PLOT = plot(
    "kindness-chain",
    "a kindness passed along, that comes back",
    [
        stanza(_NOTICE, _KIND),
        stanza(_PASS, _FOR_LITTLE),
        stanza(_PASS_ON, _SPREAD),
        stanza(_BACK, _HOME),
    ],
    titles=[
        "Pass It On!",
        "The Kindness That Came Back",
        "{Cast_and} the Chain of Kindness",
        "One Little Kindness",
        "{Friend} Passes It On",
        "Round and Round Goes Kindness",
        "A Kindness for {Little}",
        "The {Adj} Kindness",
        "{Names_s} Kindness Comes Home",
    ],
    recaps=[
        "passed a kindness to {friend} that came all the way back",
        "started a chain of kindness with {friend}",
        "passed a kindness all the way round and home again",
    ],
    uses="little item",
)
