"""`bastau-trustee`: what a trustee runs on a machine of their own (no Django, no database).

The trustee moves files between this command and the server. A BOARD file is the ceremony's
public board as the server publishes it: a canonical-JSON array of ceremony messages (the setup,
then certificates, reveals, deals, keys, complaints as they arrive). Every step that produces
messages writes a canonical-JSON array of them, for the trustee to upload.

  init                     new keys, in a passphrase-encrypted keystore and a backup copy
  commit BOARD --index J   the certificate (commitments stay hidden)   -> [certificate]
  reveal BOARD             commitments, proof of knowledge, sealed shares -> [reveal, deal]
  check BOARD              check my shares: finish, or complain -> [key] | [complaint, ...]
  complaints BOARD         check every complaint (anyone may): who cheated, with evidence
  backup-check TRANSCRIPT  open the backup and prove its share gives the published K_j
  show-key                 the public keys and stage (no passphrase needed)
  share RECORD             verify the record, then decrypt its TALLY   -> SHARE payload

Exit status: 0 done, 1 refused (the message says why), 2 usage, 3 complaints written (a dealer
cheated; the ceremony restarts without them).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from . import canonical, ceremony, keystore, shares
from .hashing import SystemRng, b64d, b64e

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_COMPLAINED = 3


class Refused(Exception):
    pass


def _read_json(path: str, what: str):
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise Refused(f"{path}: cannot read the {what} ({e.strerror})") from e
    if data.endswith(b"\n"):
        data = data[:-1]
    try:
        return canonical.loads(data, f"{path}")
    except canonical.CanonicalError as e:
        raise Refused(f"{path}: not the canonical JSON of a {what} ({e})") from e


def _write_json(path: str, value, out) -> None:
    p = Path(path)
    if p.exists():
        raise Refused(f"{path}: already exists; move it away first")
    p.write_bytes(canonical.dumps(value) + b"\n")
    print(f"Wrote {path}", file=out)


def _board(path: str) -> list[dict]:
    board = _read_json(path, "board")
    if not isinstance(board, list) or not all(isinstance(m, dict) for m in board):
        raise Refused(f"{path}: a board is an array of ceremony messages")
    return board


def _of_type(board: list[dict], kind: str) -> list[dict]:
    return [m for m in board if m.get("type") == kind]


def _setup(board: list[dict], path: str) -> dict:
    setups = _of_type(board, "setup")
    if len(setups) != 1:
        raise Refused(f"{path}: expected exactly one setup message, found {len(setups)}")
    return setups[0]


def _ordered(board: list[dict], kind: str, m: int, path: str) -> list[dict]:
    """One message of this type per trustee 1..m, in index order."""
    got: dict[int, dict] = {}
    for msg in _of_type(board, kind):
        i = msg.get("index")
        if not isinstance(i, int) or isinstance(i, bool) or not 1 <= i <= m:
            raise Refused(f"{path}: a {kind} with index {i!r} (trustees are 1..{m})")
        if i in got and got[i] != msg:
            raise Refused(f"{path}: trustee {i} has two different {kind} messages")
        got[i] = msg
    missing = [i for i in range(1, m + 1) if i not in got]
    if missing:
        raise Refused(f"{path}: no {kind} yet from trustee(s) {', '.join(map(str, missing))}")
    return [got[i] for i in range(1, m + 1)]


def _passphrase(args, *, confirm: bool = False) -> str:
    if args.passphrase_file:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except OSError as e:
            raise Refused(f"{args.passphrase_file}: cannot read ({e.strerror})") from e
        value = text[:-1] if text.endswith("\n") else text
    else:
        value = getpass.getpass("Passphrase: ")
        if confirm and getpass.getpass("Passphrase again: ") != value:
            raise Refused("the two passphrases differ")
    if confirm and len(value) < 12:
        raise Refused("choose a passphrase of at least 12 characters")
    if not value:
        raise Refused("an empty passphrase")
    return value


def _load(args, pw: str) -> keystore.Keystore:
    try:
        return keystore.load(Path(args.keystore), pw)
    except FileNotFoundError as e:
        raise Refused(f"{args.keystore}: no keystore here (run `bastau-trustee init`)") from e
    except keystore.KeystoreError as e:
        raise Refused(str(e)) from e


def _save_both(args, ks: keystore.Keystore, pw: str, out) -> None:
    keystore.save(ks, Path(args.keystore), pw)
    keystore.save(ks, Path(args.backup), pw)
    print(f"Saved {args.keystore} and the backup {args.backup}", file=out)


def _expect_stage(ks: keystore.Keystore, *stages: str) -> None:
    if ks.public["stage"] not in stages:
        raise Refused(
            f"the keystore is at stage {ks.public['stage']!r}; this step needs "
            + " or ".join(repr(s) for s in stages)
        )


# ----------------------------------------------------------------------------- steps


def cmd_init(args, out) -> int:
    for p in (args.keystore, args.backup):
        if Path(p).exists():
            raise Refused(f"{p}: already exists; a trustee's keys are made once")
    pw = _passphrase(args, confirm=True)
    ks = keystore.create()
    ks.kdf_memory = args.kdf_memory
    _save_both(args, ks, pw, out)
    print(f"Signing key (Ed25519): {ks.public['sign_key']}", file=out)
    print(f"Seal key (X25519):     {ks.public['seal_key']}", file=out)
    print(
        "Keep the backup on another medium; test it later with `bastau-trustee backup-check`.",
        file=out,
    )
    return 0


def cmd_commit(args, out) -> int:
    board = _board(args.board)
    setup_obj = _setup(board, args.board)
    try:
        setup = ceremony.parse_setup(setup_obj)
    except ceremony.CeremonyError as e:
        raise Refused(str(e)) from e
    if not 1 <= args.index <= setup.m:
        raise Refused(f"--index {args.index}: the setup names trustees 1..{setup.m}")
    pw = _passphrase(args)
    ks = _load(args, pw)
    if ks.public["stage"] in ("committed", "revealed"):
        # A ceremony that stopped (a complaint, a box that did not open) restarts with a new
        # setup; the same setup is never committed to twice (two polynomials).
        if ks.secret.get("setup") == setup_obj:
            raise Refused("already committed to this setup; go on with `reveal` or `check`")
        print("Restarting: the previous ceremony's polynomial is discarded.", file=out)
    elif ks.public["stage"] == "finished" and args.restart:
        if ks.secret.get("setup") == setup_obj:
            raise Refused("this keystore finished this very ceremony; nothing to restart")
        print("Restarting: the share of the abandoned ceremony is discarded.", file=out)
    elif ks.public["stage"] == "finished":
        raise Refused(
            "this keystore holds the share of a finished ceremony; only if that ceremony was "
            "abandoned (a complaint stopped it), commit again with --restart"
        )
    else:
        _expect_stage(ks, "keys")
    state, cert = ceremony.make_certificate(
        setup_obj, args.index, SystemRng(), keys=(ks.seed, ks.seal_secret)
    )
    ks.secret = state
    ks.public.update(
        stage="committed",
        index=args.index,
        name=setup.names[args.index - 1],
        uuid=setup.uuid,
        threshold=setup.t,
        context=b64e(setup.kappa),
    )
    out_path = args.output or f"commit-{args.index}.json"
    _write_json(out_path, [cert], out)
    _save_both(args, ks, pw, out)
    print(
        f"Trustee {args.index} ({setup.names[args.index - 1]}) of {setup.m}, "
        f"threshold {setup.t}: upload {out_path}",
        file=out,
    )
    return 0


def cmd_reveal(args, out) -> int:
    board = _board(args.board)
    pw = _passphrase(args)
    ks = _load(args, pw)
    _expect_stage(ks, "committed")
    setup = ceremony.parse_setup(ks.secret["setup"])
    if _setup(board, args.board) != ks.secret["setup"]:
        raise Refused(f"{args.board}: the setup differs from the one this trustee committed to")
    certs = _ordered(board, "certificate", setup.m, args.board)
    try:
        rev, deal = ceremony.reveal(ks.secret, certs, SystemRng())
    except ceremony.CeremonyError as e:
        raise Refused(str(e)) from e
    out_path = args.output or f"reveal-{ks.index}.json"
    _write_json(out_path, [rev, deal], out)
    ks.public["stage"] = "revealed"
    _save_both(args, ks, pw, out)
    print(f"Checked {setup.m} certificates; upload {out_path}", file=out)
    return 0


def cmd_check(args, out) -> int:
    board = _board(args.board)
    pw = _passphrase(args)
    ks = _load(args, pw)
    _expect_stage(ks, "revealed")
    setup = ceremony.parse_setup(ks.secret["setup"])
    if _setup(board, args.board) != ks.secret["setup"]:
        raise Refused(f"{args.board}: the setup differs from the one this trustee committed to")
    certs = _ordered(board, "certificate", setup.m, args.board)
    reveals = _ordered(board, "reveal", setup.m, args.board)
    deals = _of_type(board, "deal")
    try:
        res = ceremony.check_shares(ks.secret, certs, reveals, deals, SystemRng())
    except ceremony.CeremonyError as e:
        raise Refused(str(e)) from e
    j = ks.index
    if res.complaints:
        out_path = args.output or f"complaint-{j}.json"
        _write_json(out_path, res.complaints, out)
        for c in res.complaints:
            i = c["against"]
            print(
                f"CHEATING: trustee {i} ({setup.names[i - 1]}) dealt a share that does not "
                f"match their commitments. Evidence (their signed share): {out_path}",
                file=out,
            )
        for p in res.problems:
            print(f"PROBLEM: {p}", file=out)
        print("Upload the complaint; the ceremony restarts without the cheater.", file=out)
        return EXIT_COMPLAINED
    if res.problems:
        for p in res.problems:
            print(f"PROBLEM: {p}", file=out)
        raise Refused("some shares could not be opened or checked; nothing was written")
    out_path = args.output or f"key-{j}.json"
    _write_json(out_path, [res.key], out)
    ks.secret = {
        "seed": ks.secret["seed"],
        "seal_secret": ks.secret["seal_secret"],
        "setup": ks.secret["setup"],
        "index": j,
        "certificate": ks.secret["certificate"],
        "share": b64e(res.share),
    }
    ks.public.update(stage="finished", key=res.key["key"])
    _save_both(args, ks, pw, out)
    print(
        f"All {setup.m - 1} shares dealt to trustee {j} check out. K_{j} = {res.key['key']}",
        file=out,
    )
    print(f"Upload {out_path}; then run backup-check on the published transcript.", file=out)
    return 0


def cmd_complaints(args, out) -> int:
    """Check every complaint on a board against the public certificates and reveals."""
    board = _board(args.board)
    setup = ceremony.parse_setup(_setup(board, args.board))
    certs = _ordered(board, "certificate", setup.m, args.board)
    reveals = _ordered(board, "reveal", setup.m, args.board)
    complaints = _of_type(board, "complaint")
    if not complaints:
        print("No complaint on this board.", file=out)
        return 0
    cheaters = set()
    for c in complaints:
        try:
            i = ceremony.verify_complaint(c, setup, certs, reveals)
        except ceremony.CeremonyError as e:
            print(f"UNFOUNDED: {e}", file=out)
            if e.culprit is not None:
                cheaters.add(e.culprit)
            continue
        cheaters.add(i)
        print(f"PROVED: trustee {i} ({setup.names[i - 1]}) signed a share for trustee "
              f"{c['from']} that does not match their commitments", file=out)  # fmt: skip
    names = ", ".join(f"{i} ({setup.names[i - 1]})" for i in sorted(cheaters))
    print(f"Restart the ceremony without trustee(s) {names}.", file=out)
    return EXIT_COMPLAINED


def _transcript(path: str) -> dict:
    """A transcript TR, a board (assembled here), or a record (its SETUP's trustees)."""
    raw = Path(path).read_bytes()
    first = raw.split(b"\n", 1)[0]
    if raw.count(b"\n") > 1 or first.startswith(b'{"cosigs"'):
        try:
            ev = canonical.loads(first, f"{path} line 1")
            return ev["payload"]["trustees"]
        except (canonical.CanonicalError, KeyError, TypeError) as e:
            raise Refused(f"{path}: not a record starting with SETUP ({e})") from e
    value = _read_json(path, "transcript")
    if isinstance(value, list):
        try:
            return ceremony.assemble_transcript(value)
        except ceremony.CeremonyError as e:
            raise Refused(str(e)) from e
    return value


def cmd_backup_check(args, out) -> int:
    tr = _transcript(args.transcript)
    try:
        keys = ceremony.verify_transcript(tr, tr.get("uuid"), tr.get("threshold"))
    except ceremony.CeremonyError as e:
        raise Refused(f"the transcript fails: {e}") from e
    pw = _passphrase(args)
    try:
        backup = keystore.load(Path(args.backup), pw)
        j = keystore.check_backup(backup, keys)
    except FileNotFoundError as e:
        raise Refused(f"{args.backup}: no backup here") from e
    except keystore.KeystoreError as e:
        raise Refused(str(e)) from e
    print(
        f"OK: the backup {args.backup} opens and holds trustee {j}'s ({keys.names[j]}) share; "
        f"s_{j}*G equals the published K_{j} = {b64e(keys.k[j])}",
        file=out,
    )
    print(f"Transcript digest: {b64e(ceremony.transcript_digest(tr))}", file=out)
    return 0


def cmd_show_key(args, out) -> int:
    try:
        head = keystore.read_public_file(Path(args.keystore).read_bytes(), args.keystore)
    except OSError as e:
        raise Refused(f"{args.keystore}: cannot read ({e.strerror})") from e
    except keystore.KeystoreError as e:
        raise Refused(str(e)) from e
    pub = head["public"]
    for key in ("stage", "index", "name", "uuid", "threshold", "sign_key", "seal_key", "key"):
        if key in pub:
            print(f"{key}: {pub[key]}", file=out)
    print(f"kdf: {head['kdf']['name']}", file=out)
    return 0


def _record_payloads(path: str) -> dict[str, dict]:
    """The SETUP, CLOSE, TALLY and RESULT payloads of a record (after it verified), in one pass.
    An event's canonical text ends with its type, so BATCH lines are skipped unparsed."""
    wanted = {b"SETUP", b"CLOSE", b"TALLY", b"RESULT"}
    found: dict[str, dict] = {}
    with open(path, "rb") as f:
        for n, line in enumerate(f):
            line = line.rstrip(b"\n")
            kind = line[line.rfind(b'"type":"') + 8 : -2] if line.endswith(b'"}') else b""
            if kind not in wanted:
                continue
            ev = canonical.loads(line, f"{path} line {n + 1}")
            found[ev["type"]] = ev["payload"]
    if "SETUP" not in found:
        raise Refused(f"{path}: no SETUP")
    return found


def cmd_share(args, out) -> int:
    try:
        from . import verify
    except ImportError as e:  # never a silent pass
        raise Refused(
            f"this build has no record verifier ({e}); a trustee never decrypts a tally "
            "they have not verified, so no share was made"
        ) from e
    from .record import election_digest

    server_key = verify.read_key(args.server_key) if args.server_key else None
    try:
        verify.choose_engine(args.engine)
    except ValueError as e:
        raise Refused(f"{e}; no share was made") from None
    report = verify.verify_record(
        verify.iter_lines(args.record),
        server_key=server_key,
        final=False,
        jobs=args.jobs,
        engine=args.engine,
    )
    for line in report.lines():
        print(line, file=out)
    if report.failures:
        for f in report.failures:
            print(f"FAIL {f}", file=out)
        raise Refused("the record does not verify; no share was made")
    if not report.pinned:
        print("WARNING: no --server-key was given: the server's key was not pinned", file=out)
    found = _record_payloads(args.record)
    setup, tally_payload = found["SETUP"], found.get("TALLY")
    if tally_payload is None:
        raise Refused("the record has no TALLY yet")
    if "RESULT" in found:
        raise Refused("the record already has a RESULT")
    manifest = setup["manifest"]
    phi = election_digest(canonical.dumps(manifest, "manifest"))
    if report.phi is not None and report.phi != phi:
        raise Refused("the verified election digest differs from the SETUP's")
    try:
        keys = ceremony.verify_transcript(
            setup["trustees"], manifest["uuid"], manifest["threshold"]
        )
    except ceremony.CeremonyError as e:
        raise Refused(f"the record's transcript fails: {e}") from e
    pw = _passphrase(args)
    ks = _load(args, pw)
    _expect_stage(ks, "finished")
    j = ks.index
    if keys.sign_keys.get(j) != b64d(ks.public["sign_key"]):
        raise Refused(f"this record's trustee {j} is not this keystore's trustee")
    if b64d(manifest["election_key"]) != keys.y:
        raise Refused("the manifest's election key is not the transcript's")
    small = [
        f"{q['id']} {ch}: {q[ch]}"
        for q in found["CLOSE"]["questions"]
        for ch in ("online", "paper")
        if 0 < q[ch] < args.min_ballots
    ]
    if small:
        print(
            f"WARNING: fewer than {args.min_ballots} ballots in "
            + "; ".join(small)
            + " (their counts reveal more about each ballot)",
            file=out,
        )
    try:
        payload = shares.make_share_payload(
            tally_payload, phi, j, ks.share, keys.k[j], ks.seed, SystemRng()
        )
    except shares.ShareError as e:
        raise Refused(str(e)) from e
    out_path = args.output or f"share-{j}.json"
    p = Path(out_path)
    if p.exists():
        raise Refused(f"{out_path}: already exists; move it away first")
    p.write_bytes(canonical.dumps(payload) + b"\n")
    print(
        f"Wrote {out_path}: trustee {j}'s decryption share of the verified TALLY; upload it.",
        file=out,
    )
    return 0


# ----------------------------------------------------------------------------- arguments


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bastau-trustee",
        description="A trustee's key ceremony and decryption share for Bastau's encrypted "
        "primaries. Needs only Python, rbcl and cryptography; no server, no database.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, *, backup=True):
        sp.add_argument("--keystore", default="trustee.key", help="default: trustee.key")
        if backup:
            sp.add_argument(
                "--backup", default="trustee-backup.key", help="default: trustee-backup.key"
            )
        sp.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="read the passphrase from FILE instead of a prompt",
        )

    sp = sub.add_parser("init", help="make the keys, encrypted, with a backup")
    common(sp)
    sp.add_argument(
        "--kdf-memory",
        type=int,
        default=keystore.ARGON2_MEMORY,
        metavar="KIB",
        help=argparse.SUPPRESS,
    )
    sp.set_defaults(func=cmd_init)

    sp = sub.add_parser("commit", help="certificate for the ceremony in BOARD")
    sp.add_argument("board")
    sp.add_argument("--index", type=int, required=True, help="my index in the setup (1..m)")
    sp.add_argument("--restart", action="store_true",
                    help="discard the share of an abandoned ceremony")  # fmt: skip
    sp.add_argument("-o", "--output")
    common(sp)
    sp.set_defaults(func=cmd_commit)

    sp = sub.add_parser("reveal", help="reveal commitments and deal sealed shares")
    sp.add_argument("board")
    sp.add_argument("-o", "--output")
    common(sp)
    sp.set_defaults(func=cmd_reveal)

    sp = sub.add_parser("check", help="check my shares: publish K_j, or complain")
    sp.add_argument("board")
    sp.add_argument("-o", "--output")
    common(sp)
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("complaints", help="check the complaints on a board (anyone may)")
    sp.add_argument("board")
    sp.set_defaults(func=cmd_complaints)

    sp = sub.add_parser("backup-check", help="prove the backup matches the published K_j")
    sp.add_argument("transcript", help="the transcript, the final board, or the record")
    sp.add_argument("--backup", default="trustee-backup.key")
    sp.add_argument("--passphrase-file", metavar="FILE")
    sp.set_defaults(func=cmd_backup_check)

    sp = sub.add_parser("show-key", help="print the public keys (no passphrase needed)")
    sp.add_argument("--keystore", default="trustee.key")
    sp.set_defaults(func=cmd_show_key)

    sp = sub.add_parser("share", help="verify RECORD and write my decryption share of its TALLY")
    sp.add_argument("record")
    sp.add_argument("-o", "--output")
    sp.add_argument("--server-key", metavar="B64|FILE", help="pin the server's Ed25519 key")
    sp.add_argument("--jobs", type=int, default=1, metavar="N")
    sp.add_argument(
        "--engine",
        choices=("auto", "batch", "reference"),
        default="auto",
        help="how the record's ballot proofs are checked: batch (native bastau-msm, found on "
        "PATH or next to this program), reference (pure Python), auto (batch when found)",
    )
    sp.add_argument(
        "--min-ballots",
        type=int,
        default=10,
        metavar="N",
        help="warn about totals of fewer ballots (default 10)",
    )
    common(sp, backup=False)
    sp.set_defaults(func=cmd_share)
    return p


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else 0
    try:
        return args.func(args, out)
    except Refused as e:
        print(f"REFUSED: {e}", file=out)
        return EXIT_REFUSED
    except (canonical.CanonicalError, ceremony.CeremonyError, keystore.KeystoreError) as e:
        print(f"REFUSED: {e}", file=out)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted", file=out)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
