"""`bedtales backup` and `bedtales restore`: the one-machine set-up (SQLite, local media,
bedtales.toml) in one file, and a new data directory rebuilt from it, over
:mod:`bedtales.storage.backup` (imported by the commands: it loads SQLAlchemy)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from bedtales.cli.common import command, err, out, print_json
from bedtales.cli.options import DataDir, JsonOpt
from bedtales.cli.parts import config

if TYPE_CHECKING:
    from bedtales.storage.backup import BackupReport
    from bedtales.storage.restore import RestoreReport

BackupFile = Annotated[Path, typer.Argument(help="The backup file (a tar; .tar.gz compresses).")]
FRESH_KEY_NOTE = (
    "A new media.link_secret was made: links to pictures and narrations in messages sent "
    "before stop working; story pages, the households' private pages and new messages work "
    "as before."
)


def register(cli: typer.Typer) -> None:
    command(cli, "backup")(backup)
    command(cli, "restore")(restore)


def backup(
    file: BackupFile,
    data_dir: DataDir = None,
    with_secrets: Annotated[
        bool,
        typer.Option(
            "--with-secrets",
            help="Keep the secrets of bedtales.toml (media.link_secret, admin_token…) in it.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the database, the stories' pictures and narrations and bedtales.toml to FILE,
    consistent while bedtales runs. For SQLite and local media; PostgreSQL and S3 are backed
    up with their own tools (docs/deploy.md)."""
    from bedtales.storage import backup as archive

    report = archive.backup(config.load_settings(data_dir), file, with_secrets=with_secrets)
    for key in report.missing_media:
        err.print(
            Text(
                f"warning: {key} is missing from the media folder; its story is "
                "restored without it",
                style="yellow",
            )
        )
    if as_json:
        print_json(_backup_json(report))
        return
    out.print(
        Text(
            f"Backed up to {report.path} ({_size(report.size)}): {_counts(report.counts)}, "
            f"{report.media_files} media files."
        )
    )
    if report.expired_meanwhile:
        out.print(
            Text(
                f"{report.expired_meanwhile} media file(s) of stories that expired "
                "during the backup are left out, as their stories are."
            )
        )
    if report.secrets_left_out:
        out.print(
            Text(
                f"Left out: {', '.join(report.secrets_left_out)} (secrets in bedtales.toml; "
                "--with-secrets keeps them). On restore a new media.link_secret is made: links "
                "in messages already sent stop working, pages work."
                + _set_again(report.secrets_left_out)
            )
        )
    if report.secrets_from_environment:
        out.print(
            Text(
                f"Not in the backup: {', '.join(report.secrets_from_environment)}, set in the "
                "environment: keep them with it."
            )
        )
    out.print(
        Text(
            "The backup holds the subscribers' addresses and the households' private "
            "links: keep it as private as the data directory."
        )
    )


def restore(
    file: BackupFile,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir",
            help="The new data directory to build (a new or empty folder).",
            show_default=False,
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Build a new data directory from a backup FILE. The whole file is checked first: a
    file that is not a backup, truncated, corrupted or from a newer bedtales is refused,
    and nothing is written."""
    from bedtales.storage.restore import restore

    report = restore(file, data_dir)
    for key in report.missing_media:
        err.print(
            Text(
                f"warning: {key} was missing when the backup was made; its story is "
                "restored without it",
                style="yellow",
            )
        )
    if as_json:
        print_json(_restore_json(report))
        return
    schema = f"schema {report.schema_revision}"
    if report.migrated_to:
        schema += f", brought up to {report.migrated_to}"
    out.print(
        Text(
            f"Restored {_counts(report.counts)}, {report.media_files} media files into "
            f"{report.data_dir} ({schema})."
        )
    )
    if report.new_link_secret:
        out.print(Text(FRESH_KEY_NOTE))
    if report.secrets_to_set:
        out.print(Text(_set_again(report.secrets_to_set).strip()))
    out.print(Text("Run only one bedtales on this data: two would each send tonight's story."))
    out.print(
        Text(f"Next: bedtales run --data-dir {shlex.quote(str(report.data_dir))}", style="bold")
    )


def _set_again(names: list[str]) -> str:
    others = [name for name in names if name != "media.link_secret"]
    if not others:
        return ""
    variables = ", ".join("BEDTALES_" + name.upper().replace(".", "__") for name in others)
    return f" Set again after a restore: {', '.join(others)} ({variables})."


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{number} {_one(name) if number == 1 else name}" for name, number in counts.items()
    )


def _one(name: str) -> str:
    return name.removesuffix("ies") + "y" if name.endswith("ies") else name.removesuffix("s")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _backup_json(report: BackupReport) -> dict[str, Any]:
    return {
        "file": str(report.path),
        "size": report.size,
        "counts": report.counts,
        "mediaFiles": report.media_files,
        "secretsIncluded": report.secrets_included,
        "secretsLeftOut": report.secrets_left_out,
        "secretsFromEnvironment": report.secrets_from_environment,
        "expiredMeanwhile": report.expired_meanwhile,
        "missingMedia": report.missing_media,
    }


def _restore_json(report: RestoreReport) -> dict[str, Any]:
    return {
        "dataDir": str(report.data_dir),
        "counts": report.counts,
        "mediaFiles": report.media_files,
        "schemaRevision": report.schema_revision,
        "migratedTo": report.migrated_to,
        "newLinkSecret": report.new_link_secret,
        "secretsToSet": report.secrets_to_set,
        "missingMedia": report.missing_media,
    }
