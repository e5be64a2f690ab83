"""`bastau-ca`: what the credential authority (CA) runs on a machine of its own (no Django, no
database). Only the CA knows which member holds which credential; the server sees public keys.

  init --key CA.key                  a new Ed25519 key, passphrase-protected; prints the public
                                     key the commission enters on the Encryption page
  show-key --key CA.key              the public key (no passphrase needed)
  issue --key CA.key --uuid UUID --roll ROLL.csv --list CL.json --map MAP --letters LETTERS.csv
                                     one credential per member of the frozen roll (the roll CSV
                                     the server exports): the signed credential list (installed
                                     on the Encryption page), the CA's private member ->
                                     credential map (passphrase-protected, like a trustee's
                                     keystore) and the letters to print or send (secret!)
  void --key CA.key --map MAP --paper PAPER.csv --manifest RECORD --out VOID.json
                                     the signed void file for the members who voted on paper
                                     (the "paper voters" CSV of the Encryption page); RECORD is
                                     the public record (or its manifest): its election digest is
                                     signed, and credentials it already shows voided or used are
                                     skipped with a note, as are members without a credential

Exit status: 0 done, 1 refused (the message says why), 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import uuid as uuidlib
from pathlib import Path

from . import canonical, credentials, keystore, record, signing
from .hashing import SystemRng, b64d, b64e
from .trustee_cli import Refused, _passphrase

EXIT_REFUSED = 1
EXIT_USAGE = 2
KEY_ROLE = "ca-key"
MAP_ROLE = "ca-map"


def _load(path: str, pw: str, role: str) -> keystore.Keystore:
    try:
        ks = keystore.load(Path(path), pw)
    except FileNotFoundError as e:
        raise Refused(f"{path}: no such file") from e
    except keystore.KeystoreError as e:
        raise Refused(str(e)) from e
    if ks.public.get("role") != role:
        raise Refused(f"{path}: not a {'CA key' if role == KEY_ROLE else 'CA map'} file")
    return ks


def _new_file(path: str) -> Path:
    p = Path(path)
    if p.exists():
        raise Refused(f"{path}: already exists; move it away first")
    return p


def _read_csv(path: str) -> list[dict]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise Refused(f"{path}: cannot read ({e})") from e
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and not {"list", "member_number"} <= set(rows[0]):
        raise Refused(f"{path}: not a roll CSV (columns list, member_number, ...)")
    return rows


def cmd_init(args, out) -> int:
    path = _new_file(args.key)
    pw = _passphrase(args, confirm=True)
    seed = SystemRng().bytes(32)
    public = {"role": KEY_ROLE, "sign_key": b64e(signing.public_key(seed))}
    ks = keystore.Keystore(public, {"seed": b64e(seed)}, args.kdf_memory)
    keystore.save(ks, path, pw)
    print(f"Wrote {args.key}", file=out)
    print(f"The CA's public key (enter it on the Encryption page): {public['sign_key']}", file=out)
    return 0


def cmd_show_key(args, out) -> int:
    try:
        head = keystore.read_public_file(Path(args.key).read_bytes(), args.key)
    except OSError as e:
        raise Refused(f"{args.key}: cannot read ({e.strerror})") from e
    print(head["public"]["sign_key"], file=out)
    return 0


def cmd_issue(args, out) -> int:
    try:
        election = uuidlib.UUID(args.uuid)
    except ValueError as e:
        raise Refused(f"{args.uuid}: not an election id") from e
    paths = [_new_file(p) for p in (args.list, args.map, args.letters)]
    rows = _read_csv(args.roll)
    if not rows:
        raise Refused(f"{args.roll}: no member on the roll")
    pw = _passphrase(args)
    ca = _load(args.key, pw, KEY_ROLE)
    rng = SystemRng()
    members, entries, letters = {}, [], []
    for row in rows:
        member = row["member_number"]
        if member in members:
            raise Refused(f"{args.roll}: member {member} appears twice")
        while True:  # a zero key is refused (probability 2^-252), draw again
            text = credentials.new_credential(rng)
            try:
                x = credentials.secret_key(election, text)
                break
            except credentials.CredentialError:
                continue
        key = credentials.public_key(x)
        members[member] = {"question": row["list"], "credential": text}
        entries.append((row["list"], key))
        letters.append([row["list"], member, row.get("last_name", ""), row.get("first_name", ""),
                        row.get("poo_code", ""), text])  # fmt: skip
    cl = record.build_credentials(entries, ca.seed)
    public = {"role": MAP_ROLE, "sign_key": ca.public["sign_key"], "election": str(election)}
    secret = {"seed": ca.secret["seed"], "members": members}
    paths[0].write_bytes(canonical.dumps(cl) + b"\n")
    keystore.save(keystore.Keystore(public, secret, ca.kdf_memory), paths[1], pw)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["list", "member_number", "last_name", "first_name", "poo_code", "credential"])
    w.writerows(letters)
    paths[2].write_text(buf.getvalue(), encoding="utf-8")
    print(f"Wrote {args.list} ({len(entries)} public credentials: install it on the "
          f"Encryption page)", file=out)  # fmt: skip
    print(f"Wrote {args.map} (the member -> credential map: keep it with the CA)", file=out)
    print(f"Wrote {args.letters} (the credentials in the clear: print the letters, then "
          f"destroy it)", file=out)  # fmt: skip
    return 0


def _manifest_and_record(path: str) -> tuple[dict, list[record.Event]]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise Refused(f"{path}: cannot read ({e.strerror})") from e
    lines = data.splitlines()
    if not lines:
        raise Refused(f"{path}: empty")
    first = canonical.loads(lines[0], f"{path} line 1")
    if isinstance(first, dict) and first.get("type") == "SETUP":
        events = [record.parse_event(line, f"{path} line {i + 1}") for i, line in enumerate(lines)]
        return events[0].payload["manifest"], events
    if len(lines) != 1 or not isinstance(first, dict) or "questions" not in first:
        raise Refused(f"{path}: neither a record nor a manifest")
    return first, []


def cmd_void(args, out) -> int:
    out_path = _new_file(args.out)
    manifest, events = _manifest_and_record(args.manifest)
    paper = _read_csv(args.paper)
    pw = _passphrase(args)
    ca = _load(args.key, pw, KEY_ROLE)
    cmap = _load(args.map, pw, MAP_ROLE)
    if cmap.public["sign_key"] != ca.public["sign_key"]:
        raise Refused(f"{args.map}: issued under another CA key")
    if manifest["keys"]["ca"] != ca.public["sign_key"]:
        raise Refused(f"{args.manifest}: the election names another credential authority")
    if manifest["uuid"] != cmap.public["election"]:
        raise Refused(f"{args.map}: issued for another election ({cmap.public['election']})")
    phi = record.election_digest(canonical.dumps(manifest, "manifest"))
    voided, used = set(), set()
    for ev in events:
        if ev.type == "VOID":
            voided.update(e["key"] for e in ev.payload["credentials"])
        elif ev.type == "BATCH":
            used.update(b64e(b64d(b["ballot"])[40:72]) for b in ev.payload["ballots"])
    election = uuidlib.UUID(manifest["uuid"])
    keys, seen = [], set()
    for row in paper:
        member = row["member_number"]
        held = cmap.secret["members"].get(member)
        if held is None:
            print(f"note: member {member} has no credential (not on the roll it was issued "
                  f"for): skipped", file=out)  # fmt: skip
            continue
        x_pub = credentials.public_key(credentials.secret_key(election, held["credential"]))
        text = b64e(x_pub)
        if text in voided:
            print(f"note: member {member}: credential already voided on the record", file=out)
            continue
        if text in used:
            print(f"WARNING: member {member}: this credential has cast a ballot online; "
                  f"not voided", file=out)  # fmt: skip
            continue
        if text in seen:
            continue
        seen.add(text)
        keys.append((held["question"], x_pub))
    if not keys:
        raise Refused("no credential to void")
    out_path.write_bytes(record.void_file(ca.seed, phi, keys))
    print(f"Wrote {args.out}: {len(keys)} credentials voided (install it on the Encryption "
          f"page)", file=out)  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bastau-ca", description="The credential authority's offline tool."
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--key", required=True, help="the CA's key file (bastau-ca init)")
        sp.add_argument("--passphrase-file", help="read the passphrase from this file")
        sp.add_argument("--kdf-memory", type=int, default=keystore.ARGON2_MEMORY,
                        help=argparse.SUPPRESS)  # fmt: skip

    sp = sub.add_parser("init", help="a new CA key")
    common(sp)
    sp.set_defaults(func=cmd_init)
    sp = sub.add_parser("show-key", help="the CA's public key")
    sp.add_argument("--key", required=True)
    sp.set_defaults(func=cmd_show_key)
    sp = sub.add_parser("issue", help="credentials for the frozen roll")
    common(sp)
    sp.add_argument("--uuid", required=True, help="the election id (the Encryption page)")
    sp.add_argument("--roll", required=True, help="the roll CSV the server exports")
    sp.add_argument("--list", required=True, help="write the signed credential list here")
    sp.add_argument("--map", required=True, help="write the member -> credential map here")
    sp.add_argument("--letters", required=True, help="write the credentials to deliver here")
    sp.set_defaults(func=cmd_issue)
    sp = sub.add_parser("void", help="void the paper voters' credentials")
    common(sp)
    sp.add_argument("--map", required=True, help="the map `issue` wrote")
    sp.add_argument("--paper", required=True, help="the paper voters CSV the server exports")
    sp.add_argument("--manifest", required=True, help="the public record (or its manifest)")
    sp.add_argument("--out", required=True, help="write the signed void file here")
    sp.set_defaults(func=cmd_void)
    return p


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else 0
    try:
        return args.func(args, out)
    except (
        Refused,
        canonical.CanonicalError,
        keystore.KeystoreError,
        record.RecordError,
        KeyError,
    ) as e:
        print(f"REFUSED: {e}", file=out)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted", file=out)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
