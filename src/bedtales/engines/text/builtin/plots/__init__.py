"""Plot shapes: what happens in a story, as a sequence of beats (one stanza each).

A plot is one of the shapes bedtime stories take — helping a lost creature home, a search
for something lost, a surprise, a gentle race where everyone wins … The planner picks the
plot, the friend, the little one who needs help, the lost thing and the thing to make each on
its own, so the same plot tells a different story each time. Each plot module defines one
:class:`Plot`; :data:`PLOTS` lists them all. The template language is in :mod:`..grammar`.

A plot's ``recaps`` say what the characters did, for the series' "Last night they …": no
subject, and a verb whose past tense is also its participle ("helped", "found", "built"), so
it reads after both "Milo and Luna" and "they had".
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from bedtales.engines.text.builtin.grammar import SLOTS, Part, Stanza, template

# What a title may say, title-cased: "Milo, Luna and the Lost Baby Owl".
TITLE_SLOTS = frozenset(
    {
        "Names",  # "Milo and Luna"
        "Cast_and",  # "Milo, Luna and" / "Milo and": before one more thing
        "Names_s",  # "Milo and Luna's"
        "Friend",  # "Bramble", or "the Hedgehog" when it has no name
        "Friend_s",  # "Bramble's"
        "Friend_kind",  # "Hedgehog"
        "Little",  # "the Baby Owl"
        "Little_kind",  # "Baby Owl"
        "Item",  # "the Silver Button"
        "Item_kind",  # "Silver Button"
        "Make",  # "the Blanket Fort"
        "Make_kind",  # "Blanket Fort"
        "Place",  # "the Bakery", "the Snowy Mountain"
        "Adj",  # "Starry", "Moonlit" …
        "Night",  # "Night", "Evening"
    }
)
RECAP_SLOTS = frozenset({"little_a", "little_home", "item", "item_a", "make_a", "friend", "place"})

# Uses of the planned elements, for the planner: a plot that needs a little one gets one.
ELEMENTS = frozenset({"little", "item", "make"})


@dataclass(frozen=True)
class Plot:
    key: str  # "lost-home": remembered in the household memory
    about: str  # "helping a lost creature home": for the docs and the bench
    stanzas: tuple[Stanza, ...]  # the beats, in order
    titles: tuple[tuple[Part, ...], ...]
    recaps: tuple[tuple[Part, ...], ...]
    uses: frozenset[str] = frozenset()  # of ELEMENTS
    meets_friend: bool = True  # the shared meeting stanza comes before the plot
    settings: frozenset[str] | None = None  # None: any setting


def plot(
    key: str,
    about: str,
    stanzas: list[Stanza],
    *,
    titles: list[str],
    recaps: list[str],
    uses: str = "",
    meets_friend: bool = True,
    settings: frozenset[str] | None = None,
) -> Plot:
    """Build and check a plot."""
    used = frozenset(uses.split())
    if used - ELEMENTS:
        raise ValueError(f"plot {key}: unknown elements {sorted(used - ELEMENTS)}")
    if not stanzas or not titles or not recaps:
        raise ValueError(f"plot {key} needs stanzas, titles and recaps")
    return Plot(
        key=key,
        about=about,
        stanzas=tuple(stanzas),
        titles=tuple(template(t, TITLE_SLOTS) for t in titles),
        recaps=tuple(template(r, RECAP_SLOTS) for r in recaps),
        uses=used,
        meets_friend=meets_friend,
        settings=settings,
    )


def _load() -> tuple[Plot, ...]:
    found: list[Plot] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(module.PLOT)
    keys = [p.key for p in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two plots share a key: {sorted(keys)}")
    return tuple(found)


PLOTS: tuple[Plot, ...] = _load()
PLOTS_BY_KEY = {p.key: p for p in PLOTS}

__all__ = ["PLOTS", "PLOTS_BY_KEY", "RECAP_SLOTS", "SLOTS", "TITLE_SLOTS", "Plot", "plot"]
