"""The pieces every app builds its pages from: the permission rule decorator and the form page."""

from __future__ import annotations

import sys
import types

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.template import Context, Template
from django.test import RequestFactory

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.core import pages, permissions
from bastau.core.forms import apply_errors
from tests import factories as f


@pytest.fixture
def rules(monkeypatch):
    """A stand-in app whose rules let in only the user named 'in'."""
    module = types.ModuleType("bastau.sample.permissions")
    module.open_page = lambda scope: scope.user.username == "in"
    monkeypatch.setitem(sys.modules, "bastau.sample.permissions", module)
    return module


class _User:
    is_authenticated = True

    def __init__(self, username):
        self.username = username


def _request(user, method="get", data=None):
    request = getattr(RequestFactory(), method)("/sample/", data or {})
    request.user = user
    request.scope = Scope(user)  # the page around the form asks the real rules
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    return request


def test_requires_lets_in_whom_the_rule_allows(rules):
    view = permissions.requires("sample.open_page")(lambda request: HttpResponse("ok"))
    assert view(_request(_User("in"))).content == b"ok"
    with pytest.raises(PermissionDenied):
        view(_request(_User("out")))
    assert view.required_rule == "sample.open_page"


def test_requires_sends_the_anonymous_to_sign_in(rules, settings):
    view = permissions.requires("sample.open_page")(lambda request: HttpResponse("ok"))
    response = view(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert "next=/sample/" in response["Location"]


def test_a_misspelt_rule_fails_when_the_view_is_defined(rules):
    with pytest.raises(LookupError):
        permissions.requires("sample.opne_page")
    with pytest.raises(ValueError):
        permissions.requires("no_dot")


def test_the_template_tag_asks_the_same_rule(rules):
    template = Template('{% load bastau %}{% allowed "sample.open_page" as ok %}{{ ok }}')
    assert template.render(Context({"request": _request(_User("in"))})) == "True"
    assert template.render(Context({"request": _request(_User("out"))})) == "False"
    assert template.render(Context({"request": _request(AnonymousUser())})) == "False"


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


@pytest.fixture
def staff(db):
    return f.user(Role.REGIONAL_ADMIN, username="in")


def _page(request, save):
    return pages.form_page(
        request,
        NameForm(request.POST or None),
        save=save,
        done=lambda result: f"/done/{result}/",
        message="Saved.",
        title="Name it",
        cancel="/back/",
        subtitle="A subtitle",
    )


def test_form_page_shows_the_form(staff):
    response = _page(_request(staff), save=lambda data: pytest.fail("not posted"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Name it</h1>" in html and "A subtitle" in html
    assert 'name="name"' in html and 'href="/back/"' in html


def test_form_page_runs_the_action_and_moves_on(staff):
    saved = []
    request = _request(staff, "post", {"name": "Aigerim"})
    response = _page(request, save=lambda data: saved.append(data["name"]) or 7)
    assert saved == ["Aigerim"]
    assert (response.status_code, response["Location"]) == (302, "/done/7/")
    assert [str(m) for m in request._messages] == ["Saved."]


def test_form_page_shows_the_actions_error_and_stays(staff):
    def refuse(data):
        raise ValidationError({"name": "Taken.", "other": "Not a field."})

    request = _request(staff, "post", {"name": "Aigerim"})
    response = _page(request, save=refuse)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Taken." in html and "Not a field." in html
    assert list(request._messages) == []


def test_form_page_does_not_call_the_action_on_invalid_input(staff):
    request = _request(staff, "post", {"name": "x" * 21})
    response = _page(request, save=lambda data: pytest.fail("called on invalid input"))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_apply_errors_puts_field_errors_beside_their_fields():
    form = NameForm({"name": "ok"})
    assert form.is_valid()
    apply_errors(form, ValidationError({"name": "Bad name.", "elsewhere": "General."}))
    apply_errors(form, ValidationError("Plain."))
    assert form.errors["name"] == ["Bad name."]
    assert form.non_field_errors() == ["General.", "Plain."]
