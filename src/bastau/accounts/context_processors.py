from .scoping import scope_for


def navigation(request):
    """The user's Scope for templates (`scope.is_regional_admin`, ...): `request.scope`, set by
    accounts.middleware.ScopeMiddleware (built here for a request that did not pass it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = getattr(request, "scope", None)
    return {"scope": scope if scope is not None else scope_for(user)}
