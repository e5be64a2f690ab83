"""Information work: every write that matters (each checks the scope, writes in a transaction
and records an audit event)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as activity_permissions
from bastau.core import audit
from bastau.core import files as core_files
from bastau.core.sms import send_sms
from bastau.structure.models import Branch, PrimaryOrganization
from bastau.voice.people import permissions as people_permissions
from bastau.voice.people import services as people_services
from bastau.voice.people.models import Supporter

from . import permissions as perms
from .models import Campaign, Event, Invitation, Material, PlanTarget

log = logging.getLogger(__name__)

#: A campaign keeps at most this many files.
MAX_MATERIALS = 30


def _require_manage(scope: Scope, campaign: Campaign) -> None:
    if not perms.campaigns(scope).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    scope.require(perms.manages_campaign(scope, campaign))


def create_campaign(
    scope: Scope,
    *,
    title: str,
    title_ru: str,
    theme: str,
    branch: Branch,
    starts_on: dt.date,
    ends_on: dt.date,
    talking_points: str = "",
    talking_points_ru: str = "",
    target_branches=(),
    target_poos=(),
    request=None,
) -> Campaign:
    scope.require(perms.create_campaigns(scope))
    if not perms.organising_branches(scope).filter(pk=branch.pk).exists():
        raise PermissionDenied
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("The campaign cannot end before it starts.")
    allowed = set(perms.districts(scope).values_list("pk", flat=True))
    if any(b.pk not in allowed for b in target_branches):
        errors["target_branches"] = _("You may target only your own district.")
    allowed_poos = set(perms.poos(scope).values_list("pk", flat=True))
    if any(p.pk not in allowed_poos for p in target_poos):
        errors["target_poos"] = _("You may target only the primary organizations of your district.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title.strip(),
            title_ru=title_ru.strip(),
            theme=theme,
            branch=branch,
            starts_on=starts_on,
            ends_on=ends_on,
            talking_points=talking_points,
            talking_points_ru=talking_points_ru,
            created_by=scope.user,
        )
        campaign.target_branches.set(target_branches)
        campaign.target_poos.set(target_poos)
        audit.record(
            scope.user, "outreach.campaign_created", campaign, branch=branch, request=request
        )
    return campaign


def set_plan(
    scope: Scope,
    campaign: Campaign,
    *,
    branch: Branch,
    planned_reach: int,
    poo: PrimaryOrganization | None = None,
    request=None,
) -> PlanTarget:
    """Set the planned reach of a district (no POO) or of one POO of it; setting it again
    replaces the number."""
    _require_manage(scope, campaign)
    errors = {}
    if not perms.districts(scope).filter(pk=branch.pk).exists():
        errors["branch"] = _("You may plan only for your own district.")
    if poo is not None and poo.branch_id != branch.pk:
        errors["poo"] = _("This primary organization is not in the chosen district.")
    if planned_reach is None or planned_reach < 0:
        errors["planned_reach"] = _("The planned reach is a whole number, zero or more.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target, _created = PlanTarget.objects.update_or_create(
            campaign=campaign, branch=branch, poo=poo, defaults={"planned_reach": planned_reach}
        )
        audit.record(
            scope.user,
            "outreach.plan_set",
            campaign,
            data={"branch": branch.pk, "poo": poo.pk if poo else None, "planned": planned_reach},
            branch=branch,
            request=request,
        )
    return target


def add_materials(scope: Scope, campaign: Campaign, uploads, *, request=None) -> list[Material]:
    """Attach files (type and size checked by core.files); all or nothing."""
    _require_manage(scope, campaign)
    uploads = [u for u in (uploads or []) if u]
    if not uploads:
        raise ValidationError({"files": _("Choose a file to attach.")})
    try:
        checked = core_files.check_files(uploads)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc
    if campaign.materials.count() + len(checked) > MAX_MATERIALS:
        raise ValidationError(
            {"files": _("A campaign keeps at most %(count)s files.") % {"count": MAX_MATERIALS}}
        )
    stored, created = [], []
    try:
        with transaction.atomic():
            for item in checked:
                material = Material(
                    campaign=campaign,
                    original_name=item.original_name,
                    size=item.size,
                    content_type=item.content_type,
                    sha256=item.sha256,
                    uploaded_by=scope.user,
                )
                item.upload.seek(0)
                material.file.save(f"file.{item.extension}", item.upload, save=False)
                stored.append(material.file.name)
                material.save()
                created.append(material)
            audit.record(
                scope.user,
                "outreach.materials_added",
                campaign,
                data={"files": [m.original_name for m in created]},
                branch=campaign.branch,
                request=request,
            )
    except Exception:
        storage = Material._meta.get_field("file").storage
        for name in stored:
            try:
                storage.delete(name)
            except OSError:
                log.warning("Could not delete an orphaned outreach file")
        raise
    return created


def open_material(scope: Scope, material: Material, *, request=None):
    if not perms.materials(scope).filter(pk=material.pk).exists():
        raise PermissionDenied
    audit.record(
        scope.user,
        "outreach.material_read",
        material,
        summary=material.original_name,
        branch=material.campaign.branch,
        request=request,
    )
    return material.file.open("rb"), material.content_type, material.original_name


def _targets(campaign: Campaign) -> tuple[set[int], set[int]]:
    branches = set(campaign.target_branches.values_list("pk", flat=True))
    poos = set(campaign.target_poos.values_list("pk", flat=True))
    return branches, poos


def record_event(
    scope: Scope,
    campaign: Campaign,
    *,
    kind: str,
    date: dt.date,
    title: str,
    branch: Branch | None,
    reach: int | None,
    today: dt.date,
    poo: PrimaryOrganization | None = None,
    place: str = "",
    note: str = "",
    request=None,
) -> Event:
    """Record an event of the campaign and the people it reached, or announce an upcoming one
    (`reach` None: planned, its reach recorded later by `record_reach`). A POO leader records
    events of their own POO; a district secretary of their district; the administrator
    anywhere."""
    scope.require(perms.record_events(scope))
    if not perms.campaigns(scope).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    if poo is not None and branch is None:
        branch = poo.branch
    errors = {}
    if branch is None:
        errors["branch"] = _("Choose the district.")
    elif not perms.districts(scope).filter(pk=branch.pk).exists():
        errors["branch"] = _("You may record events only in your own district.")
    if perms.is_poo_leader(scope) and (poo is None or poo.pk != scope.user.poo_id):
        errors["poo"] = _("Record the events of your own primary organization.")
    if poo is not None and branch is not None and poo.branch_id != branch.pk:
        errors["poo"] = _("This primary organization is not in the chosen district.")
    if date is not None and (date < campaign.starts_on or date > campaign.ends_on):
        errors["date"] = _("The date must fall within the campaign (%(start)s – %(end)s).") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }
    if reach is not None and reach < 0:
        errors["reach"] = _("The reach is a whole number, zero or more.")
    elif date is not None and reach is not None and date > today:
        errors["reach"] = _(
            "The reach is recorded on or after the day of the event: leave it empty for an "
            "upcoming event."
        )
    elif date is not None and reach is None and date < today:
        errors["reach"] = _("Give the number of people the event reached.")
    if branch is not None and "branch" not in errors:
        target_branches, target_poos = _targets(campaign)
        poo_branches = set(
            PrimaryOrganization.objects.filter(pk__in=target_poos).values_list(
                "branch_id", flat=True
            )
        )
        if (target_branches or target_poos) and branch.pk not in target_branches | poo_branches:
            errors["branch"] = _("This district is not a target of the campaign.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = Event.objects.create(
            campaign=campaign,
            kind=kind,
            date=date,
            title=title.strip(),
            branch=branch,
            poo=poo,
            reach=reach,
            place=place.strip(),
            note=note,
            recorded_by=scope.user,
        )
        audit.record(
            scope.user,
            "outreach.event_planned" if reach is None else "outreach.event_recorded",
            event,
            data={"reach": reach},
            branch=branch,
            request=request,
        )
    return event


def _require_event(scope: Scope, event: Event) -> None:
    scope.require(perms.record_events(scope))
    if not perms.events(scope, event.campaign).filter(pk=event.pk).exists():
        raise PermissionDenied


def record_reach(scope: Scope, event: Event, *, reach: int, today: dt.date, request=None) -> Event:
    """Complete a planned event with the people it reached, on or after its day."""
    _require_event(scope, event)
    errors = {}
    if not event.is_planned:
        errors["reach"] = _("The reach of this event is already recorded.")
    elif event.date > today:
        errors["reach"] = _(
            "The reach is recorded on or after the day of the event (%(date)s)."
        ) % {"date": event.date.strftime("%d.%m.%Y")}
    elif reach is None or reach < 0:
        errors["reach"] = _("The reach is a whole number, zero or more.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        updated = Event.objects.filter(pk=event.pk, reach__isnull=True).update(reach=reach)
        if not updated:
            raise ValidationError({"reach": _("The reach of this event is already recorded.")})
        event.reach = reach
        audit.record(
            scope.user,
            "outreach.event_recorded",
            event,
            data={"reach": reach},
            branch=event.branch,
            request=request,
        )
    return event


def is_upcoming(event: Event, today: dt.date) -> bool:
    """Supporters are invited to an announced event that has not yet taken place."""
    return event.is_planned and event.date >= today


def invitable(scope: Scope, event: Event, kind: str = "") -> QuerySet:
    """The supporters (and volunteers) with consent in force of the event's POO or district,
    within the scope's own supporters, of `kind` if given, not yet invited to it."""
    qs = people_services.invitable_supporters(event.poo or event.branch).filter(
        pk__in=people_permissions.supporters(scope).values("pk")
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.exclude(pk__in=Invitation.objects.filter(event=event).values("supporter_id"))


def invite_supporters(
    scope: Scope,
    event: Event,
    *,
    today: dt.date,
    kind: str = "",
    by_sms: bool = True,
    by_email: bool = True,
    request=None,
) -> int:
    """Invite to an upcoming event the supporters of its place not yet invited (one row per
    supporter and event), and queue the messages for the task worker. Returns how many."""
    _require_event(scope, event)
    errors = {}
    if not is_upcoming(event, today):
        errors[NON_FIELD_ERRORS] = _("Supporters are invited only to an upcoming event.")
    if kind and kind not in Supporter.Kind.values:
        errors["kind"] = _("Choose supporters, volunteers or both.")
    if not by_sms and not by_email:
        errors["by_sms"] = _("Choose SMS, email or both.")
    if errors:
        raise ValidationError(errors)
    contact = Q()
    if by_sms:
        contact |= ~Q(phone="")
    if by_email:
        contact |= ~Q(email="")
    ids = list(invitable(scope, event, kind).filter(contact).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(
            _(
                "No one to invite: every supporter here with consent in force and a phone or "
                "email for the chosen channels is already invited."
            )
        )
    with transaction.atomic():
        Invitation.objects.bulk_create(
            [
                Invitation(
                    event=event,
                    supporter_id=pk,
                    by_sms=by_sms,
                    by_email=by_email,
                    invited_on=today,
                    invited_by=scope.user,
                )
                for pk in ids
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        audit.record(
            scope.user,
            "outreach.supporters_invited",
            event,
            data={"invited": len(ids), "kind": kind, "sms": by_sms, "email": by_email},
            branch=event.branch,
            request=request,
        )
    from .tasks import send_event_invitations

    send_event_invitations.enqueue(event.pk)
    return len(ids)


def withdrawal_link(supporter: Supporter) -> str:
    query = urlencode({"code": supporter.withdrawal_code})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('people:withdraw')}?{query}"


def invitation_message(event: Event, supporter: Supporter) -> tuple[str, str, str]:
    """(email subject, email body, SMS text) of an invitation, in the supporter's language
    (Kazakh unless Russian is recorded): the event's title, day and place, and the link by
    which the supporter withdraws their consent."""
    language = "ru" if supporter.language == Supporter.Language.RUSSIAN else "kk"
    with translation.override(language):
        place = event.place or (event.poo.name if event.poo_id else event.branch.display_name)
        values = {
            "title": event.title,
            "date": event.date.strftime("%d.%m.%Y"),
            "place": place,
            "campaign": event.campaign.display_title,
            "link": withdrawal_link(supporter),
        }
        subject = _("Invitation: %(title)s") % values
        body = (
            _(
                "You are invited to «%(title)s» on %(date)s.\nPlace: %(place)s\n"
                "Campaign: %(campaign)s\n\n"
                "You receive this message because you agreed to be a supporter. To withdraw "
                "your consent (your data will be erased): %(link)s"
            )
            % values
        )
        text = (
            _("Invitation: «%(title)s», %(date)s, %(place)s. Withdraw consent: %(link)s") % values
        )
    return subject, body, text


@dataclass
class SendResult:
    sent: int = 0
    not_sent: int = 0
    emails: int = 0
    sms: int = 0
    failures: int = 0


def send_invitations(event_id: int, today: dt.date) -> SendResult:
    """Send the queued invitations of an event. Each is claimed in one update that checks the
    supporter's consent is still in force (so a withdrawn supporter is never written to, and a
    message is never sent twice); nothing is sent once the event has passed."""
    result = SendResult()
    event = Event.objects.select_related("campaign", "branch", "poo").filter(pk=event_id).first()
    if event is None:
        return result
    queued = Invitation.objects.filter(event=event, status=Invitation.Status.QUEUED)
    if not is_upcoming(event, today):
        result.not_sent += queued.update(status=Invitation.Status.NOT_SENT)
        return result
    consenting = people_services.invitable_supporters(None).values("pk")
    for pk in list(queued.order_by("pk").values_list("pk", flat=True)):
        claimed = Invitation.objects.filter(
            pk=pk, status=Invitation.Status.QUEUED, supporter__in=consenting
        ).update(status=Invitation.Status.SENT, sent_on=today)
        if not claimed:
            result.not_sent += Invitation.objects.filter(
                pk=pk, status=Invitation.Status.QUEUED
            ).update(status=Invitation.Status.NOT_SENT)
            continue
        invitation = Invitation.objects.select_related("supporter").get(pk=pk)
        supporter = invitation.supporter
        subject, body, text = invitation_message(event, supporter)
        emails = sms = 0
        try:
            if invitation.by_email and supporter.email:
                emails = mail.send_mail(
                    subject, body, settings.DEFAULT_FROM_EMAIL, [supporter.email]
                )
            if invitation.by_sms and supporter.phone:
                sms = send_sms(supporter.phone, text)
        except Exception:
            log.exception("outreach invitation %s failed", pk)
            result.failures += 1
        result.emails += emails
        result.sms += sms
        if emails or sms:
            result.sent += 1
        else:
            Invitation.objects.filter(pk=pk).update(status=Invitation.Status.NOT_SENT, sent_on=None)
            result.not_sent += 1
    audit.record(
        None,
        "outreach.invitations_sent",
        event,
        branch=event.branch,
        data={
            "sent": result.sent,
            "not_sent": result.not_sent,
            "emails": result.emails,
            "sms": result.sms,
        },
    )
    return result


def invitation_counts(event: Event) -> dict:
    """Invited, sent, queued and not sent, in one grouped query."""
    return Invitation.objects.filter(event=event).aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(status=Invitation.Status.SENT)),
        queued=Count("pk", filter=Q(status=Invitation.Status.QUEUED)),
        not_sent=Count("pk", filter=Q(status=Invitation.Status.NOT_SENT)),
    )


def link_instruction(scope: Scope, campaign: Campaign, number: int, *, request=None):
    """Point an instruction (one the user sees) to this campaign."""
    _require_manage(scope, campaign)
    instruction = activity_permissions.instructions(scope).filter(pk=number).first()
    if instruction is None:
        raise ValidationError({"number": _("No instruction with this number.")})
    with transaction.atomic():
        campaign.instructions.add(instruction)
        audit.record(
            scope.user,
            "outreach.instruction_linked",
            campaign,
            data={"instruction": instruction.pk},
            branch=campaign.branch,
            request=request,
        )
    return instruction
