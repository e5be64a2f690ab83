"""No English on a Kazakh or Russian page: the errors of every form of the project, Django's own
validators and the sign-in forms, rendered in kk and ru, carry no untranslated text.

Every form class under src/bastau is found by import (a new form is covered without touching this
file; one that needs constructor arguments this file cannot give makes the test fail, so it is
added below). Each form is checked three ways: every message its fields can raise (their
error_messages and validators, with the placeholders filled), every field cleaned with bad values
(empty, overlong, NUL characters, invalid choices, dates, numbers, files), and the whole form
bound with bad data, including its own clean() methods.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth import password_validation
from django.core import validators as core_validators
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

import bastau
from bastau.accounts.scoping import Scope, scope_for
from bastau.primaries import services as primaries
from bastau.primaries.models import Campaign

LANGS = ["kk", "ru"]

CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrfi]|%[sdrf]|\{\w*\}")
FILE_EXTENSION = re.compile(r"(?<![\w.])\.[a-z0-9]{2,5}\b")
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
# Latin words that a Kazakh or Russian sentence keeps as they are.
LATIN_ALLOWED = {"Bastau", "Jas", "Otan", "cookie", "email", "e-mail", "mail"}


def english_in(message: str) -> list[str]:
    """What in a kk/ru message is left in English: the whole message if it has no Cyrillic
    letter, else the Latin words (three letters or more) other than names kept in Latin."""
    text = FILE_EXTENSION.sub(" ", PLACEHOLDER.sub(" ", str(message)))
    if not re.search(r"[^\W\d_]", text):
        return []  # no letter at all: punctuation, numbers or a bare placeholder
    if not CYRILLIC.search(text):
        return [str(message)]
    return [w for w in ENGLISH_WORD.findall(text) if len(w) >= 3 and w not in LATIN_ALLOWED]


class AnyParams(dict):
    """Fills any %(name)d / %(name)s placeholder of a message, as Django's plural messages need."""

    def __missing__(self, key):
        return 7

    def __contains__(self, key):
        return True


def render(message) -> str:
    try:
        text = message % AnyParams()
    except TypeError:  # a message with no placeholder, or with positional %d
        try:
            text = message % 7
        except TypeError:
            text = str(message)
    if "{" in text:
        text = text.format_map(AnyParams())
    return text


def assert_translated(messages, lang, where):
    bad = {}
    for message in messages:
        leftover = english_in(message)
        if leftover:
            bad[str(message)] = leftover
    assert not bad, f"{where} in {lang}: untranslated text {bad}"


# Finding the forms -------------------------------------------------------------------------


def project_modules():
    skip = (".migrations", ".__main__", ".wsgi", ".asgi")
    for info in pkgutil.walk_packages(bastau.__path__, "bastau."):
        if not any(part in info.name for part in skip):
            yield importlib.import_module(info.name)


def project_form_classes():
    found = {}
    for module in project_modules():
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__.startswith("bastau.")
                and not getattr(getattr(obj, "_meta", None), "abstract", False)
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


FORMS = project_form_classes()


def test_the_forms_are_found():
    # Known forms of each audience: public, staff, sign-in. If discovery broke, this fails.
    for name in (
        "bastau.reception.forms.public.AppealForm",
        "bastau.primaries.forms.public.TrackerSearchForm",
        "bastau.accounts.forms.PasswordLoginForm",
        "bastau.accounts.forms.CodeRequestForm",
        "bastau.members.forms.staff.MemberForm",
        "bastau.oversight.forms.register.DeputyForm",
        "bastau.activity.forms.meetings.InstructionForm",
        "bastau.primaries.forms.staff.CampaignForm",
    ):
        assert name in FORMS
    assert len(FORMS) > 80


# Bad values per field -----------------------------------------------------------------------

WORD = "жоқ"  # Cyrillic on purpose: an echoed value must not pass for a translation


def limits(field):
    low = high = None
    for v in field.validators:
        if isinstance(v, core_validators.MinValueValidator):
            low = v.limit_value
        elif isinstance(v, core_validators.MaxValueValidator):
            high = v.limit_value
    return low, high


def bad_values(field):
    values = []
    if field.required:
        values.append([] if isinstance(field, forms.MultipleChoiceField) else "")
    if isinstance(field, forms.FileField):
        values.append(SimpleUploadedFile("бос.txt", b""))
        values.append(SimpleUploadedFile("ж" * 300 + ".pdf", b"%PDF-1.4 x"))
        if isinstance(field, forms.ImageField):
            values.append(SimpleUploadedFile("сурет.png", b"not an image"))
        return values
    if isinstance(field, forms.BooleanField):
        return values + ([False] if field.required else [])
    if isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
        return values + [[WORD], ["2147483000"], WORD]
    if isinstance(field, (forms.ModelChoiceField, forms.ChoiceField)):
        return values + [WORD, "2147483000"]
    if isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
        values += [WORD, "1.5", "1" * 40]
        low, high = limits(field)
        if low is not None:
            values.append(str(low - 1))
        if high is not None:
            values.append(str(high + 1))
        if isinstance(field, forms.DecimalField):
            values += ["0.123456789123", str(Decimal("1" * 30))]
        return values
    if isinstance(field, forms.SplitDateTimeField):
        return values + [[WORD, WORD], ["2026-02-30", "25:00"]]
    if isinstance(field, (forms.DateField, forms.DateTimeField, forms.TimeField)):
        return values + [WORD, "2026-02-30", "30.02.2026", "25:61"]
    if isinstance(field, forms.DurationField):
        return values + [WORD, "1000000000 00:00:00"]
    if isinstance(field, forms.JSONField):
        return values + ["{" + WORD]
    if isinstance(field, forms.UUIDField):
        return values + [WORD]
    # Text: CharField, EmailField, URLField, RegexField, SlugField and the project's own.
    values += [WORD, "а\x00б", "ж" * (getattr(field, "max_length", None) or 5000) + "ж"]
    if getattr(field, "min_length", None):
        values.append("ж")
    if isinstance(field, forms.EmailField):
        values += ["а" * 300 + "@mail.kz", "жоқ@"]
    return values


def field_messages(field):
    """Every message a field declares: its error_messages and its validators' messages."""
    messages = list(field.error_messages.values())
    for v in field.validators:
        if getattr(v, "message", None):
            messages.append(v.message)
        messages.extend(getattr(v, "messages", {}).values())
    return messages


def clean_errors(field, value):
    try:
        field.clean(value)
    except ValidationError as exc:
        return exc.messages
    except Exception:  # noqa: BLE001 - a field whose queryset is set in the form's __init__
        return []
    return []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(FORMS))
def test_every_field_message_is_translated(name, lang, db):
    form_class = FORMS[name]
    with translation.override(lang):
        for field_name, field in form_class.base_fields.items():
            where = f"{name}.{field_name}"
            assert_translated([render(m) for m in field_messages(field)], lang, where)
            for value in bad_values(field):
                assert_translated(clean_errors(field, value), lang, f"{where} = {value!r:.40}")


# Whole forms bound with bad data ------------------------------------------------------------


@pytest.fixture
def context(world):
    from django.contrib.auth import get_user_model

    from bastau.activity.models import ContestCriterion, ContestEntry, Meeting, SocialProject
    from bastau.members.models import Admission, Member
    from bastau.oversight.models import Convocation, Deputy, Faction, Maslikhat
    from bastau.primaries.models import Candidate, Contest
    from bastau.reception.models import Official, ReceptionSchedule, ReceptionSession, Topic
    from bastau.structure.models import Branch, PrimaryOrganization
    from bastau.voice.people.models import YouthWing
    from bastau.voice.surveys.models import Survey

    campaign = primaries.create_campaign(
        Scope(world.secretary),
        data={
            "encrypted": False,
            "slug": "i18n-forms",
            "title": "Forms",
            "kind": Campaign.Kind.PERSONNEL_RESERVE,
            "branch": world.district,
            "choose_up_to": 2,
            "list_length": 3,
            "quota_rules": Campaign.Rules.PARTY_2019,
            "reference_date": dt.date(2026, 6, 1),
        },
    )
    return {
        "branches": Branch.objects.all(),
        "districts": Branch.objects.all(),
        "poos": PrimaryOrganization.objects.all(),
        "members": Member.objects.all(),
        "users": get_user_model().objects.all(),
        "officials": Official.objects.all(),
        "sessions": ReceptionSession.objects.all(),
        "schedules": ReceptionSchedule.objects.all(),
        "campaign": campaign,
        "scope": scope_for(world.admin),
        "contests": Contest.objects.all(),
        "entries": ContestEntry.objects.all(),
        "criteria": ContestCriterion.objects.all(),
        "meetings": Meeting.objects.all(),
        "poo": world.poo,
        "targets": SocialProject.objects.all(),
        "maslikhats": Maslikhat.objects.all(),
        "convocations": Convocation.objects.all(),
        "deputies": Deputy.objects.all(),
        "factions": Faction.objects.all(),
        "topics": Topic.objects.all(),
        "admissions": Admission.objects.all(),
        "candidates": Candidate.objects.all(),
        "wings": YouthWing.objects.all(),
        "surveys": Survey.objects.all(),
    }


def required_kwargs(form_class):
    params = inspect.signature(form_class.__init__).parameters.values()
    return [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty]


def bad_data(form, pick):
    data, files = {}, {}
    for name, field in form.fields.items():
        values = [v for v in bad_values(field) if v != ""] or [""]
        value = values[pick % len(values)]
        if isinstance(field, forms.FileField):
            files[name] = value
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = value
    return data, files


def bound_errors(form_class, kwargs, data, files):
    from django.utils.datastructures import MultiValueDict

    multi = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})
    form = form_class(
        data=multi, files=MultiValueDict({k: [v] for k, v in files.items()}), **kwargs
    )
    form.is_valid()
    return [m for errors in form.errors.as_data().values() for e in errors for m in e.messages]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_bound_with_bad_data(name, lang, context, rf):
    form_class = FORMS[name]
    missing = [k for k in required_kwargs(form_class) if k not in context]
    assert not missing, f"{name} needs {missing}: add them to the context fixture"
    # Every keyword the form takes that the context knows, as the views pass them.
    params = inspect.signature(form_class.__init__).parameters
    kwargs = {k: v for k, v in context.items() if k in params}
    if (
        issubclass(form_class, forms.BaseForm)
        and "request" in inspect.signature(form_class.__init__).parameters
    ):
        kwargs["request"] = rf.post("/")
    with translation.override(lang):
        empty = bound_errors(form_class, kwargs, {}, {})
        assert_translated(empty, lang, f"{name} bound empty")
        shape = form_class(**kwargs)
        for pick in range(4):
            data, files = bad_data(shape, pick)
            errors = bound_errors(form_class, kwargs, data, files)
            assert_translated(errors, lang, f"{name} bound with bad data #{pick}")


# Django's own validators and password rules -------------------------------------------------

CORE_VALIDATORS = [
    core_validators.validate_email,
    core_validators.URLValidator(),
    core_validators.validate_slug,
    core_validators.validate_unicode_slug,
    core_validators.validate_ipv4_address,
    core_validators.validate_ipv6_address,
    core_validators.validate_ipv46_address,
    core_validators.validate_integer,
    core_validators.validate_comma_separated_integer_list,
    core_validators.DomainNameValidator(),
    core_validators.MaxLengthValidator(5),
    core_validators.MinLengthValidator(5),
    core_validators.MaxValueValidator(5),
    core_validators.MinValueValidator(5),
    core_validators.StepValueValidator(5),
    core_validators.StepValueValidator(5, offset=1),
    core_validators.DecimalValidator(5, 2),
    core_validators.FileExtensionValidator(["pdf"]),
    core_validators.ProhibitNullCharactersValidator(),
]


@pytest.mark.parametrize("lang", LANGS)
def test_django_core_validators_speak_the_language(lang):
    with translation.override(lang):
        messages = []
        for v in CORE_VALIDATORS:
            if getattr(v, "message", None):
                messages.append(render(v.message))
            messages += [render(m) for m in getattr(v, "messages", {}).values()]
        assert_translated(messages, lang, "Django's validators")
        failures = [
            (core_validators.MaxLengthValidator(200), "ж" * 201),
            (core_validators.MaxLengthValidator(1), "жж"),
            (core_validators.MinLengthValidator(3), "ж"),
            (core_validators.ProhibitNullCharactersValidator(), "а\x00б"),
            (core_validators.DecimalValidator(4, 2), Decimal("123.456")),
            (core_validators.validate_email, "жоқ@"),
        ]
        for validator, value in failures:
            with pytest.raises(ValidationError) as exc:
                validator(value)
            assert_translated(exc.value.messages, lang, f"{validator!r}({value!r:.20})")


@pytest.mark.parametrize("lang", LANGS)
def test_password_rules_speak_the_language(lang, db):
    with translation.override(lang):
        for password in ("123", "12345678901", "password"):
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                assert_translated(exc.messages, lang, f"password {password!r}")
            assert_translated(
                [str(t) for t in password_validation.password_validators_help_texts()],
                lang,
                "password help texts",
            )


# The sign-in pages, through the browser's path --------------------------------------------


def page_errors(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_login_error_is_all_in_the_language(world, client, lang):
    client.cookies["bastau_language"] = lang
    response = client.post("/accounts/login/", {"username": world.admin.username, "password": "x"})
    assert response.status_code == 200
    errors = page_errors(response.content.decode())
    assert errors, "the login page shows its error"
    assert_translated(errors, lang, "login error")
    with translation.override(lang):
        assert translation.gettext("username") in errors[0]


@pytest.mark.parametrize("lang", LANGS)
def test_one_time_code_errors_are_in_the_language(world, client, lang):
    client.cookies["bastau_language"] = lang
    response = client.post("/accounts/login/code/", {"identifier": "ж" * 201})
    errors = page_errors(response.content.decode())
    assert errors and any("201" in e for e in errors)
    assert_translated(errors, lang, "code request")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [("ж" * 121, "121"), ("аб\x00вг", None)],
)
def test_tracker_search_errors_are_in_the_language(lang, value, expected):
    from bastau.primaries.forms.public import TrackerSearchForm

    with translation.override(lang):
        form = TrackerSearchForm(data={"tracker": value})
        assert not form.is_valid()
        errors = form.errors["tracker"]
        if expected:
            assert any(expected in e for e in errors)
        assert_translated(errors, lang, "tracker search")


@pytest.mark.parametrize("lang", LANGS)
def test_public_appeal_length_errors_are_in_the_language(lang, db):
    from bastau.reception.forms.public import AppealForm

    with translation.override(lang):
        form = AppealForm(data=dict.fromkeys(AppealForm.base_fields, "ж" * 6000))
        form.is_valid()
        errors = [e for errs in form.errors.values() for e in errs]
        assert any("6000" in e for e in errors), errors
        assert_translated(errors, lang, "public appeal form")


def test_the_detector_catches_english():
    assert english_in("Ensure this value has at most 200 characters (it has 201).")
    assert english_in("Please enter a correct Қолданушы атауы and password.")
    assert english_in("Null characters are not allowed.")
    assert not english_in("Мәнде ең көбі 200 таңба болуы керек (қазір 201).")
    assert not english_in("Трекер 0-9 цифрлары мен a-f әріптерінен тұрады.")
    assert not english_in("Загрузите файл .xlsx или .csv.")
    assert english_in('Нарушено ограничение "schedule_weekday_or_date".')
