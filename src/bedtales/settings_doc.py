"""Writes docs/settings.md from the settings declarations in :mod:`bedtales.config`.

Run ``python -m bedtales.settings_doc > docs/settings.md``; a test fails when the file and
the declarations disagree, so a new setting cannot go undocumented.
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bedtales.config import ENV_PREFIX, Settings

HEADER = """\
# Settings

bedtales reads `bedtales.toml` in the data directory, then `BEDTALES_*` environment variables,
which win. Inside a section, the variable joins the names with a double underscore:
`[text] engine` is `BEDTALES_TEXT__ENGINE`. An invalid value stops bedtales at start with a
message naming the setting. Secrets (API keys) are never printed or logged.

This page is generated from the code (`python -m bedtales.settings_doc > docs/settings.md`).
"""


def render() -> str:
    lines = [HEADER]
    lines += _table("Top level", Settings, ())
    for name, info in Settings.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines += _table(f"[{name}]", annotation, (name,))
    return "\n".join(lines)


def _table(heading: str, model: type[BaseModel], path: tuple[str, ...]) -> list[str]:
    rows = [
        f"## {heading}",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        dotted = ".".join((*path, name))
        env = ENV_PREFIX + "__".join(part.upper() for part in (*path, name))
        rows.append(f"| `{dotted}` | `{env}` | {_default(info)} | {info.description or ''} |")
    return [*rows, ""]


def _default(info: FieldInfo) -> str:
    factory = info.default_factory
    value = factory() if factory is not None else info.default  # type: ignore[call-arg]
    if value is None:
        return "unset"
    text = str(value).replace("\n", "\\n").replace("|", "\\|")
    return f"`{text}`" if len(text) < 60 else f"`{text[:57]}…`"


if __name__ == "__main__":
    print(render(), end="")
