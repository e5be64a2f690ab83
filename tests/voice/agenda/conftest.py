import datetime as dt

import pytest
from django.utils import timezone

from bastau.accounts.scoping import Scope
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
    fo.pages_world(w)
    today = timezone.localdate()
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
