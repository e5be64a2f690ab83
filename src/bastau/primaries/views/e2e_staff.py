"""The pages of an encrypted campaign's set-up and count.

- manage/<slug>/encryption/ (organisers): name the trustees (m, t) and the credential
  authority, list the observers' keys (until voting opens), freeze the roll for the credential
  authority, install its signed credential list;
  the ceremony's progress, naming a cheating trustee; the record's head.
- <slug>/trustee/ (only the accounts named as trustees): upload the ceremony files and, after
  the close, the decryption share that `bastau-trustee` writes; download the ceremony board
  (<slug>/e2e/ceremony.json, public: it holds only public keys, commitments and sealed boxes).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from bastau.core import audit
from bastau.core.permissions import requires
from bastau.core.spreadsheets import csv_response, spreadsheet_safe
from bastau.lib.iin import mask
from bastau.members import permissions as members_permissions

from .. import e2e_messages, encrypted, permissions
from ..e2e import canonical
from ..e2e.hashing import b64e
from ..forms.e2e import ObserverKeyForm, TrusteesForm, UploadForm
from ..models import E2ECredentialList, E2EElection, E2EEvent, VoterRollEntry
from .staff import ROLL_COLUMNS


def _status(campaign, election):
    trustees = list(election.trustees.order_by("index")) if election else []
    for t in trustees:
        t.steps = [s for s in encrypted.CEREMONY_STEPS if s in t.messages]
    problem = None
    if election and election.election_key is None and trustees:
        problem = encrypted.ceremony_problem(election)
        problem = e2e_messages.ceremony_error(problem) if problem else None
    last = E2EEvent.objects.filter(election=election).order_by("-seq").first() if election else None
    return {
        "election": election,
        "trustees": trustees,
        "ceremony_problem": problem,
        "credential_list": E2ECredentialList.objects.filter(election=election).first()
        if election
        else None,
        "roll": VoterRollEntry.objects.filter(campaign=campaign).count()
        if campaign.roll_frozen_at
        else None,
        "head": {"seq": last.seq, "hash": b64e(bytes(last.hash)), "type": last.type}
        if last
        else None,
        "setup_problem": encrypted.setup_problem(campaign),
        "election_key": b64e(bytes(election.election_key))
        if election and election.election_key
        else "",
        "server_key": b64e(bytes(election.server_key)) if election else "",
    }


@require_http_methods(["GET", "POST"])
@requires("primaries.view_staff_pages")
def encryption(request, slug):
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    if not campaign.encrypted:
        raise Http404
    election = E2EElection.objects.filter(campaign=campaign).first()
    action = request.POST.get("action") if request.method == "POST" else None
    trustees_form = TrusteesForm(request.POST if action == "trustees" else None)
    upload_form = UploadForm(
        request.POST if action == "credentials" else None,
        request.FILES if action == "credentials" else None,
    )
    void_form = UploadForm(
        request.POST if action == "void" else None,
        request.FILES if action == "void" else None,
        prefix="void",
    )
    observer_form = ObserverKeyForm(request.POST if action == "observer_add" else None)
    try:
        if action == "observer_add" and observer_form.is_valid():
            encrypted.add_observer_key(
                campaign, observer_form.cleaned_data["key"], actor=request.user, request=request
            )
            messages.success(request, _("The observer's key is listed."))
            return redirect("primaries:manage_encryption", slug)
        if action == "observer_remove":
            encrypted.remove_observer_key(
                campaign, request.POST.get("key", ""), actor=request.user, request=request
            )
            messages.success(request, _("The observer's key is removed."))
            return redirect("primaries:manage_encryption", slug)
        if action == "trustees" and trustees_form.is_valid():
            data = trustees_form.cleaned_data
            encrypted.create_election(
                campaign,
                trustees=data["trustees"],
                threshold=data["threshold"],
                ca_key=data["ca_key"],
            )
            messages.success(request, _("The trustees and the credential authority are named."))
            return redirect("primaries:manage_encryption", slug)
        if action == "freeze":
            count = encrypted.freeze_roll(campaign)
            messages.success(request, _("The voter roll is frozen: %(n)s members.") % {"n": count})
            return redirect("primaries:manage_encryption", slug)
        if action == "credentials" and upload_form.is_valid():
            if election is None:
                raise ValidationError(_("Name the trustees and the credential authority first."))
            encrypted.install_credentials(election, upload_form.cleaned_data["file"])
            messages.success(request, _("The credential list is installed."))
            return redirect("primaries:manage_encryption", slug)
        if action == "void" and void_form.is_valid():
            if election is None:
                raise ValidationError(_("Name the trustees and the credential authority first."))
            event = encrypted.install_void(
                election, void_form.cleaned_data["file"], actor=request.user, request=request
            )
            messages.success(
                request,
                _("The credentials are voided: event %(seq)s of the record.") % {"seq": event.seq},
            )
            return redirect("primaries:manage_encryption", slug)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "primaries/staff/encryption.html",
        {
            "campaign": campaign,
            "access": access,
            "trustees_form": trustees_form,
            "upload_form": upload_form,
            "void_form": void_form,
            "void_stage": election is not None
            and election.manifest is not None
            and not E2EEvent.objects.filter(election=election, type="CLOSE").exists(),
            "observer_form": observer_form,
            "observers_open": election is not None
            and election.manifest is None
            and campaign.status in ("draft", "nomination", "registration"),
            "setup_stage": campaign.status in ("draft", "nomination", "registration"),
            **_status(campaign, election),
        },
    )


@require_safe
@requires("primaries.view_staff_pages")
def paper_voters_csv(request, slug):
    """The members who voted on paper since the day of the last VOID (the roll CSV's columns),
    for the credential authority's `bastau-ca void`. IINs masked for those who may not see them;
    audited (personal data)."""
    access = permissions.campaign_access(request.scope, slug, "manage")
    campaign = access.campaign
    election = E2EElection.objects.filter(campaign=campaign).first()
    if not campaign.encrypted or election is None:
        raise Http404
    masked = not members_permissions.see_personal_data(access.scope)
    since = encrypted.last_void_day(election)
    qs = encrypted.paper_voters(campaign, since)
    audit.record(
        request.user,
        "primaries.e2e_paper_voters_exported",
        campaign,
        branch=campaign.branch,
        request=request,
        data={"since": since.isoformat() if since else "", "masked": masked},
    )

    def rows():
        for entry in qs.iterator(chunk_size=2000):
            m = entry.member
            yield [
                entry.contest.code,
                m.pk,
                mask(m.iin) if masked else m.iin,
                spreadsheet_safe(m.last_name),
                spreadsheet_safe(m.first_name),
                spreadsheet_safe(m.patronymic),
                m.poo.code,
                spreadsheet_safe(m.poo.name),
            ]

    return csv_response(ROLL_COLUMNS, rows(), f"bastau-paper-voters-{campaign.slug}.csv")


@require_http_methods(["GET", "POST"])
@requires("primaries.act_as_trustee")
def trustee(request, slug):
    campaign = get_object_or_404(permissions.visible_campaigns(request.scope), slug=slug)
    me = permissions.trustee_of(request.scope, campaign)
    if me is None:
        raise PermissionDenied
    election = me.election
    action = request.POST.get("action") if request.method == "POST" else None
    form = UploadForm(request.POST or None, request.FILES or None)
    if action in ("ceremony", "share") and form.is_valid():
        data = form.cleaned_data["file"]
        try:
            if action == "ceremony":
                encrypted.add_ceremony_message(election, me, data)
                step = encrypted.uploaded_step(data)
                messages.success(
                    request,
                    _("Your ceremony file is in (%(step)s).")
                    % {"step": e2e_messages.ceremony_object(step)},
                )
            else:
                encrypted.add_share(election, data)
                messages.success(request, _("Your decryption share verifies and is on the record."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("primaries:trustee", slug)
    return render(
        request,
        "primaries/public/trustee.html",
        {"campaign": campaign, "me": me, "form": form, **_status(campaign, election)},
    )


@require_safe
def ceremony_json(request, slug):
    campaign = get_object_or_404(permissions.visible_campaigns(request.scope), slug=slug)
    election = E2EElection.objects.filter(campaign=campaign).first()
    if not campaign.encrypted or election is None:
        raise Http404
    # Canonical JSON, byte for byte: the board is what `bastau-trustee` reads, and it refuses
    # any other form of the same JSON.
    response = HttpResponse(
        canonical.dumps(encrypted.ceremony_board(election)) + b"\n",
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-ceremony.json"'
    return response
