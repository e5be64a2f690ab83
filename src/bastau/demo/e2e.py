"""Encrypted ballots in the demo (issue 13, section 10): the trustees, the simulated key
ceremony, the simulated credential authority and encrypted ballots, used by the primaries step.

- Three trustees, any two of whom decrypt: the demo users ``trustee1``..``trustee3`` (members of
  the region, password ``DEMO_PASSWORD``). Their ceremony is simulated in this process
  (``ceremony.simulate``); for the open campaign each trustee's finished keystore and its
  backup are written to ``settings.VAR_DIR / "demo-trustees"`` under the public demo passphrase
  ``TRUSTEE_PASSPHRASE``, so that after the close a trustee runs ``bastau-trustee share`` as in
  production. The finished campaign's trustees uploaded their shares long ago: their secrets
  live only while the step runs.
- The credential authority is simulated too, and forgetful: one credential per roll entry,
  of which only the public key goes to the server. The demo member's credential derives from
  the demo's fixed seed, so that `bastau demo_logins` can print it (the server never shows
  it); every other credential's secret is dropped as soon as its public key is made.
- Encrypted ballots are built as a browser builds them (``bastau.primaries.e2e.ballot``) with
  such credentials, and cast through ``encrypted.cast``. They are few (a few dozen): each one
  carries its proofs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from bastau.accounts.models import Role, User
from bastau.members.models import Member
from bastau.primaries import encrypted
from bastau.primaries.e2e import (
    ballot,
    canonical,
    ceremony,
    credentials,
    keystore,
    record,
    shares,
    signing,
)
from bastau.primaries.e2e.hashing import SystemRng, b64e
from bastau.primaries.models import Campaign, VoterRollEntry

from . import SEED, DemoContext, password_hash
from .structure import demo_poos

#: (username, the trustee's name in the ceremony).
TRUSTEES = (
    ("trustee1", "Trustee 1"),
    ("trustee2", "Trustee 2"),
    ("trustee3", "Trustee 3"),
)
TRUSTEE_USERNAMES = tuple(username for username, _name in TRUSTEES)
THRESHOLD = 2
#: The passphrase of the demo trustees' keystores (public: this is a demo).
TRUSTEE_PASSPHRASE = "bastau-demo-trustee"
#: The simulated credential authority's Ed25519 seed (public: this is a demo).
CA_SEED = hashlib.sha256(f"{SEED}:credential-authority".encode()).digest()


def trustee_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-trustees"


def keystore_path(index: int, *, backup: bool = False) -> Path:
    name = f"trustee-{index}-backup.key" if backup else f"trustee-{index}.key"
    return trustee_dir() / name


def passphrase_path() -> Path:
    return trustee_dir() / "passphrase.txt"


def member_credential(slug: str) -> str:
    """The demo member's credential in the campaign `slug`: what the simulated authority hands
    the member (derived from the demo's public seed, so `bastau demo_logins` can print it)."""
    value = hashlib.sha256(f"{SEED}:credential:{slug}".encode()).digest()[:16]
    return credentials.format_credential(value)


def trustee_users(ctx: DemoContext, rng, exclude_members) -> list[User]:
    """The three trustees' users (created once): members of the region, demo password."""
    users = {u.username: u for u in User.objects.filter(username__in=TRUSTEE_USERNAMES)}
    missing = [name for name in TRUSTEE_USERNAMES if name not in users]
    if missing:
        linked = User.objects.filter(member__isnull=False).values("member_id")
        pool = list(
            Member.objects.filter(poo__in=demo_poos(), status=Member.Status.ACTIVE)
            .exclude(pk__in=linked)
            .exclude(pk__in=exclude_members)
            .order_by("iin")
            .values_list("pk", flat=True)[:500]
        )
        chosen = Member.objects.in_bulk(rng.sample(pool, len(missing)))
        password = password_hash()
        for username, member in zip(missing, chosen.values(), strict=True):
            user = User(
                username=username,
                role=Role.MEMBER,
                member=member,
                first_name=member.first_name,
                last_name=member.last_name,
                email=f"{username}@bastau.example",
                phone=f"+7700555030{TRUSTEE_USERNAMES.index(username) + 1}",
            )
            user.password = password
            user.save()
            users[username] = user
            ctx.log(f"  user {username} (trustee)")
    return [users[name] for name in TRUSTEE_USERNAMES]


def set_up(campaign: Campaign, trustees: list[User], *, member_id: int | None, keep: bool):
    """During registration: name the trustees, run their (simulated) ceremony, freeze the
    roll and install the simulated authority's credential list. With `keep`, the trustees'
    keystores are written to trustee_dir(). Returns (election, the trustees' secrets,
    {member_id: credential secret x}): the caller casts the demo's ballots with a few of the
    x and drops the rest (the authority is forgetful)."""
    rng = SystemRng()
    election = encrypted.create_election(
        campaign,
        trustees=[
            (f"{name} ({user.get_full_name()})", user)
            for (_u, name), user in zip(TRUSTEES, trustees, strict=True)
        ],
        threshold=THRESHOLD,
        ca_key=signing.public_key(CA_SEED),
    )
    names = list(election.trustees.order_by("index").values_list("name", flat=True))
    transcript, secrets = ceremony.simulate(str(election.uuid), names, THRESHOLD, rng)
    encrypted.install_transcript(election, transcript)
    if keep:
        directory = trustee_dir()
        directory.mkdir(parents=True, exist_ok=True)
        passphrase_path().write_text(TRUSTEE_PASSPHRASE + "\n")
        for j, secret in secrets.items():
            ks = keystore.for_simulated(transcript, secret)
            keystore.save(ks, keystore_path(j), TRUSTEE_PASSPHRASE)
            keystore.save(ks, keystore_path(j, backup=True), TRUSTEE_PASSPHRASE)
    encrypted.freeze_roll(campaign)
    keys: dict[int, bytes] = {}
    roll = []
    for pk, code in (
        VoterRollEntry.objects.filter(campaign=campaign)
        .order_by("member_id")
        .values_list("member_id", "contest__code")
    ):
        credential = (
            member_credential(campaign.slug) if pk == member_id else credentials.new_credential(rng)
        )
        x = credentials.secret_key(election.uuid, credential)
        keys[pk] = x
        roll.append((code, credentials.public_key(x)))
    signed = record.build_credentials(roll, CA_SEED)
    encrypted.install_credentials(election, canonical.dumps(signed))
    return election, secrets, keys


def void_paper_voters(election, keys: dict[int, bytes]) -> int:
    """The simulated authority voids the credentials of the members who voted on paper since
    the last VOID (the Encryption page's export), with its map `keys` ({member_id: x}), through
    the same upload the commission makes (encrypted.install_void). Returns how many."""
    since = encrypted.last_void_day(election)
    pairs = []
    for entry in encrypted.paper_voters(election.campaign, since):
        x = keys.get(entry.member_id)
        if x is not None:
            pairs.append((entry.contest.code, credentials.public_key(x)))
    if pairs:
        encrypted.install_void(election, record.void_file(CA_SEED, bytes(election.phi), pairs))
    return len(pairs)


def make_ballot(election, question: str, x: bytes, choices: list[int]) -> str:
    """A ballot as the browser builds it (encrypted, proved, signed with the credential)."""
    qe = encrypted.manifest_of(election).questions[question]
    rng = SystemRng()
    body, _audit = ballot.encrypt_body(qe, credentials.public_key(x), [choices], rng)
    return b64e(ballot.sign_body(qe, body, x, rng))


def decrypt(election, secrets: dict, trustees=(1, 3)) -> None:
    """Trustees (any two) add their decryption shares of the TALLY on the record."""
    w = encrypted.writer(election)
    keys = encrypted.public_keys(election)
    for j in trustees:
        payload = shares.make_share_payload(
            w.tally_payload,
            bytes(election.phi),
            j,
            secrets[j].share,
            keys.k[j],
            secrets[j].seed,
            SystemRng(),
        )
        encrypted.add_share(election, canonical.dumps(payload))
