"""Forms of the contests, awards and commissions pages. They collect and type the input;
every write goes through `recognition/services.py`, whose `ValidationError`s are put back on
the form (`bastau.core.forms.apply_errors`)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from bastau.accounts.models import User
from bastau.core.widgets import Autocomplete
from bastau.members.models import Member
from bastau.structure.models import Branch, PrimaryOrganization

from ..models import Award, Commission, CommissionMembership, Contest, ContestEntry, Meeting
from . import services as recognition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE, **kwargs)


# Contests ------------------------------------------------------------------------------------
class ContestForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Organizer"), queryset=Branch.objects.none())
    name = forms.CharField(label=_("Name"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    rules = forms.CharField(
        label=_("Rules"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    entries_until = _date(_("Entries accepted until"), required=False)
    advance_per_district = forms.IntegerField(
        label=_("Finalists per district"), min_value=1, max_value=100, initial=1
    )
    winners_count = forms.IntegerField(
        label=_("Number of winners"), min_value=1, max_value=100, initial=3
    )
    criteria = forms.CharField(
        label=_("Criteria"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One criterion a line: name; weight; maximum points (for example "
            "«Growth of membership; 2; 10»). The maximum is 10 when left out."
        ),
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches

    def clean_criteria(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) not in (2, 3):
                raise forms.ValidationError(
                    _("Line %(n)s: write «name; weight; maximum points».") % {"n": n}
                )
            max_points = 10
            if len(parts) == 3:
                if not parts[2].isdigit():
                    raise forms.ValidationError(
                        _("Line %(n)s: the maximum points must be a whole number.") % {"n": n}
                    )
                max_points = int(parts[2])
            rows.append(
                {"name": parts[0], "weight": parts[1].replace(",", "."), "max_points": max_points}
            )
        if not rows:
            raise forms.ValidationError(_("A contest needs at least one criterion."))
        return rows


class JurorForm(forms.Form):
    username = forms.CharField(
        label=_("Juror's login"),
        max_length=150,
        help_text=_("The login of the person's account in Bastau."),
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Contest.Stage.choices)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name"),
        required=False,
        help_text=_("For the district stage: the district whose entries this juror scores."),
    )

    def clean_username(self):
        user = User.objects.filter(
            username=self.cleaned_data["username"].strip(), is_active=True
        ).first()
        if user is None:
            raise forms.ValidationError(_("No active account with this login."))
        return user


class EntryForm(forms.Form):
    poo = forms.ModelChoiceField(
        label=_("Primary organization"), queryset=PrimaryOrganization.objects.none()
    )
    description = forms.CharField(
        label=_("About the entry"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the organization did this year: events, growth, initiatives."),
    )

    def __init__(self, *args, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poos is not None:
            self.fields["poo"].queryset = poos


def score_field_name(entry_id: int, criterion_id: int) -> str:
    return f"s-{entry_id}-{criterion_id}"


class ScoreSheetForm(forms.Form):
    """One field a cell: entries × criteria; a blank cell is not scored yet."""

    def __init__(self, *args, entries, criteria, marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        marks = marks or {}
        self.rows = []
        for entry in entries:
            cells = []
            for c in criteria:
                name = score_field_name(entry.pk, c.pk)
                self.fields[name] = forms.DecimalField(
                    label=f"{entry.poo.name}: {c.name}",
                    required=False,
                    max_digits=5,
                    decimal_places=2,
                    validators=[MinValueValidator(Decimal(0)), MaxValueValidator(c.max_points)],
                    initial=marks.get((entry.pk, c.pk)),
                    widget=forms.NumberInput(
                        attrs={
                            "min": 0,
                            "max": c.max_points,
                            "step": "0.01",
                            "inputmode": "decimal",
                        }
                    ),
                )
                cells.append(self[name])
            self.rows.append((entry, cells))
        self.keys = {score_field_name(e.pk, c.pk): (e.pk, c.pk) for e in entries for c in criteria}

    def points(self) -> dict:
        return {key: self.cleaned_data.get(name) for name, key in self.keys.items()}


class AwardWinnersForm(forms.Form):
    kind = forms.ChoiceField(label=_("Award"), choices=Award.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    awarded_on = _date(_("Awarded on"))
    occasion = forms.CharField(
        label=_("Occasion"),
        max_length=500,
        required=False,
        help_text=_("Left blank: the contest and the place."),
    )


# Awards --------------------------------------------------------------------------------------
RECIPIENT_CHOICES = [
    ("", _("Any")),
    (recognition.RECIPIENT_MEMBER, _("Members")),
    (recognition.RECIPIENT_POO, _("Primary organizations")),
]


class AwardFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Award"), required=False, choices=[("", _("Any")), *Award.Kind.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=Branch.objects.none(), required=False
    )
    recipient = forms.ChoiceField(label=_("Recipient"), required=False, choices=RECIPIENT_CHOICES)
    veterans = forms.BooleanField(label=_("Veterans only"), required=False)

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.fields["district"].queryset = districts

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "year": d["year"],
            "district": d["district"],
            "recipient": d["recipient"],
            "veterans": d["veterans"],
        }


class PooChoiceForm(forms.Form):
    """The first step of giving an award: the organization (or one of its members)."""

    poo = forms.ModelChoiceField(
        label=_("Primary organization"), queryset=PrimaryOrganization.objects.none()
    )

    def __init__(self, *args, poos=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poos is not None:
            self.fields["poo"].queryset = poos


class AwardForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Recipient"))
    kind = forms.ChoiceField(label=_("Award"), choices=Award.Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("The award's own name, if any (required for «Other award»)."),
    )
    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    awarded_on = _date(_("Awarded on"))
    occasion = forms.CharField(label=_("Occasion"), max_length=500, required=False)
    branch = forms.ModelChoiceField(label=_("Awarded by"), queryset=Branch.objects.none())
    meeting = forms.ModelChoiceField(
        label=_("At the meeting"), queryset=Meeting.objects.none(), required=False
    )
    contest_entry = forms.ModelChoiceField(
        label=_("For the contest entry"),
        queryset=ContestEntry.objects.none(),
        required=False,
    )

    def __init__(self, *args, poo, members, branches, meetings, entries, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (recognition.RECIPIENT_POO, _("The organization itself: %(poo)s") % {"poo": poo.name})
        ]
        for m in members:
            label = m.full_name + (" — " + str(_("veteran")) if m.is_veteran else "")
            choices.append((f"{recognition.RECIPIENT_MEMBER}-{m.pk}", label))
        self.fields["recipient"].choices = choices
        self.members = {f"{recognition.RECIPIENT_MEMBER}-{m.pk}": m for m in members}
        self.fields["branch"].queryset = branches
        self.fields["meeting"].queryset = meetings
        self.fields["contest_entry"].queryset = entries
        self.fields["contest_entry"].label_from_instance = lambda e: str(e.contest)
        self.poo = poo

    def recipient_kwargs(self) -> dict:
        value = self.cleaned_data["recipient"]
        if value == recognition.RECIPIENT_POO:
            return {"poo": self.poo}
        return {"member": self.members[value]}


# Commissions ---------------------------------------------------------------------------------
class CommissionForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Commission.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=300)
    term_start = _date(_("Term starts"))
    term_end = _date(_("Term ends"), required=False)
    description = forms.CharField(
        label=_("Remit"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches


class SeatForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Party member"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Search by name, IIN or party card number."),
        widget=Autocomplete("accounts:pick_member"),
    )
    name = forms.CharField(
        label=_("Or the name of a person who is not a member"), max_length=200, required=False
    )
    position = forms.CharField(label=_("Position held"), max_length=300, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CommissionMembership.Role.choices,
        initial=CommissionMembership.Role.MEMBER,
    )
    since = _date(_("Since"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members
            self.fields["member"].label_from_instance = lambda m: f"{m.full_name} ({m.poo.name})"


class EndSeatForm(forms.Form):
    until = _date(_("Last day on the commission"))


class SessionForm(forms.Form):
    date = _date(_("Date"))
    number = forms.CharField(label=_("Protocol number"), max_length=40, required=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    present = forms.IntegerField(
        label=_("Members present"), required=False, min_value=0, max_value=1000
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One decision a line; they are numbered in this order."),
    )

    def clean_decisions(self):
        lines = [x.strip() for x in self.cleaned_data["decisions"].splitlines() if x.strip()]
        if not lines:
            raise forms.ValidationError(_("Record at least one decision."))
        return lines


class CriteriaForm(forms.Form):
    """The criteria of an announced contest, in the announcing form's format."""

    criteria = ContestForm.base_fields["criteria"]
    clean_criteria = ContestForm.clean_criteria


# Editors -------------------------------------------------------------------------------------
class AwardEditForm(AwardForm):
    """An award's details; the recipient stays (a wrong recipient: delete, give again)."""

    def __init__(self, *args, poo, branches, meetings, entries, **kwargs):
        super().__init__(
            *args,
            poo=poo,
            members=[],
            branches=branches,
            meetings=meetings,
            entries=entries,
            **kwargs,
        )
        del self.fields["recipient"]


class CommissionEditForm(CommissionForm):
    """A commission's kind, name, term and remit; its branch stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["branch"]
        self.fields["term_end"].help_text = _(
            "To dissolve the commission, enter the last day of its work."
        )


class SeatEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position held"), max_length=300, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=CommissionMembership.Role.choices)
    since = _date(_("Since"))
    until = _date(
        _("Last day on the commission"),
        required=False,
        help_text=_("Empty while the person sits on the commission."),
    )

    def __init__(self, *args, outsider: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not outsider:  # a party member's seat: the name is the member's record
            del self.fields["name"]


class DeleteForm(forms.Form):
    """The confirmation of a deletion, with an optional reason kept in the history."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        required=False,
        help_text=_("Kept in the history with the deletion, for example «entered twice»."),
    )
