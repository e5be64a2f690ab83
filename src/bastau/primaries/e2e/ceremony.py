"""The trustees' key ceremony (section 3.1): a Pedersen DKG, any t of m trustees decrypt.

Every message is a canonical-JSON object with a "type" field; signed messages carry "sig", an
Ed25519 signature of kind "trustee" over Hd(<tag of the type>, canonical(message without "sig")).
Tags are bastau/v1/dkg-<type> (below). Bytes are unpadded base64url; integers are JSON integers
in the objects and u64be in hashes; the uuid is hashed as its 16 bytes, strings as UTF-8.

1. setup (from the commission, unsigned): {"type": "setup", "uuid", "threshold": t, "names": [..m]}.
   Trustees are indexed 1..m in the order of `names`; index 0 is never used.
   kappa = Hd(dkg-context, uuid16, u64(m), u64(t), name_1, ..., name_m).
2. certificate (trustee i): {"type": "certificate", "context": kappa, "index": i, "name",
   "sign_key": Ed25519 key, "seal_key": X25519 key, "coefs": Hd(dkg-coefs, kappa, u64(i),
   C_i0, ..., C_i(t-1)), "sig"}. The commitments C_ik = a_ik*G of the secret polynomial
   f_i(z) = a_i0 + a_i1 z + ... + a_i(t-1) z^(t-1) stay hidden until every certificate is in.
3. reveal (trustee i): {"type": "reveal", "context", "index", "coefs": [C_i0..C_i(t-1)],
   "pok": R || z, "certificates": Hd(dkg-certificates, canonical([certificate_1..m])), "sig"}
   where R = w*G, c = Hs(pok, kappa, "coef", u64(i), C_i0, R), z = w - c*a_i0 (valid when
   R = z*G + c*C_i0).
   deal (trustee i, unsigned envelope): {"type": "deal", "context", "index": i, "sealed":
   [{"to": j, "box": b64(sealed share)} for every j != i]}. Inside each box is the canonical
   text of a signed share {"type": "share", "context", "from": i, "to": j, "share": f_i(j), "sig"}.
4. check (trustee j): for every dealer i, open the box, check the share's signature and
   s_ij*G = sum_k j^k C_ik. A share that fails becomes a complaint {"type": "complaint",
   "context", "from": j, "against": i, "share": <the dealer's signed share, decrypted>, "sig"}:
   anyone can check the dealer's signature on the share and that it does not match the dealer's
   published commitments, so the complaint names the cheater with evidence (`verify_complaint`).
   The ceremony then restarts without the cheater.
   Otherwise j computes s_j = sum_i s_ij and publishes key {"type": "key", "context", "index": j,
   "key": K_j = s_j*G, "pok": R || z with c = Hs(pok, kappa, "key", u64(j), K_j, R),
   "reveals": Hd(dkg-reveals, canonical([reveal_1..m])), "sig"}.
5. transcript TR: {"format": "bastau-trustees/1", "uuid", "threshold", "names", "context",
   "trustees": [{"certificate", "reveal", "key"} for i = 1..m]}; its digest (in the manifest) is
   Hd(trustees, canonical(TR)). `verify_transcript` checks every signature, commitment digest and
   proof of knowledge, K_j = sum_i sum_k j^k C_ik, and Y = sum_i C_i0 (not the identity).

Sealed box (the share's transport): an ephemeral X25519 key e (32 bytes from the RNG), shared
secret X25519(e, seal_key_j), key = HKDF-SHA256(shared, salt empty, info = "bastau/v1/dkg-seal" ||
E || seal_key_j, 32 bytes), box = E || ChaCha20-Poly1305(key, nonce = 12 zero bytes, plaintext,
associated data = E || seal_key_j). The key is single-use, so the fixed nonce is safe. Built from
`cryptography` (the same construction as libsodium's crypto_box_seal, with HKDF instead of
BLAKE2b nonces, since rbcl does not expose crypto_box_seal).
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from . import canonical, group, signing, tally
from .canonical import CanonicalError
from .hashing import (
    PREFIX,
    TAG_DKG_COEFS,
    TAG_DKG_CONTEXT,
    TAG_POK,
    b64d,
    b64e,
    hd,
    hs,
    text,
    u64,
)

FORMAT = "bastau-trustees/1"
TAG_TRUSTEES = PREFIX + b"trustees"
TAG_DKG_CERTIFICATE = PREFIX + b"dkg-certificate"
TAG_DKG_CERTIFICATES = PREFIX + b"dkg-certificates"
TAG_DKG_REVEAL = PREFIX + b"dkg-reveal"
TAG_DKG_REVEALS = PREFIX + b"dkg-reveals"
TAG_DKG_SHARE = PREFIX + b"dkg-share"
TAG_DKG_KEY = PREFIX + b"dkg-key"
TAG_DKG_COMPLAINT = PREFIX + b"dkg-complaint"
TAG_DKG_SEAL = PREFIX + b"dkg-seal"
SIGNED_TAGS = {
    "certificate": TAG_DKG_CERTIFICATE,
    "reveal": TAG_DKG_REVEAL,
    "share": TAG_DKG_SHARE,
    "key": TAG_DKG_KEY,
    "complaint": TAG_DKG_COMPLAINT,
}
MAX_TRUSTEES = 64
POK_BYTES = 64

SETUP_FIELDS = frozenset({"type", "uuid", "threshold", "names"})
CERTIFICATE_FIELDS = frozenset(
    {"type", "context", "index", "name", "sign_key", "seal_key", "coefs", "sig"}
)
REVEAL_FIELDS = frozenset({"type", "context", "index", "coefs", "pok", "certificates", "sig"})
DEAL_FIELDS = frozenset({"type", "context", "index", "sealed"})
SEALED_FIELDS = frozenset({"to", "box"})
SHARE_FIELDS = frozenset({"type", "context", "from", "to", "share", "sig"})
KEY_FIELDS = frozenset({"type", "context", "index", "key", "pok", "reveals", "sig"})
COMPLAINT_FIELDS = frozenset({"type", "context", "from", "against", "share", "sig"})
TRANSCRIPT_FIELDS = frozenset({"format", "uuid", "threshold", "names", "context", "trustees"})
ENTRY_FIELDS = frozenset({"certificate", "reveal", "key"})


class CeremonyError(ValueError):
    """A ceremony object that fails; `where` names the trustee and object ("trustee 2 reveal")."""

    def __init__(self, where: str, message: str, culprit: int | None = None) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.culprit = culprit


@dataclass(frozen=True)
class PublicKeys:
    t: int
    m: int
    y: bytes
    k: dict[int, bytes]
    sign_keys: dict[int, bytes]
    names: dict[int, str]
    seal_keys: dict[int, bytes] = field(default_factory=dict)


@dataclass
class TrusteeSecret:
    """What `simulate` hands back per trustee: the final share s_j and the Ed25519 seed."""

    index: int
    name: str
    seed: bytes
    share: bytes
    seal_secret: bytes = b""


# ---------------------------------------------------------------------------------------------
# Small helpers.


def _where(i: int | None, what: str) -> str:
    return f"trustee {i} {what}" if i is not None else what


def _wrap(where: str, fn, *args, culprit=None, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CanonicalError as e:
        raise CeremonyError(where, str(e), culprit) from e
    except group.EncodingError as e:
        raise CeremonyError(where, str(e), culprit) from e


def _field_data(obj, key, where, size, culprit=None) -> bytes:
    return _wrap(where, canonical.data, obj, key, where, size, culprit=culprit)


def _field_point(obj, key, where, culprit=None) -> bytes:
    b = _field_data(obj, key, where, 32, culprit)
    return _wrap(f"{where}.{key}", group.decode_point, b, what=key, culprit=culprit)


def _fields(obj, names, where, culprit=None) -> dict:
    _wrap(where, canonical.fields, obj, names, where, culprit=culprit)
    if "type" in names and obj["type"] != _type_of(names):
        raise CeremonyError(where, f"expected type {_type_of(names)!r}", culprit)
    return obj


_TYPES = {
    SETUP_FIELDS: "setup",
    CERTIFICATE_FIELDS: "certificate",
    REVEAL_FIELDS: "reveal",
    DEAL_FIELDS: "deal",
    SHARE_FIELDS: "share",
    KEY_FIELDS: "key",
    COMPLAINT_FIELDS: "complaint",
}


def _type_of(names) -> str:
    return _TYPES[frozenset(names)]


def _int(obj, key, where, lo, hi, culprit=None) -> int:
    return _wrap(where, canonical.integer, obj, key, where, lo, hi, culprit=culprit)


def signed_digest(obj: dict) -> bytes:
    """Hd(tag of the object's type, canonical(object without "sig"))."""
    body = {k: v for k, v in obj.items() if k != "sig"}
    return hd(SIGNED_TAGS[obj["type"]], canonical.dumps(body, obj["type"]))


def sign_object(seed: bytes, obj: dict) -> dict:
    body = {k: v for k, v in obj.items() if k != "sig"}
    out = dict(body)
    out["sig"] = b64e(signing.sign(seed, "trustee", signed_digest(body)))
    return out


def _check_sig(obj: dict, key: bytes, where: str, culprit=None) -> None:
    sig = _field_data(obj, "sig", where, 64, culprit)
    if not signing.verify(key, "trustee", signed_digest(obj), sig):
        raise CeremonyError(where, "bad signature", culprit)


def parse_uuid(uuid: str) -> bytes:
    try:
        u = uuidlib.UUID(uuid)
    except (ValueError, AttributeError, TypeError) as e:
        raise CeremonyError("setup", f"not a UUID: {uuid!r}") from e
    if str(u) != uuid:
        raise CeremonyError("setup", "the uuid must be written in lowercase with hyphens")
    return u.bytes


def context(uuid: str, threshold: int, names: list[str]) -> bytes:
    """kappa = Hd(dkg-context, uuid16, u64(m), u64(t), UTF-8(name_1), ..., UTF-8(name_m))."""
    return hd(
        TAG_DKG_CONTEXT,
        parse_uuid(uuid),
        u64(len(names)),
        u64(threshold),
        *(text(n) for n in names),
    )


def coefs_digest(kappa: bytes, i: int, commitments: list[bytes]) -> bytes:
    return hd(TAG_DKG_COEFS, kappa, u64(i), *commitments)


def list_digest(tag: bytes, objects: list[dict]) -> bytes:
    return hd(tag, canonical.dumps(objects))


def transcript_digest(tr: dict) -> bytes:
    """Hd(bastau/v1/trustees, canonical(TR)): the manifest's "trustees" field."""
    return hd(TAG_TRUSTEES, canonical.dumps(tr, "trustees"))


def _pok_challenge(kappa: bytes, what: str, i: int, point: bytes, r: bytes) -> bytes:
    return hs(TAG_POK, kappa, text(what), u64(i), point, r)


def prove_knowledge(kappa: bytes, what: str, i: int, secret: bytes, point: bytes, rng) -> bytes:
    """Schnorr: R = w*G, c = Hs(pok, kappa, what, u64(i), P, R), z = w - c*x; R || z."""
    w = rng.scalar()
    r = group.base_mul(w)
    c = _pok_challenge(kappa, what, i, point, r)
    return r + group.s_sub(w, group.s_mul(c, secret))


def verify_knowledge(kappa: bytes, what: str, i: int, point: bytes, proof: bytes) -> bool:
    if len(proof) != POK_BYTES:
        return False
    try:
        r = group.decode_point(proof[:32], what="pok R")
        z = group.decode_scalar(proof[32:], what="pok z")
    except group.EncodingError:
        return False
    c = _pok_challenge(kappa, what, i, point, r)
    return group.add(group.base_mul(z), group.mul(c, point)) == r


def expected_key(commitments: dict[int, list[bytes]], j: int) -> bytes:
    """sum_i sum_k j^k C_ik = sum_k j^k (sum_i C_ik)."""
    t = len(next(iter(commitments.values())))
    agg = [group.point_sum(c[k] for c in commitments.values()) for k in range(t)]
    return share_commitment(agg, j)


def share_commitment(coefs: list[bytes], j: int) -> bytes:
    """sum_k j^k C_k."""
    acc = group.IDENTITY
    for c in reversed(coefs):  # Horner on points
        acc = group.add(group.mul(group.scalar(j), acc), c)
    return acc


# ---------------------------------------------------------------------------------------------
# Sealed box.


def x25519_public(secret: bytes) -> bytes:
    return (
        X25519PrivateKey.from_private_bytes(secret)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def _seal_key(shared: bytes, epk: bytes, pk: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=TAG_DKG_SEAL + epk + pk).derive(shared)


def seal(recipient: bytes, plaintext: bytes, rng) -> bytes:
    esk = X25519PrivateKey.from_private_bytes(rng.bytes(32))
    epk = esk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = esk.exchange(X25519PublicKey.from_public_bytes(recipient))
    key = _seal_key(shared, epk, recipient)
    return epk + ChaCha20Poly1305(key).encrypt(bytes(12), plaintext, epk + recipient)


def open_sealed(secret: bytes, box: bytes) -> bytes:
    """The plaintext; ValueError if the box was not sealed to this key or was altered."""
    if len(box) < 32 + 16:
        raise ValueError("a sealed box is at least 48 bytes")
    sk = X25519PrivateKey.from_private_bytes(secret)
    pk = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    epk = box[:32]
    try:
        shared = sk.exchange(X25519PublicKey.from_public_bytes(epk))
        return ChaCha20Poly1305(_seal_key(shared, epk, pk)).decrypt(bytes(12), box[32:], epk + pk)
    except (InvalidTag, ValueError) as e:
        raise ValueError("the sealed box does not open with this key") from e


# ---------------------------------------------------------------------------------------------
# Parsing and checking the public messages.


@dataclass(frozen=True)
class Setup:
    uuid: str
    t: int
    names: list[str]
    kappa: bytes

    @property
    def m(self) -> int:
        return len(self.names)


def make_setup(uuid: str, names: list[str], threshold: int) -> dict:
    obj = {"type": "setup", "uuid": uuid, "threshold": threshold, "names": list(names)}
    parse_setup(obj)
    return obj


def parse_setup(
    obj: dict, uuid: str | uuidlib.UUID | None = None, threshold: int | None = None
) -> Setup:
    where = "setup"
    if isinstance(obj, dict) and "format" in obj:  # a transcript carries the same fields
        where = "transcript"
        sub = {"type": "setup", "uuid": obj.get("uuid"), "threshold": obj.get("threshold"),
               "names": obj.get("names")}  # fmt: skip
    else:
        sub = obj
    _fields(sub, SETUP_FIELDS, where)
    u = _wrap(where, canonical.string, sub, "uuid", where)
    parse_uuid(u)
    names = _wrap(where, canonical.array, sub, "names", where)
    m = len(names)
    if not 1 <= m <= MAX_TRUSTEES:
        raise CeremonyError(f"{where}.names", f"between 1 and {MAX_TRUSTEES} trustees")
    for k, n in enumerate(names):
        if not isinstance(n, str) or not n.strip() or len(n) > 200:
            raise CeremonyError(f"{where}.names[{k}]", "a trustee's name is a non-empty string")
        _wrap(where, canonical.dumps, n)
    if len(set(names)) != m:
        raise CeremonyError(f"{where}.names", "two trustees have the same name")
    t = _int(sub, "threshold", where, 1, m)
    if isinstance(uuid, uuidlib.UUID):
        uuid = str(uuid)
    if uuid is not None and u != uuid:
        raise CeremonyError(f"{where}.uuid", "not this election's uuid")
    if threshold is not None and t != threshold:
        raise CeremonyError(f"{where}.threshold", f"expected threshold {threshold}, got {t}")
    return Setup(u, t, list(names), context(u, t, names))


def _check_context(obj, kappa, where, culprit=None) -> None:
    if _field_data(obj, "context", where, 32, culprit) != kappa:
        raise CeremonyError(where, "made for another ceremony (context differs)", culprit)


def check_certificates(setup: Setup, certs: list[dict]) -> dict[int, dict]:
    """Every certificate, in index order 1..m, signed by its own key; returns index -> fields."""
    if not isinstance(certs, list) or len(certs) != setup.m:
        raise CeremonyError("certificates", f"expected {setup.m} certificates")
    out = {}
    seen_keys = set()
    for pos, cert in enumerate(certs):
        i = pos + 1
        where = _where(i, "certificate")
        _fields(cert, CERTIFICATE_FIELDS, where, i)
        idx = _int(cert, "index", where, 0, canonical.MAX_INT, i)
        if idx == 0:
            raise CeremonyError(where, "index 0 is never a trustee", i)
        if idx != i:
            raise CeremonyError(
                where, f"index {idx} in position {i} (duplicate or out of order)", i
            )
        _check_context(cert, setup.kappa, where, i)
        if cert["name"] != setup.names[pos]:
            raise CeremonyError(where, "the name differs from the setup's", i)
        sign_key = _field_data(cert, "sign_key", where, 32, i)
        seal_key = _field_data(cert, "seal_key", where, 32, i)
        digest = _field_data(cert, "coefs", where, 32, i)
        if sign_key in seen_keys:
            raise CeremonyError(where, "a signing key used by another trustee", i)
        seen_keys.add(sign_key)
        _check_sig(cert, sign_key, where, i)
        out[i] = {"sign_key": sign_key, "seal_key": seal_key, "coefs": digest, "name": cert["name"]}
    return out


def check_reveals(setup: Setup, certs: list[dict], reveals: list[dict]) -> dict[int, list[bytes]]:
    """Every reveal: commitments matching the certificate, degree t-1, the proof of knowledge of
    a_i0, and the signature over the certificate list. Returns index -> [C_i0..C_i(t-1)]."""
    info = check_certificates(setup, certs)
    certs_digest = list_digest(TAG_DKG_CERTIFICATES, certs)
    if not isinstance(reveals, list) or len(reveals) != setup.m:
        raise CeremonyError("reveals", f"expected {setup.m} reveals")
    out = {}
    for pos, rev in enumerate(reveals):
        i = pos + 1
        where = _where(i, "reveal")
        _fields(rev, REVEAL_FIELDS, where, i)
        if _int(rev, "index", where, 0, canonical.MAX_INT, i) != i:
            raise CeremonyError(where, f"index {rev['index']} in position {i}", i)
        _check_context(rev, setup.kappa, where, i)
        coefs = _wrap(where, canonical.array, rev, "coefs", where, culprit=i)
        if len(coefs) != setup.t:
            raise CeremonyError(
                where, f"{len(coefs)} commitments; degree t-1 needs exactly {setup.t}", i
            )
        pts = [_field_point(coefs, k, f"{where}.coefs", i) for k in range(len(coefs))]
        if coefs_digest(setup.kappa, i, pts) != info[i]["coefs"]:
            raise CeremonyError(where, "commitments differ from the certificate's digest", i)
        pok = _field_data(rev, "pok", where, POK_BYTES, i)
        if not verify_knowledge(setup.kappa, "coef", i, pts[0], pok):
            raise CeremonyError(where, "bad proof of knowledge of a_i0", i)
        if _field_data(rev, "certificates", where, 32, i) != certs_digest:
            raise CeremonyError(where, "signed another list of certificates", i)
        _check_sig(rev, info[i]["sign_key"], where, i)
        out[i] = pts
    return out


def check_keys(
    setup: Setup, info: dict[int, dict], commitments: dict[int, list[bytes]], reveals, keys
) -> dict[int, bytes]:
    reveals_digest = list_digest(TAG_DKG_REVEALS, reveals)
    if not isinstance(keys, list) or len(keys) != setup.m:
        raise CeremonyError("keys", f"expected {setup.m} keys")
    out = {}
    for pos, key in enumerate(keys):
        j = pos + 1
        where = _where(j, "key")
        _fields(key, KEY_FIELDS, where, j)
        if _int(key, "index", where, 0, canonical.MAX_INT, j) != j:
            raise CeremonyError(where, f"index {key['index']} in position {j}", j)
        _check_context(key, setup.kappa, where, j)
        k_j = _field_point(key, "key", where, j)
        if _field_data(key, "reveals", where, 32, j) != reveals_digest:
            raise CeremonyError(where, "signed another list of reveals", j)
        pok = _field_data(key, "pok", where, POK_BYTES, j)
        if not verify_knowledge(setup.kappa, "key", j, k_j, pok):
            raise CeremonyError(where, "bad proof of knowledge of s_j", j)
        if k_j != expected_key(commitments, j):
            raise CeremonyError(where, "K_j differs from sum_i sum_k j^k C_ik", j)
        _check_sig(key, info[j]["sign_key"], where, j)
        out[j] = k_j
    return out


def verify_transcript(tr: dict, uuid: str | uuidlib.UUID, threshold: int) -> PublicKeys:
    """Check the whole public transcript; raise CeremonyError naming the trustee and object.
    `uuid` is the election's (a lowercase string or a uuid.UUID)."""
    if not isinstance(tr, dict):
        raise CeremonyError("transcript", "expected an object")
    _wrap("transcript", canonical.fields, tr, TRANSCRIPT_FIELDS, "transcript")
    if tr["format"] != FORMAT:
        raise CeremonyError("transcript.format", f"expected {FORMAT!r}")
    setup = parse_setup(tr, uuid, threshold)
    if _field_data(tr, "context", "transcript", 32) != setup.kappa:
        raise CeremonyError("transcript.context", "does not match uuid, threshold and names")
    entries = _wrap("transcript", canonical.array, tr, "trustees", "transcript")
    if len(entries) != setup.m:
        raise CeremonyError("transcript.trustees", f"expected {setup.m} entries (one per name)")
    for pos, e in enumerate(entries):
        _fields(e, ENTRY_FIELDS, f"transcript.trustees[{pos}]", pos + 1)
    certs = [e["certificate"] for e in entries]
    reveals = [e["reveal"] for e in entries]
    keys = [e["key"] for e in entries]
    info = check_certificates(setup, certs)
    commitments = check_reveals(setup, certs, reveals)
    k = check_keys(setup, info, commitments, reveals, keys)
    y = group.point_sum(c[0] for c in commitments.values())
    if y == group.IDENTITY:
        raise CeremonyError("transcript", "the election key Y = sum C_i0 is the identity")
    return PublicKeys(
        t=setup.t,
        m=setup.m,
        y=y,
        k=k,
        sign_keys={i: v["sign_key"] for i, v in info.items()},
        names={i: v["name"] for i, v in info.items()},
        seal_keys={i: v["seal_key"] for i, v in info.items()},
    )


def check_share(setup: Setup, info, commitments, share: dict, dealer: int, to: int) -> bytes:
    """A dealer's signed share to trustee `to`: fields, signature, and s*G = sum_k to^k C_ik.
    Returns s; CeremonyError(culprit=dealer) on a bad share."""
    where = _where(dealer, f"share to trustee {to}")
    _fields(share, SHARE_FIELDS, where, dealer)
    if _int(share, "from", where, 1, setup.m, dealer) != dealer:
        raise CeremonyError(where, "not from this dealer", dealer)
    if _int(share, "to", where, 1, setup.m, dealer) != to:
        raise CeremonyError(where, "addressed to another trustee", dealer)
    _check_context(share, setup.kappa, where, dealer)
    _check_sig(share, info[dealer]["sign_key"], where, dealer)
    s = _field_data(share, "share", where, 32, dealer)
    try:
        group.decode_scalar(s)
    except group.EncodingError as e:
        raise CeremonyError(where, f"the share is not a scalar: {e}", dealer) from e
    if group.base_mul(s) != share_commitment(commitments[dealer], to):
        raise CeremonyError(where, "s_ij*G differs from sum_k j^k C_ik: a bad share", dealer)
    return s


def verify_complaint(
    complaint: dict, setup: dict | Setup, certs: list[dict], reveals: list[dict]
) -> int:
    """Check a complaint against the public certificates and reveals. Returns the index of the
    cheating dealer (proved by their own signed share that does not match their commitments);
    raises CeremonyError if the complaint does not prove anything."""
    st = setup if isinstance(setup, Setup) else parse_setup(setup)
    info = check_certificates(st, certs)
    commitments = check_reveals(st, certs, reveals)
    where = "complaint"
    _fields(complaint, COMPLAINT_FIELDS, where)
    j = _int(complaint, "from", where, 1, st.m)
    i = _int(complaint, "against", where, 1, st.m)
    where = f"complaint of trustee {j} against trustee {i}"
    if i == j:
        raise CeremonyError(where, "a trustee cannot complain about themselves", j)
    _check_context(complaint, st.kappa, where, j)
    _check_sig(complaint, info[j]["sign_key"], where, j)
    share = complaint["share"]
    # The evidence must be the dealer's own signed share to the complainer.
    swhere = _where(i, f"share to trustee {j}")
    _fields(share, SHARE_FIELDS, swhere)
    if share.get("from") != i or share.get("to") != j:
        raise CeremonyError(where, "the share is not from the accused to the complainer", j)
    _check_context(share, st.kappa, swhere, j)
    _check_sig(share, info[i]["sign_key"], swhere, j)
    try:
        check_share(st, info, commitments, share, i, j)
    except CeremonyError as e:
        if e.culprit == i:
            return i
        raise
    raise CeremonyError(where, "the share is correct: the complaint is unfounded", j)


# ---------------------------------------------------------------------------------------------
# The steps a trustee's machine runs. The state is a dict of canonical JSON (kept encrypted by
# the keystore): {"setup", "index", "seed", "seal_secret", "poly"?, "share"?}.


def _find_index(setup: Setup, name: str | None, index: int | None) -> int:
    if index is not None:
        if not 1 <= index <= setup.m:
            raise CeremonyError("setup", f"no trustee with index {index} (1..{setup.m})")
        return index
    if name not in setup.names:
        raise CeremonyError("setup", f"no trustee named {name!r}")
    return setup.names.index(name) + 1


def make_certificate(
    setup_obj: dict,
    index: int,
    rng,
    poly: list[bytes] | None = None,
    keys: tuple[bytes, bytes] | None = None,
) -> tuple[dict, dict]:
    """Draw the keys (unless `keys` = (Ed25519 seed, X25519 seal secret) are given) and the
    polynomial of trustee `index`; returns (state, certificate). `poly` (tests only) imposes
    the coefficients, e.g. to play a cheating trustee."""
    setup = parse_setup(setup_obj)
    i = _find_index(setup, None, index)
    if keys is None:
        seed = rng.bytes(32)
        seal_secret = rng.bytes(32)
    else:
        seed, seal_secret = keys
    if poly is None:
        poly = [rng.scalar() for _ in range(setup.t)]
    commitments = [group.base_mul(a) for a in poly]
    cert = {
        "type": "certificate",
        "context": b64e(setup.kappa),
        "index": i,
        "name": setup.names[i - 1],
        "sign_key": b64e(signing.public_key(seed)),
        "seal_key": b64e(x25519_public(seal_secret)),
        "coefs": b64e(coefs_digest(setup.kappa, i, commitments)),
    }
    cert = sign_object(seed, cert)
    state = {
        "setup": setup_obj,
        "index": i,
        "seed": b64e(seed),
        "seal_secret": b64e(seal_secret),
        "poly": [b64e(a) for a in poly],
        "certificate": cert,
    }
    return state, cert


def _state(state: dict) -> tuple[Setup, int, bytes, bytes]:
    setup = parse_setup(state["setup"])
    return setup, state["index"], b64d(state["seed"]), b64d(state["seal_secret"])


def reveal(state: dict, certificates: list[dict], rng) -> tuple[dict, dict]:
    """Check every certificate (own one unchanged), then reveal the commitments with a proof of
    knowledge and deal a sealed, signed share to every other trustee. Returns (reveal, deal)."""
    setup, i, seed, _ = _state(state)
    if "poly" not in state:
        raise CeremonyError(_where(i, "state"), "the polynomial is gone (already finished)")
    info = check_certificates(setup, certificates)
    if certificates[i - 1] != state["certificate"]:
        raise CeremonyError(_where(i, "certificate"), "differs from the one this trustee made", i)
    poly = [b64d(a) for a in state["poly"]]
    commitments = [group.base_mul(a) for a in poly]
    rev = {
        "type": "reveal",
        "context": b64e(setup.kappa),
        "index": i,
        "coefs": [b64e(c) for c in commitments],
        "pok": b64e(prove_knowledge(setup.kappa, "coef", i, poly[0], commitments[0], rng)),
        "certificates": b64e(list_digest(TAG_DKG_CERTIFICATES, certificates)),
    }
    rev = sign_object(seed, rev)
    sealed = []
    for j in range(1, setup.m + 1):
        if j == i:
            continue
        share = sign_object(
            seed,
            {
                "type": "share",
                "context": b64e(setup.kappa),
                "from": i,
                "to": j,
                "share": b64e(tally.eval_poly(poly, j)),
            },
        )
        box = seal(info[j]["seal_key"], canonical.dumps(share), rng)
        sealed.append({"to": j, "box": b64e(box)})
    deal = {"type": "deal", "context": b64e(setup.kappa), "index": i, "sealed": sealed}
    return rev, deal


@dataclass
class CheckResult:
    """`key` is the signed key message when every share was good; otherwise `complaints` holds
    one signed complaint (with evidence) per bad dealer and `problems` names every dealer whose
    share could not even be opened (no evidence possible: the ceremony restarts)."""

    key: dict | None
    share: bytes | None
    complaints: list[dict]
    problems: list[str]


def check_shares(state: dict, certificates, reveals, deals, rng) -> CheckResult:
    """Trustee j opens and checks each dealer's share; finishes (K_j with a proof of knowledge)
    or complains."""
    setup, j, seed, seal_secret = _state(state)
    info = check_certificates(setup, certificates)
    commitments = check_reveals(setup, certificates, reveals)
    if certificates[j - 1] != state["certificate"]:
        raise CeremonyError(_where(j, "certificate"), "differs from the one this trustee made", j)
    poly = [b64d(a) for a in state["poly"]]
    if commitments[j] != [group.base_mul(a) for a in poly]:
        raise CeremonyError(_where(j, "reveal"), "differs from this trustee's polynomial", j)
    by_dealer: dict[int, dict] = {}
    for d in deals if isinstance(deals, list) else []:
        if not isinstance(d, dict):
            continue
        idx = d.get("index")
        if isinstance(idx, int) and not isinstance(idx, bool) and 1 <= idx <= setup.m:
            if idx in by_dealer:
                raise CeremonyError(_where(idx, "deal"), "two deals from one trustee", idx)
            by_dealer[idx] = d
    shares = {j: tally.eval_poly(poly, j)}
    complaints, problems = [], []
    for i in range(1, setup.m + 1):
        if i == j:
            continue
        where = _where(i, "deal")
        try:
            d = by_dealer.get(i)
            if d is None:
                raise CeremonyError(where, "missing", i)
            _fields(d, DEAL_FIELDS, where, i)
            _check_context(d, setup.kappa, where, i)
            if not isinstance(d["sealed"], list):
                raise CeremonyError(where, "sealed is not a list", i)
            mine = [s for s in d["sealed"] if isinstance(s, dict) and s.get("to") == j]
            if len(mine) != 1:
                raise CeremonyError(where, f"expected one sealed share for trustee {j}", i)
            _fields(mine[0], SEALED_FIELDS, f"{where} sealed share", i)
            box = _field_data(mine[0], "box", f"{where} sealed share", None, i)
            try:
                plain = open_sealed(seal_secret, box)
            except ValueError as e:
                raise CeremonyError(where, str(e), i) from e
            share = _wrap(where, canonical.loads, plain, where, culprit=i)
        except CeremonyError as e:
            problems.append(str(e))
            continue
        try:
            shares[i] = check_share(setup, info, commitments, share, i, j)
        except CeremonyError as e:
            signed_by_dealer = True
            try:
                _fields(share, SHARE_FIELDS, where, i)
                _check_sig(share, info[i]["sign_key"], where, i)
                signed_by_dealer = share.get("from") == i and share.get("to") == j
                _check_context(share, setup.kappa, where, i)
            except CeremonyError:
                signed_by_dealer = False
            if not signed_by_dealer:
                problems.append(str(e))
                continue
            complaint = {
                "type": "complaint",
                "context": b64e(setup.kappa),
                "from": j,
                "against": i,
                "share": share,
            }
            complaints.append(sign_object(seed, complaint))
    if complaints or problems:
        return CheckResult(None, None, complaints, problems)
    s_j = group.ZERO
    for s in shares.values():
        s_j = group.s_add(s_j, s)
    key = finish(setup, j, seed, s_j, reveals, rng)
    return CheckResult(key, s_j, [], [])


def finish(setup: Setup, j: int, seed: bytes, s_j: bytes, reveals: list[dict], rng) -> dict:
    k_j = group.base_mul(s_j)
    key = {
        "type": "key",
        "context": b64e(setup.kappa),
        "index": j,
        "key": b64e(k_j),
        "pok": b64e(prove_knowledge(setup.kappa, "key", j, s_j, k_j, rng)),
        "reveals": b64e(list_digest(TAG_DKG_REVEALS, reveals)),
    }
    return sign_object(seed, key)


def assemble_transcript(messages: list[dict]) -> dict:
    """The server's side: from the setup and every trustee's certificate, reveal and key (any
    order), the transcript TR, checked. Complaints are refused here: they end the ceremony."""
    by_type: dict[str, dict[int, dict]] = {"certificate": {}, "reveal": {}, "key": {}}
    setup_obj = None
    for msg in messages:
        if not isinstance(msg, dict) or "type" not in msg:
            raise CeremonyError("messages", "a message without a type")
        kind = msg["type"]
        if kind == "setup":
            if setup_obj is not None and setup_obj != msg:
                raise CeremonyError("setup", "two different setups")
            setup_obj = msg
        elif kind in by_type:
            idx = msg.get("index")
            if not isinstance(idx, int) or isinstance(idx, bool):
                raise CeremonyError(kind, "no index")
            if idx in by_type[kind] and by_type[kind][idx] != msg:
                raise CeremonyError(_where(idx, kind), "two different messages", idx)
            by_type[kind][idx] = msg
        elif kind == "complaint":
            raise CeremonyError(
                f"complaint of trustee {msg.get('from')}",
                f"against trustee {msg.get('against')}: the ceremony restarts without them",
            )
        elif kind == "deal":
            continue
        else:
            raise CeremonyError("messages", f"unknown message type {kind!r}")
    if setup_obj is None:
        raise CeremonyError("setup", "missing")
    setup = parse_setup(setup_obj)
    entries = []
    for i in range(1, setup.m + 1):
        entry = {}
        for kind in ("certificate", "reveal", "key"):
            if i not in by_type[kind]:
                raise CeremonyError(_where(i, kind), "missing", i)
            entry[kind] = by_type[kind][i]
        entries.append(entry)
    for kind, got in by_type.items():
        extra = sorted(set(got) - set(range(1, setup.m + 1)))
        if extra:
            raise CeremonyError(_where(extra[0], kind), "no such trustee", extra[0])
    tr = {
        "format": FORMAT,
        "uuid": setup.uuid,
        "threshold": setup.t,
        "names": setup.names,
        "context": b64e(setup.kappa),
        "trustees": entries,
    }
    verify_transcript(tr, setup.uuid, setup.t)
    return tr


def simulate(uuid: str, names: list[str], threshold: int, rng) -> tuple[dict, dict]:
    """The whole ceremony in one process (tests, demo, vectors). Returns (TR, secrets) with
    secrets[j] a TrusteeSecret (s_j as `share`, the Ed25519 `seed`). Draw order: for each
    trustee 1..m, make_certificate (seed, seal secret, a_i0..a_i(t-1)); then for each trustee,
    reveal (pok w, then per recipient j != i the seal's ephemeral key); then for each trustee,
    the key's pok w."""
    setup_obj = make_setup(uuid, names, threshold)
    states, certs = [], []
    for i in range(1, len(names) + 1):
        st, cert = make_certificate(setup_obj, i, rng)
        states.append(st)
        certs.append(cert)
    reveals, deals = [], []
    for st in states:
        rev, deal = reveal(st, certs, rng)
        reveals.append(rev)
        deals.append(deal)
    keys, secrets = [], {}
    for st in states:
        res = check_shares(st, certs, reveals, deals, rng)
        if res.key is None:  # cannot happen with honest trustees
            raise CeremonyError(_where(st["index"], "check"), "; ".join(res.problems))
        keys.append(res.key)
        j = st["index"]
        secrets[j] = TrusteeSecret(
            j, names[j - 1], b64d(st["seed"]), res.share, b64d(st["seal_secret"])
        )
    tr = assemble_transcript([setup_obj, *certs, *reveals, *keys])
    return tr, secrets
