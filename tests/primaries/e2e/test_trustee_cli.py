"""`bastau-trustee` end to end: 3 trustees, any 2 decrypt, driven through main(argv) over files."""

import datetime as dt
import io
import json

import pytest

from bastau.primaries.e2e import (
    ballot,
    canonical,
    ceremony,
    credentials,
    keystore,
    record,
    shares,
    signing,
    trustee_cli,
)
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e

UUID = "7c0e5a52-1b2f-4d3e-9a8b-2f6d7e8c9b10"
NAMES = ["Aigerim", "Bolat", "Saule"]
KDF = ["--kdf-memory", "1024"]  # a light Argon2id for tests; the default is 64 MiB


def run(*argv):
    out = io.StringIO()
    code = trustee_cli.main([str(a) for a in argv], out)
    return code, out.getvalue()


class Trustee:
    def __init__(self, tmp, j):
        self.j = j
        self.dir = tmp / f"t{j}"
        self.dir.mkdir()
        self.pw = self.dir / "pass"
        self.pw.write_text(f"correct horse battery staple {j}\n", encoding="utf-8")
        self.ks = self.dir / "trustee.key"
        self.backup = self.dir / "backup.key"

    def args(self, backup=True):
        a = ["--keystore", self.ks, "--passphrase-file", self.pw]
        return a + (["--backup", self.backup] if backup else [])

    def step(self, cmd, *argv, expect=0, backup=True):
        code, out = run(cmd, *argv, *self.args(backup))
        assert code == expect, out
        return out

    def secret(self):
        return keystore.load(self.ks, self.pw.read_text()[:-1])


def _read(path):
    return canonical.loads(path.read_bytes()[:-1])


def _board_file(tmp, board, name="board.json"):
    p = tmp / name
    p.write_bytes(canonical.dumps(board) + b"\n")
    return p


def _ceremony(tmp, cheat=None):
    trustees = [Trustee(tmp, j) for j in (1, 2, 3)]
    board = [ceremony.make_setup(UUID, NAMES, 2)]
    for t in trustees:
        t.step("init", *KDF)
    bf = _board_file(tmp, board)
    for t in trustees:
        t.step("commit", bf, "--index", t.j, "-o", t.dir / "commit.json")
        board += _read(t.dir / "commit.json")
    bf = _board_file(tmp, board, "board2.json")
    for t in trustees:
        t.step("reveal", bf, "-o", t.dir / "reveal.json")
        msgs = _read(t.dir / "reveal.json")
        if cheat:
            msgs = cheat(t, msgs, board)
        board += msgs
    return trustees, board, _board_file(tmp, board, "board3.json")


def test_ceremony_backup_and_shares_end_to_end(tmp_path):
    trustees, board, bf = _ceremony(tmp_path)
    for t in trustees:
        out = t.step("check", bf, "-o", t.dir / "key.json")
        assert "check out" in out
        board += _read(t.dir / "key.json")
    tr = ceremony.assemble_transcript(board)
    keys = ceremony.verify_transcript(tr, UUID, 2)
    trp = tmp_path / "transcript.json"
    trp.write_bytes(canonical.dumps(tr) + b"\n")

    # The backup opens and matches K_j; so does the final board.
    code, out = run(
        "backup-check", trp, "--backup", trustees[1].backup, "--passphrase-file", trustees[1].pw
    )
    assert code == 0, out
    assert "trustee 2" in out and b64e(keys.k[2]) in out
    code, out = run(
        "backup-check",
        _board_file(tmp_path, board, "final.json"),
        "--backup",
        trustees[0].backup,
        "--passphrase-file",
        trustees[0].pw,
    )
    assert code == 0 and "trustee 1" in out
    # A wrong passphrase is refused, for the backup and for the keystore.
    bad = tmp_path / "badpass"
    bad.write_text("not the passphrase\n", encoding="utf-8")
    code, out = run("backup-check", trp, "--backup", trustees[1].backup, "--passphrase-file", bad)
    assert code == 1 and "wrong passphrase" in out
    code, out = run("share", trp, "--keystore", trustees[1].ks, "--passphrase-file", bad)
    assert code == 1
    # Another trustee's backup does not pass for this transcript's trustee... it names its own.
    other = _read(trustees[2].backup)
    other["public"]["index"] = 1
    forged = tmp_path / "forged.key"
    forged.write_bytes(canonical.dumps(other) + b"\n")
    code, out = run("backup-check", trp, "--backup", forged, "--passphrase-file", trustees[2].pw)
    assert code == 1 and "wrong passphrase" in out  # the public part is authenticated

    code, out = run("show-key", "--keystore", trustees[2].ks)
    assert code == 0 and "stage: finished" in out and b64e(keys.k[3]) in out

    # The election: a record up to TALLY, the trustees' shares, the result.
    lines, writer, expected = _record(tr, keys)
    rp = tmp_path / "record.jsonl"
    rp.write_bytes(b"".join(lines))
    payloads = {}
    for t in (trustees[0], trustees[2]):
        out = t.step(
            "share",
            rp,
            "-o",
            t.dir / "share.json",
            "--server-key",
            b64e(signing.public_key(SERVER_SEED)),
            backup=False,
        )
        assert "Wrote" in out
        payloads[t.j] = _read(t.dir / "share.json")
    res = shares.combine(writer.tally_payload, list(payloads.values()), writer.phi, keys, 5)
    assert res.trustees == [1, 3]
    assert res.counts == expected
    # The server appends the shares and the result; the whole record verifies.
    from bastau.primaries.e2e import verify

    full = list(lines)
    for j in (1, 3):
        full.append(writer.share(payloads[j], "2026-06-03", keys))
    full.append(writer.result([1, 3], "2026-06-03"))
    report = verify.verify_record(full, server_key=signing.public_key(SERVER_SEED))
    assert report.ok, report.failures

    # A tampered record is refused and no share is written.
    tampered = bytearray(rp.read_bytes())
    i = tampered.index(b'"ballot":"') + 30
    tampered[i : i + 1] = b"A" if tampered[i : i + 1] != b"A" else b"B"
    tp = tmp_path / "tampered.jsonl"
    tp.write_bytes(bytes(tampered))
    out = trustees[1].step("share", tp, "-o", tmp_path / "s.json", expect=1, backup=False)
    assert "REFUSED" in out and not (tmp_path / "s.json").exists()


def test_cheating_dealer_is_named_with_evidence(tmp_path):
    def cheat(t, msgs, board):
        if t.j != 1:
            return msgs
        rev, deal = msgs
        ks = t.secret()
        cert2 = next(m for m in board if m.get("type") == "certificate" and m["index"] == 2)
        bad = ceremony.sign_object(
            ks.seed,
            {
                "type": "share",
                "context": rev["context"],
                "from": 1,
                "to": 2,
                "share": b64e(bytes(31) + b"\x01"),
            },
        )
        box = ceremony.seal(b64d(cert2["seal_key"]), canonical.dumps(bad), TestRng(b"c", "c"))
        deal = dict(
            deal,
            sealed=[{"to": 2, "box": b64e(box)} if s["to"] == 2 else s for s in deal["sealed"]],
        )
        return [rev, deal]

    trustees, board, bf = _ceremony(tmp_path, cheat)
    out = trustees[1].step("check", bf, "-o", tmp_path / "complaint.json", expect=3)
    assert "trustee 1 (Aigerim)" in out and "CHEATING" in out
    complaints = _read(tmp_path / "complaint.json")
    setup = board[0]
    certs = [m for m in board if m["type"] == "certificate"]
    reveals = [m for m in board if m["type"] == "reveal"]
    assert [ceremony.verify_complaint(c, setup, certs, reveals) for c in complaints] == [1]
    # Trustee 3's shares are fine: they finish; the keystore of trustee 2 stays at "revealed".
    assert "check out" in trustees[2].step("check", bf, "-o", tmp_path / "k3.json")
    assert trustees[1].secret().public["stage"] == "revealed"
    # The server cannot assemble a transcript while the complaint stands.
    with pytest.raises(ceremony.CeremonyError, match="trustee 1"):
        ceremony.assemble_transcript(board + complaints + _read(tmp_path / "k3.json"))


def test_refusals_change_nothing(tmp_path):
    t = Trustee(tmp_path, 1)
    short = tmp_path / "short"
    short.write_text("short\n", encoding="utf-8")
    code, out = run("init", "--keystore", t.ks, "--backup", t.backup, "--passphrase-file", short)
    assert code == 1 and "12 characters" in out and not t.ks.exists()
    t.step("init", *KDF)
    before = t.ks.read_bytes()
    code, out = run("init", *t.args())
    assert code == 1 and "already exists" in out and t.ks.read_bytes() == before
    bf = _board_file(tmp_path, [ceremony.make_setup(UUID, NAMES, 2)])
    out = t.step("commit", bf, "--index", 4, expect=1)
    assert "1..3" in out and t.ks.read_bytes() == before
    out = t.step("reveal", bf, expect=1)
    assert "stage 'keys'" in out
    # A board that is not canonical JSON.
    loose = tmp_path / "loose.json"
    loose.write_text(json.dumps([ceremony.make_setup(UUID, NAMES, 2)], indent=1))
    out = t.step("commit", loose, "--index", 1, expect=1)
    assert "canonical" in out and t.ks.read_bytes() == before
    code, _ = run("frobnicate")
    assert code == 2


# --- a small election record, up to TALLY -----------------------------------------------------

SERVER_SEED = bytes(range(32))
CA_SEED = bytes(range(1, 33))
CANDIDATES = 4
CHOICES = [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 1]]  # online
PAPER = [[0, 1, 1, 0]]


def _record(tr, keys):
    uuid_obj = __import__("uuid").UUID(UUID)
    rng = TestRng(b"trustee cli record", "r")
    creds = [credentials.new_credential(rng) for _ in range(6)]
    xs = [credentials.secret_key(uuid_obj, c) for c in creds]
    cl = record.build_credentials([("q1", credentials.public_key(x)) for x in xs], CA_SEED)
    q = record.question(
        "q1",
        "List 1",
        [
            record.candidate(
                f"c{i}", f"Candidate {i}", woman=i % 2 == 0, youth=False, disability=False
            )
            for i in range(CANDIDATES)
        ],
        k_max=2,
        list_length=2,
        roll=6,
    )
    manifest = record.build_manifest(
        uuid=UUID,
        slug="trustee-test",
        title="Trustee test",
        questions=[q],
        election_key=keys.y,
        threshold=2,
        trustee_count=3,
        trustees=tr,
        credentials=cl,
        ca_key=signing.public_key(CA_SEED),
        server_key=signing.public_key(SERVER_SEED),
        opens=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        closes=dt.datetime(2026, 6, 2, tzinfo=dt.UTC),
        rules={"id": "none", "label": "none", "groups": []},
        prefix_mode=False,
        reference_date=dt.date(2026, 6, 1),
    )
    writer, setup_line = record.RecordWriter.start(SERVER_SEED, manifest, tr, cl, "2026-06-01")
    election = record.question_election(writer.phi, keys.y, q)
    items = []
    for x, choice in zip(xs, CHOICES, strict=False):
        body, _ = ballot.encrypt_body(election, credentials.public_key(x), [choice], rng)
        items.append(("q1", "online", ballot.sign_body(election, body, x, rng)))
    for choice in PAPER:
        items.append(("q1", "paper", record.paper_ballot(writer.phi, keys.y, q, choice, rng)))
    lines = [setup_line, writer.batch(items, "2026-06-01")]
    lines.append(writer.close(dt.datetime(2026, 6, 2, tzinfo=dt.UTC), "2026-06-02"))
    lines.append(writer.tally("2026-06-02"))
    expected = {
        "q1": {
            "online": [sum(c[i] for c in CHOICES) for i in range(CANDIDATES)],
            "paper": [sum(c[i] for c in PAPER) for i in range(CANDIDATES)],
        }
    }
    return lines, writer, expected
