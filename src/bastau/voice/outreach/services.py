"""Information work: every write that matters (each checks the scope, writes in a transaction
and records an audit event)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bastau.accounts.scoping import Scope
from bastau.activity import permissions as activity_permissions
from bastau.core import audit
from bastau.core import files as core_files
from bastau.structure.models import Branch, PrimaryOrganization
from bastau.voice.people import services as people_services

from . import permissions as perms
from .models import Campaign, Event, Material, PlanTarget

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
    reach: int,
    today: dt.date,
    poo: PrimaryOrganization | None = None,
    place: str = "",
    note: str = "",
    invite_supporters: bool = False,
    request=None,
) -> Event:
    """Record an event of the campaign and the people it reached. A POO leader records events
    of their own POO; a district secretary of their district; the administrator anywhere."""
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
    elif date is not None and date > today:
        errors["date"] = _("An event is recorded after it took place.")
    if reach is None or reach < 0:
        errors["reach"] = _("The reach is a whole number, zero or more.")
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
        invited = 0
        if invite_supporters:
            invited = invite(event)
        audit.record(
            scope.user,
            "outreach.event_recorded",
            event,
            data={"reach": reach, "invited": invited},
            branch=branch,
            request=request,
        )
    return event


def invite(event: Event, batch: int = 5000) -> int:
    """Invite to the event the supporters of its POO (or district) whose consent is in force:
    rows of the invitation table written in batches, never a copy of their contacts."""
    through = Event.invited_supporters.through
    ids = (
        people_services.invitable_supporters(event.poo or event.branch)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    total, rows = 0, []
    for pk in ids.iterator(chunk_size=batch):
        rows.append(through(event_id=event.pk, supporter_id=pk))
        if len(rows) >= batch:
            through.objects.bulk_create(rows, ignore_conflicts=True)
            total += len(rows)
            rows = []
    if rows:
        through.objects.bulk_create(rows, ignore_conflicts=True)
        total += len(rows)
    return total


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
