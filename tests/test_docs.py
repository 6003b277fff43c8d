from __future__ import annotations

from pathlib import Path

from bedtales.settings_doc import render

ROOT = Path(__file__).parent.parent


def test_settings_doc_matches_the_declarations() -> None:
    assert (ROOT / "docs" / "settings.md").read_text() == render(), (
        "docs/settings.md is out of date: python -m bedtales.settings_doc > docs/settings.md"
    )


def test_readme_shows_the_two_commands_and_every_command_group() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    for group in (
        "init",
        "characters",
        "scenes",
        "import",
        "story new",
        "story show",
        "story list",
    ):
        assert f"bedtales {group}" in readme, group


def test_every_command_is_in_the_readme_or_the_docs() -> None:
    from test_cli import all_commands

    text = "\n".join(
        [(ROOT / "README.md").read_text(), *(p.read_text() for p in (ROOT / "docs").glob("*.md"))]
    )
    missing = [
        " ".join(path) for path in all_commands() if f"bedtales {' '.join(path)}" not in text
    ]
    assert missing == [], f"commands missing from README.md and docs/: {missing}"
