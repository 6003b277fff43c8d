"""A gentle race where everyone wins: the friend suggests a race, a little one joins in, each
goes at its own pace, someone stops to help, and they all cross the line together."""

from __future__ import annotations

from bedtales.engines.text.builtin.grammar import move, stanza
from bedtales.engines.text.builtin.plots import plot

_SUGGEST = move(
    [
        "“Let's have a race!” {friend_says} {friend} (with a grin|with a smile|with a wink),",
        "{Friend} had a (happy|splendid|lovely) (plan|idea) (for the night|to share|to try),",
        "“(Who would like|Who wants) a (gentle|friendly|little) race?” (asked|called) {friend} "
        "(with a grin|in a friendly way|with a cheer),",
        "{Friend} (stretched|laid) a {colour} ribbon out (to mark the finish line|across the way),",
        "{Friend} (called|cried), “Come on, let's have a race, (everyone|all of you)!”",
        "“Let's have a race {at_place}!” {friend} (said|cried) (with a grin|with a wink),",
        "{Friend} (winked|smiled) and said, “I know (a game|just the thing) (to play|for you)!”",
        "“(How about|What about) a (gentle|friendly) race?” (asked|said) {friend} (with glee|with "
        "a smile),",
    ],
    [
        "“Not to see who's (first|fastest) — (just for fun|for everyone)!”",
        "“Not to see who's (quickest|fastest), but so that all can win!”",
        "“Quick or slow, there's room for (everyone|all of us, too)!”",
        "“Everyone can join in, (the big and the small|the slow ones too)!”",
        "“Whoever comes first or last will do just (fine|right)!”",
        "“And there's a prize for everyone, (you'll see|just wait and see)!”",
        "“(Come|Gather) round, (everyone|friends), (come|gather) near!”",
        "“A race where everyone wins — (hooray|hip, hip, hooray)!”",
        "“A gentle race is (just|exactly) the thing (for tonight|to try)!”",
        "“And there'll be hugs at the end, (and a smile|and a cheer all the while)!”",
    ],
)
_LINE_UP = move(
    [
        "{They} lined up (with|beside) {friend} (in a row|ready to race|as friends do),",
        "{They} stood (tall|ready) at the starting (line|place),",
        "Everyone (stretched|wiggled) and (wriggled|jiggled), (ready|all set) to go,",
        "{They} (hopped|bobbed) up and down to (warm up|get ready) for the race,",
        "{They} (lined up|got ready), (happy and|all) full of cheer,",
        "{They} (drew|made) a starting line (with care|just so),",
    ],
    [
        "When {little_a} (came|hurried) up and (asked|said), “Can I (race|come), too?”",
        "And {little_a} (peeped|popped) out and (asked|said), “May I (join|race) with you?”",
        "Then {little_a} (came|hurried) up (and said hello|, tiny and small).",
        "And {little_a} (squeezed|tucked|hurried) in beside them, in a (little|snug) space.",
        "“(Wait for me|Me too)!” (called|cried) {little_a}, (hurrying|coming) near.",
        "Even {little_a} (came|hurried) to (join the race|take its place).",
        "And {little_a} (hurried|came) to join them there.",
    ],
)
_OFF = move(
    [
        "“On your marks, get set… go!” (called|cried) {friend} (with a cheer|with a grin|loud and "
        "clear),",
        "“Ready, steady… go!” (sang|called) {friend}, and off went everyone,",
        "(Off|Away) went the racers, (one by one|side by side|all in a line),",
        "And off {they} (went|set), (with a hop and a bound|on tiptoe|with a glide),",
        "{They} (set off|started) (with a skip|with a hop|in a happy rush|full of cheer),",
        "“Go!” And off they all went, (hooray|hip, hip, hooray),",
    ],
    [
        "And the (happy|merry|gentle) race had (just|) begun!",
        "And everyone set off with a (giggle|hop|wiggle) and a spin.",
        "And {little} (hurried|came) (after|behind), (ever so|so very) slow.",
        "And everybody (laughed|giggled) the whole way.",
        "And {little} (cheered|squeaked), “(Here|Off) I go!”",
        "And {little} took a (tiny|little|wobbly) stride.",
        "And everyone gave a (happy|great big) cheer.",
        "And (off|away) went {little} too, (on a merry trip|with a hop and a skip).",
    ],
)
_PACE = move(
    [
        "{Friend} {friend_moves} (along|ahead), (as pleased as can be|full of delight),",
        "{They} (skipped|hopped|scampered) (along|ahead), (light as air|with gentle grace|just for "
        "fun),",
        "{Little} came (along|behind), (so slow|slow), so slow,",
        "Some went (fast|quick) and some went (slow|nice and slow),",
        "{Friend} (stopped|paused) to (look at|wave at|smile at) {sight} (on the way|as they "
        "passed|nearby),",
        "{They} (stopped|paused) to (wave|giggle) as {friend} {friend_moves} (past|by),",
    ],
    [
        "And everyone went at their (very own|own gentle) pace.",
        "No one was in a hurry; each went (the way|at the speed) that felt right.",
        "The fun was not in winning, but in the racing — (hooray|hip, hooray)!",
        "For the (best|nicest) kind of race is a (gentle|friendly) one, you know.",
        "And (somebody|someone) hummed a (happy|racing) tune as they went by.",
        "And oh, what (fun|a happy time) it was for everyone!",
        "It was the (happiest|merriest|gentlest) race you ever did see!",
        "And nobody (minded|cared) (who was|if they were) slow or fast.",
        "And {friend} (smiled|called), “(There's no hurry|Take your time) — on we go!”",
    ],
)
_BEHIND = move(
    [
        "But soon {little} (fell|was left) (far|a long way) behind,",
        "{Little} (stopped|sat down) (to rest|for a rest), (puffed out|tired and small),",
        "(Oops|Oh dear)! {Little} (slipped and sat|tumbled) (softly|gently) (down|on the ground),",
        "{Little} (looked|peeped) (back|round) and (gave|let out) a (tiny|little|wobbly) sigh,",
        "{Little} (puffed|panted) and (puffed|huffed), and (slowed right down|had to stop),",
        "“(Wait for me|Oh, wait)!” (called|peeped) {little} from far behind,",
        "{Little} (said|sighed), “I'm (tired|too slow)! (I can't keep up with you|What shall I "
        "do)?”",
    ],
    [
        "So {they} (turned|stopped) and went back, as good friends do.",
        "{Friend} (stopped|turned back) and (said|called), “We'll wait for you!”",
        "And everyone (stopped|turned back) to (lend a hand|help it, too).",
        "“(There, there|Don't worry),” said {friend}, “we'll wait — we don't mind!”",
        "So {they} held out a (hand|helping hand), so it wouldn't fall.",
        "“Hold on to me,” said {friend}, “we'll go together, (me and you|just us two)!”",
        "“(We'll wait|Let's wait)!” said {friend}. “No one gets left behind at all!”",
        "So {they} (turned|hurried) back and (stayed|waited) (close by|nearby).",
        "So {they} turned (right|straight) around.",
        "So back {they} went, (with a skip|with a hop).",
    ],
)
_ON_AGAIN = move(
    [
        "{They} (waited|stayed) (beside|with) {little} (with care|right there),",
        "{Little} (gave|smiled) a (wobbly|little|happy) smile,",
        "(Together|Side by side), {they} set off (once more|as before),",
        "“(Thank you|Oh, thank you)!” (said|whispered) {little} (with a smile|with delight|right "
        "away),",
        "{Friend} (walked|went) (beside|along with) {little} at a (gentle|slower) pace,",
        "{Friend} (smiled|nodded) and said, “(Now|Come on), off we go!”",
    ],
    [
        "And {little} felt happy, (light as air|warm and bright).",
        "Who was first or last? It didn't (matter|count) any more.",
        "And on they all went together, (nice|soft) and slow.",
        "For being kind is (better|more fun) than being fast, any day.",
        "“(Slow|Slowly) is best,” said {friend}, “in a gentle race!”",
        "“(Slow|Slowly) is (fine|lovely)!” (laughed|said) {friend}. “We'll get there in a while!”",
        "And {little} (giggled|laughed) and hurried on, (without a care|so glad to be there).",
        "And {little} felt brave enough to (try|go on) once more.",
        "And on they went, with (hearts|steps) so light.",
    ],
)
_FINISH = move(
    [
        "Then everyone crossed the finish line — (oh, what a sight|what a delight),",
        "(Then|At last) (they all|everyone) crossed the line (side by side|hand in hand|all in a "
        "row),",
        "“Who won?” (asked|wondered) {little}. {Friend} (laughed|smiled), “Everyone!”",
        "(Nobody|No one) came first, and (nobody|no one) came last,",
        "Side by side with {friend}, {they} (reached|crossed) the (finish|ribbon) line,",
        "(Hand in hand|All together), everyone reached the end (at last|in a happy heap),",
        "And {little}, the smallest, crossed it too, (so proud|proud) and tall,",
    ],
    [
        "It was a race that everyone had won!",
        "“We (did it|made it)!” (everyone|they all) cheered with delight.",
        "(It was|What) a (gentle|happy|lovely) race — and oh, what fun!",
        "“Together,” (smiled|laughed) {friend}, “is (better|nicer|more fun) than fast!”",
        "And {little} felt (proud|so proud) and (tall|bright).",
        "“It's a draw,” (said|cheered) {names}, “so everyone's won!”",
        "And everyone cheered for {little} (most of all|loudest of all).",
        "And the (happy|merry) (cheers|laughs) went (all around|far and wide).",
        "And {little}'s smile was (oh so|ever so) wide.",
        "“(Oh|My), what fun!” said {little}. “That race went by so fast!”",
        "“(Hooray|Hurrah)!” cried {little}. “We all did fine!”",
    ],
)
_PRIZE = move(
    [
        "{Friend} had a (prize|little prize) for everyone,",
        "And every racer (got|won) a prize: a (great big|warm) hug,",
        "Each one (got|won) a {colour} star (to keep|to wear),",
        "{Friend} (gave|handed) out hugs and (stars|smiles) (to big and small|for all to share),",
        "There were prizes for all: a (cheer|hug), a (star|smile),",
        "“Three cheers for everyone!” (cried|called) {friend} (with a smile|out loud),",
    ],
    [
        "And everyone felt (proud|happy) and tall.",
        "“Well done,” (said|smiled) {friend}, “(that was such fun|oh, what fun)!”",
        "And {little} (smiled|beamed) and (smiled|beamed) for a (long|happy) while.",
        "It was the (kindest|happiest|gentlest) race of all!",
        "And everyone felt (warm|cosy) and snug.",
        "And {little} (snuggled|nestled) in, as snug as a bug.",
        "And {little} (said|whispered), “I'll hold mine tight (while I sleep|as I sleep).”",
        "“There are plenty of (hugs|stars) for everyone to share!”",
        "And happy cheers rang out (all around|everywhere).",
        "And {friend} (said|smiled), “You're the (brightest|kindest) stars by far!”",
        "And everyone was so (happy|glad) that they laughed aloud.",
    ],
)

PLOT = plot(
    "gentle-race",
    "a gentle race where everyone wins",
    [
        stanza(_SUGGEST, _LINE_UP),
        stanza(_OFF, _PACE),
        stanza(_BEHIND, _ON_AGAIN),
        stanza(_FINISH, _PRIZE),
    ],
    titles=[
        "{Cast_and} the Gentle Race",
        "The Race Where Everyone Won",
        "{Friend_s} Gentle Race",
        "Ready, Steady, Slow!",
        "A Prize for Everyone",
        "The {Adj} Race",
        "The Night {Names} Raced {Friend}",
        "Slow and Steady, {Names}!",
        "Everyone Wins, {Names}!",
    ],
    recaps=[
        "raced {friend} and {little_a} in a race that everyone won",
        "held a gentle race with {friend}, where everyone won a prize",
        "helped {little_a} to the finish line of a gentle race",
    ],
    uses="little",
)
