"""The citizens' pages: submit an appeal, check its status, the schedule, booking a visit.

Bad input, spam traps and rate limits change nothing and say why; the status page shows
nothing personal; the pages run a fixed number of queries.
"""

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.core import sms
from bastau.reception import services
from bastau.reception.forms import public as forms_public
from bastau.reception.models import (
    Appeal,
    Attachment,
    Booking,
    Official,
    ReceptionSchedule,
)
from bastau.reception.services import schedule as schedule_lib
from bastau.reception.services import work_calendar
from bastau.reception.views.public import public_record

from .. import factories as f
from ..factories.reception import APPLICANT_NAME, D

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100
IIN = f.make_iin(D(1990, 4, 12), "F")
TEXT = "Біздің үйде қазаннан бері жылу жоқ. Көмектесуіңізді сұраймын."


def stamp(seconds_ago: float = 60) -> str:
    return forms_public.make_stamp(time.time() - seconds_ago)


def form_data(w, **overrides) -> dict:
    data = {
        "applicant_name": APPLICANT_NAME,
        "applicant_phone": "+7 701 555 12 34",
        "applicant_email": "aigul@example.kz",
        "applicant_iin": IIN,
        "district": w.district.pk,
        "applicant_address": "Қандыағаш, Абай көшесі 1",
        "kind": "complaint",
        "topic": w.topic.pk,
        "text": TEXT,
        "consent": "on",
        "website": "",
        "started": stamp(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, url, data, address="10.1.1.1", **extra):
    return client.post(url, data, REMOTE_ADDR=address, **extra)


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def nothing_written():
    """Assert at the end of a test that no appeal, file, SMS or email came into being."""
    yield
    assert not Appeal.objects.exists()
    assert not Attachment.objects.exists()
    assert not sms.outbox and not mail.outbox


# Submitting ------------------------------------------------------------------------------
def test_form_page(rw, client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the districts and the topics
        response = client.get(reverse("reception:submit"))
    assert response.status_code == 200
    html = text_of(response)
    for name in ("applicant_name", "applicant_phone", "applicant_iin", "district", "topic", "text"):
        assert f'name="{name}"' in html
    assert 'type="file"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="website"' in html and 'class="hp"' in html  # the honeypot
    assert 'name="started"' in html
    assert "<script" not in html.split("<main")[1]  # no JavaScript needed
    # Every visible input has a label.
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[a-z_]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    # The district list is the region's districts and city, not the region itself.
    assert rw.district.name in html and rw.other_district.name in html
    assert (
        f'<option value="{rw.region.pk}">'
        not in html.split('name="district"')[1].split("</select>")[0]
    )


def test_submit_gives_a_tracking_code(rw, client):
    response = post(client, reverse("reception:submit"), form_data(rw))
    assert response.status_code == 302
    assert response["Location"] == reverse("reception:submitted")
    appeal = Appeal.objects.get()
    assert appeal.channel == Appeal.Channel.ONLINE
    assert appeal.receiving_branch == rw.district
    assert appeal.applicant_phone == "+77015551234" and appeal.applicant_iin == IIN
    assert appeal.language == "en"
    page = client.get(response["Location"])
    html = text_of(page)
    assert page.status_code == 200
    code = services.format_tracking_code(appeal.tracking_code)
    assert f'value="{code}"' in html  # copyable
    assert 'class="code-big"' in html
    assert appeal.tracking_code[:5] in html and appeal.tracking_code[5:] in html
    assert appeal.number in html
    assert appeal.due_on.strftime("%d.%m.%Y") in html
    assert "15 working days" in html
    assert "Write the code down" in html
    # The receipt holds no personal data; a reload shows it again.
    assert APPLICANT_NAME not in html
    assert client.get(response["Location"]).status_code == 200
    assert sms.outbox and appeal.tracking_code in sms.outbox[0].text.replace("-", "")


def test_submit_in_russian_records_the_language(rw, client):
    client.cookies["bastau_language"] = "ru"
    post(client, reverse("reception:submit"), form_data(rw))
    assert Appeal.objects.get().language == "ru"


def test_submit_with_an_attachment(rw, client):
    upload = SimpleUploadedFile("акт.pdf", PDF, content_type="application/pdf")
    response = post(client, reverse("reception:submit"), form_data(rw, attachments=upload))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "акт.pdf" and attachment.content_type == "application/pdf"


def test_receipt_page_without_a_submission_goes_to_status(client, db):
    response = client.get(reverse("reception:submitted"))
    assert response.status_code == 302 and response["Location"] == reverse("reception:status")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"applicant_iin": "900412400000"}, "The IIN&#x27;s check digit is wrong."),
        ({"applicant_iin": "12345"}, "IIN"),
        ({"text": ""}, "Describe your question or problem."),
        ({"text": "   "}, "Describe your question or problem."),
        ({"text": "Help"}, "The text is too short"),
        ({"applicant_name": ""}, "Give your name."),
        ({"applicant_phone": "12345"}, "Enter a phone number like"),
        ({"applicant_phone": "", "applicant_email": ""}, "Give a phone number or an email"),
        ({"applicant_email": "not-an-email"}, "Enter a valid email address."),
        ({"consent": None}, "Agree to the processing of your personal data"),
        ({"topic": ""}, "Choose a topic."),
        ({"district": ""}, "Choose your district or city."),
        ({"district": "999999"}, "Choose a district or city from the list."),
        ({"kind": "petition"}, "Choose the type of the appeal."),
    ],
)
def test_bad_input_changes_nothing(rw, client, nothing_written, overrides, message):
    response = post(client, reverse("reception:submit"), form_data(rw, **overrides))
    assert response.status_code == 200
    html = text_of(response)
    assert message in html
    assert 'role="alert"' in html and "The form was not sent" in html
    assert 'aria-invalid="true"' in html
    # What the citizen wrote is kept for the next try.
    if overrides.get("text", TEXT) == TEXT:
        assert TEXT in html


def test_oversized_attachment_changes_nothing(rw, client, settings, nothing_written):
    settings.RECEPTION_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = post(client, reverse("reception:submit"), form_data(rw, attachments=big))
    assert response.status_code == 200
    assert "The file scan.pdf is larger than 1 MB." in text_of(response)
    assert "attach them again" in text_of(response)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.exe", EXE, "Files of this type are not accepted: virus.exe."),
        ("scan.pdf", EXE, "The content of scan.pdf is not what its extension says."),
        ("empty.pdf", b"", "is empty."),
    ],
)
def test_wrong_attachment_changes_nothing(rw, client, nothing_written, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = post(client, reverse("reception:submit"), form_data(rw, attachments=upload))
    assert response.status_code == 200
    assert message in text_of(response)


def test_too_many_attachments(rw, client, settings, nothing_written):
    settings.RECEPTION_ATTACHMENT_MAX_COUNT = 2
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(3)]
    response = post(client, reverse("reception:submit"), form_data(rw, attachments=files))
    assert "Attach at most 2 files." in text_of(response)


def test_honeypot_changes_nothing(rw, client, nothing_written):
    response = post(client, reverse("reception:submit"), form_data(rw, website="http://spam"))
    assert response.status_code == 200
    assert "a field that must stay empty was filled in" in text_of(response)


def test_too_fast_changes_nothing(rw, client, nothing_written):
    response = post(client, reverse("reception:submit"), form_data(rw, started=stamp(1)))
    assert response.status_code == 200
    html = text_of(response)
    assert "sent too quickly" in html
    # A fresh stamp comes with the page: sending it again later works.
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert fresh != form_data(rw)["started"]


@pytest.mark.parametrize("started", ["", "forged", None])
def test_missing_or_forged_stamp_changes_nothing(rw, client, nothing_written, started):
    data = form_data(rw, started=started)
    if started == "forged":
        data["started"] = stamp().replace(":", ";")
    response = post(client, reverse("reception:submit"), data)
    assert "The page has expired" in text_of(response)


def test_rate_limit_per_address(rw, client, settings):
    settings.RECEPTION_SUBMISSIONS_PER_ADDRESS_PER_HOUR = 2
    url = reverse("reception:submit")
    for i in range(2):
        data = form_data(rw, applicant_phone=f"+7701555000{i}", applicant_email="")
        assert post(client, url, data).status_code == 302
    response = post(client, url, form_data(rw, applicant_phone="+77015550009"))
    assert response.status_code == 429
    assert "You have sent several appeals in a short time" in text_of(response)
    assert Appeal.objects.count() == 2
    # Another address is not affected.
    assert post(client, url, form_data(rw), address="10.2.2.2").status_code == 302


def test_rate_limit_per_phone_and_email(rw, client, settings):
    settings.RECEPTION_SUBMISSIONS_PER_CONTACT_PER_DAY = 2
    url = reverse("reception:submit")
    for i in range(2):
        assert (
            post(client, url, form_data(rw, applicant_email=""), f"10.0.0.{i}").status_code == 302
        )
    same_phone = form_data(rw, applicant_email="")
    assert post(client, url, same_phone, "10.0.0.9").status_code == 429
    email_only = form_data(rw, applicant_phone="", applicant_email="x@example.kz")
    for i in range(2):
        assert post(client, url, email_only, f"10.0.1.{i}").status_code == 302
    assert post(client, url, email_only, "10.0.1.9").status_code == 429
    assert Appeal.objects.count() == 4


def test_rate_limit_on_any_post(rw, client, settings):
    settings.RECEPTION_PUBLIC_POSTS_PER_HOUR = 3
    url = reverse("reception:submit")
    for _ in range(3):
        assert post(client, url, form_data(rw, text="")).status_code == 200
    response = post(client, url, form_data(rw))
    assert response.status_code == 429
    assert "Too many forms were sent from your connection" in text_of(response)
    assert not Appeal.objects.exists()


def test_client_address_behind_proxies(rw, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RECEPTION_SUBMISSIONS_PER_ADDRESS_PER_HOUR = 1
    url = reverse("reception:submit")
    proxy = "192.168.0.1"

    def send(client_ip, phone):
        data = form_data(rw, applicant_phone=phone, applicant_email="")
        return post(client, url, data, proxy, HTTP_X_FORWARDED_FOR=f"{client_ip}")

    assert send("5.5.5.5", "+77015550001").status_code == 302
    assert send("6.6.6.6", "+77015550002").status_code == 302  # not the proxy's address
    assert send("5.5.5.5", "+77015550003").status_code == 429


# Status ----------------------------------------------------------------------------------
def submit(w, **overrides) -> Appeal:
    data = dict(
        applicant_name=APPLICANT_NAME,
        applicant_phone="+7 701 555 12 34",
        applicant_email="aigul@example.kz",
        applicant_iin=IIN,
        applicant_address="Қандыағаш, Абай көшесі 1",
        district=w.district,
        topic=w.topic,
        kind="complaint",
        text=TEXT,
        consent=True,
        language="en",
    )
    data.update(overrides)
    receipt = services.submit_public_appeal(data)
    return Appeal.objects.get(tracking_code=receipt.tracking_code)


PERSONAL = [APPLICANT_NAME, "555", "aigul@", IIN, "Абай көшесі", TEXT[:20]]


def lookup(client, code, address="10.3.3.3"):
    return post(client, reverse("reception:status"), {"code": code}, address)


def test_status_shows_no_personal_data(rw, client, django_assert_num_queries):
    appeal = submit(rw)
    code = services.format_tracking_code(appeal.tracking_code)
    with django_assert_num_queries(1):
        response = lookup(client, code.lower())  # case and dash do not matter
    assert response.status_code == 200
    html = text_of(response)
    assert appeal.number in html and "Registered" in html
    assert appeal.registered_on.strftime("%d.%m.%Y") in html
    assert appeal.deadline.strftime("%d.%m.%Y") in html
    assert "Being considered" in html
    for value in PERSONAL:
        assert value not in html, value


def test_status_page_form(client, db):
    response = client.get(reverse("reception:status"))
    assert response.status_code == 200
    assert 'name="code"' in text_of(response)


def test_status_extended_forwarded_resolved(rw, client):
    appeal = submit(rw)
    today = timezone.localdate()
    cal = work_calendar()
    scope = Scope(rw.secretary)
    new_deadline = cal.working_day_on_or_after(appeal.due_on + dt.timedelta(days=10))
    services.extend(scope, appeal, new_deadline=new_deadline, reason="A site inspection is needed.")
    html = text_of(lookup(client, appeal.tracking_code))
    assert "Extended to" in html and new_deadline.strftime("%d.%m.%Y") in html
    assert "A site inspection is needed." in html

    services.assign(scope, appeal, assignee=rw.officer)
    services.resolve(
        scope,
        appeal,
        outcome=Appeal.Status.RESOLVED_POSITIVE,
        response_text="Heating restored by the akimat. Personal: Айгүл",
    )
    html = text_of(lookup(client, appeal.tracking_code))
    assert "Resolved positively" in html and "A written answer has been sent to you" in html
    assert today.strftime("%d.%m.%Y") in html
    assert "Heating restored" not in html
    for value in PERSONAL:
        assert value not in html, value

    other = submit(rw, applicant_phone="+77015550000")
    services.forward(scope, other, to="Ақтөбе облысының прокуратурасы")
    html = text_of(lookup(client, other.tracking_code))
    assert "Forwarded to" in html and "Ақтөбе облысының прокуратурасы" in html


def test_public_record_reads_only_public_columns(rw):
    appeal = submit(rw)
    record = public_record(appeal.tracking_code)
    values = " ".join(str(v) for v in vars(record).values())
    for value in PERSONAL:
        assert value not in values


@pytest.mark.parametrize("code", ["ABCDE-FGHJK", "short", "0000000000", "", "Ж" * 10])
def test_status_unknown_code(rw, client, code):
    submit(rw)
    response = lookup(client, code)
    if code:
        assert response.status_code == 404
        assert "No appeal has this tracking code." in text_of(response)
    else:
        assert "Enter the tracking code." in text_of(response)


def test_status_lookups_are_throttled(rw, client, settings):
    settings.RECEPTION_STATUS_LOOKUPS_PER_15_MIN = 5
    appeal = submit(rw)
    for _ in range(5):
        assert lookup(client, "ABCDE-FGHJK").status_code == 404
    response = lookup(client, appeal.tracking_code)
    assert response.status_code == 429
    assert appeal.number not in text_of(response)
    assert "Too many look-ups" in text_of(response)
    assert lookup(client, appeal.tracking_code, address="10.9.9.9").status_code == 200


# Schedule and booking --------------------------------------------------------------------
@pytest.fixture
def reception(rw):
    """A weekly reception in the district on the next working day, 10:00-11:00, 4 slots."""
    cal = work_calendar()
    day = cal.next_working_day(timezone.localdate())
    official = Official.objects.create(
        name="Нұрлан Сәрсенов",
        position="Аудан әкімінің орынбасары",
        organisation="Мұғалжар ауданы әкімдігі",
        kind=Official.Kind.STATE_BODY_HEAD,
        branch=rw.district,
    )
    item = ReceptionSchedule.objects.create(
        official=official,
        branch=rw.district,
        weekday=day.weekday(),
        start_time=dt.time(10),
        end_time=dt.time(11),
        place="Қандыағаш қ., Жастар көшесі 2",
        slot_minutes=15,
    )
    rw.official, rw.item, rw.day = official, item, day
    return rw


def test_schedule_page(reception, client, django_assert_num_queries):
    w = reception
    with django_assert_num_queries(5):
        response = client.get(reverse("reception:schedule"))
    assert response.status_code == 200
    html = text_of(response)
    assert w.official.name in html and w.item.place in html and "10:00" in html
    book_url = reverse("reception:book", args=[w.item.pk]) + f"?day={w.day:%Y-%m-%d}"
    assert book_url in html
    assert "4 free" in html
    # Filtered to another branch: nothing of this one.
    response = client.get(reverse("reception:schedule"), {"branch": w.other_district.pk})
    assert w.official.name not in text_of(response)


def test_schedule_page_queries_do_not_grow(reception, client, django_assert_num_queries):
    w = reception
    for i in range(5):
        official = Official.objects.create(
            name=f"Official {i}", position="Deputy", kind=Official.Kind.DEPUTY, branch=w.region
        )
        ReceptionSchedule.objects.create(
            official=official,
            branch=w.region,
            weekday=i,
            start_time=dt.time(9),
            end_time=dt.time(12),
            place="Ақтөбе",
        )
    with django_assert_num_queries(5):
        assert client.get(reverse("reception:schedule")).status_code == 200


def book_data(**overrides):
    data = {
        "time": "10:15",
        "applicant_name": "Серік Ахметов",
        "applicant_phone": "8 702 111 22 33",
        "topic": "",
        "website": "",
        "started": stamp(),
    }
    data.update(overrides)
    return data


def test_booking(reception, client):
    w = reception
    url = reverse("reception:book", args=[w.item.pk])
    response = client.get(url, {"day": w.day.isoformat()})
    assert response.status_code == 200
    html = text_of(response)
    assert 'type="radio"' in html and "10:45" in html
    response = post(client, f"{url}?day={w.day:%Y-%m-%d}", book_data(day=w.day.isoformat()))
    assert response.status_code == 302 and response["Location"] == reverse("reception:booked")
    booking = Booking.objects.get()
    assert (booking.date, booking.time, booking.official) == (w.day, dt.time(10, 15), w.official)
    assert booking.applicant_phone == "+77021112233" and booking.booked_by is None
    page = text_of(client.get(response["Location"]))
    assert services.format_tracking_code(booking.code) in page
    assert w.official.name in page and "10:15" in page and w.item.place in page
    assert booking.code in sms.outbox[-1].text
    # The slot is no longer offered.
    html = text_of(client.get(url, {"day": w.day.isoformat()}))
    assert 'value="10:15"' not in html and 'value="10:30"' in html


def test_booking_page_without_a_day_lists_days(reception, client):
    w = reception
    response = client.get(reverse("reception:book", args=[w.item.pk]))
    assert response.status_code == 200
    assert f"?day={w.day:%Y-%m-%d}" in text_of(response)
    response = client.get(reverse("reception:book", args=[w.item.pk]), {"day": "2000-01-01"})
    assert "Choose one of the days below" in text_of(response)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"applicant_phone": "123"}, "Enter a phone number like"),
        ({"applicant_name": ""}, "Give your name."),
        ({"time": "10:05"}, "Choose one of the offered times."),
        ({"time": ""}, "Choose a time."),
        ({"website": "x"}, "a field that must stay empty"),
        ({"started": "nope"}, "The page has expired"),
    ],
)
def test_bad_booking_changes_nothing(reception, client, overrides, message):
    w = reception
    url = reverse("reception:book", args=[w.item.pk]) + f"?day={w.day:%Y-%m-%d}"
    response = post(client, url, book_data(**overrides))
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Booking.objects.exists() and not sms.outbox


def test_booking_rate_limit_per_phone(reception, client, settings):
    settings.RECEPTION_BOOKINGS_PER_PHONE_PER_DAY = 1
    w = reception
    url = reverse("reception:book", args=[w.item.pk]) + f"?day={w.day:%Y-%m-%d}"
    assert post(client, url, book_data(time="10:00"), "10.0.0.1").status_code == 302
    response = post(client, url, book_data(time="10:30"), "10.0.0.2")
    assert response.status_code == 429
    assert Booking.objects.count() == 1


def test_unknown_or_inactive_schedule(reception, client):
    w = reception
    assert client.get(reverse("reception:book", args=[9999])).status_code == 404
    w.official.active = False
    w.official.save()
    assert client.get(reverse("reception:book", args=[w.item.pk])).status_code == 404


def test_cancel_booking_with_the_code(reception, client):
    w = reception
    booking = schedule_lib.book_reception(
        schedule=w.item,
        day=w.day,
        time=dt.time(10),
        applicant_name="Серік Ахметов",
        applicant_phone="+77021112233",
    )
    url = reverse("reception:cancel_booking")
    response = post(client, url, {"code": "ABCDEFGHJK", "website": "", "started": stamp()})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    code = services.format_tracking_code(booking.code).lower()
    response = post(client, url, {"code": code, "website": "", "started": stamp()})
    assert response.status_code == 200 and "is cancelled" in text_of(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


# Links -----------------------------------------------------------------------------------
def test_public_pages_are_linked_for_everyone(client, db):
    cache.clear()
    html = text_of(client.get(reverse("accounts:login")))
    assert reverse("reception:public") in html
    home = text_of(client.get(reverse("reception:public")))
    for name in ("submit", "status", "schedule", "cancel_booking"):
        assert reverse(f"reception:{name}") in home
    assert "15 working days" in home


@pytest.mark.parametrize("name", ["public", "schedule"])
def test_read_only_pages_refuse_post(client, db, name):
    assert client.post(reverse(f"reception:{name}")).status_code == 405
