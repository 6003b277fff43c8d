"""Writes docs/settings.md from the settings declarations in :mod:`bedtales.config`.

Run ``python -m bedtales.settings_doc > docs/settings.md``; a test fails when the file and
the declarations disagree, so a new setting cannot go undocumented.
"""

from __future__ import annotations

from typing import get_args, get_origin

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
    nested: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        dotted = ".".join((*path, name))
        env = ENV_PREFIX + "__".join(part.upper() for part in (*path, name))
        item = _item_model(annotation)
        if item is None:
            rows.append(f"| `{dotted}` | `{env}` | {_default(info)} | {info.description or ''} |")
            continue
        table = f"[[{dotted}]]" if get_origin(annotation) is list else f"[{dotted}.NAME]"
        rows.append(f"| `{dotted}` | (TOML only) | see `{table}` | {info.description or ''} |")
        nested += _items_table(table, item)
    return [*rows, "", *nested]


def _item_model(annotation: object) -> type[BaseModel] | None:
    """The model inside ``list[Model]`` or ``dict[str, Model]``, if the field is one."""
    args = get_args(annotation)
    if get_origin(annotation) in (list, dict) and args:
        inner = args[-1]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _items_table(heading: str, model: type[BaseModel]) -> list[str]:
    rows = [f"### {heading}", "", "| key | default | meaning |", "|---|---|---|"]
    for name, info in model.model_fields.items():
        default = "required" if info.is_required() else _default(info)
        rows.append(f"| `{name}` | {default} | {info.description or ''} |")
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
