"""The demo region's report for this year tells the article's story, whatever day the demo is
seeded on: 118 -> 124 in the growth POO, the Mugalzhar selection's 73 candidates, 46% resolved
positively (+18 points), receptions tripled, 6 active and 24 optimised projects, the contest's
8 winners and the letters of thanks."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.demo import primaries as demo_primaries
from bastau.demo import reception as demo_reception
from bastau.lib.numerals import change_points
from bastau.members.models import Review, ReviewItem
from bastau.primaries.models import Ballot, Campaign
from bastau.reception.statistics import reporting_year

SMALL = 3000
DAYS = {
    "saturday-2026-12-05": dt.date(2026, 12, 5),
    "new-years-day-2027-01-01": dt.date(2027, 1, 1),
}


@pytest.fixture(params=list(DAYS.values()), ids=list(DAYS))
def seeded(request, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    day = request.param
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    with time_machine.travel(noon, tick=False):
        call_command("seed_demo", members=SMALL, today=day.isoformat(), stdout=io.StringIO())
        yield day


def _facts(response, key):
    return response.context["report"].section(key).facts


def test_the_demo_report_tells_the_articles_figures(client, seeded):
    day = seeded
    reported, _before = reporting_year(day)

    # The leader of the growth POO reads their POO's report: 118 -> 124 this year.
    client.force_login(User.objects.get(username="leader"))
    client.cookies["bastau_language"] = "kk"
    response = client.get(reverse("reports:report"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.place.kind == "poo"
    assert (report.period.start, report.period.end) == (reported.start, reported.end)
    if day.month != 1:
        members = _facts(response, "members")
        assert (members["before"], members["after"]) == (118, 124)
        page = response.content.decode()
        assert "118-ден 124-ке дейін" in page
    # The running review of Mugalzhar, as far as the leader's POO goes.
    leader = User.objects.get(username="leader")
    review = _facts(response, "review")
    running = Review.objects.get(state=Review.State.OPEN)
    assert running.title in [r["title"] for r in review["reviews"]]
    items = ReviewItem.objects.filter(
        review__title__in=[r["title"] for r in review["reviews"]], poo=leader.poo
    )
    assert review["total"] == items.count() > 0
    assert review["confirmed"] == items.filter(answer=ReviewItem.Answer.CONFIRMED).count()
    assert review["unanswered"] == items.filter(answer="").count()
    assert f"барысында {review['total']} мүше тексерілді" in response.content.decode()

    # The regional administrator reads the region's report.
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    client.cookies["bastau_language"] = "ru"
    response = client.get(reverse("reports:report"))
    assert response.status_code == 200
    reception = _facts(response, "reception")
    expected = demo_reception.figures(admin, day)
    assert reception["positive_share"] == expected.positive_this_year
    assert 43 <= reception["positive_share"] <= 49
    points = reception["positive_share"] - reception["positive_share_before"]
    assert points == expected.points and 15 <= points <= 21
    # The last two months of the reported period against the two before (in January, of the
    # year just ended: the dashboard's own two months then run to today).
    if day.month != 1:
        assert reception["sessions_ratio"] == expected.sessions_ratio
    assert 2.5 <= reception["sessions_ratio"] <= 3.5
    primaries = _facts(response, "primaries")
    reserve = Campaign.objects.get(slug=demo_primaries.RESERVE_SLUG)
    names = [c["slug"] for c in primaries["campaigns"]]
    # The report recalls the latest selection before the year, Mugalzhar 2019, then the year's
    # own (the demo's finished encrypted selection, two months before the demo's day, when it
    # falls in the reported year).
    finished = Campaign.objects.get(slug=demo_primaries.E2E_SLUG)
    in_year = reported.start <= finished.results_date <= reported.end
    assert names == [reserve.slug] + ([finished.slug] if in_year else [])
    row = primaries["campaigns"][0]
    assert row["candidates"] == 73
    assert row["voters"] == Ballot.objects.filter(campaign=reserve).count()
    activity = _facts(response, "activity")
    assert activity["projects_active"] == 6
    ended = activity_services.projects_ended(Scope(admin), start=reported.start, end=reported.end)
    assert activity["projects_optimised"] == ended["merged"] + ended["closed"]
    if day.month != 1:  # the demo ends its 24 projects in the calendar year of its day
        assert activity["projects_optimised"] == 24
    assert activity["winners"] == 8
    assert activity["thanks"] >= 4
    page = response.content.decode()
    said = change_points("ru", reception["positive_share_before"], reception["positive_share"])
    assert said.startswith("выросла на ") and "процентн" in said
    assert f"доля положительных решений {said}" in page
    assert "Действуют 6 социальных проектов" in page
    if day.month != 1:
        assert "оптимизировано 24 проекта" in page
    assert "определено 8 победителей" in page
