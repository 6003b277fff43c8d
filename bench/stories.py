"""Print builtin stories to read: for a plot shape, a scene and a cast of your choosing.

Run from the repository root, for example::

    .venv/bin/python bench/stories.py --plot lost-home --scene "a sandy beach" --count 3
    .venv/bin/python bench/stories.py --names Milo --names Luna --seed 7

Without ``--plot`` the planner chooses; without ``--scene`` the starter scenes take turns.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bedtales.engines.text.builtin.composer import compose_story
from bedtales.engines.text.builtin.plots import PLOTS
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", choices=[p.key for p in PLOTS])
    parser.add_argument("--scene", action="append")
    parser.add_argument("--names", action="append")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenes = args.scene or list(STARTER_SCENES)
    names = tuple(args.names or SAMPLE_CHARACTERS)
    for index in range(args.count):
        scene = scenes[(args.seed + index) % len(scenes)]
        text, plan = compose_story(names, scene, args.seed + index, only_plot=args.plot)
        print(f"---- {plan.plot} · friend {plan.friend} · scene: {scene}\n{text}")


if __name__ == "__main__":
    main()
