"""A change in the weather: clouds roll in and a soft rain falls; everyone keeps snug, shelters
a little bird, and when the rain has gone a rainbow made of moonlight shines.

Indoors (a bakery, a library, a treehouse) the same night is watched through the window, so
most beats offer an ``out`` move and an ``in`` move side by side. Rain makes no sense in space
or under the sea, and reads oddly in a snow scene, so those settings are left out.
"""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot
from bedtales.stories.scenes import SETTINGS

# ----------------------------------------------------------------------------- the turn

_TURN_OUT = move(
    [
        "(Then all at once|Just then|Little by little), the breeze began to blow,",
        "A (big|soft|fluffy) grey cloud came (drifting|rolling|sailing) (across the sky|by),",
        "The wind got up and (ruffled|tickled|tugged at) everything, "
        "(far and wide|left and right),",
        "The clouds (tucked|pulled) a (fluffy|cosy|woolly) blanket over the moon,",
        "The air smelled (fresh|cool) and (damp|sweet), as if a shower was near,",
    ],
    [
        "And one by one, the (stars|little stars) (hid away|slipped out of sight).",
        "And everything (swayed|rustled) (to and fro|high and low).",
        "And {sky_thing} (tiptoed|slipped) away (to hide|up high).",
        "And {friend} (whispered|said), “I think some rain is on its way, my dear!”",
        "And a (cool|fresh) breeze went (whispering|whooshing) (by|all around).",
        "And the (night|wind) (hummed|whistled) a (breezy|whooshy) tune.",
    ],
    needs="out",
)
_TURN_IN = move(
    [
        "(Outside|Beyond) the window, the breeze began to blow,",
        "Outside, a (big|soft|fluffy) grey cloud came (drifting|sailing) (across the sky|by),",
        "The wind (hummed|whistled|sang) a (breezy|busy|whooshy) (song|tune) outside,",
        "The clouds (tucked|pulled) a (fluffy|cosy|woolly) blanket over the moon,",
        "{names} (looked|peeped) out and (saw|watched) the clouds (roll|come rolling) by,",
    ],
    [
        "And one by one, the (stars|little stars) (hid away|slipped out of sight|went to hide).",
        "And the (windows|window) (rattled|hummed) a (little|tiny|sleepy) (tune|song).",
        "And {friend} (whispered|said), “I think some rain is coming (by|soon)!”",
        "And {sky_thing} (tiptoed|slipped) behind a cloud (to hide|up high).",
        "And the trees outside (swayed|nodded) (to and fro|high and low).",
        "And everyone (snuggled|huddled) (in|close), (warm|cosy) and (dry|snug) inside.",
    ],
    needs="in",
)
_RAIN_OUT = move(
    [
        "Then plip! A (raindrop|drop of rain) (landed|fell) on the (tip|end) of {friend}'s nose,",
        "A (soft|gentle|silver) rain began to (fall|patter) all around,",
        "One drop, two drops, (then three, then four|and then a few more),",
        "The rain came (whispering|tiptoeing|pattering) down, so (soft|light) and (slow|low),",
        "The raindrops (danced|bounced) about with a (skip|bounce) and a hop,",
    ],
    [
        "And then another, and another, on fingertips and toes!",
        "Plip, plop, pitter-patter, every little drop!",
        "And it (pattered|drummed) a (little|happy|gentle) tune (on the ground|all around).",
        "“It's raining!” (laughed|giggled|cried) {names} <say>.",
        "And (oh|my), how the (drops|raindrops) (sparkled|glittered) "
        "(as they fell|in the moon's pale glow)!",
        "Till no one could count them any more.",
    ],
    needs="out",
)
_RAIN_IN = move(
    [
        "Then pitter-patter, pitter-patter, (down|soft) came the rain,",
        "Tip-tap, tip-tap, the raindrops (danced|drummed) on the roof (up high|overhead),",
        "One drop, two drops, (then three, then four|and then a few more),",
        "The rain came (whispering|tiptoeing|pattering) down, so (soft|light) and (slow|low),",
        "{They} watched the raindrops race each other, all the way from the top,",
        "The raindrops (glittered|sparkled) on the glass, so (silver|shiny) and bright,",
    ],
    [
        "It (tapped|pattered|tip-tapped) (a|its) (tune|song) upon the window pane.",
        "Plip, plop, pitter-patter, every little drop!",
        "“It's raining!” (laughed|whispered) {names} <say>.",
        "And every window (sparkled|glittered) in the (candlelight|lamp's soft light).",
        "And {friend} (hurried|crept) to the window to (watch|see) the show.",
        "Till no one could count them any more.",
        "And {they} (sat|stayed) inside, (all|so) (snug|cosy) and (warm|safe) and dry.",
    ],
    needs="in",
)

# ----------------------------------------------------------------------------- snug in the rain

_SHELTER_OUT = move(
    [
        "{Friend} (opened|put up) a (big|spotty|rainbow|stripy) umbrella, big enough "
        "(for all|to share),",
        "Up went (the|everyone's) hoods, and {names} (laughed|giggled) (out loud|aloud),",
        "{They} (found|ducked into) a (dry|cosy) (spot|nook) (close by|nearby),",
        "Everyone (huddled|sheltered) (close|together) by the <landmark>,",
        "Everyone (squeezed|snuggled) in together, as (warm|cosy) as a hug,",
    ],
    [
        "And there {they} (stayed|kept) (snug|warm) and dry.",
        "And {friend} (tucked|nestled) in (beside|next to) {them}, as snug as a bug.",
        "There was room for everyone, (big and small|one and all).",
        "And {they} (listened|watched) as the rain went pattering (down|by).",
        "“There's room for (everyone|all of us)!” (laughed|said) {friend}. “Squeeze in, "
        "(one and all|big and small)!”",
        "And (nobody|no one) minded (the rain|the wet) at all.",
        "And the rain (drummed|pattered) on top, so merry and loud.",
    ],
    needs="out",
)
_SHELTER_IN = move(
    [
        "{They} (curled up|nestled) by the window, (warm|snug) and dry,",
        "{Friend} (fetched|found) a (blanket|quilt) (big enough|just right) (to share|for all),",
        "Inside {place}, it was (snug as a bug|as cosy as can be),",
        "{Friend} (fetched|brought) warm milk for (everyone|all), with honey on top,",
        "{They} drew a (smiley face|little star|happy heart) on the misty window pane,",
    ],
    [
        "And {they} (listened|watched) as the rain went pattering (down|by).",
        "While the rain went pitter-patter on the roof (overhead|up high).",
        "There was room for everyone, (big and small|one and all).",
        "And {they} felt <feel>.",
        "And the (kettle|clock) (hummed|ticked) (a cosy song|along with the rain).",
        "Plip, plop, (tip-tap|pitter-patter), went (every|each) little drop.",
    ],
    needs="in",
)
_ENJOY_FIRSTS = [
    "The rain sang a pitter-patter lullaby, soft and slow,",
    "(Tip-tap|Pitter-pat), the rain (played|drummed) a (happy|sleepy|gentle) (tune|song),",
    "{Friend} told a (funny|little|gentle) story, (nice and slow|soft and low),",
    "{They} (listened|counted) (as|while) the drops went (pitter-pat|plip-plop), "
    "(one by one|two by two),",
]
_ENJOY_OUT = move(
    [
        *_ENJOY_FIRSTS,
        "{Friend} (danced|twirled) out in the rain, as merry as can be,",
        "Out came (tongues|every tongue) to catch the drops, (big and small|as they fell),",
    ],
    [
        "And {names} (hummed|sang) along, (as happy as can be|the whole night long).",
        "The (rain|pattering) (sounded|was) <soft_as>.",
        "And {friend} (laughed|giggled), “I do love the rain, (don't you|do you)?”",
        "And (nobody|no one) wished the rain (gone|away), not one (bit|drop) at all.",
        "And (everything|the whole world) (smelled|felt) (fresh|clean|cool) and new.",
        "And every drop (rang|chimed) like a (tiny|little|silver) bell.",
    ],
    needs="out",
)
_ENJOY_IN = move(
    [
        *_ENJOY_FIRSTS,
        "{They} (listened to|heard) the rain drum its (tune|song) on the roof (up high|overhead),",
        "The lamps (glowed|flickered) (warm|gold) (upon the wall|on the window sill),",
    ],
    [
        "And {names} (hummed|sang) along, (as happy as can be|the whole night long).",
        "The (rain|pattering) (sounded|was) <soft_as>.",
        "And {friend} (laughed|giggled), “I do love the rain, (don't you|do you)?”",
        "And (nobody|no one) wished the rain (gone|away), not one (bit|drop) at all.",
        "And everything felt (cosy|snug), and (calm|quiet), and still.",
    ],
    needs="in",
)

# ----------------------------------------------------------------------------- a little bird

_BIRD_OUT = move(
    [
        "Just then, a little bird (fluttered|hopped) by, as wet as wet could be,",
        "A (tiny|little) bird (flew|fluttered) down, with (feathers|wings) wet with dew,",
        "(Cheep|Peep)! A little bird (landed|perched) (close by|nearby), (damp|wet) and shy,",
        "Who was that, (hopping|peeping) close by, so (damp|wet) and small?",
        "A little bird (hopped|fluttered) out of the rain and (came|crept) (near|very near),",
    ],
    [
        "“(Please|Oh please), may I (shelter|stay) with you (till|until) the rain is through?”",
        "“(Come|Hop) in, little one! There's room for you (too|here with us, see)!”",
        "It was looking for somewhere (dry|cosy) to (stay|rest), (nearby|close by).",
        "“My (feathers|wings) are (all|so) wet!” it (peeped|cheeped), "
        "(in a voice so small|with a shivery sigh).",
        "It was the (tiniest|littlest) bird of all.",
        "So {they} made room for it, and said, “(Come in|Hop in), my dear!”",
    ],
    needs="out",
)
_BIRD_IN = move(
    [
        "Then tap, tap, a (little|tiny) bird (knocked|tapped) upon the window pane,",
        "A (tiny|little) bird (sat|perched) on the window sill, (wet|soaked) right through,",
        "(Cheep|Peep)! A little bird peeped in at the window, (damp|wet) and shy,",
        "Who was that, (tapping|peeping) at the window, so (damp|wet) and small?",
        "Just then, a little bird (peeped|looked) in, as wet as wet could be,",
    ],
    [
        "“(Please|Oh please), may I come in, out of the rain?”",
        "“Please may I come in? My feathers are wet, it's true!”",
        "“(Come|Hop) in, little one! There's room for you (too|in here, see)!”",
        "It was looking for somewhere (dry|cosy) to (rest|stay), (nearby|close by).",
        "It was the (tiniest|littlest) bird of all.",
        "So {they} opened the window and let it in, out of the rain.",
    ],
    needs="in",
)
_BIRD_SNUG = move(
    [
        "{They} (patted|dried) it (gently|softly), feather by feather, "
        "(till it was dry|with care),",
        "{Friend} held it close and warmed its (wings|feathers) "
        "(right through|through and through),",
        "The little bird fluffed its feathers up, as round as a ball,",
        "Soon the little bird was (snug|cosy) as could be,",
        "The bird (stayed|sat) (close by|with them) till the rain (was done|had passed),",
        "The little bird (shook|fluffed) its feathers, and began to sing,",
    ],
    [
        "And it (sang|chirped) its (thank-you|happiest|sweetest) song, for one and all.",
        "“Thank you, (kind|dear) friends!” it (sang|chirped), (so sweet and small|full of glee).",
        "And it (nestled|snuggled) (in|close) beside {them}, (happy and dry|with a sleepy sigh).",
        "And it tucked its (little|sleepy) head beneath its wing.",
        "“(Thank you|Cheep, cheep)! I'm (warm|dry) at last!”",
        "“Cheep!” it sang. “I'm (warm|cosy) now, thanks to you!”",
    ],
)

# ----------------------------------------------------------------------------- clearing

_CLEAR_FIRSTS = [
    "Then, as (softly|gently) as it came, the rain (slipped|tiptoed) away,",
    "Little by little, the pitter-patter (grew|got) (soft|quiet) and (slow|small),",
]
_CLEAR_SECONDS = [
    "And {sky_thing} came peeping out (to say hello|once more).",
    "And out came the stars, (twinkling|shining) (one by one|clean and bright|in a row).",
    "And the whole world lay (hushed|calm) in the moon's soft glow.",
]
_CLEAR_OUT = move(
    [
        *_CLEAR_FIRSTS,
        "The clouds drew (back|apart) like curtains, (soft and slow|one by one),",
        "The very last raindrop fell, plip, and then the rain was done,",
        "The breeze (blew|swept) the clouds away, (far and wide|and the sky shone through),",
    ],
    [
        *_CLEAR_SECONDS,
        "And the sky was (clean|fresh) and clear, as if it were new.",
        "And the (moon|stars) (shone|smiled) (down|out) once more, as if to say, “(Hello|Hooray)!”",
    ],
    needs="out",
)
_CLEAR_IN = move(
    [
        *_CLEAR_FIRSTS,
        "The (tapping|pattering) on the window (slowed|stopped), and (faded|drifted) away,",
        "The very last raindrop (slid|trickled) down the window pane,",
        "{They} (wiped|rubbed) a (little|round) peephole in the misty window pane,",
    ],
    [
        *_CLEAR_SECONDS,
        "“(The rain has stopped|It's stopped)!” (whispered|laughed) {names}. “Hip, hip, hooray!”",
        "And outside, everything was sparkling after the rain.",
    ],
    needs="in",
)
_MOONBOW_SECONDS = [
    "As soft as a whisper, in (silver|pearly) (stripes|bands) of (light|blue).",
    "And everything {at_place} (twinkled|shone) near and far.",
    "“Oh, how (lovely|beautiful)!” (whispered|sighed) {friend}, "
    "(full of delight|eyes shining bright).",
    "And {they} (gazed and gazed|looked and looked), "
    "(with delight|until it faded from sight|as the clouds drifted by).",
    "And every (last|little) drop (twinkled|glittered) (back|too), "
    "(clean and bright|silver-white).",
]
_MOONBOW_OUT = move(
    [
        "And there, across the sky, (stretched|arched) a rainbow made of moonlight,",
        "A moonbow, a rainbow made of moonlight, (shimmered|glowed) (up high|in the sky),",
        "“A rainbow (at night|by moonlight)!” (gasped|whispered) {names} <say>,",
        "Under a rainbow made of moonlight, every raindrop (glittered|sparkled) like a star,",
        "(Over|Across) {place} (arched|stretched) a moonbow, (all|so) (silver|shimmery) and "
        "(new|bright),",
    ],
    _MOONBOW_SECONDS,
    needs="out",
)
_MOONBOW_IN = move(
    [
        "And there, outside the window, (glowed|shone) a rainbow made of moonlight,",
        "A moonbow, a rainbow made of moonlight, (shimmered|glowed) (up high|in the sky),",
        "“A rainbow (at night|by moonlight)!” (gasped|whispered) {names} <say>,",
        "Under a rainbow made of moonlight, every drop on the glass (glittered|sparkled) like a "
        "star,",
        "Beyond the window (arched|stretched) a moonbow, (all|so) (silver|shimmery) and "
        "(new|bright),",
    ],
    _MOONBOW_SECONDS,
    needs="in",
)

PLOT = plot(
    "weather",
    "a soft rain, and a rainbow made of moonlight",
    [
        stanza([_TURN_OUT, _TURN_IN], [_RAIN_OUT, _RAIN_IN]),
        stanza([_SHELTER_OUT, _SHELTER_IN], [_ENJOY_OUT, _ENJOY_IN]),
        stanza([_BIRD_OUT, _BIRD_IN], _BIRD_SNUG),
        stanza([_CLEAR_OUT, _CLEAR_IN], [_MOONBOW_OUT, _MOONBOW_IN]),
    ],
    titles=[
        "{Cast_and} the Moonlight Rainbow",
        "The Night It Rained on {Place}",
        "Pitter-Patter Goes the Rain",
        "A Rainbow Made of Moonlight",
        "{Friend} and the {Adj} Rain",
        "Raindrops and Moonbeams",
        "The Little Bird and the Rain",
        "When the Rain Came to {Place}",
        "{Names_s} Rainy {Night}",
    ],
    recaps=[
        "watched the rain with {friend} and saw a rainbow made of moonlight",
        "sheltered a little bird from the rain",
        "listened to the rain with {friend} and saw a moonbow",
    ],
    settings=frozenset(SETTINGS) - {"space", "underwater", "snow"},
)
