"""Open data: the public page, each dataset as CSV and JSON, the DCAT catalogue, and the
reception statistics' rule that no group under 5 is published."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from bastau.api.opendata import DATASETS, MIN_GROUP
from bastau.oversight.models import BudgetIndicator, BudgetSector
from bastau.reception.models import Topic

from ..factories import oversight as fo
from ..factories import reception as rf


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _json(response):
    import json

    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_page_lists_every_dataset_in_the_visitor_s_language(db, language):
    response = Client().get("/data/", headers={"Accept-Language": language})
    assert response.status_code == 200
    page = response.content.decode()
    for d in DATASETS:
        assert f"/data/{d.slug}.csv" in page and f"/data/{d.slug}.json" in page
    assert "Open data" not in page  # translated
    assert "creativecommons.org/licenses/by/4.0" in page


def test_reception_statistics_leave_out_groups_under_five(world):
    w = world
    w.topic = Topic.objects.get(code="social_aid")
    for _ in range(MIN_GROUP + 1):
        rf.register(w)
    for _ in range(MIN_GROUP - 1):
        rf.register(w, w.other_secretary, branch=w.other_district)
    rows = _csv(Client().get("/data/reception-statistics.csv"))
    assert [(r["branch"], r["appeals"]) for r in rows] == [(w.district.code, str(MIN_GROUP + 1))]
    assert rows[0]["resolved"] == ""  # 0 resolved: under 5, withheld
    items = _json(Client().get("/data/reception-statistics.json"))["items"]
    assert [i["appeals"] for i in items] == [MIN_GROUP + 1]


def test_budget_and_reports_are_published(world):
    w = fo.pages_world(fo.world(world))
    BudgetIndicator.objects.create(
        maslikhat=w.maslikhat,
        year=2024,
        sector=BudgetSector.values[0],
        code="A-1",
        name="=SUM(1)",
        unit="km",
        plan=Decimal("100.00"),
        actual=Decimal("40.00"),
    )
    budget = _csv(Client().get("/data/budget-monitoring.csv"))
    assert len(budget) == BudgetIndicator.objects.count()
    [mine] = [row for row in budget if row["code"] == "A-1"]
    assert mine["indicator"] == "'=SUM(1)" and mine["actual"] == "40.00"  # no formula
    reports = _json(Client().get("/data/deputies-reporting.json"))
    assert reports["license"].endswith("/by/4.0/")
    assert len(reports["items"]) == 3 and reports["modified"]
    assert {i["deputy"] for i in reports["items"]} == {
        " ".join(p for p in (w.deputy.last_name, w.deputy.first_name, w.deputy.patronymic) if p)
    }


def test_campaign_results_dataset_answers_without_campaigns(db):
    response = Client().get("/data/campaign-results.csv")
    assert response.status_code == 200
    assert _csv(response) == []


def test_catalog_is_dcat(db):
    body = Client().get("/data/catalog.json").json()
    assert body["@type"] == "dcat:Catalog"
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    ids = [d["dct:identifier"] for d in body["dcat:dataset"]]
    assert ids == [d.slug for d in DATASETS]
    for d in body["dcat:dataset"]:
        types = {x["dcat:mediaType"] for x in d["dcat:distribution"]}
        assert types == {"text/csv", "application/json"}
        assert d["dct:license"] and d["dct:description"]


def test_unknown_dataset_is_404(db):
    assert Client().get("/data/members.csv").status_code == 404
