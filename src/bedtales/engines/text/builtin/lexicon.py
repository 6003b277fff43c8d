"""A small rhyme lexicon, written for bedtales: groups of gentle words that truly rhyme.

Every couplet the composer writes ends on two different words of one group. The groups hold
only words whose stressed vowel is the last one, so they rhyme however strictly one judges
(``moon``/``balloon`` yes, ``everywhere``/``there`` left out). Words with two common
pronunciations (``bow``, ``row``, ``wind``, ``read``, ``close``) are left out on purpose.
"""

from __future__ import annotations

import re

_GROUPS = """
ight: night light bright white sight tight delight flight kite quite right polite might height
    tonight moonlight starlight candlelight goodnight
oon: moon soon tune spoon balloon afternoon lagoon noon june dune
ee: tree sea free be see me three glee key bee we tea knee
ay: day way play say stay away grey gray hay bay sway lay today ray spray hooray may delay
oh: glow slow go below know so snow low flow show toe ago hello grow though oh no fro row
    blow tiptoe
ow: now how cow wow allow
ound: around ground sound found round bound mound
ed: bed head said red spread thread ahead instead fed sled led shed overhead
eep: sleep deep keep sheep peep leap steep asleep heap
eam: dream stream gleam beam team cream steam sunbeam moonbeam seem
air: air there care where share chair bear hair fair stair pair square wear
    everywhere flair anywhere somewhere
ear: near dear clear ear cheer year appear deer
ide: wide side ride glide slide hide guide inside tide beside pride outside tried sighed aside
    stride countryside
ing: sing wing thing ring king spring bring swing string
eye: sky by high fly sigh goodbye bye try eye shy dry why reply lullaby nearby cry hi
all: small tall all call ball wall fall hall waterfall
ake: awake lake make take shake flake cake snowflake
est: rest nest best west chest guest quest dressed
ark: dark spark park bark lark
ore: shore more door floor explore before four snore soar store
eet: feet sweet street treat meet neat seat greet beat
oo: new blue through too true grew flew do you knew two view crew dew shoe who zoo hue
ame: name came same game flame
eeze: trees breeze seas please ease bees knees
old: gold old told hold cold fold bold rolled
ine: shine line fine mine nine pine sign vine
ile: smile while mile pile
ace: place face space race lace grace embrace trace pace
and: hand sand land band stand grand
ong: song along long strong belong wrong
oat: boat float coat note goat wrote
ize: eyes skies rise wise surprise size prize sighs
own: town down gown crown brown frown
ap: nap lap cap map tap clap
ug: hug snug rug bug mug
um: drum hum come some thumb plum
ower: flower hour tower power shower
een: green seen between queen clean keen sheen
ink: wink blink think pink drink
ell: bell well shell tell smell fell spell
ind: kind find behind mind unwind remind
ar: star far are car jar
un: fun sun run done one begun won everyone
ast: last past fast passed vast
ave: wave brave gave save cave
ail: sail tail trail whale snail pail tale pale
ip: ship trip slip tip flip skip
op: stop top hop drop pop shop
ome: home foam roam dome comb gnome
oze: nose toes rose doze goes glows grows snows those knows
out: out about shout sprout scout
ush: hush rush brush blush plush
eek: peek seek cheek creek week squeak speak beak
ook: look book nook took brook shook cook
oud: cloud proud loud aloud
oy: joy toy boy enjoy
ill: still hill fill will until sill spill
in: grin begin in spin chin twin win
ack: back track pack snack clack stack
ice: mice nice twice ice rice slice
eed: need deed seed speed indeed freed
ade: shade played made glade stayed parade
udge: budge nudge fudge
ate: gate late great wait straight eight plate
ond: pond beyond fond blond
ooth: smooth soothe
ools: pools jewels tools rules
olly: jolly holly lolly
ock: tock block rock clock sock
end: friend end bend send mend lend
ord: word heard bird third
ance: dance prance chance
erry: merry berry very cherry
ife: life wife
aw: saw paw straw draw
eaf: leaf beef
ept: kept slept stepped swept
ew-l: cool pool school stool
awn: yawn dawn lawn drawn
one: own alone stone bone phone
ouse: mouse house lighthouse
at: hat cat flat mat sat
urn: turn learn return fern concern
ain: rain pane lane plain chain train
"""

# The last word of a line: letters and inner apostrophes (``silver-white`` ends on ``white``).
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def _parse(text: str) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            groups[key].extend(line.split())
        else:
            key, _, words = line.partition(":")
            groups[key] = words.split()
    return {key: tuple(words) for key, words in groups.items()}


RHYME_GROUPS: dict[str, tuple[str, ...]] = _parse(_GROUPS)


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for group, words in RHYME_GROUPS.items():
        for word in words:
            if word in index:
                raise ValueError(f"rhyme lexicon: {word!r} is in {index[word]!r} and {group!r}")
            index[word] = group
    return index


GROUP_OF: dict[str, str] = _build_index()


def end_word(line: str) -> str:
    """The last word of ``line``, lower-cased; empty when the line has no word."""
    words = _WORD.findall(line)
    return words[-1].lower() if words else ""


def rhyme_group(word: str) -> str | None:
    """The lexicon group of ``word`` (lower-case), or None when the lexicon lacks it."""
    return GROUP_OF.get(word)
