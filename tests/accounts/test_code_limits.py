"""Asking for a one-time code: the same answer for every destination, and limits that stop
the sending (per client address, per destination, in total)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bastau.accounts import otp, views
from bastau.accounts.models import OneTimeCode, Role
from bastau.core import sms

from .. import factories as f

URL = "/accounts/login/code/"


def ask(client, identifier, address="10.0.0.1", **extra):
    return client.post(URL, {"identifier": identifier}, REMOTE_ADDR=address, **extra)


def visible(response, client) -> list:
    """What a visitor sees of one request: status, redirect target and the page it leads to
    (without the per-session CSRF tokens)."""
    location = response.get("Location", "")
    page = client.get(location).content.decode() if location else response.content.decode()
    page = re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf token>", page)
    return [response.status_code, location, page]


@pytest.fixture
def phone_user(db):
    return f.user(Role.MEMBER, phone="+77015550201", email="asel@example.kz")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_existing_and_unknown_phone_get_the_same_answers(phone_user, settings, language):
    settings.OTP_MAX_CODES_PER_HOUR = 4
    seen = {}
    for phone in ("+77015550201", "+77015550299"):  # an account / no account
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        seen[phone] = [visible(ask(client, phone), client) for _ in range(6)]
    assert seen["+77015550201"] == seen["+77015550299"]
    assert [status for status, _, _ in seen["+77015550201"]] == [302] * 6
    assert {location for _, location, _ in seen["+77015550201"]} == {
        reverse("accounts:code_verify")
    }
    english = "If an account has this phone or email, a code has been sent."
    with translation.override(language):
        neutral = translation.gettext(english)
    assert neutral != english
    assert neutral in seen["+77015550299"][-1][2]
    # Four codes went to the account's phone, the fifth and sixth requests sent nothing.
    assert [message.to for message in sms.outbox] == ["+77015550201"] * 4
    assert mail.outbox == []


def test_both_answers_do_the_same_work(phone_user, monkeypatch):
    """The request queues one task whatever the destination; only the task looks it up."""
    queued = []
    monkeypatch.setattr(views, "send_login_code", SimpleNamespace(enqueue=queued.append))
    lookups = []
    monkeypatch.setattr(views.otp, "find_user", lambda value: lookups.append(value))
    client = Client()
    ask(client, "8 701 555 02 01")
    ask(client, "+7 701 555 02 99")
    ask(client, "Asel@Example.kz")
    assert queued == ["+77015550201", "+77015550299", "asel@example.kz"]
    assert lookups == []


def test_the_limit_per_client_address_stops_sending(settings, db):
    settings.OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR = 3
    phones = [f"+7701555031{i}" for i in range(5)]
    for phone in phones:
        f.user(Role.MEMBER, phone=phone)
    client = Client()
    answers = {ask(client, phone, address="10.0.0.7")["Location"] for phone in phones}
    assert answers == {reverse("accounts:code_verify")}
    assert [message.to for message in sms.outbox] == phones[:3]
    # Another address is counted on its own.
    ask(client, phones[4], address="10.0.0.8")
    assert [message.to for message in sms.outbox] == [*phones[:3], phones[4]]


def test_the_address_behind_a_proxy_is_the_forwarded_one(settings, db):
    settings.OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    for phone in ("+77015550321", "+77015550322", "+77015550323"):
        f.user(Role.MEMBER, phone=phone)
    client = Client()
    # Every request comes from the proxy (127.0.0.1); the clients differ.
    ask(client, "+77015550321", address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    ask(client, "+77015550322", address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    # A client cannot escape its limit by sending its own X-Forwarded-For: the proxy appends
    # the address it saw, and that right-most entry is the one counted.
    ask(
        client,
        "+77015550323",
        address="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",
    )
    assert [message.to for message in sms.outbox] == ["+77015550321", "+77015550322"]


def test_the_limit_per_destination_stops_sending(phone_user, settings):
    settings.OTP_MAX_CODES_PER_HOUR = 2
    client = Client()
    for n in range(5):  # from five addresses: the phone's own limit still holds
        assert ask(client, "8 701 555 02 01", address=f"10.0.1.{n}").status_code == 302
    assert len(sms.outbox) == 2
    # Another destination of the same account is limited too (the account's own allowance,
    # kept in the database, shared by every process).
    ask(client, "asel@example.kz", address="10.0.2.1")
    assert mail.outbox == []
    assert OneTimeCode.objects.filter(user=phone_user).count() == 2


def test_the_total_per_hour_stops_sending(settings, db):
    settings.OTP_MAX_CODES_TOTAL_PER_HOUR = 3
    phones = [f"+7701555041{i}" for i in range(6)]
    for phone in phones:
        f.user(Role.MEMBER, phone=phone)
    client = Client()
    for n, phone in enumerate(phones):
        assert ask(client, phone, address=f"10.0.3.{n}")["Location"] == reverse(
            "accounts:code_verify"
        )
    assert len(sms.outbox) == 3
    assert OneTimeCode.objects.count() == 3


def test_a_limit_of_zero_is_off(phone_user, settings):
    settings.OTP_MAX_CODES_PER_HOUR = 0
    settings.OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR = 0
    settings.OTP_MAX_CODES_TOTAL_PER_HOUR = 0
    client = Client()
    for _ in range(8):
        ask(client, "+77015550201")
    assert len(sms.outbox) == 8


def test_the_request_counters_slide_over_the_hour(settings, db):
    settings.OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR = 0
    settings.OTP_MAX_CODES_PER_HOUR = 4
    start = 1_900_000_800.0  # a window boundary: 1_900_000_800 = 527_778 * 3600
    assert start % otp.WINDOW_SECONDS == 0
    allowed = [otp.allow_request("a", "+77015550501", start + n) for n in range(6)]
    assert allowed == [True] * 4 + [False] * 2
    # Half an hour into the next window, half of the previous window's six still count.
    later = start + otp.WINDOW_SECONDS * 1.5
    assert otp.allow_request("a", "+77015550501", later)  # 3 + 1
    assert not otp.allow_request("a", "+77015550501", later + 1)  # 3 + 2
    # Two hours on, nothing of it remains.
    much_later = start + otp.WINDOW_SECONDS * 3
    assert [otp.allow_request("a", "+77015550501", much_later + n) for n in range(5)] == [
        True
    ] * 4 + [False]


def test_the_account_allowance_is_kept_in_the_database(phone_user, settings):
    settings.OTP_MAX_CODES_PER_HOUR = 1
    assert otp.deliver_code("+77015550201") == "sent"
    assert otp.deliver_code("asel@example.kz") == "limited"
    assert otp.deliver_code("+77015550299") == "no-account"
    assert len(sms.outbox) == 1 and mail.outbox == []


@pytest.mark.parametrize("identifier", ["hello", "12345", "asel@", "+7 701 ABC 02 01"])
def test_what_is_neither_a_phone_nor_an_email_is_a_form_error(db, identifier, monkeypatch):
    queued = []
    monkeypatch.setattr(views, "send_login_code", SimpleNamespace(enqueue=queued.append))
    response = Client(HTTP_ACCEPT_LANGUAGE="ru").post(URL, {"identifier": identifier})
    assert response.status_code == 200
    with translation.override("ru"):
        expected = translation.gettext(
            "Enter a phone number (for example +7 701 234 56 78) or an email address."
        )
    assert expected.startswith("Введите")
    assert expected in response.content.decode()
    assert queued == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8 701 555 02 01", "+77015550201"),
        ("+7 (701) 555-02-01", "+77015550201"),
        ("7015550201", "+77015550201"),
        (" Asel@Example.KZ ", "asel@example.kz"),
        ("555", ""),
        ("a@b", ""),
    ],
)
def test_destinations_are_normalized(raw, expected):
    assert otp.normalize_destination(raw) == expected
