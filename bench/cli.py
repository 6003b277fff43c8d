"""How fast the `bedtales` command answers: each command's median wall time, next to
``python -c pass`` and to the libraries every database command must import, measured in the
same run.

Run from the repository root: ``.venv/bin/python bench/cli.py``. It makes a throw-away data
directory with one story, then runs each command as a person would (a new process each
time, the installed ``bedtales`` script) ``RUNS`` times and prints the median and the
fastest. The floor lines show what no command that opens the database can beat here:
Python itself, and importing SQLAlchemy's ORM, pydantic-settings and Typer.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
GOAL_S = 0.3
VENV_BIN = Path(sys.executable).parent
BEDTALES = str(VENV_BIN / "bedtales")


def timed(argv: list[str], env: dict[str, str]) -> list[float]:
    """Wall seconds of ``RUNS`` runs of ``argv`` (after one unmeasured warm-up run)."""
    subprocess.run(argv, env=env, check=True, capture_output=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bedtales-bench-cli-"))
    env = {**os.environ, "BEDTALES_DATA_DIR": str(data_dir)}
    try:
        subprocess.run([BEDTALES, "init"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [BEDTALES, "story", "new", "--json", "--seed", "1"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        story_id = json.loads(made.stdout)["id"]
        python = sys.executable
        floor = "import sqlalchemy.orm, pydantic_settings, typer"
        cases = [
            ("python -c pass", [python, "-c", "pass"], False),
            (f"python -c '{floor}'", [python, "-c", floor], False),
            ("bedtales --help", [BEDTALES, "--help"], True),
            ("bedtales characters list", [BEDTALES, "characters", "list"], True),
            ("bedtales story show ID", [BEDTALES, "story", "show", story_id], True),
            ("bedtales schedule list", [BEDTALES, "schedule", "list"], False),
        ]
        print(f"each command {RUNS} times, a new process each time (wall seconds)\n")
        print(f"{'command':48} {'median':>8} {'fastest':>8} {'vs pass':>8}  goal")
        baseline = None
        for label, argv, has_goal in cases:
            times = timed(argv, env)
            median = statistics.median(times)
            baseline = baseline or median
            goal = ""
            if has_goal:
                goal = f"<= {GOAL_S} s: {'met' if median <= GOAL_S else 'NOT met'}"
            print(f"{label:48} {median:8.3f} {min(times):8.3f} {median / baseline:7.1f}x  {goal}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
