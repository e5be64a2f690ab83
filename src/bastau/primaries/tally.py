"""The kept campaign figures: sealed ballots per list, added by the sealer in the transaction of
each seal (the cast request writes nothing more), and the turnout, counted once when voting
has closed (the figures cannot change after). `bastau rebuild_aggregates` recounts both."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bastau.core import counts

from .models import Ballot, Campaign, ListBallotCount, Participation, TurnoutCount, VoterRollEntry

#: Once a campaign is in one of these, its roll and participation are final.
VOTING_CLOSED = (Campaign.Status.COUNTING, Campaign.Status.RESULTS, Campaign.Status.CLOSED)


def add_sealed(campaign_id: int, contest_ids) -> None:
    """The sealer: count a batch's ballots (one contest id per ballot) to their lists."""
    per_list = Counter(contest_ids)
    counts.add(
        ListBallotCount,
        ("campaign_id", "contest_id"),
        ("ballots",),
        sorted((campaign_id, contest, n) for contest, n in per_list.items()),
    )


def list_ballots(campaign: Campaign) -> dict[int, int]:
    """contest pk -> sealed ballots (lists without a ballot are absent)."""
    return dict(
        ListBallotCount.objects.filter(campaign=campaign, ballots__gt=0).values_list(
            "contest_id", "ballots"
        )
    )


def _count_turnout(campaign: Campaign) -> dict:
    channels = dict(
        Participation.objects.filter(campaign=campaign)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return {
        "roll": VoterRollEntry.objects.filter(campaign=campaign).count(),
        "online": channels.get(Participation.Channel.ONLINE, 0),
        "paper": channels.get(Participation.Channel.PAPER, 0),
    }


def keep_turnout(campaign: Campaign) -> dict:
    """Count the turnout once voting has closed and keep it (close_voting calls it)."""
    found = _count_turnout(campaign)
    TurnoutCount.objects.bulk_create(
        [TurnoutCount(campaign=campaign, counted_at=timezone.now(), **found)],
        ignore_conflicts=True,  # kept already: the same figures
    )
    return found


def turnout(campaign: Campaign) -> dict:
    """{"roll", "online", "paper"}: kept once voting has closed, counted before."""
    if campaign.status not in VOTING_CLOSED:
        return _count_turnout(campaign)
    kept = TurnoutCount.objects.filter(campaign=campaign).values("roll", "online", "paper").first()
    return kept if kept is not None else keep_turnout(campaign)


def rebuild(batch: int = 0, progress=None) -> int:
    """Recount the ballots per list from the sealed ballots; forget the kept turnouts (each is
    counted again when next read). Idempotent."""
    with transaction.atomic():
        counts.lift_statement_timeout()
        ListBallotCount.objects.all().delete()
        TurnoutCount.objects.all().delete()
        rows = (
            Ballot.objects.order_by()
            .values_list("campaign_id", "contest_id")
            .annotate(n=Count("pk"))
        )
        found = [(c, k, n) for c, k, n in rows]
        counts.add(ListBallotCount, ("campaign_id", "contest_id"), ("ballots",), found)
    counts.vacuum_analyze(ListBallotCount, TurnoutCount)
    return sum(n for _c, _k, n in found)
