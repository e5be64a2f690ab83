"""The pages of issue 14's parts 2-5 on a phone (390×844), in Kazakh and in Russian: the local
issues register, the programme (its commitment, version, differences and public page), the
outreach campaign with its reach against the plan, the supporters, their counts by district
and the youth wing. Each page opens in the chosen language with no English label, without
errors, and nothing scrolls sideways."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from bastau.accounts.scoping import Scope
from bastau.activity import services as activity_services
from bastau.voice.agenda import services as agenda

from ..factories.voice import build
from .conftest import PageProblems, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
#: English words of these pages' labels: none may show on a Kazakh or Russian page.
ENGLISH = re.compile(
    r"\b(Programme|Commitments?|Issues?|Campaigns?|Supporters?|Volunteers?|Reach(ed)?|Planned|"
    r"District|Status|Version|Youth wing|Members|Events?|Deadline|Target|Indicator|Outreach)\b"
)
#: A word each page shows in its language (the menu's «Шығу» / «Выйти» is on every staff page).
SIGN_OUT = {"kk": "Шығу", "ru": "Выйти"}


def _agenda(w):
    sec = Scope(w.secretary)
    today = timezone.localdate()
    w.issue = agenda.create_issue(sec, title="Жастарға жұмыс жетпейді", district=w.district)
    w.agenda_programme = agenda.create_programme(
        sec, branch=w.district, title="Мұғалжар ауданының бағдарламасы", title_ru="Программа"
    )
    w.item = agenda.add_item(
        sec,
        w.agenda_programme,
        issues_answered=[w.issue],
        title="Жастарға 200 жұмыс орны",
        title_ru="200 рабочих мест для молодёжи",
        indicator="Жұмыс орны",
        target="200",
        deadline=today + dt.timedelta(days=200),
        responsible="Аудандық филиал",
        cost=None,
    )
    agenda.create_version(sec, w.agenda_programme)
    w.version = agenda.create_version(sec, w.agenda_programme, note="Екінші нұсқа")
    meeting = activity_services.create_meeting(
        sec, kind="political_council", branch=w.district, date=today, number="7",
        chair_name="Ермеков Б.",
    )  # fmt: skip
    agenda.submit_version(sec, w.version, meeting=meeting)
    agenda.approve_at_meeting(sec, w.version, text="Қабылдансын.")
    agenda.publish_version(sec, w.version)
    return w


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_voice_pages_work_on_a_phone_in_kazakh_and_russian(
    language, live_server, e2e_world, browser_context_factory, artifacts_dir
):
    w = _agenda(build(e2e_world))
    base = live_server.url
    context = browser_context_factory(viewport=PHONE)
    context.set_default_timeout(45_000)  # a shared 2-core machine serves the first page slowly
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    login(page, base, w.secretary.username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    pages = {
        "issues": "/agenda/",
        "issue": f"/agenda/issues/{w.issue.pk}/",
        "programmes": "/agenda/programmes/",
        "programme": f"/agenda/programmes/{w.agenda_programme.pk}/",
        "commitment": f"/agenda/commitments/{w.item.pk}/",
        "version": f"/agenda/versions/{w.version.pk}/",
        "diff": f"/agenda/versions/{w.version.pk}/diff/",
        "campaigns": "/outreach/",
        "campaign": f"/outreach/{w.campaign.pk}/",
        "event form": f"/outreach/{w.campaign.pk}/events/new/",
        "upcoming event": f"/outreach/events/{w.upcoming.pk}/",
        "invite supporters": f"/outreach/events/{w.upcoming.pk}/invite/",
        "record the reach": f"/outreach/events/{w.upcoming.pk}/reach/",
        "supporters": "/people/",
        "counts": "/people/counts/",
        "youth wing": f"/people/youth/{w.wing.pk}/",
        "public programme": f"/agenda/p/{w.agenda_programme.pk}/",
    }
    failures = []
    for name, path in pages.items():
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        text = page.locator("main").inner_text()
        if english := ENGLISH.findall(text):
            failures.append(f"{name}: English words {sorted({e[0] for e in english})}")
        if page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        ):
            failures.append(f"{name}: scrolls sideways")
        if name != "public programme" and SIGN_OUT[language] not in page.content():
            failures.append(f"{name}: the menu is not in {language}")
        page.screenshot(path=artifacts_dir / f"voice-phone-{name.replace(' ', '-')}-{language}.png")
    assert not failures, "\n".join(failures)
    problems.assert_none()
