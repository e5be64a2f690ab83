import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
application = get_wsgi_application()

from bastau.core.startup import settle  # noqa: E402

settle()
