"""Who may open a page: one named rule decides both the page and every link to it.

A rule is a function of the user's scope in its app's ``permissions`` module:
``"oversight.view_register"`` is ``bastau.oversight.permissions.view_register(scope)``. A view
says what it needs with ``@requires("oversight.view_register")``; a template shows a link with
``{% allowed "oversight.view_register" as ok %}``. The same function answers both, so a link is
shown exactly when its page opens. Object-level access (this meeting, that appeal) stays with
the app's scoped querysets: an object outside them is a 404.

The scope comes from ``request.scope`` (set by ``accounts.middleware.ScopeMiddleware``), so this
floor imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from importlib import import_module

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def rule(name: str) -> Callable[[object], bool]:
    """The rule function a dotted name stands for; an unknown name is a programming error."""
    app, _, func = name.rpartition(".")  # "voice.people.view_supporters" too
    if not app or not func:
        raise ValueError(f"a rule is named 'app.rule', not {name!r}")
    module = import_module(f"bastau.{app}.permissions")
    try:
        return getattr(module, func)
    except AttributeError:
        raise LookupError(f"no rule {func!r} in bastau.{app}.permissions") from None


def allowed(request, name: str) -> bool:
    """Whether the rule lets the request's user in (an anonymous user never is)."""
    if not request.user.is_authenticated:
        return False
    return bool(rule(name)(request.scope))


def requires(name: str):
    """View decorator: sign-in first (anonymous users go to the login page), then the rule (403).

    The rule is resolved when the module is imported, so a misspelt name fails at start-up,
    not on the first request."""
    check = rule(name)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.scope):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_rule = name
        return wrapper

    return decorator
