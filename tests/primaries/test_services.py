import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from bastau.accounts.scoping import Scope
from bastau.primaries import board, services
from bastau.primaries.models import (
    Ballot,
    Campaign,
    Candidate,
    E2ECredential,
    EncryptedBallot,
    Participation,
    PendingBallot,
    VoterRollEntry,
)

from .. import factories as f
from ..factories.primaries import voter_user


def open_(election):
    services.advance(election.scope, election.campaign)
    election.campaign.refresh_from_db()
    return election.campaign


def test_nomination_rules(world, election):
    campaign = election.campaign
    with pytest.raises(ValidationError):  # not in nomination any more
        services.nominate(
            election.scope, campaign, election.voters[3], nomination=Candidate.Nomination.SELF
        )
    Campaign.objects.filter(pk=campaign.pk).update(status="nomination")
    campaign.refresh_from_db()
    with pytest.raises(ValidationError):  # already standing
        services.nominate(
            election.scope, campaign, election.people[0], nomination=Candidate.Nomination.SELF
        )
    with pytest.raises(ValidationError):  # other district: not in scope
        services.nominate(
            election.scope, campaign, world.other_member, nomination=Candidate.Nomination.SELF
        )
    with pytest.raises(ValidationError):  # a POO nomination needs the protocol
        services.nominate(
            election.scope,
            campaign,
            election.voters[4],
            nomination=Candidate.Nomination.POO,
            nominating_poo=world.poo,
        )
    with pytest.raises(PermissionDenied):  # self-nomination of someone else
        services.nominate(
            Scope(world.member_user),
            campaign,
            election.voters[5],
            nomination=Candidate.Nomination.SELF,
        )
    own = services.nominate(
        Scope(world.member_user), campaign, world.member, nomination=Candidate.Nomination.SELF
    )
    assert own.number == 7 and own.sex == world.member.sex


def test_opening_freezes_the_roll(world, election):
    campaign = open_(election)
    assert campaign.status == "voting" and campaign.public_key
    roll = set(VoterRollEntry.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    district_members = {m.pk for m in services.members_in_scope(campaign)}
    assert roll == district_members
    assert world.other_member.pk not in roll
    # A member admitted later is not on the frozen roll.
    late = f.member(world.poo)
    assert not VoterRollEntry.objects.filter(campaign=campaign, member=late).exists()
    with pytest.raises(services.NotOnRoll):
        services.cast_online(voter_user(late), campaign, ["c1"])


def test_one_member_one_ballot_and_choices_checked(election):
    campaign = open_(election)
    user = voter_user(election.voters[5])
    with pytest.raises(ValidationError):
        services.cast_online(user, campaign, ["c1", "c2", "c3", "c4"])  # more than 3
    with pytest.raises(ValidationError):
        services.cast_online(user, campaign, ["c99"])
    tracker = services.cast_online(user, campaign, ["c1", "c3"])
    assert len(tracker) == 64
    with pytest.raises(services.AlreadyVoted):
        services.cast_online(user, campaign, ["c2"])
    assert Participation.objects.filter(campaign=campaign).count() == 1
    assert PendingBallot.objects.get().choices == ["c1", "c3"]


def test_seal_close_tally_and_lists(election):
    campaign = open_(election)
    votes = {4: ["c2", "c4"], 5: ["c2"], 6: ["c1", "c2"], 7: ["c6"], 8: ["c2", "c6"]}
    trackers = []
    for i, choices in votes.items():
        trackers.append(services.cast_online(voter_user(election.voters[i]), campaign, choices))
    first = services.seal(campaign)
    assert first.batch_size == 5 and first.seq == 1
    assert not PendingBallot.objects.exists()
    trackers.append(services.cast_online(voter_user(election.voters[9]), campaign, []))
    tally = services.close_voting(election.scope, campaign)
    assert tally["ballots"] == 6 and tally["blank"] == 1
    assert tally["counts"]["c2"] == 4 and tally["counts"]["c6"] == 2
    assert set(Ballot.objects.values_list("tracker", flat=True)) == set(trackers)
    campaign.refresh_from_db()
    record = json.loads(json.dumps(services.export_record(campaign)))
    report = board.verify_board(record, expected_public_key=campaign.public_key)
    assert report.ok, report.problems
    services.publish_results(election.scope, campaign)
    result = campaign.contests.get().result
    assert result.feasible
    rows = result.data["list"]
    assert len(rows) == 4
    # party-2019 on 4 places: at least 2 women (30% of 4 -> 1.2 -> 2) and 1 young (0.8 -> 1).
    ids = [r["id"] for r in rows]
    women = {c.board_id for c in election.candidates if c.sex == "F"}
    assert len(women & set(ids)) >= 2


def test_voting_closed_refuses_ballots(election):
    campaign = open_(election)
    services.close_voting(election.scope, campaign)
    campaign.refresh_from_db()
    with pytest.raises(ValidationError):
        services.cast_online(voter_user(election.voters[3]), campaign, ["c1"])


def test_paper_batch_double_entry(election):
    campaign = open_(election)
    chair, clerk = Scope(election.chair), Scope(election.clerk)
    poo = election.voters[3].poo
    voters = [v.pk for v in election.voters if v.poo_id == poo.pk][:3]
    ballots = [["c1"], ["c2", "c3"], []]
    batch = services.submit_paper_entry(chair, campaign, poo=poo, voter_ids=voters, ballots=ballots)
    assert batch.status == "awaiting_second"
    with pytest.raises(ValidationError):  # same person cannot confirm
        services.submit_paper_entry(
            chair, campaign, poo=poo, voter_ids=voters, ballots=ballots, batch=batch
        )
    with pytest.raises(ValidationError):  # mismatch: a different ballot
        services.submit_paper_entry(
            clerk, campaign, poo=poo, voter_ids=voters, ballots=[["c1"], ["c2"], []], batch=batch
        )
    batch.refresh_from_db()
    assert batch.status == "awaiting_second" and batch.entries.count() == 0
    services.submit_paper_entry(
        chair, campaign, poo=poo, voter_ids=voters, ballots=ballots, batch=batch
    )
    services.submit_paper_entry(
        clerk,
        campaign,
        poo=poo,
        voter_ids=list(reversed(voters)),
        ballots=list(reversed(ballots)),
        batch=batch,
    )
    batch.refresh_from_db()
    assert batch.status == "accepted"
    assert batch.entries.count() == 0  # pairing deleted
    assert Participation.objects.filter(campaign=campaign, channel="paper").count() == 3
    assert PendingBallot.objects.count() == 3
    # The same voters cannot vote online now.
    with pytest.raises(services.AlreadyVoted):
        services.cast_online(voter_user(election.voters[3]), campaign, ["c1"])


def test_paper_batch_with_an_online_voter_is_refused_whole(election):
    campaign = open_(election)
    poo = election.voters[3].poo
    voters = [v for v in election.voters[4:] if v.poo_id == poo.pk][:2]
    services.cast_online(voter_user(voters[0]), campaign, ["c1"])
    ids = [v.pk for v in voters]
    services.submit_paper_entry(
        Scope(election.chair), campaign, poo=poo, voter_ids=ids, ballots=[["c1"], ["c2"]]
    )
    batch = campaign.paper_batches.get()
    with pytest.raises(ValidationError):
        services.submit_paper_entry(
            Scope(election.clerk),
            campaign,
            poo=poo,
            voter_ids=ids,
            ballots=[["c1"], ["c2"]],
            batch=batch,
        )
    assert Participation.objects.filter(campaign=campaign).count() == 1
    assert PendingBallot.objects.count() == 1


def test_only_commission_enters_paper(world, election):
    campaign = open_(election)
    with pytest.raises(PermissionDenied):
        services.submit_paper_entry(
            Scope(world.leader), campaign, poo=world.poo, voter_ids=[], ballots=[]
        )


def test_candidates_frozen_once_voting_opens(election):
    open_(election)
    with pytest.raises(ValidationError):
        services.set_candidate_status(
            election.scope, election.candidates[0], status=Candidate.Status.WITHDRAWN
        )


def test_secrecy_schema_and_data(election):
    """Who voted and what was voted share no key and no order (DESIGN.md 3.3)."""
    campaign = open_(election)
    for i in range(4, 12):
        services.cast_online(voter_user(election.voters[i]), campaign, ["c1"])
    services.seal(campaign)
    services.cast_online(voter_user(election.voters[12]), campaign, ["c2"])
    # The encrypted ballots follow the same rules (their stored order: test_encrypted.py).
    for model in (Ballot, PendingBallot, EncryptedBallot):
        names = {field.name for field in model._meta.get_fields()}
        assert not names & {
            "member",
            "voter",
            "user",
            "participation",
            "created_at",
            "cast_at",
            "id",
        }
        assert model._meta.pk.name == "tracker"
        assert not any(
            field.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
            for field in model._meta.concrete_fields
        )
    part_fields = {f.name: f for f in Participation._meta.concrete_fields}
    assert part_fields["id"].get_internal_type() == "UUIDField"
    assert part_fields["voted_on"].get_internal_type() == "DateField"
    assert not any(
        f.get_internal_type() in ("DateTimeField", "AutoField", "BigAutoField")
        for f in part_fields.values()
    )
    assert not any(
        f.is_relation and f.related_model in (Ballot, PendingBallot, EncryptedBallot, E2ECredential)
        for f in Participation._meta.get_fields()
    )
    credential_fields = {field.name for field in E2ECredential._meta.get_fields()}
    assert not credential_fields & {"member", "voter", "user", "participation"}
    # Stored data: sealed ballots come back in tracker order within their checkpoint,
    # whatever their insertion order, and no column of a ballot equals a participation column.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tracker FROM {Ballot._meta.db_table} WHERE checkpoint_id = %s",
            [campaign.checkpoints.get().pk],
        )
        physical = [row[0] for row in cursor.fetchall()]
    assert physical == sorted(physical)
    participation_values = {
        str(v) for row in Participation.objects.values_list("id", "member_id") for v in row
    }
    ballot_values = {str(v) for row in Ballot.objects.values_list("tracker", "nonce") for v in row}
    assert not participation_values & ballot_values


def test_roll_is_exactly_the_active_members_of_scope(world, election):
    from bastau.members.models import Member

    suspended = election.voters[2]
    Member.objects.filter(pk=suspended.pk).update(status="suspended")
    left = election.voters[3]
    Member.objects.filter(pk=left.pk).update(status="left", left_on=dt.date(2026, 1, 1))
    campaign = open_(election)
    roll = set(VoterRollEntry.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    assert suspended.pk not in roll and left.pk not in roll


def test_voting_opens_on_a_well_formed_board_campaign_only(election):
    """bastau-board/2: choose_up_to above the number of registered candidates is refused
    when voting opens, in words, and nothing changes; the reference date is fixed then."""
    campaign = election.campaign
    registered = campaign.candidates.filter(status=Candidate.Status.REGISTERED).count()
    Campaign.objects.filter(pk=campaign.pk).update(choose_up_to=registered + 1, reference_date=None)
    campaign.refresh_from_db()
    assert campaign.board_format == 2
    with pytest.raises(ValidationError, match="cannot be published on the board: choose_up_to"):
        services.advance(election.scope, campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.REGISTRATION and not campaign.public_key
    assert campaign.reference_date is None
    Campaign.objects.filter(pk=campaign.pk).update(choose_up_to=registered)
    campaign = open_(election)
    assert campaign.status == Campaign.Status.VOTING and campaign.reference_date is not None
    record = services.export_record(campaign)
    assert record["format"] == "bastau-board/2"
    assert record["campaign"]["reference_date"] == campaign.reference_date.isoformat()
