"""Member actions: every write that matters lives here, one function each.

Each action checks permission through the caller's Scope, writes inside a transaction,
records an audit event and leaves the field-level diff to simple_history.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.core.forms import iin_error_message
from bastau.lib import iin as iin_lib
from bastau.structure import permissions as structure_perms

from . import permissions as perms
from . import tally
from .models import Admission, Member, PartyCard, Transfer


def active_members(scope: Scope):
    """The members still in the party (not left, expelled or deceased) the scope may see."""
    return perms.members(scope).exclude(status__in=Member.ENDED)


def reveal_personal_data(scope: Scope, member: Member, request=None) -> bool:
    """Whether `member`'s IIN, phone, email and address are shown to this scope; every read of
    another person's data is audited. The member's page and the API both ask this one function."""
    own = scope.user.is_authenticated and scope.user.member_id == member.pk
    shown = own or perms.see_personal_data(scope)
    if shown and not own:
        audit.record(
            scope.user,
            "member.personal_data_viewed",
            member,
            branch=member.poo.branch,
            request=request,
        )
    return shown


def validate_iin_matches(iin: str, birth_date: dt.date | None = None, sex: str | None = None):
    """Parse an IIN and check that a given birth date and sex agree with it."""
    try:
        parsed = iin_lib.parse(iin)
    except iin_lib.IINError as exc:
        raise ValidationError({"iin": iin_error_message(exc)}) from exc
    errors = {}
    if birth_date is not None and birth_date != parsed.birth_date:
        errors["birth_date"] = _("The birth date does not agree with the IIN (%(date)s).") % {
            "date": parsed.birth_date.isoformat()
        }
    if sex and sex != parsed.sex.value:
        errors["sex"] = _("The sex does not agree with the IIN.")
    if errors:
        raise ValidationError(errors)
    return parsed


def _user_branch(scope: Scope):
    return getattr(scope.user, "branch", None)


# Admission path ------------------------------------------------------------------------
def register_application(scope: Scope, *, poo, data: dict, request=None) -> Admission:
    scope.require(perms.register_applications(scope))
    structure_perms.require_poo(scope, poo)
    validate_iin_matches(data["iin"])
    if Member.objects.filter(iin=data["iin"]).exclude(status__in=Member.ENDED).exists():
        raise ValidationError({"iin": _("A current member already has this IIN.")})
    if Admission.objects.filter(
        iin=data["iin"], stage__in=[Admission.Stage.APPLIED, Admission.Stage.POO_APPROVED]
    ).exists():
        raise ValidationError({"iin": _("An application with this IIN is already open.")})
    with transaction.atomic():
        admission = Admission.objects.create(poo=poo, created_by=scope.user, **data)
        audit.record(
            scope.user,
            "admission.applied",
            admission,
            branch=poo.branch,
            request=request,
            summary=f"{admission.last_name} {admission.first_name}",
        )
    return admission


def record_poo_decision(
    scope: Scope, admission: Admission, *, meeting_date, protocol_number, request=None
) -> Admission:
    scope.require(perms.register_applications(scope))
    structure_perms.require_poo(scope, admission.poo)
    if admission.stage != Admission.Stage.APPLIED:
        raise ValidationError(_("This application is not waiting for a POO decision."))
    if meeting_date < admission.applied_on:
        raise ValidationError(
            {"poo_meeting_date": _("The meeting cannot precede the application.")}
        )
    with transaction.atomic():
        admission.poo_meeting_date = meeting_date
        admission.poo_protocol_number = protocol_number
        admission.stage = Admission.Stage.POO_APPROVED
        admission.save()
        audit.record(
            scope.user,
            "admission.poo_approved",
            admission,
            branch=admission.poo.branch,
            request=request,
        )
    return admission


def approve_admission(scope: Scope, admission: Admission, *, decision_date, request=None) -> Member:
    """District branch approval: the applicant becomes a member from this date."""
    scope.require(perms.approve_admissions(scope))
    structure_perms.require_poo(scope, admission.poo)
    if admission.stage != Admission.Stage.POO_APPROVED:
        raise ValidationError(_("The POO meeting has not approved this application yet."))
    if admission.poo_meeting_date and decision_date < admission.poo_meeting_date:
        raise ValidationError(
            {"district_decision_date": _("The approval cannot precede the POO meeting.")}
        )
    parsed = validate_iin_matches(admission.iin)
    with transaction.atomic():
        existing = Member.objects.select_for_update().filter(iin=admission.iin).first()
        fields = dict(
            last_name=admission.last_name,
            first_name=admission.first_name,
            patronymic=admission.patronymic,
            birth_date=parsed.birth_date,
            sex=parsed.sex.value,
            phone=admission.phone,
            email=admission.email,
            address=admission.address,
            sector=admission.sector,
            poo=admission.poo,
            joined_on=decision_date,
            status=Member.Status.ACTIVE,
            status_changed_on=decision_date,
            status_reason=_("Admitted"),
            left_on=None,
        )
        if existing is not None:
            if existing.is_member:
                raise ValidationError({"iin": _("A current member already has this IIN.")})
            for name, value in fields.items():  # readmission of a former member
                setattr(existing, name, value)
            existing.save()
            member = existing
        else:
            member = Member.objects.create(iin=admission.iin, **fields)
        admission.member = member
        admission.district_decision_date = decision_date
        admission.stage = Admission.Stage.ADMITTED
        admission.save()
        audit.record(
            scope.user,
            "admission.admitted",
            member,
            branch=admission.poo.branch,
            request=request,
            summary=member.full_name,
        )
    return member


def reject_admission(scope: Scope, admission: Admission, *, reason: str, request=None):
    scope.require(perms.register_applications(scope))
    structure_perms.require_poo(scope, admission.poo)
    if admission.stage not in (Admission.Stage.APPLIED, Admission.Stage.POO_APPROVED):
        raise ValidationError(_("Only an open application can be rejected."))
    if admission.stage == Admission.Stage.POO_APPROVED and not perms.approve_admissions(scope):
        raise ValidationError(_("Only the district branch can reject after the POO decision."))
    with transaction.atomic():
        admission.stage = Admission.Stage.REJECTED
        admission.rejection_reason = reason
        admission.save()
        audit.record(
            scope.user,
            "admission.rejected",
            admission,
            branch=admission.poo.branch,
            request=request,
            summary=reason,
        )
    return admission


# Party cards ---------------------------------------------------------------------------
def next_card_number(series: str) -> int:
    return (PartyCard.objects.filter(series=series).aggregate(m=Max("number"))["m"] or 0) + 1


def issue_card(
    scope: Scope,
    member: Member,
    *,
    series: str,
    issued_on,
    number: int | None = None,
    replaces: PartyCard | None = None,
    request=None,
) -> PartyCard:
    """Issue a card; the number defaults to the next free one in the series."""
    scope.require(perms.approve_admissions(scope))
    structure_perms.require_poo(scope, member.poo)
    if not member.is_member:
        raise ValidationError(_("A card is issued only to a current member."))
    series = series.strip().upper()
    if not series:
        raise ValidationError({"series": _("Give the card series.")})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if (
                    member.cards.filter(status=PartyCard.Status.VALID)
                    .exclude(pk=getattr(replaces, "pk", None))
                    .exists()
                ):
                    raise ValidationError(_("This member already holds a valid card."))
                card = PartyCard.objects.create(
                    member=member,
                    series=series,
                    number=number or next_card_number(series),
                    issued_on=issued_on,
                    replaces=replaces,
                    issued_by=scope.user,
                )
                admission = Admission.objects.filter(
                    member=member, stage=Admission.Stage.ADMITTED
                ).first()
                if admission is not None:
                    admission.stage = Admission.Stage.CARD_ISSUED
                    admission.save()
                audit.record(
                    scope.user,
                    "card.issued",
                    card,
                    branch=member.poo.branch,
                    request=request,
                    summary=f"{member.full_name}: {card}",
                )
                return card
        except IntegrityError as exc:
            if number is not None:
                raise ValidationError(
                    {"number": _("This number is already taken in this series.")}
                ) from exc
            # Another card took the same next number concurrently: take the next one.
    raise ValidationError(_("Could not allocate a card number; try again."))


def replace_card(
    scope: Scope, card: PartyCard, *, reason: str, lost: bool, issued_on, request=None
) -> PartyCard:
    """Reissue a card (worn, name changed) or replace a lost one; the old card is kept."""
    scope.require(perms.approve_admissions(scope))
    if card.status != PartyCard.Status.VALID:
        raise ValidationError(_("Only a valid card can be replaced."))
    with transaction.atomic():
        card.status = PartyCard.Status.LOST if lost else PartyCard.Status.REPLACED
        card.status_changed_on = issued_on
        card.status_reason = reason
        card.save()
        return issue_card(
            scope,
            card.member,
            series=card.series,
            issued_on=issued_on,
            replaces=card,
            request=request,
        )


# Transfers and status ------------------------------------------------------------------
def _require_edit(scope: Scope, member: Member, review_item) -> None:
    """Who may change a member: staff who edit members, in their scope; or, for an answer in a
    review of members, whoever may give that answer (a POO leader for their POO's roll)."""
    if review_item is None:
        scope.require(perms.edit_members(scope))
        structure_perms.require_poo(scope, member.poo)
    else:
        scope.require(review_item.member_id == member.pk and perms.may_answer(scope, review_item))


def _review_data(review_item) -> dict:
    return {} if review_item is None else {"review": review_item.review_id}


def transfer_member(
    scope: Scope, member: Member, *, to_poo, date, reason="", request=None, review_item=None
):
    """Move a member to another POO. `review_item`: the move is an answer in a review."""
    _require_edit(scope, member, review_item)
    if to_poo.pk == member.poo_id:
        raise ValidationError({"to_poo": _("The member is already in this organization.")})
    if to_poo.status != to_poo.Status.ACTIVE:
        raise ValidationError({"to_poo": _("Members can move only to an active organization.")})
    if not member.is_member:
        raise ValidationError(_("Only a current member can be transferred."))
    # A secretary may send a member to another district; the receiving POO need not be theirs.
    with transaction.atomic():
        transfer = Transfer.objects.create(
            member=member,
            from_poo=member.poo,
            to_poo=to_poo,
            date=date,
            reason=reason,
            created_by=scope.user,
        )
        member.poo = to_poo
        member._change_reason = "transfer"
        member.save()
        audit.record(
            scope.user,
            "member.transferred",
            member,
            branch=to_poo.branch,
            request=request,
            data={
                "from": transfer.from_poo_id,
                "to": to_poo.pk,
                "date": str(date),
                **_review_data(review_item),
            },
        )
    return transfer


def change_status(
    scope: Scope, member: Member, *, status: str, date, reason: str, request=None, review_item=None
):
    """Change a member's status. `review_item`: the change is an answer in a review."""
    _require_edit(scope, member, review_item)
    if status == member.status:
        raise ValidationError({"status": _("The member already has this status.")})
    if date < member.joined_on:
        raise ValidationError({"date": _("The date cannot precede the join date.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if not member.is_member:
        raise ValidationError(
            _("Membership has ended; a former member is readmitted by a new application.")
        )
    with transaction.atomic():
        member.status = status
        member.status_changed_on = date
        member.status_reason = reason
        member.left_on = date if status in Member.ENDED else None
        member.save()
        if status in Member.ENDED:
            member.cards.filter(status=PartyCard.Status.VALID).update(
                status=PartyCard.Status.REVOKED, status_changed_on=date, status_reason=reason
            )
        audit.record(
            scope.user,
            "member.status",
            member,
            branch=member.poo.branch,
            request=request,
            data={"status": status, "date": str(date), **_review_data(review_item)},
            summary=reason,
        )
    return member


def update_member(scope: Scope, member: Member, *, changes: dict, request=None) -> Member:
    scope.require(perms.edit_members(scope))
    structure_perms.require_poo(scope, member.poo)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(member, name, value)
        member.full_clean()
        member.save()
        audit.record(
            scope.user,
            "member.updated",
            member,
            branch=member.poo.branch,
            request=request,
            data={"fields": sorted(changes)},
        )
    return member


# The members of a POO, for structure's merge and close (registered in apps.py) -----------
def has_current_members(poo) -> bool:
    return Member.objects.filter(poo=poo).exclude(status__in=Member.ENDED).exists()


def move_current_members(poo, into, *, date, user) -> int:
    """A merge: every current member of `poo` moves to `into`, each with a Transfer row."""
    moving = list(
        Member.objects.filter(poo=poo).exclude(status__in=Member.ENDED).values_list("pk", flat=True)
    )
    Transfer.objects.bulk_create(
        Transfer(
            member_id=pk,
            from_poo=poo,
            to_poo=into,
            date=date,
            reason=_("Organizations merged"),
            created_by=user,
        )
        for pk in moving
    )
    # bulk update skips per-row history; the Transfer rows are that history. It sends no
    # signals either: the kept figures move the members themselves (members.tally).
    for start in range(0, len(moving), 500):
        chunk = moving[start : start + 500]
        where = f"id IN ({', '.join(['%s'] * len(chunk))})"
        tally.add_members(where, chunk, sign=-1)
        Member.objects.filter(pk__in=chunk).update(poo=into)
        tally.add_members(where, chunk)
    return len(moving)
