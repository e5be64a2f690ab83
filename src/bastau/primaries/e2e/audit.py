"""The Benaloh audit file and its checker (section 3.3, step 5): pure code, no server.

When a member audits an encrypted ballot instead of casting it, the voting page reveals the
choices m_i and the randomness r_i and offers this file (canonical JSON not required):

    {"format": "bastau-e2e-audit/1", "election": b64(phi), "manifest": "<the manifest's text>",
     "question": "<question id>",
     "audit": {"version": 1, "body": b64(body), "tracker": b64(T), "r": [[b64 r_i ...]],
               "m": [[0|1 ...]]}}

`check_file` recomputes everything from the file alone: the manifest hashes to phi (compare
phi with the one the observers publish), the tracker is Hd(tracker, body), every ciphertext is
(r_i G, m_i G + r_i Y), every proof verifies and the number of choices is allowed. Run it with
`bastau check_audit FILE`, or open the standalone checker (docs/e2e-browser.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ballot, canonical
from .hashing import TAG_ELECTION, b64d, b64e, hd

FORMAT = "bastau-e2e-audit/1"


class AuditError(ValueError):
    """An audit file that does not check out; the message names what failed."""


@dataclass(frozen=True)
class Checked:
    phi: str
    election_title: str
    question: str
    tracker: str
    chosen: list[str]


def check_file(data: dict) -> Checked:
    try:
        canonical.fields(
            data, {"format", "election", "manifest", "question", "audit"}, "audit file"
        )
        if data["format"] != FORMAT:
            raise AuditError(f"not a {FORMAT} file")
        text = data["manifest"]
        if not isinstance(text, str):
            raise AuditError("the manifest must be its text")
        manifest_bytes = text.encode("utf-8")
        manifest = canonical.loads(manifest_bytes, "manifest")
        phi = hd(TAG_ELECTION, manifest_bytes)
        if canonical.data(data, "election", "audit file", 32) != phi:
            raise AuditError("the manifest does not hash to the file's election fingerprint (phi)")
        questions = {q["id"]: q for q in manifest["questions"]}
        q = questions.get(data["question"])
        if q is None:
            raise AuditError(f"the manifest has no question {data['question']!r}")
        election = ballot.Election(
            phi,
            b64d(manifest["election_key"]),
            (ballot.Question(q["id"], len(q["candidates"]), q["k_min"], q["k_max"]),),
        )
        a = canonical.fields(data["audit"], {"version", "body", "tracker", "r", "m"}, "audit")
        if a["version"] != ballot.VERSION:
            raise AuditError(f"unknown ballot version {a['version']!r}")
        body = canonical.data(a, "body", "audit")
        tracker = canonical.data(a, "tracker", "audit", 32)
        if ballot.tracker(body) != tracker:
            raise AuditError("the tracker is not the body's")
        ms, rs = a["m"], a["r"]
        if not (isinstance(ms, list) and isinstance(rs, list) and len(ms) == len(rs) == 1):
            raise AuditError("one list of choices and randomness for the question")
        if not all(isinstance(m, int) and not isinstance(m, bool) for m in ms[0]):
            raise AuditError("choices are 0 or 1")
        randomness = tuple(b64d(r) for r in rs[0]) if isinstance(rs[0], list) else None
        if randomness is None or not isinstance(ms[0], list):
            raise AuditError("choices and randomness are lists")
        audit = ballot.AuditData((tuple(ms[0]),), (randomness,))
        if not ballot.check_audit(election, body, audit):
            raise AuditError(
                "the revealed choices and randomness do not reproduce this encrypted ballot, or "
                "its proofs fail: this ballot does NOT hold these choices"
            )
    except (canonical.CanonicalError, ValueError, KeyError, TypeError) as e:
        if isinstance(e, AuditError):
            raise
        raise AuditError(str(e)) from None
    chosen = [c["name"] for c, m in zip(q["candidates"], ms[0], strict=True) if m == 1]
    return Checked(b64e(phi), manifest["title"], q["title"], b64e(tracker), chosen)
