"""The reference verifier of an encrypted record `bastau-e2e/1` (docs/verification.md,
"Encrypted campaigns"; design section 4, checks 1-12 as they apply).

`verify_record(lines)` reads the record line by line, keeping only what later checks need (the
credential list as a map, the set of trackers and of used credentials, running ciphertext sums),
so a national record fits in memory. Ballot proofs are checked in a process pool when jobs > 1;
the results come back in record order, so the report is the same for any number of jobs.

Every check that fails adds a Failure naming the object (event seq and type, question, ballot
tracker, candidate, trustee); an unexpected exception inside a check is a failure too, never a
pass. Run as `python -m bastau.primaries.e2e.verify RECORD [...]` (no Django needed) or
`bastau verify_election RECORD [...]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import multiprocessing
import sys
import uuid as uuidlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import ballot, batch, canonical, group, merkle, signing, tally
from .hashing import b64d, b64e
from .record import (
    CHANNELS,
    FORMAT,
    GROUP_NAME,
    IDENTITY_CT,
    credential_leaf,
    credentials_signed_digest,
    election_digest,
    parse_event,
    read_heads,
    rebuild_list,
    share_problems,
    trustees_digest,
    void_digest,
    youth_age,
)

NOT_PINNED = "NOT PINNED: anyone could have signed this record"
ORDER = {
    "SETUP": 0,
    "BATCH": 1,
    "REJECT": 1,
    "VOID": 1,
    "CLOSE": 2,
    "TALLY": 3,
    "SHARE": 4,
    "RESULT": 5,
}
CHUNK = 64  # ballots per task sent to a worker
SUM_EVERY = 256  # counted ballots summed in one native request


@dataclass(frozen=True)
class Failure:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class VerificationError(Exception):
    """Raised by Report.raise_if_failed(); `failures` lists every failing object."""

    def __init__(self, failures: list[Failure]) -> None:
        super().__init__("; ".join(str(f) for f in failures[:5]))
        self.failures = failures


@dataclass
class Report:
    failures: list[Failure] = field(default_factory=list)
    trusted: str = NOT_PINNED
    pinned: bool = False
    finished: bool = False
    final: bool = True
    phi: bytes | None = None
    events: int = 0
    head: dict | None = None
    ballots: dict[str, int] = field(default_factory=lambda: {"online": 0, "paper": 0})
    rejected: int = 0
    voided: int = 0
    stage: str = ""
    heads_checked: int = 0
    cosigned: dict[str, int] = field(default_factory=dict)  # observer key -> last seq co-signed
    result: dict | None = None
    engine: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures and (self.finished or not self.final) and self.events > 0

    def fail(self, where: str, message: str) -> None:
        self.failures.append(Failure(where, message))

    def raise_if_failed(self) -> None:
        if not self.ok:
            fs = self.failures or [
                Failure("record", "unfinished: no valid CLOSE, TALLY, SHARE and RESULT")
            ]
            raise VerificationError(fs)

    def lines(self) -> list[str]:
        out = [f"Trusted server key: {self.trusted}"]
        if self.engine:
            out.append(f"Engine: {self.engine}")
        if self.phi is not None:
            out.append(f"Election (phi): {b64e(self.phi)}")
        out.append(
            f"Events: {self.events}; ballots counted: {self.ballots['online']} online, "
            f"{self.ballots['paper']} paper; rejected with evidence: {self.rejected}; "
            f"credentials voided: {self.voided}"
        )
        if self.head:
            out.append(f"Head: seq {self.head['seq']} hash {self.head['hash']}")
        if self.heads_checked:
            out.append(f"Saved heads checked: {self.heads_checked}, each extended by this record")
        for key, seq in sorted(self.cosigned.items()):
            out.append(f"Observer {key} co-signed up to event {seq}")
        if not self.finished:
            out.append(f"UNFINISHED: the record stops at {self.stage or 'nothing'} (no RESULT)")
        return out


# --------------------------------------------------------------------------- ballot workers

_ELECTIONS: dict[str, ballot.Election] = {}
_NATIVE: tuple[str, int | None] | None = None  # (bastau-msm path, goroutines) for the batch engine
ENGINES = ("auto", "batch", "reference")


def _init_worker(
    elections: dict[str, ballot.Election], native: tuple[str, int | None] | None = None
) -> None:
    global _ELECTIONS, _NATIVE
    _ELECTIONS = elections
    _NATIVE = native


def _init_pool_worker(elections, native) -> None:
    _init_worker(elections, native)
    if native is not None:
        # Wait for this worker's native command when the worker exits, so its CPU time is
        # counted (a reaped child) and no process is left behind.
        from multiprocessing import util

        util.Finalize(None, batch.close_all, exitpriority=10)


def _check_ballots(items: list[tuple[str, bytes]]) -> list[str | None]:
    if _NATIVE is not None:
        return batch.check_ballots(_ELECTIONS, items, *_NATIVE)
    out: list[str | None] = []
    for qid, data in items:
        try:
            ballot.verify(_ELECTIONS[qid], data)
            out.append(None)
        except ballot.InvalidBallot as e:
            out.append(str(e))
        except Exception as e:  # never a pass
            out.append(f"cannot be checked: {e!r}")
    return out


# --------------------------------------------------------------------------- the verifier


class _Stop(Exception):
    """Nothing further can be checked (the setup is unusable)."""


def _b64(value, where: str, size: int | None = None) -> bytes:
    return canonical.data({"v": value}, "v", where, size)


def _short(t: bytes) -> str:
    return b64e(t)


class _Verifier:
    def __init__(self, server_key, heads, final, jobs, native=None) -> None:
        self.r = Report(final=final)
        self.native = native
        self.pinned_key = server_key
        if server_key is not None:
            self.r.pinned = True
            self.r.trusted = f"pinned {b64e(server_key)}"
        self.heads = dict(heads or [])
        self.heads_phi = None
        self.jobs = jobs
        self.pool = None
        self.prev: bytes | None = None
        self.stage = -1
        self.last_day: dt.date | None = None
        self.manifest: dict | None = None
        self.trackers: set[bytes] = set()
        self.used_x: set[bytes] = set()
        self.voided: set[bytes] = set()
        self.ca = b""
        self.cred: dict[bytes, str] = {}
        self.batches = 0
        self.close: dict | None = None
        self.tally_payload: dict | None = None
        self.shares: dict[int, dict] = {}
        self.valid_shares: set[int] = set()
        self.result_seen = False
        self.pending = None  # the last BATCH, counted when the next event arrives
        self.unsummed: dict[tuple[str, str], list[bytes]] = {}  # counted, not yet in totals
        self.n_unsummed = 0

    # -- helpers

    def fail(self, where, message):
        self.r.fail(where, message)

    def fail_canonical(self, e: canonical.CanonicalError, where: str) -> None:
        """A CanonicalError names its object; keep the line or event in front of it."""
        msg = str(e)[len(e.where) + 2 :]
        inner = e.where
        if inner.startswith(where):
            self.fail(inner, msg)
        else:
            self.fail(f"{where}: {inner}", msg)

    def close_pool(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None
            gc.unfreeze()

    # -- each line

    def feed(self, index: int, line: bytes) -> None:
        where = f"line {index + 1}"
        if not line.endswith(b"\n"):
            self.fail(where, "the record does not end with a newline (cut?)")
        try:
            ev = parse_event(line, where)
        except canonical.CanonicalError as e:
            self.fail_canonical(e, where)
            raise _Stop from None
        where = f"event {ev.seq} {ev.type}"
        self.r.events += 1
        if ev.seq != index:
            self.fail(where, f"seq {ev.seq} where {index} was expected")
        expected_prev = self.prev
        if index == 0:
            if ev.type != "SETUP":
                self.fail(where, "the record must start with SETUP")
                raise _Stop
            try:
                self.setup(ev, where)
            except canonical.CanonicalError as e:
                self.fail_canonical(e, where)
                raise _Stop from None
            expected_prev = self.r.phi
        if ev.prev != expected_prev:
            self.fail(where, "prev is not the previous event's hash (the chain is broken)")
        h = ev.hash
        self.prev = h
        self.r.head = {"seq": ev.seq, "hash": b64e(h)}
        # signatures
        server_key = b64d(self.manifest["keys"]["server"])
        if not signing.verify(server_key, "event", h, ev.sig):
            self.fail(where, "the server signature does not verify")
        observers = self.observers
        keys = [k for k, _s in ev.cosigs]
        if keys != sorted(set(keys)):
            self.fail(where, "co-signatures must be sorted by key, one per observer")
        for k, s in ev.cosigs:
            if k not in observers:
                self.fail(where, f"co-signature by {b64e(k)}, who is not a listed observer")
            elif not signing.verify(k, "observer", h, s):
                self.fail(where, f"observer {b64e(k)}: the co-signature does not verify")
            else:
                self.r.cosigned[b64e(k)] = ev.seq
        # saved heads (verify-diff)
        if ev.seq in self.heads:
            if self.heads[ev.seq] != h:
                self.fail(
                    where,
                    f"differs from the saved head at seq {ev.seq}: a fork (the history shown "
                    "before was rewritten)",
                )
            self.r.heads_checked += 1
            del self.heads[ev.seq]
        # day
        d = dt.date.fromisoformat(ev.day)
        if self.last_day is not None and d < self.last_day:
            self.fail(where, f"day {ev.day} is before the previous event's")
        self.last_day = d
        # order
        rank = ORDER[ev.type]
        if index > 0:
            if ev.type == "SETUP":
                self.fail(where, "a second SETUP")
                return
            if rank < self.stage or (
                rank == self.stage and ev.type in ("CLOSE", "TALLY", "RESULT")
            ):
                self.fail(where, f"{ev.type} out of order (after {self.r.stage})")
                return
            if rank > self.stage + 1 and not (self.stage == 0 and rank == 2):
                self.fail(where, f"{ev.type} before the events that must precede it")
                return
            if self.stage >= 5:
                self.fail(where, "an event after RESULT")
                return
        self.stage = rank
        self.r.stage = ev.type
        try:
            if ev.type != "BATCH":
                self.drain()
            getattr(self, "ev_" + ev.type.lower())(ev, where)
        except _Stop:
            raise
        except canonical.CanonicalError as e:
            self.fail_canonical(e, where)
        except Exception as e:  # never a pass
            self.fail(where, f"cannot be checked: {e!r}")

    # -- SETUP: manifest, trustees, credentials (checks 1-3)

    def setup(self, ev, where) -> None:
        p = canonical.fields(
            ev.payload, {"manifest", "trustees", "credentials"}, f"{where}.payload"
        )
        m = p["manifest"]
        mw = "manifest"
        canonical.fields(
            m,
            {"format", "uuid", "slug", "title", "group", "questions", "election_key",
             "threshold", "trustee_count", "trustees", "credentials", "roll", "keys", "voting",
             "quota"},
            mw,
        )  # fmt: skip
        if m["format"] != FORMAT:
            raise canonical.CanonicalError(f"{mw}.format", f"expected {FORMAT}")
        uid = canonical.string(m, "uuid", mw)
        try:
            uuid = uuidlib.UUID(uid)
        except ValueError:
            raise canonical.CanonicalError(f"{mw}.uuid", "not a UUID") from None
        if str(uuid) != uid:
            raise canonical.CanonicalError(f"{mw}.uuid", "not a lowercase hyphenated UUID")
        canonical.string(m, "slug", mw)
        canonical.string(m, "title", mw)
        if m["group"] != GROUP_NAME:
            raise canonical.CanonicalError(f"{mw}.group", f"expected {GROUP_NAME}")
        phi = election_digest(canonical.dumps(m, mw))
        self.r.phi = phi
        try:
            y = group.decode_point(canonical.data(m, "election_key", mw, 32), what="election key")
        except group.EncodingError as e:
            raise canonical.CanonicalError(f"{mw}.election_key", str(e)) from None
        m_count = canonical.integer(m, "trustee_count", mw, 1)
        t = canonical.integer(m, "threshold", mw, 1, m_count)
        roll = canonical.integer(m, "roll", mw)
        keys = canonical.fields(m["keys"], {"ca", "server", "observers"}, f"{mw}.keys")
        ca = canonical.data(keys, "ca", f"{mw}.keys", 32)
        self.ca = ca
        server = canonical.data(keys, "server", f"{mw}.keys", 32)
        obs = [
            _b64(k, f"{mw}.keys.observers[{i}]", 32)
            for i, k in enumerate(canonical.array(keys, "observers", f"{mw}.keys"))
        ]
        if obs != sorted(set(obs)):
            raise canonical.CanonicalError(f"{mw}.keys.observers", "must be sorted and distinct")
        self.observers = set(obs)
        if self.pinned_key is not None and self.pinned_key != server:
            self.fail(
                mw, f"the server key {b64e(server)} is not the pinned key {b64e(self.pinned_key)}"
            )
        if self.pinned_key is None:
            self.r.trusted = f"{NOT_PINNED} (the record names {b64e(server)})"
        voting = canonical.fields(m["voting"], {"opens", "closes"}, f"{mw}.voting")
        opens = canonical.moment(voting, "opens", f"{mw}.voting")
        closes = canonical.moment(voting, "closes", f"{mw}.voting")
        if closes <= opens:
            self.fail(f"{mw}.voting", "closes before it opens")
        self.opens = opens
        if dt.date.fromisoformat(ev.day) > opens.date():
            self.fail(where, f"day {ev.day}: the SETUP comes after voting opened")
        qd = canonical.fields(
            m["quota"],
            {"rules", "custom", "prefix_mode", "reference_date", "tie_break_seed"},
            f"{mw}.quota",
        )
        canonical.string(qd, "rules", f"{mw}.quota")
        canonical.boolean(qd, "prefix_mode", f"{mw}.quota")
        canonical.day(qd, "reference_date", f"{mw}.quota")
        canonical.string(qd, "tie_break_seed", f"{mw}.quota", allow_empty=True)
        from bastau.primaries import quota

        try:
            rs = quota.RuleSet.from_dict(qd["custom"])
            if rs.to_dict() != qd["custom"]:
                raise ValueError("not in the rule set's own form (RuleSet.to_dict())")
            youth_age(qd["custom"])
        except (ValueError, KeyError, TypeError) as e:
            raise canonical.CanonicalError(
                f"{mw}.quota.custom", f"not a quota rule set: {e}"
            ) from None
        if rs.id != qd["rules"]:
            raise canonical.CanonicalError(f"{mw}.quota.rules", "is not the rule set's id")
        # questions
        qs = canonical.array(m, "questions", mw)
        if not qs:
            raise canonical.CanonicalError(f"{mw}.questions", "no questions")
        self.elections: dict[str, ballot.Election] = {}
        self.qinfo: dict[str, dict] = {}
        qroll = 0
        for i, q in enumerate(qs):
            qw = f"{mw}.questions[{i}]"
            canonical.fields(
                q, {"id", "title", "k_min", "k_max", "list_length", "roll", "candidates"}, qw
            )
            qid = canonical.string(q, "id", qw)
            qw = f"question {qid}"
            if qid in self.qinfo:
                raise canonical.CanonicalError(qw, "two questions share this id")
            canonical.string(q, "title", qw)
            cands = canonical.array(q, "candidates", qw)
            n = len(cands)
            if n < 1:
                raise canonical.CanonicalError(qw, "no candidates")
            k_min = canonical.integer(q, "k_min", qw, 0, 0)
            k_max = canonical.integer(q, "k_max", qw, 1, n)
            canonical.integer(q, "list_length", qw, 0, n)
            qroll += canonical.integer(q, "roll", qw)
            ids = set()
            for ci, c in enumerate(cands):
                cw = f"{qw}.candidates[{ci}]"
                canonical.fields(c, {"id", "name", "woman", "youth", "disability"}, cw)
                cid = canonical.string(c, "id", cw)
                if cid in ids:
                    raise canonical.CanonicalError(cw, f"candidate id {cid!r} twice")
                ids.add(cid)
                canonical.string(c, "name", cw)
                for flag in ("woman", "youth", "disability"):
                    canonical.boolean(c, flag, cw)
            self.elections[qid] = ballot.Election(phi, y, (ballot.Question(qid, n, k_min, k_max),))
            self.qinfo[qid] = q
        if qroll != roll:
            raise canonical.CanonicalError(
                f"{mw}.roll", f"{roll} is not the sum of the questions' rolls ({qroll})"
            )
        self.qorder = [q["id"] for q in qs]
        self.qcount = {qid: {"online": 0, "paper": 0} for qid in self.qorder}
        self.totals = {
            qid: {ch: [IDENTITY_CT] * len(self.qinfo[qid]["candidates"]) for ch in CHANNELS}
            for qid in self.qorder
        }
        self.t = t
        self.manifest = m
        # check 2: trustees
        tr = p["trustees"]
        if canonical.data(m, "trustees", mw, 32) != trustees_digest(tr):
            self.fail(mw, "the trustees digest does not match the SETUP's trustee transcript")
        try:
            from . import ceremony

            pk = ceremony.verify_transcript(tr, uid, t)
        except ImportError:
            self.fail("trustees", "the key ceremony cannot be checked (no ceremony module)")
            pk = None
        except Exception as e:  # CeremonyError names the trustee
            self.fail("trustees", f"the key ceremony does not verify: {e}")
            pk = None
        self.public_keys = pk
        if pk is not None:
            if pk.y != y:
                self.fail(mw, "the election key is not the one the ceremony produced")
            if len(pk.k) != m_count or pk.t != t:
                self.fail(mw, "trustee_count or threshold differs from the ceremony's")
        # check 3: credentials
        self.setup_credentials(p["credentials"], m, ca)

    def setup_credentials(self, cl, m, ca) -> None:
        cw = "credentials"
        canonical.fields(cl, {"entries", "count", "root", "sig"}, cw)
        count = canonical.integer(cl, "count", cw)
        root = canonical.data(cl, "root", cw, 32)
        sig = canonical.data(cl, "sig", cw, 64)
        body = {k: v for k, v in cl.items() if k != "sig"}
        if not signing.verify(ca, "credentials", credentials_signed_digest(body), sig):
            self.fail(cw, "the CA signature does not verify")
        mc = canonical.fields(m["credentials"], {"root", "count"}, "manifest.credentials")
        if canonical.data(mc, "root", "manifest.credentials", 32) != root or mc["count"] != count:
            self.fail("manifest.credentials", "root or count differs from the credential list")
        entries = canonical.array(cl, "entries", cw)
        if len(entries) != count:
            self.fail(cw, f"count {count} but {len(entries)} entries")
        if count != m["roll"]:
            self.fail(cw, f"count {count} differs from the roll {m['roll']}")
        per_q = dict.fromkeys(self.qorder, 0)
        leaves = []
        last = b""
        for i, e in enumerate(entries):
            ew = f"credentials.entries[{i}]"
            canonical.fields(e, {"question", "key"}, ew)
            qid = canonical.string(e, "question", ew)
            x = canonical.data(e, "key", ew, 32)
            if qid not in per_q:
                self.fail(ew, f"unknown question {qid!r}")
            else:
                per_q[qid] += 1
            try:
                group.decode_point(x, what="X")
            except group.EncodingError as err:
                self.fail(ew, str(err))
            if i and x <= last:
                self.fail(ew, "entries are not sorted by key, or a key appears twice")
            last = x
            self.cred[x] = qid
            leaves.append(credential_leaf(qid, x))
        if leaves and merkle.root(leaves) != root:
            self.fail(cw, "the Merkle root does not match the entries")
        del leaves
        for qid, n in per_q.items():
            if n != self.qinfo[qid]["roll"]:
                self.fail(
                    f"question {qid}", f"{n} credentials for a roll of {self.qinfo[qid]['roll']}"
                )

    def ev_setup(self, ev, where):
        pass  # checked in setup()

    # -- BATCH (checks 5, 6), REJECT, VOID

    def ev_batch(self, ev, where):
        if dt.date.fromisoformat(ev.day) < self.opens.date():
            self.fail(where, f"day {ev.day}: ballots sealed before voting opened")
        p = canonical.fields(ev.payload, {"ballots", "root"}, f"{where}.payload")
        items = canonical.array(p, "ballots", where)
        root = canonical.data(p, "root", where, 32)
        if not items:
            self.fail(where, "an empty batch")
            return
        self.batches += 1
        decoded = []
        leaves = []
        last_t = None
        for i, item in enumerate(items):
            iw = f"{where}, ballot {i}"
            try:
                canonical.fields(item, {"question", "channel", "ballot"}, iw)
                qid = canonical.string(item, "question", iw)
                ch = canonical.string(item, "channel", iw)
                data = canonical.data(item, "ballot", iw)
            except canonical.CanonicalError as e:
                self.fail(iw, str(e))
                continue
            if len(data) < 136:
                self.fail(iw, "too short to be a ballot")
                continue
            t = ballot.tracker(data[:-64])
            iw = f"{where}, ballot {i} (tracker {_short(t)})"
            leaves.append(merkle.leaf_hash(t, data[-64:]))
            if last_t is not None and t <= last_t:
                self.fail(
                    iw,
                    "ballots are not sorted by tracker"
                    if t != last_t
                    else "tracker twice in this batch",
                )
            last_t = t
            if qid not in self.elections:
                self.fail(iw, f"unknown question {qid!r}")
                continue
            if ch not in CHANNELS:
                self.fail(iw, f"unknown channel {ch!r}")
                continue
            decoded.append((iw, qid, ch, t, data))
        if merkle.root(leaves) != root if leaves else True:
            self.fail(where, "the Merkle root does not match the ballots")
        # The proofs go to the pool now; this batch is counted when the next event arrives, so
        # the workers check one batch while this process counts the one before. The order of
        # the failures is the same for any number of jobs (jobs=1 defers the same way).
        handle = self.submit_proofs([(qid, data) for _w, qid, _c, _t, data in decoded])
        previous, self.pending = self.pending, (decoded, handle)
        if previous is not None:
            self.account(*previous)

    def drain(self) -> None:
        if self.pending is not None:
            previous, self.pending = self.pending, None
            self.account(*previous)

    def account(self, decoded, handle) -> None:
        """Tracker and credential rules and the running sums of one batch, in record order."""
        results = self.collect_proofs(handle)
        for (iw, qid, ch, t, data), err in zip(decoded, results, strict=True):
            if t in self.trackers:
                self.fail(iw, "this tracker appears earlier in the record (a duplicated ballot)")
                continue
            self.trackers.add(t)
            if err is not None:
                self.fail(f"{iw}, question {qid}", f"invalid ballot: {err}")
                continue
            x = data[40:72]
            if x in self.used_x:
                self.fail(iw, f"credential {b64e(x)} was used before (one ballot per credential)")
                continue
            self.used_x.add(x)
            on_list = self.cred.get(x)
            if ch == "online":
                if on_list is None:
                    self.fail(iw, f"credential {b64e(x)} is not on the credential list")
                    continue
                if on_list != qid:
                    self.fail(
                        iw, f"credential {b64e(x)} is listed for question {on_list}, not {qid}"
                    )
                    continue
                if x in self.voided:
                    self.fail(iw, f"credential {b64e(x)} was voided")
                    continue
            elif on_list is not None:
                self.fail(iw, f"a paper ballot with credential {b64e(x)}, which is on the list")
                continue
            self.qcount[qid][ch] += 1
            self.r.ballots[ch] += 1
            if self.native is not None:
                # Summed natively, many ballots at a time (add_totals).
                self.unsummed.setdefault((qid, ch), []).append(data)
                self.n_unsummed += 1
                continue
            tot = self.totals[qid][ch]
            for ci in range(len(tot)):
                off = 72 + 64 * ci
                tot[ci] = group.add(tot[ci][:32], data[off : off + 32]) + group.add(
                    tot[ci][32:], data[off + 32 : off + 64]
                )
        if self.n_unsummed >= SUM_EVERY:
            self.add_totals()

    def add_totals(self) -> None:
        """Add the ciphertexts of the counted ballots not yet summed into the running totals,
        one native request (go-ristretto's addition) for all of them."""
        if not self.unsummed:
            return
        keys, groups = [], []
        for (qid, ch), ballots in self.unsummed.items():
            tot = self.totals[qid][ch]
            for ci in range(len(tot)):
                off = 72 + 64 * ci
                keys.append((qid, ch, ci))
                groups.append([tot[ci][:32]] + [d[off : off + 32] for d in ballots])
                groups.append([tot[ci][32:]] + [d[off + 32 : off + 64] for d in ballots])
        self.unsummed, self.n_unsummed = {}, 0
        sums = batch.native(self.native).sums(groups)
        if sums is None:  # never for ballots whose proofs verified
            raise RuntimeError("a counted ballot holds an invalid point")
        for i, (qid, ch, ci) in enumerate(keys):
            self.totals[qid][ch][ci] = sums[2 * i] + sums[2 * i + 1]

    def check_proofs(self, items: list[tuple[str, bytes]]) -> list[str | None]:
        return self.collect_proofs(self.submit_proofs(items))

    def collect_proofs(self, handle) -> list[str | None]:
        if isinstance(handle, list):
            return handle
        out: list[str | None] = []
        for part in handle:
            out.extend(part)
        return out

    def submit_proofs(self, items: list[tuple[str, bytes]]):
        """The proof checks of these ballots: a list (jobs=1, or a single ballot) or an ordered
        iterator over the pool's chunks (the work starts at once)."""
        if self.jobs <= 1 or len(items) < 2:
            _init_worker(self.elections, self.native and (self.native, None))
            return _check_ballots(items)
        if self.pool is None:
            # Forked workers share the parent's memory; freezing the garbage collector's view
            # keeps their collections from touching (and so copying) the parent's objects.
            gc.collect()
            gc.freeze()
            ctx = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
            native = self.native and (self.native, 1)  # one goroutine per worker
            self.pool = ctx.Pool(
                self.jobs, initializer=_init_pool_worker, initargs=(self.elections, native)
            )
        size = max(1, min(CHUNK, -(-len(items) // (self.jobs * 2))))  # every worker busy
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        return self.pool.imap(_check_ballots, chunks)

    def ev_reject(self, ev, where):
        p = canonical.fields(ev.payload, {"ballots"}, f"{where}.payload")
        items = canonical.array(p, "ballots", where)
        if not items:
            self.fail(where, "an empty REJECT")
        checks = []
        for i, item in enumerate(items):
            iw = f"{where}, rejected ballot {i}"
            canonical.fields(item, {"question", "ballot", "reason"}, iw)
            qid = canonical.string(item, "question", iw)
            canonical.string(item, "reason", iw)
            data = canonical.data(item, "ballot", iw)
            if qid not in self.elections:
                self.fail(iw, f"unknown question {qid!r}")
                continue
            checks.append((iw, qid, data))
        for (iw, _qid, _d), err in zip(
            checks, self.check_proofs([(q, d) for _w, q, d in checks]), strict=True
        ):
            if err is None:
                self.fail(iw, "this ballot is valid: a valid ballot was rejected")
        self.r.rejected += len(items)

    def ev_void(self, ev, where):
        p = canonical.fields(ev.payload, {"credentials", "ca_sig"}, f"{where}.payload")
        entries = canonical.array(p, "credentials", where)
        sig = canonical.data(p, "ca_sig", where, 64)
        if not entries:
            self.fail(where, "an empty VOID")
        last = b""
        for i, e in enumerate(entries):
            ew = f"{where}, credential {i}"
            canonical.fields(e, {"question", "key"}, ew)
            canonical.string(e, "question", ew)
            x = canonical.data(e, "key", ew, 32)
            if i and x <= last:
                self.fail(ew, "not sorted by key, or a key twice")
            last = x
        if not signing.verify(self.ca, "void", void_digest(self.r.phi, entries), sig):
            self.fail(where, "the CA's signature does not verify")
            return
        for i, e in enumerate(entries):
            ew = f"{where}, credential {i}"
            qid, x = e["question"], b64d(e["key"])
            if self.cred.get(x) != qid:
                self.fail(ew, f"credential {b64e(x)} is not on the list for question {qid}")
            elif x in self.used_x:
                self.fail(ew, f"credential {b64e(x)} was already used")
            elif x in self.voided:
                self.fail(ew, f"credential {b64e(x)} was voided before")
            self.voided.add(x)
        self.r.voided += len(entries)

    # -- CLOSE (check 10), TALLY (7), SHARE (8), RESULT (9, 10)

    def ev_close(self, ev, where):
        p = canonical.fields(
            ev.payload, {"closed_at", "ballots", "batches", "questions"}, f"{where}.payload"
        )
        closed_at = canonical.moment(p, "closed_at", where)
        if closed_at < self.opens:
            self.fail(where, "closed before voting opened")
        b = canonical.fields(p["ballots"], {"online", "paper"}, f"{where}.ballots")
        for ch in CHANNELS:
            if canonical.integer(b, ch, f"{where}.ballots") != self.r.ballots[ch]:
                self.fail(
                    where, f"{ch}: {b[ch]} ballots announced, {self.r.ballots[ch]} in the batches"
                )
        if canonical.integer(p, "batches", where) != self.batches:
            self.fail(where, f"{p['batches']} batches announced, {self.batches} in the record")
        qs = canonical.array(p, "questions", where)
        if [q.get("id") if isinstance(q, dict) else None for q in qs] != self.qorder:
            self.fail(where, "questions are not those of the manifest, in its order")
        else:
            for q in qs:
                qw = f"{where}, question {q['id']}"
                canonical.fields(q, {"id", "online", "paper"}, qw)
                for ch in CHANNELS:
                    if canonical.integer(q, ch, qw) != self.qcount[q["id"]][ch]:
                        self.fail(
                            qw, f"{ch}: {q[ch]} announced, {self.qcount[q['id']][ch]} counted"
                        )
        self.close = p

    def ev_tally(self, ev, where):
        self.add_totals()
        p = canonical.fields(ev.payload, {"questions"}, f"{where}.payload")
        qs = canonical.array(p, "questions", where)
        if len(qs) != len(self.qorder):
            self.fail(where, "one entry per question, in manifest order")
            return
        good = True
        for qid, q in zip(self.qorder, qs, strict=True):
            qw = f"{where}, question {qid}"
            canonical.fields(q, {"id", "online", "paper"}, qw)
            if q["id"] != qid:
                self.fail(qw, f"entry for {q['id']!r} where {qid!r} was expected")
                good = False
                continue
            for ch in CHANNELS:
                arr = canonical.array(q, ch, qw)
                cands = self.qinfo[qid]["candidates"]
                if len(arr) != len(cands):
                    self.fail(f"{qw}, {ch}", "one total per candidate")
                    good = False
                    continue
                for c, v, mine in zip(cands, arr, self.totals[qid][ch], strict=True):
                    if _b64(v, f"{qw}, {ch}, candidate {c['id']}", 64) != mine:
                        self.fail(
                            f"{qw}, {ch}, candidate {c['id']}",
                            "the total is not the sum of the counted ballots",
                        )
                        good = False
        self.tally_payload = p if good else None

    def ev_share(self, ev, where):
        j = ev.payload.get("trustee")
        who = f"{where} (trustee {j})"
        if self.public_keys is None:
            self.fail(who, "cannot be checked without a valid key ceremony")
            return
        if self.tally_payload is None:
            self.fail(who, "no valid TALLY to check it against")
            return
        if j in self.shares:
            self.fail(who, "a second SHARE from this trustee")
            return
        problems = share_problems(
            self.r.phi, self.manifest, self.tally_payload, ev.payload, self.public_keys
        )
        for pr in problems:
            self.fail(where, pr)
        self.shares[j] = ev.payload
        if not problems:
            self.valid_shares.add(j)

    def ev_result(self, ev, where):
        self.result_seen = True
        p = canonical.fields(ev.payload, {"trustees", "questions"}, f"{where}.payload")
        js = canonical.array(p, "trustees", where)
        if not all(isinstance(j, int) and not isinstance(j, bool) for j in js) or js != sorted(
            set(js)
        ):
            self.fail(where, "trustees must be distinct indices, ascending")
            return
        if len(js) < self.t:
            self.fail(where, f"{len(js)} shares combined, the threshold is {self.t}")
            return
        bad = [j for j in js if j not in self.valid_shares]
        if bad:
            self.fail(where, f"trustee(s) {bad} have no valid SHARE on the record")
            return
        if self.tally_payload is None:
            self.fail(where, "no valid TALLY")
            return
        lam = tally.lagrange(js)
        qs = canonical.array(p, "questions", where)
        if len(qs) != len(self.qorder):
            self.fail(where, "one entry per question, in manifest order")
            return
        summary = {}
        for qi, (qid, q) in enumerate(zip(self.qorder, qs, strict=True)):
            qw = f"{where}, question {qid}"
            canonical.fields(q, {"id", "online", "paper", "total", "list"}, qw)
            if q["id"] != qid:
                self.fail(qw, f"entry for {q['id']!r}")
                continue
            cands = self.qinfo[qid]["candidates"]
            info = self.qinfo[qid]
            ok = True
            for ch in CHANNELS:
                arr = canonical.array(q, ch, qw)
                if len(arr) != len(cands):
                    self.fail(f"{qw}, {ch}", "one count per candidate")
                    ok = False
                    continue
                n_ballots = self.qcount[qid][ch]
                for ci, (c, count) in enumerate(zip(cands, arr, strict=True)):
                    cw = f"{qw}, {ch}, candidate {c['id']}"
                    if (
                        not isinstance(count, int)
                        or isinstance(count, bool)
                        or not 0 <= count <= n_ballots
                    ):
                        self.fail(cw, f"count {count!r} is not between 0 and {n_ballots} ballots")
                        ok = False
                        continue
                    total = b64d(self.tally_payload["questions"][qi][ch][ci])
                    point = total[32:]
                    for j in js:
                        d = b64d(self.shares[j]["questions"][qi][ch][ci])[:32]
                        point = group.sub(point, group.mul(lam[j], d))
                    if group.small_mul(count) != point:
                        self.fail(cw, f"count {count} does not match the decrypted total")
                        ok = False
                s = sum(x for x in arr if isinstance(x, int))
                if not info["k_min"] * n_ballots <= s <= info["k_max"] * n_ballots:
                    self.fail(f"{qw}, {ch}", f"{s} marks on {n_ballots} ballots exceed k bounds")
                    ok = False
            tot = canonical.array(q, "total", qw)
            if ok:
                want = [a + b for a, b in zip(q["online"], q["paper"], strict=True)]
                if tot != want:
                    self.fail(f"{qw}, total", "is not online + paper for each candidate")
                    continue
                lst = canonical.array(q, "list", qw)
                mine = rebuild_list(self.manifest, info, want)
                for pos in range(max(len(mine), len(lst))):
                    a = lst[pos] if pos < len(lst) else None
                    b = mine[pos] if pos < len(mine) else None
                    if a != b:
                        self.fail(
                            f"{qw}, list position {pos + 1}",
                            f"the record says {a!r}, quota.py's rule gives {b!r}",
                        )
                        break
                summary[qid] = {"total": want, "list": mine}
        self.r.result = summary

    # -- end

    def finish(self) -> None:
        if self.manifest is not None:  # check 10: the channels together within the roll
            for qid in self.qorder:
                c = self.qcount[qid]
                roll = self.qinfo[qid]["roll"]
                if c["online"] + c["paper"] > roll:
                    self.fail(
                        f"question {qid}",
                        f"{c['online']} online + {c['paper']} paper ballots exceed its roll "
                        f"of {roll}",
                    )
            if sum(c["online"] + c["paper"] for c in self.qcount.values()) > self.manifest["roll"]:
                self.fail("record", "more ballots than members on the roll")
        for seq in sorted(self.heads):
            self.fail(
                f"saved head at seq {seq}",
                "the record is shorter than a saved head (cut or rewritten)",
            )
        self.r.finished = (
            self.result_seen and self.close is not None and self.tally_payload is not None
        )
        if self.r.final and not self.r.finished:
            missing = (
                "CLOSE"
                if self.close is None
                else ("TALLY" if self.tally_payload is None else "RESULT")
            )
            self.fail(
                "record",
                f"unfinished: no valid {missing} (a cut record? use --unfinished for a live one)",
            )
        if (self.tally_payload is not None or self.result_seen) and self.close is None:
            self.fail("record", "a TALLY or RESULT without a valid CLOSE")


def verify_record(
    lines: Iterable[bytes],
    *,
    server_key: bytes | None = None,
    heads=None,
    final: bool = True,
    jobs: int = 1,
    engine: str = "auto",
) -> Report:
    """Check a whole record; see the module docstring. `heads`: saved heads as (seq, hash)
    pairs, or the bytes of a heads file. `final=False` accepts a record cut before CLOSE (a
    live one) and says it is unfinished. `engine`: how ballot proofs are checked (see
    choose_engine); the report names the one that ran."""
    saved_phi = None
    if isinstance(heads, bytes | bytearray):
        saved_phi, heads = read_heads(bytes(heads))
    native, engine_line = choose_engine(engine)
    v = _Verifier(server_key, heads, final, jobs, native)
    v.r.engine = engine_line
    try:
        n = 0
        for n, line in enumerate(lines):  # noqa: B007
            v.feed(n, line)
            if n == 0 and saved_phi is not None and v.r.phi != saved_phi:
                v.fail("heads file", "the saved heads belong to another election")
    except _Stop:
        v.fail("record", "nothing further could be checked")
    except Exception as e:  # never a pass
        v.fail("record", f"cannot be checked: {e!r}")
    try:
        v.drain()
    except Exception as e:  # never a pass
        v.fail("record", f"cannot be checked: {e!r}")
    finally:
        v.close_pool()
        batch.close_all()
    if v.r.events == 0 and not v.r.failures:
        v.fail("record", "empty")
    v.finish()
    return v.r


def choose_engine(engine: str = "auto") -> tuple[str | None, str]:
    """(path of bastau-msm or None, the line saying which engine runs). "batch" needs the
    native command (ValueError without it); "auto" uses it when it is found; "reference" is the
    pure-Python check of every equation on libsodium."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: one of {', '.join(ENGINES)}")
    path = None if engine == "reference" else batch.find_binary()
    if engine == "batch" and path is None:
        raise ValueError(
            f"the batch engine needs the native command {batch.BINARY} (make native), "
            "which is not found"
        )
    if path is not None:
        what = "random linear combinations, native multi-scalar multiplication"
        return path, f"batch ({what}: {path})"
    why = "as asked" if engine == "reference" else f"{batch.BINARY} not found (make native)"
    return None, f"reference (every equation on its own, pure Python on libsodium; {why})"


def iter_lines(path: str) -> Iterator[bytes]:
    """The record's lines, streamed ('-' reads standard input)."""
    f = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        yield from f
    finally:
        if f is not sys.stdin.buffer:
            f.close()


def read_key(value: str) -> bytes:
    """--server-key: base64url (or standard base64) of the 32 raw bytes, or a file holding it."""
    import base64

    text = value
    p = Path(value)
    if len(value) < 4096 and p.is_file():
        text = p.read_text(encoding="utf-8")
    text = text.strip()
    try:
        key = b64d(text)
    except ValueError:
        try:
            key = base64.b64decode(text, validate=True)
        except ValueError:
            raise ValueError("not base64 of a 32-byte Ed25519 key") from None
    if len(key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return key


def run(argv: list[str] | None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="verify_election",
        description="Verify an encrypted record (bastau-e2e/1) from the file alone.",
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    return main(args, out)


def add_arguments(parser) -> None:
    parser.add_argument("record", help="the record (JSON Lines); '-' reads standard input")
    parser.add_argument(
        "--server-key", metavar="B64|FILE", help="pin the server's published Ed25519 key"
    )
    parser.add_argument(
        "--heads", metavar="FILE", help="saved heads (verify-diff): the record must extend each"
    )
    parser.add_argument(
        "--save-head",
        metavar="FILE",
        help="add the head to a heads file (whose saved heads are checked too)",
    )
    parser.add_argument(
        "--unfinished", action="store_true", help="accept a record that is not closed yet"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="processes for the ballot proofs"
    )
    add_engine_argument(parser)


def add_engine_argument(parser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="batch: random linear combinations on the native bastau-msm; reference: every "
        "equation on its own; auto (default): batch when bastau-msm is found",
    )


def main(args, out) -> int:
    from .record import RecordError, add_head

    try:
        key = read_key(args.server_key) if args.server_key else None
        heads = Path(args.heads).read_bytes() if args.heads else None
        if heads is None and args.save_head and Path(args.save_head).exists():
            heads = Path(args.save_head).read_bytes()  # the heads saved before must hold too
        if args.jobs < 1:
            raise ValueError("--jobs is at least 1")
        choose_engine(args.engine)
        if heads is not None:
            read_heads(heads)
        if args.record != "-" and not Path(args.record).is_file():
            raise ValueError(f"{args.record}: no such file")
    except (ValueError, OSError) as e:
        out.write(f"usage error: {e}\n")
        return 2
    report = verify_record(
        iter_lines(args.record),
        server_key=key,
        heads=heads,
        final=not args.unfinished,
        jobs=args.jobs,
        engine=args.engine,
    )
    for line in report.lines():
        out.write(line + "\n")
    if report.ok:
        if args.save_head and report.head and report.phi:
            p = Path(args.save_head)
            existing = p.read_bytes() if p.exists() else None
            try:
                p.write_bytes(add_head(existing, report.phi, report.head))
            except (RecordError, canonical.CanonicalError, OSError) as e:
                out.write(f"FAILED: the head cannot be saved to {p}: {e}\n")
                return 1
            out.write(f"Head saved to {p}\n")
        what = "verified" if report.finished else "verified so far (unfinished)"
        out.write(f"OK: {what}. {'' if report.pinned else NOT_PINNED + '.'}\n")
        return 0
    out.write(f"FAILED: {len(report.failures)} problem(s):\n")
    for f in report.failures:
        out.write(f"  {f}\n")
    return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
