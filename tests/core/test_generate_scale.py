"""`bastau generate_scale` at toy size: the counts, determinism, and a board that verifies.

Runs on SQLite (bulk_create) and, with DATABASE_URL, on PostgreSQL (COPY)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from bastau.accounts.models import Role, User
from bastau.demo import scale
from bastau.lib import iin as iin_lib
from bastau.members.models import Member
from bastau.primaries import board, services
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    Checkpoint,
    Contest,
    Participation,
    VoterRollEntry,
)
from bastau.reception.models import Appeal
from bastau.structure.models import Branch, PrimaryOrganization

TODAY = dt.date(2026, 5, 10)
SIZES = dict(members=1500, appeals=300, ballots=600, candidates=25, lists=6, poos=12)


def generate(**overrides):
    options = {**SIZES, "today": TODAY, "checkpoint_size": 250, **overrides}
    return scale.generate(scale.ScaleSpec(**options))


def fingerprint() -> str:
    """A digest of what the data set holds (keys and the values that matter)."""
    digest = hashlib.sha256()
    parts = [
        Branch.objects.order_by("pk").values_list("code", "kind", "parent_id"),
        PrimaryOrganization.objects.order_by("pk").values_list("code", "branch_id", "name"),
        Member.objects.order_by("pk").values_list(
            "iin", "last_name", "poo_id", "status", "joined_on", "left_on", "sector"
        ),
        Appeal.objects.order_by("number").values_list(
            "number", "tracking_code", "status", "registered_on", "due_on", "resolved_on"
        ),
        Candidate.objects.order_by("number").values_list("number", "member_id", "contest__code"),
        Checkpoint.objects.order_by("seq").values_list("seq", "batch_root", "signature"),
        Ballot.objects.order_by("tracker").values_list("tracker", "contest__code"),
        Participation.objects.order_by("member_id").values_list("member_id", "channel", "voted_on"),
    ]
    for rows in parts:
        for row in rows:
            digest.update(repr(row).encode())
    digest.update(json.dumps(Campaign.objects.get().tally, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.mark.django_db
def test_counts_and_shapes():
    result = generate()
    assert result.counts["members"] == Member.objects.count() == 1500
    assert Appeal.objects.count() == 300
    assert Branch.objects.filter(kind=Branch.Kind.REGION).count() == 1
    assert Branch.objects.exclude(kind=Branch.Kind.REGION).count() == 6
    assert PrimaryOrganization.objects.count() == 12
    # Every branch has a POO; every POO belongs to a district or city branch.
    assert not Branch.objects.exclude(kind=Branch.Kind.REGION).filter(poos=None).exists()
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.COUNTING and campaign.tally is not None
    assert Contest.objects.filter(campaign=campaign).count() == 6
    assert Candidate.objects.filter(campaign=campaign).count() == 25
    assert Ballot.objects.count() == Participation.objects.count() == 600
    assert campaign.tally["ballots"] == 600
    assert Checkpoint.objects.count() == result.counts["checkpoints"] >= 2
    roll = VoterRollEntry.objects.filter(campaign=campaign).count()
    assert roll == services.members_in_scope(campaign).count() == result.counts["roll"]
    # Who voted is on the roll; each ballot lands in its voter's contest.
    assert not Participation.objects.exclude(
        member_id__in=VoterRollEntry.objects.values("member_id")
    ).exists()
    per_contest = {
        c.pk: c for c in Contest.objects.filter(campaign=campaign).select_related("branch")
    }
    for contest_id, n in Counter(Ballot.objects.values_list("contest_id", flat=True)).items():
        voters = Participation.objects.filter(
            member__in=VoterRollEntry.objects.filter(contest_id=contest_id).values("member_id")
        ).count()
        assert voters == n, per_contest[contest_id].code
    # Users to sign in with.
    assert User.objects.get(username=scale.ADMIN_USERNAME).role == Role.REGIONAL_ADMIN
    assert User.objects.get(username=scale.ADMIN_USERNAME).check_password(scale.DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_members_are_valid_and_realistic():
    generate(members=3000, lists=4, candidates=8, ballots=300)
    members = list(Member.objects.values_list("iin", "birth_date", "sex", "joined_on", "left_on"))
    assert len({m[0] for m in members}) == len(members)
    for iin, birth_date, sex, joined_on, left_on in members:
        parsed = iin_lib.parse(iin)
        assert (parsed.birth_date, parsed.sex) == (birth_date, sex)
        assert joined_on >= birth_date and joined_on <= TODAY
        assert left_on is None or joined_on <= left_on <= TODAY
    women = sum(1 for m in members if m[2] == "F") / len(members)
    assert 0.47 < women < 0.57
    ended = Member.objects.filter(status__in=Member.ENDED)
    assert 0.04 < ended.count() / len(members) < 0.11
    assert not ended.filter(left_on=None).exists()
    young = Member.objects.filter(birth_date__gt=dt.date(TODAY.year - 35, TODAY.month, TODAY.day))
    assert 0.15 < young.count() / len(members) < 0.28
    # Appeals: numbers unique, deadlines after registration, old ones mostly closed.
    appeals = Appeal.objects.all()
    assert not appeals.filter(deadline__lte=F("registered_on")).exists()
    assert appeals.filter(status__in=Appeal.OPEN).count() < appeals.count() / 2


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    generate()
    first = fingerprint()
    scale.reset()
    generate()
    assert fingerprint() == first
    scale.reset()
    generate(seed="another")
    assert fingerprint() != first


@pytest.mark.django_db
def test_the_board_exports_and_verifies(tmp_path):
    generate()
    campaign = Campaign.objects.get()
    path = tmp_path / "board.json"
    call_command("export_board", campaign.slug, "-o", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_board", str(path), "--public-key", campaign.public_key, stdout=out)
    text = out.getvalue()
    assert "OK: every signature, commitment and count verifies." in text
    assert "Ballots: 600;" in text
    record = json.loads(path.read_text(encoding="utf-8"))
    report = board.verify_board(record, expected_public_key=campaign.public_key)
    assert report.ok and report.tally["counts"] == campaign.tally["counts"]
    # The lists can be built from the tally, as publishing the results does.
    results = services.build_lists(None, campaign)
    assert len(results) == 6 and sum(r.feasible for r in results) >= 4


@pytest.mark.django_db
def test_the_command_refuses_a_database_with_data():
    out = io.StringIO()
    args = ["--members=1500", "--appeals=50", "--ballots=100", "--candidates=10", "--lists=3"]
    call_command("generate_scale", *args, "--today=2026-05-10", "--quiet-progress", stdout=out)
    assert "Generated in" in out.getvalue()
    with pytest.raises(CommandError, match="already holds data"):
        call_command("generate_scale", *args, "--quiet-progress", stdout=io.StringIO())
    call_command("generate_scale", *args, "--reset", "--quiet-progress", stdout=io.StringIO())
    assert Member.objects.count() == 1500
    with pytest.raises(CommandError, match="at least --lists"):
        call_command("generate_scale", "--candidates=2", "--lists=3", stdout=io.StringIO())
