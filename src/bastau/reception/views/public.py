"""The citizens' pages of the public reception «Халыққа көмек», open to everyone, no account.

- submit an appeal online and get a tracking code (`submit`, `submitted`);
- check the status with the code (`status`): only non-personal fields are ever read;
- the published schedule of receptions (`schedule`), booking a visitor slot (`book`,
  `booked`) and cancelling it with the booking code (`cancel_booking`).

The writes are the services' (`services.submit_public_appeal`, `services.book_reception`,
`services.cancel_booking`); these views add what only a page can do: the spam traps of
`forms.public` (honeypot, signed minimum fill time) and rate limits per client address,
per phone and per email (`services.rate_limited`, which keeps only hashes in the cache).
The client address is the connection's, or, behind TRUSTED_PROXY_COUNT reverse proxies, the
one the outermost trusted proxy saw (the same rule as the login throttling).

After a successful submission or booking the receipt goes to the next page through the
session (Post/Redirect/Get, so a reload does not send the form twice); it holds the tracking
or booking code and dates, nothing about the person.

Every page works without JavaScript and on a small phone screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from bastau.lib import workdays
from bastau.structure.models import Branch

from .. import services
from ..forms.public import AppealForm, BookingForm, CancelBookingForm, StatusForm
from ..models import TRACKING_ALPHABET, TRACKING_LENGTH, Appeal, Booking, ReceptionSchedule

RECEIPT_KEY = "reception_receipt"
BOOKING_KEY = "reception_booking"
#: How many days of receptions the published schedule lists.
SCHEDULE_DAYS = 14
#: How many coming receptions of one official the booking page offers.
BOOKING_DAYS_SHOWN = 8
HOUR = 3600
DAY = 24 * HOUR


def _limit(name: str, default: int) -> int:
    return getattr(settings, f"RECEPTION_{name}", default)


def posts_per_hour() -> int:
    """Any form sent from one address (valid or not): stops hammering."""
    return _limit("PUBLIC_POSTS_PER_HOUR", 60)


def submissions_per_hour() -> int:
    """Appeals accepted from one address (a family, an internet café: more than one)."""
    return _limit("SUBMISSIONS_PER_ADDRESS_PER_HOUR", 5)


def submissions_per_contact() -> int:
    """Appeals accepted per phone number and per email address in a day."""
    return _limit("SUBMISSIONS_PER_CONTACT_PER_DAY", 3)


def lookups_per_window() -> int:
    """Status (and booking code) look-ups from one address in 15 minutes: guessing a code of
    31**10 possibilities at this pace is hopeless, checking one's own is unhindered."""
    return _limit("STATUS_LOOKUPS_PER_15_MIN", 20)


def bookings_per_hour() -> int:
    return _limit("BOOKINGS_PER_ADDRESS_PER_HOUR", 5)


def bookings_per_phone() -> int:
    return _limit("BOOKINGS_PER_PHONE_PER_DAY", 3)


# Helpers -----------------------------------------------------------------------------------
def client_address(request) -> str:
    """REMOTE_ADDR, or behind N trusted proxies the N-th address from the right of
    X-Forwarded-For (what the outermost trusted proxy saw)."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        chain = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(chain) >= count:
            return chain[-count]
    return request.META.get("REMOTE_ADDR") or "unknown"


def _language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in services.LANGUAGES else settings.LANGUAGE_CODE


def _too_many(request, template: str, context: dict, message: str):
    context = dict(context, limited=message)
    return render(request, template, context, status=429)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# Landing -----------------------------------------------------------------------------------
@require_safe
def public_home(request):
    return render(
        request,
        "reception/public/home.html",
        {"working_days": workdays.CONSIDERATION_WORKING_DAYS},
    )


# Submitting an appeal ----------------------------------------------------------------------
def _submission_refused(form: AppealForm, address: str) -> str:
    """Count this accepted-looking appeal against the sender's limits; a message if over."""
    message = _(
        "You have sent several appeals in a short time. Your earlier appeals are registered; "
        "to add to them, call the reception or come in person. Otherwise try again tomorrow."
    )
    if services.rate_limited(
        "submit-address", address, limit=submissions_per_hour(), window_seconds=HOUR
    ):
        return message
    for bucket, value in (
        ("submit-phone", form.cleaned_data.get("applicant_phone")),
        ("submit-email", (form.cleaned_data.get("applicant_email") or "").lower()),
    ):
        if value and services.rate_limited(
            bucket, value, limit=submissions_per_contact(), window_seconds=DAY
        ):
            return message
    return ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request):
    template = "reception/public/submit.html"
    if request.method != "POST":
        return render(request, template, _submit_context(AppealForm()))
    form = AppealForm(request.POST, request.FILES)
    address = client_address(request)
    if services.rate_limited("public-post", address, limit=posts_per_hour(), window_seconds=HOUR):
        return _too_many(
            request,
            template,
            _submit_context(form),
            _("Too many forms were sent from your connection. Try again in an hour."),
        )
    if form.is_valid():
        refusal = _submission_refused(form, address)
        if refusal:
            return _too_many(request, template, _submit_context(form), refusal)
        try:
            receipt = services.submit_public_appeal(
                form.service_data(_language()), files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            request.session[RECEIPT_KEY] = {
                "code": receipt.tracking_code,
                "number": receipt.number,
                "registered_on": receipt.registered_on.isoformat(),
                "deadline": receipt.deadline.isoformat(),
            }
            return redirect("reception:submitted")
    return render(request, template, _submit_context(form))


def _submit_context(form: AppealForm) -> dict:
    return {"form": form, "working_days": workdays.CONSIDERATION_WORKING_DAYS}


@never_cache
@require_safe
def submitted(request):
    data = request.session.get(RECEIPT_KEY)
    if not data:
        return redirect("reception:status")
    code = data["code"]
    return render(
        request,
        "reception/public/submitted.html",
        {
            "code": code,
            "code_display": services.format_tracking_code(code),
            "groups": [code[:5], code[5:]],
            "number": data["number"],
            "registered_on": _date(data["registered_on"]),
            "deadline": _date(data["deadline"]),
            "working_days": workdays.CONSIDERATION_WORKING_DAYS,
        },
    )


# Status ------------------------------------------------------------------------------------
#: The only columns the status page ever reads: nothing about the applicant, not the text,
#: not the answer, not who handles it.
PUBLIC_FIELDS = (
    "tracking_code",
    "number",
    "status",
    "kind",
    "topic__name",
    "topic__name_ru",
    "topic__name_en",
    "receiving_branch__name",
    "receiving_branch__name_ru",
    "registered_on",
    "deadline",
    "extended_deadline",
    "extension_reason",
    "due_on",
    "forwarded_to",
    "forwarded_on",
    "resolved_on",
)


@dataclass(frozen=True)
class PublicRecord:
    code_display: str
    number: str
    status: str
    status_label: str
    kind_label: str
    topic: str
    branch: str
    registered_on: dt.date
    deadline: dt.date
    extended_deadline: dt.date | None
    extension_reason: str
    due_on: dt.date
    forwarded_to: str
    forwarded_on: dt.date | None
    resolved_on: dt.date | None
    today: dt.date

    @property
    def is_open(self) -> bool:
        return self.status in Appeal.OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in Appeal.DECIDED

    @property
    def is_forwarded(self) -> bool:
        return self.status == Appeal.Status.FORWARDED

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on < self.today

    @property
    def steps(self) -> list[tuple[str, str]]:
        """(label, "done" | "current" | "") for the progress line."""
        if self.is_forwarded:
            return [(_("Registered"), "done"), (_("Forwarded"), "current")]
        considering = self.status in (Appeal.Status.ASSIGNED, Appeal.Status.IN_PROGRESS)
        return [
            (_("Registered"), "done" if self.status != Appeal.Status.REGISTERED else "current"),
            (
                _("Being considered"),
                "current" if considering else ("done" if self.is_decided else ""),
            ),
            (_("Answer given"), "current" if self.is_decided else ""),
        ]


def _pick_language(kk: str, ru: str | None, en: str | None = None) -> str:
    language = _language()
    if language == "ru" and ru:
        return ru
    if language == "en" and en:
        return en
    return kk


def public_record(code: str) -> PublicRecord | None:
    """The non-personal facts about the appeal with this tracking code (one query), or None.
    Case, spaces and dashes in the code do not matter."""
    code = services.normalize_tracking_code(code)
    if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    row = Appeal.objects.filter(tracking_code=code).values(*PUBLIC_FIELDS).first()
    if row is None:
        return None
    return PublicRecord(
        code_display=services.format_tracking_code(row["tracking_code"]),
        number=row["number"],
        status=row["status"],
        status_label=str(Appeal.Status(row["status"]).label),
        kind_label=str(Appeal.Kind(row["kind"]).label),
        topic=_pick_language(row["topic__name"], row["topic__name_ru"], row["topic__name_en"]),
        branch=_pick_language(row["receiving_branch__name"], row["receiving_branch__name_ru"]),
        registered_on=row["registered_on"],
        deadline=row["deadline"],
        extended_deadline=row["extended_deadline"],
        extension_reason=row["extension_reason"],
        due_on=row["due_on"],
        forwarded_to=row["forwarded_to"],
        forwarded_on=row["forwarded_on"],
        resolved_on=row["resolved_on"],
        today=timezone.localdate(),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    """Look an appeal up by its tracking code. POST, so codes stay out of addresses, server
    logs and browser history; throttled per client address."""
    template = "reception/public/status.html"
    if request.method != "POST":
        return render(request, template, {"form": StatusForm()})
    form = StatusForm(request.POST)
    if services.rate_limited(
        "status", client_address(request), limit=lookups_per_window(), window_seconds=15 * 60
    ):
        return _too_many(
            request,
            template,
            {"form": form},
            _("Too many look-ups from your connection. Try again in 15 minutes."),
        )
    record = None
    not_found = False
    if form.is_valid():
        record = public_record(form.cleaned_data["code"])
        not_found = record is None
    return render(
        request,
        template,
        {"form": form, "record": record, "not_found": not_found},
        status=404 if not_found else 200,
    )


# Schedule and booking ----------------------------------------------------------------------
@dataclass
class Reception:
    """One reception on one day, as the published schedule lists it."""

    day: dt.date
    schedule: ReceptionSchedule
    free: int
    bookable: bool


def _taken(official_ids, start: dt.date, end: dt.date) -> set[tuple[int, dt.date, dt.time]]:
    """Booked slots of these officials in [start, end] (one query)."""
    return set(
        Booking.objects.filter(official_id__in=official_ids, date__gte=start, date__lte=end)
        .exclude(status=Booking.Status.CANCELLED)
        .values_list("official_id", "date", "time")
    )


def _free_count(schedule: ReceptionSchedule, day: dt.date, taken, now: dt.datetime) -> int:
    return sum(
        1
        for t in schedule.slot_times()
        if (schedule.official_id, day, t) not in taken
        and not (day == now.date() and t <= now.time())
    )


def _receptions(occurrences, today: dt.date) -> list[Reception]:
    if not occurrences:
        return []
    last = max(o.day for o in occurrences)
    taken = _taken({o.schedule.official_id for o in occurrences}, today, last)
    now = timezone.localtime()
    horizon = today + dt.timedelta(days=services.BOOKING_HORIZON_DAYS)
    rows = []
    for occurrence in occurrences:
        free = _free_count(occurrence.schedule, occurrence.day, taken, now)
        rows.append(Reception(occurrence.day, occurrence.schedule, free, occurrence.day <= horizon))
    return rows


def _schedule_branches():
    return Branch.objects.filter(
        kind__in=(Branch.Kind.REGION, Branch.Kind.CITY, Branch.Kind.DISTRICT)
    ).order_by("kind", "name")


@require_safe
def schedule(request):
    """The receptions of the coming two weeks (optionally of one branch) and the weekly
    timetable of every official: who, when, where."""
    today = timezone.localdate()
    branches = list(_schedule_branches())
    branch = None
    wanted = request.GET.get("branch", "")
    if wanted:
        branch = next((b for b in branches if str(b.pk) == wanted), None)
    end = today + dt.timedelta(days=SCHEDULE_DAYS - 1)
    occurrences = services.reception_days(today, end, branch=branch)
    receptions = _receptions(occurrences, today)
    days: list[tuple[dt.date, list[Reception]]] = []
    for reception in receptions:
        if not days or days[-1][0] != reception.day:
            days.append((reception.day, []))
        days[-1][1].append(reception)

    weekly = ReceptionSchedule.objects.filter(
        active=True, official__active=True, weekday__isnull=False
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if branch is not None:
        weekly = weekly.filter(branch=branch)
    weekly = weekly.select_related("official", "branch").order_by(
        "branch__kind", "branch__name", "weekday", "start_time", "official__name"
    )
    return render(
        request,
        "reception/public/schedule.html",
        {
            "branches": branches,
            "branch": branch,
            "days": days,
            "weekly": weekly,
            "today": today,
            "end": end,
        },
    )


def _bookable_schedule(pk: int) -> ReceptionSchedule:
    return get_object_or_404(
        ReceptionSchedule.objects.select_related("official", "branch"),
        pk=pk,
        active=True,
        official__active=True,
    )


def _coming_days(item: ReceptionSchedule, today: dt.date) -> list[Reception]:
    """The next receptions of this schedule within the booking horizon, with free slots."""
    cal = services.work_calendar()
    horizon = today + dt.timedelta(days=services.BOOKING_HORIZON_DAYS)
    days = []
    day = today
    while day <= horizon and len(days) < BOOKING_DAYS_SHOWN:
        if item.occurs_on(day) and (item.date is not None or cal.is_working_day(day)):
            days.append(services.Occurrence(day, item))
        day += dt.timedelta(days=1)
    return _receptions(days, today)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def book(request, pk: int):
    """Book a visitor slot: choose a day (links), then a time and give a name and phone."""
    item = _bookable_schedule(pk)
    today = timezone.localdate()
    day = _date(request.POST.get("day") or request.GET.get("day"))
    template = "reception/public/book.html"
    horizon = today + dt.timedelta(days=services.BOOKING_HORIZON_DAYS)
    valid_day = day is not None and today <= day <= horizon
    slots = services.free_slots(item, day) if valid_day else []
    context = {
        "item": item,
        "official": item.official,
        "day": day if valid_day else None,
        "slots": slots,
        "no_slots": valid_day and not slots,
        "bad_day": day is not None and not valid_day,
    }
    if not valid_day or not slots:
        context["coming"] = _coming_days(item, today)
        return render(request, template, context)
    if request.method != "POST":
        context["form"] = BookingForm(slots=slots)
        return render(request, template, context)

    form = BookingForm(request.POST, slots=slots)
    context["form"] = form
    address = client_address(request)
    if services.rate_limited("public-post", address, limit=posts_per_hour(), window_seconds=HOUR):
        return _too_many(
            request,
            template,
            context,
            _("Too many forms were sent from your connection. Try again in an hour."),
        )
    if form.is_valid():
        refused = services.rate_limited(
            "book-address", address, limit=bookings_per_hour(), window_seconds=HOUR
        ) or services.rate_limited(
            "book-phone",
            form.cleaned_data["applicant_phone"],
            limit=bookings_per_phone(),
            window_seconds=DAY,
        )
        if refused:
            return _too_many(
                request,
                template,
                context,
                _(
                    "Several visits were booked from your connection or for your phone "
                    "already. Call the reception to book more."
                ),
            )
        try:
            booking = services.book_reception(
                schedule=item,
                day=day,
                time=form.cleaned_data["time"],
                applicant_name=form.cleaned_data["applicant_name"],
                applicant_phone=form.cleaned_data["applicant_phone"],
                topic=form.cleaned_data.get("topic"),
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            request.session[BOOKING_KEY] = {"id": booking.pk, "code": booking.code}
            return redirect("reception:booked")
    return render(request, template, context)


@never_cache
@require_safe
def booked(request):
    data = request.session.get(BOOKING_KEY) or {}
    booking = (
        Booking.objects.select_related("official", "schedule")
        .filter(pk=data.get("id"), code=data.get("code") or "-")
        .first()
    )
    if booking is None:
        return redirect("reception:schedule")
    return render(
        request,
        "reception/public/booked.html",
        {"booking": booking, "code_display": services.format_tracking_code(booking.code)},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_booking(request):
    """Cancel a booked visit with the booking code from the SMS (throttled like look-ups)."""
    template = "reception/public/cancel.html"
    if request.method != "POST":
        return render(request, template, {"form": CancelBookingForm()})
    form = CancelBookingForm(request.POST)
    if services.rate_limited(
        "status", client_address(request), limit=lookups_per_window(), window_seconds=15 * 60
    ):
        return _too_many(
            request,
            template,
            {"form": form},
            _("Too many look-ups from your connection. Try again in 15 minutes."),
        )
    if not form.is_valid():
        return render(request, template, {"form": form})
    code = form.cleaned_data["code"]
    booking = (
        Booking.objects.select_related("official", "schedule__branch")
        .filter(code=code, status=Booking.Status.BOOKED, date__gte=timezone.localdate())
        .first()
    )
    if booking is None:
        return render(request, template, {"form": form, "not_found": True}, status=404)
    try:
        services.cancel_booking(booking, code=code)
    except (PermissionDenied, ValidationError):
        return render(request, template, {"form": form, "not_found": True}, status=404)
    return render(request, template, {"form": CancelBookingForm(), "cancelled": booking})
