"""axe-core in the browser tests: inject the vendored axe.min.js into a page, run it, and report
the serious and critical violations (rule, impact, target selectors, page).

The file is vendored from npm (tests/e2e/vendor/axe-core-<version>/VENDORED.md), so running the
tests never needs npm. It is evaluated through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so the page is checked with its real policy in force.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_FILE = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
#: sha256 of axe.min.js as npm ships it in axe-core-4.14.1.tgz (see VENDORED.md).
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
#: The impacts that fail a test; "moderate" and "minor" are reported, not failed.
FAILING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }));
}"""


@dataclass
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    targets: list[dict]

    def __str__(self) -> str:
        lines = [f"{self.impact} {self.rule} ({self.help}) on {self.page}"]
        for node in self.targets[:8]:
            summary = " ".join(node["summary"].split())[:220]
            lines.append(f"    {node['target']}  -- {summary}")
        if len(self.targets) > 8:
            lines.append(f"    ... and {len(self.targets) - 8} more")
        return "\n".join(lines)


@cache
def axe_source() -> str:
    data = AXE_FILE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != AXE_SHA256:
        raise AssertionError(f"{AXE_FILE} has sha256 {digest}, not the recorded {AXE_SHA256}")
    return data.decode("utf-8")


def is_document(page) -> bool:
    """A whole HTML document, not an htmx fragment fetched as a page by the crawl."""
    return page.evaluate("document.doctype !== null && document.querySelector('body') !== null")


def check(page, where: str | None = None) -> list[Violation]:
    """Every axe violation on the page as it is now, serious or not."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    where = where or page.url
    return [
        Violation(where, v["id"], v["impact"] or "", v["help"], v["targets"])
        for v in page.evaluate(RUN_AXE)
    ]


def failing(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.impact in FAILING]
