"""The demo's information work, youth wing and supporters, as the administrator, the
Mugalzhar secretary and the POO leader see them. The small demo is seeded once for the module
as of a moment derived from the session's clock (any day works), inside a transaction rolled
back at the end."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bastau.accounts.models import User
from bastau.accounts.scoping import Scope
from bastau.demo import voice_outreach as demo_step
from bastau.lib.dates import age_on
from bastau.voice.outreach import statistics
from bastau.voice.outreach.models import Campaign
from bastau.voice.people import services as people
from bastau.voice.people.models import Consent, Supporter, YouthCongress, YouthWingMember

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMALL = 3000


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    now = timezone.now()
    with (
        django_db_blocker.unblock(),
        time_machine.travel(now),
        override_settings(PASSWORD_HASHERS=HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", members=SMALL, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(small_demo, db, settings):
    settings.PASSWORD_HASHERS = HASHERS
    return small_demo


def user(name):
    return User.objects.get(username=name)


def test_the_primaries_campaign_has_reach_against_plan_in_every_district(demo_db):
    campaign = Campaign.objects.get(title=demo_step.CAMPAIGN_TITLE)
    today = timezone.localdate()
    assert campaign.theme == Campaign.Theme.PRIMARIES
    assert campaign.starts_on < today < campaign.ends_on
    assert campaign.talking_points and campaign.talking_points_ru
    assert campaign.materials.count() == 1
    rows = statistics.by_district(Scope(user("admin")), campaign)
    assert len(rows) == 13
    assert all(r["planned"] > 0 and r["reach"] > 0 for r in rows)
    shares = [r["share"] for r in rows]
    assert min(shares) < 50 < max(shares)  # halfway through: some ahead, some behind
    mine = statistics.by_district(Scope(user("secretary")), campaign)
    assert [r["branch"].code for r in mine] == ["mugalzhar"]
    leader = statistics.by_district(Scope(user("leader")), campaign)
    assert leader and leader[0]["reach"] >= 48
    assert campaign.instructions.filter(text=demo_step.PRIMARIES_INSTRUCTION).exists()
    assert "Outreach campaign" in demo_db


def test_the_youth_wing_members_are_within_the_age_limits(demo_db):
    today = timezone.localdate()
    rows = list(
        YouthWingMember.objects.select_related("member", "wing").filter(left_on__isnull=True)
    )
    assert 300 <= len(rows) <= 400
    others = [r for r in rows if r.member_id is None]
    assert len(others) == demo_step.YOUTH_OTHERS
    assert all(r.consent_given_on and r.consent_version for r in others)
    for r in rows:
        born = r.member.birth_date if r.member_id else r.birth_date
        assert 14 <= age_on(born, today) <= 35
    assert len({r.branch_id for r in rows}) == 13
    congresses = list(YouthCongress.objects.order_by("date"))
    assert [c.date for c in congresses] == [
        today - dt.timedelta(days=n) for n in demo_step.CONGRESS_DAYS_AGO
    ]
    assert all(people.quorum(c) and c.date < today for c in congresses)
    # The later congress adopted the youth programme (a version of the agenda's programme).
    adopted = congresses[-1].adopted_versions.get()
    assert demo_step.PROGRAMME in adopted.programme.title
    assert adopted.programme.youth_wing == congresses[-1].wing
    assert not congresses[0].adopted_versions.exists()


def test_supporters_are_kept_with_consent_and_withdrawn_ones_are_erased(demo_db):
    total = Supporter.objects.count()
    assert total == demo_step.SUPPORTERS
    withdrawn = Supporter.objects.filter(status=Supporter.Status.WITHDRAWN)
    assert 0 < withdrawn.count() < total // 5
    assert not withdrawn.exclude(last_name="", phone="", email="").exists()
    assert not Consent.objects.filter(supporter__in=withdrawn, withdrawn_on__isnull=True).exists()
    assert Consent.objects.count() == total
    rows = people.counts_by_district(Scope(user("admin")))
    assert len(rows) == 13 and sum(r["supporters"] + r["volunteers"] for r in rows) == (
        total - withdrawn.count()
    )
    assert people.invitable_supporters(user("secretary").branch).count() > 0


def test_the_pages_open_for_the_demo_users(client, demo_db):
    campaign = Campaign.objects.get(title=demo_step.CAMPAIGN_TITLE)
    for name in ("admin", "secretary", "leader"):
        client.force_login(user(name))
        assert client.get(f"/outreach/{campaign.pk}/").status_code == 200
        assert client.get("/people/counts/").status_code == 200
    client.force_login(user("admin"))
    page = client.get("/people/youth/").content.decode()
    assert demo_step.PROGRAMME in page
    adopted = YouthCongress.objects.order_by("date").last().adopted_versions.get()
    assert f'href="/agenda/versions/{adopted.pk}/"' in page
    assert client.get(f"/agenda/versions/{adopted.pk}/").status_code == 200


def test_the_dates_follow_the_demo_day(demo_db):
    today = timezone.localdate()
    campaign = Campaign.objects.get(title=demo_step.CAMPAIGN_TITLE)
    assert campaign.starts_on == today - dt.timedelta(days=30)
    # Only the announced meeting lies ahead, and it is planned (no reach yet).
    ahead = campaign.events.filter(date__gt=today)
    assert [(e.title, e.date, e.reach) for e in ahead] == [
        (demo_step.UPCOMING_TITLE, today + dt.timedelta(days=demo_step.UPCOMING_IN_DAYS), None)
    ]
    assert not Supporter.objects.filter(registered_on__gt=today).exists()


def test_the_upcoming_meeting_has_its_districts_consenting_supporters_invited(client, demo_db):
    from bastau.voice.outreach import services as outreach
    from bastau.voice.outreach.models import Event, Invitation

    secretary = user("secretary")
    event = Event.objects.get(title=demo_step.UPCOMING_TITLE)
    assert event.is_planned and event.branch == secretary.branch
    invited = Invitation.objects.filter(event=event)
    consenting = people.invitable_supporters(secretary.branch)
    assert invited.count() == consenting.count() > 0
    assert not invited.exclude(supporter__in=consenting).exists()
    assert not invited.filter(supporter__status=Supporter.Status.WITHDRAWN).exists()
    assert outreach.invitation_counts(event)["sent"] == invited.count()
    # Russian speakers are among them.
    assert invited.filter(supporter__language="ru").exists()
    client.force_login(secretary)
    page = client.get(event.get_absolute_url()).content.decode()
    assert f'id="invited-count">{invited.count()}<' in page
