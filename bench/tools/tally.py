"""Count the national campaign as close_voting does (services.count_ballots: one SQL
aggregate on PostgreSQL, then the tally signed) and build every list as publish_results does
(services.build_lists). The counts must equal the signed tally and the board's own count in
Python (board.compute_tally over every ballot, timed for comparison); the lists built must
equal the ones already stored, if any (built by an earlier run or by generate_scale from the
same tally). Prints JSON."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from bastau.primaries import board, services  # noqa: E402
from bastau.primaries.keys import signing_key  # noqa: E402
from bastau.primaries.models import Campaign, ListResult  # noqa: E402


def stored_lists(campaign) -> dict:
    rows = ListResult.objects.filter(contest__campaign=campaign)
    return dict(rows.values_list("contest_id", "data"))


campaign = Campaign.objects.get(slug=sys.argv[1])
before = stored_lists(campaign)
started = time.perf_counter()
bcampaign = services.board_campaign(campaign)
last = services.checkpoints_of(campaign)[-1]
close = campaign.board_close  # the signed close event a bastau-board/2 tally is bound to
if close is None and bcampaign.lists is not None:
    ends = campaign.voting_ends
    close = board.sign_close(
        bcampaign, last, min(campaign.voting_starts or ends, ends), ends, signing_key()
    )
body = board.tally_body(bcampaign, last, services.count_ballots(campaign, bcampaign), close)
tally = {**body, "signature": board.sign(signing_key(), body)}
counted = time.perf_counter()
assert tally["counts"] == campaign.tally["counts"], "the recount differs from the signed tally"
results = services.build_lists(None, campaign)
built = time.perf_counter()
after = stored_lists(campaign)
assert all(after[r.contest_id] == json.loads(json.dumps(r.data)) for r in results), (
    "the stored lists differ from the built ones"
)
compared = [pk for pk in before if pk in after]
assert all(before[pk] == after[pk] for pk in compared), "the lists differ from the stored ones"
figures = {
    "ballots": tally["ballots"],
    "candidates": len(bcampaign.candidates),
    "lists": len(results),
    "feasible_lists": sum(1 for r in results if r.feasible),
    "infeasible_lists": sum(1 for r in results if not r.feasible),
    "lists_equal_to_the_stored_ones": len(compared),
    "count_s": round(counted - started, 2),
    "build_lists_s": round(built - counted, 2),
    "total_s": round(built - started, 2),
}
python_started = time.perf_counter()
python_count = board.compute_tally(bcampaign, services.iter_board_ballots(campaign))
figures["count_in_python_s"] = round(time.perf_counter() - python_started, 2)
same = ("ballots", "blank", "counts")  # bastau-board/2 adds each list's figures beside them
assert {k: python_count[k] for k in same} == {k: tally[k] for k in same}
print(json.dumps(figures))
