"""Batch verification of ballot proofs with a native multi-scalar multiplication.

The reference check (ballot.verify) tests each equation of each proof on its own, two to six
libsodium scalar multiplications per equation. Every proof is in batchable form (its commitments
A_j, B_j are in the proof), so each equation

    A_j = v_j*G + c_j*alpha          B_j = v_j*Y + c_j*(beta - j*G)

can be weighted by its own random 128-bit z (drawn from the OS, never from the record) and all
of them added into one:

    sum z1*(A_j - v_j*G - c_j*alpha) + z2*(B_j - v_j*Y - c_j*beta + c_j*j*G) = identity.

If any single equation is false, the sum is the identity with probability at most 2^-128 over
the weights. The coefficients of G and of Y are gathered over the whole batch; a sum proof's
total ciphertext is the sum of the ballot's ciphertexts, so its coefficients go onto each alpha_i
and beta_i. The combination is computed by the `bastau-msm` command (native/msm: ristretto255 from
go-ristretto, multi-scalar multiplication from filippo.io/edwards25519); this module only builds
the scalars and frames the data.

Whatever the fast path does not accept exactly (a malformed ballot, a failed combination, a
native error) goes back to the reference check, ballot by ballot, so a failing ballot is named
with the reference's own message. The sigma signature is checked as in the reference.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from . import ballot, credentials, group
from .hashing import TAG_BIT, TAG_SUM, hs, text, u64

L = group.L
BINARY = "bastau-msm"
ENV = "BASTAU_MSM"  # the path of the binary; empty to turn the native engine off
MAX_TERMS = 1 << 16  # terms per request (64 bytes each: 4 MB)
_IDENTITY = group.IDENTITY
_U64_1 = u64(ballot.VERSION)


class NativeError(RuntimeError):
    """The native command is missing, died or answered nonsense."""


def find_binary() -> str | None:
    """The native command: $BASTAU_MSM, else `bastau-msm` on PATH, next to the Python running
    this (a virtualenv's bin/), or next to the zipapp being run."""
    env = os.environ.get(ENV)
    if env is not None:
        return env if env and os.access(env, os.X_OK) else None
    found = shutil.which(BINARY)
    if found:
        return found
    places = [Path(sys.executable).parent]
    if sys.argv and sys.argv[0].endswith(".pyz"):
        places.append(Path(sys.argv[0]).resolve().parent)
    for place in places:
        p = place / BINARY
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    return None


class Native:
    """One `bastau-msm` process, fed one request at a time."""

    def __init__(self, path: str, procs: int | None = None) -> None:
        args = [path] + ([f"-p={procs}"] if procs else [])
        self.path = path
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def _ask(self, request: bytes, size: int) -> bytes:
        try:
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
            first = self.proc.stdout.read(1)
            rest = self.proc.stdout.read(size - 1) if first == b"\x01" and size > 1 else b""
        except OSError as e:
            raise NativeError(f"{self.path}: {e}") from None
        if not first:
            raise NativeError(f"{self.path} stopped (exit {self.proc.poll()})")
        return first + rest

    def is_identity(self, terms: list[bytes]) -> bool:
        """True only if sum scalar_i * point_i is the identity; terms are scalar || point."""
        n = len(terms)
        return self._ask(b"M" + struct.pack("<I", n) + b"".join(terms), 1) == b"\x01"

    def sums(self, groups: list[list[bytes]]) -> list[bytes] | None:
        """The sum of each group of points; None if a point is not a valid encoding."""
        parts = [b"S", struct.pack("<I", len(groups))]
        for g in groups:
            parts.append(struct.pack("<I", len(g)))
            parts.extend(g)
        got = self._ask(b"".join(parts), 1 + 32 * len(groups))
        if got[:1] != b"\x01":
            return None
        if len(got) != 1 + 32 * len(groups):
            raise NativeError(f"{self.path}: a short answer")
        return [got[1 + 32 * i : 33 + 32 * i] for i in range(len(groups))]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


STATS = {"combined": 0, "reference": 0, "failed_batches": 0}  # ballots, in this process
_NATIVE: dict[int, Native] = {}  # one per process (a forked pool worker starts its own)


def close_all() -> None:
    """Stop this process's native command (it exits when its input closes)."""
    n = _NATIVE.pop(os.getpid(), None)
    if n is not None:
        n.close()


def native(path: str, procs: int | None = None) -> Native:
    pid = os.getpid()
    n = _NATIVE.get(pid)
    if n is None or n.proc.poll() is not None:
        n = _NATIVE[pid] = Native(path, procs)
    return n


class _Fallback(Exception):
    """This ballot goes to the reference check."""


def _point(b: bytes) -> bytes:
    # The byte rules of group.decode_point; validity itself is the native decoder's (a ballot
    # with an invalid point fails the combination and goes to the reference).
    if b[31] & 0x80 or b == _IDENTITY:
        raise _Fallback
    return b


def _scalar(b: bytes) -> int:
    s = int.from_bytes(b, "little")
    if s >= L:
        raise _Fallback
    return s


def _sc(n: int) -> bytes:
    return (n % L).to_bytes(32, "little")


def _range_terms(tag, parts, y, body, off, lo, hi, out, weights):
    """The terms of one range proof at body[off:] (commitments only) and its coefficients:
    returns (coef of G, coef of Y, coef of alpha, coef of beta, next offset)."""
    n = hi - lo + 1
    ab = [body[off + 32 * k : off + 32 * k + 32] for k in range(2 * n)]
    for p in ab:
        _point(p)
    off += 64 * n
    cs = [_scalar(body[off + 32 * k : off + 32 * k + 32]) for k in range(n - 1)]
    off += 32 * (n - 1)
    vs = [_scalar(body[off + 32 * k : off + 32 * k + 32]) for k in range(n)]
    off += 32 * n
    c = int.from_bytes(hs(tag, *parts, *ab), "little")
    cs.append((c - sum(cs)) % L)
    g = yc = ca = cb = 0
    for k in range(n):
        z1 = int.from_bytes(weights[32 * k : 32 * k + 16], "little")
        z2 = int.from_bytes(weights[32 * k + 16 : 32 * k + 32], "little")
        cj, vj = cs[k], vs[k]
        out.append(z1.to_bytes(32, "little") + ab[2 * k])
        out.append(z2.to_bytes(32, "little") + ab[2 * k + 1])
        g -= z1 * vj - z2 * cj * (lo + k)
        yc -= z2 * vj
        ca -= z1 * cj
        cb -= z2 * cj
    return g, yc, ca, cb, off


def _sum_groups(election: ballot.Election, data: bytes) -> list[list[bytes]]:
    """The alphas, then the betas, of each question with a sum proof (whose ciphertext is
    their sum); nothing for a ballot of the wrong size (ballot_terms refuses it)."""
    if type(data) is not bytes or len(data) != election.body_size + credentials.SIGMA_BYTES:
        return []
    groups = []
    off = 72
    for q in election.questions:
        if q.has_sum_proof:
            groups.append([data[off + 64 * i : off + 64 * i + 32] for i in range(q.n)])
            groups.append([data[off + 64 * i + 32 : off + 64 * i + 64] for i in range(q.n)])
        off += q.size
    return groups


def ballot_terms(election: ballot.Election, data: bytes, nat: Native, sums=None):
    """The terms of every proof of one ballot, and its coefficients of G and Y. Raises
    _Fallback for anything the reference must judge. `sums`: the sums of _sum_groups, when
    they were asked for many ballots at once."""
    if type(data) is not bytes or len(data) != election.body_size + credentials.SIGMA_BYTES:
        raise _Fallback
    body, sigma = data[:-64], data[-64:]
    if body[:8] != _U64_1 or body[8:40] != election.phi:
        raise _Fallback
    try:
        x_pub = group.decode_point(body[40:72])
    except group.EncodingError:
        raise _Fallback from None
    if not credentials.verify(election.phi, x_pub, ballot.tracker(body), sigma):
        raise _Fallback
    phi, y = election.phi, election.y
    out: list[bytes] = []
    g_all = y_all = 0
    off = 72
    for q in election.questions:
        qt = text(q.id)
        cts = body[off : off + 64 * q.n]
        alphas = [_point(cts[64 * i : 64 * i + 32]) for i in range(q.n)]
        betas = [_point(cts[64 * i + 32 : 64 * i + 64]) for i in range(q.n)]
        off += 64 * q.n
        weights = secrets.token_bytes(64 * q.n)
        ca_list, cb_list = [], []
        for i in range(q.n):
            parts = (phi, qt, x_pub, u64(i), y, alphas[i], betas[i])
            g, yc, ca, cb, off = _range_terms(
                TAG_BIT, parts, y, body, off, 0, 1, out, weights[64 * i : 64 * i + 64]
            )
            g_all += g
            y_all += yc
            ca_list.append(ca)
            cb_list.append(cb)
        if q.has_sum_proof:
            total = [sums.pop(0), sums.pop(0)] if sums else nat.sums([alphas, betas])
            if total is None:
                raise _Fallback
            n_range = q.k_max - q.k_min + 1
            parts = (phi, qt, x_pub, u64(q.n), u64(q.k_min), u64(q.k_max), y, *total)
            g, yc, ca, cb, off = _range_terms(
                TAG_SUM, parts, y, body, off, q.k_min, q.k_max, out,
                secrets.token_bytes(32 * n_range),
            )  # fmt: skip
            g_all += g
            y_all += yc
            ca_list = [a + ca for a in ca_list]
            cb_list = [b + cb for b in cb_list]
        for i in range(q.n):
            out.append(_sc(ca_list[i]) + alphas[i])
            out.append(_sc(cb_list[i]) + betas[i])
    return out, g_all, y_all


def _reference(election, data) -> str | None:
    STATS["reference"] += 1
    try:
        ballot.verify(election, data)
        return None
    except ballot.InvalidBallot as e:
        return str(e)
    except Exception as e:  # never a pass
        return f"cannot be checked: {e!r}"


def check_ballots(elections, items, path: str, procs: int | None = None) -> list[str | None]:
    """The result of ballot.verify for each (question id, ballot bytes): None or the reference's
    message. Batches of ballots are combined; a batch whose combination is not the identity is
    checked again ballot by ballot with the reference."""
    nat = native(path, procs)
    results: list[str | None] = [None] * len(items)
    batch: list[int] = []
    terms: list[bytes] = []
    coef: dict[bytes, list[int]] = {}  # election key Y -> [coef of G, coef of Y]

    def flush():
        if not batch:
            return
        last = [_sc(g) + group.G for g, _y in coef.values()]
        last += [_sc(yc) + y for y, (_g, yc) in coef.items()]
        try:
            ok = nat.is_identity(terms + last)
        except NativeError:
            ok = False
        if ok:
            STATS["combined"] += len(batch)
        else:
            STATS["failed_batches"] += 1
            for k in batch:
                qid, data = items[k]
                results[k] = _reference(elections[qid], data)
        batch.clear()
        terms.clear()
        coef.clear()

    # The sum proofs' ciphertexts of all these ballots, in one request.
    groups = [_sum_groups(elections[qid], data) for qid, data in items]
    flat = [g for gs in groups for g in gs]
    try:
        got = nat.sums(flat) if flat else []
    except NativeError:
        got = None
    pre: list[list[bytes] | None] = [None] * len(items)  # None: ballot_terms asks for itself
    if got is not None:
        i = 0
        for k, gs in enumerate(groups):
            pre[k] = got[i : i + len(gs)]
            i += len(gs)

    for k, (qid, data) in enumerate(items):
        election = elections[qid]
        try:
            t, g, yc = ballot_terms(election, data, nat, pre[k])
        except _Fallback:
            results[k] = _reference(election, data)
            continue
        except Exception:  # never a pass: the reference names it
            results[k] = _reference(election, data)
            continue
        c = coef.setdefault(election.y, [0, 0])
        c[0] += g
        c[1] += yc
        terms.extend(t)
        batch.append(k)
        if len(terms) >= MAX_TERMS:
            flush()
    flush()
    return results
