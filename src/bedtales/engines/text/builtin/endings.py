"""Ending phrases: the rhymes at the end of a line, sorted by what they say.

A line template that ends with ``<kind>`` gets one of these phrases, chosen so that its last
word rhymes with the other line of the couplet. A kind is narrow on purpose — a template
asks for the kind that fits its own sentence, and every phrase of that kind must read well
there:

- ``when``: a time, after a whole clause ("They set off | as the stars came out"); some say
  how soon ("right away", "in a wink"), so they suit something done or happening;
- ``while``: a time of the night only, after any clause, a state too ("The lamp glowed low |
  as the night grew deep");
- ``dusk``: a time at the close of the day, for how a story opens ("as the sun went down");
- ``sky``: a place out under the night sky ("They sat | beneath the moon");
- ``move``: how someone moves, after a verb of going ("They tiptoed on | side by side");
- ``say``: how someone speaks, after "said Bramble" ("“Hello!” said Bramble | with a grin");
- ``softly``: how someone speaks quietly or a little sadly ("“I'm lost,” it said | soft and low");
- ``feel``: how someone feels or is, after "felt" or "was"/"were" ("They felt | warm and snug");
- ``look``: how a thing looks, after "looked" or "was"/"were" ("The lake was | calm and deep");
- ``soft_as``: a soft, quiet picture, after "was" or "felt" ("as soft as a summer cloud");
- ``bright_as``: a bright picture, after "shone" or "was" ("as bright as a star");
- ``cosy``: snug in bed, after a clause about bed ("They snuggled down | tucked in tight");
- ``landmark``: a thing of the place to pass or stop by, after "the" ("They walked past the
  | old oak tree"). Each has the settings it belongs to.

A phrase may end with ``@out`` (outdoor scenes only), ``@in`` (indoor scenes only) or
``@setting,setting`` (only those settings). The last word of every phrase must be in the
rhyme lexicon; that is checked at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bedtales.engines.text.builtin.lexicon import end_word, rhyme_group

OUT = "out"
IN = "in"


# Words that may come twice in a line: any of three letters or fewer ("the", "and"), these.
_COMMON = frozenset(
    "then with they were into from that this there what when soft".split()  # noqa: SIM905
)
_WORDS = re.compile(r"[^\W_]+")


def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that say something: an ending that says one of the words its
    line says already ("the moon … | as the moon rose high") is passed over."""
    return frozenset(
        word for word in _WORDS.findall(text.casefold()) if len(word) > 3 and word not in _COMMON
    )


@dataclass(frozen=True)
class Ending:
    text: str
    word: str  # the rhyme word: the phrase's last word
    group: str
    where: frozenset[str] | None  # settings, "out" or "in"; None: anywhere
    first: str  # its first word, lower-cased: "in" of "in a wink"
    says: frozenset[str]  # its content words

    def fits(self, setting: str, indoors: bool) -> bool:
        where = self.where
        if where is None:
            return True
        if indoors:  # a cottage on a snowy hill has no frozen lake inside
            return IN in where or "home" in where
        return setting in where or OUT in where


_TABLE = {
    "when": """
        that night | tonight | at last | once more | before too long
        right away | straight away | as the moon rose high | as the evening passed
        in the blink of an eye | as the stars came out | as the night grew deep
        as the day was done | as the clock struck nine | after a while
        before the dawn | as the night drew near | as the evening grew | as the world grew still
        in a wink | as the moon came out to play | when the stars came through
        as the night came down | as the clock went tock | as the moon rose overhead
        as the lamps began to glow | as night came all around
        as the night went by | in a little while | as the night began to fall
        as the day came to an end | while the world was half asleep | as the hours slipped away
        as the night grew soft and blue | all evening long
        as the moon began to rise | as the stars began to shine
    """,
    "while": """
        that night | as the stars came out | as the night grew deep
        while the world was half asleep | as the moon rose high | as the night went by
        as the evening passed | as the night drew near
        as the world grew still | as the night came down | as the moon rose overhead
        as the lamps began to glow | as night came all around | as the night began to fall
        as the hours slipped away | as the night grew soft and blue | when the stars came through
        all evening long | as the moon began to rise | as the stars began to shine | before the dawn
        as the clock struck nine | as the day came to an end | as the day was done
        in the hush of the night | while the stars shone clear | as the stars grew bright
        as the night wind sighed | as the moon looked down
    """,
    "dusk": """
        as the sun went down | as the sky turned red | at the end of the day
        as the sun slipped past | before the day was through | as the evening passed
        as the day was done | as the light grew low | as the first stars came out
        as the evening came | as the shadows grew long | as the sun sank out of sight
        as the sun said goodnight | as the sky turned gold | at the close of day
        as the day slipped by | as the birds flew home | as the sun sank low | as the sky grew pink
    """,
    "sky": """
        beneath the moon | under the moon | by the light of the moon
        up in the sky | beneath the sky | under the starry sky
        in the starlight | by the silver light | in the moonlight | in the soft moonlight
        in the evening air | in the cool night air | in the starry air
        in the moon's soft glow | in the starlight's glow | where the soft winds blow
        beneath a star | beneath the evening star | under a twinkling star
        under the starry dome | in the twilight blue | in the silver dew
        where the stars shone clear | on the evening breeze | beneath the trees @forest,garden,farm
        over the hill @out | in the moonbeam's gleam | beside the stream @forest,garden,river
        in the Milky Way @space,sky | among the stars so far @space,sky
        on the silver sea @sea,underwater | by the sea @sea | along the shore @sea
        in the snowy night @snow,mountains | on the frosty ground @snow,mountains
    """,
    "move": """
        nice and slow | soft and slow | on tiptoe | in a row
        side by side | far and wide | with a glide
        one by one | hand in hand | in a line
        with a skip and a hop | without a sound | round and round
        all the way | quick as a wink
        as quiet as can be | at an easy pace | with gentle grace
        light as air | with tender care | soft as snow
        with a hop and a bound | all along | with a happy song
        humming a tune
    """,
    "say": """
        with a smile | with a grin | soft and low | with a sigh
        with a happy sigh | with a cheer | loud and clear | with a yawn
        with a wink | with a wink or two | in a voice so kind | with delight
        with glee | in a voice so small | in a sleepy way | with a happy hum
        with a twinkle in each eye | with a giggle and a grin | with a nod and a smile
        with a how-do-you-do | with a little cheer | with a happy shout
        in a friendly way
        with a happy wave | with a twinkling eye | in a hush | with a merry grin
    """,
    "softly": """
        soft and low | with a sigh | with a little sigh | in a voice so small | soft and light
        quiet and slow | with a sniffle or two | as soft as could be | in a hush
        in a sleepy way | with a tiny frown | in a whisper near
        with a little sniff and a sigh | so quietly, so slow | sadly, in a voice so small
    """,
    "feel": """
        warm and snug | safe and sound | full of cheer | happy as can be
        glad inside | light as air | calm and still | snug and tight
        sleepy and slow | brave and strong | full of glee | full of joy
        ready for sleep | merry and bright | happy and free | good as new
        proud and tall | peaceful and slow | ready to play
        glad as glad could be | happy all through | as snug as a bug
        full of delight | happy inside | warm right through | snug and sweet | light and free
        ready for bed | happy to rest | glad and proud
    """,
    "look": """
        calm and deep | soft and white | silver and bright | so still
        shiny and new | round and high | big and round | soft and blue
        sparkly and clear | warm and gold | quiet and wide | cosy and small
        glittering bright | peaceful and grey | twinkly and small | smooth as a stone
        soft as a cloud | bright as day | shimmering bright | snug and round
        silver and blue | golden and bright | hushed and still | sleepy and sweet | soft and round
        misty and grey | starry and wide | dreamy and slow
    """,
    "soft_as": """
        as soft as a summer cloud | as soft as snow | as soft as a sigh | as light as air
        as snug as a bug | as calm as the sea | as still as a stone | as soft as a kitten's paw
        as light as a leaf | as soft as the night | as cosy as a nest | as soft as a dream
        as soft as a lullaby | as light as a snowflake | as soft as the breeze | as warm as a hug
        as quiet as the dew | as quiet as a mouse | as soft as a feather bed | as calm as a lake
        as gentle as a tune | as soft as a song | as still as a pool
        as soft as a moonbeam | as soft as a cloud | as calm as a pond | as soft as a hush
    """,
    "bright_as": """
        as bright as the moon | as bright as a star | as bright as a flame | as bright as day
        as bright as a lantern's glow | as bright as the sun
        as bright as a kite | as gold as a crown | as clear as a bell | as bright as can be
        as bright as a firefly's light | as bright as a candle's shine | as bright as the sea
        as shiny as a spoon | as bright as a sunbeam
    """,
    "cosy": """
        in bed | tucked in bed | snug in bed | tucked in tight | all curled up tight
        snug as a bug | cosy and snug | safe and sound | half asleep | fast asleep
        soft and deep | warm and still | curled up small | by the fire's glow
        by candlelight | under the quilt so deep | ready for sleep | snug as can be
        safe in bed | all tucked in | with a teddy near | curled up like a mouse | snug in a heap
    """,
    "landmark": """
        old oak tree @forest,garden,farm,castle | mossy stone @forest,garden,mountains
        garden gate @garden,farm,home,town | silver stream @forest,garden,river,mountains
        sleepy lake @river,forest,mountains,snow | wishing well @garden,castle,town,forest
        grassy hill @garden,farm,forest,castle | sandy shore @sea | glassy pool @sea,river,garden
        flower bed @garden | garden shed @garden,farm | moonlit glade @forest,garden
        tallest pine @forest,mountains,snow | leafy nook @forest,garden
        little brook @forest,garden
        grassy mound @garden,farm,forest | big red barn's door @farm | haystack's side @farm
        kitchen door @home | comfy chair @home | window sill @home,town | cosy nook @home
        dusty stair @home,castle | ticking clock @home,town,castle | lighthouse @sea
        harbour wall @sea,town | rocky shore @sea | sandy dune @desert,sea
        palm tree @desert,jungle,sea
        castle wall @castle | tower stair @castle | royal hall @castle
        coral bright @underwater | sunken ship @underwater | seaweed tall @underwater
        silver moon @space,sky | shining star @space,sky | cloud of white @sky
        giant fern @jungle | waterfall @jungle,mountains | jungle tree @jungle
        snowy hill @snow,mountains | frozen lake @snow,mountains | icy ledge below @snow,mountains
        lamp post's light @town | market square @town | clock tower tall @town
        garden wall @garden,home,town,castle | rock pool @sea | stepping stone @river,garden
        sleepy town @town | cottage door @home,garden,farm,snow,forest
    """,
}


def _parse(text: str) -> list[Ending]:
    endings: list[Ending] = []
    for item in text.replace("\n", "|").split("|"):
        phrase = " ".join(item.split())
        if not phrase:
            continue
        where: frozenset[str] | None = None
        if "@" in phrase:
            phrase, _, tags = phrase.partition("@")
            phrase, where = phrase.strip(), frozenset(tags.strip().split(","))
            _check_where(phrase, where)
        word = end_word(phrase)
        group = rhyme_group(word)
        if group is None:
            raise ValueError(f"ending {phrase!r} ends on {word!r}, which the lexicon lacks")
        first = phrase.split(" ", 1)[0].casefold()
        endings.append(Ending(phrase, word, group, where, first, content_words(phrase)))
    return endings


def _check_where(phrase: str, where: frozenset[str]) -> None:
    from bedtales.stories.scenes import SETTINGS

    unknown = where - set(SETTINGS) - {OUT, IN}
    if unknown:
        raise ValueError(f"ending {phrase!r} names unknown settings {sorted(unknown)}")


def _build() -> dict[str, dict[str, tuple[Ending, ...]]]:
    table: dict[str, dict[str, tuple[Ending, ...]]] = {}
    for kind, text in _TABLE.items():
        by_group: dict[str, list[Ending]] = {}
        for ending in _parse(text):
            by_group.setdefault(ending.group, []).append(ending)
        table[kind] = {group: tuple(items) for group, items in by_group.items()}
    return table


ENDINGS: dict[str, dict[str, tuple[Ending, ...]]] = _build()


@cache
def groups_of_kind(kind: str) -> frozenset[str]:
    return frozenset(ENDINGS[kind])
