"""The encrypted-ballot benchmarks' own machinery (bench/e2e_lib.py, bench/e2e_national.py):
the synthetic national shape, a record they build verifies with the product's verifier, and a
tampered ballot file fails the benchmark's check. Timing is never asserted here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def lib():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("e2e_lib")
    finally:
        sys.path.remove(str(BENCH))


def test_national_shape_has_the_national_sizes(lib):
    national = importlib.import_module("e2e_national")
    questions, counts = national.shape(662_687, 3_400, 10_990, "national")
    assert len(questions) == 3_400
    assert sum(n for _q, n, _k in questions) == 10_990
    assert sum(counts) == 662_687
    assert all(1 <= k <= n // 3 or (k == 1 and n < 3) for _q, n, k in questions)
    assert len({q for q, _n, _k in questions}) == 3_400


def test_built_record_verifies_and_its_result_is_the_votes(lib, tmp_path):
    from bastau.primaries.e2e import verify
    from bastau.primaries.e2e.hashing import b64d

    path = tmp_path / "r.jsonl"
    built = lib.build_record("t", [("a", 4, 1), ("b", 6, 2)], [3, 4], path, jobs=1, batch=3)
    assert built["result_equals_votes"]
    report = verify.verify_record(
        verify.iter_lines(str(path)), server_key=b64d(built["server_key"]), jobs=1
    )
    assert report.ok and not report.failures
    figures = lib.combine_record(path)
    assert figures["totals"] == 2 * (4 + 6)


def test_a_tampered_ballot_file_fails_the_check(lib, tmp_path):
    setup = lib.Setup.make("t", [("a", 5, 2)])
    path = tmp_path / "b.bin"
    lib.generate(setup, [4], path, jobs=1, chunk=2)
    assert lib.verify(path, jobs=1)["ballots"] == 4
    data = bytearray(path.read_bytes())
    data[lib.HEADER.size + 72 + 5 * 64 + 100] ^= 1  # a byte inside the first 0/1 proof
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="ballot at byte"):
        lib.verify(path, jobs=1)
