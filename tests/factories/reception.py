"""Builders of the reception's test data: an applicant's details, a registered appeal, a public
submission, and the staff pages' world (officials, schedule, session, booking, appeals)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bastau.accounts.scoping import Scope
from bastau.reception import services
from bastau.reception.models import Official, ReceptionSchedule

from . import make_iin

D = dt.date
T = dt.time
APPLICANT_NAME = "Айгүл Серікқызы"
REGISTERED_ON = D(2026, 3, 5)  # due 1 April 2026, forward by 11 March, extension cap 5 May
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def applicant_data(w, **overrides) -> dict:
    data = dict(
        applicant_name=APPLICANT_NAME,
        applicant_phone="+7 701 555 12 34",
        applicant_email="aigul@example.kz",
        applicant_address="Ақтөбе, Абай даңғылы 1",
        district=w.district,
        topic=w.topic,
        kind="complaint",
        text="The heating in our building has not worked since October.",
        language="en",
    )
    data.update(overrides)
    return data


def register(
    w, user=None, *, registered_on=REGISTERED_ON, branch=None, channel="reception", **data
):
    return services.register_appeal(
        Scope(user or w.secretary),
        data=applicant_data(w, **data),
        receiving_branch=branch or w.district,
        channel=channel,
        registered_on=registered_on,
    )


def public_data(w, **overrides):
    data = applicant_data(w, consent=True, applicant_iin=make_iin(D(1990, 4, 12), "F"))
    data.update(overrides)
    return data


def build(rw):
    """The reception world: an official of the district with a reception tomorrow, a session
    held today, a booking, an overdue appeal with a file, a fresh appeal, and an appeal of
    the other district."""
    w = rw
    today = timezone.localdate()
    w.official = services.save_official(
        Scope(w.secretary),
        Official(
            name="Серік Әбенов",
            position="Akim of Mugalzhar district",
            organisation="Akimat",
            kind=Official.Kind.STATE_BODY_HEAD,
            branch=w.district,
        ),
    )
    w.other_official = services.save_official(
        Scope(w.other_secretary),
        Official(
            name="Other Official",
            position="Akim of Khromtau",
            kind=Official.Kind.STATE_BODY_HEAD,
            branch=w.other_district,
        ),
    )
    w.schedule = services.save_schedule(
        Scope(w.secretary),
        ReceptionSchedule(
            official=w.official,
            branch=w.district,
            date=today + dt.timedelta(days=1),
            start_time=T(10, 0),
            end_time=T(12, 0),
            place="Akimat, room 101",
            slot_minutes=30,
        ),
    )
    w.session = services.open_session(
        Scope(w.secretary), official=w.official, date=today, place="Akimat, room 101"
    )
    w.booking = services.book_reception(
        schedule=w.schedule,
        day=today + dt.timedelta(days=1),
        time=T(10, 0),
        applicant_name="Гүлнар Визитова",
        applicant_phone="+77012223344",
        topic=w.topic,
    )
    w.appeal = register(w)  # 5 March 2026: overdue
    w.attachment = services.add_attachment(
        Scope(w.secretary), w.appeal, SimpleUploadedFile("скан.pdf", PDF)
    )
    w.fresh = register(w, registered_on=today, applicant_name="Бауыржан Жаңаев")
    w.other_appeal = register(
        w, w.other_secretary, branch=w.other_district, applicant_name="Other Applicant"
    )
    return w
