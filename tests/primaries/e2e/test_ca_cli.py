"""`bastau-ca` end to end over files: a key, credentials for a roll, a void file for the paper
voters that the server's checks (record.read_void_file, the CA's signature over phi) accept."""

import csv
import io
import uuid

from bastau.primaries.e2e import ca_cli, canonical, credentials, keystore, record, signing
from bastau.primaries.e2e.hashing import b64d, b64e

UUID = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
KDF = ["--kdf-memory", "1024"]  # a light Argon2id for tests
ROLL = [
    ("main", "101", "Ахметова", "Айгүл"),
    ("main", "102", "Бекқали", "Бауыржан"),
    ("youth", "103", "Серікова", "Дана"),
]


def run(*argv):
    out = io.StringIO()
    code = ca_cli.main([str(a) for a in argv], out)
    return code, out.getvalue()


def roll_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["list", "member_number", "iin", "last_name", "first_name", "patronymic",
                    "poo_code", "poo_name"])  # fmt: skip
        for q, m, last, first in rows:
            w.writerow([q, m, "", last, first, "", "P1", "ПБҰ"])


def issued(tmp_path):
    pw = tmp_path / "pass"
    pw.write_text("correct horse battery staple\n", encoding="utf-8")
    auth = ["--key", tmp_path / "ca.key", "--passphrase-file", pw]
    code, out = run("init", *auth, *KDF)
    assert code == 0, out
    ca_key = out.strip().split()[-1]
    roll_csv(tmp_path / "roll.csv", ROLL)
    files = ["--list", tmp_path / "cl.json", "--map", tmp_path / "map.key",
             "--letters", tmp_path / "letters.csv"]  # fmt: skip
    code, out = run("issue", *auth, "--uuid", UUID, "--roll", tmp_path / "roll.csv", *files)
    assert code == 0, out
    return auth, ca_key


def test_init_issue_and_the_signed_credential_list(tmp_path):
    auth, ca_key = issued(tmp_path)
    assert run("show-key", "--key", tmp_path / "ca.key") == (0, ca_key + "\n")
    cl = canonical.loads((tmp_path / "cl.json").read_bytes()[:-1])
    body = {k: v for k, v in cl.items() if k != "sig"}
    assert signing.verify(
        b64d(ca_key), "credentials", record.credentials_signed_digest(body), b64d(cl["sig"])
    )
    assert cl["count"] == 3
    letters = list(csv.DictReader(io.StringIO((tmp_path / "letters.csv").read_text("utf-8"))))
    assert [r["member_number"] for r in letters] == ["101", "102", "103"]
    # Each letter's credential gives a key on the list, for the member's question.
    listed = {e["key"]: e["question"] for e in cl["entries"]}
    for r in letters:
        x = credentials.secret_key(uuid.UUID(UUID), r["credential"])
        assert listed[b64e(credentials.public_key(x))] == r["list"]
    # The map is encrypted: no credential appears in its bytes; the passphrase opens it.
    raw = (tmp_path / "map.key").read_bytes()
    assert all(r["credential"].encode() not in raw for r in letters)
    opened = keystore.load(tmp_path / "map.key", "correct horse battery staple")
    assert opened.secret["members"]["103"]["credential"] == letters[2]["credential"]
    # Files are never overwritten.
    code, out = run("issue", *auth, "--uuid", UUID, "--roll", tmp_path / "roll.csv",
                    "--list", tmp_path / "cl.json", "--map", tmp_path / "m2",
                    "--letters", tmp_path / "l2")  # fmt: skip
    assert code == ca_cli.EXIT_REFUSED and "already exists" in out


def manifest(ca_key, uid=UUID):
    return {"uuid": uid, "keys": {"ca": ca_key, "observers": [], "server": ca_key},
            "questions": []}  # fmt: skip


def test_void_signs_the_paper_voters_credentials_and_skips_with_notes(tmp_path):
    auth, ca_key = issued(tmp_path)
    m = manifest(ca_key)
    (tmp_path / "manifest.json").write_bytes(canonical.dumps(m) + b"\n")
    roll_csv(tmp_path / "paper.csv", [ROLL[0], ROLL[2], ("main", "999", "Жоқ", "Адам")])
    common = [*auth, "--map", tmp_path / "map.key", "--paper", tmp_path / "paper.csv"]
    code, out = run("void", *common, "--manifest", tmp_path / "manifest.json",
                    "--out", tmp_path / "void.json")  # fmt: skip
    assert code == 0, out
    assert "member 999 has no credential" in out
    phi = record.election_digest(canonical.dumps(m))
    got_phi, keys, sig = record.read_void_file((tmp_path / "void.json").read_bytes())
    assert got_phi == phi
    entries = record.void_entries(keys)
    assert signing.verify(b64d(ca_key), "void", record.void_digest(phi, entries), sig)
    letters = {
        r["member_number"]: r["credential"]
        for r in csv.DictReader(io.StringIO((tmp_path / "letters.csv").read_text("utf-8")))
    }
    want = {
        (q, credentials.public_key(credentials.secret_key(uuid.UUID(UUID), letters[n])))
        for q, n, *_ in (ROLL[0], ROLL[2])
    }
    assert set(keys) == want
    # Given the record, a credential it already shows voided is skipped with a note.
    setup = record.make_event(0, phi, "SETUP", "2026-12-01", {"manifest": m}, bytes(32))
    payload = record.sign_void(bytes(32), phi, [sorted(want)[0]])
    void = record.make_event(1, setup.hash, "VOID", "2026-12-01", payload, bytes(32))
    (tmp_path / "record.jsonl").write_bytes(setup.line() + void.line())
    code, out = run("void", *common, "--manifest", tmp_path / "record.jsonl",
                    "--out", tmp_path / "void2.json")  # fmt: skip
    assert code == 0, out
    assert "already voided on the record" in out
    _phi, keys2, _sig = record.read_void_file((tmp_path / "void2.json").read_bytes())
    assert set(keys2) == want - {sorted(want)[0]}


def test_void_refuses_another_election_or_ca(tmp_path):
    auth, ca_key = issued(tmp_path)
    roll_csv(tmp_path / "paper.csv", [ROLL[0]])
    common = [*auth, "--map", tmp_path / "map.key", "--paper", tmp_path / "paper.csv"]
    other_ca = b64e(signing.public_key(b"\x05" * 32))
    for name, m, why in (
        ("other-ca.json", manifest(other_ca), "another credential authority"),
        ("other-uuid.json", manifest(ca_key, str(uuid.UUID(int=7))), "another election"),
    ):
        (tmp_path / name).write_bytes(canonical.dumps(m) + b"\n")
        code, out = run("void", *common, "--manifest", tmp_path / name,
                        "--out", tmp_path / f"{name}.out")  # fmt: skip
        assert code == ca_cli.EXIT_REFUSED and why in out, out
        assert not (tmp_path / f"{name}.out").exists()
    bad = tmp_path / "bad-pass"
    bad.write_text("wrong passphrase here\n", encoding="utf-8")
    (tmp_path / "m.json").write_bytes(canonical.dumps(manifest(ca_key)) + b"\n")
    code, out = run("void", "--key", tmp_path / "ca.key", "--passphrase-file", bad,
                    "--map", tmp_path / "map.key", "--paper", tmp_path / "paper.csv",
                    "--manifest", tmp_path / "m.json", "--out", tmp_path / "v.json")  # fmt: skip
    assert code == ca_cli.EXIT_REFUSED and not (tmp_path / "v.json").exists()
