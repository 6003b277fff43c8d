"""How a character looks, decided by their name alone.

A name is hashed (SHA-256 of the name, trimmed and case-folded) and the hash picks a kind of
creature, its colours and its little extras, so "Milo" is the same ginger cat with a blue
scarf in every story, on every machine, and "milo " is still Milo.
"""

from __future__ import annotations

from dataclasses import dataclass

from bedtales.engines.image.builtin.color import RGB, seeded

# Each kind's coats: soft, fairly light colours that stand out on a night-time ground.
COATS: dict[str, tuple[RGB, ...]] = {
    "bunny": ((246, 240, 236), (208, 202, 218), (226, 190, 152), (240, 212, 224)),
    "bear": ((186, 132, 96), (220, 172, 112), (242, 238, 230), (168, 130, 116)),
    "cat": ((240, 164, 96), (184, 186, 204), (246, 230, 202), (150, 146, 170)),
    "fox": ((238, 138, 76), (230, 116, 84), (236, 234, 242)),
    "mouse": ((200, 194, 210), (194, 158, 128), (238, 228, 216)),
    "owl": ((176, 134, 100), (156, 162, 198), (238, 234, 238)),
    "penguin": ((84, 96, 140), (104, 110, 128), (160, 170, 192)),
    "frog": ((134, 204, 112), (112, 200, 176), (184, 214, 104)),
    "puppy": ((228, 198, 152), (184, 128, 92), (246, 242, 234), (150, 126, 120)),
    "dragon": ((144, 204, 154), (180, 156, 234), (114, 194, 214), (242, 166, 156)),
    "child": ((255, 222, 196), (238, 192, 156), (200, 146, 106), (150, 100, 72), (112, 76, 58)),
}
KINDS: tuple[str, ...] = tuple(COATS)

ACCENTS: tuple[RGB, ...] = (
    (234, 92, 112),  # cherry
    (252, 192, 76),  # honey
    (104, 164, 244),  # sky blue
    (164, 118, 232),  # lilac
    (96, 198, 144),  # mint
    (250, 146, 192),  # pink
    (80, 196, 216),  # teal
    (250, 138, 76),  # tangerine
)
HAIR: tuple[RGB, ...] = ((52, 40, 40), (112, 70, 46), (186, 96, 56), (236, 200, 120), (80, 56, 44))
HATS = ("nightcap", "bow", "crown", "flower", "star", "none")
NECKS = ("scarf", "bowtie", "none")
HELD = ("lantern", "wand", "none", "none")
HAIRSTYLES = ("short", "bob", "buns", "curls", "ponytail")


@dataclass(frozen=True)
class Look:
    kind: str
    coat: RGB  # fur, feathers or skin
    accent: RGB  # the colour of hat, scarf or pyjamas
    accent2: RGB  # stripes and trims
    hat: str
    neck: str
    held: str
    sleepy: bool  # eyes closed in a happy, sleepy curve
    hair: RGB  # children only
    hairstyle: str  # children only


def look_for(name: str) -> Look:
    """The look of the character called ``name``: the same name always looks the same."""
    rng = seeded("character", name.strip().casefold())
    kind = rng.choice(KINDS)
    accent = rng.choice(ACCENTS)
    return Look(
        kind=kind,
        coat=rng.choice(COATS[kind]),
        accent=accent,
        accent2=rng.choice([a for a in ACCENTS if a != accent]),
        hat=rng.choice(HATS),
        neck=rng.choice(NECKS),
        held=rng.choice(HELD),
        sleepy=rng.random() < 0.3,
        hair=rng.choice(HAIR),
        hairstyle=rng.choice(HAIRSTYLES),
    )
