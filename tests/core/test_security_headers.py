"""Headers and markup that keep pages safe: a strict Content-Security-Policy on every page,
templates and Python-built HTML with nothing it would block (no inline script, handler or
style attribute), and pages with personal data that no browser or proxy keeps."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from bastau.core.templatetags.bastau import percent_of
from bastau.oversight.views.budget import _execution_width
from bastau.reception.models import Topic

from ..factories.reception import register

SRC = Path(__file__).resolve().parents[2] / "src" / "bastau"
TEMPLATES = SRC / "templates"
STATIC = SRC / "static" / "bastau"

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# What the policy would block, or what is script in disguise.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
# A javascript: URL in an attribute (href, src, action, formaction...), not the word in a sentence.
JS_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_INLINE = re.compile(r"""\s(?:data-)?hx-(?:on\b|on:|vars\s*=)""", re.IGNORECASE)


def offences(html: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("event handler attribute", HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("javascript: URL", JS_URL),
        ("htmx inline script (hx-on, hx-vars)", HTMX_INLINE),
    ]:
        for match in pattern.finditer(html):
            line = html.count("\n", 0, match.start()) + 1
            found.append(f"{name} at line {line}: {html[match.start() : match.start() + 60]!r}")
    return found


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


# The checker itself -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<script type='module'>x()</script>",
        '<select onchange="this.form.submit()">',
        "<input onfocus='this.select()'>",
        '<div style="width:5%">',
        "<style>p{}</style>",
        '<a href="javascript:void(0)">',
        "<form action=' JavaScript:go()'>",
        "<a href=javascript:go()>",
        '<button hx-on:click="go()">',
        "<button hx-on::after-request='x()'>",
        '<div hx-vars="a:1">',
    ],
)
def test_the_checker_finds_what_the_policy_blocks(html):
    assert offences(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/vendor/htmx.min.js" defer></script>',
        '<select data-submit-on-change name="language">',
        '<div class="bar pct-50" role="img">',
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>',
        '<input name="online" data-select-on-focus>',
        "<p>Bastau: one, two</p>",
        "<noscript><p>The ballot needs JavaScript: your browser encrypts it.</p></noscript>",
    ],
)
def test_the_checker_lets_clean_markup_through(html):
    assert offences(html) == []


# Templates and Python-built HTML ------------------------------------------------------------
def test_no_template_has_inline_script_handlers_or_styles():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 100  # the walk really found the templates
    problems = [
        f"{path.relative_to(SRC)}: {problem}"
        for path in templates
        for problem in offences(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


def test_python_code_builds_no_inline_style_or_script():
    """format_html, mark_safe and widget attrs in the code add no style/script either."""
    attribute = re.compile(
        r"""(?:\sstyle=\\?["']|["']style["']\s*:|<script\b|\son[a-z]+=\\?["'])"""
    )
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if attribute.search(line):
                problems.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert problems == []


def test_every_class_the_bars_use_is_in_the_stylesheet():
    css = (STATIC / "bastau.css").read_text(encoding="utf-8")
    for n in range(101):
        assert f".pct-{n}{{width:{n}%}}" in css
    for name in ["mt-0", "mt-1", "mt-15", "measure-44", "card-narrow", "pre-line", "bar-cell"]:
        assert f".{name} " in css or f".{name}{{" in css, name
    # htmx's request indicator is styled here, since htmx may not inject its <style>.
    assert ".htmx-indicator" in css


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 10, 0),
        (10, 10, 100),
        (1, 3, 33),
        (2, 3, 67),  # 66.67 rounds up
        (1, 8, 13),  # 12.5 rounds half up
        (1, 1000, 0),
        (5, 1000, 1),
        (12, 10, 100),  # never beyond the row
        (-3, 10, 0),
        (3, 0, 0),
        ("7", "14", 50),
        (None, 10, 0),
        ("x", 10, 0),
    ],
)
def test_percent_of_gives_a_whole_percent_for_the_bar_classes(part, whole, expected):
    assert percent_of(part, whole) == expected


@pytest.mark.parametrize(
    ("execution", "expected"),
    [(None, 0), ("0", 0), ("49.5", 50), ("49.4", 49), ("100", 100), ("137.2", 100), ("-5", 0)],
)
def test_budget_execution_bars_are_whole_percent_within_the_row(execution, expected):
    value = None if execution is None else Decimal(execution)
    assert _execution_width(value) == expected


def test_a_bar_renders_with_a_class_and_no_style():
    html = Template('{% load bastau %}<div class="bar pct-{{ n|percent_of:top }}"></div>').render(
        Context({"n": 37, "top": 74})
    )
    assert html == '<div class="bar pct-50"></div>'


# Headers on pages ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_every_html_page_has_the_strict_policy(client, world):
    anonymous = [
        reverse("accounts:login"),
        reverse("reception:public"),
        reverse("reception:submit"),
    ]
    signed_in = [
        reverse("members:list"),
        reverse("members:detail", args=[world.member.pk]),
        reverse("members:overview"),
        reverse("reception:staff_dashboard"),
        reverse("oversight:statistics"),
        reverse("activity:index"),
        reverse("primaries:campaigns"),
    ]
    for url in anonymous + [None] + signed_in:
        if url is None:
            client.force_login(world.admin)
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url
        assert parse_policy(response["Content-Security-Policy"]) == POLICY, url
        assert "unsafe" not in response["Content-Security-Policy"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        assert offences(response.content.decode()) == [], url


@pytest.mark.django_db
def test_the_page_head_loads_scripts_and_public_stylesheets_from_files(client):
    html = client.get(reverse("reception:submit")).content.decode()
    head, body = html.split("</head>", 1)
    assert 'src="/static/bastau/bastau.js" defer' in head
    assert 'src="/static/vendor/htmx.min.js" defer' in head
    assert '"includeIndicatorStyles":false' in head
    assert "reception-public.css" in head and "reception-public.css" not in body
    assert "<link" not in body

    html = client.get(reverse("primaries:campaigns")).content.decode()
    head, body = html.split("</head>", 1)
    assert "primaries-public.css" in head and "<link" not in body


# Personal data is not cached ----------------------------------------------------------------
def no_store(response) -> bool:
    return "no-store" in {p.strip() for p in response.get("Cache-Control", "").split(",")}


@pytest.mark.django_db
def test_pages_with_personal_data_are_not_stored(client, world):
    world.topic = Topic.objects.get(code="social_aid")
    appeal = register(world)
    world.member_user.refresh_from_db()
    client.force_login(world.member_user)
    response = client.get(reverse("members:me"))
    assert response.status_code == 200
    assert no_store(response)
    assert "private" in response["Cache-Control"]

    client.force_login(world.secretary)
    for url in [
        reverse("members:list"),
        reverse("members:list") + "?q=a",
        reverse("members:detail", args=[world.member.pk]),
        reverse("members:edit", args=[world.member.pk]),
        reverse("members:export"),
        reverse("members:admissions"),
        reverse("reception:staff_appeals"),
        reverse("reception:staff_appeal", args=[appeal.pk]),
        reverse("reception:staff_appeals_xlsx"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))


@pytest.mark.django_db
def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    """Only what shows personal data is marked: the public reception's home page is not."""
    response = client.get(reverse("reception:public"))
    assert response.status_code == 200
    assert not no_store(response)
