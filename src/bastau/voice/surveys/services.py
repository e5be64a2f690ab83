"""The surveys' actions (every write that matters) and the reads the pages share.

- building: `create_survey`, `update_survey`, `add_question`, `remove_question`,
  `set_invitees`, `open_survey`, `close_survey`;
- answering: `submit_member_answer` (one answer per member, enforced by the database) and
  `submit_public_answer`; both check the answers with the pure `rules.check`, write the
  response, its answers and the tallies in one transaction, and write nothing on a problem;
- distribution: `send_messages` (invitations and reminders by email and SMS, run as a task);
- results: `results`, `rates`, `respondents_by`, `export_rows`, `identified_responses`
  (audited), topics (`create_topic`, `tag_answers`).

Every function that needs the date takes `today`; only views, tasks and commands read the clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bastau.core import audit
from bastau.core.sms import send_sms
from bastau.lib.dates import born_after_for_age_below
from bastau.members.models import Member
from bastau.structure.models import Branch, PrimaryOrganization

from . import permissions as perms
from . import rules
from .models import (
    Answer,
    Invitee,
    Option,
    Participation,
    Question,
    Response,
    Survey,
    SurveyTopic,
    Tally,
)

log = logging.getLogger(__name__)

#: What the answer checks say, by problem code of `rules.check`.
PROBLEMS = {
    "required": gettext_lazy("Answer this question."),
    "unknown_option": gettext_lazy("Choose one of the options offered."),
    "one_only": gettext_lazy("Choose only one option."),
    "too_long": gettext_lazy("The answer is too long: at most %(max)s characters."),
    "bad_text": gettext_lazy("The answer contains characters that cannot be stored."),
    "not_a_number": gettext_lazy("Enter a whole number."),
    "out_of_range": gettext_lazy("Enter a number from %(min)s to %(max)s."),
    "unknown_kind": gettext_lazy("This question cannot be answered."),
}
DEFINITION_PROBLEMS = {
    "unknown_kind": gettext_lazy("Unknown question type."),
    "few_options": gettext_lazy("A choice question needs at least two options."),
    "bad_scale": gettext_lazy("A scale runs from a smaller to a larger number, at most 10 apart."),
    "condition_order": gettext_lazy("A condition can only refer to an earlier question."),
    "condition_option": gettext_lazy("The condition names an option the question does not have."),
}
AGE_GROUP_LABELS = {code: code for code in rules.AGE_GROUP_CODES}
SEX_LABELS = {"M": gettext_lazy("Male"), "F": gettext_lazy("Female")}


def already_answered_message() -> str:
    return _(
        "You have already answered this survey. It takes one answer from each member; your "
        "first answer stands and nothing was changed."
    )


# Building ----------------------------------------------------------------------------------
SURVEY_FIELDS = (
    "title",
    "title_ru",
    "intro",
    "intro_ru",
    "branch",
    "poo",
    "audience",
    "youth_age_limit",
    "anonymous",
    "opens_on",
    "closes_on",
    "public_results",
    "remind_every",
)


def _check_survey(scope, data: dict) -> None:
    branch = data.get("branch")
    if branch is None or (
        not scope.is_regional_admin and branch.pk != getattr(scope.user, "branch_id", None)
    ):
        raise ValidationError({"branch": _("You can run surveys of your own branch only.")})
    poo = data.get("poo")
    if poo is not None and branch.kind != Branch.Kind.REGION and poo.branch_id != branch.pk:
        raise ValidationError({"poo": _("The POO is not in the survey's branch.")})
    if data["closes_on"] < data["opens_on"]:
        raise ValidationError({"closes_on": _("The survey closes before it opens.")})


@transaction.atomic
def create_survey(scope, data: dict, *, today: dt.date, request=None) -> Survey:
    scope.require(perms.manage_surveys(scope))
    _check_survey(scope, data)
    survey = Survey.objects.create(
        **{k: data[k] for k in SURVEY_FIELDS if k in data},
        created_by=scope.user,
        created_on=today,
    )
    audit.record(scope.user, "survey.created", survey, branch=survey.branch, request=request)
    return survey


@transaction.atomic
def update_survey(scope, survey: Survey, data: dict, request=None) -> Survey:
    scope.require(perms.can_edit(scope, survey))
    _check_survey(scope, data)
    if survey.responses_count and (
        data.get("anonymous") != survey.anonymous or data.get("audience") != survey.audience
    ):
        raise ValidationError(
            _("The audience and anonymity cannot change once answers have come in.")
        )
    for name in SURVEY_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.save()
    audit.record(scope.user, "survey.updated", survey, branch=survey.branch, request=request)
    return survey


def _profile_options(kind: str) -> list[tuple[str, str, str]]:
    if kind == rules.DISTRICT:
        branches = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
        return [(str(b.pk), b.name, b.name_ru or b.name) for b in branches]
    if kind == rules.AGE_GROUP:
        return [(code, code, code) for code in rules.AGE_GROUP_CODES]
    if kind == rules.SEX:
        return [("M", "Ер", "Мужской"), ("F", "Әйел", "Женский")]
    return []


def parse_options(text: str) -> list[tuple[str, str]]:
    """Option lines "Kazakh | Russian" (one a line) into (kk, ru) pairs."""
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        kk, _sep, ru = line.partition("|")
        kk, ru = kk.strip(), ru.strip()
        if not kk or not ru:
            raise ValidationError(
                {"options": _("Write each option as “Kazakh | Russian”, one a line.")}
            )
        pairs.append((kk[:300], ru[:300]))
    return pairs


@transaction.atomic
def add_question(scope, survey: Survey, data: dict, request=None) -> Question:
    """Append a question (with its options) to a draft survey; the questionnaire as a whole
    must stay valid (`rules.check_definition`)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    scope.require(perms.can_edit(scope, survey))
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Questions can be changed only while the survey is a draft."))
    kind = data["kind"]
    if kind in (rules.SINGLE, rules.MULTIPLE):
        options = [(str(i), kk, ru) for i, (kk, ru) in enumerate(data.get("options_list", []), 1)]
    else:
        options = _profile_options(kind)
    condition = data.get("show_if")  # (question, code) or None
    position = (survey.questions.aggregate(m=models_max())["m"] or 0) + 1
    question = Question(
        survey=survey,
        position=position,
        kind=kind,
        text=data["text"],
        text_ru=data["text_ru"],
        required=data.get("required", True),
        scale_min=data.get("scale_min") or 1,
        scale_max=data.get("scale_max") or 5,
        number_min=data.get("number_min"),
        number_max=data.get("number_max"),
        show_if_question=condition[0] if condition else None,
        show_if_codes=[condition[1]] if condition else [],
    )
    draft = [*specs(survey), _spec(question, [code for code, _kk, _ru in options], key="new")]
    problems = rules.check_definition(draft)
    if problems:
        raise ValidationError([str(DEFINITION_PROBLEMS[code]) for _key, code in problems])
    question.save()
    Option.objects.bulk_create(
        Option(question=question, code=code, position=i, text=kk, text_ru=ru)
        for i, (code, kk, ru) in enumerate(options, 1)
    )
    audit.record(scope.user, "survey.question_added", survey, branch=survey.branch, request=request)
    return question


def models_max():
    from django.db.models import Max

    return Max("position")


@transaction.atomic
def remove_question(scope, question: Question, request=None) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    scope.require(perms.can_edit(scope, survey))
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Questions can be changed only while the survey is a draft."))
    Question.objects.filter(show_if_question=question).update(
        show_if_question=None, show_if_codes=[]
    )
    question.delete()
    audit.record(scope.user, "survey.question_removed", survey, branch=survey.branch)


@transaction.atomic
def set_invitees(scope, survey: Survey, iins: list[str], request=None) -> int:
    """The named list: members found by IIN among the members the user may see."""
    from bastau.members import services as member_services

    scope.require(perms.can_edit(scope, survey))
    found = dict(
        member_services.active_members(scope).filter(iin__in=iins).values_list("iin", "pk")
    )
    missing = [iin for iin in iins if iin not in found]
    if missing:
        raise ValidationError(
            {
                "iins": _("No member with these IINs in your scope: %(list)s")
                % {"list": ", ".join(missing[:10])}
            }
        )
    Invitee.objects.filter(survey=survey).delete()
    Invitee.objects.bulk_create(Invitee(survey=survey, member_id=pk) for pk in found.values())
    audit.record(
        scope.user, "survey.invitees_set", survey, branch=survey.branch, data={"count": len(found)}
    )
    return len(found)


@transaction.atomic
def open_survey(scope, survey: Survey, request=None) -> Survey:
    scope.require(perms.can_edit(scope, survey))
    questions = specs(survey)
    if not questions:
        raise ValidationError(_("Add at least one question before opening the survey."))
    problems = rules.check_definition(questions)
    if problems:
        raise ValidationError([str(DEFINITION_PROBLEMS[code]) for _key, code in problems])
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status"])
    audit.record(scope.user, "survey.opened", survey, branch=survey.branch, request=request)
    return survey


@transaction.atomic
def close_survey(scope, survey: Survey, request=None) -> Survey:
    scope.require(perms.can_edit(scope, survey))
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    audit.record(scope.user, "survey.closed", survey, branch=survey.branch, request=request)
    return survey


# The questionnaire -------------------------------------------------------------------------
def _spec(question: Question, codes: list[str], key: str | None = None) -> rules.QuestionSpec:
    show_if = None
    if question.show_if_question_id:
        show_if = (f"q{question.show_if_question_id}", tuple(question.show_if_codes))
    return rules.QuestionSpec(
        key=key or question.key,
        kind=question.kind,
        required=question.required,
        options=tuple(codes),
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        number_min=question.number_min,
        number_max=question.number_max,
        show_if=show_if,
    )


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options").order_by("position"))


def specs(survey: Survey, questions: list[Question] | None = None) -> list[rules.QuestionSpec]:
    questions = questions_of(survey) if questions is None else questions
    return [_spec(q, [o.code for o in q.options.all()]) for q in questions]


def for_members(questions: list[Question]) -> list[Question]:
    """A member's form leaves out the profile questions: district, age group and sex come
    from the member record."""
    return [q for q in questions if q.kind not in rules.PROFILE_KINDS]


# Audiences ---------------------------------------------------------------------------------
def audience_members(survey: Survey) -> QuerySet:
    """The members a member-audience survey is for (none for the public)."""
    qs = Member.objects.filter(status=Member.Status.ACTIVE)
    if survey.audience == Survey.Audience.NAMED:
        return qs.filter(pk__in=Invitee.objects.filter(survey=survey).values("member_id"))
    if survey.audience not in (Survey.Audience.MEMBERS, Survey.Audience.YOUTH):
        return qs.none()
    if survey.poo_id:
        qs = qs.filter(poo_id=survey.poo_id)
    elif survey.branch.kind != Branch.Kind.REGION:
        qs = qs.filter(poo__branch_id=survey.branch_id)
    if survey.audience == Survey.Audience.YOUTH:
        cutoff = born_after_for_age_below(survey.youth_age_limit, survey.opens_on)
        qs = qs.filter(birth_date__gt=cutoff)
    return qs


def open_for_member(member_id: int, today: dt.date) -> list[Survey]:
    """Open surveys whose audience includes the member, each with `answered` set."""
    member = Member.objects.select_related("poo").get(pk=member_id)
    candidates = (
        Survey.objects.filter(status=Survey.Status.OPEN, opens_on__lte=today, closes_on__gte=today)
        .exclude(audience=Survey.Audience.PUBLIC)
        .select_related("branch")
    )
    found = [s for s in candidates if audience_members(s).filter(pk=member.pk).exists()]
    answered = set(
        Participation.objects.filter(member=member, survey__in=found).values_list(
            "survey_id", flat=True
        )
    )
    for s in found:
        s.answered = s.pk in answered
    return found


def in_audience(survey: Survey, member_id: int | None) -> bool:
    return bool(member_id) and audience_members(survey).filter(pk=member_id).exists()


# Answering ---------------------------------------------------------------------------------
def _problems_error(problems) -> ValidationError:
    errors: dict[str, list[str]] = defaultdict(list)
    for key, code, params in problems:
        errors[key].append(str(PROBLEMS[code]) % params if params else str(PROBLEMS[code]))
    return ValidationError(dict(errors))


@dataclass
class _Profile:
    district_id: int | None
    age_group: str
    sex: str


def _write(
    survey,
    questions,
    answers: dict,
    profile: _Profile,
    channel,
    *,
    respondent=None,
    consent_on=None,
) -> Response:
    response = Response.objects.create(
        survey=survey,
        channel=channel,
        district_id=profile.district_id,
        age_group=profile.age_group,
        sex=profile.sex,
        respondent=respondent,
        consent_on=consent_on,
    )
    rows: list[Answer] = []
    bumps: dict[str, list] = {}

    def bump(question_id, choice, number=0):
        slot = Tally.make_slot(
            question_id, choice, profile.district_id, profile.age_group, profile.sex
        )
        entry = bumps.setdefault(slot, [question_id, choice, 0, 0])
        entry[2] += 1
        entry[3] += number

    bump(None, "")
    for q in questions:
        value = answers.get(q.key)
        if value is None:
            continue
        options = {o.code: o for o in q.options.all()}
        if q.kind in rules.CHOICE_KINDS:
            for code in value if isinstance(value, list) else [value]:
                rows.append(Answer(response=response, question=q, option=options[code]))
                bump(q.pk, code)
        elif q.kind == rules.SCALE:
            rows.append(Answer(response=response, question=q, number=value))
            bump(q.pk, str(value))
        elif q.kind == rules.NUMBER:
            rows.append(Answer(response=response, question=q, number=value))
            bump(q.pk, "", value)
        else:
            rows.append(Answer(response=response, question=q, text=value))
            bump(q.pk, "")
    Answer.objects.bulk_create(rows)
    _add_to_tally(survey, profile, bumps)
    Survey.objects.filter(pk=survey.pk).update(responses_count=F("responses_count") + 1)
    return response


def _add_to_tally(survey, profile: _Profile, bumps: dict[str, list]) -> None:
    """Add the counts in the caller's transaction: an UPDATE for the slots that exist, an
    INSERT for the new ones (a concurrent INSERT of the same slot is retried as an UPDATE)."""
    existing = set(
        Tally.objects.filter(survey=survey, slot__in=list(bumps)).values_list("slot", flat=True)
    )
    for slot, (question_id, choice, count, total) in bumps.items():
        if slot in existing:
            Tally.objects.filter(survey=survey, slot=slot).update(
                count=F("count") + count, total=F("total") + total
            )
            continue
        try:
            with transaction.atomic():
                Tally.objects.create(
                    survey=survey,
                    question_id=question_id,
                    choice=choice,
                    district_id=profile.district_id,
                    age_group=profile.age_group,
                    sex=profile.sex,
                    slot=slot,
                    count=count,
                    total=total,
                )
        except IntegrityError:
            Tally.objects.filter(survey=survey, slot=slot).update(
                count=F("count") + count, total=F("total") + total
            )


def submit_member_answer(
    scope, survey: Survey, raw: dict, *, today: dt.date, consent: bool = False
) -> Response:
    """A member's answer. Anonymous: the participation mark and the response share nothing.
    Identified: the response names the member and the day of their consent. A second answer
    is refused by the database's unique constraint and changes nothing."""
    member_id = scope.user.member_id if scope.user.is_authenticated else None
    if not member_id:
        raise PermissionDenied
    if not survey.is_open_on(today) or survey.is_public:
        raise ValidationError(_("This survey is not open for answers."))
    if not in_audience(survey, member_id):
        raise PermissionDenied
    questions = for_members(questions_of(survey))
    checked = rules.check(specs(survey, questions), raw)
    if not checked.ok:
        raise _problems_error(checked.problems)
    if not survey.anonymous and not consent:
        raise ValidationError(
            {"consent": _("This survey records who answered: give your consent to send it.")}
        )
    member = Member.objects.select_related("poo").get(pk=member_id)
    profile = _Profile(
        district_id=member.poo.branch_id,
        age_group=rules.age_group_of(member.birth_date, survey.opens_on),
        sex=member.sex,
    )
    try:
        with transaction.atomic():
            Participation.objects.create(
                survey=survey,
                member=member,
                district_id=member.poo.branch_id,
                poo_id=member.poo_id,
                answered_on=today,
            )
            return _write(
                survey,
                questions,
                checked.answers,
                profile,
                Response.Channel.MEMBER,
                respondent=None if survey.anonymous else member,
                consent_on=None if survey.anonymous else today,
            )
    except IntegrityError:
        raise ValidationError(already_answered_message(), code="already_answered") from None


def check_public_answer(survey: Survey, raw: dict, *, today: dt.date):
    """The checks of `submit_public_answer` alone, writing nothing: the page runs them before
    it counts an answer against the address's limit, so correcting a mistake costs none of
    the answers allowed (as the appeal form counts only appeals that pass its checks).
    Returns the questions and the clean answers; raises ValidationError on a problem."""
    if not survey.is_public or not survey.is_open_on(today):
        raise ValidationError(_("This survey is not open for answers."))
    questions = questions_of(survey)
    checked = rules.check(specs(survey, questions), raw)
    if not checked.ok:
        raise _problems_error(checked.problems)
    return questions, checked


def submit_public_answer(survey: Survey, raw: dict, *, today: dt.date) -> Response:
    """An answer through the public link (the spam traps and limits are the page's)."""
    questions, checked = check_public_answer(survey, raw, today=today)
    profile = _Profile(None, "", "")
    for q in questions:
        value = checked.answers.get(q.key)
        if value is None:
            continue
        if q.kind == rules.DISTRICT:
            profile.district_id = int(value)  # the option codes are the branches' ids
        elif q.kind == rules.AGE_GROUP:
            profile.age_group = value
        elif q.kind == rules.SEX:
            profile.sex = value
    with transaction.atomic():
        return _write(survey, questions, checked.answers, profile, Response.Channel.PUBLIC)


def rebuild_tally(survey: Survey) -> int:
    """Recount the tallies from the answers (the demo, the benchmark's set-up, and the test
    that the counts kept on submit are right). Returns the number of tally rows."""
    dims = ("response__district_id", "response__age_group", "response__sex")
    bumps: dict[str, Tally] = {}

    def add(question_id, choice, district_id, age_group, sex, count, total=0):
        slot = Tally.make_slot(question_id, choice, district_id, age_group, sex)
        row = bumps.get(slot)
        if row is None:
            row = bumps[slot] = Tally(
                survey=survey,
                question_id=question_id,
                choice=choice,
                district_id=district_id,
                age_group=age_group,
                sex=sex,
                slot=slot,
            )
        row.count += count
        row.total += total

    for d, a, s, n in (
        Response.objects.filter(survey=survey)
        .values_list("district_id", "age_group", "sex")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        add(None, "", d, a, s, n)
    answers = Answer.objects.filter(question__survey=survey)
    for qid, kind, code, number, d, a, s, n, total in (
        answers.values_list("question_id", "question__kind", "option__code", "number", *dims)
        .annotate(n=Count("pk"), total=Sum("number"))
        .order_by()
    ):
        if kind in rules.CHOICE_KINDS:
            add(qid, code, d, a, s, n)
        elif kind == rules.SCALE:
            add(qid, str(number), d, a, s, n)
        elif kind == rules.NUMBER:
            add(qid, "", d, a, s, n, total or 0)
        else:
            add(qid, "", d, a, s, n)
    with transaction.atomic():
        Tally.objects.filter(survey=survey).delete()
        Tally.objects.bulk_create(bumps.values(), batch_size=2000)
        Survey.objects.filter(pk=survey.pk).update(
            responses_count=Response.objects.filter(survey=survey).count()
        )
    return len(bumps)


# Results -----------------------------------------------------------------------------------
DIMENSIONS = {"district": "district_id", "age": "age_group", "sex": "sex"}


@dataclass
class Column:
    key: object
    label: str


@dataclass
class Row:
    code: str
    label: str
    total: int
    cells: list[int]
    shown_total: int | None = None
    shown_cells: list[int | None] = field(default_factory=list)
    items: list[tuple[int | None, int | None]] = field(default_factory=list)


@dataclass
class QuestionResult:
    question: Question
    rows: list[Row]
    answered: int
    mean: str = ""
    answered_cells: list[int] = field(default_factory=list)

    @property
    def top(self) -> int:
        return max((r.total for r in self.rows), default=0)


@dataclass
class Results:
    survey: Survey
    by: str
    columns: list[Column]
    respondents: Row
    questions: list[QuestionResult]

    @property
    def top_respondents(self) -> int:
        return max((n or 0 for n in self.respondents.shown_cells), default=0)

    @property
    def respondent_bars(self) -> list[tuple[Column, int | None]]:
        return list(zip(self.columns, self.respondents.shown_cells, strict=True))


def columns_for(by: str, district_id: int | None, keys: set) -> list[Column]:
    if by == "district":
        branches = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
        if district_id is not None:
            branches = branches.filter(pk=district_id)
        cols = [Column(b.pk, b.display_name) for b in branches]
    elif by == "age":
        cols = [Column(code, code) for code in rules.AGE_GROUP_CODES]
    else:
        cols = [Column(code, str(label)) for code, label in SEX_LABELS.items()]
    if any(k in (None, "") for k in keys):
        cols.append(Column(None, _("Not stated")))
    return cols


def results(
    survey: Survey, *, by: str = "district", district_id: int | None = None, public: bool = False
) -> Results:
    """The counts of every question by one dimension, from the tallies: one grouped query
    over a few thousand rows whatever the number of answers. `public` suppresses every count
    below `rules.PUBLIC_MIN_GROUP` (with a second cell where one alone would be derivable)."""
    dim = DIMENSIONS.get(by, "district_id")
    tallies = Tally.objects.filter(survey=survey)
    if district_id is not None:
        tallies = tallies.filter(district_id=district_id)
    grouped = list(
        tallies.values_list("question_id", "choice", dim)
        .annotate(n=Sum("count"), t=Sum("total"))
        .order_by()
    )
    keys = {key if key != "" else None for _q, _c, key, _n, _t in grouped}
    columns = columns_for(by, district_id, keys)
    index = {c.key: i for i, c in enumerate(columns)}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(columns))
    totals: dict[tuple, int] = defaultdict(int)
    for qid, choice, key, n, t in grouped:
        key = key if key != "" else None
        if key not in index:
            continue
        counts[(qid, choice)][index[key]] += n
        totals[(qid, choice, "sum")] += t or 0
    respondents = _row("", _("Respondents"), counts.get((None, ""), [0] * len(columns)))
    out = []
    for q in questions_of(survey):
        if q.kind == rules.TEXT:
            answered = counts.get((q.pk, ""), [0] * len(columns))
            out.append(QuestionResult(q, [], sum(answered), answered_cells=answered))
            continue
        if q.kind == rules.NUMBER:
            answered = counts.get((q.pk, ""), [0] * len(columns))
            n = sum(answered)
            total = totals.get((q.pk, "", "sum"), 0)
            mean = f"{total / n:.1f}" if n and not (public and n < rules.PUBLIC_MIN_GROUP) else ""
            out.append(QuestionResult(q, [], n, mean=mean, answered_cells=answered))
            continue
        if q.kind == rules.SCALE:
            choices = [(str(v), str(v)) for v in range(q.scale_min, q.scale_max + 1)]
        else:
            choices = [(o.code, o.display_text) for o in q.options.all()]
        rows = [
            _row(code, label, counts.get((q.pk, code), [0] * len(columns)))
            for code, label in choices
        ]
        answered = sum(r.total for r in rows)
        out.append(QuestionResult(q, rows, answered))
    result = Results(survey, by, columns, respondents, out)
    if public:
        _suppress(result)
    base = respondents.cells
    for q in out:
        for row in q.rows:
            row.items = [
                (shown, rules.share(cell, base[i]) if shown is not None and base[i] else None)
                for i, (cell, shown) in enumerate(zip(row.cells, row.shown_cells, strict=True))
            ]
    respondents.items = [(shown, None) for shown in respondents.shown_cells]
    return result


def _row(code, label, cells) -> Row:
    return Row(code, label, sum(cells), list(cells), sum(cells), list(cells))


def _suppress(result: Results) -> None:
    row = result.respondents
    row.shown_cells = rules.suppress_row(row.cells)
    row.shown_total = rules.suppress(row.total)
    for q in result.questions:
        if q.rows:
            cells = rules.suppress_table([r.cells for r in q.rows])
            totals = rules.suppress_table([[r.total] for r in q.rows])
            for r, shown, total in zip(q.rows, cells, totals, strict=True):
                r.shown_cells, r.shown_total = shown, total[0]
        q.answered_cells = rules.suppress_row(q.answered_cells)
        if q.answered < rules.PUBLIC_MIN_GROUP:
            q.answered = 0


def respondents_by_district(survey: Survey) -> dict[int | None, int]:
    return dict(
        Tally.objects.filter(survey=survey, question__isnull=True)
        .values_list("district_id")
        .annotate(n=Sum("count"))
        .order_by()
    )


@dataclass
class RateRow:
    label: str
    invited: int | None
    answered: int

    @property
    def percent(self) -> int | None:
        return rules.share(self.answered, self.invited) if self.invited else None


def rates(survey: Survey, *, district_id: int | None = None, poo_id: int | None = None):
    """Response rates while the survey runs: answers against the audience, by district (or,
    for a POO leader, their POO only). A public survey has no audience: its answers by the
    district the respondents named."""
    if poo_id is not None:
        poo = PrimaryOrganization.objects.get(pk=poo_id)
        invited = audience_members(survey).filter(poo_id=poo_id).count()
        answered = Participation.objects.filter(survey=survey, poo_id=poo_id).count()
        return [RateRow(poo.name, invited, answered)]
    branches = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
    if district_id is not None:
        branches = branches.filter(pk=district_id)
    if survey.is_public:
        answered = respondents_by_district(survey)
        return [RateRow(b.display_name, None, answered.get(b.pk, 0)) for b in branches]
    if survey.audience == Survey.Audience.SUPPORTERS:
        from . import supporters

        counts = supporters.rates(survey, branches)
        return [RateRow(b.display_name, *counts[b.pk]) for b in branches if counts.get(b.pk)]
    invited = dict(
        audience_members(survey).values_list("poo__branch_id").annotate(n=Count("pk")).order_by()
    )
    answered = dict(
        Participation.objects.filter(survey=survey)
        .values_list("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        RateRow(b.display_name, invited.get(b.pk, 0), answered.get(b.pk, 0))
        for b in branches
        if invited.get(b.pk) or answered.get(b.pk)
    ]


# Free-text answers and topics --------------------------------------------------------------
def text_answers(
    survey: Survey, *, question_id=None, topic_id=None, untagged=False, district_id=None
) -> QuerySet:
    qs = Answer.objects.filter(question__survey=survey, question__kind=rules.TEXT)
    if question_id:
        qs = qs.filter(question_id=question_id)
    if topic_id:
        qs = qs.filter(topics__id=topic_id)
    if untagged:
        qs = qs.filter(topics__isnull=True)
    if district_id is not None:
        qs = qs.filter(response__district_id=district_id)
    return qs.order_by("text", "pk")


@transaction.atomic
def create_topic(scope, survey: Survey, *, name: str, name_ru: str, request=None) -> SurveyTopic:
    scope.require(perms.can_see_results(scope, survey))
    if SurveyTopic.objects.filter(survey=survey, name=name).exists():
        raise ValidationError({"name": _("The survey already has a topic with this name.")})
    topic = SurveyTopic.objects.create(survey=survey, name=name, name_ru=name_ru)
    audit.record(scope.user, "survey.topic_created", topic, branch=survey.branch, request=request)
    return topic


@transaction.atomic
def tag_answers(scope, topic: SurveyTopic, answer_ids: list, *, untag=False, request=None) -> int:
    survey = topic.survey
    scope.require(perms.can_see_results(scope, survey))
    district_id = perms.result_district(scope, survey)
    answers = list(
        text_answers(survey, district_id=district_id)
        .filter(pk__in=answer_ids)
        .values_list("pk", flat=True)
    )
    if len(answers) != len(set(answer_ids)):
        raise ValidationError(_("Some of the chosen answers are not this survey's."))
    if untag:
        topic.answers.remove(*answers)
    else:
        topic.answers.add(*answers)
    audit.record(
        scope.user,
        "survey.answers_untagged" if untag else "survey.answers_tagged",
        topic,
        branch=survey.branch,
        data={"count": len(answers)},
        request=request,
    )
    return len(answers)


def topic_counts(survey: Survey, *, district_id: int | None = None) -> list[SurveyTopic]:
    """The survey's topics, each with `n`, the answers tagged with it (of one district only
    for a district secretary of a region-wide survey, as `perms.result_district` says)."""
    tagged = Q() if district_id is None else Q(answers__response__district_id=district_id)
    return list(
        SurveyTopic.objects.filter(survey=survey)
        .annotate(n=Count("answers", filter=tagged))
        .order_by("-n", "name")
    )


# Reading identified answers (audited) ------------------------------------------------------
def identified_responses(scope, survey: Survey, *, request=None) -> QuerySet:
    """The responses of an identified survey with who gave them; every read is audited."""
    scope.require(perms.can_see_results(scope, survey) and not survey.anonymous)
    qs = Response.objects.filter(survey=survey, respondent__isnull=False)
    district_id = perms.result_district(scope, survey)
    if district_id is not None:
        qs = qs.filter(district_id=district_id)
    audit.record(
        scope.user,
        "survey.identified_answers_read",
        survey,
        branch=survey.branch,
        request=request,
    )
    return qs.select_related("respondent", "district").order_by("respondent__last_name", "pk")


# Export ------------------------------------------------------------------------------------
def export_header(questions: list[Question]) -> list[str]:
    return [_("Response"), _("District"), _("Age group"), _("Sex")] + [
        q.display_text for q in questions
    ]


def export_rows(survey: Survey, questions: list[Question], *, district_id=None) -> Iterator[list]:
    """One row per response, streamed from one ordered query of the answers."""
    column = {q.pk: i for i, q in enumerate(questions)}
    districts = dict(Branch.objects.values_list("pk", "name"))
    answers = Answer.objects.filter(question__survey=survey)
    if district_id is not None:
        answers = answers.filter(response__district_id=district_id)
    rows = (
        answers.order_by("response_id")
        .values_list(
            "response_id",
            "response__district_id",
            "response__age_group",
            "response__sex",
            "question_id",
            "option__code",
            "number",
            "text",
        )
        .iterator(chunk_size=2000)
    )
    current, head, cells = None, None, None
    for rid, d, age, sex, qid, code, number, text in rows:
        if rid != current:
            if current is not None:
                yield head + [";".join(c) for c in cells]
            current = rid
            head = [str(rid)[:8], districts.get(d, ""), age, sex]
            cells = [[] for _q in questions]
        value = code if code is not None else (str(number) if number is not None else text)
        if qid in column:
            cells[column[qid]].append(value)
    if current is not None:
        yield head + [";".join(c) for c in cells]


# Distribution ------------------------------------------------------------------------------
@dataclass
class SendResult:
    recipients: int = 0
    emails: int = 0
    sms: int = 0
    failures: int = 0


def survey_link(survey: Survey) -> str:
    base = settings.SITE_URL.rstrip("/")
    if survey.is_public:
        return base + reverse("surveys:public", args=[survey.public_token])
    return base + reverse("surveys:answer", args=[survey.pk])


def send_messages(survey_id: int, today: dt.date, *, reminder: bool = False) -> SendResult:
    """Invite the audience (or remind those who have not answered) by email and SMS, in both
    languages; the message names the survey and its link only."""
    survey = Survey.objects.select_related("branch").get(pk=survey_id)
    result = SendResult()
    if not survey.is_open_on(today):
        return result
    if survey.audience == Survey.Audience.SUPPORTERS:
        from . import supporters

        supporters.invite(survey, today)
        targets = supporters.recipients(survey, reminder=reminder)
    else:
        members = audience_members(survey)
        if reminder:
            members = members.exclude(
                pk__in=Participation.objects.filter(survey=survey).values("member_id")
            )
        link = survey_link(survey)
        targets = (
            (email, phone, link)
            for email, phone in members.filter(~Q(email="") | ~Q(phone=""))
            .values_list("email", "phone")
            .iterator(chunk_size=2000)
        )
    subject = f"{survey.title} / {survey.title_ru}"
    for email, phone, link in targets:
        text = f"«{survey.title}» — сауалнамаға жауап беріңіз / ответьте на опрос: {link}"
        body = (
            f"{survey.title}\n{survey.intro}\n\n{survey.title_ru}\n{survey.intro_ru}\n\n{link}\n"
            f"{survey.closes_on:%d.%m.%Y}"
        )
        result.recipients += 1
        try:
            if email:
                result.emails += mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            if phone:
                result.sms += send_sms(phone, text)
        except Exception:
            log.exception("survey %s message failed", survey.pk)
            result.failures += 1
    field_name = "reminded_on" if reminder else "sent_on"
    Survey.objects.filter(pk=survey.pk).update(**{field_name: today})
    audit.record(
        None,
        "survey.reminders_sent" if reminder else "survey.invitations_sent",
        survey,
        branch=survey.branch,
        data={"recipients": result.recipients, "emails": result.emails, "sms": result.sms},
    )
    return result


def send_scheduled_reminders(today: dt.date) -> dict[int, SendResult]:
    """The daily job (`bastau survey_reminders`): remind those who have not answered each open
    survey whose schedule (`remind_every`) is due on `today` (`rules.reminder_due`), through
    `send_messages`, so the recipients are the same as the staff's "remind" button's. Returns
    the results by survey id. A survey reminded today is not due again today."""
    candidates = (
        Survey.objects.filter(
            status=Survey.Status.OPEN,
            remind_every__gt=0,
            sent_on__isnull=False,
            opens_on__lte=today,
            closes_on__gt=today,
        )
        .exclude(audience=Survey.Audience.PUBLIC)
        .order_by("pk")
    )
    results = {}
    for survey in candidates:
        if rules.reminder_due(
            today,
            every=survey.remind_every,
            sent_on=survey.sent_on,
            reminded_on=survey.reminded_on,
            closes_on=survey.closes_on,
        ):
            results[survey.pk] = send_messages(survey.pk, today, reminder=True)
    return results
