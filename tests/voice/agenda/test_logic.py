"""The programme's pure logic: commitment state, version differences, trends."""

import datetime as dt

from bastau.voice.agenda import logic

D = dt.date


def test_an_open_commitment_is_overdue_from_the_day_after_its_deadline():
    deadline = D(2030, 5, 31)
    assert logic.commitment_state("planned", deadline, D(2030, 5, 31)) == "planned"
    assert logic.commitment_state("planned", deadline, D(2030, 6, 1)) == "overdue"
    assert logic.commitment_state("in_progress", deadline, D(2031, 1, 1)) == "overdue"
    assert logic.commitment_state("done", deadline, D(2031, 1, 1)) == "done"
    assert logic.commitment_state("cancelled", deadline, D(2031, 1, 1)) == "cancelled"
    assert logic.on_track("in_progress", deadline, D(2030, 5, 1))
    assert not logic.on_track("in_progress", deadline, D(2030, 6, 2))


def _item(key, **fields):
    base = dict(key=key, title=f"Item {key}", title_ru="", indicator="km", target="10",
                deadline="2030-01-01", responsible="Akimat", cost=None, district="",
                issues=["A"])  # fmt: skip
    base.update(fields)
    return base


def test_diff_lists_added_removed_and_changed_fields():
    old = [_item(1), _item(2), _item(3, cost="100.0")]
    new = [_item(1), _item(3, cost="150.0", issues=["A", "B"]), _item(4)]
    diff = logic.diff_items(old, new)
    assert [i["key"] for i in diff.added] == [4]
    assert [i["key"] for i in diff.removed] == [2]
    assert len(diff.changed) == 1
    change = diff.changed[0]
    assert change.key == 3
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("cost", "100.0", "150.0"),
        ("issues", ["A"], ["A", "B"]),
    ]
    assert diff.unchanged == 1
    assert not diff.empty


def test_diff_of_equal_versions_is_empty_and_order_of_issues_does_not_matter():
    diff = logic.diff_items([_item(1, issues=["B", "A"])], [_item(1, issues=["A", "B"])])
    assert diff.empty and diff.unchanged == 1
    assert logic.diff_items([], [_item(1)]).added[0]["key"] == 1


def test_quarters_and_trend():
    assert logic.quarters(D(2025, 11, 3), D(2026, 4, 1)) == ["2025 Q4", "2026 Q1", "2026 Q2"]
    assert logic.quarter_label(D(2026, 9, 30)) == "2026 Q3"
    trend = logic.trend({"2025 Q4": 3, "2026 Q2": 5}, ["2025 Q4", "2026 Q1", "2026 Q2"])
    assert [(p.count, p.change) for p in trend.points] == [(3, None), (0, -3), (5, 5)]
    assert trend.total == 8 and trend.direction == "up" and trend.peak == 5
    assert logic.trend({"a": 2, "b": 1}, ["a", "b"]).direction == "down"
    assert logic.trend({}, ["a"]).direction == ""
