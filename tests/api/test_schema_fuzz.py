"""Fuzzing the OpenAPI schema with schemathesis (docs/api.md): every operation, generated
inputs valid and invalid, called with a district secretary's read-write token for every app.
No 5xx, every response as the schema says (status, content type, body), and nothing from the
other district ever appears in a response. A few examples per operation keep it under a
minute; `SCHEMATHESIS_EXAMPLES=200` fuzzes harder."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from bastau.reception.models import Topic

from ..factories import reception as rf
from .conftest import make_token

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
#: Left out, with reasons (docs/api.md): unknown query parameters are ignored, as most HTTP APIs
#: do, so "negative data rejected" is off; a request can match the schema and still be refused
#: with a problem (a cursor the server never issued: 400; an unknown topic or a file with bad
#: rows: 404/422), so "positive data accepted" is off too. Every other check stays on.
EXCLUDED = [negative_data_rejection, positive_data_acceptance]
SECRET_NAME = "Құпиятегі"  # the other district's member and applicant: never in a response


@pytest.fixture
def fuzz_world(world, settings):
    # schemathesis calls the WSGI application itself, not Django's test client, so the request
    # signals would close the test's connection mid-transaction (PostgreSQL then has no
    # connection); the test client disconnects them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.API_RATE_LIMIT = "100000/min"
    w = world
    w.other_member.last_name = SECRET_NAME
    w.other_member.save()
    w.topic = Topic.objects.get(code="social_aid")
    rf.register(w)
    rf.register(w, w.other_secretary, branch=w.other_district, applicant_name=SECRET_NAME)
    _voice(w)
    w.token = make_token(w.secretary, access="write")
    yield w
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _voice(w):
    """Surveys with answers, and a programme of each district (the other's named SECRET_NAME),
    so the surveys and programme operations answer with rows, not only empty lists."""
    import datetime as dt

    from django.utils import timezone

    from bastau.accounts.scoping import Scope
    from bastau.voice.agenda import services as agenda
    from bastau.voice.surveys import services as surveys

    from ..factories.surveys import answer_data
    from ..factories.surveys import build as build_surveys

    build_surveys(w)
    today = timezone.localdate()
    surveys.submit_member_answer(Scope(w.member_user), w.survey, answer_data(w), today=today)
    for who, district, title in (
        (w.secretary, w.district, "Әлеуметтік көмек"),
        (w.other_secretary, w.other_district, SECRET_NAME),
    ):
        scope = Scope(who)
        issue = agenda.create_issue(scope, title=title, district=district)
        programme = agenda.create_programme(scope, branch=district, title=title)
        agenda.add_item(
            scope,
            programme,
            issues_answered=[issue],
            title=title,
            indicator="Күн",
            target="10",
            deadline=today + dt.timedelta(days=30),
            responsible="Филиал",
            cost=None,
        )
        agenda.create_version(scope, programme)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, fuzz_world):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_world.token}"}, excluded_checks=EXCLUDED
    )
    assert response.status_code < 500
    text = response.text
    assert SECRET_NAME not in text
    assert fuzz_world.other_member.iin not in text
