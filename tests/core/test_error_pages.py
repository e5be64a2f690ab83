"""400/403/404/500 and CSRF-failure pages: the product's own, in the user's language, with its
header and navigation, and with the right status codes (DEBUG off, as in production)."""

import copy
import re

import pytest
from django.test import Client
from django.utils import translation

LANGS = ["kk", "ru", "en"]


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_errors"


def client_in(lang, **kwargs):
    client = Client(**kwargs)
    client.cookies["bastau_language"] = lang
    return client


def tr(lang, text):
    with translation.override(lang):
        return translation.gettext(text)


def assert_product_page(response, lang, heading, status, title=None):
    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'class="topbar"' in html and 'class="brand"' in html
    assert tr(lang, "Public reception") in html  # the header's link, translated
    assert 'id="lang-select"' in html  # the language switch
    translated = tr(lang, heading)
    if lang != "en":
        assert translated != heading, f"{heading!r} has no {lang} translation"
    assert f"<h1>{translated}</h1>" in html
    assert f"<title>{tr(lang, title or heading)} · " in html
    if lang != "en":
        # Nothing of Django's bare English pages.
        for english in ("Not Found", "Forbidden", "Server Error", "CSRF verification failed"):
            assert english not in html
    return html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_404_is_the_products_page(lang):
    response = client_in(lang).get("/no-such-page/")
    html = assert_product_page(response, lang, "Page not found", 404)
    assert tr(lang, "Error %(code)s") % {"code": 404} in html
    assert tr(lang, "Check the address, or start again from the home page.") in html


@pytest.mark.parametrize("lang", LANGS)
def test_404_shows_the_navigation_of_a_signed_in_user(world, lang):
    client = client_in(lang)
    client.force_login(world.member_user)
    html = assert_product_page(client.get("/members/no-such-page/"), lang, "Page not found", 404)
    assert 'class="mainnav"' in html
    assert tr(lang, "My record") in html
    assert tr(lang, "Sign out") in html


@pytest.mark.parametrize("lang", LANGS)
def test_403_is_the_products_page(world, lang):
    client = client_in(lang)
    client.force_login(world.member_user)  # a member may not read the audit log
    html = assert_product_page(client.get("/audit/"), lang, "Access denied", 403)
    assert 'class="mainnav"' in html
    assert tr(lang, "Your role does not give access to this page.") in html
    ask = "If your work needs it, ask the administrator of your branch to change your role."
    assert tr(lang, ask) in html


@pytest.mark.django_db
def test_400_is_the_products_page(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client_in("ru").get("/no-such-page/", HTTP_HOST="evil.example")
    assert_product_page(response, "ru", "Bad request", 400)


@pytest.mark.parametrize("lang", LANGS)
def test_csrf_failure_is_the_products_page(world, lang):
    client = client_in(lang, enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = assert_product_page(response, lang, "The form has expired", 403)
    again = "Go back, reload the page and send the form again. If it keeps happening, allow cookies"
    assert tr(lang, again + " for this site.") in html
    # The page carries a fresh token, so its own language switch works.
    assert re.search(r'name="csrfmiddlewaretoken" value="\w{20,}"', html)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_500_when_a_view_raises(lang):
    client = client_in(lang, raise_request_exception=False)
    html = assert_product_page(
        client.get("/test-boom/"), lang, "Something went wrong on our side", 500, "Server error"
    )
    assert "a bug in a view" not in html and "RuntimeError" not in html


def test_500_follows_accept_language_without_a_cookie(db):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert_product_page(
        client.get("/test-boom/"), "ru", "Something went wrong on our side", 500, "Server error"
    )


def test_500_renders_when_the_database_and_context_processors_fail(world, settings):
    settings.TEMPLATES = copy.deepcopy(settings.TEMPLATES)
    settings.TEMPLATES[0]["OPTIONS"]["context_processors"].append(
        "tests.core.urls_errors.failing_context_processor"
    )
    client = client_in("kk", raise_request_exception=False)
    client.force_login(world.member_user)
    with pytest.raises(RuntimeError, match="needs the database"):
        # The failing processor is in force: any page rendered with the request context fails.
        client_in("kk").get("/no-such-page/")
    response = client.get("/test-database-down/")
    html = assert_product_page(
        response, "kk", "Something went wrong on our side", 500, "Server error"
    )
    assert "could not connect" not in html


def test_500_falls_back_to_plain_html_when_the_template_fails(db, monkeypatch):
    from django.template import loader

    real_get_template = loader.get_template

    def get_template(name, *args, **kwargs):
        if name == "500.html":
            raise ValueError("Missing staticfiles manifest entry for 'bastau/bastau.css'")
        return real_get_template(name, *args, **kwargs)

    monkeypatch.setattr(loader, "get_template", get_template)
    response = client_in("ru", raise_request_exception=False).get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert f"<h1>{tr('ru', 'Something went wrong on our side')}</h1>" in html
    assert tr("ru", "Go to the home page") in html
    assert "manifest" not in html
