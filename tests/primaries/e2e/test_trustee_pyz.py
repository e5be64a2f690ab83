"""The single-file `bastau-trustee.pyz` runs without Django and without the rest of Bastau."""

import subprocess
import sys
from pathlib import Path

from bastau.primaries.e2e import build_pyz

RUN = """
import runpy, sys
pyz = sys.argv[1]
for name in ("django", "bastau.core", "bastau.members", "bastau.primaries.models"):
    sys.modules[name] = None  # any import of these fails
sys.path.insert(0, pyz)
import bastau.primaries.e2e.verify, bastau.primaries.quota, bastau.primaries.e2e.trustee_cli as cli
assert cli.__file__.startswith(pyz), cli.__file__
sys.argv = [pyz, *sys.argv[2:]]
runpy.run_path(pyz, run_name="__main__")
"""


def test_zipapp_runs_a_ceremony_step_without_django(tmp_path):
    pyz = build_pyz.build(tmp_path / "bastau-trustee.pyz")
    pw = tmp_path / "pw"
    pw.write_text("a long enough passphrase\n", encoding="utf-8")
    ks, backup = tmp_path / "t.key", tmp_path / "b.key"
    base = [sys.executable, "-c", RUN, str(pyz)]
    init = subprocess.run(
        [*base, "init", "--keystore", ks, "--backup", backup, "--passphrase-file", pw,
         "--kdf-memory", "1024"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Signing key" in init.stdout and ks.exists() and backup.exists()
    show = subprocess.run(
        [*base, "show-key", "--keystore", ks], capture_output=True, text=True, check=False
    )
    assert show.returncode == 0 and "stage: keys" in show.stdout
    plain = subprocess.run(
        [sys.executable, str(pyz), "--help"], capture_output=True, text=True, check=False
    )
    assert plain.returncode == 0 and "share" in plain.stdout
    assert Path(pyz).stat().st_size < 1_000_000
