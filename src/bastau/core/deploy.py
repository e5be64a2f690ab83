"""What `bastau serve` checks before it starts the production stack.

Django's `check --deploy` only warns about a development key; a production start must refuse it,
saying exactly what to set. The board key is checked by the primaries app's own system check
(bastau.W001 / bastau.E001), run here through the checks framework.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

SECRET_KEY_HOWTO = (
    "Set SECRET_KEY in the environment to 50 or more random characters, the same on every "
    "node, for example the output of: "
    'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
)
BOARD_KEY_HOWTO = (
    "Run `bastau generate_board_key` and set BOARD_SIGNING_KEY in the environment to the value "
    "it prints on the BOARD_SIGNING_KEY= line (publish the BOARD_PUBLIC_KEY line)."
)


def secret_key_is_weak(key: str) -> bool:
    """Django's own test (security.W009), plus the development key's prefix."""
    return not key or key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5


def start_problems() -> list[str]:
    """Why the production stack must not start with these settings; empty when it may."""
    problems = []
    if settings.DEBUG:
        problems.append(
            "DEBUG is on. `bastau serve` runs the production stack: unset DEBUG or set "
            "DEBUG=false (use `make demo` for development)."
        )
    if secret_key_is_weak(settings.SECRET_KEY):
        problems.append(
            "SECRET_KEY is the development key (or too short to be secret). " + SECRET_KEY_HOWTO
        )
    if not getattr(settings, "BOARD_SIGNING_KEY", ""):
        problems.append(
            "BOARD_SIGNING_KEY is not set, so the ballot board would be signed with a key "
            "derived from SECRET_KEY. " + BOARD_KEY_HOWTO
        )
    else:
        for message in checks.run_checks(
            tags=[checks.Tags.security], include_deployment_checks=True
        ):
            if message.id == "bastau.E001":
                problems.append(f"{message.msg} {BOARD_KEY_HOWTO}")
    return problems
