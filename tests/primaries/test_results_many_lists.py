"""The results page of a campaign with many lists (a national one: 3,400) is an index of the
lists and the results of the list chosen from it, not every list on one page (issue 7)."""

from bastau.primaries.views import public as views_public

from ..factories.primaries import counted as _counted
from ..factories.primaries import text, url


def test_many_lists_show_an_index_and_the_chosen_list(client, election, monkeypatch):
    monkeypatch.setattr(views_public, "RESULTS_LISTS_ON_ONE_PAGE", 0)
    campaign = _counted(election)
    contest = campaign.contests.get()
    response = client.get(url("results", campaign))
    assert response.status_code == 200
    assert response.context["contests"] == []
    assert [c.pk for c in response.context["list_index"]] == [contest.pk]
    assert response.context["list_index"][0].ballots_cast == 7
    body = text(response)
    assert contest.title in body and "choose it to see its results" in body

    response = client.get(url("results", campaign), {"list": contest.code})
    chosen = response.context["contests"]
    assert [r.contest.pk for r in chosen] == [contest.pk]
    assert chosen[0].ballots == 7
    assert [(r.candidate.board_id, r.votes) for r in chosen[0].overall][:2] == [
        ("c2", 6),
        ("c6", 4),
    ]
    # An unknown list is no list.
    assert client.get(url("results", campaign), {"list": "nowhere"}).context["contests"] == []
