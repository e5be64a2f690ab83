"""The vendored libsodium files are the ones VENDORED.md records, byte for byte.

The hashes come from VENDORED.md itself, so a changed file with a stale record fails, and so does
a record edited without its file. The one documented change to the wrappers (their import of the
core) is undone here and the result compared with the file as npm ships it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import bastau

VENDOR = Path(bastau.__file__).parent / "static" / "vendor" / "libsodium-sumo-0.8.4"
RECORD = VENDOR / "VENDORED.md"
ROW = re.compile(r"^\| *([^|]+?) *\| *(sha384-[A-Za-z0-9+/]{64}) *\|", re.MULTILINE)
UPSTREAM_IMPORT = b'from"libsodium-sumo"'
LOCAL_IMPORT = b'from"./libsodium-sumo.mjs"'


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def recorded() -> dict[str, str]:
    return dict(ROW.findall(RECORD.read_text(encoding="utf-8")))


def test_every_committed_file_is_recorded_with_its_hash():
    rows = recorded()
    files = sorted(p.name for p in VENDOR.iterdir() if p.name != "VENDORED.md")
    assert files == ["LICENSE", "libsodium-sumo.mjs", "libsodium-wrappers.mjs"]
    for name in files:
        assert rows.get(name) == sri((VENDOR / name).read_bytes()), name


def test_the_wrappers_differ_from_npm_only_in_the_import_of_the_core():
    data = (VENDOR / "libsodium-wrappers.mjs").read_bytes()
    assert data.count(LOCAL_IMPORT) == 1
    assert b"libsodium-sumo" not in data.replace(LOCAL_IMPORT, b"")
    upstream = data.replace(LOCAL_IMPORT, UPSTREAM_IMPORT)
    assert recorded()["libsodium-wrappers.mjs before the change"] == sri(upstream)


def test_the_record_names_both_packages_and_their_npm_integrity():
    text = RECORD.read_text(encoding="utf-8")
    assert re.search(r"\| libsodium-wrappers-sumo \| 0\.8\.4 \| sha512-ql7hcgulKZ3ekfa2", text)
    assert re.search(r"\| libsodium-sumo \| 0\.8\.4 \| sha512-TMtHShQfVVsaxDygyapvUC3o", text)
