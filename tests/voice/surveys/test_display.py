"""The results made ready to draw (views/display.py): numbers grouped as `intcomma` groups
them in each language, cells and bars as the template used to draw them, "<5" for the public."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone, translation

from bastau.accounts.scoping import Scope
from bastau.voice.surveys import services as s
from bastau.voice.surveys.views import display

from ...factories.surveys import answer_data, build

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_numbers_are_grouped_as_intcomma_groups_them(language):
    with translation.override(language):
        group = display._grouper()
        for n in (0, 7, 999, 1000, 12_345, 200_040, 1_639_926):
            assert group(n) == intcomma(n), (language, n)


def test_cells_bars_and_suppression(world):
    w = build(world)
    s.submit_member_answer(
        Scope(w.member_user), w.survey, answer_data(w), today=timezone.localdate()
    )
    staff = display.present(s.results(w.survey, by="district"))
    column = staff.columns.index(w.district.display_name)
    need = next(q for q in staff.questions if q.result.question.pk == w.need.pk)
    cells = need.table[0].cells.split("</td>")
    assert need.table[0].label == "Жұмыс"
    assert cells[column] == '<td class="num">1<span class="share">100%</span>'
    assert [b.pct for b in need.bars] == [100, 0]
    assert 'aria-label="Жұмыс: 1"' in need.bars_html
    assert staff.respondents_total == "1"
    public = display.present(s.results(w.survey, by="district", public=True))
    need = next(q for q in public.questions if q.result.question.pk == w.need.pk)
    assert need.table[0].cells.split("</td>")[column] == '<td class="num">&lt;5'
    assert public.respondents_total is None
    assert 'aria-label="Жұмыс: &lt;5"' in need.bars_html
    assert f'data-column="{w.district.display_name}"' in public.respondent_bars_html
