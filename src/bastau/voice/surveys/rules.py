"""The rules of a questionnaire, free of Django: which questions are shown, how an answer is
checked, and the respondent's age group.

A questionnaire is a list of `QuestionSpec`. A question may carry a condition: it is shown
only when the answer to an earlier question includes one of the given option codes
(`show_if`). `visible(questions, answers)` walks the list in order, so a question hidden by a
condition hides the questions that depend on it as well.

`check(questions, raw)` turns raw form values (strings, lists of strings) into clean answers
and a list of problems, one `(question key, problem code, params)` per bad answer. Nothing is
stored by this module: the caller stores the clean answers only when there is no problem.
Problem codes are words the web layer translates (`PROBLEMS` there), so this module holds no
user-facing text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SINGLE = "single"
MULTIPLE = "multiple"
SCALE = "scale"
NUMBER = "number"
TEXT = "text"
DISTRICT = "district"
AGE_GROUP = "age_group"
SEX = "sex"

KINDS = (SINGLE, MULTIPLE, SCALE, NUMBER, TEXT, DISTRICT, AGE_GROUP, SEX)
#: Kinds answered by picking one or more option codes.
CHOICE_KINDS = (SINGLE, MULTIPLE, DISTRICT, AGE_GROUP, SEX)
#: Kinds that describe the respondent (for members they come from the member record).
PROFILE_KINDS = (DISTRICT, AGE_GROUP, SEX)

TEXT_MAX_CHARS = 2000
NUMBER_LIMIT = 10**9

#: Age groups: (code, lowest age, highest age or None). Youth (under 35) is the first four.
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("14-17", 14, 17),
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-44", 35, 44),
    ("45-59", 45, 59),
    ("60+", 60, None),
)
AGE_GROUP_CODES = tuple(code for code, _low, _high in AGE_GROUPS)
SEX_CODES = ("M", "F")
#: No group smaller than this is ever shown on a public page.
PUBLIC_MIN_GROUP = 5


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    required: bool = True
    options: tuple[str, ...] = ()  # option codes for single/multiple/district/age/sex
    scale_min: int = 1
    scale_max: int = 5
    number_min: int | None = None
    number_max: int | None = None
    show_if: tuple[str, tuple[str, ...]] | None = None  # (question key, option codes)


@dataclass
class Checked:
    answers: dict[str, object] = field(default_factory=dict)
    problems: list[tuple[str, str, dict]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def age_on(birth_date: dt.date, reference: dt.date) -> int:
    before = (reference.month, reference.day) < (birth_date.month, birth_date.day)
    return reference.year - birth_date.year - (1 if before else 0)


def age_group(age: int) -> str:
    """The age group code of an age; "" below the youngest group."""
    for code, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return code
    return ""


def age_group_of(birth_date: dt.date | None, reference: dt.date) -> str:
    return age_group(age_on(birth_date, reference)) if birth_date else ""


def _selected(value) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str | int):
        return (str(value),)
    return tuple(str(v) for v in value)


def visible(questions: Sequence[QuestionSpec], answers: Mapping[str, object]) -> list[str]:
    """Keys of the questions shown, given the answers so far (a hidden question's answer does
    not count, so what depends on it is hidden too)."""
    shown: list[str] = []
    shown_set: set[str] = set()
    for q in questions:
        if q.show_if is not None:
            source, codes = q.show_if
            if source not in shown_set:
                continue
            if not set(_selected(answers.get(source))) & set(codes):
                continue
        shown.append(q.key)
        shown_set.add(q.key)
    return shown


def _clean_one(q: QuestionSpec, raw) -> tuple[object, tuple[str, dict] | None]:
    """(clean value or None for no answer, problem or None)."""
    if q.kind in CHOICE_KINDS:
        picked = _selected(raw)
        picked = tuple(dict.fromkeys(p.strip() for p in picked if p.strip()))
        if not picked:
            return None, None
        unknown = [p for p in picked if p not in q.options]
        if unknown:
            return None, ("unknown_option", {})
        if q.kind != MULTIPLE and len(picked) > 1:
            return None, ("one_only", {})
        return (list(picked) if q.kind == MULTIPLE else picked[0]), None
    if isinstance(raw, list | tuple):
        if len(raw) > 1:
            return None, ("one_only", {})
        raw = raw[0] if raw else ""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None, None
    if q.kind == TEXT:
        if len(text) > TEXT_MAX_CHARS:
            return None, ("too_long", {"max": TEXT_MAX_CHARS})
        if "\x00" in text:
            return None, ("bad_text", {})
        return text, None
    if q.kind in (SCALE, NUMBER):
        try:
            number = int(text.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            return None, ("not_a_number", {})
        if q.kind == SCALE:
            low, high = q.scale_min, q.scale_max
        else:
            low = q.number_min if q.number_min is not None else -NUMBER_LIMIT
            high = q.number_max if q.number_max is not None else NUMBER_LIMIT
        if not low <= number <= high:
            return None, ("out_of_range", {"min": low, "max": high})
        return number, None
    return None, ("unknown_kind", {})


def check(questions: Sequence[QuestionSpec], raw: Mapping[str, object]) -> Checked:
    """Clean every shown question's answer; problems for missing required answers and
    malformed ones. Answers to hidden questions are dropped, not refused (a browser without
    script shows every question; what the rules hide is simply not counted)."""
    result = Checked()
    clean: dict[str, object] = {}
    for q in questions:
        value, problem = _clean_one(q, raw.get(q.key))
        if problem is not None:
            result.problems.append((q.key, problem[0], problem[1]))
        elif value is not None:
            clean[q.key] = value
    shown = visible(questions, clean)
    by_key = {q.key: q for q in questions}
    bad = {key for key, _code, _params in result.problems}
    result.problems = [p for p in result.problems if p[0] in shown]
    for key in shown:
        if key in clean:
            result.answers[key] = clean[key]
        elif by_key[key].required and key not in bad:
            result.problems.append((key, "required", {}))
    order = {q.key: i for i, q in enumerate(questions)}
    result.problems.sort(key=lambda p: order[p[0]])
    return result


def check_definition(questions: Sequence[QuestionSpec]) -> list[tuple[str, str]]:
    """Problems of a questionnaire itself: a condition on a later or unknown question, or on
    an option the question lacks; a choice question without options; a bad scale."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, QuestionSpec] = {}
    for q in questions:
        if q.kind not in KINDS:
            problems.append((q.key, "unknown_kind"))
        if q.kind in (SINGLE, MULTIPLE) and len(q.options) < 2:
            problems.append((q.key, "few_options"))
        if q.kind == SCALE and not (q.scale_min < q.scale_max and q.scale_max - q.scale_min <= 10):
            problems.append((q.key, "bad_scale"))
        if q.show_if is not None:
            source = seen.get(q.show_if[0])
            if source is None:
                problems.append((q.key, "condition_order"))
            elif source.kind not in CHOICE_KINDS or not set(q.show_if[1]) <= set(source.options):
                problems.append((q.key, "condition_option"))
        seen[q.key] = q
    return problems


def suppress(count: int, minimum: int = PUBLIC_MIN_GROUP) -> int | None:
    """A count fit for a public page: None (shown as "fewer than 5") below the minimum."""
    return count if count >= minimum else None


def share(part: int, whole: int) -> int:
    """Whole percent, rounded half up, with integers only."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def top(counts: Iterable[tuple[str, int]], n: int) -> list[tuple[str, int]]:
    """The n largest counts, ties broken by code so the order is stable."""
    return sorted(counts, key=lambda item: (-item[1], item[0]))[:n]


def suppress_row(cells: Sequence[int], minimum: int = PUBLIC_MIN_GROUP) -> list[int | None]:
    """A row of counts fit for a public page whose total is shown: every count from 1 to
    minimum-1 becomes None, and where exactly one would be hidden (and so derivable from the
    total), the smallest other non-zero count is hidden too. Zero counts stay: they are no
    group of people."""
    shown: list[int | None] = [None if 0 < c < minimum else c for c in cells]
    hidden = [i for i, c in enumerate(shown) if c is None]
    if len(hidden) == 1:
        others = [(c, i) for i, c in enumerate(cells) if i not in hidden and c > 0]
        if others:
            shown[min(others)[1]] = None
    return shown


def suppress_table(table: Sequence[Sequence[int]], minimum: int = PUBLIC_MIN_GROUP):
    """A cross-tab fit for a public page whose row and column totals are shown: counts from 1
    to minimum-1 hidden, and then, in any row or column where exactly one count is hidden,
    the smallest other non-zero count too, until no lone hidden count is left (so none can be
    worked out by subtraction from a total)."""
    shown: list[list[int | None]] = [[None if 0 < c < minimum else c for c in row] for row in table]

    def lines():
        for i, row in enumerate(shown):
            yield [(i, j) for j in range(len(row))]
        for j in range(len(shown[0]) if shown else 0):
            yield [(i, j) for i in range(len(shown))]

    changed = True
    while changed:
        changed = False
        for line in lines():
            hidden = [cell for cell in line if shown[cell[0]][cell[1]] is None]
            if len(hidden) != 1:
                continue
            others = [
                (table[i][j], (i, j))
                for i, j in line
                if shown[i][j] is not None and table[i][j] > 0
            ]
            if others:
                i, j = min(others)[1]
                shown[i][j] = None
                changed = True
    return shown


def reminder_due(
    today: dt.date,
    *,
    every: int,
    sent_on: dt.date | None,
    reminded_on: dt.date | None,
    closes_on: dt.date,
) -> bool:
    """Whether a survey's scheduled reminder goes out on `today`: a schedule is set (`every`
    days, 0 is none), the invitations were sent, `every` days have passed since the last
    invitation or reminder, and the survey is still open the next day (a reminder on the
    closing day would come too late to act on). A reminder sent today moves the last day to
    today, so a second run the same day sends nothing."""
    if every <= 0 or sent_on is None:
        return False
    last = max(sent_on, reminded_on) if reminded_on else sent_on
    return (today - last).days >= every and today < closes_on
