import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
application = get_asgi_application()

from bastau.core.startup import settle  # noqa: E402

settle()
