"""Supporters, consents and the youth wing: every write that matters (each checks the scope,
writes in a transaction and records an audit event), and the small public functions other
voice apps call (`invitable_supporters`)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.core import audit
from bastau.members.models import Member
from bastau.structure.models import Branch, PrimaryOrganization

from . import ages, consent
from . import permissions as perms
from .models import Consent, ConsentChannel, Supporter, YouthCongress, YouthWing, YouthWingMember


# Supporters --------------------------------------------------------------------------------
def consent_in_force() -> Exists:
    """A consent of the supporter that has not been withdrawn."""
    return Exists(Consent.objects.filter(supporter=OuterRef("pk"), withdrawn_on__isnull=True))


def invitable_supporters(unit: Branch | PrimaryOrganization | None = None) -> QuerySet:
    """Supporters and volunteers who may be invited (to a survey, to an outreach event): those
    whose consent is in force, in `unit` (the regional branch or None: all; a district or city
    branch: its own; a POO: its own). Contact through `phone` and `email`; never store a copy of
    them elsewhere, since they are erased when consent is withdrawn."""
    qs = Supporter.objects.filter(status=Supporter.Status.ACTIVE).filter(consent_in_force())
    if isinstance(unit, PrimaryOrganization):
        return qs.filter(poo=unit)
    if isinstance(unit, Branch) and unit.kind != Branch.Kind.REGION:
        return qs.filter(branch=unit)
    return qs


def register_supporter(
    scope: Scope,
    *,
    branch: Branch,
    last_name: str,
    first_name: str,
    consent_given_on: dt.date,
    consent_channel: str,
    today: dt.date,
    kind: str = Supporter.Kind.SUPPORTER,
    poo: PrimaryOrganization | None = None,
    birth_date: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    email: str = "",
    note: str = "",
    language: str = Supporter.Language.KAZAKH,
    consent_version: str = consent.CURRENT_VERSION,
    request=None,
) -> Supporter:
    """Register a supporter or volunteer together with their consent. Without a consent
    (its day, channel and text version) nothing is kept."""
    scope.require(perms.manage_supporters(scope))
    if not perms.supporter_branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    errors = {}
    if not (last_name or "").strip() or not (first_name or "").strip():
        errors["last_name"] = _("Give the surname and the given name.")
    if not (phone or "").strip() and not (email or "").strip():
        errors["phone"] = _("Give a phone or an email: a supporter is kept to be invited.")
    if poo is not None and poo.branch_id != branch.pk:
        errors["poo"] = _("This primary organization is not in the chosen district.")
    if consent_given_on is None or consent_given_on > today:
        errors["consent_given_on"] = _("The consent date cannot be in the future.")
    if consent_version not in consent.TEXTS:
        errors["consent_version"] = _("Unknown consent text version.")
    if consent_channel not in ConsentChannel.values:
        errors["consent_channel"] = _("Choose how the consent was given.")
    if birth_date is not None and birth_date >= today:
        errors["birth_date"] = _("The birth date must be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        supporter = Supporter.objects.create(
            kind=kind,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            birth_date=birth_date,
            sex=sex or "",
            phone=(phone or "").strip(),
            email=(email or "").strip(),
            note=(note or "").strip(),
            language=language if language in Supporter.Language.values else "kk",
            branch=branch,
            poo=poo,
            registered_on=today,
            created_by=scope.user,
        )
        Consent.objects.create(
            supporter=supporter,
            text_version=consent_version,
            given_on=consent_given_on,
            channel=consent_channel,
            recorded_by=scope.user,
        )
        audit.record(
            scope.user,
            "supporter.registered",
            supporter,
            data={"consent_version": consent_version, "channel": consent_channel},
            branch=branch,
            request=request,
        )
    return supporter


def _erase(supporter: Supporter, *, on: dt.date, via: str, by=None) -> None:
    Supporter.objects.filter(pk=supporter.pk).update(
        status=Supporter.Status.WITHDRAWN,
        last_name="",
        first_name="",
        birth_date=None,
        sex="",
        phone="",
        email="",
        note="",
        withdrawn_on=on,
    )
    supporter.consents.filter(withdrawn_on__isnull=True).update(
        withdrawn_on=on, withdrawn_via=via, withdrawn_by=by
    )
    supporter.refresh_from_db()


def withdraw_by_staff(scope: Scope, supporter: Supporter, *, on: dt.date, request=None) -> None:
    """Staff withdraw a consent at the person's request: the personal data is erased at once;
    only the fact of the consent and of its withdrawal stays."""
    scope.require(perms.manage_supporters(scope))
    if not perms.supporters(scope).filter(pk=supporter.pk).exists():
        raise PermissionDenied
    if supporter.status == Supporter.Status.WITHDRAWN:
        raise ValidationError(_("This consent has already been withdrawn."))
    with transaction.atomic():
        _erase(supporter, on=on, via=Consent.WithdrawnVia.STAFF, by=scope.user)
        audit.record(
            scope.user,
            "supporter.consent_withdrawn",
            supporter,
            data={"via": "staff"},
            branch=supporter.branch,
            request=request,
        )


def withdraw_by_code(code: str, *, on: dt.date, request=None) -> Supporter:
    """The person withdraws their consent with their code (a link or typed in)."""
    code = (code or "").strip()
    supporter = Supporter.objects.filter(withdrawal_code=code).first() if code else None
    if supporter is None:
        raise ValidationError({"code": _("No consent has this code. Check it and try again.")})
    if supporter.status == Supporter.Status.WITHDRAWN:
        return supporter
    with transaction.atomic():
        _erase(supporter, on=on, via=Consent.WithdrawnVia.SELF)
        audit.record(
            None,
            "supporter.consent_withdrawn",
            supporter,
            data={"via": "self"},
            branch=supporter.branch,
            request=request,
        )
    return supporter


def reveal_contacts(scope: Scope, supporter: Supporter, request=None) -> bool:
    """Whether this scope sees the supporter's phone and email; each read is audited."""
    shown = perms.see_contacts(scope) and supporter.status == Supporter.Status.ACTIVE
    if shown:
        audit.record(
            scope.user,
            "supporter.personal_data_viewed",
            supporter,
            branch=supporter.branch,
            request=request,
        )
    return shown


def counts_by_district(scope: Scope) -> list[dict]:
    """Supporters and volunteers with consent in force, and withdrawals, per district of the
    scope: one grouped query."""
    active = Q(status=Supporter.Status.ACTIVE)
    return list(
        perms.supporters(scope)
        .order_by()
        .values("branch_id", "branch__name", "branch__name_ru")
        .annotate(
            supporters=Count("pk", filter=active & Q(kind=Supporter.Kind.SUPPORTER)),
            volunteers=Count("pk", filter=active & Q(kind=Supporter.Kind.VOLUNTEER)),
            withdrawn=Count("pk", filter=Q(status=Supporter.Status.WITHDRAWN)),
        )
        .order_by("branch__name")
    )


# The youth wing ----------------------------------------------------------------------------
def create_wing(
    scope: Scope,
    *,
    name: str,
    branch: Branch,
    name_ru: str = "",
    min_age: int = 14,
    max_age: int = 35,
    founded_on: dt.date | None = None,
    request=None,
) -> YouthWing:
    """The regional wing (on the regional branch) or a district wing (on a district branch,
    under the regional wing, whose age limits it follows)."""
    scope.require(perms.manage_youth_wing(scope))
    errors = {}
    if YouthWing.objects.filter(branch=branch).exists():
        errors["branch"] = _("This branch already has a youth wing.")
    parent = None
    if branch.kind != Branch.Kind.REGION:
        parent = YouthWing.objects.filter(branch_id=branch.parent_id, parent=None).first()
        if parent is None:
            errors["branch"] = _("Set up the regional wing first.")
        else:
            min_age, max_age = parent.min_age, parent.max_age
    if min_age is None or max_age is None or min_age > max_age:
        errors["max_age"] = _("The upper age limit must not be below the lower one.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wing = YouthWing.objects.create(
            name=name,
            name_ru=name_ru,
            branch=branch,
            parent=parent,
            min_age=min_age,
            max_age=max_age,
            founded_on=founded_on,
        )
        audit.record(scope.user, "youth_wing.created", wing, branch=branch, request=request)
    return wing


def wing_for_district(branch: Branch) -> YouthWing | None:
    """The district's own wing, else the regional wing above it."""
    return (
        YouthWing.objects.filter(branch=branch).first()
        or YouthWing.objects.filter(branch_id=branch.parent_id, parent=None).first()
    )


def add_youth_member(
    scope: Scope,
    *,
    branch: Branch,
    joined_on: dt.date,
    today: dt.date,
    member: Member | None = None,
    last_name: str = "",
    first_name: str = "",
    birth_date: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    email: str = "",
    consent_channel: str = "",
    request=None,
) -> YouthWingMember:
    """Add a party member (linked) or a young person who is not a member (with consent) to the
    wing of `branch`, if their age on `joined_on` is within the wing's limits."""
    scope.require(perms.manage_youth_members(scope))
    if not perms.supporter_branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    wing = wing_for_district(branch)
    if wing is None:
        raise ValidationError({"branch": _("This district has no youth wing yet.")})
    root = wing.root
    errors = {}
    if joined_on > today:
        errors["joined_on"] = _("The joining date cannot be in the future.")
    if member is not None:
        if member.status != Member.Status.ACTIVE:
            errors["iin"] = _("This party member is not active.")
        elif member.poo.branch_id != branch.pk:
            errors["iin"] = _("This party member belongs to another district.")
        elif YouthWingMember.objects.filter(member=member, left_on__isnull=True).exists():
            errors["iin"] = _("This party member is already in the youth wing.")
        born = member.birth_date
    else:
        if not last_name.strip() or not first_name.strip():
            errors["last_name"] = _("Give the surname and the given name.")
        if birth_date is None:
            errors["birth_date"] = _("Give the birth date: the wing has age limits.")
        if not consent_channel:
            errors["consent_channel"] = _(
                "A person who is not a party member is kept only with their consent."
            )
        born = birth_date
    if born is not None and not ages.within_limits(born, joined_on, root.min_age, root.max_age):
        errors["iin" if member is not None else "birth_date"] = _(
            "The youth wing admits people aged %(min)s to %(max)s."
        ) % {"min": root.min_age, "max": root.max_age}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = YouthWingMember.objects.create(
            wing=wing,
            member=member,
            last_name="" if member else last_name.strip(),
            first_name="" if member else first_name.strip(),
            birth_date=None if member else birth_date,
            sex="" if member else sex,
            phone="" if member else phone.strip(),
            email="" if member else email.strip(),
            branch=branch,
            consent_version="" if member else consent.CURRENT_VERSION,
            consent_given_on=None if member else joined_on,
            consent_channel="" if member else consent_channel,
            joined_on=joined_on,
            created_by=scope.user,
        )
        audit.record(scope.user, "youth_wing.member_added", row, branch=branch, request=request)
    return row


def remove_youth_member(scope: Scope, row: YouthWingMember, *, on: dt.date, request=None) -> None:
    """A member leaves the wing. A non-member's personal data is erased with the row (only the
    audit event stays); a party member's row is kept with the day they left."""
    scope.require(perms.manage_youth_members(scope))
    if not perms.wing_members(scope).filter(pk=row.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            scope.user,
            "youth_wing.member_removed",
            row,
            data={"party_member": bool(row.member_id)},
            branch=row.branch,
            request=request,
        )
        if row.member_id:
            YouthWingMember.objects.filter(pk=row.pk).update(left_on=on)
        else:
            row.delete()


def current_wing_members(scope: Scope, on: dt.date) -> QuerySet:
    """The wing's members on `on` the scope sees, with `born` (own or the member's)."""
    return (
        perms.wing_members(scope)
        .filter(joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .annotate(born=Coalesce("birth_date", "member__birth_date"))
    )


def wing_counts(scope: Scope, on: dt.date) -> list[dict]:
    """Members per district on `on`: party members, others, and those now past the age
    limits (one grouped query)."""
    root = YouthWing.objects.filter(parent=None).first()
    qs = current_wing_members(scope, on).order_by()
    if root is not None:
        after, until = ages.birth_range(on, root.min_age, root.max_age)
        outside = Q(born__lte=after) | Q(born__gt=until)
    else:
        outside = Q(pk__in=[])
    return list(
        qs.values("branch_id", "branch__name", "branch__name_ru")
        .annotate(
            total=Count("pk"),
            party=Count("pk", filter=Q(member__isnull=False)),
            others=Count("pk", filter=Q(member__isnull=True)),
            outside=Count("pk", filter=outside),
        )
        .order_by("branch__name")
    )


def record_congress(
    scope: Scope,
    wing: YouthWing,
    *,
    date: dt.date,
    title: str,
    delegates_elected: int,
    delegates_present: int,
    decisions: str = "",
    meeting=None,
    request=None,
) -> YouthCongress:
    scope.require(perms.manage_youth_wing(scope))
    errors = {}
    if delegates_present > delegates_elected:
        errors["delegates_present"] = _("More delegates present than elected.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        congress = YouthCongress.objects.create(
            wing=wing,
            date=date,
            title=title,
            delegates_elected=delegates_elected,
            delegates_present=delegates_present,
            decisions=decisions,
            meeting=meeting,
            created_by=scope.user,
        )
        audit.record(
            scope.user, "youth_wing.congress", congress, branch=wing.branch, request=request
        )
    return congress


def quorum(congress: YouthCongress) -> bool:
    """A congress is competent with more than half of the elected delegates present."""
    return congress.delegates_present * 2 > congress.delegates_elected
