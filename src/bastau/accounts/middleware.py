"""``request.scope``: who the user is and where, built once per request when first asked for."""

from django.utils.functional import SimpleLazyObject

from .scoping import scope_for


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)
