import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as p
from bastau.activity import services as s
from bastau.activity.models import SocialProject

D = dt.date(2026, 2, 1)


def project(w, name="Бақытты отбасы", user=None, branch=None):
    return s.create_project(
        Scope(user or w.secretary),
        branch=branch or w.district,
        name=name,
        goal="Support families",
        target_groups="Large families",
        curator=w.members[1],
        started_on=D,
    )


def test_register_merge_close_and_figures(world, django_assert_num_queries):
    w = world
    families = project(w)
    homes = project(w, "Құтты мекен")
    help_ = project(w, "Халыққа көмек")
    with pytest.raises(ValidationError):  # duplicate name in the branch
        project(w)
    s.record_project_event(Scope(w.secretary), families, date=D, title="Fair", reach=120)
    s.record_project_event(
        Scope(w.secretary), families, date=D + dt.timedelta(days=40), title="Camp", reach=30
    )
    s.record_project_event(Scope(w.secretary), homes, date=D, title="Repairs", reach=5)
    s.end_project(
        Scope(w.secretary),
        homes,
        on=D + dt.timedelta(days=2),
        reason="Optimised",
        merged_into=families,
    )
    s.end_project(Scope(w.secretary), help_, on=D + dt.timedelta(days=3), reason="Finished")
    homes.refresh_from_db()
    assert (homes.status, homes.merged_into) == (SocialProject.Status.MERGED, families)
    with pytest.raises(ValidationError):  # already ended
        s.end_project(Scope(w.secretary), homes, on=D, reason="again")
    with pytest.raises(ValidationError):  # into an ended project
        s.end_project(Scope(w.secretary), families, on=D, reason="x", merged_into=help_)
    with pytest.raises(ValidationError):  # no events after the end
        s.record_project_event(
            Scope(w.secretary), homes, date=D + dt.timedelta(days=5), title="x", reach=1
        )
    with pytest.raises(ValidationError):
        s.record_project_event(Scope(w.secretary), families, date=D, title="x", reach=-1)
    with django_assert_num_queries(1):
        figures = {
            p.name: (p.event_count, p.reach)
            for p in s.project_figures(Scope(w.secretary), start=D, end=D + dt.timedelta(days=30))
        }
    assert figures == {"Бақытты отбасы": (1, 120), "Құтты мекен": (1, 5), "Халыққа көмек": (0, 0)}
    ended = s.projects_ended(Scope(w.admin), start=D, end=D + dt.timedelta(days=365))
    assert ended == {"merged": 1, "closed": 1}


def test_project_permissions(world):
    w = world
    mine = project(w)
    other = project(w, "Жастар — Отанға", user=w.admin, branch=w.other_district)
    for user in (w.other_secretary, w.leader, w.member_user):
        with pytest.raises(PermissionDenied):
            project(w, "x", user=user)
    with pytest.raises(PermissionDenied):
        s.record_project_event(Scope(w.other_secretary), mine, date=D, title="x", reach=1)
    with pytest.raises(PermissionDenied):  # not into another district's project
        s.end_project(Scope(w.secretary), mine, on=D, reason="x", merged_into=other)
    assert list(p.social_projects(Scope(w.secretary))) == [mine]
    assert set(p.social_projects(Scope(w.admin))) == {mine, other}
    assert list(p.social_projects(Scope(w.leader))) == []
    assert list(p.social_projects(Scope(w.member_user))) == []
