"""A trustee's secrets at rest: one file encrypted under a passphrase, and a backup copy.

File (canonical JSON, format "bastau-trustee-keystore/1"):
  {"format", "public": {...}, "kdf": {...}, "nonce": b64(12), "box": b64(ciphertext)}
- "public" is what anyone may see (the signing and seal keys, the trustee's index and name, the
  ceremony's context, K_j once known, the stage); it is not secret but it is authenticated: the
  AEAD's associated data is canonical(file without "box").
- "kdf" is {"name": "argon2id", "salt": b64(16), "memory": KiB, "iterations", "lanes"} (RFC 9106's
  second recommended setting: 64 MiB, 3 passes, 4 lanes) or, with a `cryptography` older than
  44 that lacks Argon2id, {"name": "scrypt", "salt", "n": 2^17, "r": 8, "p": 1}.
- "box" = ChaCha20-Poly1305(key = KDF(passphrase UTF-8), nonce, canonical(secret state), AD).
  The secret state holds the Ed25519 seed and the X25519 seal secret, the ceremony state while it
  runs (setup, index, polynomial, own certificate), and s_j once the ceremony is over (the
  polynomial is then dropped). Every save draws a fresh salt and nonce.

The backup is a second file of the same format (written by `init` and again by `check`), to keep
on another medium; `check_backup` opens it and proves it holds the s_j behind the published K_j.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from . import canonical, group, signing
from .ceremony import PublicKeys, x25519_public
from .hashing import b64d, b64e

try:  # cryptography >= 44
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:  # pragma: no cover - depends on the installed version
    Argon2id = None

FORMAT = "bastau-trustee-keystore/1"
ARGON2_MEMORY = 65536  # KiB
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
SCRYPT_N = 2**17
FILE_FIELDS = frozenset({"format", "public", "kdf", "nonce", "box"})


class KeystoreError(ValueError):
    pass


class WrongPassphrase(KeystoreError):
    def __init__(self, path) -> None:
        super().__init__(f"{path}: wrong passphrase, or the file was altered")


def new_kdf(memory: int = ARGON2_MEMORY) -> dict:
    salt = b64e(os.urandom(16))
    if Argon2id is not None:
        return {"name": "argon2id", "salt": salt, "memory": memory,
                "iterations": ARGON2_ITERATIONS, "lanes": ARGON2_LANES}  # fmt: skip
    return {"name": "scrypt", "salt": salt, "n": SCRYPT_N, "r": 8, "p": 1}


def derive(passphrase: str, kdf: dict) -> bytes:
    secret = passphrase.encode("utf-8")
    salt = b64d(kdf["salt"])
    if kdf.get("name") == "argon2id":
        if Argon2id is None:
            raise KeystoreError("this file needs Argon2id: install cryptography 44 or later")
        canonical.fields(kdf, {"name", "salt", "memory", "iterations", "lanes"}, "kdf")
        return Argon2id(
            salt=salt,
            length=32,
            iterations=kdf["iterations"],
            lanes=kdf["lanes"],
            memory_cost=kdf["memory"],
        ).derive(secret)
    if kdf.get("name") == "scrypt":
        canonical.fields(kdf, {"name", "salt", "n", "r", "p"}, "kdf")
        return Scrypt(salt=salt, length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(secret)
    raise KeystoreError(f"unknown key derivation {kdf.get('name')!r}")


@dataclass
class Keystore:
    public: dict
    secret: dict
    kdf_memory: int = ARGON2_MEMORY

    # -- the secrets

    @property
    def seed(self) -> bytes:
        return b64d(self.secret["seed"])

    @property
    def seal_secret(self) -> bytes:
        return b64d(self.secret["seal_secret"])

    @property
    def share(self) -> bytes | None:
        s = self.secret.get("share")
        return b64d(s) if s else None

    @property
    def index(self) -> int | None:
        return self.public.get("index")


def create(rng=None) -> Keystore:
    """Fresh keys: an Ed25519 seed and an X25519 seal secret (libsodium's randombytes)."""
    draw = rng.bytes if rng is not None else os.urandom
    seed, seal_secret = draw(32), draw(32)
    public = {
        "stage": "keys",
        "sign_key": b64e(signing.public_key(seed)),
        "seal_key": b64e(x25519_public(seal_secret)),
    }
    return Keystore(public, {"seed": b64e(seed), "seal_secret": b64e(seal_secret)})


def dumps(ks: Keystore, passphrase: str) -> bytes:
    if not passphrase:
        raise KeystoreError("an empty passphrase protects nothing")
    head = {
        "format": FORMAT,
        "public": ks.public,
        "kdf": new_kdf(ks.kdf_memory),
        "nonce": b64e(os.urandom(12)),
    }
    key = derive(passphrase, head["kdf"])
    box = ChaCha20Poly1305(key).encrypt(
        b64d(head["nonce"]), canonical.dumps(ks.secret, "secret"), canonical.dumps(head)
    )
    return canonical.dumps({**head, "box": b64e(box)}) + b"\n"


def loads(data: bytes, passphrase: str, path="keystore") -> Keystore:
    head = read_public_file(data, path)
    box = b64d(head.pop("box"))
    key = derive(passphrase, head["kdf"])
    try:
        plain = ChaCha20Poly1305(key).decrypt(b64d(head["nonce"]), box, canonical.dumps(head))
    except InvalidTag:
        raise WrongPassphrase(path) from None
    secret = canonical.loads(plain, "secret")
    ks = Keystore(head["public"], secret)
    if head["kdf"].get("name") == "argon2id":
        ks.kdf_memory = head["kdf"]["memory"]
    if signing.public_key(ks.seed) != b64d(ks.public["sign_key"]):
        raise KeystoreError(f"{path}: the signing key does not match its seed")
    return ks


def read_public_file(data: bytes, path="keystore") -> dict:
    try:
        obj = canonical.loads(data.rstrip(b"\n"), str(path))
        canonical.fields(obj, FILE_FIELDS, str(path))
    except canonical.CanonicalError as e:
        raise KeystoreError(f"{path}: not a trustee keystore ({e})") from e
    if obj["format"] != FORMAT:
        raise KeystoreError(f"{path}: not a {FORMAT} file")
    return obj


def save(ks: Keystore, path: Path, passphrase: str) -> None:
    """Write atomically (a temporary file, then rename), readable by the owner only."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(dumps(ks, passphrase))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(path: Path, passphrase: str) -> Keystore:
    return loads(Path(path).read_bytes(), passphrase, path)


def check_backup(backup: Keystore, keys: PublicKeys) -> int:
    """The backup opens (the caller decrypted it), belongs to a trustee of this transcript, and
    its s_j gives the published K_j. Returns j."""
    j = backup.index
    if j is None or backup.share is None:
        raise KeystoreError("the backup holds no share yet (it was made before the ceremony ended)")
    if j not in keys.k:
        raise KeystoreError(f"the backup is for trustee {j}, who is not in this transcript")
    if keys.sign_keys[j] != signing.public_key(backup.seed):
        raise KeystoreError(f"the backup's signing key is not trustee {j}'s published key")
    if group.base_mul(backup.share) != keys.k[j]:
        raise KeystoreError(f"the backup's share does not give trustee {j}'s published K_j")
    return j
