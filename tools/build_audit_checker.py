"""Build the standalone audit checker: one self-contained HTML file a member saves and opens from
disk (file://), with no request to any server.

Browsers refuse to load ES modules from file:// (each import is a cross-origin fetch), so the
vendored libsodium-sumo 0.8.4 and Bastau's ballot.js, record.js, quota.js, verify.js and
audit.js are inlined into a single inline <script type="module">, each module wrapped in its own function
scope with its import and export lines rewritten (nothing else is changed; the build asserts
each rewrite happens exactly once). The output and its SHA-256 are committed:

    .venv/bin/python tools/build_audit_checker.py          # writes the file and its .sha256
    .venv/bin/python tools/build_audit_checker.py --check  # exit 1 if the committed file differs

tests/primaries/test_e2e_audit_checker.py runs the check; docs/e2e-browser.md tells members how
to verify the checksum before use.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "bastau" / "static"
SODIUM = STATIC / "vendor" / "libsodium-sumo-0.8.4"
E2E = STATIC / "bastau" / "e2e"
OUT = E2E / "audit-checker.html"


def once(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"{what}: expected exactly one {old[:40]!r}, found {text.count(old)}")
    return text.replace(old, new)


def strip_exports(src: str, what: str) -> str:
    """`export function|class|const` -> plain declarations; `export default x;` removed."""
    src = re.sub(r"^export default \w+;\n", "", src, flags=re.M)
    src = re.sub(r"^export (function|class|const|async function) ", r"\1 ", src, flags=re.M)
    if re.search(r"^\s*(export|import)\b", src, flags=re.M):
        raise SystemExit(f"{what}: an import or export is left")
    return src


def drop_imports(src: str, what: str) -> str:
    return re.sub(r'^import \{[^}]*\} from "\./[a-z]+\.js";\n', "", src, flags=re.M)


def build() -> str:
    sumo = (SODIUM / "libsodium-sumo.mjs").read_text()
    sumo = once(sumo, "export default A;", "", "libsodium-sumo.mjs")
    wrappers = (SODIUM / "libsodium-wrappers.mjs").read_text()
    wrappers = once(wrappers, 'import e from"./libsodium-sumo.mjs";', "const e=__sumo;", "wrappers")
    m = re.search(r"export default t;?\s*export\{[^}]*\};?\s*$", wrappers)
    if not m:
        raise SystemExit("libsodium-wrappers.mjs: the export block is not where expected")
    wrappers = wrappers[: m.start()] + "return t;"
    ballot = strip_exports((E2E / "ballot.js").read_text(), "ballot.js")
    record = strip_exports(drop_imports((E2E / "record.js").read_text(), "record.js"), "record.js")
    quota = strip_exports((E2E / "quota.js").read_text(), "quota.js")
    verify = strip_exports(drop_imports((E2E / "verify.js").read_text(), "verify.js"), "verify.js")
    audit = strip_exports((E2E / "audit.js").read_text(), "audit.js")
    ui = (ROOT / "tools" / "audit_checker_ui.js").read_text()
    script = "\n".join(
        [
            "const __sumo = (() => {",
            sumo,
            "return A;})();",
            "const sodium = (() => {",
            wrappers,
            "})();",
            "const { E2EError, bastauE2E } = (() => {",
            ballot,
            "return { E2EError, bastauE2E };})();",
            "const { bastauRecord } = (() => {",
            record,
            "return { bastauRecord };})();",
            "const { rebuildList, checkRules, QuotaError } = (() => {",
            quota,
            "return { rebuildList, checkRules, QuotaError };})();",
            "const { bastauVerifier } = (() => {",
            verify,
            "return { bastauVerifier };})();",
            "const { checkAuditFile } = (() => {",
            audit,
            "return { checkAuditFile };})();",
            ui,
        ]
    )
    if "</script" in script:
        raise SystemExit("a source contains </script")
    return (
        "<!doctype html>\n<!-- Bastau: standalone audit checker, built by "
        "tools/build_audit_checker.py from libsodium-sumo 0.8.4 and static/bastau/e2e. -->\n"
        '<html lang="kk"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Bastau</title><style>body{font-family:sans-serif;max-width:40rem;margin:1rem auto;"
        "padding:0 1rem}.ok{color:#064}.bad{color:#a00}p{overflow-wrap:anywhere}</style></head>"
        '<body><h1 id="title"></h1><p id="intro"></p><label for="file" id="file-label"></label> '
        '<input type="file" id="file" accept=".json,application/json" disabled>'
        '<div id="result" role="status"></div>\n<script type="module">\n'
        + script
        + "\n</script></body></html>\n"
    )


def main(argv: list[str]) -> int:
    html = build().encode()
    digest = hashlib.sha256(html).hexdigest()
    sums = f"{digest}  {OUT.name}\n"
    if "--check" in argv:
        ok = OUT.read_bytes() == html and OUT.with_suffix(".html.sha256").read_text() == sums
        return 0 if ok else 1
    OUT.write_bytes(html)
    OUT.with_suffix(".html.sha256").write_text(sums)
    print(sums, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
