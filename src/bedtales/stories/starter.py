"""What `bedtales init` gives a new household: two sample characters and gentle scenes."""

from __future__ import annotations

SAMPLE_CHARACTERS = ("Milo", "Luna")

STARTER_SCENES = (
    "a magical forest where the trees whisper goodnight",
    "a sandy beach with rock pools at sunset",
    "a cosy cottage on a snowy hill",
    "a rocket trip to visit the friendly moon",
    "a sleepy farm where the animals are saying goodnight",
    "a castle in the clouds with a kind old king",
    "a garden full of glow-worms and sleepy flowers",
    "a little boat drifting on a calm blue sea",
    "a meadow of wildflowers under the stars",
    "a treehouse high up in an old oak tree",
    "a snowy mountain where the wind hums softly",
    "a quiet town where the lamplighter lights the lamps",
    "a jungle where the parrots sing lullabies",
    "a desert of soft golden dunes under a big round moon",
    "an underwater garden with gentle turtles",
    "a picnic by a bubbling river",
    "a hot-air balloon ride over sleepy hills",
    "a library where the books tell their own stories",
    "a train journey through the countryside at dusk",
    "building a snowman in the first snow of winter",
    "a lighthouse by the sea that guides the little boats home",
    "a field of fireflies on a warm summer night",
    "a bakery where the bread is baked for the morning",
    "a pond where the ducks and frogs say goodnight",
)
