"""Set-up for the encrypted mode of the casting benchmark (bench/b_casting.py): an encrypted
campaign over the members bench/castsetup.py made (their sessions serve both campaigns), 73
candidates choosing up to 20 (issue #13's ballot), and N valid encrypted ballots made
offline, one per member, each with that member's credential, as a phone makes them.

    DATABASE_URL=... python bench/e2e_castsetup.py --setup setup.json --slug cast-e2e \
        --ballots 2000 --out ballots.txt

The campaign goes through the real actions (create_campaign, nominate, registration,
encrypted.create_election, the trustees' ceremony simulated as the tests do, freeze_roll,
install_credentials with a test credential authority's signed list, open voting), so the
manifest, the credential list and the record are the product's. The credential authority
here is the benchmark: it knows every member's secret key x (a real one never tells the
server). Ballots are built by bastau.primaries.e2e.ballot (encrypt, prove, sign) in --jobs
processes; the file holds one line per ballot: "<member index> <question> <base64 ballot>".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = 73
CHOOSE_UP_TO = 20
CA_SEED = bytes(range(32))
TRUSTEES = ["Bench trustee 1", "Bench trustee 2", "Bench trustee 3"]


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _credential_list(roll: list[tuple[str, bytes]]) -> bytes:
    from bastau.primaries.e2e import canonical, merkle, record, signing
    from bastau.primaries.e2e.hashing import b64e

    entries = sorted(roll, key=lambda e: e[1])
    leaves = [record.credential_leaf(q, x) for q, x in entries]
    cl = {
        "entries": [{"question": q, "key": b64e(x)} for q, x in entries],
        "count": len(entries),
        "root": b64e(merkle.root(leaves)),
    }
    cl["sig"] = b64e(signing.sign(CA_SEED, "credentials", record.credentials_signed_digest(cl)))
    return canonical.dumps(cl)


def build(setup: dict, slug: str) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from bastau.accounts.models import User
    from bastau.accounts.scoping import Scope
    from bastau.members.models import Member
    from bastau.primaries import encrypted, services
    from bastau.primaries.e2e import ceremony, credentials, signing
    from bastau.primaries.e2e.hashing import SystemRng, TestRng
    from bastau.primaries.models import Campaign, Candidate, VoterRollEntry

    t0 = time.monotonic()
    scope = Scope(User.objects.get(pk=setup["admin"]))
    first = Campaign.objects.get(slug=setup["slug"])
    campaign = services.create_campaign(
        scope,
        data={
            "encrypted": True,
            "slug": slug,
            "title": f"Bench {slug}",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": first.branch,
            "choose_up_to": CHOOSE_UP_TO,
            "list_length": 0,
            "quota_rules": Campaign.Rules.NONE,
        },
    )
    services.advance(scope, campaign)  # -> nomination
    cands = [
        services.nominate(scope, campaign, m, nomination=Candidate.Nomination.SELF)
        for m in Member.objects.filter(pk__in=setup["members"][:CANDIDATES]).select_related("poo")
    ]
    services.advance(scope, campaign)  # -> registration
    for c in cands:
        services.set_candidate_status(scope, c, status=Candidate.Status.REGISTERED)
    campaign.refresh_from_db()
    campaign.voting_ends = timezone.now() + dt.timedelta(days=7)
    campaign.save()
    election = encrypted.create_election(
        campaign,
        trustees=[(name, None) for name in TRUSTEES],
        threshold=2,
        ca_key=signing.public_key(CA_SEED),
    )
    transcript, _secrets = ceremony.simulate(
        str(election.uuid), TRUSTEES, 2, TestRng(b"bench", "ceremony")
    )
    encrypted.install_transcript(election, transcript)
    encrypted.freeze_roll(campaign)
    t_setup = time.monotonic()
    rng = SystemRng()
    keys: dict[int, bytes] = {}
    roll = []
    for member_id, code in VoterRollEntry.objects.filter(campaign=campaign).values_list(
        "member_id", "contest__code"
    ):
        x = rng.scalar()
        keys[member_id] = x
        roll.append((code, credentials.public_key(x)))
    encrypted.install_credentials(election, _credential_list(roll))
    t_credentials = time.monotonic()
    with transaction.atomic():
        services.advance(scope, campaign)  # -> voting
    campaign.refresh_from_db()
    election.refresh_from_db()
    manifest = encrypted.manifest_of(election)
    (question,) = manifest.questions
    qe = manifest.questions[question]
    q = qe.questions[0]
    return {
        "slug": slug,
        "campaign_id": campaign.pk,
        "question": question,
        "phi": qe.phi.hex(),
        "y": qe.y.hex(),
        "n": q.n,
        "k_min": q.k_min,
        "k_max": q.k_max,
        "keys": {str(k): v.hex() for k, v in keys.items()},
        "roll": len(roll),
        "timings_s": {
            "campaign": round(t_setup - t0, 2),
            "credentials": round(t_credentials - t_setup, 2),
            "open": round(time.monotonic() - t_credentials, 2),
        },
    }


_ELECTION = None


def _init(desc: dict) -> None:
    global _ELECTION
    sys.path.insert(0, str(ROOT / "src"))
    from bastau.primaries.e2e import ballot

    _ELECTION = ballot.Election(
        bytes.fromhex(desc["phi"]),
        bytes.fromhex(desc["y"]),
        (ballot.Question(desc["question"], desc["n"], desc["k_min"], desc["k_max"]),),
    )


def _make(task: tuple[int, str, int]) -> tuple[int, str]:
    from bastau.primaries.e2e import ballot, credentials
    from bastau.primaries.e2e.hashing import SystemRng, b64e

    index, x_hex, seed = task
    rnd = random.Random(seed)
    q = _ELECTION.questions[0]
    k = rnd.randint(q.k_min, q.k_max)
    chosen = set(rnd.sample(range(q.n), k))
    choices = [1 if i in chosen else 0 for i in range(q.n)]
    x = bytes.fromhex(x_hex)
    rng = SystemRng()
    body, _audit = ballot.encrypt_body(_ELECTION, credentials.public_key(x), [choices], rng)
    return index, b64e(ballot.sign_body(_ELECTION, body, x, rng))


def make_ballots(desc: dict, members: list[int], first: int, count: int, jobs: int, out: Path):
    last = min(len(members), first + count)
    tasks = [(i, desc["keys"][str(members[i])], i) for i in range(first, last)]
    t0 = time.monotonic()
    pool = multiprocessing.get_context("fork").Pool(jobs, _init, (desc,))
    with pool, out.open("w") as fh:
        for index, text in pool.imap_unordered(_make, tasks, chunksize=8):
            fh.write(f"{index} {desc['question']} {text}\n")
    return {"ballots": len(tasks), "seconds": round(time.monotonic() - t0, 2), "jobs": jobs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", required=True, help="bench/castsetup.py's JSON")
    parser.add_argument("--slug", default="cast-e2e")
    parser.add_argument("--ballots", type=int, required=True)
    parser.add_argument("--first", type=int, default=0, help="first member index to vote")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", required=True, help="ballots file")
    parser.add_argument("--describe", required=True, help="JSON written here: the campaign")
    args = parser.parse_args(argv)
    setup = json.loads(Path(args.setup).read_text())
    _django()
    desc = build(setup, args.slug)
    made = make_ballots(desc, setup["members"], args.first, args.ballots, args.jobs, Path(args.out))
    desc.pop("keys")
    desc["generated"] = made
    Path(args.describe).write_text(json.dumps(desc))
    print(f"e2e_castsetup: {desc['roll']} on the roll, {made}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
