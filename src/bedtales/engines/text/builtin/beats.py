"""The stanzas every story shares: how the evening begins, last night remembered, arriving in
the scene, its sights, meeting the friend, goodbye and the way home, and falling asleep.

Every story says these things, and a household hears one story a night, so each part comes
in several kinds (several openings, several endings …) and every line carries several free
choices and slots of its own. The choices multiply: a line comes back seldom even where every
story must say the same thing ("… and fell asleep"). Many lines end on a choice of words from
several rhyme groups, so that the rhyme itself varies too.

Habits that keep the lines good whatever fills them:

- with one character, ``{they}`` and ``{their}`` are the name ("Milo", "Milo's"), so a line
  whose subject is the cast never has ``{their}`` or ``{them}`` as well;
- ``{sky_thing}`` may be one thing or many ("the moon", "the stars"): it only takes verbs in
  the past tense ("shone", never "is"/"was"), and never ends on ``<when>``/``<while>``/
  ``<sky>``, whose phrases speak of the moon and stars themselves;
- ``<when>`` has phrases of how soon ("right away"): it ends lines where something is done or
  happens; a state ("the lamp glowed low") ends on ``<while>``;
- ``<look>`` is how one thing looks ("big and round"): for a whole place, ``_ALL_LOOKED``;
- an empty choice before a comma carries the comma (``(high above, |)``), or "And , the …";
- every opening names the cast, and so does every line that says they fell asleep.

The plot's own stanzas are in :mod:`.plots`; the template language is in :mod:`.grammar`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bedtales.engines.text.builtin.grammar import Move, Stanza, move, stanza

# How a whole place looks, after "everything looked" (the <look> kind is for one thing).
_ALL_LOOKED = (
    "(calm and bright|soft and bright|hushed and bright|hushed and still|soft and still"
    "|calm and still|peaceful and deep|soft and deep|calm and deep|silver-blue|soft and new"
    "|shiny and new|sleepy and sweet|warm and sweet|soft and sweet|warm and gold|soft and gold"
    "|quiet and wide|starry and wide|dreamy and slow|soft and slow|sparkly and clear"
    "|calm and clear)"
)
# How someone feels, after "felt" (own words where the <feel> kind is too bold).
_FELT = (
    "(warm|cosy|sleepy|happy|snug|drowsy) (and snug|from head to toe|right through"
    "|and glad inside|as could be|and full of cheer|and light|and still)"
)


def _cast_move(firsts: Sequence[str], seconds: Sequence[str], named: bool) -> Move:
    """A move whose second lines say "@cast" (a subject) or "@them" for the cast: their names
    where nothing before named them (``named``), else "they"/"them" (with one character, the
    name all the same)."""
    who, whom = ("{names}", "{names}") if named else ("{they}", "{them}")
    return move(firsts, [line.replace("@cast", who).replace("@them", whom) for line in seconds])


# ----------------------------------------------------------------------------- openings

# The evening comes: the first couplet of most openings.
_DUSK = move(
    [
        "(By now|Outside|Far off|Already), the (sun|sleepy sun|golden sun|big red sun) had"
        " (slipped|sunk|rolled|tumbled) (down|away) (behind the hill|below the trees"
        "|beyond the town|out of sight|far away),",
        "(Outside|Far away|Over the roofs|Up above), the sky was (turning|going|glowing|growing)"
        " (pink and gold|soft and blue|rosy red|lilac grey|peach and gold|honey-gold) <dusk>,",
        "The (cool|soft|blue|) (evening|twilight|dusk|night) (tiptoed|drifted|crept|floated"
        "|wandered) (softly|gently|slowly|quietly) in <dusk>,",
        "(Outside|Beyond|Across) the (window|garden|gate|fence), (a|the|one)"
        " (cricket|blackbird|robin|thrush|little owl) (hummed|sang|called|chirped) <dusk>,",
        "(And|Now|) the (first|smallest|brightest) (silver|golden|little|twinkly) star"
        " (peeped|popped|blinked|winked) out (above the hill|above the town|over the trees"
        "|in the sky|overhead),",
        "The (big|round|silver|sleepy) moon came (slowly|softly|) (climbing|creeping|floating"
        "|sailing|peeping) (up|out) (over the hill|above the town|into the sky|behind the trees),",
        "(Now|By now|) the (sleepy|little|) (birds|hens|ducks|sparrows|robins) had tucked"
        " their heads (beneath their wings|into their feathers|down to rest) <dusk>,",
        "(Outside, |All around, |)the (garden|street|lane|whole world|little town|park)"
        " (was|grew) (hushed|quiet|sleepy|calm|drowsy) <dusk>,",
        "(Now|At last) the (busy bees|bunnies|squirrels|little birds|ladybirds)"
        " (went|hurried|headed) home, their (work|games|busy day) all done,",
        "The (far-off|distant|sleepy|) (clouds|hills|rooftops|treetops) (turned|glowed|went)"
        " (pink and gold|soft and pink|peachy gold|purple-grey) (in the last of the light"
        "|at the end of the day|as the day grew late|as the sun said goodbye),",
        "The (light|sky|day) (outside|) was (fading|dimming|softening), (golden|rosy|pearly),"
        " (warm|soft|calm) and slow,",
    ],
    [
        "And (all the world|every garden|each little house|the whole wide world)"
        " (grew|was growing) (sleepy and|soft and|) (calm|hushed|quiet|drowsy) <dusk>.",
        "And (one by one|two by two|here and there), (far above, |up high, |)the"
        " (tiny|twinkly|sleepy|little) stars (came out|peeped out|woke up) (to play|to shine"
        "|to gleam|to say hello|to say goodnight|to twinkle bright).",
        "(And|Now) the (whole|quiet|sleepy|drowsy|great big) (world|town|garden)"
        " (gave a yawn|began to yawn|stretched and yawned|closed its eyes) <dusk>.",
        "(And|Then|Soon) (little|) (windows|lamps|porch lights|street lamps) (lit up|twinkled"
        "|blinked on|glowed) (one by one|all through the town|warm and gold|soft and bright"
        "|in a row).",
        "(And|For) (bedtime|sleepy time|story time|cuddle time|dreaming time), (soft|warm|cosy)"
        " and (slow|sweet|kind), was (coming soon|on its way|very near|close at hand"
        "|drawing near|just ahead).",
        "And (the flowers|the daisies|every bird|the hills|the tulips)"
        " (said|waved|nodded|whispered) goodnight to the (golden|setting|sleepy|rosy) sun.",
        "And (the|) (long|soft|blue|purple) shadows (stretched|grew|crept|spread)"
        " (slowly|gently|) (across the way|beneath the trees|all through the town"
        "|under the light).",
        "And (the|every|each) (little|sleepy|) (bird|bee|beetle|bunny)"
        " (hurried|headed|went|scurried) home to (rest|bed|sleep).",
        "And (every|each) (window|doorway|lamp|lantern) (had|gave|wore) a"
        " (friendly|golden|cosy|gentle) glow.",
    ],
)

# The cast, ready (or not quite) for bed: every first line names the cast, its subject.
_READY = move(
    [
        "(By now|Upstairs|At home|That evening|Tonight), {names} [was|were]"
        " (nearly|almost|not quite|very nearly|just about) (ready|set|tucked up and ready)"
        " (for bed|to sleep|for the night|to rest),",
        "(Upstairs,|From bed,|Through the glass,|) {names} (looked|peeked|gazed|peered)"
        " (out|up) at {sky_thing} (up high|so far|so bright|so clear),",
        "{Names} (gave|let out|did) a (great big|tiny|sleepy|long, slow|wide, wide|squeaky)"
        " (yawn|stretch) <while>,",
        "With (twinkling|shining|sparkling|sleepy) eyes (and a grin|and a smile|), {names}"
        " (tiptoed|crept|slipped|padded) (out of bed|across the floor|to the door|down the hall),",
        "{Names} (had|dreamed up|cooked up) a (secret|little|sleepy|wonderful|brand-new)"
        " (plan|wish|idea|dream) <while>,",
        "{Names} (sat|snuggled|curled up|perched|knelt) (on|by|up on) the"
        " (window seat|cushions|toy box|rug) <while>,",
        "{Names} (hugged|cuddled|squeezed|held) (a|the) {little_word} (old|soft|floppy|)"
        " (teddy|bunny|bear|lamb) (nice and tight|with a sigh|and gave a grin|to say goodnight),",
    ],
    [
        "But (one|a) (small|little|last|gentle|sleepy) adventure"
        " (lay ahead|was waiting|was calling|still lay in store) <while>!",
        "And (felt|heard) a (little|sleepy|giggly|tingly) (wish|whisper|giggle|song)"
        " go (fluttering|floating|drifting|dancing) by.",
        "“(Just one|One more|One little|One tiny|Only one) (adventure|story|trip|moonlit walk)!”"
        " {they} (whispered|giggled|said|begged|pleaded) <say>.",
        "And (wished|hoped|longed) for (one|a|just one) (small|little|gentle|last|moonlit)"
        " (adventure|surprise) <while>.",
        "(For|And) (bedtime|moonlit|starry|sleepy) adventures (often|always|sometimes)"
        " (start|begin) (this way|just so|at night).",
        "And (high above, |far off, |){sky_thing} (winked|twinkled|blinked|shone)"
        " (as if to say hello|with a friendly glow|with a gentle light|from far away"
        "|from up on high).",
        "And (something|the night|the breeze|a little voice) (whispered|hummed|sang out"
        "|called softly), “(Hello|Psst|Hey there|Yoo-hoo), {names}, come (and play|and see"
        "|along)!”",
    ],
)

# Something at the window calls them out.
_WINDOW_FIRSTS = [
    "[A nose was|Two noses were|Noses were] pressed (against|up to|right up to"
    "|flat against) the (cold|cool|misty|) (window|glass|windowpane) <while>,",
    "The (curtains|blue curtains|flowery curtains|stripy curtains)"
    " (fluttered|swayed|wriggled|rippled|billowed) (open|apart|a little) <when>,",
    "A (moonbeam|starbeam|silver beam|sleepy moonbeam|{colour} moonbeam)"
    " (tapped|danced|tiptoed|twinkled|wriggled) (on the window sill|across the floor"
    "|across the bed|upon the wall|along the rug),",
    "(Outside|Out there|Up above|High above), {sky_thing} (shone|glowed|gleamed|twinkled)"
    " (soft and bright|clear and bright|far and high|pale and white),",
    "A (little|gentle|cool|soft) breeze came (drifting|sighing|tiptoeing|sneaking)"
    " through the (window|curtains|open window) <while>,",
    "The (sleepy|quiet|starry|) (night|garden|world|lane|street|sky) outside (was|looked) <look>,",
]
_WINDOW_SECONDS = [
    "And (something|the night|the breeze|the moon) (whispered|seemed to say|sang out|hummed"
    "|called softly), “(Come out|Come along|Come on|Come outside), {names}, and"
    " (play|see|explore)!”",
    "And @cast (felt|knew|could tell|just knew) (that|) (an adventure|a little adventure"
    "|something wonderful|something magic|a surprise) (was near|was nearby|was on its way"
    "|was close at hand|was waiting there).",
    "And @cast (could not|couldn't|just could not) (wait|stay in|lie still|keep still)"
    " (one|a) (moment|minute|second) more.",
    "(And|So) (off|out) @cast (went|crept|slipped|hopped|tiptoed), {quiet_as},"
    " (into the night|to explore|through the door).",
    "(And|So) @cast (slipped on|pulled on|found) [a pair of|two pairs of|their]"
    " (fluffy|cosy|woolly|stripy|bunny) (slippers|socks) (without a sound|and crept outside"
    "|and ran to see).",
]
_WINDOW = _cast_move(_WINDOW_FIRSTS, _WINDOW_SECONDS, named=False)
_WINDOW_NAMING = _cast_move(_WINDOW_FIRSTS, _WINDOW_SECONDS, named=True)

# A knock, a note, a visitor at the window.
_KNOCK_FIRSTS = [
    "There came a (little|gentle|tiny|friendly) (tap|knock|rap) (upon|at) the"
    " (door|window) <while>,",
    "A (tiny|gentle|friendly|sleepy) (voice|whisper|song|tune) came"
    " (floating|drifting|tumbling) in <when>,",
    "A (paper|folded|silver|little) (note|letter|card) (slid|fluttered|slipped)"
    " (under the door|across the floor|onto the bed|onto the rug),",
    "A (golden|silver|tiny|soft) (feather|leaf|petal|ribbon) (drifted|floated|spun|twirled)"
    " in (on the breeze|from the night|from the sky|from far away),",
    "A (little|tiny|sleepy|friendly) (moth|firefly|ladybird|robin)"
    " (landed|settled|perched) on the (window sill|end of the bed),",
]
_KNOCK_SECONDS = [
    "(And|So) @cast (sat up in bed|jumped up in bed|popped up from the covers"
    "|sat bolt upright|peeped out from the quilt) <when>.",
    "“(An adventure|A secret|A surprise|A message|A visitor|A letter)!”"
    " (cried|whispered|gasped|giggled|breathed) {names} <say>.",
    "It (said|read|sang|whispered), “(Hello|Hi there|Psst), {names}! (Come out|Come and see"
    "|Come along) (tonight|and play|right away|with me)!”",
    "(And|So) @cast (quickly|quietly|) (hopped|slipped|scrambled|wriggled) (out of bed"
    "|from the covers|out from the quilt) (to see who was near|to see what lay ahead"
    "|to peek at the night).",
    "(And|So) (off|out) @cast (went|crept|slipped|hopped|tiptoed), {quiet_as},"
    " (into the night|to explore|through the door).",
]
_KNOCK = _cast_move(_KNOCK_FIRSTS, _KNOCK_SECONDS, named=False)
_KNOCK_NAMING = _cast_move(_KNOCK_FIRSTS, _KNOCK_SECONDS, named=True)

# Bath, pyjamas, teeth: the routine, and not sleepy yet.
_ROUTINE = move(
    [
        "(Bath time|The bubble bath|The splashy bath) was (done|over), the (towels|pyjamas)"
        " (warm|snug|soft) <while>,",
        "In (stripy|spotty|cosy|starry|fluffy) pyjamas, [a little someone|two little someones"
        "|some little someones]"
        " (hopped|skipped|padded|bounced|danced) (about|around|across the floor"
        "|from bed to chair),",
        "(Teeth were brushed|Faces were washed|Hair was combed|Hands were scrubbed), and"
        " (warm|cosy|soft) (slippers|pyjamas|dressing gowns|bed socks) were on <while>,",
        "The (bedtime|night|little) lamp was glowing (low|{colour}|warm and low|soft and low)"
        " <while>,",
        "There was a (cup of milk|bedtime snack|warm drink|mug of cocoa) and a (story|cuddle"
        "|song|goodnight hug) <while>,",
    ],
    [
        "But (nobody|no one) (was|felt) (sleepy|tired|yawny|drowsy) (yet|one bit|just yet)"
        " <while>.",
        "(And yet|But still|Yet) {their} (little|restless|wiggly|) (feet|toes)"
        " (wanted|longed|itched) to (run and play|skip and play|hop and play|roam|explore"
        "|dance).",
        "But (one|a) (small|last|little|gentle) adventure (out there|somewhere|)"
        " (waited|was waiting|lay waiting) <while>.",
        "And {their} (eyes|thoughts|dreams|wishes) went (drifting|wandering|floating)"
        " (out|off|away) <while>.",
        "(And|But) (something|the night|the moon|a bird|the wind) outside (was humming|hummed"
        "|sang) a (little|sleepy|happy|gentle|secret) (tune|song).",
    ],
)

# A wish on a star.
_WISH = move(
    [
        "{Names} (made|whispered|sent) a wish (upon|up to|to) {sky_thing}"
        " (so bright|up high|so far|tonight),",
        "(Gazing|Looking|Peeking) up at {sky_thing}, {names} (made|whispered|wished) a"
        " (secret|little|sleepy|happy) wish (so bright|so clear|tonight|so true),",
        "“[I|We] wish (for|[I|we] had) (an adventure|a little adventure|something wonderful)"
        " (tonight|to do|to see|to find),” said {names} <say>,",
        "(With|And with) (eyes|both eyes) shut tight (and fingers crossed|), {names}"
        " (made|whispered) (a wish|a secret wish|a little wish|a sleepy wish) (so true|so bright"
        "|for something new|for a surprise),",
    ],
    [
        "And (something|the night|the sky|a star) (answered|twinkled|shimmered|sparkled"
        "|winked) back <when>.",
        "And (just like that|all at once|quick as that|like magic), (the|that)"
        " (wish|little wish|secret wish|sleepy wish) (came true|was heard|began to grow).",
        "And {sky_thing} (heard|caught|kept) the wish and (winked|smiled|sparkled)"
        " (in reply|with delight|from far away).",
        "(And|Then) (one|a) (little|tiny|sleepy|{colour}) star (began|started) to"
        " (glow|shine|twinkle bright|hum a tune).",
    ],
)

# Not tired at all.
_AWAKE = move(
    [
        "{Names} (said|laughed|giggled|insisted|yawned), “I'm not (tired|sleepy|a bit sleepy)"
        " (at all|one bit)!” <say>,",
        "“(Just|Only) (five|ten|two) more minutes,” {names} (begged|pleaded|said|sighed) <say>,",
        "(But|And|Yet|) {names} [was|were] (still|) (wide awake|full of beans|bright-eyed"
        "|bouncy|giggly|wriggly) <while>,",
        "“Is it (bedtime|sleepy time|time for bed) (yet|already|now)?” {names}"
        " (asked|wondered|yawned|sighed|groaned) <say>,",
        "{Names} (bounced|wriggled|jiggled|hopped) (up and down|) (on|across) the"
        " (bed|quilt|pillows)"
        " (with glee|with a grin|once more|with a cheer),",
    ],
    [
        "And (gave|let out) a (yawn|wriggle|giggle|sigh) (so big|so wide|so long|so loud) <while>.",
        "So (off|out) {they} (went|crept|tiptoed|slipped) to (see|explore|visit) the"
        " (starry|sleepy|quiet|) {night} (so bright|outside|for a while|once more).",
        "And (somewhere|far away|out there|not far off), (an adventure|a surprise"
        "|something wonderful) (waited|lay waiting|was waiting) <while>.",
        "(And|So) {they} (hopped|slipped|wriggled) (out of bed|from under the quilt) to"
        " (see|play|explore) <when>.",
    ],
)

# A storybook that opens onto the place.
_STORYBOOK_FIRSTS = [
    "(A|The) (picture book|storybook|bedtime book|book of tales) (with {colour} pages"
    "|full of pictures|) lay open on the (bed|quilt|pillow) <while>,",
    "The (old|big|little|dusty) (storybook|picture book|bedtime book)"
    " (fell|flipped|fluttered|creaked) open (on the quilt|on the pillow|) (with a sigh"
    "|on its own|by the light|with a glow),",
    "A (picture|page|painting) of {place} (glowed|shimmered|sparkled|twinkled)"
    " (softly|gently|) (in the light|and grew|so bright|and began to glow),",
    "A (painted|little|tiny|{colour}) (picture|drawing) of {place} (peeped|shone|glowed)"
    " (from|up from) the page <while>,",
]
_STORYBOOK_SECONDS = [
    "And (bit by bit|all at once|like magic), as @cast (watched|looked|read), the"
    " (pictures|pages|words) (softly|slowly|) began to (glow|shine|sway|grow).",
    "And (all at once|like magic|just like that), @cast (tumbled|stepped|slipped"
    "|floated|fell) (softly|gently|) (right inside|into the story's glow"
    "|into the picture's light).",
    "And (something|a voice|the book) (whispered|murmured|sang), “(Come in|Come and see"
    "|Step inside), {names}, and (play|explore|see)!”",
    "And (the|a) (page|picture) (seemed|began) to (shimmer|sparkle|glitter) for @them <when>.",
]
_STORYBOOK = _cast_move(_STORYBOOK_FIRSTS, _STORYBOOK_SECONDS, named=False)
_STORYBOOK_NAMING = _cast_move(_STORYBOOK_FIRSTS, _STORYBOOK_SECONDS, named=True)

OPENINGS: tuple[Stanza, ...] = (
    stanza(_DUSK, [_READY, _WISH, _STORYBOOK_NAMING]),
    stanza(_DUSK, [_WINDOW_NAMING, _KNOCK_NAMING]),
    stanza(_ROUTINE, [_WINDOW_NAMING, _KNOCK_NAMING, _WISH]),
    stanza([_ROUTINE, _STORYBOOK_NAMING], [_WINDOW_NAMING, _KNOCK_NAMING]),
    stanza(_AWAKE, [_WINDOW, _KNOCK]),
    stanza(_DUSK, [_AWAKE, _READY]),
    stanza(_READY, [_WINDOW, _KNOCK, _STORYBOOK]),
    stanza(_WISH, [_WINDOW, _AWAKE]),
)

# ----------------------------------------------------------------------------- the scene

# The first couplet of the arrival names the place …
_ARRIVE = move(
    [
        "(And so|And there|And here), (with a hop, |with a skip, |with a yawn, |){they}"
        " (arrived|landed|appeared|stood) {at_place} <when>,",
        "{They} (happily|sleepily|quietly|) {walked} (off|along|away) to {place} <when>,",
        "(A|The) (little|winding|moonlit|silver|narrow) (path|lane|road|track)"
        " (led|brought {them}|took {them}) (on|along|) to {place} <when>,",
        "[With a skip|Hand in hand|Side by side], {they} (reached|found|came upon|came to)"
        " (the edge of|the heart of|) {place} <when>,",
        "{Place} (lay|was) (waiting|sleeping|shining|glowing) (just ahead|below|nearby) <while>,",
        "(At last|Soon|Before long|And then), {they} (could see|spotted|saw|glimpsed) {place}"
        " (shining|glowing|twinkling|) (ahead|nearby|below|in sight|so near),",
    ],
    [
        "Where (everything|the whole place|every corner|each little thing)"
        " (looked|seemed|was) (so|) " + _ALL_LOOKED + ".",
        "And oh, it was (so|truly|just|all) (lovely|wonderful|peaceful|magical|beautiful"
        "|dreamy) (there|) <while>!",
        "(And|Oh,) it was (just|quite|simply|truly) the (loveliest|cosiest|dreamiest|sweetest"
        "|gentlest|prettiest) (little|) (sight|place to be|spot of all|place to stay).",
        "And {they} (stood|stopped|paused) (still|a moment|a while) to (look|listen|gaze) <when>.",
        "And {sky_thing} (smiled|shone|peeped|twinkled) down with a"
        " (friendly|welcome|gentle|golden) glow.",
        "“(What a|Oh, what a|Such a) (lovely|gentle|magical|peaceful|happy|cosy)"
        " (place|sight)!” {they} (whispered|sighed|breathed|said) <say>.",
        "(And|So) {they} (looked|gazed|peeked|peered|stared) (around|up and down|left and right"
        "|all about) with (wide|shining|happy|wondering|sleepy|sparkling) eyes.",
        "And {sight} (glimmered|shimmered|glowed|sparkled|twinkled) (in the light|so bright"
        "|all around|to say hello|far and wide).",
        "And (there|all around), {sight} (swayed|nodded|shone|sparkled) (in the breeze|so bright"
        "|far and wide|here and there|high and low).",
    ],
)
# … or tells the scene's wonder.
_WONDER = move(
    [
        "(In|Here in|Now, in) {place}, {wonder}, (or so|so|as) (the old owls|the grown-ups"
        "|the stories|the moonbeams) say,",
        "(Everyone knows|The stories tell|The old owls say|The moonbeams say|The grown-ups say)"
        " that {at_place}, {wonder} (each night|at night|by night),",
        "{At_place}, (so|or so) the (stories|old tales|sleepy songs) (say|tell), {wonder}"
        " (each night|at night|by night),",
    ],
    [
        "(And|So) {they} (tiptoed|crept|stepped|peeked|wandered) (closer|in|nearer) to"
        " (see|look|listen) <when>.",
        "(And|So|And sure enough,) that is (just|exactly|precisely) what {they}"
        " (saw|found|heard) <while>.",
        "And (sure enough|it was true|so it was), {they} (saw|heard|watched) it (happen|come true)"
        " <while>.",
        "(And|So|Then) {names} (watched|listened|looked on|gazed) (with wide, wide eyes"
        "|in sweet surprise|in quiet delight|with a happy sigh).",
    ],
    needs="wonder",
)
# The second couplet: the air and the sky, out of doors …
_OUT_AIR = move(
    [
        "(All around|Outside|Here), the (air|breeze|{night} air) was (soft|cool|warm|mild) and"
        " (sweet|still|clear|kind),",
        "(A|The) (gentle|little|cool|soft) breeze came (whispering|sighing|humming|drifting)"
        " (by|through|past) <while>,",
        "The (air|world|breeze|night) smelled (sweetly|) of (flowers|rain|honey|clover"
        "|dew|warm grass|pine) <while>,",
        "{Sky_thing} (peeped|smiled|glowed|shone) (down|out) (so bright|so clear|up high"
        "|from far away|from on high),",
        "(Above, |All around, |Up high, |)the (night|sky|dark) was (soft|deep|velvet|gentle) and"
        " (full of light|warm and wide|silver-blue|hushed and still),",
    ],
    [
        "And (every|each) (sleepy|little|drowsy) (thing|creature) (was|lay) (hushed|calm|quiet)"
        " <while>.",
        "And (high above, |far off, |){sky_thing} (kept watch|looked on|peeped down|stood guard)"
        " (from up on high|so bright and clear|all through the night|from far away).",
        "And (everything|the whole world|the night|all the world|the air) (was|felt|seemed)"
        " (so still,|so soft,|so calm,|) <soft_as>.",
        "The (grass|sand|ground|path|moss) (was|felt) (cool|soft|warm|springy|damp) beneath"
        " {their} (feet|toes).",
        "And (somewhere|far off|close by), (an owl hooted|a cricket chirped|a little frog sang"
        "|a nightingale sang|a cricket hummed) (a tune|along|so sweet|hello).",
    ],
    needs="out",
)
# … or the warm room, indoors.
_IN_ROOM = move(
    [
        "(Inside|Within) {place}, the (lamplight|firelight|air) was {colour} (and bright"
        "|and still|and sweet|and kind),",
        "The (lamps|candles|lanterns|fairy lights) (glowed|flickered|twinkled) (low|soft)"
        " {at_place} <while>,",
        "(Everything|Each corner|Every nook|Each little shelf) {at_place} was"
        " (snug|hushed|cosy|warm|quiet) and {colour} <while>,",
        "(A clock ticked|A kettle hummed|A cat purred|The fire crackled|A radio hummed)"
        " (softly|gently|sleepily) (in a nook|nearby|somewhere near|in the hall),",
    ],
    [
        "(And|So) {they} (felt|soon felt|began to feel) (so|all|) " + _FELT + ".",
        "And (a clock|a kettle|a cat|the fire) (somewhere|nearby|close by)"
        " (hummed|purred|murmured) (a tune|along|a song|so low).",
        "And (soft|warm|golden|little) (shadows|patterns|lights) (danced|swayed|flickered)"
        " (gently|softly|) (on the wall|across the floor|up the stair).",
        "And (everything|the whole room|every corner) (looked|seemed) (so|) " + _ALL_LOOKED + ".",
    ],
    needs="in",
)
# … or what the scene is for.
_DOING = move(
    [
        "(And so|So|Now|With a cheer) {they} (went|set off|started|began) {activity} <when>,",
        "{They} (spent|passed) a (happy|merry|little|long) while {activity} <while>,",
    ],
    [
        "And (oh|my|goodness), what (fun|joy|a treat) it was! (Hooray|Hip, hip, hooray"
        "|What a day)!",
        "And (laughed|giggled|smiled) until {their} (cheeks|noses|ears) (were|went|turned) pink.",
        "And, (laughing|smiling|giggling), (felt|soon felt) <feel>.",
    ],
    needs="activity",
)
# … or the things in it.
_THINGS = move(
    [
        "{They} (found|saw|spotted|noticed|came upon) {thing} (there|nearby|close by"
        "|just ahead) <when>,",
        "{They} (stopped|paused|stood still) (a while|a moment|) to (look at|visit|wave at"
        "|say hello to|smile at) {thing} <when>,",
        "{Thing} {thing_was} (there|waiting|shining), (just|right) by the <landmark>,",
    ],
    [
        "(And|So) {they} (smiled|waved|said hello|called hello|nodded) <say>.",
        "And (everything|everything there|the whole place|all of it) (looked|seemed) (so|) "
        + _ALL_LOOKED
        + ".",
        "And (oh|my), how (truly|really|) (lovely|wonderful|magical) (it all|everything)"
        " (was|seemed)"
        " (to see|to be|in the light)!",
    ],
    needs="thing",
)
# … or, anywhere, how it felt to be there.
_FIRST_LOOK = move(
    [
        "{They} (looked|gazed|peeked) (around|about) at {sight} <while>,",
        "(Everything|The whole place|Each little corner) was (new|strange|lovely) and"
        " (hushed|bright|calm) <while>,",
        "{They} took a (deep|long|happy|sleepy|big) breath (of the {night} air|)"
        " (and smiled|and sighed|and grinned) <while>,",
    ],
    [
        "And (everything|everything there|the whole place|all of it) (looked|seemed) (so|) "
        + _ALL_LOOKED
        + ".",
        "And {they} (felt|soon felt|began to feel) (so|all|) " + _FELT + ".",
        "It (felt|seemed|was) (just|almost|exactly|a bit) like (a dream|a story|a song"
        "|a picture|a wish) (come true|so bright|made new|come to life).",
    ],
)

ARRIVALS: tuple[Stanza, ...] = (
    stanza(_ARRIVE, [_WONDER, _OUT_AIR, _IN_ROOM, _THINGS]),
    stanza([_WONDER, _ARRIVE], [_DOING, _THINGS, _OUT_AIR, _IN_ROOM]),
    stanza(_ARRIVE, [_DOING, _THINGS, _OUT_AIR, _IN_ROOM, _FIRST_LOOK]),
    stanza(_ARRIVE, [_FIRST_LOOK, _OUT_AIR, _IN_ROOM]),
)

# The scene's sights: in the meeting, the series and extra stanzas for longer stories.
_LOOK = move(
    [
        "{Sight} (swayed|shimmered|nodded|sparkled|glimmered) <while>,",
        "{They} (counted|admired|looked at|smiled at) {sight} <while>,",
        "{They} {walked} past {sight} <move>,",
        "{They} {walked} (past|beside|along by) the <landmark>,",
        "(Near|Beside|Among) {sight}, {they} (sat|rested|paused|lingered) <while>,",
        "{They} (watched|saw) {sight} (sway to and fro|shine so bright|glow in the light"
        "|twinkle all around|sparkle far and wide),",
    ],
    [
        "And (everything|the night|the world|the air) (was|felt|seemed) (so still,|so soft,"
        "|so calm,|) <soft_as>.",
        "And (high above, |far off, |){sky_thing} (shone|glowed|gleamed|twinkled) <bright_as>.",
        "(While|As) {sky_thing} (watched|winked|smiled) (from up high|from far away|so bright).",
        "And {they} (felt|soon felt|began to feel) (so|all|) " + _FELT + ".",
        "And (everything|the whole place|the whole wide world|every little thing)"
        " (looked|seemed|felt) (so|) " + _ALL_LOOKED + ".",
    ],
)
_LISTEN = move(
    [
        "{They} (stopped|stood still|paused|sat down|lay back) (a moment|a while|for a bit|)"
        " (to listen|and listened|to hear the {night}) <while>,",
        "A (little|small|soft|gentle) (sound|song|hum|tune) came (drifting|floating)"
        " (along|this way|on the air) <while>,",
        "{Sight} (whispered|rustled|hummed|murmured) <while>,",
    ],
    [
        "And {they} (heard|caught) a (sleepy|little|happy|gentle|far-off) (song|tune|hum|lullaby)"
        " (float by|drift near|somewhere near|close by).",
        "(It sounded|It seemed|The sound was|The song was|The tune was) (so gentle,|so sweet,"
        "|so sleepy,|so happy,|) <soft_as>.",
        "(And all around|And all about|And up above), the (air|{night}|world) was"
        " (calm|soft|still|hushed|warm|cool) and (clear|bright|deep|sweet).",
    ],
)
SIGHTS: tuple[Stanza, ...] = (
    stanza(_LOOK, _LISTEN),
    stanza(_LISTEN, _LOOK),
    stanza(_LOOK, [_THINGS, _LOOK]),
)

# ----------------------------------------------------------------------------- last night

# Only with the series on: what happened last time ({recap}: "helped a baby owl home"), said
# as "had {recap} the …" (a recap's verb is its own participle).
_REMEMBER = move(
    [
        "(Why,|Oh,|Now,|) {they} had {recap} the (night|evening|time) before,",
        "(Remember|Do you remember)? {They} had {recap} the (night|evening) before,",
        "(You see,|Oh yes,|Remember,) {they} had {recap} the other night,",
    ],
    [
        "(And|So) {they} (smiled|grinned|giggled|beamed) to (think|dream) of it once more.",
        "(So|Now|But) what (would|might|could) (tonight|this {night}|this new night)"
        " (have|hold) in store?",
        "And tonight, (who knew|perhaps|maybe), there would be (even|so much|lots) more.",
        "(And|So|But) what (might|would|could) {they} (find|see|meet)"
        " (tonight|by this night's light)?",
    ],
)
_FRIEND_BACK = move(
    [
        "And who (should come|came) {friend_moving} (back|up|along|by) <when>?",
        "(Look|And look|Oh, look)! {Friend} (was back|had come back|had come to play)"
        " (once more|tonight|again that night|to say hello),",
        "(A familiar face appeared|A friendly voice called out|A happy face peeped out"
        "|A little voice called hello) <when>,",
    ],
    [
        "Why, it was {friend}, (the friend from before|an old friend|a dear old friend),"
        " (back to play|back for more|here once more|back today|come to play)!",
        "“(Hello again|Hooray|Welcome back), (dear friend|old friend)!” {they} (cried|called) to"
        " {friend} <say>.",
        "It was {friend}! (Hooray|How lovely|What fun)! (Back|Here) (once more|to play"
        "|to stay|for more)!",
        "And {friend} (hugged|greeted|waved to|beamed at) {them} <say>.",
    ],
)
REMEMBERING = stanza(_REMEMBER, _FRIEND_BACK)
REMEMBERING_ALONE = stanza(_REMEMBER, [_LOOK, _LISTEN])

# ----------------------------------------------------------------------------- the friend

_MEET = move(
    [
        "(Just then|All at once|Before long), {friend_a} came {friend_moving}"
        " (by|along|near|into view|out to play),",
        "(Along|Out|Then along) came {friend_a}, {friend_moving} (nice and slow|without a sound"
        "|into view|this way|close by),",
        "And who should (come|appear) but {friend_a} <when>?",
        "{They} (met|found|spotted|noticed) {friend_a} <when>,",
        "From (behind|among|beside) {sight} (came|peeped|popped) {friend_a},"
        " (to say hello|with a smile|to say hi|with a grin),",
    ],
    [
        "“(Hello|Good evening|Well, hello|Hello there)!” {friend_says} {friend} <say>.",
        "“(Hello|Good evening|Hi there)! (What a|Such a) (lovely|starry|gentle|happy) {night}!"
        " (Shall we play|Will you play with me|Would you like to play)?”",
        "{Friend} (smiled|grinned|beamed) and (waved|bowed|nodded) (hello|a shy hello|good day"
        "|to say hi).",
        "“I'm (so|very|ever so) glad to (meet|see) you,” {friend_says} {friend} <say>.",
        "“Oh, what a (lovely|happy|lucky|nice) (night|surprise)!” (said|called) {friend} <say>.",
    ],
)
_MEET_NAMED = move(
    [
        "“I'm {friend},” {friend_says} the {friend_kind} <say>,",
        "“(My name is|They call me|Just call me) {friend},” (said|called) the {friend_kind} <say>,",
        "{Friend} (bowed a little bow|waved hello|gave a little wave|gave a little bow) <say>,",
    ],
    [
        "“I live (near|close by|not far), in {friend_home_my}, (you see|it's true|you know).”",
        "“(Come|Oh), let's be friends! (Shall we|Would you like to|Do you want to)"
        " (play|explore)?”",
        "“I (was|have been) hoping (to meet|to find) (someone like you|a friend like you"
        "|someone new|a friend who'd play)!”",
    ],
    needs="named_friend",
)
_GREET = move(
    [
        "“(And who are you|Where are you going|Are you out exploring)?” (asked|said) {friend}"
        " <say>,",
        "{Friend} (looked|peered|peeked) at {them} (and blinked|and smiled|with a grin) <when>,",
    ],
    [
        "“(Hello!|Hi!|Good evening!|Hello there!) [I'm|We're|We're] {names}!” came the"
        " (happy|cheerful|shy|sleepy|friendly|giggly|merry) reply.",
        "“[I'm|We're|We're] {names}, and (we're|) (out for|off on) a (little|moonlit|sleepy)"
        " (walk|stroll|adventure) (tonight|to see|today)!”",
        "“(Just out|Just off|Out|Off) exploring!” {names} (told|answered) {friend} <say>.",
    ],
)
MEETINGS: tuple[Stanza, ...] = (
    stanza(_MEET, [_MEET_NAMED, _LOOK]),
    stanza(_LOOK, _MEET),
    stanza(_LISTEN, _MEET),
    stanza(_MEET, [_GREET, _MEET_NAMED]),
)

# ----------------------------------------------------------------------------- goodbye

_GOODBYE = move(
    [
        "“(It's getting late|The moon is high|The stars are out|It's nearly bedtime),”"
        " {friend} (said|{friend_says}|whispered) <say>,",
        "{They} (hugged {friend} goodbye|thanked {friend} once more|waved goodbye to {friend}"
        "|gave {friend} a hug) <when>,",
        "{Friend} (waved|nodded|bowed|smiled) and (said|called|whispered),"
        " “(Sleep tight|Goodnight|Nighty-night|Sweet dreams tonight)!”",
        "There (were hugs|was a wave|was a wink|were waves|were cuddles) (for {friend}|all round|)"
        " and (one last|a happy|a merry|a sleepy) (cheer|smile|grin),",
        "“(Goodnight|Sleep well|Sweet dreams), [my friend|my friends],” {friend_says} {friend}"
        " <say>,",
    ],
    [
        "“(Off you go home|Hurry home now|Run along home|Home you go now),” (said|called)"
        " {friend}, “(to your bed|and sleep tight|and dream of me)!”",
        "And {friend} {friend_moves} (off|home|away) to {friend_home} <when>.",
        "“Come back (again|soon|some night),” (said|called|{friend_says}) {friend},"
        " “(when the moon is bright|when the stars are bright|when the sky is clear"
        "|by the silver light)!”",
        "{They} (said|waved|called) (goodbye|farewell) to {friend} <when>.",
        "And {they} (waved|blew kisses|called) (goodnight|farewell) <say>.",
        "“(Thank you|Thanks so much|Oh, thank you), (dear friend|[my friend|my friends]), for"
        " (a lovely night|a magical night|the games we played|a happy day|all the fun)!”",
        "(And|So) {they} (thanked|hugged) {friend} for (a lovely night|a magical night"
        "|the happy day|all the fun).",
    ],
)
_HOMEWARD = move(
    [
        "(So|And so|Then) home {they} (happily|sleepily|) (went|wandered|{walked})"
        " (through the night|nice and slow"
        "|without a sound|all the way|as quiet as can be),",
        "The (little|winding|sleepy|) (path|way|road) (home|back) (glimmered|shone|twinkled"
        "|glowed) (silver-white|soft and bright|warm and gold|soft and low|clear as day),",
        "{They} {walked} home, (so|oh so) (sleepy|happy|yawny|cosy) <while>,",
        "Back (through|across) {place} {they} (wandered|{walked}) (nice and slow"
        "|without a sound|all the way|in the moon's soft glow),",
        "{Sky_thing} (lit|showed|lit up) the (way|path|road) (home|back) (so bright|all night"
        "|with a glow|once more),",
    ],
    [
        "With (yawn after yawn|a stretch and a yawn|a skip and a hop|a hum and a skip"
        "|a hop and a yawn), (a giggle,|a wave,|) and a (happy|sleepy|little|cosy)"
        " (sigh|smile|grin|hum or two).",
        "And (high above, |far off, |){sky_thing} (followed|floated|tagged) along (all the way"
        "|like a friend|close by|up high).",
        "And (every|each) (little|sleepy|tired|happy|soft) (step|footstep) (was|felt|fell)"
        " <soft_as>.",
        "Until (at last|) {they} (reached|saw|came to|spied) the (little|cosy|sleepy|)"
        " (garden gate|front door|house|doorstep|open door) <while>.",
        "(And|While) (the owls|the crickets|the night birds|the frogs) (softly|sleepily|)"
        " (sang|hummed|called) (goodnight|a tune|along|a lullaby).",
    ],
)
_HOME_INSIDE = move(
    [
        "{They} (climbed|padded|tiptoed|crept|pattered), {quiet_as}, up the (creaky|cosy"
        "|carpeted|sleepy|winding) stairs (to bed|nice and slow|without a peep|without a sound),",
        "(Back|Home|Safe) in {their} (room|house|bedroom), the (lamp|light|night-light) was"
        " (low|dim|{colour}) <while>,",
        "The (front|garden|kitchen|little|blue|old) (door|gate) (clicked shut"
        "|closed with a click|swung shut|creaked shut|shut with a click) (behind {them}|)"
        " <while>,",
        "{They} (kicked off|tugged off|pulled off) (the|all the) (muddy|sandy|snowy|dusty"
        "|soggy) (boots|shoes|wellies) (by the door|on the floor|in a heap|in a row),",
    ],
    [
        "(So|And so|All) (sleepy|yawny|cosy|drowsy), {they} (said|yawned|whispered|mumbled)"
        " (goodnight|a soft goodnight).",
        "And (a|one) (sleepy|fluffy|stripy|floppy) (teddy|bunny|toy|bear) (was waiting"
        "|lay waiting|sat waiting) (by the bed|on the chair|at the foot of the bed|on the floor).",
        "And (the|a) (night-light|lamp|candle|star lamp) (glowed|shone|waited)"
        " (warm|soft|{colour}) and (bright|low|sweet).",
        "And (warm|cosy|soft|fresh|clean|fluffy|stripy) (pyjamas|blankets|slippers|bed socks"
        "|dressing gowns) (all|already|) (lay waiting|were waiting|lay ready|were ready)"
        " (by the bed|on the chair|in a heap|in a row).",
    ],
)
GOODBYES: tuple[Stanza, ...] = (
    stanza(_GOODBYE, _HOMEWARD),
    stanza(_GOODBYE, [_HOMEWARD, _HOME_INSIDE]),
    stanza(_HOMEWARD, _HOME_INSIDE),
    stanza(_GOODBYE, _HOME_INSIDE),
)

# ----------------------------------------------------------------------------- sleep

# The first couplet: into bed …
_INTO_BED = move(
    [
        "(Teeth brushed|Faces washed|Hands washed|Hair brushed), (and|with) (pillows|cushions)"
        " (plumped|patted|fluffed|puffed) <while>,",
        "{They} (snuggled|cuddled up|nestled|burrowed|wriggled down) under (the blankets"
        "|the covers|the quilt|a {colour} quilt) <cosy>,",
        "(The blankets were|The quilt was|The pillow was|The covers were|The sheets were)"
        " {soft_as}, (warm and deep|snug and tight|cosy and still|soft and blue|clean and white"
        "|fresh and sweet),",
        "(A|One) (goodnight kiss|cuddle|story|bedtime tale|sleepy hug), (a|and a)"
        " (song|hum|lullaby|yawn) <while>,",
        "The night-light (glowed|flickered|shone) (low|{colour}) <while>,",
        "(Back|Safe|Home|Warm|Snug) in bed, {they} (wriggled|snuggled|settled|nestled)"
        " (down|in) (deep|tight|snug|warm and low),",
    ],
    [
        "And (no one|nobody|not a soul) (in the house|upstairs|) (made a sound|said a word"
        "|made a peep|stirred a bit) <while>.",
        "(And|So) {they} (gave|let out) (a long, slow|a happy|a sleepy|one last|a cosy)"
        " (yawn|sigh) <while>.",
        "(The house|The room|The whole house|The world) (was|grew|fell)"
        " (hushed|quiet|calm|sleepy) <while>.",
        "And {sky_thing} (peeped|glimmered|smiled|twinkled) in (at the window|) (to say goodnight"
        "|with a soft, pale light|from far away|from up high|with a gentle glow).",
        "And (the|all the) (toys|teddies|dolls|stuffed bunnies|little cars)"
        " (lay|sat|snoozed|slept) (quietly|sleepily|) (in a row|on the floor|by the bed"
        "|in a heap|on the chair).",
    ],
)
# … or thinking of the night …
_THOUGHTS = move(
    [
        "(Lying there|Snug in bed|Eyes half shut), {names} (thought|dreamed) (of|about)"
        " {friend} (once more|with a smile|with a grin|and sighed|that night),",
        "(Lying there,|Snug in bed,|Eyes half shut,|) {names} (thought of|dreamed of"
        "|smiled about|thought about) {place} (and sighed|once more|so bright|so bright and new"
        "|with a grin),",
        "(Still|Softly|) (smiling|humming|yawning|giggling), {names} (remembered|thought about"
        "|went over) the (whole|happy|busy|) {night} (with a grin|once more|and sighed|in bed"
        "|with delight),",
    ],
    [
        "And hugged (a|one) (sleepy|floppy|cuddly|fluffy|soft) (teddy|bunny|pillow|toy|bear)"
        " (close|tight|near) <while>.",
        "It had been (a|such a) (lovely|happy|magical|wonderful|gentle|cosy)"
        " (night|adventure|evening) (with {friend}|{at_place}|), (through and through"
        "|it's true|full of delight).",
        "And {friend}, (far away|in {friend_home}|back home), was"
        " (sleeping|dreaming|snoozing|yawning) too.",
        "And (wished|hoped) for (another|one more|a new) (adventure|night like this|visit)"
        " (with {friend}|{at_place}) (some night|one night|another night).",
    ],
)
# … or counting sheep, not asleep yet.
_COUNT_FIRSTS = [
    "(Then|And) {they} (quietly|softly|) counted (sleepy|fluffy|woolly|little)"
    " (sheep|clouds|stars|lambs) (one by one|two by two|in a row|up to three),",
    "(One|Just one) (yawn|sigh|blink|stretch|little yawn), (then|and then) two, (then|and then)"
    " three <while>,",
    "(One|A) (woolly|fluffy|sleepy|little|snowy) (sheep|lamb|cloud|bunny)"
    " (jumped|drifted|floated|hopped|bounced) (right|softly|) (over the moon|past the bed"
    "|across the sky|over the hill),",
]
_COUNTING = move(
    _COUNT_FIRSTS,
    [
        "(And|Till) {their} (eyelids|eyes|sleepy eyes|little eyes) (drooped|grew heavy"
        "|fluttered|began to close) (so slow|so low|at last|after a while).",
        "And (every|each) (yawn|sigh|breath) (grew|came) (slower|softer|deeper|sleepier) <while>.",
        "Till (sheep|stars|clouds) and (numbers|dreams) (all|) (tumbled|drifted|floated)"
        " (together|away|about) <while>.",
        "(But|And) the (numbers|counting) (grew|got) (muddled|slower|fuzzy|sleepy) <while>.",
        "And (one|a) (great big|sleepy|long, slow|tiny) yawn (came|crept|floated) (along|too"
        "|by|out) <while>.",
    ],
)

# The last couplet: asleep. Every second line says so, and names the cast.
_FELL_ASLEEP = (
    "(And soon,|And so|Before long,|Quite soon,) {names} (fell asleep|drifted off|nodded off"
    "|dozed off|slipped off to sleep|drifted off to sleep|floated off to sleep)"
    " (without a peep|in a cosy heap|without a sound|with a happy sigh|and began to dream"
    "|snug in bed|with one last yawn|with a sleepy smile|so snug and still|with a tiny snore"
    "|snug from head to toe|with dreams so sweet|all snug at rest)."
)
_SLEPT = [
    "(And|So|Then) {names} (slept so well|slept so sweetly|slept so peacefully"
    "|dreamed so sweetly|snoozed so cosily|slept and dreamed|dreamed and dreamed|slept and slept)"
    " (all through the night|till the morning light|until the dawn|till the break of day"
    "|the whole night long|the whole night through|safe and sound|so sound and deep"
    "|snug in bed|with a sleepy smile|so warm and still).",
    "(And|So) (soon|by and by|before long|in a while), {names} [was|were] (fast|deep|happily)"
    " asleep (snug in bed|safe and sound|so snug and still|all snug at rest|with a sleepy smile"
    "|in a cosy heap|with dreams so sweet|till the morning light|the whole night through"
    "|from head to toe).",
    "(And|So|And soon) {names} (dreamed|dreamt) of (the night's adventure|{place}|{friend}"
    "|{sight}|{friend} and {place}) (all through the night|till the morning light"
    "|until the dawn|the whole night long|till the break of day|the whole night through"
    "|so sound and deep|with a sleepy smile).",
]
_DREAMLAND = (
    "(And|So|Then) {names} (drifted|sailed|floated|tumbled) (off|away) to (dreamland"
    "|the land of dreams|the land of nod|sleepy land) (without a peep|without a sound"
    "|safe and sound|with a happy sigh|with a sleepy smile|with a tiny snore|with one last yawn"
    "|with dreams so sweet|snug in bed|so snug and still)."
)
_GOODNIGHT_ASLEEP = (
    "(Sleep tight|Goodnight|Sweet dreams|Night-night), (dear|sleepy|little|) {names},"
    " (fast|now|all snug and) asleep (in bed|till the dawn|all through the night"
    "|till the break of day|the whole night long|from head to toe|safe and sound)."
)
_ASLEEP = move(
    [
        "(Outside|Above the roof|Far away|High up), {sky_thing}"
        " (kept watch|shone down|glowed|twinkled) (so soft and deep|all around|through the night"
        "|in the sky|with a gentle gleam|overhead|on the hill|over the street"
        "|for a while|over the garden wall),",
        "{Their} (eyes|eyelids) grew (heavy|sleepy|droopy), (each|every) breath (slow|soft|warm)"
        " (and deep|and low|and light|and sweet),",
        "The (house|world|room|street) (was|grew) (hushed|quiet|calm|sleepy), the {night}"
        " (was|grew) (deep|still|soft and blue|calm and bright),",
        "(The blankets were|The quilt was|The pillow was|The covers were) {soft_as},"
        " (warm and deep|snug and tight|cosy and still|soft and blue),",
        "(A goodnight kiss|A cuddle|A bedtime hug|A whispered song|One last story), (and|then)"
        " (a|one) (little|sleepy|happy|) (hum|yawn|stretch|sigh) (or two|so deep|so wide"
        "|goodnight),",
        "The (clock|hall clock|kitchen clock|old clock|grandfather clock)"
        " (ticked|hummed|tocked|whirred) (on, |)(soft and deep|soft and slow|all night long"
        "|so slow),",
        "{Sky_thing} (peeped|smiled|shone|glimmered) in (through|at) the (window|curtains)"
        " (with a gentle gleam|so soft and deep|with a soft, pale light|from far away),",
    ],
    [_FELL_ASLEEP, *_SLEPT, _DREAMLAND, _GOODNIGHT_ASLEEP],
)
# … or counting to sleep.
_COUNT = move(
    _COUNT_FIRSTS,
    [
        "(And|But) (long|well) before (five|six|eight|ten|twelve), {names} (fell asleep"
        "|drifted off|nodded off) (without a peep|without a sound|with a happy sigh|snug in bed"
        "|with a sleepy smile|so snug and still|with a tiny snore|with one last yawn"
        "|with dreams so sweet|snug from head to toe|all snug at rest|safe and sound).",
        *_SLEPT,
        _DREAMLAND,
    ],
)
# … or the narrator's goodnight, in the present tense.
_GOODNIGHT = move(
    [
        "(So|And so|Now|) (goodnight|sweet dreams|night-night), ([sleepy one|sleepy ones]"
        "|[little one|little ones]|[sleepy head|sleepy heads]|[my dear|my dears]), <cosy>,",
        "(So|Now|And you,) close your (eyes|sleepy eyes|heavy eyes) (now|too|), (little one"
        "|my dear|sleepyhead|my love), (and rest|goodnight|and dream|and sleep),",
        "Goodnight, (moon|sky|hills|house), (goodnight, |and )(stars|clouds|lights|lamps)"
        " (that gleam|that glow|that shine|so bright|up high),",
        "(Goodnight|Sleep tight) to {sight}, (goodnight|and goodnight) to (all|the night|the sky"
        "|you),",
        "Goodnight to {friend}, (snug|tucked up|safe and warm) in {friend_home} (tonight|too),",
    ],
    [
        "For (sleepy|little|dear|) {names} (soon|quickly|) (fell asleep|drifted off|nodded off"
        "|went to sleep|dozed off) (without a peep|without a sound|with a happy sigh|snug in bed"
        "|with a sleepy smile|so snug and still|with a tiny snore|with one last yawn"
        "|with dreams so sweet|all snug at rest|safe and sound|and began to dream).",
        "(For|And|Look,|See,) (sleepy|little|dear|) {names} [is|are] (fast|already|happily"
        "|now) asleep (snug in bed|safe and sound|so snug and still|all snug at rest"
        "|with a sleepy smile|in a cosy heap|with dreams so sweet|till the morning light"
        "|from head to toe|and dreaming deep).",
        "(For|And) {names} [is|are] (dreaming of {place}|dreaming of {friend}"
        "|dreaming of {sight}|sleeping so sweetly|snoozing so cosily|dreaming so sweetly)"
        " (all through the night|till the morning light|until the dawn|the whole night long"
        "|till the break of day|the whole night through|with a sleepy smile).",
    ],
)

ENDINGS: tuple[Stanza, ...] = (
    stanza(_INTO_BED, [_ASLEEP, _GOODNIGHT]),
    stanza(_INTO_BED, [_COUNT, _ASLEEP]),
    stanza(_THOUGHTS, [_ASLEEP, _COUNT]),
    stanza([_INTO_BED, _THOUGHTS], [_ASLEEP, _GOODNIGHT]),
    stanza(_COUNTING, [_ASLEEP, _GOODNIGHT]),
    stanza(_THOUGHTS, _GOODNIGHT),
)
