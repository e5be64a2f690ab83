"""The pure rules of a questionnaire: conditions, answer checks, age groups, suppression."""

import datetime as dt

from bastau.voice.surveys import rules as r

Q = r.QuestionSpec
QUESTIONS = [
    Q("need", r.SINGLE, options=("jobs", "housing")),
    Q("seeking", r.SINGLE, options=("yes", "no"), show_if=("need", ("jobs",))),
    Q("why", r.TEXT, required=False, show_if=("seeking", ("no",))),
    Q("support", r.MULTIPLE, options=("a", "b", "c")),
    Q("score", r.SCALE, scale_min=1, scale_max=5),
    Q("kids", r.NUMBER, required=False, number_min=0, number_max=20),
]


def test_conditions_show_and_hide_in_chain():
    assert r.visible(QUESTIONS, {"need": "housing"}) == ["need", "support", "score", "kids"]
    assert r.visible(QUESTIONS, {"need": "jobs"})[:2] == ["need", "seeking"]
    assert "why" in r.visible(QUESTIONS, {"need": "jobs", "seeking": "no"})
    # "why" depends on "seeking", hidden when "need" is not jobs: hidden too.
    assert "why" not in r.visible(QUESTIONS, {"need": "housing", "seeking": "no"})


def test_a_valid_answer_is_cleaned():
    checked = r.check(
        QUESTIONS,
        {
            "need": "jobs",
            "seeking": "no",
            "why": "  far  ",
            "support": ["a", "c", "a"],
            "score": "4",
            "kids": " 2 ",
        },
    )
    assert checked.ok
    assert checked.answers == {
        "need": "jobs",
        "seeking": "no",
        "why": "far",
        "support": ["a", "c"],
        "score": 4,
        "kids": 2,
    }


def test_answers_to_hidden_questions_are_dropped_not_counted():
    checked = r.check(QUESTIONS, {"need": "housing", "seeking": "yes", "support": "b", "score": 3})
    assert checked.ok and "seeking" not in checked.answers


def test_malformed_answers_are_refused_each_with_its_problem():
    checked = r.check(
        QUESTIONS,
        {"need": ["jobs", "housing"], "support": ["z"], "score": "9", "kids": "two"},
    )
    assert not checked.ok
    problems = {key: code for key, code, _params in checked.problems}
    assert problems == {
        "need": "one_only",
        "support": "unknown_option",
        "score": "out_of_range",
        "kids": "not_a_number",
    }
    params = {k: p for k, _c, p in checked.problems}
    assert params["score"] == {"min": 1, "max": 5}


def test_required_and_optional():
    checked = r.check(QUESTIONS, {"need": "jobs"})
    codes = [(k, c) for k, c, _p in checked.problems]
    assert codes == [("seeking", "required"), ("support", "required"), ("score", "required")]
    assert r.check(QUESTIONS, {"need": "housing", "support": "a", "score": "1"}).ok


def test_text_limits():
    q = [Q("t", r.TEXT)]
    assert r.check(q, {"t": "x" * (r.TEXT_MAX_CHARS + 1)}).problems[0][1] == "too_long"
    assert r.check(q, {"t": "a\x00b"}).problems[0][1] == "bad_text"
    assert r.check(q, {"t": ["a", "b"]}).problems[0][1] == "one_only"


def test_definition_checks():
    bad = [
        Q("a", r.SINGLE, options=("x",)),
        Q("b", r.SCALE, scale_min=5, scale_max=1),
        Q("c", r.TEXT, show_if=("d", ("x",))),
        Q("d", r.SINGLE, options=("x", "y")),
        Q("e", r.TEXT, show_if=("d", ("z",))),
        Q("f", r.TEXT, show_if=("c", ("x",))),
    ]
    assert r.check_definition(bad) == [
        ("a", "few_options"),
        ("b", "bad_scale"),
        ("c", "condition_order"),
        ("e", "condition_option"),
        ("f", "condition_option"),
    ]
    assert r.check_definition(QUESTIONS) == []


def test_age_groups_on_the_reference_day():
    ref = dt.date(2026, 3, 1)
    assert r.age_group_of(dt.date(1991, 3, 2), ref) == "30-34"  # 34 the day before 35
    assert r.age_group_of(dt.date(1991, 3, 1), ref) == "35-44"
    assert r.age_group_of(dt.date(2012, 3, 2), ref) == ""  # 13, a day short of 14
    assert r.age_group(14) == "14-17" and r.age_group(13) == "" and r.age_group(90) == "60+"


def test_public_suppression():
    assert r.suppress(4) is None and r.suppress(5) == 5
    assert r.suppress_row([10, 3, 7, 0]) == [10, None, None, 0]  # the smallest other hidden too
    assert r.suppress_row([10, 3, 2]) == [10, None, None]
    assert r.suppress_row([10, 6]) == [10, 6]
    assert r.share(1, 3) == 33 and r.share(2, 3) == 67 and r.share(1, 0) == 0


def test_public_cross_tab_leaves_no_lone_hidden_count():
    table = [[1, 9, 12], [6, 8, 10]]
    shown = r.suppress_table(table)
    assert shown[0][0] is None and shown[1][0] is None  # the column's other count
    assert shown[0][1] is None  # the row's smallest other count
    for line in [*shown, *zip(*shown, strict=True)]:
        assert sum(1 for c in line if c is None) != 1
    assert r.suppress_table([[5, 7], [0, 9]]) == [[5, 7], [0, 9]]
