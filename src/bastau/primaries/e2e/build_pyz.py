"""Build dist/bastau-trustee.pyz: `bastau-trustee` as one file (`make trustee-pyz`).

Usage: python src/bastau/primaries/e2e/build_pyz.py [OUTPUT]  (any Python 3.11+, no venv needed)

The archive holds bastau.primaries.e2e and the two pure modules the record verifier reads
(bastau.primaries.quota, bastau.lib.dates), with empty package files above them, so it runs
with only Python, rbcl and cryptography installed: `python3 bastau-trustee.pyz --help`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipapp
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]  # .../src
MODULES = [
    "bastau/__init__.py",
    "bastau/lib/__init__.py",
    "bastau/lib/dates.py",
    "bastau/primaries/__init__.py",
    "bastau/primaries/quota.py",
]
MAIN = "import sys\n\nfrom bastau.primaries.e2e.trustee_cli import main\n\nsys.exit(main())\n"


def build(output: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "app"
        for rel in MODULES:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SRC / rel, root / rel)
        e2e = root / "bastau/primaries/e2e"
        e2e.mkdir(parents=True, exist_ok=True)
        for f in sorted((SRC / "bastau/primaries/e2e").glob("*.py")):
            if f.name != "build_pyz.py":
                shutil.copyfile(f, e2e / f.name)
        (root / "__main__.py").write_text(MAIN, encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(root, output, interpreter="/usr/bin/env python3", compressed=True)
    return output


if __name__ == "__main__":
    out = build(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/bastau-trustee.pyz"))
    print(f"Built {out} ({out.stat().st_size} bytes)")
