"""The youth programme: a programme of a youth wing, drawn from a survey, submitted to the
wing's congress and adopted there (instead of a meeting's decision), with the rules of a
meeting's adoption; the pages in Kazakh and Russian (bad input: clear words, nothing changed)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.voice.agenda import services as s
from bastau.voice.agenda.models import Programme, ProgrammeVersion
from bastau.voice.people import services as people
from bastau.voice.surveys.models import Survey

from ...factories.surveys import _survey
from .conftest import item_data, youth

pytestmark = pytest.mark.django_db


@pytest.fixture
def yw(aw):
    return youth(aw)


def _state(version):
    version.refresh_from_db()
    return (version.status, version.congress_id, version.adopted_on, version.submitted_on)


# Services ----------------------------------------------------------------------------------
def test_a_youth_programme_is_submitted_and_adopted_at_its_wings_congress(yw):
    w, admin, today = yw, Scope(yw.admin), timezone.localdate()
    assert w.youth_programme.youth_wing == w.wing and w.youth_programme.survey == w.survey
    s.submit_to_congress(admin, w.youth_v1, on=today - dt.timedelta(days=5), today=today)
    assert _state(w.youth_v1) == ("submitted", None, None, today - dt.timedelta(days=5))
    assert list(s.congress_versions(admin, w.congress)) == [w.youth_v1]
    assert not s.congress_versions(admin, w.district_congress).exists()
    s.adopt_at_congress(admin, w.youth_v1, congress=w.congress, today=today)
    assert _state(w.youth_v1) == (
        "adopted",
        w.congress.pk,
        w.congress.date,
        today - dt.timedelta(days=5),
    )
    assert w.youth_v1.decision_id is None and w.youth_v1.agenda_item_id is None
    assert s.adopted_version(w.youth_programme) == w.youth_v1
    assert list(w.congress.adopted_versions.all()) == [w.youth_v1]
    assert AuditEvent.objects.filter(action="programme.adopted").exists()
    # Adopted: tracked and published as a meeting-adopted version is.
    s.track_item(admin, w.youth_item, status="in_progress", today=today)
    s.publish_version(admin, w.youth_v1)
    # A later version adopted at a later congress supersedes it.
    v2 = s.create_version(admin, w.youth_programme, note="2")
    s.submit_to_congress(admin, v2, on=today, today=today)
    later = people.record_congress(
        admin, w.wing, date=today, title="Келесі съезд", delegates_elected=10, delegates_present=9
    )
    s.adopt_at_congress(admin, v2, congress=later, today=today)
    assert _state(w.youth_v1)[0] == "superseded" and s.adopted_version(w.youth_programme) == v2


def test_adoption_at_a_congress_refuses_what_a_meeting_would_and_changes_nothing(yw):
    w, admin, today = yw, Scope(yw.admin), timezone.localdate()
    before = _state(w.youth_v1)
    with pytest.raises(ValidationError, match="submitted"):  # still a draft
        s.adopt_at_congress(admin, w.youth_v1, congress=w.congress, today=today)
    assert _state(w.youth_v1) == before
    s.submit_to_congress(admin, w.youth_v1, on=today - dt.timedelta(days=1), today=today)
    before = _state(w.youth_v1)
    # The congress was held before the version was submitted.
    with pytest.raises(ValidationError) as exc:
        s.adopt_at_congress(admin, w.youth_v1, congress=w.congress, today=today)
    assert "congress" in exc.value.message_dict
    # A congress of another wing.
    with pytest.raises(ValidationError) as exc:
        s.adopt_at_congress(admin, w.youth_v1, congress=w.district_congress, today=today)
    assert "congress" in exc.value.message_dict
    # A congress not held yet.
    future = people.record_congress(
        admin, w.wing, date=today + dt.timedelta(days=3), title="Алдағы съезд",
        delegates_elected=10, delegates_present=0,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="not been held"):
        s.adopt_at_congress(admin, w.youth_v1, congress=future, today=today)
    # The secretary may not edit the wing nor the regional programme.
    with pytest.raises(PermissionDenied):
        s.adopt_at_congress(Scope(w.secretary), w.youth_v1, congress=w.congress, today=today)
    assert _state(w.youth_v1) == before
    # Only once.
    held = people.record_congress(
        admin, w.wing, date=today, title="Съезд", delegates_elected=10, delegates_present=9
    )
    s.adopt_at_congress(admin, w.youth_v1, congress=held, today=today)
    with pytest.raises(ValidationError, match="already adopted"):
        s.adopt_at_congress(admin, w.youth_v1, congress=held, today=today)
    assert _state(w.youth_v1)[1] == held.pk


def test_a_pre_election_programme_is_not_adopted_at_a_congress_nor_a_youth_one_at_a_meeting(yw):
    w, admin, today = yw, Scope(yw.admin), timezone.localdate()
    s.add_item(admin, w.programme, issues_answered=[w.issue], **item_data())
    version = s.create_version(admin, w.programme)
    with pytest.raises(ValidationError):
        s.submit_to_congress(admin, version, on=today, today=today)
    with pytest.raises(ValidationError, match="youth"):
        s.adopt_at_congress(admin, version, congress=w.congress, today=today)
    with pytest.raises(ValidationError, match="congress"):
        s.submit_version(admin, w.youth_v1, meeting=w.meeting)
    with pytest.raises(ValidationError):
        s.submit_to_congress(admin, w.youth_v1, on=today + dt.timedelta(days=1), today=today)
    assert ProgrammeVersion.objects.filter(status="draft").count() == 2


def test_a_youth_programme_belongs_to_its_wings_branch_and_a_survey_the_user_sees(yw):
    w, admin = yw, Scope(yw.admin)
    n = Programme.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.create_programme(admin, branch=w.district, title="X", youth_wing=w.wing)
    assert "youth_wing" in exc.value.message_dict
    theirs = _survey(Scope(w.other_secretary), w.other_district, Survey.Audience.YOUTH)
    with pytest.raises(ValidationError) as exc:
        s.create_programme(Scope(w.secretary), branch=w.district, title="X", survey=theirs)
    assert "survey" in exc.value.message_dict
    district = s.create_programme(
        Scope(w.secretary), branch=w.district, title="Аудан жастары", youth_wing=w.district_wing
    )
    assert district.youth_wing == w.district_wing
    assert Programme.objects.count() == n + 1


# Pages -------------------------------------------------------------------------------------
def _u(name, *args):
    return reverse(f"agenda:{name}", args=args)


def _lang(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang


def test_through_the_pages_the_congress_adopts_the_youth_programme(client, yw):
    w, today = yw, timezone.localdate()
    client.force_login(w.admin)
    _lang(client, "kk")
    page = client.get(_u("version", w.youth_v1.pk)).content.decode()
    assert _u("version_submit", w.youth_v1.pk) in page and "съезіне" in page
    r = client.post(
        _u("version_submit", w.youth_v1.pk),
        {"submitted_on": (today - dt.timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 302
    wing_page = client.get(reverse("people:wing", args=[w.wing.pk])).content.decode()
    assert _u("congress_adopt", w.congress.pk) in wing_page
    form = client.get(_u("congress_adopt", w.congress.pk)).content.decode()
    assert f'value="{w.youth_v1.pk}"' in form
    r = client.post(_u("congress_adopt", w.congress.pk), {"version": w.youth_v1.pk})
    assert r.status_code == 302 and r["Location"] == _u("version", w.youth_v1.pk)
    assert _state(w.youth_v1)[:3] == ("adopted", w.congress.pk, w.congress.date)
    wing_page = client.get(reverse("people:wing", args=[w.wing.pk])).content.decode()
    assert f'href="{_u("version", w.youth_v1.pk)}"' in wing_page
    assert "«Жастар — Отанға!»" in wing_page
    _lang(client, "ru")
    programme = client.get(_u("programme", w.youth_programme.pk)).content.decode()
    assert 'id="adopted-congress"' in programme and "Жастар съезі" in programme
    assert f"{reverse('people:wing', args=[w.wing.pk])}#congress-{w.congress.pk}" in programme
    assert "Принята съездом" in programme
    wing_page = client.get(reverse("people:wing", args=[w.wing.pk])).content.decode()
    assert "«Жастар — Отанға!» (рус.)" in wing_page


@pytest.mark.parametrize(
    ("lang", "not_offered", "too_early"),
    [
        ("kk", "Осы съезге ұсынылған нұсқаны таңдаңыз.",
         "Съезд нұсқа оған ұсынылғанға дейін өтті."),
        ("ru", "Выберите версию, представленную этому съезду.",
         "Съезд прошёл до того, как версия была ему представлена."),
    ],
)  # fmt: skip
def test_bad_input_on_the_adoption_page_is_refused_in_the_readers_language(
    client, yw, lang, not_offered, too_early
):
    w, today = yw, timezone.localdate()
    client.force_login(w.admin)
    _lang(client, lang)
    # A draft (not submitted) version is not offered.
    r = client.post(_u("congress_adopt", w.congress.pk), {"version": w.youth_v1.pk})
    assert r.status_code == 200 and not_offered in r.content.decode()
    # Submitted after the congress was held.
    s.submit_to_congress(Scope(w.admin), w.youth_v1, on=today, today=today)
    before = _state(w.youth_v1)
    r = client.post(_u("congress_adopt", w.congress.pk), {"version": w.youth_v1.pk})
    assert r.status_code == 200 and too_early in r.content.decode()
    r = client.post(_u("congress_adopt", w.congress.pk), {"version": "x"})
    assert r.status_code == 200 and not_offered in r.content.decode()
    assert _state(w.youth_v1) == before
    # A date of submission in the future.
    r = client.post(
        _u("version_submit", w.youth_v1.pk),
        {"submitted_on": (today + dt.timedelta(days=2)).isoformat()},
    )
    assert r.status_code == 200
    assert _state(w.youth_v1) == before


def test_the_secretary_sees_the_adoption_but_no_link_that_would_not_open(client, yw):
    w, admin, today = yw, Scope(yw.admin), timezone.localdate()
    s.submit_to_congress(admin, w.youth_v1, on=today - dt.timedelta(days=4), today=today)
    s.adopt_at_congress(admin, w.youth_v1, congress=w.congress, today=today)
    client.force_login(w.secretary)
    page = client.get(reverse("people:wing", args=[w.wing.pk])).content.decode()
    assert "«Жастар — Отанға!»" in page
    assert _u("version", w.youth_v1.pk) not in page
    assert _u("congress_adopt", w.congress.pk) not in page
    assert client.get(_u("version", w.youth_v1.pk)).status_code == 404
    assert client.get(_u("congress_adopt", w.congress.pk)).status_code == 403
