"""Count the national campaign as close_voting does (the signed tally recomputed from the
sealed ballots in the database) and build every list as publish_results does
(services.build_lists). Then the same lists built in batches (one query for all candidates,
one upsert for all results; bench-side prototype of the fix proposed in docs/performance.md),
checked to give exactly the same lists. Prints JSON."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bastau.primaries import board, quota, services  # noqa: E402
from bastau.primaries.keys import signing_key  # noqa: E402
from bastau.primaries.models import Campaign, Candidate, ListResult  # noqa: E402


def build_lists_batched(campaign) -> dict[int, dict]:
    """services.build_lists with the same rules and data, in a fixed number of queries."""
    rules = services.campaign_rules(campaign)
    counts = (campaign.tally or {}).get("counts", {})
    reference = services.reference_date(campaign)
    contests = list(campaign.contests.all())  # each knows its campaign (no re-read)
    by_contest: dict[int, list] = {c.pk: [] for c in contests}
    rows = (
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.REGISTERED)
        .order_by("number")
        .values_list("contest_id", "number", "name", "sex", "birth_date", "has_disability")
    )
    for contest_id, number, name, sex, born, disabled in rows:
        by_contest[contest_id].append(
            quota.Candidate(
                id=f"c{number}",
                name=name,
                votes=int(counts.get(f"c{number}", 0)),
                gender=sex,
                birth_date=born,
                disability=disabled,
                registration_order=number,
            )
        )
    out = {}
    for contest in contests:
        length = contest.effective_length
        if not length:
            continue
        candidates = by_contest[contest.pk]
        try:
            data = quota.build_list(
                candidates,
                length,
                rules,
                reference,
                prefix=campaign.prefix_mode,
                seed=campaign.tie_break_seed or None,
            ).to_dict()
        except quota.QuotaInfeasible as exc:
            data = {
                "infeasible": exc.to_dict() if hasattr(exc, "to_dict") else str(exc),
                "message": str(exc),
            }
        except quota.ListLengthError as exc:
            data = {
                "infeasible": {"length": length, "candidates": len(candidates)},
                "message": str(exc),
            }
        out[contest.pk] = data
    now = timezone.now()
    with transaction.atomic():
        ListResult.objects.bulk_create(
            [ListResult(contest_id=pk, data=data, built_at=now) for pk, data in out.items()],
            update_conflicts=True,
            unique_fields=["contest"],
            update_fields=["data", "built_at", "built_by"],
            batch_size=1000,
        )
    return out


campaign = Campaign.objects.get(slug=sys.argv[1])
started = time.perf_counter()
bcampaign = services.board_campaign(campaign)
last = services.checkpoints_of(campaign)[-1]
tally = board.sign_tally(bcampaign, last, services.iter_board_ballots(campaign), signing_key())
counted = time.perf_counter()
assert tally["counts"] == campaign.tally["counts"], "the recount differs from the signed tally"
results = services.build_lists(None, campaign)
built = time.perf_counter()
expected = {r.contest_id: r.data for r in results}
batched = build_lists_batched(campaign)
batched_done = time.perf_counter()
assert json.loads(json.dumps(batched)) == json.loads(json.dumps(expected)), "lists differ"
feasible = sum(1 for r in results if r.feasible)
print(
    json.dumps(
        {
            "ballots": tally["ballots"],
            "candidates": len(bcampaign.candidates),
            "lists": len(results),
            "feasible_lists": feasible,
            "infeasible_lists": len(results) - feasible,
            "count_s": round(counted - started, 2),
            "build_lists_s": round(built - counted, 2),
            "total_s": round(built - started, 2),
            "build_lists_batched_prototype_s": round(batched_done - built, 2),
            "total_with_batched_lists_s": round(counted - started + batched_done - built, 2),
        }
    )
)
