"""The journey of the branch activity issue: the secretary records a meeting with an agenda
item, issues an instruction from it to a member, the member signs in and reports execution
with a file, the secretary accepts the report, and the control board's counts change."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastau.activity.models import ExecutionReport, Instruction, Meeting

from .conftest import login

pytestmark = pytest.mark.e2e


def _board_numbers(page, base, user_pk) -> dict:
    page.goto(f"{base}/activity/board/")
    row = page.locator(f'#board-person tr[data-key="{user_pk}"]')
    numbers = {
        "total_on_time": page.locator("#kpi-on-time .value").inner_text(),
        "total_open": page.locator("#kpi-open .value").inner_text(),
    }
    if row.count():
        numbers["on_time"] = row.locator("td.on-time").inner_text()
        numbers["open"] = row.locator("td.open").inner_text()
    return {k: int(v) for k, v in numbers.items()}


def test_meeting_instruction_report_and_the_control_board(
    page, live_server, e2e_world, browser_context_factory, tmp_path, artifacts_dir
):
    w = e2e_world
    base = live_server.url
    today = timezone.localdate()
    login(page, base, w.secretary.username)

    before = _board_numbers(page, base, w.member_user.pk)
    assert before == {"total_on_time": 0, "total_open": 0}  # nobody has an instruction yet

    # Record the meeting.
    page.goto(f"{base}/activity/")
    page.get_by_role("link", name="Record a meeting").first.click()
    page.get_by_label("Kind").select_option("political_council")
    page.locator("#id_branch").select_option(str(w.district.pk))
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Place").fill("Қандыағаш, мәдениет үйі")
    page.get_by_label("Chair (name)").fill("Ермеков Б.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/activity/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    assert meeting.kind == Meeting.Kind.POLITICAL_COUNCIL and meeting.branch == w.district

    # An agenda item, then an instruction from it to the member.
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Question").fill("Праймериз бойынша түсіндіру жұмысы")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ol.agenda")).to_contain_text("Праймериз бойынша түсіндіру жұмысы")
    page.locator("ol.agenda").get_by_role("link", name="Issue an instruction").click()
    page.locator("#id_text").fill("Әр БПҰ-да түсіндіру кездесуін өткізу")
    page.get_by_label("Deadline").fill((today + dt.timedelta(days=10)).isoformat())
    # The responsible person is found by the searchable picker (an account has no full name
    # here, so it is named by its login).
    page.get_by_label("Responsible people").fill(w.member_user.username)
    page.get_by_role("option", name=re.compile(rf"^{w.member_user.username} \(")).click()
    expect(page.locator('input[type=hidden][name="responsible_users"]')).to_have_value(
        str(w.member_user.pk)
    )
    page.get_by_role("button", name="Issue").click()
    expect(page.locator("#instruction-state")).to_have_text("Issued")
    instruction = Instruction.objects.get()
    assert instruction.agenda_item.meeting == meeting

    middle = _board_numbers(page, base, w.member_user.pk)
    assert middle == {"total_on_time": 0, "total_open": 1, "on_time": 0, "open": 1}

    # The member signs in (another browser) and reports execution with a file.
    member_page = browser_context_factory().new_page()
    login(member_page, base, w.member_user.username)
    member_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Instructions"
    ).click()
    member_page.get_by_role("link", name="Әр БПҰ-да түсіндіру кездесуін өткізу").click()
    member_page.get_by_label("What was done").fill("12 БПҰ-да кездесу өтті, 340 адам қатысты.")
    report_file = tmp_path / "tizim.txt"
    report_file.write_text("Кездесулер тізімі\n", encoding="utf-8")
    member_page.get_by_label("Files").set_input_files(str(report_file))
    member_page.get_by_role("button", name="Send the report").click()
    expect(member_page.locator(".messages")).to_contain_text("sent to the issuer")
    expect(member_page.locator("ol.timeline")).to_contain_text("tizim.txt")
    report = ExecutionReport.objects.get()
    assert report.author == w.member_user and report.attachments.count() == 1

    # The secretary accepts it.
    page.goto(f"{base}/activity/instructions/{instruction.pk}/")
    expect(page.locator("#decide-report")).to_contain_text("340 адам қатысты")
    page.get_by_role("button", name="Accept the report").click()
    expect(page.locator("#instruction-state")).to_have_text("Done")
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.DONE and instruction.done_on == today

    after = _board_numbers(page, base, w.member_user.pk)
    assert after == {"total_on_time": 1, "total_open": 0, "on_time": 1, "open": 0}
    page.screenshot(path=artifacts_dir / "activity-board.png", full_page=True)
    page.problems.assert_none()
