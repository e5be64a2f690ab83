"""Encrypted campaigns on the server: set-up, casting, checking, sealing and the record.

The record format is docs/verification.md's `bastau-e2e/1` (events of canonical JSON, hash
chained, signed by the server). The pure cryptography is `bastau.primaries.e2e`; this module
keeps the database side: who may cast, one ballot per member (the `Participation` mark, shared
with the paper channel), one ballot per credential (a unique constraint), and the events.

Secrecy (DESIGN.md 3.3) as for plaintext ballots: an `EncryptedBallot` has no member, no time
and no sequential key; the rows of a BATCH are rewritten in tracker order when it is sealed.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts import sessionproof
from bastau.core import audit, dbrouter
from bastau.lib.dates import age_on

from . import e2e_messages
from .e2e import ballot as e2e_ballot
from .e2e import canonical, ceremony, credentials, group, merkle, record, shares, signing
from .e2e.hashing import TAG_CREDENTIALS, TAG_ELECTION, SystemRng, b64d, b64e, hd
from .keys import e2e_seed
from .models import (
    Campaign,
    Candidate,
    E2EBallotPath,
    E2ECredential,
    E2ECredentialList,
    E2EElection,
    E2EEvent,
    E2ETrustee,
    EncryptedBallot,
    Participation,
    VoterRollEntry,
)

credential_leaf = record.credential_leaf

S = Campaign.Status
B = EncryptedBallot.Status


class Refused(Exception):
    """A cast refused: nothing was changed. `code` is stable, `message` translated, `status`
    the HTTP status of the JSON answer."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# Events -------------------------------------------------------------------------------------


def _record_day() -> dt.date:
    """The day written on the record's events and receipts: the UTC day, as the record's
    moments (voting opens and closes) are UTC, so a verifier compares like with like."""
    return timezone.now().astimezone(dt.UTC).date()


def _store(election: E2EElection, line: bytes, event=None) -> E2EEvent:
    event = event or record.parse_event(line)
    return E2EEvent.objects.create(
        election=election, seq=event.seq, type=event.type, line=line.rstrip(b"\n"), hash=event.hash
    )


def writer(election: E2EElection) -> record.RecordWriter:
    """The record writer after the events stored so far, from the state kept on the election
    (O(1) in the record's size; TALLY and SHARE events, a few, are read back), or, for a
    record written before the state was kept, by replaying the record once. The caller holds
    the election's row lock and calls save_writer() after appending."""
    if election.writer_state is None:
        return record.RecordWriter.resume(e2e_seed(), (line for line in record_lines(election)))
    manifest = manifest_of(election).data
    w = record.RecordWriter.from_state(e2e_seed(), manifest, election.writer_state)
    for line in (
        election.events.filter(type__in=("TALLY", "SHARE"))
        .order_by("seq")
        .values_list("line", flat=True)
    ):
        ev = record.parse_event(bytes(line))
        if ev.type == "TALLY":
            w.tally_payload = ev.payload
        else:
            w.shares[ev.payload["trustee"]] = ev.payload
    return w


def save_writer(election: E2EElection, w: record.RecordWriter) -> None:
    election.writer_state = w.state(totals=True)
    election.save(update_fields=["writer_state"])


def record_lines(election: E2EElection):
    """The record, line by line (each line's bytes followed by a newline)."""
    qs = election.events.order_by("seq").values_list("line", flat=True)
    for line in qs.iterator(chunk_size=200):
        yield bytes(line) + b"\n"


def server_public_key() -> bytes:
    return signing.public_key(e2e_seed())


# Set-up -------------------------------------------------------------------------------------
def create_election(campaign: Campaign, *, trustees: list, threshold: int, ca_key: bytes):
    """Name the trustees ([(name, user or None), ...], indexed 1..m), the threshold t and the
    credential authority's Ed25519 key. Allowed until voting opens; replaces an earlier set-up
    (and with it any ceremony files and credential list)."""
    if not campaign.encrypted:
        raise ValidationError(_("This campaign's ballots are not encrypted."))
    if campaign.status not in (S.DRAFT, S.NOMINATION, S.REGISTRATION):
        raise ValidationError(_("The trustees are named before voting opens."))
    m = len(trustees)
    if m < 1 or not 1 <= threshold <= m:
        raise ValidationError(
            _("Name at least one trustee; the threshold is from 1 to their number.")
        )
    if len(ca_key) != 32:
        raise ValidationError(_("The credential authority's key is 32 bytes."))
    with transaction.atomic():
        # the observers' keys are not part of the trustees' set-up: they stay
        old = E2EElection.objects.filter(campaign=campaign).first()
        observers = list(old.observer_keys) if old else []
        E2EElection.objects.filter(campaign=campaign).delete()
        election = E2EElection.objects.create(
            campaign=campaign,
            trustee_count=m,
            threshold=threshold,
            ca_key=ca_key,
            server_key=server_public_key(),
            observer_keys=observers,
        )
        for i, (name, user) in enumerate(trustees, start=1):
            E2ETrustee.objects.create(election=election, index=i, name=name, user=user)
    return election


# Observers -----------------------------------------------------------------------------------
MAX_OBSERVERS = 64


def parse_observer_key(text: str) -> bytes:
    """An observer's Ed25519 public key from its base64url text (as `bastau-trustee`-style tools
    print it), or ValidationError saying what is wrong, in the user's language."""
    try:
        key = b64d(text.strip())
    except ValueError:
        raise ValidationError(
            _("Not a key: paste the observer's public key, 43 characters.")
        ) from None
    if len(key) != signing.KEY_BYTES:
        raise ValidationError(_("Not a key: an Ed25519 public key is 32 bytes."))
    if not signing.is_valid_key(key):
        raise ValidationError(
            _("This is not a valid Ed25519 public key. Ask the observer to copy it again.")
        )
    return key


def _observers_open(campaign: Campaign) -> E2EElection:
    """The election, locked, while its observers may still change (before the SETUP event)."""
    election = E2EElection.objects.select_for_update().filter(campaign=campaign).first()
    if election is None:
        raise ValidationError(_("Name the trustees and the credential authority first."))
    if election.manifest is not None or campaign.status not in (
        S.DRAFT,
        S.NOMINATION,
        S.REGISTRATION,
    ):
        raise ValidationError(
            _(
                "The observers' keys are written into the election when voting opens; they "
                "cannot change any more."
            )
        )
    return election


def add_observer_key(campaign: Campaign, key: bytes, *, actor=None, request=None) -> E2EElection:
    """List an observer's key (it goes into the manifest at opening; the observer then co-signs
    events through e2e/cosign/). Audited."""
    with transaction.atomic():
        election = _observers_open(campaign)
        text = b64e(key)
        if text in election.observer_keys:
            raise ValidationError(_("This observer's key is already listed."))
        if len(election.observer_keys) >= MAX_OBSERVERS:
            raise ValidationError(
                _("At most %(n)s observers' keys can be listed.") % {"n": MAX_OBSERVERS}
            )
        election.observer_keys = sorted([*election.observer_keys, text], key=b64d)
        election.save(update_fields=["observer_keys"])
        audit.record(
            actor,
            "primaries.e2e_observer_added",
            election,
            branch=campaign.branch,
            request=request,
            summary=text,
            data={"campaign": campaign.slug, "key": text},
        )
    return election


def remove_observer_key(campaign: Campaign, text: str, *, actor=None, request=None) -> E2EElection:
    with transaction.atomic():
        election = _observers_open(campaign)
        if text not in election.observer_keys:
            raise ValidationError(_("This observer's key is not listed."))
        election.observer_keys = [k for k in election.observer_keys if k != text]
        election.save(update_fields=["observer_keys"])
        audit.record(
            actor,
            "primaries.e2e_observer_removed",
            election,
            branch=campaign.branch,
            request=request,
            summary=text,
            data={"campaign": campaign.slug, "key": text},
        )
    return election


def ceremony_setup(election: E2EElection) -> dict:
    """The setup message every trustee starts from (`bastau-trustee init` reads it)."""
    names = list(election.trustees.order_by("index").values_list("name", flat=True))
    return ceremony.make_setup(str(election.uuid), names, election.threshold)


CEREMONY_STEPS = ("certificate", "reveal", "deal", "key", "complaint")


def ceremony_board(election: E2EElection) -> list[dict]:
    """What the trustees download between rounds: the setup and every message uploaded so far
    (certificates first, then reveals and deals, then keys)."""
    out = [ceremony_setup(election)]
    trustees = list(election.trustees.order_by("index"))
    for step in CEREMONY_STEPS:
        for t in trustees:
            if step in t.messages:
                out.append(canonical.loads(t.messages[step].encode()))
    return out


class CeremonyRefused(ValidationError):
    pass


def ceremony_problem(election: E2EElection) -> ceremony.CeremonyError | None:
    """Check the ceremony as far as its files are in: the certificates once all are in, then
    the reveals, the complaints, and the keys. The error names the cheating trustee
    (`culprit`) with the evidence in its message."""
    board = ceremony_board(election)
    setup = ceremony.parse_setup(board[0])
    of = {step: [m for m in board if m["type"] == step] for step in CEREMONY_STEPS}
    try:
        if len(of["certificate"]) < setup.m:
            return None
        ceremony.check_certificates(setup, of["certificate"])
        if len(of["reveal"]) < setup.m:
            return None
        ceremony.check_reveals(setup, of["certificate"], of["reveal"])
        for complaint in of["complaint"]:
            culprit = ceremony.verify_complaint(complaint, setup, of["certificate"], of["reveal"])
            return ceremony.CeremonyError(
                f"trustee {culprit}",
                f"dealt a bad share to trustee {complaint['from']} (the complaint, with the "
                "dealer's own signed share, is on the ceremony board); the ceremony restarts "
                "without them",
                culprit,
            )
        if len(of["key"]) == setup.m:
            ceremony.assemble_transcript(board)
    except ceremony.CeremonyError as exc:
        return exc
    return None


def _uploaded(data: bytes) -> bytes:
    """A file as `bastau-trustee` writes it: canonical JSON and one final newline."""
    return data[:-1] if data.endswith(b"\n") else data


def add_ceremony_message(election: E2EElection, trustee: E2ETrustee, data: bytes) -> str:
    """Take a file a trustee uploads: one ceremony message (certificate, reveal, deal, key or
    complaint) or the array of them that a `bastau-trustee` step writes (reveal + deal; one or
    more complaints), each checked against the board so far by ceremony.accept_message (order,
    signatures, proofs, a complaint's evidence); a refused file changes nothing, not even its
    messages before the refused one. A complaint that holds names the cheater and stops the
    ceremony (it restarts with the trustees named anew). When every key is in, the transcript
    is assembled and checked and the election key installed. Returns what the file did, as
    accept_message says it."""
    try:
        msg = canonical.loads(_uploaded(data), "ceremony file")
    except canonical.CanonicalError:
        raise CeremonyRefused(e2e_messages.file_error("ceremony")) from None
    if isinstance(msg, list) and msg:
        with transaction.atomic():
            return "; ".join(_add_ceremony_message(election, trustee, m) for m in msg)
    return _add_ceremony_message(election, trustee, msg)


def _add_ceremony_message(election: E2EElection, trustee: E2ETrustee, msg) -> str:
    step = msg.get("type") if isinstance(msg, dict) else None
    who = msg.get("from") if step == "complaint" else msg.get("index") if step else None
    if step not in CEREMONY_STEPS or who != trustee.index:
        raise CeremonyRefused(
            _("This is not a ceremony file of trustee %(i)s.") % {"i": trustee.index}
        )
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        if locked.election_key is not None:
            raise CeremonyRefused(_("The ceremony is complete."))
        trustee = E2ETrustee.objects.get(pk=trustee.pk)
        board = ceremony_board(locked)
        try:
            what = ceremony.accept_message(board, msg)
        except ceremony.CeremonyError as exc:
            raise CeremonyRefused(e2e_messages.ceremony_error(exc)) from None
        if msg in board:
            return what
        if step in trustee.messages:
            raise CeremonyRefused(_("This file is already in."))
        trustee.messages = {**trustee.messages, step: canonical.dumps(msg).decode()}
        if step == "certificate":
            trustee.sign_key = b64d(msg["sign_key"])
        trustee.save(update_fields=["messages", "sign_key"])
        board.append(msg)
        if step == "key" and sum(1 for m in board if m["type"] == "key") == locked.trustee_count:
            try:
                install_transcript(locked, ceremony.assemble_transcript(board))
            except ceremony.CeremonyError as exc:
                raise CeremonyRefused(e2e_messages.ceremony_error(exc)) from None
    return what


def uploaded_step(data: bytes) -> str:
    """The step of an accepted ceremony file: its "type", or the first message's type for the
    array a `bastau-trustee` step writes (a reveal with its deal: "reveal")."""
    msg = canonical.loads(_uploaded(data), "ceremony file")
    return (msg[0] if isinstance(msg, list) else msg)["type"]


def install_transcript(election: E2EElection, transcript: dict) -> ceremony.PublicKeys:
    """Check a whole ceremony transcript TR and install its election key."""
    keys = ceremony.verify_transcript(transcript, str(election.uuid), election.threshold)
    if keys.m != election.trustee_count:
        raise CeremonyRefused(_("The transcript has another number of trustees."))
    install_election_key(election, transcript, keys.y)
    for j, key in keys.sign_keys.items():
        E2ETrustee.objects.filter(election=election, index=j).update(sign_key=key)
    return keys


def install_election_key(election: E2EElection, transcript, y: bytes) -> None:
    """Record the ceremony's outcome: the transcript TR (checked by the ceremony module before)
    and the election key Y."""
    group.decode_point(y, what="Y")
    election.transcript = canonical.dumps(transcript)
    election.trustees_digest = record.trustees_digest(transcript)
    election.election_key = y
    election.save(update_fields=["transcript", "trustees_digest", "election_key"])


def roll_counts(campaign: Campaign) -> dict[str, int]:
    counts = {c.code: 0 for c in campaign.contests.all()}
    rows = VoterRollEntry.objects.filter(campaign=campaign).values_list("contest__code", flat=True)
    for code in rows.iterator(chunk_size=20_000):
        counts[code] += 1
    return counts


def check_credential_list(election: E2EElection, data: bytes) -> dict:
    """The credential list CL, parsed and checked against the frozen roll; ValidationError
    names the problem."""
    return _check_credential_list(election, data)[0]


def _check_credential_list(election: E2EElection, data: bytes) -> tuple[dict, list[bytes]]:
    campaign = election.campaign
    if campaign.roll_frozen_at is None:
        raise ValidationError(_("Freeze the voter roll first: the list is issued for it."))
    try:
        cl = canonical.loads(data, "credentials")
        canonical.fields(cl, {"entries", "count", "root", "sig"}, "credentials")
        entries = canonical.array(cl, "entries", "credentials")
        count = canonical.integer(cl, "count", "credentials")
        root = canonical.data(cl, "root", "credentials", 32)
        sig = canonical.data(cl, "sig", "credentials", 64)
        keys, leaves, per_question = [], [], {}
        for i, entry in enumerate(entries):
            where = f"credentials.entries[{i}]"
            canonical.fields(entry, {"question", "key"}, where)
            q = canonical.string(entry, "question", where)
            x = canonical.data(entry, "key", where, 32)
            group.decode_point(x, what=where)
            keys.append(x)
            leaves.append(credential_leaf(q, x))
            per_question[q] = per_question.get(q, 0) + 1
    except (canonical.CanonicalError, group.EncodingError, ValueError):
        raise ValidationError(e2e_messages.file_error("credentials")) from None
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        raise ValidationError(_("The credential list must be sorted and its keys distinct."))
    if count != len(entries):
        raise ValidationError(_("The credential list's count is not its number of entries."))
    if not entries or merkle.root(leaves) != root:
        raise ValidationError(_("The credential list's root does not match its entries."))
    unsigned = {k: v for k, v in cl.items() if k != "sig"}
    digest = hd(TAG_CREDENTIALS, canonical.dumps(unsigned))
    if not signing.verify(bytes(election.ca_key), "credentials", digest, sig):
        raise ValidationError(
            _("The credential list is not signed by the campaign's credential authority.")
        )
    rolls = roll_counts(campaign)
    if per_question != {code: n for code, n in rolls.items() if n}:
        raise ValidationError(
            _(
                "The credential list does not match the frozen roll: %(list)s on the list, "
                "%(roll)s on the roll."
            )
            % {
                "list": ", ".join(f"{q}: {n}" for q, n in sorted(per_question.items())),
                "roll": ", ".join(f"{q}: {n}" for q, n in sorted(rolls.items())),
            }
        )
    return cl, leaves


def install_credentials(election: E2EElection, data: bytes) -> E2ECredentialList:
    cl, leaves = _check_credential_list(election, data)
    if election.campaign.status != S.REGISTRATION:
        raise ValidationError(_("The credential list is installed before voting opens."))
    with transaction.atomic():
        E2ECredential.objects.filter(election=election).delete()
        E2ECredentialList.objects.filter(election=election).delete()
        row = E2ECredentialList.objects.create(
            election=election,
            data=data,
            root=b64d(cl["root"]),
            count=cl["count"],
            upper_levels=pack_upper_levels(leaves),
        )
        E2ECredential.objects.bulk_create(
            (
                E2ECredential(
                    election=election, index=i, question=e["question"], key=b64d(e["key"])
                )
                for i, e in enumerate(cl["entries"])
            ),
            batch_size=5000,
        )
    return row


# Voided credentials (paper voters) ----------------------------------------------------------


def last_void_day(election: E2EElection) -> dt.date | None:
    line = (
        election.events.filter(type="VOID").order_by("-seq").values_list("line", flat=True).first()
    )
    return dt.date.fromisoformat(record.parse_event(bytes(line)).day) if line else None


def paper_voters(campaign: Campaign, since: dt.date | None):
    """The roll entries of members with a paper participation on or after `since` (every one
    when None), ordered as the roll CSV: what the credential authority needs to void their
    credentials. The day of the last VOID is included, so no paper voter is missed; the
    authority's tool skips credentials the record already shows voided."""
    members = Participation.objects.filter(
        campaign=campaign, channel=Participation.Channel.PAPER
    ).values("member_id")
    if since is not None:
        members = members.filter(voted_on__gte=since)
    return (
        VoterRollEntry.objects.filter(campaign=campaign, member_id__in=members)
        .select_related("contest", "member", "member__poo")
        .order_by("contest__code", "member__last_name", "member__first_name", "member_id")
    )


def install_void(election: E2EElection, data: bytes, *, actor=None, request=None) -> E2EEvent:
    """The credential authority's signed void file (bastau-ca void): every key on the list for
    its question, unused and not voided before, or the whole file is refused naming the key (all
    the used keys, for a used one) and nothing changes. Then a VOID event and the keys marked
    voided. Audited.

    A concurrent cast cannot slip between the check and the VOID: the credential rows are
    locked FOR UPDATE (in key order) before "unused" is read, and the cast statement holds its
    credential row FOR SHARE until it commits (`_CAST_SQL`). A cast already holding it has
    committed when the lock is granted, so its ballot is seen here and the file refused; a
    cast arriving later waits for this transaction, then re-reads the row, finds it voided and
    stores nothing (`credential-voided`). The election row is locked FOR NO KEY UPDATE: enough
    to exclude the other record writers, and it leaves alone the key-share lock the cast's
    foreign key check takes at its commit (FOR UPDATE there would deadlock with a cast holding
    a credential of this file). On SQLite the transaction holds the write lock from its start
    (IMMEDIATE), and the cast checks its credential inside its own transaction."""
    try:
        phi, keys, sig = record.read_void_file(data)
    except canonical.CanonicalError:
        raise ValidationError(
            _(
                "The void file is malformed: it is not in the exact format the credential "
                "authority's tool writes."
            )
        ) from None
    campaign = election.campaign
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update(no_key=True).get(pk=election.pk)
        if locked.manifest is None:
            raise ValidationError(_("Credentials can be voided only once voting has opened."))
        if locked.events.filter(type="CLOSE").exists():
            raise ValidationError(_("Voting is closed: no credential can be voided any more."))
        if phi != manifest_of(locked).phi:
            raise ValidationError(_("This void file is for another election."))
        entries = record.void_entries(keys)
        if not signing.verify(bytes(locked.ca_key), "void", record.void_digest(phi, entries), sig):
            raise ValidationError(
                _("The void file is not signed by the campaign's credential authority.")
            )
        xs = [x for _q, x in keys]
        # Lock first, then read which keys cast (a new statement: it sees every cast that
        # committed while this waited for the locks).
        rows = {
            bytes(k): (q, v)
            for k, q, v in E2ECredential.objects.select_for_update()
            .filter(election=locked, key__in=xs)
            .order_by("key")
            .values_list("key", "question", "voided")
        }
        used = {
            bytes(k)
            for k in EncryptedBallot.objects.filter(election=locked, credential__in=xs).values_list(
                "credential", flat=True
            )
        }
        for q, x in keys:
            row = rows.get(x)
            if row is None or row[0] != q:
                raise ValidationError(
                    _("Credential %(key)s is not on the list for list %(list)s.")
                    % {"key": b64e(x), "list": q}
                )
        if used:
            # One ballot per member is kept by the participation mark (the paper channel
            # refuses a member who voted online, and the reverse); the used credential's ballot
            # stands, and a VOID of it would make the record fail (a VOID of a used key, or a
            # BATCH with a voided key): the whole file is refused, every used key named.
            raise ValidationError(
                _(
                    "These credentials have already cast an online ballot and cannot be "
                    "voided: %(keys)s. Nothing was voided; those ballots stand. A member who "
                    "voted online cannot also vote on paper, so if one of them belongs to a "
                    "paper voter, someone else used it: report it. Once the ballot is sealed, "
                    "give the credential authority the record again: its tool leaves used "
                    "credentials out of the new void file."
                )
                % {"keys": ", ".join(b64e(x) for x in sorted(used))}
            )
        for x in xs:
            if rows[x][1]:
                raise ValidationError(
                    _("Credential %(key)s was already voided.") % {"key": b64e(x)}
                )
        w = writer(locked)
        event = _store(locked, w.void(keys, sig, _record_day()))
        save_writer(locked, w)
        E2ECredential.objects.filter(election=locked, key__in=xs).update(voided=True)
        audit.record(
            actor,
            "primaries.e2e_void_installed",
            locked,
            branch=campaign.branch,
            request=request,
            summary=str(len(keys)),
            data={"campaign": campaign.slug, "seq": event.seq, "count": len(keys)},
        )
    return event


def freeze_roll(campaign: Campaign) -> int:
    """Freeze an encrypted campaign's roll before voting opens (the CA issues credentials for
    it). Opening the vote keeps this roll."""
    from . import services

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != S.REGISTRATION:
            raise ValidationError(_("The roll is frozen during registration."))
        if locked.roll_frozen_at is not None:
            raise ValidationError(_("The voter roll is already frozen."))
        count = services.freeze_roll(locked)
        locked.roll_frozen_at = timezone.now()
        locked.save(update_fields=["roll_frozen_at"])
    campaign.roll_frozen_at = locked.roll_frozen_at
    return count


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(microsecond=0)


def build_manifest(campaign: Campaign, election: E2EElection) -> dict:
    """The manifest M (record.build_manifest): questions in contest-code order, candidates in
    registration-number order, each with the categories the quota rule reads."""
    from . import services

    rolls = roll_counts(campaign)
    cl = canonical.loads(bytes(election.credential_list.data))
    rules = services.campaign_rules(campaign).to_dict()
    youth_below = record.youth_age(rules)
    reference = services.reference_date(campaign)
    registered = (
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED)
        .order_by("number")
        .values_list("contest__code", "number", "name", "sex", "birth_date", "has_disability")
    )
    by_contest: dict[str, list] = {}
    for code, number, name, sex, birth, disability in registered:
        youth = youth_below is not None and age_on(birth, reference) < youth_below
        by_contest.setdefault(code, []).append(
            record.candidate(
                f"c{number}", name, woman=sex == "F", youth=youth, disability=disability
            )
        )
    questions = []
    for contest in campaign.contests.order_by("code"):
        cands = by_contest.get(contest.code, [])
        if not cands:
            continue
        questions.append(
            record.question(
                contest.code,
                contest.title,
                cands,
                k_max=min(campaign.choose_up_to, len(cands)),
                list_length=contest.effective_length,
                roll=rolls.get(contest.code, 0),
            )
        )
    return record.build_manifest(
        uuid=election.uuid,
        slug=campaign.slug,
        title=campaign.title,
        questions=questions,
        election_key=bytes(election.election_key),
        threshold=election.threshold,
        trustee_count=election.trustee_count,
        trustees=canonical.loads(bytes(election.transcript)),
        credentials=cl,
        ca_key=bytes(election.ca_key),
        server_key=bytes(election.server_key),
        observer_keys=[b64d(k) for k in election.observer_keys],
        opens=_utc(campaign.voting_starts),
        closes=_utc(campaign.voting_ends),
        rules=rules,
        prefix_mode=campaign.prefix_mode,
        reference_date=reference,
        tie_break_seed=campaign.tie_break_seed,
    )


def setup_problem(campaign: Campaign) -> str | None:
    """Why an encrypted campaign cannot open yet, or None."""
    election = E2EElection.objects.filter(campaign=campaign).first()
    if election is None:
        return _("Name the trustees and the credential authority first.")
    if election.election_key is None:
        return _("The trustees' key ceremony is not complete.")
    if not E2ECredentialList.objects.filter(election=election).exists():
        return _("The credential authority's list is not installed.")
    if campaign.voting_ends is None:
        return _("Set when voting ends: it is written into the encrypted election.")
    return None


def open_election(locked: Campaign) -> E2EElection:
    """Freeze the manifest and write the SETUP event (inside open_voting's transaction, with the
    campaign locked and voting_starts set)."""
    problem = setup_problem(locked)
    if problem:
        raise ValidationError(problem)
    election = E2EElection.objects.select_for_update().get(campaign=locked)
    manifest = build_manifest(locked, election)
    election.manifest = canonical.dumps(manifest)
    election.phi = hd(TAG_ELECTION, bytes(election.manifest))
    election.save(update_fields=["manifest", "phi"])
    w, line = record.RecordWriter.start(
        e2e_seed(),
        manifest,
        canonical.loads(bytes(election.transcript)),
        canonical.loads(bytes(election.credential_list.data)),
        _record_day(),
    )
    _store(election, line)
    save_writer(election, w)
    return election


# Casting ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Manifest:
    phi: bytes
    y: bytes
    questions: dict  # id -> ballot.Election of that question alone
    data: dict


@functools.lru_cache(maxsize=64)
def _parsed(manifest_bytes: bytes) -> Manifest:
    m = canonical.loads(manifest_bytes, "manifest")
    phi = hd(TAG_ELECTION, manifest_bytes)
    y = b64d(m["election_key"])
    questions = {
        q["id"]: e2e_ballot.Election(
            phi,
            y,
            (e2e_ballot.Question(q["id"], len(q["candidates"]), q["k_min"], q["k_max"]),),
        )
        for q in m["questions"]
    }
    return Manifest(phi, y, questions, m)


def manifest_of(election: E2EElection) -> Manifest:
    return _parsed(bytes(election.manifest))


def receipt(phi: bytes, tracker: bytes, day: str) -> dict:
    return record.make_receipt(e2e_seed(), phi, tracker, day)


def _voting_open(campaign: Campaign) -> bool:
    now = timezone.now()
    return (
        campaign.status == S.VOTING
        and not (campaign.voting_starts and now < campaign.voting_starts)
        and not (campaign.voting_ends and now >= campaign.voting_ends)
    )


def roll_entry(campaign: Campaign, user) -> VoterRollEntry:
    """The signed-in member's roll entry, or Refused."""
    if not getattr(user, "member_id", None):
        raise Refused("not-a-member", _("Only a party member can vote."), 403)
    entry = (
        VoterRollEntry.objects.select_related("contest")
        .filter(campaign=campaign, member_id=user.member_id)
        .first()
    )
    if entry is None:
        raise Refused("not-on-roll", _("You are not on this campaign's voter roll."), 403)
    return entry


def election_of(campaign: Campaign) -> E2EElection:
    election = E2EElection.objects.filter(campaign=campaign).first()
    if not campaign.encrypted or election is None or election.manifest is None:
        raise Refused("not-encrypted", _("This campaign has no encrypted vote open."), 404)
    return election


def check_proofs_on_cast() -> bool:
    from django.conf import settings

    return settings.E2E_PROOFS_ON_CAST


def cast(
    user,
    campaign: Campaign,
    question,
    ballot_text,
    *,
    check_proofs: bool = False,
    election: E2EElection | None = None,
) -> dict:
    """Cast the signed-in member's encrypted ballot; returns the signed receipt. Every refusal
    raises Refused and changes nothing.

    On the request path: the roll, the window, one ballot per member, strict decoding, sigma,
    the credential (on the list for this question, unused). The proofs are checked off the
    path (`check_pending`) unless check_proofs; a ballot whose proofs fail is then rejected on
    the record and never counted.

    On PostgreSQL the database part is one statement (`_CAST_SQL`): it checks the roll, the
    window and the credential, and inserts the participation and the ballot. `election`: the
    caller's (the cast view keeps it per process while voting is open); the statement reads
    the campaign's stage and window again.
    """
    if election is None:
        election = election_of(campaign)
    if not _voting_open(campaign):
        raise Refused("voting-closed", _("Voting is not open."), 409)
    if not getattr(user, "member_id", None):
        raise Refused("not-a-member", _("Only a party member can vote."), 403)
    # On PostgreSQL the one statement checks the roll and confirms the signed-in account
    # (active, password unchanged). A caller without an account (the demo's seed, casting for
    # its members) takes the ORM path, as SQLite does.
    pg = connection.vendor == "postgresql" and getattr(user, "password", None) is not None
    if not pg:
        entry = roll_entry(campaign, user)
        if isinstance(question, str) and question != entry.contest.code:
            raise Refused("wrong-question", _("This ballot is for another list than yours."))
    if not isinstance(question, str) or not isinstance(ballot_text, str):
        raise Refused("malformed", _("The ballot is malformed."))
    manifest = manifest_of(election)
    qelection = manifest.questions.get(question)
    if qelection is None:
        if pg:
            _refuse_off_roll(campaign, user, question)
        raise Refused("wrong-question", _("This ballot is for another list than yours."))
    data, decoded = _checked(qelection, ballot_text, check_proofs)
    tracker = decoded.tracker
    if not check_proofs and not credentials.verify(
        manifest.phi, decoded.x_pub, tracker, decoded.sigma
    ):
        raise Refused("bad-signature", _("The ballot's signature does not verify."))
    day = _record_day().isoformat()
    status = B.VERIFIED if check_proofs else B.PENDING
    if pg:
        account = sessionproof.Account(user.pk, sessionproof.password_digest(user.password))
        try:
            stored = _cast_statement(campaign, account, election, question, decoded, data, status)
        except _Conflict:
            raise _why_not_inserted(
                campaign, user.member_id, election, decoded.tracker, decoded.x_pub
            ) from None
        if not stored:
            raise _why_not_cast(campaign, user, election, question, decoded)
    else:
        _cast_orm(campaign, user.member_id, election, question, decoded, data, status)
    if not check_proofs:
        transaction.on_commit(lambda: _enqueue_check(election.pk))
    return receipt(manifest.phi, tracker, day)


def _checked(qelection, ballot_text, check_proofs: bool):
    """The ballot's bytes and what the cast needs of them, or Refused("malformed"): strict
    decoding of X, the ciphertexts and every scalar (e2e_ballot.check_encoding: the proofs'
    commitment points are checked with the proofs), and with check_proofs every proof too."""
    try:
        data = b64d(ballot_text)
        if check_proofs:
            return data, e2e_ballot.verify(qelection, data)
        return data, e2e_ballot.check_encoding(qelection, data)
    except (ValueError, e2e_ballot.InvalidBallot) as exc:
        raise Refused("malformed", _("The ballot is malformed: %(e)s") % {"e": exc}) from None


def cast_as(account: sessionproof.Account, campaign: Campaign, election, question, ballot_text):
    """The thin path's encrypted cast (primaries.castpath): the signed receipt, or None when
    anything is not as a good cast has it (nothing stored; the caller hands the request to the
    full view, which reads everything and answers with the reason).

    `account` is what the session's proof claims (accounts.sessionproof); the statement confirms
    it (active, password hash unchanged), its member on the roll of this question's list, the
    window, the credential and one ballot per member, as for `cast`. On the request path, as
    for `cast`: strict decoding (all but the proofs' commitments), sigma; the proofs are the
    worker's.
    """
    if check_proofs_on_cast() or not isinstance(question, str) or not _voting_open(campaign):
        return None
    manifest = manifest_of(election)
    qelection = manifest.questions.get(question)
    if qelection is None or not isinstance(ballot_text, str):
        return None
    try:
        data, decoded = _checked(qelection, ballot_text, False)
    except Refused:
        return None
    tracker = decoded.tracker
    if not credentials.verify(manifest.phi, decoded.x_pub, tracker, decoded.sigma):
        return None
    day = _record_day().isoformat()
    if connection.vendor == "postgresql":
        try:
            stored = _cast_statement(
                campaign, account, election, question, decoded, data, B.PENDING
            )
        except Refused:
            return None
        if not stored:
            return None
    else:
        from . import services  # the account's check where there is no statement

        member_id = services.account_member(account)
        if (
            member_id is None
            or not VoterRollEntry.objects.filter(
                campaign=campaign, member_id=member_id, contest__code=question
            ).exists()
        ):
            return None
        try:
            _cast_orm(campaign, member_id, election, question, decoded, data, B.PENDING)
        except Refused:
            return None
    transaction.on_commit(lambda: _enqueue_check(election.pk))
    return receipt(manifest.phi, tracker, day)


def _check_credential(election, question, x_pub) -> None:
    credential, voided = (
        E2ECredential.objects.filter(election=election, key=x_pub)
        .values_list("question", "voided")
        .first()
    ) or (None, False)
    if credential is None:
        raise Refused("unknown-credential", _("This credential is not on the list."), 403)
    if voided:
        raise Refused(
            "credential-voided",
            _("This credential was voided: its holder voted on a paper ballot."),
            409,
        )
    if credential != question:
        raise Refused("wrong-question", _("This credential belongs to another list."))


def _cast_orm(campaign, member_id, election, question, decoded, data, status) -> None:
    try:
        with transaction.atomic():
            # Inside the transaction: on SQLite it holds the write lock from its start
            # (transaction_mode IMMEDIATE), so no void install commits between check and insert,
            # and no close of voting: the stage and window are read again here, as the
            # statement does (the cast view keeps the campaign a few seconds).
            fresh = Campaign.objects.only("status", "voting_starts", "voting_ends").get(
                pk=campaign.pk
            )
            if not _voting_open(fresh):
                raise Refused("voting-closed", _("Voting is not open."), 409)
            _check_credential(election, question, decoded.x_pub)
            Participation.objects.create(
                campaign=campaign,
                member_id=member_id,
                channel=Participation.Channel.ONLINE,
                voted_on=timezone.localdate(),
            )
            EncryptedBallot.objects.create(
                tracker=decoded.tracker,
                election=election,
                question=question,
                channel=EncryptedBallot.Channel.ONLINE,
                credential=decoded.x_pub,
                data=data,
                leaf=merkle.leaf_hash(decoded.tracker, decoded.sigma),
                status=status,
            )
    except IntegrityError:
        raise _why_not_inserted(
            campaign, member_id, election, decoded.tracker, decoded.x_pub
        ) from None


#: The database part of an encrypted cast on PostgreSQL, in one statement and one round trip
#: (issue #16): the account active with the password hash its session was verified with
#: (accounts.sessionproof, as services._CAST_SQL), its member on the roll of this question's
#: list, voting open at `now` (read again: the view keeps the campaign a few seconds), the
#: credential on the list for this question and not voided; then the participation (ON
#: CONFLICT DO NOTHING: one per member across channels, as the plaintext cast) and the ballot.
#: A replayed tracker or a used credential is the ballot's unique violation, which undoes the
#: whole statement. No row: nothing stored, and `_why_not_cast` reads why.
_CAST_SQL = """
WITH voter AS (
    SELECT u.member_id FROM accounts_user u
    JOIN primaries_voterrollentry r ON r.member_id = u.member_id
    JOIN primaries_contest k ON k.id = r.contest_id
    JOIN primaries_campaign c ON c.id = r.campaign_id
    WHERE u.id = %(user)s AND u.is_active
      AND encode(sha256(convert_to(u.password, 'UTF8')), 'hex') = %(proof)s
      AND r.campaign_id = %(campaign)s AND k.code = %(question)s AND c.status = %(voting)s
      AND (c.voting_starts IS NULL OR c.voting_starts <= %(now)s)
      AND (c.voting_ends IS NULL OR c.voting_ends > %(now)s)
), credential AS (
    SELECT 1 FROM primaries_e2ecredential
    WHERE election_id = %(election)s AND key = %(key)s AND question = %(question)s
      AND NOT voided
    FOR SHARE  -- held to commit: a void install waits for this cast, or this reads its outcome
), voted AS (
    INSERT INTO primaries_participation (id, campaign_id, member_id, channel, voted_on)
    SELECT %(id)s, %(campaign)s, voter.member_id, %(channel)s, %(day)s FROM voter, credential
    ON CONFLICT DO NOTHING
    RETURNING campaign_id
)
INSERT INTO primaries_encryptedballot
    (tracker, election_id, question, channel, credential, data, leaf, status, reason, batch)
SELECT %(tracker)s, %(election)s, %(question)s, %(channel)s, %(key)s, %(data)s, %(leaf)s,
       %(status)s, '', NULL FROM voted
RETURNING 1
"""


def _cast_statement(campaign, account, election, question, decoded, data, status) -> bool:
    """True: stored. False: nothing stored (the account, the roll, the window, the credential
    or one ballot per member). Refused("conflict") for the ballot's unique violation (a
    replayed tracker, a used credential), the caller says which."""
    now = timezone.now()
    params = {
        "user": account.user_id,
        "proof": account.digest,
        "campaign": campaign.pk,
        "question": question,
        "voting": S.VOTING.value,
        "now": now,
        "election": election.pk,
        "key": decoded.x_pub,
        "id": uuid.uuid4(),
        "channel": EncryptedBallot.Channel.ONLINE.value,
        "day": timezone.localdate(now),
        "tracker": decoded.tracker,
        "data": data,
        "leaf": merkle.leaf_hash(decoded.tracker, decoded.sigma),
        "status": status,
    }
    dbrouter.note_write()
    try:
        if connection.in_atomic_block:  # a savepoint, so that a refusal leaves the caller's
            with transaction.atomic():  # transaction usable (tests, paper entry)
                return _execute_one(params)
        else:  # autocommit: the statement is its own transaction, committed on return
            return _execute_one(params)
    except IntegrityError:
        raise _Conflict from None


class _Conflict(Refused):
    def __init__(self):
        super().__init__("conflict", _("The ballot could not be recorded; try again."), 409)


def _execute_one(params) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_CAST_SQL, params)
        return cursor.fetchone() is not None


def _refuse_off_roll(campaign, user, question) -> None:
    """The roll checks, in the order the cast made them before it was one statement."""
    entry = roll_entry(campaign, user)
    if question != entry.contest.code:
        raise Refused("wrong-question", _("This ballot is for another list than yours."))


def _why_not_cast(campaign, user, election, question, decoded) -> Refused:
    """Why the cast statement stored nothing (read after it, off the path of a good cast)."""
    fresh = Campaign.objects.filter(pk=campaign.pk).first()
    if fresh is None or not _voting_open(fresh):
        return Refused("voting-closed", _("Voting is not open."), 409)
    try:
        _refuse_off_roll(campaign, user, question)
        _check_credential(election, question, decoded.x_pub)
    except Refused as exc:
        return exc
    return _why_not_inserted(campaign, user.member_id, election, decoded.tracker, decoded.x_pub)


def _why_not_inserted(campaign, member_id, election, tracker, x_pub) -> Refused:
    if EncryptedBallot.objects.filter(tracker=tracker).exists():
        return Refused("replayed", _("This very ballot was already received."), 409)
    if Participation.objects.filter(campaign=campaign, member_id=member_id).exists():
        return Refused("already-voted", _("You have already voted in this campaign."), 409)
    if EncryptedBallot.objects.filter(election=election, credential=x_pub).exists():
        return Refused("credential-used", _("This credential has already been used."), 409)
    return Refused("conflict", _("The ballot could not be recorded; try again."), 409)


#: One check task per election and process at most this often (seconds): a task checks every
#: pending ballot of its election, so a cast need not add a task row of its own to the queue
#: while one is due; the periodic sealer (`seal_boards`) checks whatever is still pending.
CHECK_ENQUEUE_INTERVAL = 1.0
_enqueued: dict[int, float] = {}
_enqueue_lock = threading.Lock()


def _enqueue_check(election_id: int) -> None:
    from .tasks import check_encrypted_ballots

    now = time.monotonic()
    with _enqueue_lock:
        last = _enqueued.get(election_id)
        if last is not None and now - last < CHECK_ENQUEUE_INTERVAL:
            return
        _enqueued[election_id] = now
    check_encrypted_ballots.enqueue(election_id)


def add_paper_ballots(campaign: Campaign, contest, ballots: list[list[str]]) -> None:
    """Double-entered paper ballots (lists of candidate ids), encrypted by the server with
    proofs and a fresh one-off credential each (record.paper_ballot), inside the caller's
    transaction; channel paper. They are checked and sealed like online ballots."""
    election = E2EElection.objects.get(campaign=campaign)
    manifest = manifest_of(election)
    q = next((q for q in manifest.data["questions"] if q["id"] == contest.code), None)
    if q is None:
        raise ValidationError(_("This list has no question in the encrypted election."))
    ids = [c["id"] for c in q["candidates"]]
    rows = []
    for chosen in ballots:
        data = record.paper_ballot(
            manifest.phi, manifest.y, q, [int(c in chosen) for c in ids], SystemRng()
        )
        rows.append(
            EncryptedBallot(
                tracker=e2e_ballot.tracker(data[:-64]),
                election=election,
                question=q["id"],
                channel=EncryptedBallot.Channel.PAPER,
                credential=data[40:72],
                data=data,
                leaf=merkle.leaf_hash(e2e_ballot.tracker(data[:-64]), data[-64:]),
                status=B.PENDING,
            )
        )
    rows.sort(key=lambda r: bytes(r.tracker))
    EncryptedBallot.objects.bulk_create(rows)
    transaction.on_commit(lambda: _enqueue_check(election.pk))


# Checking and sealing -----------------------------------------------------------------------
def _rewrite_in_tracker_order(rows: list[EncryptedBallot], **changes) -> None:
    """Delete and re-insert rows in tracker order, so that storage order is not arrival order."""
    trackers = [bytes(r.tracker) for r in rows]
    for start in range(0, len(trackers), 900):
        EncryptedBallot.objects.filter(tracker__in=trackers[start : start + 900]).delete()
    for r in rows:
        for k, v in changes.items():
            setattr(r, k, v)
    EncryptedBallot.objects.bulk_create(
        sorted(rows, key=lambda r: bytes(r.tracker)), batch_size=1000
    )


def check_pending(election: E2EElection, *, limit: int = 5000) -> tuple[int, int]:
    """Check the proofs of pending ballots: (verified, rejected). The rejected go into one
    REJECT event with the ballot and the reason, as evidence."""
    manifest = manifest_of(election)
    rows = list(
        EncryptedBallot.objects.filter(election=election, status=B.PENDING).only(
            "tracker", "question", "data"
        )[:limit]
    )
    if not rows:
        return 0, 0
    good, bad = [], []
    for row in rows:
        try:
            e2e_ballot.verify(manifest.questions[row.question], bytes(row.data))
        except e2e_ballot.InvalidBallot as exc:
            bad.append((row, str(exc)))
        else:
            good.append(bytes(row.tracker))
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        for start in range(0, len(good), 900):
            EncryptedBallot.objects.filter(
                tracker__in=good[start : start + 900], status=B.PENDING
            ).update(status=B.VERIFIED)
        if bad:
            bad.sort(key=lambda pair: bytes(pair[0].tracker))
            w = writer(locked)
            items = [(r.question, bytes(r.data), why) for r, why in bad]
            event = _store(locked, w.reject(items, _record_day()))
            save_writer(locked, w)
            full = list(
                EncryptedBallot.objects.filter(tracker__in=[bytes(r.tracker) for r, _ in bad])
            )
            reasons = {bytes(r.tracker): why[:300] for r, why in bad}
            for r in full:
                r.reason = reasons[bytes(r.tracker)]
            _rewrite_in_tracker_order(full, status=B.REJECTED, batch=event.seq)
    return len(good), len(bad)


def seal(election: E2EElection, *, limit: int = 50_000) -> E2EEvent | None:
    """Seal the verified ballots into one BATCH event."""
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        rows = list(EncryptedBallot.objects.filter(election=locked, status=B.VERIFIED)[:limit])
        if not rows:
            return None
        w = writer(locked)
        items = [(r.question, r.channel, bytes(r.data)) for r in rows]
        event = _store(locked, w.batch(items, _record_day()))
        save_writer(locked, w)
        _rewrite_in_tracker_order(rows, status=B.SEALED, batch=event.seq)
        _store_paths(locked, event.seq, [(bytes(r.tracker), bytes(r.leaf)) for r in rows])
    return event


def _store_paths(election: E2EElection, seq: int, members: list[tuple[bytes, bytes]]) -> None:
    """Write every inclusion path of a sealed batch ([(tracker, leaf)]): one pass over the
    leaves (record.MerkleIndex), then each path in O(log n), stored in tracker order."""
    members = sorted(members)
    index = record.MerkleIndex([leaf for _t, leaf in members])
    E2EBallotPath.objects.bulk_create(
        (
            E2EBallotPath(
                tracker=t, election=election, batch=seq, index=i, path=b"".join(index.path(i))
            )
            for i, (t, _leaf) in enumerate(members)
        ),
        batch_size=1000,
        ignore_conflicts=True,  # two first lookups of an older batch may race to fill it
    )


def batch_paths(election: E2EElection, seq: int) -> None:
    """Fill the paths of a batch sealed before they were stored (computed once)."""
    members = EncryptedBallot.objects.filter(election=election, batch=seq, status=B.SEALED)
    _store_paths(
        election,
        seq,
        [(bytes(t), bytes(leaf)) for t, leaf in members.values_list("tracker", "leaf")],
    )


def process(election: E2EElection) -> int:
    """What the worker and the periodic sealer do: check everything pending, seal what passed."""
    while check_pending(election) != (0, 0):
        pass
    sealed = 0
    while (event := seal(election)) is not None:
        sealed += EncryptedBallot.objects.filter(election=election, batch=event.seq).count()
    return sealed


def process_due() -> int:
    ids = (
        EncryptedBallot.objects.filter(status__in=(B.PENDING, B.VERIFIED))
        .values_list("election_id", flat=True)
        .distinct()
    )
    count = 0
    for election in E2EElection.objects.filter(pk__in=list(ids)):
        count += process(election)
    return count


def tracker_status(election: E2EElection, tracker: bytes) -> dict | None:
    row = (
        EncryptedBallot.objects.filter(election=election, tracker=tracker)
        .values_list("status", "batch")
        .first()
    )
    if row is None:
        return None
    status, batch = row
    if status == B.REJECTED:
        reason = (
            EncryptedBallot.objects.filter(election=election, tracker=tracker)
            .values_list("reason", flat=True)
            .get()
        )
        event = E2EEvent.objects.filter(election=election, seq=batch).first()
        return {
            "status": "rejected",
            "reason": rejection_reason(reason),
            "event": bytes(event.line).decode() if event else None,
            "index": 0,
            "path": [],
        }
    if status != B.SEALED:
        return {"status": "pending", "event": None, "index": 0, "path": []}
    event = E2EEvent.objects.get(election=election, seq=batch)
    # The stored path: one row by primary key (a sealed batch's paths never change).
    cached = sealed_path(tracker)
    if cached is None:
        batch_paths(election, batch)
        cached = sealed_path(tracker)
    index, path = cached
    return {
        "status": "sealed",
        "event": bytes(event.line).decode(),
        "index": index,
        "path": [b64e(p) for p in path],
    }


def sealed_path(tracker: bytes) -> tuple[int, list[bytes]] | None:
    row = E2EBallotPath.objects.filter(tracker=tracker).values_list("index", "path").first()
    if row is None:
        return None
    index, path = row[0], bytes(row[1])
    return index, [path[i : i + 32] for i in range(0, len(path), 32)]


def rejection_reason(reason: str) -> str:
    """The reason a ballot was rejected (ballot.InvalidBallot's text, as on the REJECT event),
    in the user's language."""
    import re

    if m := re.search(r"\[(\d+)\]: 0/1 proof does not verify", reason):
        return _(
            "The proof for candidate %(n)s does not verify: the ballot was not made by a "
            "genuine voting page, or its proof was copied from another ballot."
        ) % {"n": int(m.group(1)) + 1}
    if "sum proof does not verify" in reason:
        return _(
            "The proof of the number of choices does not verify: the ballot was not made by "
            "a genuine voting page, or its proof was copied from another ballot."
        )
    if "sigma does not verify" in reason:
        return _("The ballot's signature does not verify.")
    if "phi is another election's" in reason:
        return _("The ballot is for another election.")
    return _("The ballot is malformed.")


TREE_BLOCK_LEVEL = 6  # subtrees of 64 leaves: their roots and those above are stored


def pack_upper_levels(leaves: list[bytes]) -> bytes:
    """The levels of the credential tree from subtrees of 2**TREE_BLOCK_LEVEL leaves up, as
    stored in E2ECredentialList.upper_levels (each level: 4-byte length, then its nodes)."""
    levels = record.MerkleIndex(leaves).levels[TREE_BLOCK_LEVEL:]
    return b"".join(len(level).to_bytes(4, "big") + level for level in levels)


class StoredTree:
    """Inclusion paths in the credential tree from its stored upper levels and at most two
    blocks of 64 leaves read from the database (the leaf's own block and, for the right edge,
    the last one): no per-process index, so the first request is as fast as the next.
    Same tree shape and hashes as merkle.py."""

    def __init__(self, size: int, upper: bytes, fetch) -> None:
        self.size = size
        self.fetch = fetch  # (lo, hi) -> leaves lo..hi-1
        self.levels: dict[int, bytes] = {}
        pos, level = 0, TREE_BLOCK_LEVEL
        while pos < len(upper):
            n = int.from_bytes(upper[pos : pos + 4], "big")
            self.levels[level] = upper[pos + 4 : pos + 4 + n]
            pos, level = pos + 4 + n, level + 1
        self.blocks: dict[int, list[bytes]] = {}

    def _leaves(self, lo: int, n: int) -> list[bytes]:
        block = 1 << TREE_BLOCK_LEVEL
        b = lo // block
        if b not in self.blocks:
            self.blocks[b] = self.fetch(b * block, min(b * block + block, self.size))
        return self.blocks[b][lo - b * block : lo - b * block + n]

    def _root(self, lo: int, size: int) -> bytes:
        if size & (size - 1) == 0 and lo % size == 0:
            level = size.bit_length() - 1
            if level >= TREE_BLOCK_LEVEL:
                i = lo // size * 32
                return self.levels[level][i : i + 32]
            return merkle.root(self._leaves(lo, size))
        k = merkle._split(size)
        return merkle.node_hash(self._root(lo, k), self._root(lo + k, size - k))

    def path(self, index: int) -> list[bytes]:
        out = []
        lo, size = 0, self.size
        while size > 1:
            k = merkle._split(size)
            if index < lo + k:
                out.append(self._root(lo + k, size - k))
                size = k
            else:
                out.append(self._root(lo, k))
                lo, size = lo + k, size - k
        return out[::-1]


def _credential_leaves(election_id: int, lo: int, hi: int) -> list[bytes]:
    rows = (
        E2ECredential.objects.filter(election_id=election_id, index__gte=lo, index__lt=hi)
        .order_by("index")
        .values_list("question", "key")
    )
    return [credential_leaf(q, bytes(k)) for q, k in rows]


def credential_path(election: E2EElection, key: bytes) -> dict | None:
    """A credential's index and Merkle path in the list: two indexed queries and about
    2 log2(n) hashes, whatever the list's size."""
    row = (
        E2ECredential.objects.filter(election=election, key=key)
        .values_list("index", "question")
        .first()
    )
    if row is None:
        return None
    index, question = row
    cl = (
        E2ECredentialList.objects.filter(election=election)
        .values_list("count", "upper_levels")
        .get()
    )
    count, upper = cl[0], cl[1]
    if upper is None:  # a list installed before the levels were stored
        leaves = _credential_leaves(election.pk, 0, count)
        upper = pack_upper_levels(leaves)
        E2ECredentialList.objects.filter(election=election).update(upper_levels=upper)
    tree = StoredTree(count, bytes(upper), functools.partial(_credential_leaves, election.pk))
    return {
        "question": question,
        "index": index,
        "count": count,
        "path": [b64e(p) for p in tree.path(index)],
    }


# Observers ----------------------------------------------------------------------------------
def add_cosignature(election: E2EElection, seq: int, key: bytes, sig: bytes) -> E2EEvent:
    """A listed observer's co-signature of event `seq` (Ed25519, kind "observer", on the event's
    hash), checked by record.add_cosignature and added to the stored line; the event's hash,
    and so the chain, does not change. Refused (nothing changed) for a key not in the manifest
    or a signature that does not verify."""
    observers = [b64d(k) for k in manifest_of(election).data["keys"]["observers"]]
    with transaction.atomic():
        E2EElection.objects.select_for_update().filter(pk=election.pk).first()
        event = E2EEvent.objects.filter(election=election, seq=seq).first()
        if event is None:
            raise Refused("unknown-event", _("The record has no event with this number."), 404)
        if key not in observers:
            raise Refused("not-observer", _("This key is not one of the listed observers'."), 403)
        try:
            line = record.add_cosignature(bytes(event.line) + b"\n", key, sig, observers)
        except record.RecordError:
            raise Refused(
                "bad-cosignature", _("The co-signature does not verify for this event.")
            ) from None
        event.line = line.rstrip(b"\n")
        event.save(update_fields=["line"])
    return event


# Close, tally, shares, result ---------------------------------------------------------------
def close(campaign: Campaign) -> None:
    """After the campaign's status moved to counting: check and seal the rest, then the CLOSE
    and TALLY events."""
    election = E2EElection.objects.get(campaign=campaign)
    process(election)
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        if locked.events.filter(type="CLOSE").exists():
            return
        w = writer(locked)
        day = _record_day()
        _store(locked, w.close(_utc(campaign.voting_ends or timezone.now()), day))
        _store(locked, w.tally(day))
        save_writer(locked, w)


def public_keys(election: E2EElection) -> ceremony.PublicKeys:
    return ceremony.verify_transcript(
        canonical.loads(bytes(election.transcript)), str(election.uuid), election.threshold
    )


class ShareRefused(ValidationError):
    pass


def add_share(election: E2EElection, data: bytes) -> E2EEvent:
    """A trustee's SHARE file (the payload `bastau-trustee share` writes): checked against the
    TALLY and the trustee's key, then appended. With t valid shares the RESULT follows and the
    campaign's counts are set (campaign.tally), from which the lists and protocols are built
    as for a plaintext campaign. A bad share raises ShareRefused naming the trustee."""
    try:
        payload = canonical.loads(_uploaded(data), "SHARE")
    except canonical.CanonicalError:
        raise ShareRefused(e2e_messages.file_error("share")) from None
    with transaction.atomic():
        locked = E2EElection.objects.select_for_update().get(pk=election.pk)
        w = writer(locked)
        if w.tally_payload is None:
            raise ShareRefused(
                _("Shares are taken once the vote is closed and the tally is on the record.")
            )
        if locked.events.filter(type="RESULT").exists():
            raise ShareRefused(_("The result is already on the record."))
        keys = public_keys(locked)
        try:
            j, _ds = shares.verify_share_payload(payload, w.tally_payload, w.phi, keys)
        except shares.ShareError as exc:
            raise ShareRefused(e2e_messages.share_error(exc)) from None
        if j in w.shares:
            raise ShareRefused(_("Trustee %(j)s's share is already on the record.") % {"j": j})
        event = _store(locked, w.share(payload, _record_day()))
        if len(w.shares) >= locked.threshold:
            trustees = sorted(w.shares)[: locked.threshold]
            result = record.parse_event(w.result(trustees, _record_day()))
            _store(locked, result.line(), result)
            _set_counts(locked.campaign, result.payload)
        save_writer(locked, w)
    return event


def _set_counts(campaign: Campaign, result: dict) -> None:
    """campaign.tally in the shape the plaintext tally has (ballots, blank, counts by candidate
    id), so that results.py, build_lists and the documents read it unchanged; "e2e" marks it."""
    counts: dict[str, int] = {}
    election = campaign.e2e
    manifest = manifest_of(election).data
    for mq, q in zip(manifest["questions"], result["questions"], strict=True):
        for cand, total in zip(mq["candidates"], q["total"], strict=True):
            counts[cand["id"]] = total
    close_payload = canonical.loads(
        bytes(E2EEvent.objects.get(election=election, type="CLOSE").line)
    )["payload"]
    ballots = close_payload["ballots"]["online"] + close_payload["ballots"]["paper"]
    tally = {"ballots": ballots, "counts": counts, "e2e": b64e(bytes(election.phi))}
    Campaign.objects.filter(pk=campaign.pk).update(tally=tally)
    campaign.tally = tally
