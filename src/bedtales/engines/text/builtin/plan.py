"""The story planner: tonight's plot, friend, little one, lost thing and thing to make.

Each is drawn on its own (so their numbers multiply), from what fits the scene's setting, and
away from what the household heard lately: a plot shape or a friend of the last stories is
taken only when every other has been heard more recently. With the series on, last night's
friend may come back.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bedtales.engines.text.builtin import beats
from bedtales.engines.text.builtin.catalogue import (
    FRIEND_NAMES,
    FRIENDS,
    ITEM_LOOKS,
    ITEM_NOUNS,
    LITTLE_ONES,
    MAKES,
    Friend,
    Little,
)
from bedtales.engines.text.builtin.grammar import Stanza
from bedtales.engines.text.builtin.plots import PLOTS, Plot
from bedtales.stories.memory import Memory, Previously
from bedtales.stories.scenes import SceneParts

# Settings with few creatures of their own borrow those of a neighbour.
_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "default": ("garden", "forest", "sky"),
    "home": ("garden",),
    "space": ("sky",),
    "sky": ("mountains", "garden"),
    "underwater": ("sea",),
    "desert": ("jungle",),
    "castle": ("forest", "garden"),
    "town": ("garden",),
    "snow": ("mountains",),
    "mountains": ("snow", "forest"),
}
SERIES_RETURN = 0.6  # how often last night's friend comes back when the series is on

T = TypeVar("T")


class _Placed(Protocol):
    @property
    def settings(self) -> frozenset[str]: ...


P = TypeVar("P", bound=_Placed)


@dataclass(frozen=True)
class Plan:
    plot: Plot
    friend: Friend
    friend_name: str  # "" when the friend has no name of its own
    friend_look: str  # "prickly little"
    friend_returns: bool  # the series brings it back
    little: Little
    item: str  # "silver button"
    make: str  # "blanket fort"
    opening: Stanza
    arrival: Stanza
    meeting: Stanza
    goodbye: Stanza
    ending: Stanza


def make_plan(
    rng: random.Random,
    names: Sequence[str],
    scene: SceneParts,
    memory: Memory,
    previously: Previously | None,
    only_plot: str | None = None,
) -> Plan:
    """The plan; ``only_plot`` (a plot key) fixes the plot, for tests and benches."""
    setting = scene.setting
    plots = [p for p in PLOTS if p.settings is None or setting in p.settings]
    if only_plot is not None:
        plots = [p for p in PLOTS if p.key == only_plot]
        if not plots:
            raise ValueError(f"no plot {only_plot!r}; plots: {[p.key for p in PLOTS]}")
    plot = least_heard(plots, memory.plots, lambda p: p.key, rng)
    returning = _returning_friend(previously, rng)
    # not one the scene has already ("a quiet town where the lamplighter lights the lamps")
    scene_words = set(scene.text.casefold().replace("-", " ").split())
    scene_words |= {word.removesuffix("s") for word in scene_words}
    friends = [f for f in _fitting(FRIENDS, setting) if f.kind.split()[-1] not in scene_words]
    friend = returning or least_heard(friends or list(FRIENDS), memory.friends, _key, rng)
    taken = {name.casefold() for name in names}
    if returning is not None and previously is not None:
        friend_name = previously.friend_name
    else:
        free = [n for n in FRIEND_NAMES if n.casefold() not in taken]
        friend_name = rng.choice(free) if free and rng.random() < 0.7 else ""
    littles = [
        one
        for one in _fitting(LITTLE_ONES, setting)
        if friend.kind.split()[-1] not in one.kind.split()
    ]
    makes = [what for what, where in MAKES if setting in where] or [m for m, _ in MAKES]
    return Plan(
        plot=plot,
        friend=friend,
        friend_name=friend_name,
        friend_look=rng.choice(friend.looks),
        friend_returns=returning is not None,
        little=rng.choice(littles or list(LITTLE_ONES)),
        item=f"{rng.choice(ITEM_LOOKS)} {rng.choice(ITEM_NOUNS)}",
        make=rng.choice(makes),
        opening=rng.choice(beats.OPENINGS),
        arrival=rng.choice(beats.ARRIVALS),
        meeting=rng.choice(beats.MEETINGS),
        goodbye=rng.choice(beats.GOODBYES),
        ending=rng.choice(beats.ENDINGS),
    )


def _key(friend: Friend) -> str:
    return friend.key


def _fitting(options: Sequence[P], setting: str) -> list[P]:
    """Those at home in ``setting``; else in its neighbours; else all of them."""
    for where in (setting, *_NEIGHBOURS.get(setting, ())):
        found = [o for o in options if where in o.settings]
        if len(found) >= 3:
            return found
    return list(options)


def least_heard(
    options: Sequence[T], heard: Sequence[str], key: Callable[[T], str], rng: random.Random
) -> T:
    """One of ``options`` the household has not heard lately, else the least recently heard.

    ``heard`` is most recent first: an option heard further back is preferred to one heard
    more recently, and one never heard (or beyond the memory) to both.
    """
    recency = {k: index for index, k in reversed(list(enumerate(heard)))}
    never = [o for o in options if key(o) not in recency]
    if never:
        return rng.choice(never)
    oldest = max(recency[key(o)] for o in options)
    return rng.choice([o for o in options if recency[key(o)] == oldest])


def _returning_friend(previously: Previously | None, rng: random.Random) -> Friend | None:
    if previously is None or not previously.friend or rng.random() >= SERIES_RETURN:
        return None
    for friend in FRIENDS:
        if friend.key == previously.friend:
            return friend
    return None
