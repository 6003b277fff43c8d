"""axe-core, the accessibility checker, run inside a real page by playwright.

``make test`` installs the ``axe-core`` npm package into ``.venv/axe`` (see the Makefile);
without it these checks are skipped locally and fail under ``CI=true``. The script is run in
the page through playwright's ``evaluate`` (the devtools protocol), which the page's own
Content-Security-Policy does not apply to, so the page is checked exactly as it is served.

A page passes with no *serious* or *critical* violation; lesser ones are reported in the
failure message of a test that fails for another reason, never ignored silently.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conftest import require_service

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent.parent / ".venv/axe/node_modules/axe-core/axe.min.js"
BLOCKING = frozenset({"serious", "critical"})


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        require_service("axe-core", f"{AXE_JS} is missing: `make setup-dev` installs it (npm)")
    return AXE_JS.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (WCAG 2.x A and AA, best practices)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source()}\n }}")
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    found: list[dict[str, Any]] = result["violations"]
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        targets = [node["target"] for node in violation["nodes"]][:3]
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']} {targets}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation on the page."""
    found = violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{describe(found)}"
