"""Response headers that keep personal data out of caches.

Behind the sign-in nearly every page shows personal data (names, IINs, addresses, appeals,
member records and lists, exports), so rather than marking pages one by one (and missing
the next one), every response to a signed-in user is `Cache-Control: private, no-store`
unless its view set a Cache-Control of its own. Public pages that show one person's data
(the appeal status, a booking, a vote receipt) are marked in their views with `never_cache`.
"""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on responses to a signed-in user.

    Placed after AuthenticationMiddleware. A view that chose its own caching (the public
    bulletin board's JSON, say) keeps it; static files never get here (WhiteNoise answers
    them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
