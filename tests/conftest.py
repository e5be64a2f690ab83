import datetime as dt
import os
from types import SimpleNamespace

import pytest
import time_machine

from bastau.accounts.models import Role
from bastau.structure.models import Branch

from . import factories as f

TEST_NOW = "BASTAU_TEST_NOW"
_session_travel: time_machine.travel | None = None


def session_now(value: str) -> dt.datetime:
    """The moment BASTAU_TEST_NOW names: an ISO date-time with its UTC offset."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(
            f"{TEST_NOW}={value!r}: give an ISO date-time with its UTC offset, "
            "for example 2035-12-31T23:30+05:00"
        )
    return moment


def pytest_configure(config):
    """`BASTAU_TEST_NOW=2035-12-31T23:30+05:00 pytest` runs the whole session on that day.

    The clock starts at that moment and runs on (time-machine patches the process, so the
    live server's thread of the browser tests sees it too); tests that freeze their own
    moment still do so on top of it. `make test-dates` runs the suite on several such days.
    """
    global _session_travel
    value = os.environ.get(TEST_NOW, "").strip()
    if not value:
        return
    moment = session_now(value)
    _session_travel = time_machine.travel(moment, tick=True)
    _session_travel.start()


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def pytest_report_header(config):
    value = os.environ.get(TEST_NOW, "").strip()
    if value:
        return f"{TEST_NOW}: the clock starts at {session_now(value).isoformat()}"
    return None


@pytest.fixture(autouse=True)
def _plain_settings(settings, tmp_path):
    """Tests run over plain HTTP with the locmem outboxes."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "bastau.core.sms.backends.locmem.SmsBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"
    # Argon2 is slow by design; tests of hashing itself opt back in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from bastau.core import sms

    sms.outbox.clear()


@pytest.fixture
def world(db):
    """A region with two districts; each district has two POOs with members; a user per role.

    `other_*` objects belong to the second district, which the district secretary must never see.
    """
    region = f.branch(kind=Branch.Kind.REGION, name="Region", code="region")
    district = f.branch(parent=region, name="Mugalzhar", code="mugalzhar")
    other_district = f.branch(parent=region, name="Khromtau", code="khromtau")
    poo = f.poo(district, name="School 1")
    poo2 = f.poo(district, name="Hospital 2")
    other_poo = f.poo(other_district, name="Mine 3")
    members = [
        f.member(poo, sex="F", birth_date=dt.date(1995, 3, 1)),
        f.member(poo, sex="M", birth_date=dt.date(1970, 7, 9)),
        f.member(poo2, sex="F", birth_date=dt.date(1960, 1, 2)),
    ]
    other_member = f.member(other_poo, sex="M", birth_date=dt.date(1999, 12, 31))
    member_user = f.user(Role.MEMBER, member=members[0])
    return SimpleNamespace(
        region=region,
        district=district,
        other_district=other_district,
        poo=poo,
        poo2=poo2,
        other_poo=other_poo,
        members=members,
        member=members[0],
        other_member=other_member,
        admin=f.user(Role.REGIONAL_ADMIN, branch=region),
        secretary=f.user(Role.DISTRICT_SECRETARY, branch=district),
        other_secretary=f.user(Role.DISTRICT_SECRETARY, branch=other_district),
        leader=f.user(Role.POO_LEADER, poo=poo),
        member_user=member_user,
    )
