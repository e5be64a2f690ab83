"""The trustee's keystore: encrypted under a passphrase, authenticated whole; the backup check."""

import pytest

from bastau.primaries.e2e import canonical, ceremony, group, keystore, trustee_cli
from bastau.primaries.e2e.hashing import TestRng, b64d, b64e

PW = "correct horse battery staple"


def _ks(memory=1024):
    ks = keystore.create(TestRng(b"keystore", "keys"))
    ks.kdf_memory = memory
    return ks


def test_round_trip_and_fresh_salt_each_save():
    ks = _ks()
    a, b = keystore.dumps(ks, PW), keystore.dumps(ks, PW)
    assert a != b  # a new salt and nonce each time
    back = keystore.loads(a, PW)
    assert back.secret == ks.secret and back.public == ks.public
    head = canonical.loads(a[:-1])
    assert head["kdf"]["name"] in ("argon2id", "scrypt")
    assert ks.secret["seed"] not in a.decode()


def test_wrong_passphrase_and_any_altered_byte_are_refused():
    data = keystore.dumps(_ks(), PW)
    with pytest.raises(keystore.WrongPassphrase):
        keystore.loads(data, PW + "!")
    head = canonical.loads(data[:-1])
    head["public"]["stage"] = "finished"  # the public part is authenticated too
    with pytest.raises(keystore.WrongPassphrase):
        keystore.loads(canonical.dumps(head), PW)
    box = bytearray(b64d(canonical.loads(data[:-1])["box"]))
    box[5] ^= 1
    head = dict(canonical.loads(data[:-1]), box=b64e(bytes(box)))
    with pytest.raises(keystore.WrongPassphrase):
        keystore.loads(canonical.dumps(head), PW)
    with pytest.raises(keystore.KeystoreError, match="not a trustee keystore"):
        keystore.loads(b'{"format":"x"}', PW)
    with pytest.raises(keystore.KeystoreError, match="empty passphrase"):
        keystore.dumps(_ks(), "")


def test_scrypt_files_still_open(monkeypatch):
    monkeypatch.setattr(keystore, "Argon2id", None)
    monkeypatch.setattr(keystore, "SCRYPT_N", 2**10)
    data = keystore.dumps(_ks(), PW)
    assert canonical.loads(data[:-1])["kdf"]["name"] == "scrypt"
    assert keystore.loads(data, PW).seed == _ks().seed


def test_check_backup_against_the_transcript():
    uuid = "2a0c4e7b-3d5f-4a1b-8c9d-0e1f2a3b4c5d"
    tr, secrets = ceremony.simulate(uuid, ["A", "B", "C"], 2, TestRng(b"keystore", "tr"))
    keys = ceremony.verify_transcript(tr, uuid, 2)
    s2 = secrets[2]
    ks = keystore.Keystore({"index": 2}, {"seed": b64e(s2.seed), "share": b64e(s2.share)})
    assert keystore.check_backup(ks, keys) == 2
    early = keystore.Keystore({"index": 2}, {"seed": b64e(s2.seed)})
    with pytest.raises(keystore.KeystoreError, match="no share yet"):
        keystore.check_backup(early, keys)
    wrong = keystore.Keystore(
        {"index": 2}, {"seed": b64e(s2.seed), "share": b64e(group.s_add(s2.share, group.scalar(1)))}
    )
    with pytest.raises(keystore.KeystoreError, match="published K_j"):
        keystore.check_backup(wrong, keys)
    other = keystore.Keystore(
        {"index": 2}, {"seed": b64e(secrets[3].seed), "share": b64e(s2.share)}
    )
    with pytest.raises(keystore.KeystoreError, match="signing key"):
        keystore.check_backup(other, keys)


def test_prompted_passphrases_must_agree(tmp_path, monkeypatch):
    answers = iter(["a long passphrase one", "a long passphrase two"])
    monkeypatch.setattr(trustee_cli.getpass, "getpass", lambda prompt: next(answers))
    code, out = _run("init", "--keystore", tmp_path / "k", "--backup", tmp_path / "b")
    assert code == 1 and "differ" in out and not (tmp_path / "k").exists()
    answers = iter(["a long passphrase one"] * 3)
    code, out = _run(
        "init", "--keystore", tmp_path / "k", "--backup", tmp_path / "b", "--kdf-memory", "1024"
    )
    assert code == 0, out
    assert keystore.load(tmp_path / "b", "a long passphrase one").public["stage"] == "keys"


def _run(*argv):
    import io

    out = io.StringIO()
    return trustee_cli.main([str(a) for a in argv], out), out.getvalue()


def test_simulated_trustee_keystore_passes_the_backup_check(tmp_path):
    uuid = "2a0c4e7b-3d5f-4a1b-8c9d-0e1f2a3b4c5d"
    tr, secrets = ceremony.simulate(uuid, ["A", "B", "C"], 2, TestRng(b"keystore", "sim"))
    ks = keystore.for_simulated(tr, secrets[3])
    ks.kdf_memory = 1024
    keystore.save(ks, tmp_path / "t3.key", PW)
    (tmp_path / "pw").write_text(PW + "\n", encoding="utf-8")
    (tmp_path / "tr.json").write_bytes(canonical.dumps(tr) + b"\n")
    code, out = _run("backup-check", tmp_path / "tr.json", "--backup", tmp_path / "t3.key",
                     "--passphrase-file", tmp_path / "pw")  # fmt: skip
    assert code == 0 and "trustee 3" in out, out
    with pytest.raises(keystore.KeystoreError):
        keystore.for_simulated(tr, _swap(secrets))


def _swap(secrets):
    s = secrets[1]
    return type(s)(s.index, s.name, s.seed, secrets[2].share, s.seal_secret)
