from django.contrib.auth.backends import ModelBackend

from .models import User
from .otp import verify_code


class OneTimeCodeBackend(ModelBackend):
    """authenticate(request, otp_user_id=..., otp_code=...) signs in with a one-time code."""

    def authenticate(self, request, otp_user_id=None, otp_code=None, **kwargs):
        if otp_user_id is None or otp_code is None:
            return None
        user = User.objects.filter(pk=otp_user_id, is_active=True).first()
        if user is None or not verify_code(user, otp_code):
            return None
        return user
