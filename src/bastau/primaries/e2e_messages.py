"""The errors of the pure encrypted-ballot modules (ceremony, shares, canonical, record), told in
the user's language.

Those modules name the failing object in English (`where`, e.g. "trustee 2 reveal") for the
command-line tools and the verifier's report; a Kazakh or Russian page shows instead a sentence
that names the same object (the trustee, their file, the candidate) in its own words, chosen
from the error's class, its `where` and its kind of fault. The English detail is not shown.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .e2e import ceremony, shares

_TRUSTEE_OBJECT = re.compile(r"^trustee (\d+) (\w+)")
_TOO_EARLY = re.compile(r"too early: no (\w+) yet from trustee\(s\) ([\d, ]+)")
_SHARE_WHERE = re.compile(
    r"SHARE of trustee (\d+)(?:, question [^,]+?)?(?:,? (online|paper))?(?:, candidate (\d+))?$"
)


def ceremony_object(kind: str) -> str:
    return {
        "certificate": _("certificate"),
        "reveal": _("reveal file"),
        "deal": _("sealed shares file"),
        "key": _("key file"),
        "complaint": _("complaint"),
        "check": _("share check"),
        "state": _("saved state"),
    }.get(kind, _("ceremony file"))


def _channel(ch: str | None) -> str:
    return {"online": _("online ballots"), "paper": _("paper ballots")}.get(ch or "", "")


def ceremony_error(exc: ceremony.CeremonyError) -> str:
    """A ceremony error (an uploaded file refused, or the ceremony failing) in the user's
    language, naming the trustee and their file."""
    text = exc.message
    m = _TRUSTEE_OBJECT.match(exc.where)
    i = int(m.group(1)) if m else exc.culprit
    obj = ceremony_object(m.group(2) if m else exc.where.split(".")[0])
    if early := _TOO_EARLY.search(text):
        return _("Too early: the %(object)s of trustee(s) %(list)s is not in yet.") % {
            "object": ceremony_object(early.group(1)),
            "list": early.group(2),
        }
    if "stopped on a complaint" in text:
        return _("The ceremony stopped on a complaint; it restarts with the trustees named anew.")
    if "already has a different" in text or "two different messages" in text:
        return _("Trustee %(i)s has already uploaded another %(object)s.") % {"i": i, "object": obj}
    if "complaint is unfounded" in text:
        return _("The complaint of trustee %(i)s is unfounded: the share it names is correct.") % {
            "i": i
        }
    if "bad share" in text or "dealt a bad share" in text:
        return _(
            "Trustee %(i)s dealt a bad share (the complaint, with the dealer's own signed share, "
            "is on the ceremony board); the ceremony restarts without them."
        ) % {"i": i}
    if i is None:
        return _("The %(object)s does not pass the ceremony's checks.") % {"object": obj}
    if "signature" in text:
        reason = _("its signature does not verify")
    elif "proof" in text:
        reason = _("a proof in it does not verify")
    elif "another ceremony" in text or "signed another list" in text:
        reason = _("it was made for another ceremony or another round")
    elif "signing key used by another" in text:
        reason = _("its signing key is another trustee's")
    else:
        reason = _("it does not pass the ceremony's checks")
    return _("The %(object)s of trustee %(i)s is refused: %(reason)s.") % {
        "object": obj,
        "i": i,
        "reason": reason,
    }


def share_error(exc: shares.ShareError) -> str:
    """A decryption share refused, naming the trustee and, for a proof, the candidate."""
    m = _SHARE_WHERE.search(exc.where)
    j = exc.trustee if exc.trustee is not None else (int(m.group(1)) if m else None)
    if j is None:
        return _("The share file does not have the form of a decryption share.")
    if "bad signature" in exc.message:
        return _(
            "The decryption share of trustee %(j)s is refused: its signature does not verify."
        ) % {"j": j}
    if "decryption proof" in exc.message and m and m.group(3) is not None:
        return _(
            "The decryption share of trustee %(j)s is refused: its proof for candidate %(c)s "
            "(%(channel)s) does not verify."
        ) % {"j": j, "c": int(m.group(3)) + 1, "channel": _channel(m.group(2))}
    return _(
        "The decryption share of trustee %(j)s is refused: it does not have the form of a share "
        "of this tally."
    ) % {"j": j}


def file_error(kind: str) -> str:
    """A file that is not the canonical JSON of the expected object."""
    return {
        "ceremony": _(
            "The ceremony file is malformed: it is not in the exact format bastau-trustee writes."
        ),
        "share": _(
            "The share file is malformed: it is not in the exact format bastau-trustee writes."
        ),
    }.get(kind) or _(
        "The credential list is malformed: it is not in the exact format the credential "
        "authority's tool writes."
    )
