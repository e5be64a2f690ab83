import re

import pytest
from django.core import mail
from django.urls import reverse

from bastau.accounts.models import OneTimeCode, Role
from bastau.core import sms

from .. import factories as f


def test_password_login_and_logout(client, world):
    response = client.post(
        reverse("accounts:login"),
        {"username": world.secretary.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert client.get(reverse("members:list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("members:list")).status_code == 302


def test_production_hasher_is_argon2(settings, db):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = f.user(Role.MEMBER)
    assert user.password.startswith("argon2$")


def test_repeated_failures_lock_the_account(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": world.secretary.username, "password": "wrong"})
    response = client.post(
        url, {"username": world.secretary.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert client.get(reverse("members:list")).status_code == 302


def _code_from(text):
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_login_by_sms_code(client, world):
    user = world.member_user
    user.phone = "+77015550101"
    user.save()
    response = client.post(reverse("accounts:code_request"), {"identifier": "8 701 555 01 01"})
    assert response.status_code == 302
    assert len(sms.outbox) == 1 and sms.outbox[0].to == "+77015550101"
    code = _code_from(sms.outbox[0].text)
    response = client.post(reverse("accounts:code_verify"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("members:me")).status_code == 200
    # A used code does not work twice.
    client.logout()
    client.post(reverse("accounts:code_request"), {"identifier": "nobody@example.kz"})
    response = client.post(reverse("accounts:code_verify"), {"code": code})
    assert response.status_code == 200


def test_login_by_email_code(client, world):
    user = world.member_user
    user.email = "aigerim@example.kz"
    user.save()
    client.post(reverse("accounts:code_request"), {"identifier": "Aigerim@Example.kz"})
    assert len(mail.outbox) == 1
    code = _code_from(mail.outbox[0].body)
    assert client.post(reverse("accounts:code_verify"), {"code": code}).status_code == 302


def test_unknown_identifier_gets_the_same_answer(client, db):
    response = client.post(reverse("accounts:code_request"), {"identifier": "+77000000000"})
    assert response.status_code == 302
    assert sms.outbox == [] and mail.outbox == []


def test_wrong_codes_are_limited(client, world, settings):
    user = world.member_user
    user.phone = "+77015550102"
    user.save()
    client.post(reverse("accounts:code_request"), {"identifier": "+77015550102"})
    code = _code_from(sms.outbox[0].text)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        response = client.post(reverse("accounts:code_verify"), {"code": wrong})
        assert response.status_code == 200
    # Even the right code is refused now: the attempts are spent.
    assert client.post(reverse("accounts:code_verify"), {"code": code}).status_code == 200
    assert OneTimeCode.objects.get().attempts == settings.OTP_MAX_ATTEMPTS


def test_code_requests_are_limited_per_hour(client, world, settings):
    settings.OTP_MAX_CODES_PER_HOUR = 2
    user = world.member_user
    user.phone = "+77015550103"
    user.save()
    url = reverse("accounts:code_request")
    for _ in range(3):
        response = client.post(url, {"identifier": "+77015550103"})
        # Over the limit the answer does not change (it would reveal the account); nothing
        # more is sent.
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:code_verify")
    assert len(sms.outbox) == 2


@pytest.mark.parametrize("code", ["12345", "abcdef", ""])
def test_malformed_code_is_a_form_error(client, world, code):
    session = client.session
    session["otp_destination"] = "+77015550199"
    session.save()
    response = client.post(reverse("accounts:code_verify"), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_code_login_returns_to_the_page_asked_for(client, world):
    user = world.member_user
    user.phone = "+77015550109"
    user.save()
    client.post(
        reverse("accounts:code_request") + "?next=/members/me/", {"identifier": "+77015550109"}
    )
    code = _code_from(sms.outbox[0].text)
    response = client.post(reverse("accounts:code_verify"), {"code": code})
    assert response["Location"] == "/members/me/"


def test_code_login_ignores_a_foreign_next(client, world):
    user = world.member_user
    user.phone = "+77015550110"
    user.save()
    client.post(
        reverse("accounts:code_request") + "?next=https://evil.example/",
        {"identifier": "+77015550110"},
    )
    code = _code_from(sms.outbox[0].text)
    response = client.post(reverse("accounts:code_verify"), {"code": code})
    assert response["Location"] == reverse("core:home")
