"""`bedtales households passphrase` and `bedtales households rotate-link`: who may change
a household from its site, and replacing its private link (households/access.py)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from bedtales.cli.common import command, opened, out
from bedtales.cli.options import DataDir
from bedtales.cli.parts import access
from bedtales.errors import InputError
from bedtales.web import urls


def register(households_app: typer.Typer) -> None:
    command(households_app, "passphrase")(households_passphrase)
    command(households_app, "rotate-link")(households_rotate_link)


def households_passphrase(
    name: Annotated[str, typer.Argument(help="Household name.")],
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help="Read the passphrase from the first line of stdin."),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Set the passphrase that lets the family change its characters, scenes, bedtime and
    subscribers on its site. Asked for twice, hidden; stored only as a scrypt hash. Changing
    it signs every browser out."""
    if stdin:
        passphrase = sys.stdin.readline().rstrip("\r\n")
    else:
        passphrase = typer.prompt("Passphrase", hide_input=True)
        again = typer.prompt("The same again", hide_input=True)
        if again != passphrase:
            raise InputError("the two passphrases differ; nothing was changed", field="passphrase")
    with opened(data_dir) as bedtales:
        access.set_passphrase(bedtales.db, name, passphrase)
    out.print(
        Text(f"Passphrase set for {name!r}: sign in on the household's page to change things.")
    )


def households_rotate_link(
    name: Annotated[str, typer.Argument(help="Household name.")],
    data_dir: DataDir = None,
) -> None:
    """Give the household a new private link (when the old one went somewhere it should not);
    the old link stops working at once. Messages already sent link to stories, which stay."""
    with opened(data_dir) as bedtales:
        token = access.rotate_link(bedtales.db, name)
        base = bedtales.settings.web.base_url
    out.print(Text(f"New private link for {name!r}: {urls.absolute(base, urls.household(token))}"))
    out.print(Text("The old link now answers 404.", style="dim"))
