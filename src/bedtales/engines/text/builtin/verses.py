"""The verses every setting shares: the evening, the friends, the helper, the way home, sleep.

Each pool holds couplets for one moment of the story; the composer picks from them with the
story's seed. Slots and ``[one|more]`` choices are explained in :mod:`.couplets`. Dialogue
uses curly quotes; every couplet is a whole sentence, so any two of them make a stanza.
"""

from __future__ import annotations

from dataclasses import dataclass

from bedtales.engines.text.builtin.couplets import Couplet, pool

# The evening begins (no names needed).
EVENING = pool(
    (
        "The sun had slipped behind the hills to rest,",
        "And painted pink and gold across the west.",
    ),
    (
        "The evening sky was turning deep and blue,",
        "And one by one, the little stars peeped through.",
    ),
    (
        "The day was nearly over, calm and still,",
        "The moon was climbing slowly up the hill.",
    ),
    (
        "When evening came with shadows long and deep,",
        "The world began to yawn and think of sleep.",
    ),
    (
        "Outside the window, crickets hummed a tune,",
        "And high above them rose a silver moon.",
    ),
    (
        "Once upon an evening, calm and clear,",
        "The first small star said, “Bedtime's getting near.”",
    ),
    (
        "The clouds were pink and fluffy, floating high,",
        "And swallows swooped across the evening sky.",
    ),
    (
        "The moon came up as round as a balloon,",
        "And hummed the world a soft and sleepy tune.",
    ),
    (
        "The birds had tucked their heads beneath a wing,",
        "And far away, a bell began to ring.",
    ),
    (
        "The light was fading, golden, warm, and slow,",
        "And every window had a friendly glow.",
    ),
    (
        "A sleepy breeze came drifting through the trees,",
        "And rocked the flowers, humming with the bees.",
    ),
    (
        "The evening came on tiptoe, soft and gray,",
        "To gently fold away the busy day.",
    ),
    (
        "The sky was wearing purple, pink, and gold,",
        "The kind of evening stories love to hold.",
    ),
    (
        "The busy bees flew home, their work all done,",
        "And said goodnight to the golden setting sun.",
    ),
)

# The characters come in ({names} always appears).
FRIENDS = pool(
    (
        "{names} [was|were] nearly ready for bed,",
        "But first, one small adventure lay ahead!",
    ),
    (
        "{names} looked out at the twinkling sky,",
        "And felt a little wish go fluttering by.",
    ),
    (
        "Here is a tale of {names}, one starry night,",
        "When all the world was hushed and silver-white.",
    ),
    (
        "{names} pulled on [a warm, soft coat|warm, soft coats] with care,",
        "And tiptoed out into the evening air.",
    ),
    (
        "{names} heard a whisper in the breeze;",
        "It giggled softly, “Come and see, oh please!”",
    ),
    (
        "{names} [was|were] not quite ready yet to rest,",
        "For evening adventures are the very best.",
    ),
    (
        "{names} gave a yawn, and then a grin:",
        "“One more adventure!” And so we begin.",
    ),
    (
        "{names} peeked out through the curtain lace,",
        "And saw the moon smile with its friendly face.",
    ),
    (
        "With twinkling eyes, {names} tiptoed out,",
        "To see what the evening was all about.",
    ),
    (
        "{names} had wished upon a star",
        "For one small adventure, near or far.",
    ),
    (
        "{names} [was|were] wide awake, and full of fun,",
        "Although the busy day was nearly done.",
    ),
    (
        "Now {names} had a plan, you see:",
        "An evening walk, as quiet as could be.",
    ),
)

# Setting out, for scenes that read "went to …" ({goto}: "to a magical forest").
SCENE_GO = pool(
    (
        "And so {they} went off {goto} that night,",
        "With hearts so full of wonder and delight.",
    ),
    (
        "{They} set off {goto}, and oh, what fun!",
        "The evening's big adventure had begun.",
    ),
    (
        "Tonight the story takes {them} {goto} and back,",
        "With a little lantern and a bedtime snack.",
    ),
    (
        "{They} tiptoed off {goto}, as quiet as mice,",
        "For evening adventures are ever so nice.",
    ),
    (
        "A moonbeam showed the way {goto} that night,",
        "And lit each step with pale and silver light.",
    ),
)

# Setting out, for any scene that is a thing ("farm animals", "Paris at night").
SCENE_ABOUT = pool(
    (
        "Tonight's adventure was all about {scene}. Hooray!",
        "And off {they} went to wonder and to play.",
    ),
    (
        "A dream of {scene}, big and bright,",
        "Came floating in to carry {them} off tonight.",
    ),
    (
        "This story is all about {scene}, you see,",
        "And it's as snug as any story can be.",
    ),
    (
        "Tonight's tale is all about {scene}, and so",
        "{They} tiptoed off to see it, nice and slow.",
    ),
)

# Setting out, for scenes that read "were …" ("building a snowman", "on a pirate ship").
SCENE_BE = pool(
    (
        "Tonight {they} [was|were] {scene}. Oh, what fun!",
        "The evening's big adventure had begun.",
    ),
    (
        "And soon {they} [was|were] {scene}, full of glee,",
        "As happy and as cheerful as could be.",
    ),
    (
        "Before too long, {they} [was|were] {scene} at last,",
        "And how the happy minutes hurried past!",
    ),
    (
        "That evening, {they} [was|were] {scene} with a smile,",
        "And stayed to look and wonder for a while.",
    ),
    (
        "Our story finds {them} {scene} tonight,",
        "Beneath a sky of twinkly silver light.",
    ),
)

# Wandering and wondering: fits any setting.
WONDER = pool(
    (
        "{They} wandered on through {place}, so much to see,",
        "And felt as light and free as free could be.",
    ),
    (
        "All through {place}, the night was soft and kind,",
        "And all the busy day was left behind.",
    ),
    (
        "Each little sound was tiny, hushed, and low,",
        "Like someone whispering, “Take it nice and slow.”",
    ),
    (
        "The moon looked down on {place} with a wink,",
        "As if to say, “It's lovelier than you think!”",
    ),
    (
        "{They} stopped to listen, quiet as a mouse,",
        "The night was still as any sleeping house.",
    ),
    (
        "{They} counted stars: one, two, three, and four,",
        "And then a hundred, and a hundred more!",
    ),
    (
        "A playful breeze went whispering along,",
        "And hummed a little, sleepy, happy song.",
    ),
    (
        "Then {they} found a spot in {place} that felt just right,",
        "And sat a while to watch the starry night.",
    ),
    (
        "The world felt big and peaceful, calm and wide,",
        "With little wonders waiting on every side.",
    ),
    (
        "And everything looked sleepy, soft, and new,",
        "All sprinkled with a silver, sparkly dew.",
    ),
    (
        "{They} skipped and hopped and twirled around,",
        "Then stood quite still to hear each little sound.",
    ),
    (
        "How wonderful, how peaceful, and how bright",
        "The world can be beneath the silver light!",
    ),
)

# The helper arrives: {helper} "a wise old owl", {helper_move} "gliding".
HELPER_ARRIVES = pool(
    (
        "Just then, {helper} came {helper_move} by,",
        "And said, “Hello! Now, why the little sigh?”",
    ),
    (
        "Along came {helper}, {helper_move} near,",
        "Who said, “Don't worry, I can help, my dear.”",
    ),
    (
        "Then who should come but {helper}, {helper_move} along,",
        "And humming a bright and friendly song?",
    ),
    (
        "And who came {helper_move} up to see?",
        "Why, {helper}, as friendly as can be!",
    ),
    (
        "A small voice said, “Hello there! Can I help you?”",
        "It was {helper} from {place}. “How do you do?”",
    ),
)

# The helper offers to help.
HELPER_OFFERS = pool(
    (
        "{Helper_the} thought, and then said, “I know what to do!",
        "But I will need a little help from you.”",
    ),
    (
        "“Together,” said {helper_the}, “we'll make it right,",
        "If we are kind and patient here tonight.”",
    ),
    (
        "{Helper_the} said, “I know {place} well, it's true,",
        "And I know just the thing that we can do.”",
    ),
    (
        "{Helper_the} nodded wisely. “Come with me,",
        "And we will fix it: one, two, three!”",
    ),
    (
        "“A little kindness goes a long, long way,”",
        "Said {helper_the}. “Let's help without delay!”",
    ),
    (
        "{Helper_the} listened, then smiled a kindly smile:",
        "“Let's work together for a little while.”",
    ),
    (
        "“Don't worry,” said {helper_the}, “we'll do our best,",
        "And then we'll all go home to have a rest.”",
    ),
)

# Kindness and teamwork, after the problem is solved.
TEAMWORK = pool(
    (
        "It's funny how a trouble shrinks in size",
        "When friends help out with warm and caring eyes.",
    ),
    (
        "For little hearts can do a mighty deed",
        "When friends are kind to anyone in need.",
    ),
    (
        "{names} had been so gentle and so kind,",
        "[The very kindest friend|The very kindest friends] that you could find.",
    ),
    (
        "A helping hand, a smile, a kindly word,",
        "Can be the sweetest magic ever heard.",
    ),
    (
        "And everyone agreed, from far and near,",
        "That being kind is what makes friends so dear.",
    ),
    (
        "When friends all work together, side by side,",
        "The world feels warm, and hearts feel open wide.",
    ),
)

# Joy and thanks ("they" is the friends and the helper together).
CELEBRATE = pool(
    (
        "They laughed and twirled a happy little dance,",
        "And even {helper_the} joined in with a prance.",
    ),
    (
        "{Helper_the} said, “I'm glad we helped tonight!”",
        "And everything felt snug and warm and right.",
    ),
    (
        "A hush of happiness fell all around,",
        "The softest, sweetest, gentlest kind of sound.",
    ),
    (
        "There were giggles, hugs, and cheers of “Hip, hooray!”",
        "The very best way to end a busy day.",
    ),
    (
        "The stars above all twinkled, as if to say,",
        "“Well done! That was the kindest thing today!”",
    ),
    (
        "Then {helper_the} gave {them} a great big hug,",
        "As warm as a blanket, soft and snug.",
    ),
)

# Goodbye to the helper.
FAREWELL = pool(
    (
        "“It's getting late,” {helper_the} softly said,",
        "“It's time for you to go back home to bed.”",
    ),
    (
        "{They} waved goodbye and called, “See you soon!”",
        "Beneath the round and glowing, smiling moon.",
    ),
    (
        "{Helper_the} yawned and stretched and said, “Sleep tight,",
        "Come back and visit when the moon is bright.”",
    ),
    (
        "With hugs and waves and one last friendly cheer,",
        "{They} said goodbye to {helper_the}, so dear.",
    ),
)

# The way home.
HOMEWARD = pool(
    (
        "Then home {they} went along the moonlit way,",
        "And yawned and yawned. What a wonderful day!",
    ),
    (
        "The path from {place} glimmered, pale and white,",
        "Lit by the moon, the kindest lamp of night.",
    ),
    (
        "{They} tiptoed home, so sleepy and so slow,",
        "With moonlit footsteps, soft as falling snow.",
    ),
    (
        "The breeze sang softly all the long way back,",
        "And moonbeams lit the little homeward track.",
    ),
    (
        "With every step, {they} yawned a bigger yawn,",
        "And dreamed of sleeping soundly until dawn.",
    ),
    (
        "Back through the quiet night {they} wandered home,",
        "Beneath the starry sky's great silver dome.",
    ),
    (
        "The moon walked with {them}, keeping watch up high,",
        "And every star winked softly from the sky.",
    ),
    (
        "Soon home again, {they} opened up the door,",
        "And tiptoed quietly across the floor.",
    ),
)

# Into bed (the first half of the last stanza).
BEDTIME = pool(
    (
        "Teeth brushed, face washed, and pillows plumped just right,",
        "{They} snuggled under blankets, soft and light.",
    ),
    (
        "The night-light glowed, the house was warm and still,",
        "The moon peeped in across the window sill.",
    ),
    (
        "A goodnight kiss, a cuddle, and a song:",
        "The kind of night where nothing can go wrong.",
    ),
    (
        "{They} gave a yawn, so wide and slow and long,",
        "And hummed the last few notes of a bedtime song.",
    ),
    (
        "Then into bed {they} climbed, the lamp turned low,",
        "And someone whispered, “Sleep tight,” warm and slow.",
    ),
    (
        "The blankets were as soft as a summer cloud,",
        "And nobody was talking very loud.",
    ),
    (
        "The pillow was as soft as it could be,",
        "The blanket warm, the night as calm as the sea.",
    ),
)

# The very end: every couplet here is about falling asleep.
SLEEP = pool(
    (
        "And as the moon sang softly, low and deep,",
        "{names} drifted gently off to sleep.",
    ),
    (
        "{Their} eyes grew heavy, breathing slow and deep,",
        "And soon, so soon, {names} [was|were] fast asleep.",
    ),
    (
        "Sweet dreams, {names}, so snug and tight;",
        "Sleep softly now until the morning light.",
    ),
    (
        "And in {their} dreams, {helper_the} hummed a song,",
        "And {names} would sleep the whole night long.",
    ),
    (
        "The house was hushed, the night was still and deep,",
        "And {names}, at last, [was|were] fast asleep.",
    ),
    (
        "Goodnight, sweet moon, and stars that softly gleam.",
        "Goodnight, {names}. Now sleep, and dream.",
    ),
    (
        "With dreams of {place} drifting all around,",
        "{names} fell asleep without a sound.",
    ),
    (
        "The stars kept watch with bright and twinkly eyes,",
        "And {names} fell asleep beneath the skies.",
    ),
    (
        "Tomorrow there'll be more adventures, too,",
        "But now it's time to sleep, for {names} and you.",
    ),
    (
        "So close your eyes, and like {names}, sleep",
        "A sleep that's warm and soft and calm and deep.",
    ),
)


@dataclass(frozen=True)
class Problem:
    """A gentle small trouble, how it shows itself, how it is solved and what follows."""

    key: str
    titles: tuple[str, ...]  # noun phrases for the title; {little} is the creature, title-cased
    can_be_helped: bool  # reads well after "How Eric Helped …"
    found: tuple[Couplet, ...]  # the friends notice it
    told: tuple[Couplet, ...]  # what the trouble is
    solved: tuple[Couplet, ...]  # how it is put right (with the helper)
    after: tuple[Couplet, ...]  # thanks and joy


FALLEN_STAR = Problem(
    key="star",
    can_be_helped=True,
    titles=("the Fallen Star", "the Little Lost Star", "the Tumbling Star", "the Tiny Star"),
    found=pool(
        (
            "Then {they} spied a twinkle on {ground} below:",
            "A little star, with such a tiny glow.",
        ),
        (
            "But look! What sparkled there, so small and bright?",
            "A baby star had tumbled down tonight!",
        ),
        (
            "{They} heard a sniffle, soft and sad and small:",
            "A little star had had a tumble and a fall.",
        ),
    ),
    told=pool(
        (
            "“I fell,” it said, “while playing in the sky,",
            "And now I cannot get back up so high.”",
        ),
        (
            "Its light was dim, it shivered, and it said,",
            "“I want to go back home to my own bed.”",
        ),
        (
            "“My friends are twinkling up there, very far,",
            "But I'm too small to get back home,” sighed the star.",
        ),
    ),
    solved=pool(
        (
            "{They} lifted up the little star with care,",
            "And gave it one light toss into the air.",
        ),
        (
            "With {helper_the}, {they} made a ladder of light,",
            "And helped the star climb home into the night.",
        ),
        (
            "{They} hugged the star to warm its little glow,",
            "Until it floated upward, calm and slow.",
        ),
    ),
    after=pool(
        (
            "Back in the sky, the star began to shine,",
            "And twinkled, “Thank you, [friend|friends] of mine!”",
        ),
        (
            "And ever since, when you look up at night,",
            "One little star will wink with extra light.",
        ),
    ),
)

LANTERN = Problem(
    key="lantern",
    can_be_helped=False,
    titles=("the Little Lantern", "the Sleepy Lantern", "the Lantern Light", "the Last Lantern"),
    found=pool(
        (
            "But then the little lantern, warm and bright,",
            "Went flicker... flicker... out! No more light.",
        ),
        (
            "The lantern that {they} carried gave a sigh,",
            "And then its little flame said, “Bye-bye!”",
        ),
    ),
    told=pool(
        (
            "Without its glow, the path was hard to see.",
            "“Oh dear,” {they} whispered. “Where can the way home be?”",
        ),
        (
            "The night was soft, but dim as dim could be,",
            "Too dim to see the path, or you, or me!",
        ),
    ),
    solved=pool(
        (
            "{Helper_the} gave a call, and in a flash or two,",
            "A cloud of {glowers} came glittering through.",
        ),
        (
            "{They} asked the {glowers}, “Would you share your light?”",
            "And soon the lantern glowed again, so bright!",
        ),
        (
            "The {glowers} came and gathered, one by one,",
            "And filled the lantern up, like a little sun.",
        ),
    ),
    after=pool(
        (
            "{They} thanked each tiny, twinkling, glowing friend,",
            "Who lit the way right to the pathway's end.",
        ),
        (
            "The lantern glowed so golden and so clear,",
            "It made the whole path sparkle, far and near.",
        ),
    ),
)

SLEEPLESS = Problem(
    key="sleepless",
    can_be_helped=True,
    titles=("the Wide-Awake {little}", "the Sleepless {little}", "the Yawning {little}"),
    found=pool(
        (
            "And then {they} heard a yawn, and then a sigh,",
            "And met {little} with a wide-awake eye.",
        ),
        (
            "There, underneath the moon's pale silver beam,",
            "Lay {little}, too wide awake to dream.",
        ),
    ),
    told=pool(
        (
            "“I cannot sleep,” it said, “though I've tried and tried.",
            "My eyes stay open, open, open wide!”",
        ),
        (
            "It wriggled left, and then it wriggled right;",
            "It could not sleep a single wink tonight.",
        ),
    ),
    solved=pool(
        (
            "So {they} began to hum a tune, sweet and slow,",
            "With {helper_the} humming along down low.",
        ),
        (
            "{Helper_the} told a story, calm and sweet,",
            "While {they} kept time with softly tapping feet.",
        ),
        (
            "{They} rocked it gently, to and fro,",
            "And whispered, “Close your eyes now, nice and slow.”",
        ),
    ),
    after=pool(
        (
            "Its eyelids drooped, its breathing went so deep,",
            "And soon {little_the} was fast asleep.",
        ),
        (
            "It gave a yawn, a smile, a sleepy sigh,",
            "And whispered, “Thank you,” with a drowsy eye.",
        ),
    ),
)

LOST_LITTLE_ONE = Problem(
    key="lost",
    can_be_helped=True,
    titles=("the Lost {little}", "the Wandering {little}", "the Lost Little One"),
    found=pool(
        (
            "Then {they} found {little} on its own,",
            "Who sniffled, “I am lost, and all alone.”",
        ),
        (
            "Then, peeking out, {they} saw {little}, so small,",
            "Who didn't know the way back home at all.",
        ),
    ),
    told=pool(
        (
            "“I wandered off to play,” it softly said,",
            "“And now it's late, and time to be in bed.”",
        ),
        (
            "“My family is waiting, I just know,",
            "But which way is it? Where am I to go?”",
        ),
    ),
    solved=pool(
        (
            "With {helper_the} to lead, {they} went along,",
            "And kept {little_the} cheerful with a song.",
        ),
        (
            "Then there, at last, its family came in sight,",
            "And hugged it close and held it, oh, so tight.",
        ),
        (
            "{Helper_the} knew every path and every turn,",
            "And showed the way, so there was no concern.",
        ),
    ),
    after=pool(
        (
            "Its family called, “Thank you! We love you so!”",
            "And waved and waved as {they} turned to go.",
        ),
        (
            "The little one was home, all safe and sound,",
            "And happy hugs were shared by all around.",
        ),
    ),
)

HIDDEN_MOON = Problem(
    key="cloud",
    can_be_helped=True,
    titles=("the Sleepy Cloud", "the Hidden Moon", "the Moon and the Cloud"),
    found=pool(
        (
            "But then a big, soft cloud came on its way,",
            "And gently tucked the moon and stars away.",
        ),
        (
            "But then a cloud came drifting, slow and shy,",
            "And hid the moon right out of the sky.",
        ),
    ),
    told=pool(
        (
            "The cloud was sleepy, and it would not budge,",
            "Not even for a gentle, friendly nudge.",
        ),
        (
            "Without the moon, the night was dim and still;",
            "There wasn't any light on path or hill.",
        ),
    ),
    solved=pool(
        (
            "{Helper_the} said, “Let's ask it nicely, please,”",
            "And [{they}|they both|they all] blew a soft and tickly breeze.",
        ),
        (
            "The cloud began to smile, and then it sighed,",
            "And floated off, and moved a bit aside.",
        ),
        (
            "The cloud said, “Oh! I didn't mean to stay!”",
            "And with a puff, it gently drifted away.",
        ),
    ),
    after=pool(
        (
            "The moon peeked out and beamed with all its might,",
            "And filled the world with shining silver light.",
        ),
        (
            "The moon said, “Thank you!” with a silver smile,",
            "“I'll shine for you and watch you all the while.”",
        ),
    ),
)

STUCK_TOY = Problem(
    key="toy",
    can_be_helped=False,
    titles=("the Runaway {toy}", "the Very High {toy}", "the Stuck {toy}"),
    found=pool(
        (
            "But oh! {Their} {toy} went flying up so high,",
            "It landed in a tree against the sky.",
        ),
        (
            "A little gust of breeze came whooshing by,",
            "And carried off {their} {toy}, way up high.",
        ),
    ),
    told=pool(
        (
            "It caught upon a branch, so very tall,",
            "Too high for anyone to reach at all.",
        ),
        (
            "{They} jumped and stretched up high on tippy-toe,",
            "But still the {toy} was stuck up there. Oh no!",
        ),
    ),
    solved=pool(
        (
            "So {helper_the} helped {them} build a wobbly tower,",
            "And up {they} reached, with a burst of teamwork power!",
        ),
        (
            "Then {helper_the} gave the branch a little tap,",
            "And down it fell, right into {their} lap!",
        ),
    ),
    after=pool(
        (
            "“Hooray!” {they} cheered, and hugged {helper_the} tight,",
            "And played one last slow game in the silver light.",
        ),
        (
            "{They} hugged the {toy} and laughed, “We missed you so!”",
            "And {helper_the} just smiled, “Now off you go!”",
        ),
    ),
)

SHY_FRIEND = Problem(
    key="shy",
    can_be_helped=True,
    titles=("the Shy {little}", "the Shy Little Friend", "a Brand-New Friend"),
    found=pool(
        (
            "Then {they} saw {little}, sitting all alone,",
            "As quiet and as still as any stone.",
        ),
        (
            "Then {little} peeked out, so very shy,",
            "And gave a tiny wave, and then a sigh.",
        ),
    ),
    told=pool(
        (
            "“I'd like to play,” it whispered, “but I'm small,",
            "And no one ever seems to see me at all.”",
        ),
        (
            "“I'm far too shy to say hello,” it said,",
            "And hid its face and lowered its little head.",
        ),
    ),
    solved=pool(
        (
            "So {they} said, “Hello! Would you like to play?”",
            "And {little_the} smiled the biggest smile that day.",
        ),
        (
            "{Helper_the} said, “Come and play with us, my dear,”",
            "And shyly, slowly, {little_the} came near.",
        ),
    ),
    after=pool(
        (
            "They played and giggled till the moon came out,",
            "For that is what real friendship's all about.",
        ),
        (
            "“Thank you,” said {little_the}, “for being kind to me.",
            "Now I have friends, as many as can be!”",
        ),
    ),
)

PROBLEMS: dict[str, Problem] = {
    problem.key: problem
    for problem in (
        FALLEN_STAR,
        LANTERN,
        SLEEPLESS,
        LOST_LITTLE_ONE,
        HIDDEN_MOON,
        STUCK_TOY,
        SHY_FRIEND,
    )
}
