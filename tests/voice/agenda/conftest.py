import datetime as dt

import pytest
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.oversight import services as os
from bastau.oversight.models import ReportQuestion
from bastau.reception.models import Topic
from bastau.voice.agenda import services as s

from ...factories import activity as fa
from ...factories import oversight as fo
from ...factories import reception as fr


@pytest.fixture
def aw(world):
    """The foundation's world with meetings (activity), maslikhats with a held report and its
    question, a budget indicator (oversight), appeals of two districts and two topics, and
    an issue of the secretary's district; a regional programme and a district one."""
    w = fa.build(world)
    fo.world(w)
    today = timezone.localdate()
    _oversight(w, today)
    w.topic = Topic.objects.get(code="social_aid")
    w.land = Topic.objects.get(code="land")
    recent = today - dt.timedelta(days=2)
    w.appeals = [fr.register(w, registered_on=recent) for _ in range(3)]
    w.land_appeal = fr.register(w, registered_on=recent, topic=w.land)
    w.other_appeal = fr.register(
        w, w.other_secretary, registered_on=recent, branch=w.other_district,
        district=w.other_district,
    )  # fmt: skip
    sec = Scope(w.secretary)
    w.issue = s.create_issue(sec, title="Әлеуметтік көмек кешігеді", district=w.district,
                             topic=w.topic)  # fmt: skip
    w.other_issue = s.create_issue(
        Scope(w.other_secretary), title="Other issue", district=w.other_district
    )
    w.programme = s.create_programme(Scope(w.admin), branch=w.region, title="Облыстық бағдарлама")
    w.district_programme = s.create_programme(sec, branch=w.district, title="Аудан бағдарламасы")
    w.other_programme = s.create_programme(
        Scope(w.other_secretary), branch=w.other_district, title="Other programme"
    )
    return w


def _oversight(w, today):
    """A held report of the district's deputy with one question, and budget indicators of the
    district and of the other district (as fo.pages_world, without its imports)."""
    sec, fsec = Scope(w.secretary), Scope(w.faction_secretary)
    schedule = os.create_schedule(
        sec, maslikhat=w.maslikhat, title="Есеп беру кестесі",
        period_start=today - dt.timedelta(days=60), period_end=today + dt.timedelta(days=120),
        approved_on=today - dt.timedelta(days=61),
    )  # fmt: skip
    w.held_report = os.add_report(
        fsec, schedule, deputy=w.deputy, date=today - dt.timedelta(days=5), place="Мектеп",
        topic="Білім беру",
    )  # fmt: skip
    os.record_outcome(
        fsec, w.held_report, held=True, attendance=35, questions=["Жол қашан жөнделеді?"]
    )
    w.question = ReportQuestion.objects.get(report=w.held_report)
    w.indicator, _ = os.save_indicator(
        fsec, maslikhat=w.maslikhat, year=2024, sector="education", code="261-015",
        data={"name": "New school places", "unit": "places", "plan": "100", "actual": "50"},
    )  # fmt: skip
    w.other_indicator, _ = os.save_indicator(
        Scope(w.other_faction_secretary), maslikhat=w.other_maslikhat, year=2024,
        sector="roads", code="451", data={"name": "Roads", "unit": "km", "plan": "10"},
    )  # fmt: skip


def item_data(**overrides):
    data = dict(
        title="Атаулы көмекті 10 жұмыс күнінде тағайындау",
        indicator="Көмек тағайындау мерзімі, күн",
        target="10",
        deadline=timezone.localdate() + dt.timedelta(days=90),
        responsible="Аудандық филиал",
        cost=None,
    )
    data.update(overrides)
    return data


def youth(w):
    """Add to the agenda world the regional youth wing and a district wing, a congress of
    each held 2 days ago, the region's youth survey, and the regional youth programme drawn
    from it with one commitment, saved as version 1."""
    from bastau.voice.people import services as people
    from bastau.voice.surveys.models import Survey

    from ...factories.surveys import _survey

    today = timezone.localdate()
    admin = Scope(w.admin)
    w.wing = people.create_wing(admin, name="«Jas Otan» жастар қанаты", branch=w.region)
    w.district_wing = people.create_wing(admin, name="Мұғалжар «Jas Otan»", branch=w.district)
    w.congress = people.record_congress(
        admin, w.wing, date=today - dt.timedelta(days=2), title="Жастар съезі",
        delegates_elected=100, delegates_present=80,
    )  # fmt: skip
    w.district_congress = people.record_congress(
        admin, w.district_wing, date=today - dt.timedelta(days=2), title="Аудандық съезд",
        delegates_elected=40, delegates_present=30,
    )  # fmt: skip
    w.survey = _survey(admin, w.region, Survey.Audience.YOUTH)
    w.youth_programme = s.create_programme(
        admin, branch=w.region, title="«Жастар — Отанға!»", title_ru="«Жастар — Отанға!» (рус.)",
        youth_wing=w.wing, survey=w.survey,
    )  # fmt: skip
    w.youth_issue = s.create_issue(admin, title="Жастарға жұмыс орындары")
    w.youth_item = s.add_item(
        admin, w.youth_programme, issues_answered=[w.youth_issue],
        **item_data(title="Жастарға 2000 жұмыс орны", responsible="«Jas Otan»"),
    )  # fmt: skip
    w.youth_v1 = s.create_version(admin, w.youth_programme)
    return w
