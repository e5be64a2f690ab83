"""Public reception actions: every write that matters lives here, one function each.

Each action checks permission through the caller's `Scope`, writes inside a transaction,
records an `AuditEvent` (no personal data in it: the appeal's number identifies it) and an
`AppealEvent` (the appeal's own history: who, when, from which status to which, comment),
and notifies the applicant by SMS and/or email when they gave a phone or an email.
Notifications go out after the write has committed; a failing SMS or mail provider is logged
(by appeal number only) and never undoes the write.

Who may do what (the rules are in `reception.permissions`):

- *handlers* of an appeal: the regional administrator (every branch), and the district
  secretary and the reception officers of the receiving branch. They register, assign,
  forward and resolve, and see the applicant's personal data.
- the *assignee* (any user an appeal is assigned to, e.g. a deputy with an account) starts
  work, comments and resolves that appeal, and sees its personal data.
- the *head* (regional administrator, district secretary of the receiving branch) extends.
- a citizen without an account submits online (`submit_public_appeal`), and checks the status
  by tracking code (`public_status`), which shows nothing personal.

Workflow (anything else is refused with a ValidationError):

    registered --assign--> assigned --start--> in_progress
    registered | assigned | in_progress --assign--> (re-assignment; registered becomes assigned)
    assigned | in_progress --resolve--> resolved_positive | explained | refused
    registered | assigned | in_progress --forward--> forwarded
    registered | assigned | in_progress --extend--> (same status, later due date)

Decisions on the deadlines (DESIGN.md 3.4; dates come from `calendar.work_calendar()`):

- Registration: `deadline` = the 15th working day after `registered_on` (the day of
  registration is not counted), `forward_by` = the 3rd working day after it, `due_on` = the
  deadline in force (= `deadline` until extended). An appeal submitted online on a day off is
  registered on that date; counting from it gives the earlier (safer) deadline.
- Extension: by the head, with a reason, to a working day later than the current due date and
  no later than `workdays.extension_limit` (registration + 2 calendar months, or the last
  working day before that). It may be repeated, each time within that same cap, so the total
  never exceeds two months; it must be decided on or before the current due date (an expired
  deadline cannot be extended). The applicant must be told by the 3rd working day after the
  decision (`extension_notice_by`); when they gave a phone or an email we tell them at once
  and record `extension_notified_at`, otherwise staff tell them by letter and record it with
  `mark_extension_notified`.
- Forwarding: allowed at any time while the appeal is open, but after `forward_by` only with a
  reason (`late_reason`), which is kept and shown (`Appeal.forwarded_late`): refusing a late
  forward would only keep the citizen's appeal from the body that can solve it. The applicant
  is told at once (SMS/email) when a contact was given.

Schedules, bookings and sessions are in `services/schedule.py`; statistics in `statistics.py`;
file checks in `core.files`; the calendar with its overrides in `services/calendar.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core import files as files_lib
from bastau.core.forms import iin_error_message
from bastau.core.sms import send_sms
from bastau.lib import iin as iin_lib
from bastau.lib import workdays
from bastau.structure.models import Branch

from .. import permissions
from ..models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Appeal,
    AppealEvent,
    Attachment,
    CalendarOverride,
    Official,
    ReceptionSession,
    Topic,
    new_tracking_code,
)
from .calendar import recompute_after_calendar_change, work_calendar

logger = logging.getLogger(__name__)

TEXT_MIN_CHARS = 10
NAME_MAX_CHARS = 200
ADDRESS_MAX_CHARS = 300
LANGUAGES = ("kk", "ru", "en")


def text_max_chars() -> int:
    return getattr(settings, "RECEPTION_TEXT_MAX_CHARS", 10_000)


# Field checks ------------------------------------------------------------------------------
PHONE_HINT = "+7 701 123 45 67"


def normalize_phone(raw: str) -> str:
    """A Kazakhstan mobile or landline number as +7XXXXXXXXXX.

    Accepts "+7 701 123-45-67", "8 (701) 123 45 67", "87011234567", "7011234567".
    Raises ValidationError otherwise.
    """
    value = (raw or "").strip()
    digits = re.sub(r"[\s\-().]", "", value)
    if digits.startswith("+"):
        digits = digits[1:]
        if not (digits.startswith("7") and len(digits) == 11):
            digits = ""
    elif len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    else:
        digits = ""
    if not (digits.isascii() and digits.isdigit() and len(digits) == 11 and digits[1] in "67"):
        raise ValidationError(
            _("Enter a phone number like %(example)s.") % {"example": PHONE_HINT}, code="phone"
        )
    return "+" + digits


def normalize_tracking_code(raw: str) -> str:
    """Upper case without spaces or dashes, so "abcde-fghjk" finds ABCDEFGHJK."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def format_tracking_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read out and type."""
    return f"{code[:5]}-{code[5:]}" if len(code) == TRACKING_LENGTH else code


def _pick(qs, value):
    """The object of `qs` that `value` (an instance or a primary key) names, or None."""
    try:
        return qs.filter(pk=getattr(value, "pk", value)).first()
    except (TypeError, ValueError):
        return None


def _clean_applicant(data: dict, *, public: bool) -> tuple[dict, dict]:
    """Check the citizen-facing fields. Returns (cleaned values, errors by field)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def error(name, message):
        errors.setdefault(name, []).append(message)

    name = " ".join(str(data.get("applicant_name") or "").split())
    if not name:
        error("applicant_name", _("Give your name."))
    elif len(name) > NAME_MAX_CHARS:
        error(
            "applicant_name",
            _("The name is too long (at most %(count)s characters).") % {"count": NAME_MAX_CHARS},
        )
    cleaned["applicant_name"] = name

    iin = str(data.get("applicant_iin") or "").strip()
    if iin:
        try:
            iin_lib.parse(iin)
        except iin_lib.IINError as exc:
            error("applicant_iin", iin_error_message(exc))
    cleaned["applicant_iin"] = iin

    phone = str(data.get("applicant_phone") or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            error("applicant_phone", exc.messages[0])
    cleaned["applicant_phone"] = phone

    email = str(data.get("applicant_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("applicant_email", _("Enter a valid email address."))
    cleaned["applicant_email"] = email

    if public and not phone and not email:
        error("applicant_phone", _("Give a phone number or an email address so that we can reply."))

    address = " ".join(str(data.get("applicant_address") or "").split())
    if len(address) > ADDRESS_MAX_CHARS:
        error(
            "applicant_address",
            _("The address is too long (at most %(count)s characters).")
            % {"count": ADDRESS_MAX_CHARS},
        )
    cleaned["applicant_address"] = address

    district = data.get("district")
    cleaned["district"] = None
    if district not in (None, ""):
        cleaned["district"] = _pick(
            Branch.objects.filter(kind__in=(Branch.Kind.DISTRICT, Branch.Kind.CITY)), district
        )
        if cleaned["district"] is None:
            error("district", _("Choose a district or city from the list."))

    topic = data.get("topic")
    cleaned["topic"] = None
    if topic in (None, ""):
        error("topic", _("Choose a topic."))
    else:
        cleaned["topic"] = _pick(Topic.objects.filter(active=True), topic)
        if cleaned["topic"] is None:
            error("topic", _("Choose a topic from the list."))

    kind = data.get("kind") or Appeal.Kind.APPLICATION
    if kind not in Appeal.Kind.values:
        error("kind", _("Choose the type of the appeal."))
    cleaned["kind"] = kind

    text = str(data.get("text") or "").strip()
    if not text:
        error("text", _("Describe your question or problem."))
    elif len(text) < TEXT_MIN_CHARS:
        error(
            "text",
            _("The text is too short (at least %(count)s characters).") % {"count": TEXT_MIN_CHARS},
        )
    elif len(text) > text_max_chars():
        error(
            "text",
            _("The text is too long: %(length)s characters, at most %(count)s.")
            % {"length": len(text), "count": text_max_chars()},
        )
    cleaned["text"] = text

    language = str(data.get("language") or translation.get_language() or "kk")[:2]
    cleaned["language"] = language if language in LANGUAGES else "kk"
    return cleaned, errors


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _region_branch() -> Branch | None:
    return Branch.objects.filter(kind=Branch.Kind.REGION).order_by("pk").first()


def number_prefix(branch: Branch) -> str:
    """The branch's part of a registration number: its code in capitals ("AKT" for "akt")."""
    return branch.code.upper()


# Registration ------------------------------------------------------------------------------
def _create_appeal(
    *,
    fields: dict,
    checked_files,
    receiving_branch,
    by,
    comment: str,
    audit_action: str,
    audit_data: dict,
    request=None,
) -> Appeal:
    """Allocate the number and write the appeal, its first event, its files and the audit
    record in one transaction (stored files are removed again if it fails).

    The number is the next in the branch's year; a concurrent registration taking the same
    number (or, astronomically rarely, the same tracking code) makes us take the next one.
    """
    year = fields["registered_on"].year
    stored: list[str] = []
    for _attempt in range(5):
        try:
            with transaction.atomic():
                same_year = Appeal.objects.filter(receiving_branch=receiving_branch, year=year)
                seq = (same_year.aggregate(m=Max("seq"))["m"] or 0) + 1
                appeal = Appeal.objects.create(
                    receiving_branch=receiving_branch,
                    year=year,
                    seq=seq,
                    number=f"{number_prefix(receiving_branch)}-{year}-{seq:06d}",
                    tracking_code=new_tracking_code(),
                    **fields,
                )
                AppealEvent.objects.create(
                    appeal=appeal,
                    kind=AppealEvent.Kind.REGISTERED,
                    to_status=appeal.status,
                    by=by,
                    comment=comment,
                    data={"channel": appeal.channel},
                )
                for checked in checked_files:
                    stored.append(_store_attachment(appeal, checked, by).file.name)
                audit.record(
                    by,
                    audit_action,
                    appeal,
                    branch=receiving_branch,
                    request=request,
                    summary=appeal.number,
                    data=dict(audit_data, files=len(stored)),
                )
                return appeal
        except IntegrityError:
            _delete_files(stored)
            stored = []
            continue
        except Exception:
            _delete_files(stored)
            raise
    raise ValidationError(_("Could not allocate a registration number; try again."))


def _store_attachment(appeal: Appeal, checked: files_lib.CheckedFile, by) -> Attachment:
    attachment = Attachment(
        appeal=appeal,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    checked.upload.seek(0)
    attachment.file.save(f"file.{checked.extension}", checked.upload, save=False)
    attachment.save()
    return attachment


def _delete_files(names) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete an orphaned attachment file")


def register_appeal(
    scope: Scope,
    *,
    data: dict,
    receiving_branch: Branch,
    channel: str,
    registered_on: dt.date | None = None,
    session: ReceptionSession | None = None,
    files=(),
    comment: str = "",
    request=None,
) -> Appeal:
    """Staff register an appeal received by `receiving_branch` (visit, phone, letter, ...).

    `data` holds the applicant's fields (applicant_name, applicant_iin, applicant_phone,
    applicant_email, applicant_address, district), topic, kind, text, eotinish_reference and
    language. `registered_on` defaults to today (to the session's date for an appeal received
    at a reception `session`, which also sets the channel) and may be earlier (a letter
    received yesterday) but not in the future. Deadlines come from the working-day calendar.
    """
    scope.require(permissions.handles_branch(scope, receiving_branch))
    today = timezone.localdate()
    registered_on = registered_on or (session.date if session is not None else today)
    cleaned, errors = _clean_applicant(data, public=False)
    if session is not None:
        if session.branch_id != receiving_branch.pk:
            errors.setdefault("session", []).append(
                _("The reception session belongs to another branch.")
            )
        channel = Appeal.Channel.RECEPTION
    if channel not in Appeal.Channel.values:
        errors.setdefault("channel", []).append(_("Choose how the appeal was received."))
    reference = str(data.get("eotinish_reference") or "").strip()
    if channel == Appeal.Channel.EOTINISH and not reference:
        errors.setdefault("eotinish_reference", []).append(_("Give the e-Otinish reference."))
    if registered_on > today:
        errors.setdefault("registered_on", []).append(
            _("The registration date cannot be in the future.")
        )
    try:
        checked = files_lib.check_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    _raise(errors)

    deadlines = workdays.deadlines_for(work_calendar(), registered_on)
    fields = dict(
        cleaned,
        channel=channel,
        eotinish_reference=reference[:60],
        session=session,
        registered_on=registered_on,
        registered_at=timezone.now(),
        registered_by=scope.user,
        deadline=deadlines.consideration,
        forward_by=deadlines.forwarding,
        due_on=deadlines.consideration,
    )
    appeal = _create_appeal(
        fields=fields,
        checked_files=checked,
        receiving_branch=receiving_branch,
        by=scope.user,
        comment=comment,
        audit_action="appeal.registered",
        audit_data={"channel": channel},
        request=request,
    )
    _notify_applicant(appeal, "registered")
    return appeal


@dataclass(frozen=True)
class Receipt:
    """What the citizen takes away after submitting online."""

    tracking_code: str
    number: str
    registered_on: dt.date
    deadline: dt.date

    @property
    def tracking_code_display(self) -> str:
        return format_tracking_code(self.tracking_code)


def submit_public_appeal(data: dict, *, files=(), request=None) -> Receipt:
    """A citizen submits an appeal online, without an account.

    `data`: applicant_name (required), applicant_phone and/or applicant_email (one required),
    applicant_iin (optional, validated), applicant_address, district (a district/city
    branch, optional), topic (required, active), kind, text (10 to RECEPTION_TEXT_MAX_CHARS
    characters), consent (must be true: consent to the processing of personal data),
    receiving_branch (optional: by default the applicant's district, else the regional branch)
    and language (kk/ru/en: the language of the notifications).

    Every field is checked before anything is written; the ValidationError maps field names to
    translated messages. Returns a `Receipt` with the tracking code. Rate limiting and spam
    traps are the page's job (`rate_limited` helps). Nothing personal goes to the logs or the
    audit trail (not even the address the request came from).
    """
    cleaned, errors = _clean_applicant(data, public=True)
    if not data.get("consent"):
        errors.setdefault("consent", []).append(
            _("Agree to the processing of your personal data to submit the appeal.")
        )
    receiving_branch = None
    if data.get("receiving_branch") not in (None, ""):
        receiving_branch = _pick(Branch.objects.all(), data["receiving_branch"])
        if receiving_branch is None:
            errors.setdefault("receiving_branch", []).append(_("Choose a branch from the list."))
    else:
        receiving_branch = cleaned.get("district") or _region_branch()
        if receiving_branch is None:
            errors.setdefault("receiving_branch", []).append(_("Choose a branch from the list."))
    try:
        checked = files_lib.check_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    _raise(errors)

    now = timezone.now()
    today = timezone.localdate(now)
    deadlines = workdays.deadlines_for(work_calendar(), today)
    fields = dict(
        cleaned,
        channel=Appeal.Channel.ONLINE,
        registered_on=today,
        registered_at=now,
        consent_at=now,
        deadline=deadlines.consideration,
        forward_by=deadlines.forwarding,
        due_on=deadlines.consideration,
    )
    appeal = _create_appeal(
        fields=fields,
        checked_files=checked,
        receiving_branch=receiving_branch,
        by=None,
        comment="",
        audit_action="appeal.submitted_online",
        audit_data={},
        request=None,  # the citizen's address is not kept
    )
    _notify_applicant(appeal, "registered")
    return Receipt(
        tracking_code=appeal.tracking_code,
        number=appeal.number,
        registered_on=appeal.registered_on,
        deadline=appeal.due_on,
    )


def rate_limited(bucket: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key` (e.g. the client address) in `bucket`; True once more than
    `limit` hits fall in the window. The key is hashed, so the cache keeps no addresses."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()[:32]
    cache_key = f"reception:rl:{bucket}:{digest}"
    if cache.add(cache_key, 1, window_seconds):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds)
        return False
    return count > limit


# Public status -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicStatus:
    """Only what a holder of the tracking code may see: nothing about the applicant."""

    tracking_code: str
    number: str
    status: str
    status_label: str
    kind_label: str
    topic: str
    registered_on: dt.date
    due_on: dt.date
    extended: bool
    forwarded_to: str
    closed_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.status in Appeal.OPEN


def public_status(code: str) -> PublicStatus | None:
    """Look an appeal up by its tracking code (case, spaces and dashes do not matter)."""
    code = normalize_tracking_code(code)
    if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    appeal = Appeal.objects.select_related("topic").filter(tracking_code=code).first()
    if appeal is None:
        return None
    return PublicStatus(
        tracking_code=appeal.tracking_code,
        number=appeal.number,
        status=appeal.status,
        status_label=str(appeal.get_status_display()),
        kind_label=str(appeal.get_kind_display()),
        topic=appeal.topic.display_name,
        registered_on=appeal.registered_on,
        due_on=appeal.due_on,
        extended=appeal.extended_deadline is not None,
        forwarded_to=appeal.forwarded_to,
        closed_on=appeal.resolved_on or appeal.forwarded_on,
    )


# Privacy -----------------------------------------------------------------------------------
def log_personal_data_read(user, appeal: Appeal, request=None, *, what: str = "appeal") -> None:
    """Pages call this whenever they show an appeal's personal data (or stream a file)."""
    audit.record(
        user,
        "appeal.personal_data_read",
        appeal,
        branch=appeal.receiving_branch,
        request=request,
        summary=appeal.number,
        data={"what": what},
    )


def open_attachment(user, attachment: Attachment, request=None):
    """For the streaming view: check access, log the read, return (file, content type, name).

    Raises PermissionDenied for anyone who may not see the appeal's personal data.
    """
    appeal = attachment.appeal
    if not permissions.can_see_personal_data(Scope(user), appeal):
        raise PermissionDenied
    log_personal_data_read(user, appeal, request, what=f"attachment:{attachment.pk}")
    return attachment.file.open("rb"), attachment.content_type, attachment.original_name


# Workflow ----------------------------------------------------------------------------------
def _require_handler(scope: Scope, appeal: Appeal) -> None:
    scope.require(permissions.handles_appeal(scope, appeal))


def _require_handler_or_assignee(scope: Scope, appeal: Appeal) -> None:
    scope.require(
        permissions.handles_appeal(scope, appeal) or permissions.is_appeal_assignee(scope, appeal)
    )


def _require_status(appeal: Appeal, allowed, message: str) -> None:
    if appeal.status not in allowed:
        raise ValidationError(message, code="transition")


def _locked(appeal: Appeal) -> Appeal:
    """Lock the appeal's row and re-read it in place, so two people cannot move it at once
    and the caller's object shows the result."""
    list(Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk"))
    appeal.refresh_from_db()
    return appeal


def _check_day(on: dt.date, appeal: Appeal, name: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})
    if on < appeal.registered_on:
        raise ValidationError({name: _("The date cannot precede the registration.")})


def _event(appeal, kind, by, *, from_status="", comment="", data=None) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        from_status=from_status,
        to_status=appeal.status,
        by=by if by is not None and by.is_authenticated else None,
        comment=comment,
        data=data or {},
    )


def assign(
    scope: Scope,
    appeal: Appeal,
    *,
    assignee: User | None = None,
    official: Official | None = None,
    body: str = "",
    comment: str = "",
    request=None,
) -> Appeal:
    """Make someone responsible: a user (who then sees and works on the appeal), and/or an
    official from the catalogue, and/or a state body named in words. At least one is needed.
    Allowed while the appeal is open; a registered appeal becomes assigned."""
    _require_handler(scope, appeal)
    body = " ".join((body or "").split())
    if assignee is None and official is None and not body:
        raise ValidationError(
            {"assignee": _("Choose who is responsible: a person, an official or a state body.")}
        )
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("This account is not active.")})
    if official is not None and not official.active:
        raise ValidationError({"official": _("This official is no longer active.")})
    if len(body) > 300:
        raise ValidationError({"body": _("The name of the body is too long.")})
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_status(appeal, Appeal.OPEN, _("Only an open appeal can be assigned."))
        before = appeal.status
        appeal.assignee = assignee
        appeal.responsible_official = official
        appeal.responsible_body = body
        if appeal.status == Appeal.Status.REGISTERED:
            appeal.status = Appeal.Status.ASSIGNED
        appeal.save()
        _event(
            appeal,
            AppealEvent.Kind.ASSIGNED,
            scope.user,
            from_status=before,
            comment=comment,
            data={
                "assignee": getattr(assignee, "pk", None),
                "official": getattr(official, "pk", None),
                "body": body,
            },
        )
        audit.record(
            scope.user,
            "appeal.assigned",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
            data={
                "assignee": getattr(assignee, "pk", None),
                "official": getattr(official, "pk", None),
            },
        )
    return appeal


def start(scope: Scope, appeal: Appeal, *, comment: str = "", request=None) -> Appeal:
    """The responsible person starts work: assigned -> in progress."""
    _require_handler_or_assignee(scope, appeal)
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_status(
            appeal, (Appeal.Status.ASSIGNED,), _("Only an assigned appeal can be started.")
        )
        appeal.status = Appeal.Status.IN_PROGRESS
        appeal.save()
        _event(
            appeal,
            AppealEvent.Kind.STARTED,
            scope.user,
            from_status=Appeal.Status.ASSIGNED,
            comment=comment,
        )
        audit.record(
            scope.user,
            "appeal.started",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
        )
    return appeal


def extension_limit(appeal: Appeal, cal=None) -> dt.date:
    """The latest date this appeal's consideration may be extended to."""
    return workdays.extension_limit(cal or work_calendar(), appeal.registered_on)


def extend(
    scope: Scope,
    appeal: Appeal,
    *,
    new_deadline: dt.date,
    reason: str,
    decided_on: dt.date | None = None,
    request=None,
) -> Appeal:
    """The head extends consideration (see the module docstring for the rules)."""
    scope.require(permissions.extend_appeals(scope) and permissions.handles_appeal(scope, appeal))
    reason = (reason or "").strip()
    decided_on = decided_on or timezone.localdate()
    cal = work_calendar()
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_status(appeal, Appeal.OPEN, _("Only an open appeal can be extended."))
        _check_day(decided_on, appeal, "decided_on")
        limit = workdays.extension_limit(cal, appeal.registered_on)
        errors = {}
        if not reason:
            errors["reason"] = [_("Give the reason for the extension.")]
        if decided_on > appeal.due_on:
            errors["decided_on"] = [
                _("The deadline %(date)s has passed; an extension is decided before it.")
                % {"date": _date(appeal.due_on)}
            ]
        if new_deadline <= appeal.due_on:
            errors["new_deadline"] = [
                _("The new deadline must be later than %(date)s.") % {"date": _date(appeal.due_on)}
            ]
        elif new_deadline > limit:
            errors["new_deadline"] = [
                _("The deadline can be extended to %(date)s at the latest (two months in total).")
                % {"date": _date(limit)}
            ]
        elif not cal.is_working_day(new_deadline):
            errors["new_deadline"] = [_("The new deadline falls on a day off.")]
        _raise(errors)
        before_due = appeal.due_on
        appeal.extended_deadline = new_deadline
        appeal.due_on = new_deadline
        appeal.extension_reason = reason
        appeal.extended_on = decided_on
        appeal.extension_count += 1
        appeal.extension_notice_by = workdays.extension_notice_deadline(cal, decided_on)
        appeal.extension_notified_at = None
        appeal.save()
        _event(
            appeal,
            AppealEvent.Kind.EXTENDED,
            scope.user,
            from_status=appeal.status,
            comment=reason,
            data={
                "from": str(before_due),
                "to": str(new_deadline),
                "decided_on": str(decided_on),
                "notice_by": str(appeal.extension_notice_by),
            },
        )
        audit.record(
            scope.user,
            "appeal.extended",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
            data={"from": str(before_due), "to": str(new_deadline)},
        )
    sent = _notify_applicant(appeal, "extended")
    if sent:
        appeal.extension_notified_at = timezone.now()
        appeal.save(update_fields=["extension_notified_at", "updated_at"])
    return appeal


def mark_extension_notified(scope: Scope, appeal: Appeal, *, how: str, request=None) -> Appeal:
    """Staff told the applicant of the extension themselves (letter, call)."""
    _require_handler_or_assignee(scope, appeal)
    how = (how or "").strip()
    if not how:
        raise ValidationError({"how": _("Say how the applicant was told.")})
    if appeal.extended_deadline is None:
        raise ValidationError(_("This appeal has not been extended."))
    with transaction.atomic():
        appeal.extension_notified_at = timezone.now()
        appeal.save(update_fields=["extension_notified_at", "updated_at"])
        _event(
            appeal,
            AppealEvent.Kind.NOTIFIED,
            scope.user,
            from_status=appeal.status,
            comment=how,
            data={"about": "extended"},
        )
        audit.record(
            scope.user,
            "appeal.notified",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
        )
    return appeal


def forward(
    scope: Scope,
    appeal: Appeal,
    *,
    to: str,
    on: dt.date | None = None,
    late_reason: str = "",
    comment: str = "",
    request=None,
) -> Appeal:
    """Send an appeal outside the branch's competence to the competent body, and tell the
    applicant. After `forward_by` a reason for the delay is required (and kept)."""
    _require_handler(scope, appeal)
    to = " ".join((to or "").split())
    late_reason = (late_reason or "").strip()
    on = on or timezone.localdate()
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_status(appeal, Appeal.OPEN, _("Only an open appeal can be forwarded."))
        _check_day(on, appeal, "on")
        errors = {}
        if not to:
            errors["to"] = [_("Name the body the appeal is forwarded to.")]
        elif len(to) > 300:
            errors["to"] = [_("The name of the body is too long.")]
        if on > appeal.forward_by and not late_reason:
            errors["late_reason"] = [
                _("Forwarding was due by %(date)s: give the reason for the delay.")
                % {"date": _date(appeal.forward_by)}
            ]
        _raise(errors)
        before = appeal.status
        appeal.status = Appeal.Status.FORWARDED
        appeal.forwarded_to = to
        appeal.forwarded_on = on
        appeal.forward_late_reason = late_reason if on > appeal.forward_by else ""
        appeal.save()
        _event(
            appeal,
            AppealEvent.Kind.FORWARDED,
            scope.user,
            from_status=before,
            comment=comment or late_reason,
            data={"to": to, "on": str(on), "late": on > appeal.forward_by},
        )
        audit.record(
            scope.user,
            "appeal.forwarded",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
            data={"late": on > appeal.forward_by},
        )
    _notify_applicant(appeal, "forwarded")
    return appeal


def resolve(
    scope: Scope,
    appeal: Appeal,
    *,
    outcome: str,
    response_text: str,
    on: dt.date | None = None,
    comment: str = "",
    request=None,
) -> Appeal:
    """Close an appeal on the merits: resolved positively, explained or refused, with the
    text of the response letter. The applicant is told (the email carries the letter)."""
    _require_handler_or_assignee(scope, appeal)
    response_text = (response_text or "").strip()
    on = on or timezone.localdate()
    if outcome not in Appeal.DECIDED:
        raise ValidationError(
            {"outcome": _("Choose the outcome: resolved positively, explained or refused.")}
        )
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_status(
            appeal,
            (Appeal.Status.ASSIGNED, Appeal.Status.IN_PROGRESS),
            _("Only an assigned appeal or one in progress can be resolved."),
        )
        _check_day(on, appeal, "on")
        if not response_text:
            raise ValidationError({"response_text": _("Write the response letter.")})
        if len(response_text) > 20_000:
            raise ValidationError({"response_text": _("The response letter is too long.")})
        before = appeal.status
        appeal.status = outcome
        appeal.resolved_on = on
        appeal.response_text = response_text
        appeal.save()
        _event(
            appeal,
            AppealEvent.Kind.RESOLVED,
            scope.user,
            from_status=before,
            comment=comment,
            data={"on": str(on), "late": on > appeal.due_on},
        )
        audit.record(
            scope.user,
            "appeal.resolved",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
            data={"outcome": outcome},
        )
    _notify_applicant(appeal, "resolved")
    return appeal


def add_comment(scope: Scope, appeal: Appeal, *, text: str, request=None) -> AppealEvent:
    """A note in the appeal's history (a call made, a document requested...)."""
    _require_handler_or_assignee(scope, appeal)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    with transaction.atomic():
        event = _event(
            appeal, AppealEvent.Kind.COMMENTED, scope.user, from_status=appeal.status, comment=text
        )
        audit.record(
            scope.user,
            "appeal.commented",
            appeal,
            branch=appeal.receiving_branch,
            request=request,
            summary=appeal.number,
        )
    return event


def add_attachment(scope: Scope, appeal: Appeal, upload, *, request=None) -> Attachment:
    """Staff attach a file later (a scan of the letter, the answer of a state body)."""
    _require_handler_or_assignee(scope, appeal)
    checked = files_lib.check_files([upload])[0]
    if appeal.attachments.count() >= 3 * files_lib.max_count():
        raise ValidationError({"attachments": _("This appeal has too many files already.")})
    stored = None
    try:
        with transaction.atomic():
            attachment = _store_attachment(appeal, checked, scope.user)
            stored = attachment.file.name
            _event(
                appeal,
                AppealEvent.Kind.ATTACHMENT,
                scope.user,
                from_status=appeal.status,
                data={"attachment": attachment.pk},
            )
            audit.record(
                scope.user,
                "appeal.attachment_added",
                appeal,
                branch=appeal.receiving_branch,
                request=request,
                summary=appeal.number,
            )
    except Exception:
        if stored:
            _delete_files([stored])
        raise
    return attachment


# Lists ---------------------------------------------------------------------------------------
def _list_qs(scope: Scope):
    return permissions.appeals(scope).select_related("topic", "receiving_branch", "assignee")


def overdue(scope: Scope, today: dt.date | None = None):
    """Open appeals of the scope whose deadline in force has passed, oldest deadline first."""
    today = today or timezone.localdate()
    return _list_qs(scope).filter(status__in=Appeal.OPEN, due_on__lt=today).order_by("due_on", "pk")


def due_soon_until(today: dt.date, days: int = 3, cal=None) -> dt.date:
    return (cal or work_calendar()).add_working_days(today, days)


def due_soon(scope: Scope, today: dt.date | None = None, days: int = 3):
    """Open appeals due from today up to the `days`-th working day after today."""
    today = today or timezone.localdate()
    return (
        _list_qs(scope)
        .filter(status__in=Appeal.OPEN, due_on__gte=today, due_on__lte=due_soon_until(today, days))
        .order_by("due_on", "pk")
    )


def search_appeals(
    scope: Scope,
    *,
    status: str | None = None,
    branch: Branch | None = None,
    topic: Topic | None = None,
    assignee: User | None = None,
    number: str = "",
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
):
    """A filtered list for the staff pages (paginate it; it is never loaded whole)."""
    qs = _list_qs(scope)
    if status == "open":
        qs = qs.filter(status__in=Appeal.OPEN)
    elif status:
        qs = qs.filter(status=status)
    if branch is not None:
        qs = qs.filter(receiving_branch=branch)
    if topic is not None:
        qs = qs.filter(topic=topic)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if number:
        qs = qs.filter(number__icontains=number.strip())
    if registered_from:
        qs = qs.filter(registered_on__gte=registered_from)
    if registered_to:
        qs = qs.filter(registered_on__lte=registered_to)
    return qs


# Daily digest ------------------------------------------------------------------------------
@dataclass
class DigestResult:
    recipients: int = 0
    emails: int = 0
    sms: int = 0
    appeals: int = 0
    failures: int = 0
    per_user: dict[int, tuple[int, int]] = field(default_factory=dict)  # user -> (overdue, soon)


def daily_digest(today: dt.date | None = None, *, days: int = 3) -> DigestResult:
    """One message per responsible person listing their overdue and due-soon appeals.

    The assignee gets their appeals; open appeals with no assignee go to the receiving
    branch's district secretary and reception officers (to the regional administrators when
    the branch has neither). A person with an email gets the full list by email; a person
    with a phone gets a short SMS with the counts. The messages carry numbers, topics and
    dates only, never the applicant's data. Three queries in all.
    """
    today = today or timezone.localdate()
    until = due_soon_until(today, days)
    appeals = list(
        Appeal.objects.filter(status__in=Appeal.OPEN, due_on__lte=until)
        .select_related("topic", "assignee")
        .order_by("due_on", "pk")
    )
    result = DigestResult(appeals=len(appeals))
    by_user: dict[int, list[Appeal]] = {}
    users: dict[int, User] = {}
    unassigned_branches = set()
    for appeal in appeals:
        if appeal.assignee_id and appeal.assignee.is_active:
            by_user.setdefault(appeal.assignee_id, []).append(appeal)
            users[appeal.assignee_id] = appeal.assignee
        else:
            unassigned_branches.add(appeal.receiving_branch_id)
    if unassigned_branches:
        handlers = User.objects.filter(is_active=True).filter(
            Q(
                role__in=(Role.DISTRICT_SECRETARY, Role.RECEPTION_OFFICER),
                branch_id__in=unassigned_branches,
            )
            | Q(role=Role.REGIONAL_ADMIN)
        )
        by_branch: dict[int, list[User]] = {}
        admins: list[User] = []
        for user in handlers:
            if user.role == Role.REGIONAL_ADMIN:
                admins.append(user)
            else:
                by_branch.setdefault(user.branch_id, []).append(user)
        for appeal in appeals:
            if appeal.assignee_id and appeal.assignee.is_active:
                continue
            for user in by_branch.get(appeal.receiving_branch_id) or admins:
                by_user.setdefault(user.pk, []).append(appeal)
                users[user.pk] = user
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, items in by_user.items():
            user = users[user_id]
            late = [a for a in items if a.due_on < today]
            soon = [a for a in items if a.due_on >= today]
            result.per_user[user_id] = (len(late), len(soon))
            if not user.email and not user.phone:
                continue
            result.recipients += 1
            subject = _("Appeals: %(overdue)s overdue, %(soon)s due soon") % {
                "overdue": len(late),
                "soon": len(soon),
            }
            if user.email:
                lines = [subject, ""]
                if late:
                    lines.append(_("Overdue:"))
                    lines += [_digest_line(a) for a in late]
                    lines.append("")
                if soon:
                    lines.append(_("Due soon:"))
                    lines += [_digest_line(a) for a in soon]
                try:
                    result.emails += mail.send_mail(
                        subject, "\n".join(lines), None, [user.email], fail_silently=False
                    )
                except Exception:
                    result.failures += 1
                    logger.warning("Digest email to user %s failed", user_id, exc_info=True)
            if user.phone:
                numbers = ", ".join(a.number for a in (late + soon)[:3])
                more = "…" if len(items) > 3 else ""
                try:
                    result.sms += send_sms(user.phone, f"Bastau: {subject}. {numbers}{more}")
                except Exception:
                    result.failures += 1
                    logger.warning("Digest SMS to user %s failed", user_id, exc_info=True)
    return result


def _digest_line(appeal: Appeal) -> str:
    return f"{appeal.number} — {_date(appeal.due_on)} — {appeal.topic.display_name}"


# Notifications to the applicant ------------------------------------------------------------
def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _applicant_message(appeal: Appeal, about: str) -> tuple[str, str, str]:
    """(email subject, email body, SMS text) in the applicant's language."""
    params = {
        "number": appeal.number,
        "code": format_tracking_code(appeal.tracking_code),
        "date": _date(appeal.due_on),
    }
    if about == "registered":
        sms = (
            _(
                "Your appeal %(number)s is registered. Tracking code %(code)s. "
                "Answer due by %(date)s."
            )
            % params
        )
        return _("Your appeal %(number)s is registered") % params, sms, sms
    if about == "extended":
        sms = _("The consideration of your appeal %(number)s is extended to %(date)s.") % params
        body = sms + "\n\n" + _("Reason: %(reason)s") % {"reason": appeal.extension_reason}
        return _("Your appeal %(number)s: the deadline is extended") % params, body, sms
    if about == "forwarded":
        params.update(body=appeal.forwarded_to, on=_date(appeal.forwarded_on))
        sms = (
            _(
                "Your appeal %(number)s is outside our competence and was forwarded to "
                "%(body)s on %(on)s."
            )
            % params
        )
        return _("Your appeal %(number)s was forwarded") % params, sms, sms
    # resolved
    params.update(outcome=str(appeal.get_status_display()).lower())
    sms = _("A decision on your appeal %(number)s has been made: %(outcome)s.") % params
    body = sms + "\n\n" + appeal.response_text
    return _("The answer to your appeal %(number)s") % params, body, sms


def _notify_applicant(appeal: Appeal, about: str) -> list[str]:
    """Tell the applicant by SMS and email (whichever they gave). Returns the channels that
    worked; records a NOTIFIED event when any did. Never raises."""
    if not appeal.applicant_phone and not appeal.applicant_email:
        return []
    sent = []
    with translation.override(appeal.language or settings.LANGUAGE_CODE):
        subject, body, sms = _applicant_message(appeal, about)
        if appeal.applicant_phone:
            try:
                if send_sms(appeal.applicant_phone, sms):
                    sent.append("sms")
            except Exception:
                logger.warning("SMS about appeal %s failed", appeal.number, exc_info=True)
        if appeal.applicant_email:
            try:
                if mail.send_mail(subject, body, None, [appeal.applicant_email]):
                    sent.append("email")
            except Exception:
                logger.warning("Email about appeal %s failed", appeal.number, exc_info=True)
    if sent:
        _event(
            appeal,
            AppealEvent.Kind.NOTIFIED,
            None,
            from_status=appeal.status,
            data={"about": about, "channels": sent},
        )
    return sent


# Catalogue and calendar --------------------------------------------------------------------
def save_topic(scope: Scope, topic: Topic, *, request=None) -> Topic:
    scope.require(permissions.manage_catalogue(scope))
    with transaction.atomic():
        topic.full_clean()
        topic.save()
        audit.record(
            scope.user, "reception.topic_saved", topic, request=request, summary=topic.name
        )
    return topic


def set_calendar_override(
    scope: Scope, *, day: dt.date, is_working_day: bool, note: str = "", request=None
) -> CalendarOverride:
    """Declare a day working or off (a moved Kurban Ait, a late transfer). Open appeals whose
    deadlines depend on that day get them recomputed (see services/calendar.py)."""
    scope.require(permissions.manage_catalogue(scope))
    note = (note or "").strip()[:200]
    with transaction.atomic():
        override, _created = CalendarOverride.objects.update_or_create(
            date=day,
            defaults={"is_working_day": is_working_day, "note": note, "created_by": scope.user},
        )
        changed = recompute_after_calendar_change(day, by=scope.user)
        audit.record(
            scope.user,
            "reception.calendar_override",
            override,
            request=request,
            summary=f"{day}: {'working' if is_working_day else 'day off'}",
            data={"recomputed": changed},
        )
    return override


def remove_calendar_override(scope: Scope, day: dt.date, *, request=None) -> int:
    """Go back to the package's calendar for `day`; returns the appeals recomputed."""
    scope.require(permissions.manage_catalogue(scope))
    with transaction.atomic():
        deleted, _detail = CalendarOverride.objects.filter(date=day).delete()
        if not deleted:
            return 0
        changed = recompute_after_calendar_change(day, by=scope.user)
        audit.record(
            scope.user,
            "reception.calendar_override_removed",
            None,
            request=request,
            summary=str(day),
            data={"recomputed": changed},
        )
    return changed
