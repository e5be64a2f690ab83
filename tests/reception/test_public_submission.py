"""Online submission without an account: valid input, bad input changes nothing."""

import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastau.core import sms
from bastau.core.models import AuditEvent
from bastau.lib import workdays
from bastau.reception import services
from bastau.reception.models import Appeal, AppealEvent, Attachment
from bastau.reception.services import work_calendar

from ..factories.reception import APPLICANT_NAME, public_data

pytestmark = pytest.mark.django_db


def test_submit_returns_a_tracking_code(rw, caplog):
    caplog.set_level(logging.DEBUG)
    receipt = services.submit_public_appeal(public_data(rw))
    appeal = Appeal.objects.get()
    assert receipt.tracking_code == appeal.tracking_code
    assert receipt.tracking_code_display == f"{appeal.tracking_code[:5]}-{appeal.tracking_code[5:]}"
    assert (
        receipt.number
        == appeal.number
        == "MUGALZHAR-2026-000001".replace("2026", str(timezone.localdate().year))
    )
    today = timezone.localdate()
    assert appeal.registered_on == today
    assert (
        appeal.deadline
        == receipt.deadline
        == workdays.consideration_deadline(work_calendar(), today)
    )
    assert appeal.channel == Appeal.Channel.ONLINE
    assert appeal.registered_by is None
    assert appeal.consent_at is not None
    assert appeal.receiving_branch == rw.district  # the applicant's district
    assert appeal.events.get(kind="registered").by is None
    assert appeal.tracking_code in sms.outbox[0].text.replace("-", "")
    # No personal data in the logs or the audit trail.
    audit_event = AuditEvent.objects.get(action="appeal.submitted_online")
    assert audit_event.actor is None and audit_event.ip_address is None
    assert APPLICANT_NAME not in audit_event.summary + str(audit_event.data)
    assert APPLICANT_NAME not in caplog.text and "555" not in caplog.text


def test_submit_without_district_goes_to_the_region(rw):
    services.submit_public_appeal(public_data(rw, district=None))
    assert Appeal.objects.get().receiving_branch == rw.region


def test_submit_to_a_chosen_branch(rw):
    services.submit_public_appeal(public_data(rw, receiving_branch=rw.other_district.pk))
    appeal = Appeal.objects.get()
    assert appeal.receiving_branch == rw.other_district
    assert appeal.number.startswith("KHROMTAU-")


def test_email_only_contact_is_enough(rw):
    services.submit_public_appeal(public_data(rw, applicant_phone=""))
    assert Appeal.objects.get().applicant_phone == ""
    assert mail.outbox and not sms.outbox


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("+7 701 123 45 67", "+77011234567"),
        ("8 (701) 123-45-67", "+77011234567"),
        ("87011234567", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("+7 7132 55-44-33", "+77132554433"),
    ],
)
def test_phone_normalization(phone, expected):
    assert services.normalize_phone(phone) == expected


@pytest.mark.parametrize("phone", ["12345", "+1 202 555 0100", "+7 701 123 45 6", "phone", "٠٧٠١"])
def test_bad_phones(phone):
    with pytest.raises(ValidationError):
        services.normalize_phone(phone)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"applicant_iin": "900412400000"}, "applicant_iin"),  # bad check digit
        ({"applicant_iin": "12345"}, "applicant_iin"),
        ({"applicant_iin": "901312400001"}, "applicant_iin"),  # 13th month
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "Help"}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"applicant_phone": "12345"}, "applicant_phone"),
        ({"applicant_phone": "", "applicant_email": ""}, "applicant_phone"),
        ({"applicant_email": "not-an-email"}, "applicant_email"),
        ({"applicant_name": "  "}, "applicant_name"),
        ({"applicant_name": "N" * 201}, "applicant_name"),
        ({"consent": False}, "consent"),
        ({"topic": None}, "topic"),
        ({"kind": "petition"}, "kind"),
        ({"applicant_address": "A" * 301}, "applicant_address"),
        ({"receiving_branch": 999999}, "receiving_branch"),
        ({"district": "abc"}, "district"),
        ({"topic": "not-a-pk"}, "topic"),
    ],
)
def test_bad_input_changes_nothing(rw, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.submit_public_appeal(public_data(rw, **overrides))
    assert field in exc.value.message_dict
    assert exc.value.message_dict[field][0]  # a readable message
    assert not Appeal.objects.exists()
    assert not AppealEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="appeal.").exists()
    assert not sms.outbox and not mail.outbox


def test_inactive_topic_and_region_as_district_are_refused(rw):
    rw.land.active = False
    rw.land.save()
    with pytest.raises(ValidationError) as exc:
        services.submit_public_appeal(public_data(rw, topic=rw.land, district=rw.region))
    assert {"topic", "district"} <= set(exc.value.message_dict)


def test_all_errors_reported_together(rw):
    with pytest.raises(ValidationError) as exc:
        services.submit_public_appeal(
            public_data(rw, applicant_iin="1", text="", applicant_phone="0", consent=False)
        )
    assert {"applicant_iin", "text", "applicant_phone", "consent"} <= set(exc.value.message_dict)


def test_iin_message_is_specific(rw):
    with pytest.raises(ValidationError) as exc:
        services.submit_public_appeal(public_data(rw, applicant_iin="900412400000"))
    assert exc.value.message_dict["applicant_iin"] == ["The IIN's check digit is wrong."]


def test_bad_file_changes_nothing(rw, settings):
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100)
    with pytest.raises(ValidationError) as exc:
        services.submit_public_appeal(public_data(rw), files=[exe])
    assert "attachments" in exc.value.message_dict
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not (media / "appeals").exists() or not any((media / "appeals").rglob("*"))


def test_rate_limit(rw):
    hits = [
        services.rate_limited("submit", "10.0.0.1", limit=3, window_seconds=60) for _ in range(5)
    ]
    assert hits == [False, False, False, True, True]
    assert not services.rate_limited("submit", "10.0.0.2", limit=3, window_seconds=60)
