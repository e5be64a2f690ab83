"""The thin cast path (issue #16): the confirming POST names the list its ballot was drawn for,
the view keeps the campaign in voting per process, and the cast is one statement that checks
the roll, the window and one ballot per member itself. Every check still holds when the kept
campaign is out of date or the posted list is not the member's."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bastau.accounts import sessionproof
from bastau.accounts.models import User
from bastau.primaries import services
from bastau.primaries.models import Campaign, Contest, Participation, PendingBallot
from bastau.structure.models import Branch

from ..factories.primaries import open_, text, url, voter_user


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def stored():
    return (Participation.objects.count(), PendingBallot.objects.count())


def confirm(client, campaign, choices, code="main"):
    return client.post(url("vote", campaign), {"step": "confirm", "choice": choices, "list": code})


def test_the_review_page_names_the_list_and_the_confirming_post_casts(client, election):
    campaign = open_(election)
    member = election.voters[4]
    client.force_login(voter_user(member))
    body = text(client.post(url("vote", campaign), {"step": "review", "choice": ["c1", "c3"]}))
    assert '<input type="hidden" name="list" value="main">' in body

    response = confirm(client, campaign, ["c1", "c3"])
    assert response.status_code == 302
    assert response["Location"] == url("receipt", campaign)
    assert PendingBallot.objects.get().choices == ["c1", "c3"]
    assert Participation.objects.get().member_id == member.pk
    assert PendingBallot.objects.get().tracker in text(client.get(url("receipt", campaign)))

    # Once only, on the thin path too: the same page as before, nothing more stored.
    assert "You have already voted" in text(confirm(client, campaign, ["c2"]))
    assert stored() == (1, 1)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the one-statement cast is PostgreSQL's (SQLite runs two INSERTs); CI runs both",
)
def test_the_cast_is_one_statement_on_postgresql(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    confirm(client, campaign, ["c1"])  # the campaign and its lists are now kept
    client.force_login(voter_user(election.voters[5]))
    with CaptureQueriesContext(connection) as queries:
        response = confirm(client, campaign, ["c2"])
    assert response.status_code == 302
    writes = [q["sql"] for q in queries if "INSERT" in q["sql"] or "UPDATE" in q["sql"]]
    assert len(writes) == 1 and writes[0].lstrip().startswith("WITH ballot AS")
    assert not any("BEGIN" in q["sql"] or "SAVEPOINT" in q["sql"] for q in queries)
    assert stored() == (2, 2)


def test_a_ballot_after_the_close_is_refused_though_the_campaign_was_kept(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    assert confirm(client, campaign, ["c1"]).status_code == 302  # kept now, as voting
    Campaign.objects.filter(pk=campaign.pk).update(
        voting_ends=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(voter_user(election.voters[5]))
    response = confirm(client, campaign, ["c2"])
    assert response.status_code == 200
    assert "Voting has ended." in text(response)
    assert stored() == (1, 1)


def test_a_list_that_is_not_the_members_casts_nothing(client, election):
    campaign = open_(election)
    branch = Branch.objects.exclude(pk=campaign.branch_id).first()
    other = Contest.objects.create(campaign=campaign, code="other", title="Other", branch=branch)
    member = election.voters[4]
    user = voter_user(member)
    with pytest.raises(services.NotOnRoll):
        services.cast_online(user, campaign, ["c1"], contest=other, allowed=["c1"])
    assert stored() == (0, 0)
    # Through the page: the other list has no candidates, so the posted choice is not on it
    # and the full view answers from the member's own roll entry.
    client.force_login(user)
    response = confirm(client, campaign, ["c1"], code="other")
    assert response.status_code == 302
    assert PendingBallot.objects.get().contest_id != other.pk


def test_a_member_off_the_roll_posting_a_list_is_refused(client, world, election):
    campaign = open_(election)
    client.force_login(voter_user(world.other_member))  # another district: not on the roll
    response = confirm(client, campaign, ["c1"])
    assert response.status_code == 403
    assert "You are not on the voter roll" in text(response)
    assert stored() == (0, 0)


def test_an_old_form_without_the_list_still_casts(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    response = client.post(url("vote", campaign), {"step": "confirm", "choice": ["c1"]})
    assert response.status_code == 302
    assert stored() == (1, 1)


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cache"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_live_in_redis_when_it_is_configured(tmp_path, redis_url, engine):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "BASTAU_", "REDIS_", "SESSION_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bastau.settings",
        BASTAU_VAR_DIR=str(tmp_path / "var"),
        REDIS_URL=redis_url,
    )
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_ENGINE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == engine


# The thin cast path (primaries.castpath): the session's proof instead of the user's row -----
#: what Django's AuthenticationMiddleware reads (the whole row); the thin path's account check
#: is the cast statement's (PostgreSQL) or a query of the password and member columns (SQLite)
USER_ROW = '"accounts_user"."last_login"'


def thin_queries(client, campaign, choices):
    with CaptureQueriesContext(connection) as queries:
        response = confirm(client, campaign, choices)
    return response, [q["sql"] for q in queries]


def test_the_thin_path_reads_no_user_row_and_answers_as_the_view(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))  # login() gives the session its proof
    assert sessionproof.PROOF_KEY in client.session
    response, sql = thin_queries(client, campaign, ["c1", "c3"])
    assert response.status_code == 302 and response["Location"] == url("receipt", campaign)
    assert not [q for q in sql if USER_ROW in q]
    assert (
        response["Cache-Control"].startswith("max-age=0")
        and "no-store" in response["Cache-Control"]
    )
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert PendingBallot.objects.get().choices == ["c1", "c3"]
    assert PendingBallot.objects.get().tracker in text(client.get(url("receipt", campaign)))
    # once only: the statement stores nothing, and the full view says why
    assert "You have already voted" in text(confirm(client, campaign, ["c2"]))
    assert stored() == (1, 1)


def test_a_password_changed_elsewhere_ends_the_session_on_the_thin_path(client, election):
    campaign = open_(election)
    user = voter_user(election.voters[4])
    client.force_login(user)
    user.set_password("a-new-password-set-in-another-browser")
    user.save()
    response = confirm(client, campaign, ["c1"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert stored() == (0, 0)
    assert "_auth_user_id" not in client.session  # signed out, as Django does


def test_a_deactivated_account_casts_nothing(client, election):
    campaign = open_(election)
    user = voter_user(election.voters[4])
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = confirm(client, campaign, ["c1"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert stored() == (0, 0)


def test_a_session_without_a_good_proof_goes_the_full_way(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    session = client.session
    digest, _sep, _tag = session[sessionproof.PROOF_KEY].partition(":")
    session[sessionproof.PROOF_KEY] = f"{digest}:{'0' * 64}"  # not this server's tag
    session.save()
    response, sql = thin_queries(client, campaign, ["c2"])
    assert response.status_code == 302  # Django's own check passed: the full view cast it
    assert [q for q in sql if USER_ROW in q]
    assert stored() == (1, 1)


def test_the_ballot_page_renews_the_proof_after_a_password_change_in_this_session(client, election):
    from django.contrib.auth import update_session_auth_hash
    from django.test import RequestFactory

    campaign = open_(election)
    user = voter_user(election.voters[4])
    client.force_login(user)
    user.set_password("changed-here")
    user.save()
    request = RequestFactory().get("/")
    request.session, request.user = client.session, user
    update_session_auth_hash(request, user)  # as the password change page does
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    old = client.session[sessionproof.PROOF_KEY]
    assert client.get(url("vote", campaign)).status_code == 200
    assert client.session[sessionproof.PROOF_KEY] != old
    response, sql = thin_queries(client, campaign, ["c1"])
    assert response.status_code == 302
    assert not [q for q in sql if USER_ROW in q]


def test_the_thin_path_keeps_csrf(election):
    from django.test import Client

    campaign = open_(election)
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter_user(election.voters[4]))
    assert client.get(url("vote", campaign)).status_code == 200
    token = client.cookies["csrftoken"].value
    form = {"step": "confirm", "choice": ["c1"], "list": "main"}
    assert client.post(url("vote", campaign), form).status_code == 403  # no token
    bad = client.post(
        url("vote", campaign),
        {**form, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://evil.example",
    )
    assert bad.status_code == 403
    assert stored() == (0, 0)
    good = client.post(
        url("vote", campaign),
        {**form, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert good.status_code == 302
    assert stored() == (1, 1)


def test_choices_the_form_would_refuse_go_to_the_full_view(client, election):
    campaign = open_(election)
    client.force_login(voter_user(election.voters[4]))
    too_many = ["c1", "c2", "c3", "c4", "c5", "c6"][: campaign.choose_up_to + 1]
    assert confirm(client, campaign, too_many).status_code == 200  # the form, with its error
    assert confirm(client, campaign, ["c1", "c1"]).status_code == 200
    assert confirm(client, campaign, ["c99"]).status_code == 200
    assert stored() == (0, 0)


def test_the_proof_holds_only_for_this_key_and_backend(client, election, settings):
    user = voter_user(election.voters[4])
    client.force_login(user)
    session = client.session
    account = sessionproof.claim(session)
    assert account == sessionproof.Account(user.pk, sessionproof.password_digest(user.password))
    data = dict(session.items())
    data["_auth_user_backend"] = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    assert sessionproof.claim(data) is None  # another backend: the full way
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert sessionproof.claim(session) is None  # Django's session hash fails too then
