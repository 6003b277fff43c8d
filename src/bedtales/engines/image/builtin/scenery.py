"""The painter for each setting."""

from __future__ import annotations

from collections.abc import Callable

from bedtales.engines.image.builtin import homes, nature, voyages
from bedtales.engines.image.builtin.stage import Stage

PAINTERS: dict[str, Callable[[Stage], None]] = {
    "forest": nature.forest,
    "sea": voyages.sea,
    "castle": homes.castle,
    "space": voyages.space,
    "mountains": nature.mountains,
    "snow": nature.snow,
    "garden": homes.garden,
    "farm": homes.farm,
    "city": homes.city,
    "jungle": nature.jungle,
    "desert": nature.desert,
    "default": homes.cottage,
}
