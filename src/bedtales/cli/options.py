"""The options many `bedtales` commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="BEDTALES_DATA_DIR",
        help="Data directory (database, settings, media). Default ./bedtales-data.",
        show_default=False,
    ),
]

HouseholdOpt = Annotated[
    str | None,
    typer.Option(
        "--household", "-H", help="Household name (default: the setting default_household, 'home')."
    ),
]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
