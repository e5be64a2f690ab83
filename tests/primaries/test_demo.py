"""The primaries of the demo region (issue 3 item 11, DESIGN.md section 4).

The figures (about 2,000 voters of the 2019 Mugalzhar roll) need the full-size demo, so the
module seeds it once (about 20 s on SQLite) inside a transaction that is rolled back at the end;
each test runs in a savepoint of its own (as tests/test_seed_demo.py does). Smaller demos are
seeded, with this step, by tests/test_seed_demo.py.
"""

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import User
from bastau.demo import e2e as demo_e2e
from bastau.demo import primaries as demo_primaries
from bastau.lib.dates import age_on
from bastau.primaries import board, quota, services
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    CommissionMember,
    EncryptedBallot,
    ListResult,
    PaperBatch,
    PaperBatchEntry,
    Participation,
    PendingBallot,
    VoterRollEntry,
)

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The demo is seeded and checked as of this moment; the clock moves on from it, so no
#: test depends on the day it runs (tests/test_demo_days.py seeds on other days).
DEMO_NOW = dt.datetime(2030, 7, 15, 12, 0, tzinfo=ZoneInfo("Asia/Aqtobe"))


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        time_machine.travel(DEMO_NOW),
        override_settings(PASSWORD_HASHERS=HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(full_demo, db, settings):
    settings.PASSWORD_HASHERS = HASHERS
    return full_demo


def reserve() -> Campaign:
    return Campaign.objects.get(slug=demo_primaries.RESERVE_SLUG)


def open_campaign() -> Campaign:
    return Campaign.objects.get(slug=demo_primaries.OPEN_SLUG)


def test_seeding_summary(demo_db):
    output = demo_db
    assert "primaries done" in output
    assert f"Primaries {demo_primaries.RESERVE_SLUG} (closed)" in output


def test_reserve_candidates(demo_db):
    campaign = reserve()
    assert campaign.kind == Campaign.Kind.PERSONNEL_RESERVE
    assert campaign.branch.code == "mugalzhar"
    assert campaign.title.startswith("Мұғалжар аудандық филиалының кадрлық резервіне")
    assert campaign.reference_date == dt.date(2019, 10, 16)
    assert campaign.voting_starts.year == campaign.voting_ends.year == 2019
    assert (campaign.choose_up_to, campaign.list_length) == (5, 20)
    assert campaign.quota_rules == "party-2019" and campaign.tie_break_seed

    candidates = list(campaign.candidates.select_related("member"))
    assert len(candidates) == 73
    assert {c.status for c in candidates} == {Candidate.Status.REGISTERED}
    nominations = Counter(c.nomination for c in candidates)
    assert nominations == {"poo": 44, "self": 29}
    for c in candidates:
        if c.nomination == "poo":
            assert c.nominating_poo_id and c.poo_protocol_number
            assert dt.date(2019, 8, 1) <= c.poo_decision_date <= c.nominated_on
        assert dt.date(2019, 9, 2) <= c.nominated_on <= dt.date(2019, 9, 20)
        assert c.member.poo.branch_id == campaign.branch_id
        assert c.member.joined_on < c.nominated_on
        assert c.biography and c.program
    women = sum(c.sex == "F" for c in candidates)
    youth = sum(age_on(c.birth_date, campaign.reference_date) < 35 for c in candidates)
    assert 0.33 <= women / 73 <= 0.41
    assert 0.38 <= youth / 73 <= 0.46
    assert demo_primaries.candidate_figures(campaign)["women_pct"] == round(100 * women / 73, 1)


def test_reserve_ballots_board_and_results(demo_db):
    campaign = reserve()
    assert campaign.status in (Campaign.Status.RESULTS, Campaign.Status.CLOSED)
    ballots = Ballot.objects.filter(campaign=campaign).count()
    voted = Participation.objects.filter(campaign=campaign)
    assert 1900 <= ballots <= 2100
    assert voted.count() == ballots == campaign.tally["ballots"]
    assert not PendingBallot.objects.filter(campaign=campaign).exists()
    channels = Counter(voted.values_list("channel", flat=True))
    assert channels["paper"] > 50 and channels["online"] > 1500
    assert set(voted.values_list("voted_on", flat=True)) <= {
        dt.date(2019, 10, 14),
        dt.date(2019, 10, 15),
        dt.date(2019, 10, 16),
    }
    # Everyone who voted is on the (2019) roll.
    roll = VoterRollEntry.objects.filter(campaign=campaign)
    assert not voted.exclude(member_id__in=roll.values("member_id")).exists()
    assert roll.count() > ballots
    # Paper batches were typed in twice and accepted; the pairings are gone.
    assert PaperBatch.objects.filter(campaign=campaign, status="accepted").count() >= 3
    assert not PaperBatchEntry.objects.filter(batch__campaign=campaign).exists()

    # Sealed in several checkpoints, in 2019; the record verifies against the campaign's key.
    checkpoints = list(campaign.checkpoints.order_by("seq"))
    assert len(checkpoints) >= 5
    assert all(cp.sealed_at.startswith("2019-10-1") for cp in checkpoints)
    record = services.export_record(campaign)
    report = board.verify_board(record, expected_public_key=campaign.public_key)
    assert report.ok, report.summary()
    assert report.ballots == ballots and report.checkpoints == len(checkpoints)
    assert report.tally["counts"] == campaign.tally["counts"]
    # bastau-board/2: the party list rebuilt from the record alone is the one Bastau built
    assert record["format"] == "bastau-board/2" and report.full_pass
    results = ListResult.objects.filter(contest__campaign=campaign).select_related("contest")
    assert results
    for result in results:
        built = [row["id"] for row in result.data.get("list", [])] or None
        assert report.lists[result.contest.code] == built
    counts = sorted(campaign.tally["counts"].values(), reverse=True)
    assert counts[0] > 3 * counts[len(counts) // 2], "some candidates are far more popular"

    # The published list: 20 names, feasible, meeting the party-2019 quotas.
    result = ListResult.objects.get(contest__campaign=campaign)
    assert result.feasible
    rows = result.data["list"]
    assert len(rows) == 20
    by_id = {c.board_id: c for c in campaign.candidates.all()}
    listed = [
        quota.Candidate(
            id=row["id"],
            name=row["name"],
            votes=row["votes"],
            gender=by_id[row["id"]].sex,
            birth_date=by_id[row["id"]].birth_date,
        )
        for row in rows
    ]
    assert quota.check_list(listed, "party-2019", campaign.reference_date) == []
    assert all(q["count"] >= q["needed"] for q in result.data["quotas"])

    # The commission: 3-5 users, "commission" chairs it and can sign in with the demo password.
    commission = CommissionMember.objects.filter(campaign=campaign)
    assert 3 <= commission.count() <= 5
    chair = commission.get(role="chair").user
    assert chair.username == "commission" and chair.check_password(demo.DEMO_PASSWORD)
    assert chair.member.poo.branch.code == "mugalzhar"


def test_open_campaign_and_the_demo_member_votes(demo_db):
    campaign = open_campaign()
    assert campaign.kind == Campaign.Kind.MASLIKHAT_LIST
    assert campaign.status == Campaign.Status.VOTING
    assert campaign.voting_starts < timezone.now() < campaign.voting_ends
    assert campaign.voting_ends - timezone.now() > dt.timedelta(days=6)
    registered = list(campaign.candidates.filter(status=Candidate.Status.REGISTERED))
    assert 15 <= len(registered) <= 25
    assert campaign.list_length == 10 and campaign.quota_rules == "party-2019"
    reference = services.reference_date(campaign)
    women = sum(c.sex == "F" for c in registered)
    youth = sum(age_on(c.birth_date, reference) < 35 for c in registered)
    assert women >= 3 and youth >= 2  # a list of 10 can meet the quotas
    assert CommissionMember.objects.filter(campaign=campaign, user__username="commission")

    # The open campaign is encrypted (tests/test_seed_demo.py follows its trustees, the demo
    # member's credential and its record): a few dozen ballots, most sealed, none in the clear.
    assert campaign.encrypted
    voted = Participation.objects.filter(campaign=campaign).count()
    ballots = EncryptedBallot.objects.filter(election=campaign.e2e)
    assert ballots.count() == voted > 0
    assert (
        0 < ballots.filter(batch__isnull=True).count() < ballots.filter(batch__isnull=False).count()
    )
    assert not Ballot.objects.filter(campaign=campaign).exists()
    assert not PendingBallot.objects.filter(campaign=campaign).exists()
    member = User.objects.get(username="member")
    assert VoterRollEntry.objects.filter(campaign=campaign, member=member.member).exists()
    assert not services.has_voted(campaign, member.member)


def test_seeding_again_changes_nothing_and_the_step_resets(demo_db):
    """(Rebuilding after a reset is tested on the small demo by tests/test_seed_demo.py.)"""
    figures = {
        "campaigns": Campaign.objects.count(),
        "candidates": Candidate.objects.count(),
        "participations": Participation.objects.count(),
        "users": User.objects.count(),
    }
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already seeded" in out.getvalue()
    assert Campaign.objects.count() == figures["campaigns"]
    assert Participation.objects.count() == figures["participations"]

    ctx = demo.DemoContext(log=lambda line: None)
    demo_primaries.reset(ctx)
    assert not Campaign.objects.filter(slug__in=demo_primaries.SLUGS).exists()
    assert not Participation.objects.exists() and not VoterRollEntry.objects.exists()
    assert not User.objects.filter(username__startswith="commission").exists()
    # the commission's five accounts and the three demo trustees
    assert User.objects.count() == figures["users"] - 5 - len(demo_e2e.TRUSTEE_USERNAMES)
    assert not demo_primaries.STEP.is_done(ctx)
    # The members step can now remove the members (their rolls and participations are gone).
    demo.reset(ctx)
    assert not User.objects.exists()


def test_demo_logins_shows_the_campaigns_and_the_commission(demo_db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert f"/primaries/{demo_primaries.RESERVE_SLUG}/" in text
    assert f"/primaries/{demo_primaries.OPEN_SLUG}/e2e/vote/" in text
    assert "commission" in text and demo.DEMO_PASSWORD in text
