"""The results of a survey made ready to draw, in one pass in Python.

A results page by district draws about 600 cross-tab cells. Done by the template (a filter,
a localised number, a condition and a dictionary lookup per cell) that took most of the
page's time; here every bar width, every grouped number and every cell's text is worked out
once into plain lists, and the template only writes them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from bastau.core.templatetags.bastau import percent_of

from .. import services

HIDDEN = mark_safe("&lt;5")  # a group smaller than 5 on a public page


@dataclass
class Bar:
    label: str
    pct: int
    text: SafeString  # the count as shown, or "<5"
    aria: str


@dataclass
class CrossRow:
    label: str
    cells: SafeString  # the row's <td> cells, numbers only, joined once


@dataclass
class QuestionView:
    result: services.QuestionResult
    answered: str
    bars: list[Bar]
    table: list[CrossRow]

    @property
    def bars_html(self) -> SafeString:
        return bars_html(self.bars)


@dataclass
class ResultsView:
    columns: list[str]
    respondents_total: str | None
    respondent_bars: list[Bar]
    questions: list[QuestionView]

    @property
    def respondent_bars_html(self) -> SafeString:
        return bars_html(self.respondent_bars, data_column=True)


def bars_html(bars: list[Bar], *, data_column: bool = False) -> SafeString:
    """The bar rows of a chart, joined once (labels escaped by format_html)."""
    if data_column:
        return format_html_join(
            "",
            '<div class="bar-row" data-column="{}"><span>{}</span><div class="bar pct-{}" '
            'role="img" aria-label="{}"></div><span class="num">{}</span></div>',
            ((b.label, b.label, b.pct, b.aria, b.text) for b in bars),
        )
    return format_html_join(
        "",
        '<div class="bar-row"><span>{}</span><div class="bar pct-{}" role="img" '
        'aria-label="{}"></div><span class="num">{}</span></div>',
        ((b.label, b.pct, b.aria, b.text) for b in bars),
    )


def _grouper():
    """A fast `intcomma` for the active language: digits grouped by its thousand separator."""
    sep = formats.get_format("THOUSAND_SEPARATOR")
    grouping = formats.get_format("NUMBER_GROUPING")
    if grouping != 3:
        return lambda n: formats.number_format(n, force_grouping=True)
    sep = escape(sep)
    return lambda n: f"{n:,}".replace(",", sep) if n >= 1000 else str(n)


def present(r: services.Results) -> ResultsView:
    group = _grouper()

    def shown(n):
        return HIDDEN if n is None else mark_safe(group(n))

    def bar(label, n, top):
        aria = f"{label}: {'<5' if n is None else group(n)}"
        return Bar(label, percent_of(n or 0, top), shown(n), aria)

    resp = r.respondents
    top = r.top_respondents
    respondent_bars = [
        bar(col.label, n, top) for col, n in zip(r.columns, resp.shown_cells, strict=True)
    ]
    questions = []
    for qr in r.questions:
        top = qr.top
        bars = [bar(row.label, row.shown_total, top) for row in qr.rows]
        table = []
        for row in qr.rows:
            cells = []
            for n, pct in row.items:
                if n is None:
                    cells.append(f'<td class="num">{HIDDEN}</td>')
                elif pct is None:
                    cells.append(f'<td class="num">{group(n)}</td>')
                else:
                    cells.append(
                        f'<td class="num">{group(n)}<span class="share">{int(pct)}%</span></td>'
                    )
            # Only integers and the escaped separator go in: nothing to escape.
            table.append(CrossRow(row.label, mark_safe("".join(cells))))
        questions.append(QuestionView(qr, group(qr.answered), bars, table))
    return ResultsView(
        [c.label for c in r.columns],
        None if resp.shown_total is None else group(resp.shown_total),
        respondent_bars,
        questions,
    )
