"""Forms of the organisers' and election commission's pages.

The paper-ballot form parses what a commission member types from a pile of paper: one voter
per line (member number or IIN) and one ballot per line (candidate numbers), with a "× N"
suffix for a stack of identical ballots.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bastau.core.forms import DateInput
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch, PrimaryOrganization

from .. import services
from ..models import (
    Campaign,
    Candidate,
    CommissionMember,
    Contest,
    PaperBatch,
    Participation,
    VoterRollEntry,
)

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PAPER_LINES = 5000
#: Slugs that would collide with the primaries' own addresses (/primaries/manage/ ...).
RESERVED_SLUGS = {"manage", "new"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PrettyJSONField(forms.JSONField):
    """A JSON field that shows its value indented, so a rule set is readable in the textarea."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value in (None, "", {}):
            return ""
        return json.dumps(value, ensure_ascii=False, indent=2)


# Campaigns ---------------------------------------------------------------------------------
class CampaignForm(forms.ModelForm):
    custom_rules = PrettyJSONField(
        label=_("Custom rule set (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            'Only for "Custom rule set". For example: {"id": "branch-2026", "groups": '
            '[{"id": "women", "min_share": 30, "predicate": {"kind": "woman"}}, '
            '{"id": "youth", "min_share": 20, "predicate": {"kind": "youth", "age_below": 35}}]}'
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "kind",
            "branch",
            "title",
            "slug",
            "maslikhat",
            "nomination_starts",
            "nomination_ends",
            "registration_ends",
            "voting_starts",
            "voting_ends",
            "results_date",
            "complaints_end",
            "choose_up_to",
            "list_length",
            "quota_rules",
            "custom_rules",
            "prefix_mode",
            "reference_date",
            "tie_break_seed",
            "encrypted",
        ]
        widgets = {
            "nomination_starts": DateInput(),
            "nomination_ends": DateInput(),
            "registration_ends": DateInput(),
            "voting_starts": DateTimeInput(),
            "voting_ends": DateTimeInput(),
            "results_date": DateInput(),
            "complaints_end": DateInput(),
            "reference_date": DateInput(),
        }
        help_texts = {
            "slug": _("Latin letters, digits and hyphens; part of the public address and board."),
            "choose_up_to": _("How many candidates a voter may mark (1 or more)."),
            "list_length": _("Places on each list; 0 for a rating without a list."),
            "tie_break_seed": _(
                "Published before voting; equal votes are ordered by a lot drawn from it. "
                "Empty: by registration order."
            ),
        }

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches.order_by("kind", "name")
        self.fields["choose_up_to"].min_value = 1
        self.fields["choose_up_to"].widget.attrs["min"] = 1
        self.rules_locked = bool(self.instance.pk) and services.rules_locked(self.instance)
        if self.instance.pk:
            self.fields["branch"].disabled = True
            self.fields["branch"].help_text = _("The scope of a campaign does not change.")
        if self.rules_locked:
            for name in services.RULE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", slug):
            raise forms.ValidationError(_("Start the slug with a letter or a digit."))
        if slug.lower() in RESERVED_SLUGS:
            raise forms.ValidationError(_("This slug is reserved; choose another."))
        return slug

    def clean_choose_up_to(self):
        value = self.cleaned_data["choose_up_to"]
        if value < 1:
            raise forms.ValidationError(_("A voter must be able to choose at least one."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("quota_rules") == Campaign.Rules.CUSTOM and "custom_rules" in data:
            error = services.custom_rules_error(data.get("custom_rules"))
            if error:
                self.add_error("custom_rules", error)
        if data.get("custom_rules") is None:
            data["custom_rules"] = {}
        pairs = [
            ("nomination_starts", "nomination_ends"),
            ("nomination_ends", "registration_ends"),
            ("voting_starts", "voting_ends"),
            ("results_date", "complaints_end"),
        ]
        for first, second in pairs:
            a, b = data.get(first), data.get(second)
            if a and b and b < a:
                self.add_error(
                    second,
                    _("This date is before “%(other)s”.") % {"other": self.fields[first].label},
                )
        return data


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = ["code", "title", "branch", "list_length"]
        help_texts = {
            "code": _("A short name in Latin letters, e.g. alga or city."),
            "branch": _(
                "Members of this branch vote on this list; members of branches with no list "
                "of their own vote on the list whose voters come from the campaign's branch."
            ),
        }

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        branches = Branch.objects.filter(pk=campaign.branch_id)
        if campaign.branch.kind == Branch.Kind.REGION:
            branches = Branch.objects.all()
        self.fields["branch"].queryset = branches.order_by("kind", "name")

    def clean(self):
        data = super().clean()
        others = Contest.objects.filter(campaign=self.campaign).exclude(pk=self.instance.pk)
        if data.get("code") and others.filter(code=data["code"]).exists():
            self.add_error("code", _("Another list of this campaign has this code."))
        if data.get("branch") and others.filter(branch=data["branch"]).exists():
            self.add_error("branch", _("Another list of this campaign takes voters from here."))
        return data


class CommissionForm(forms.Form):
    who = forms.CharField(
        label=_("User: login name or the member's IIN"),
        max_length=150,
        help_text=_("The person must have an account in Bastau."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=CommissionMember.Role.choices)

    def __init__(self, *args, scope, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.campaign = campaign

    def clean_who(self):
        text = self.cleaned_data["who"].strip()
        users = get_user_model().objects.filter(is_active=True)
        if re.fullmatch(r"\d{12}", text):
            found = users.filter(member__iin=text).first()
        else:
            found = users.filter(username=text).first()
        # Only people the organiser's scope reaches: members of the campaign's branch, or
        # staff of branches the organiser may see.
        if found is not None and not self.scope.is_regional_admin:
            member_here = services.members_in_scope(self.campaign).filter(pk=found.member_id)
            staff_here = structure_permissions.branches(self.scope).filter(pk=found.branch_id)
            if not (member_here.exists() or (found.branch_id and staff_here.exists())):
                found = None
        if found is None:
            raise forms.ValidationError(_("No user with this login name or IIN in your scope."))
        return found


# Candidates --------------------------------------------------------------------------------
class CandidateFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("standing", _("Standing"))] + Candidate.Status.choices,
    )
    nomination = forms.ChoiceField(
        label=_("Nomination"),
        required=False,
        choices=[("", _("All")), *Candidate.Nomination.choices],
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("All")), ("F", _("Women")), ("M", _("Men"))]
    )
    youth = forms.BooleanField(label=_("Youth only"), required=False)
    contest = forms.ChoiceField(label=_("List"), required=False)

    def __init__(self, *args, contests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contest"].choices = [("", _("All"))] + [(c.code, c.title) for c in contests]
        if len(contests) < 2:
            self.fields["contest"].widget = forms.HiddenInput()


class NominateForm(forms.Form):
    member = forms.CharField(
        label=_("Member: IIN or number"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Type the IIN, or find the member by name below and choose them."),
    )
    nomination = forms.ChoiceField(
        label=_("Nomination"),
        choices=Candidate.Nomination.choices,
        initial=Candidate.Nomination.POO,
        widget=forms.RadioSelect,
    )
    nominating_poo = forms.ModelChoiceField(
        label=_("Nominating primary organization"),
        queryset=PrimaryOrganization.objects.none(),
        required=False,
    )
    poo_decision_date = forms.DateField(
        label=_("POO meeting date"), required=False, widget=DateInput()
    )
    poo_protocol_number = forms.CharField(label=_("Protocol number"), max_length=40, required=False)
    contest = forms.ModelChoiceField(
        label=_("List"),
        queryset=Contest.objects.none(),
        required=False,
        help_text=_("Empty: the list of the member's own branch."),
    )

    def __init__(self, *args, members, poos, contests, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["nominating_poo"].queryset = poos
        self.fields["contest"].queryset = contests
        if contests.count() < 2:
            del self.fields["contest"]

    def clean_member(self):
        text = self.cleaned_data["member"].strip()
        if not text.isdigit():
            raise forms.ValidationError(_("Type the IIN (12 digits) or the member's number."))
        lookup = {"iin": text} if len(text) == 12 else {"pk": int(text)}
        member = self.members.select_related("poo").filter(**lookup).first()
        if member is None:
            raise forms.ValidationError(
                _("No active member of the campaign's branch in your scope has this IIN.")
            )
        return member

    def clean(self):
        data = super().clean()
        if data.get("nomination") == Candidate.Nomination.POO:
            for name in ("nominating_poo", "poo_decision_date", "poo_protocol_number"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("A POO nomination needs this."))
        else:
            data["nominating_poo"] = None
            data["poo_decision_date"] = None
            data["poo_protocol_number"] = ""
        return data


class CandidateStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Candidate.Status.REGISTERED, _("Register")),
            (Candidate.Status.REJECTED, _("Refuse registration")),
            (Candidate.Status.WITHDRAWN, _("Withdraw")),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == Candidate.Status.REJECTED and not data.get("reason"):
            self.add_error("reason", _("Give the reason for refusing registration."))
        return data


class CandidateProfileForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["photo", "biography", "program"]
        widgets = {
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "biography": forms.Textarea(attrs={"rows": 8}),
            "program": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {"photo": _("JPEG, PNG or WebP, at most 5 MB.")}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or "photo" not in self.changed_data:
            return photo
        if photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB."))
        image = getattr(photo, "image", None)  # set by ImageField once Pillow has read it
        extension = PHOTO_FORMATS.get(getattr(image, "format", None))
        if extension is None:
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP image."))
        # A name of our own: the uploaded file's name says nothing we want to keep.
        number = self.instance.number
        photo.name = f"{self.instance.campaign.slug}-{number}.{extension}"
        return photo


# Paper ballots -----------------------------------------------------------------------------
_REPEAT = re.compile(r"^(?P<body>.*?)\s*[*×xXхХ]\s*(?P<count>\d+)\s*$")
_BLANK = {"", "-", "–", "—", "0"}


def parse_voter_lines(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """(line number, value) for each non-empty line, and the errors found."""
    voters, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.strip().replace(" ", "")
        if not value:
            continue
        if not value.isdigit():
            errors.append(
                _("Line %(n)s: “%(value)s” is neither a member number nor an IIN.")
                % {"n": number, "value": raw.strip()[:30]}
            )
            continue
        voters.append((number, value))
    return voters, errors


def parse_ballot_lines(text: str, numbers: set[int], choose_up_to: int):
    """The ballots typed one per line: candidate numbers separated by commas or spaces;
    a dash (or 0, or an empty line between others) for a blank ballot; "× N" (or "* N",
    "x N") at the end for N identical ballots. Returns (ballots, errors)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # a final Enter is not a blank ballot
    ballots: list[list[str]] = []
    errors: list[str] = []
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        count = 1
        repeat = _REPEAT.match(line)
        if repeat and repeat.group("body").strip():
            line, count = repeat.group("body").strip(), int(repeat.group("count"))
            if count < 1:
                errors.append(_("Line %(n)s: the count must be at least 1.") % {"n": n})
                continue
        if line in _BLANK:
            ballots.extend([] for _i in range(count))
            continue
        parts = [p for p in re.split(r"[\s,;+/]+", line) if p]
        if not all(p.isdigit() for p in parts):
            errors.append(
                _("Line %(n)s: “%(text)s” — type candidate numbers separated by commas.")
                % {"n": n, "text": raw.strip()[:40]}
            )
            continue
        chosen = [int(p) for p in parts]
        unknown = [str(c) for c in chosen if c not in numbers]
        if unknown:
            errors.append(
                ngettext(
                    "Line %(n)s: %(numbers)s is not a candidate on this list.",
                    "Line %(n)s: %(numbers)s are not candidates on this list.",
                    len(unknown),
                )
                % {"n": n, "numbers": ", ".join(unknown)}
            )
            continue
        if len(set(chosen)) != len(chosen):
            errors.append(_("Line %(n)s: a candidate is marked twice.") % {"n": n})
            continue
        if len(chosen) > choose_up_to:
            errors.append(
                ngettext(
                    "Line %(n)s: a voter may choose at most %(k)s candidate.",
                    "Line %(n)s: a voter may choose at most %(k)s candidates.",
                    choose_up_to,
                )
                % {"n": n, "k": choose_up_to}
            )
            continue
        ballot = [f"c{c}" for c in sorted(chosen)]
        ballots.extend(list(ballot) for _i in range(count))
    return ballots, errors


class PaperEntryForm(forms.Form):
    poo = forms.ModelChoiceField(
        label=_("Polling station (primary organization)"), queryset=PrimaryOrganization.objects
    )
    batch = forms.ModelChoiceField(
        label=_("Batch"),
        queryset=PaperBatch.objects.none(),
        required=False,
        empty_label=_("A new batch (first entry)"),
        help_text=_("For the second entry, choose the batch another member entered first."),
    )
    voters = forms.CharField(
        label=_("Voters who signed the list"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("One per line: the member number or the IIN."),
    )
    ballots = forms.CharField(
        label=_("Ballots"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "One ballot per line: the candidate numbers marked on it, e.g. 3, 17. "
            "A blank ballot: a dash (-). A stack of identical ballots: add × and the count, "
            "e.g. 3, 17 × 12 or - × 2."
        ),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        poos = PrimaryOrganization.objects.filter(status=PrimaryOrganization.Status.ACTIVE)
        if campaign.branch.kind != Branch.Kind.REGION:
            poos = poos.filter(branch_id=campaign.branch_id)
        self.fields["poo"].queryset = poos.order_by("name")
        self.fields["batch"].queryset = PaperBatch.objects.filter(
            campaign=campaign, status=PaperBatch.Status.AWAITING_SECOND
        ).select_related("poo")
        self.fields["batch"].label_from_instance = lambda b: (
            _("No. %(id)s — %(poo)s") % {"id": b.pk, "poo": b.poo.name}
        )
        self.voter_rows: list[dict] = []

    def clean(self):
        data = super().clean()
        poo, batch = data.get("poo"), data.get("batch")
        if poo is None or "voters" not in data:
            return data
        if batch is not None and batch.poo_id != poo.pk:
            self.add_error("batch", _("This batch is of another polling station."))
        contest = services.contest_for_poo(self.campaign, poo)
        if contest is None:
            self.add_error("poo", _("No list of this campaign covers this polling station."))
            return data
        self.contest = contest
        voters, errors = parse_voter_lines(data["voters"])
        if len(voters) > MAX_PAPER_LINES:
            errors.append(_("Enter at most %(n)s voters at a time.") % {"n": MAX_PAPER_LINES})
        ids = self._resolve_voters(voters, contest, errors)
        for error in errors:
            self.add_error("voters", error)
        numbers = set(
            contest.candidates.filter(status=Candidate.Status.REGISTERED).values_list(
                "number", flat=True
            )
        )
        ballots, errors = parse_ballot_lines(
            data.get("ballots", ""), numbers, self.campaign.choose_up_to
        )
        for error in errors:
            self.add_error("ballots", error)
        if not self.errors and len(ids) != len(ballots):
            self.add_error(
                None,
                _("%(voters)s voters signed the list but %(ballots)s ballots were typed.")
                % {"voters": len(ids), "ballots": len(ballots)},
            )
        data["voter_ids"] = ids
        data["ballot_list"] = ballots
        return data

    def _resolve_voters(self, voters, contest, errors) -> list[int]:
        """Member ids of the typed lines, looked up on this campaign's roll only (so a typed
        IIN reveals no one who is not on the roll), with each line's problem if any."""
        iins = [v for _n, v in voters if len(v) == 12]
        pks = [int(v) for _n, v in voters if len(v) != 12]
        entries = (
            VoterRollEntry.objects.filter(campaign=self.campaign)
            .filter(Q(member__iin__in=iins) | Q(member_id__in=pks))
            .select_related("member")
        )
        by_iin, by_pk, contest_of = {}, {}, {}
        for entry in entries:
            by_iin[entry.member.iin] = entry.member
            by_pk[entry.member_id] = entry.member
            contest_of[entry.member_id] = entry.contest_id
        voted = set(
            Participation.objects.filter(
                campaign=self.campaign, member_id__in=list(by_pk)
            ).values_list("member_id", flat=True)
        )
        seen: set[int] = set()
        result = []
        for n, value in voters:
            member = by_iin.get(value) if len(value) == 12 else by_pk.get(int(value))
            if member is None:
                errors.append(
                    _("Line %(n)s: %(value)s is not on the voter roll.") % {"n": n, "value": value}
                )
                continue
            problem = ""
            if member.pk in seen:
                problem = _("listed twice")
            elif contest_of[member.pk] != contest.pk:
                problem = _("on the roll of another list")
            elif member.pk in voted:
                problem = _("has already voted")
            if problem:
                errors.append(
                    _("Line %(n)s: %(name)s — %(problem)s.")
                    % {"n": n, "name": member.full_name, "problem": problem}
                )
            seen.add(member.pk)
            self.voter_rows.append({"line": n, "member": member, "problem": problem})
            result.append(member.pk)
        return result
