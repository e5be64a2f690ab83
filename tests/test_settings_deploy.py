"""`bastau check --deploy` with production values reports nothing, and does report bad values.

Each case runs the real command in a fresh process with a clean environment, so the settings
module is read exactly as a server would read it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bastau.primaries import board

# Only what a process needs to start; nothing from the developer's or CI's Bastau settings.
_PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="bastau.settings",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(64),
        BASTAU_REQUIRE_SECRET_KEY="true",
        ALLOWED_HOSTS="bastau.example.kz",
        CSRF_TRUSTED_ORIGINS="https://bastau.example.kz",
        SITE_URL="https://bastau.example.kz",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bastau.sqlite3'}",
        BASTAU_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.kz",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        SMS_BACKEND="bastau.core.sms.backends.http.SmsBackend",
        SMS_HTTP_URL="https://sms.example.kz/send",
        SMS_HTTP_TOKEN="token",
        BOARD_SIGNING_KEY=board.private_key_to_text(board.generate_private_key()),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bastau", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_pass_check_deploy(tmp_path):
    result = check_deploy(production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output
    assert "security." not in output


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"DEBUG": "true"}, "security.W018"),
        ({"SECRET_KEY": "short-key"}, "security.W009"),
        # Without a key (and without BASTAU_REQUIRE_SECRET_KEY) the development key is used,
        # and the deploy check must say so.
        ({"SECRET_KEY": None, "BASTAU_REQUIRE_SECRET_KEY": None}, "security.W009"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        # Without the switch the site serves plain http, and the deploy check says so.
        ({"HTTPS": None}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.W012"),
        ({"CSRF_COOKIE_SECURE": "false"}, "security.W016"),
        # The ballot board's key: derived from SECRET_KEY when unset, and it must load.
        ({"BOARD_SIGNING_KEY": None}, "bastau.W001"),
        ({"BOARD_SIGNING_KEY": "not-a-key"}, "bastau.E001"),
    ],
    ids=[
        "debug-on",
        "short-key",
        "no-key",
        "no-ssl-redirect",
        "no-https",
        "no-hsts",
        "insecure-session",
        "insecure-csrf",
        "no-board-key",
        "bad-board-key",
    ],
)
def test_check_deploy_reports_bad_values(tmp_path, overrides, expected):
    result = check_deploy(production_env(tmp_path, **overrides))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert expected in output


def test_missing_key_is_an_error_when_required(tmp_path):
    result = check_deploy(production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_malformed_boolean_fails_loudly(tmp_path):
    result = check_deploy(production_env(tmp_path, DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_deploy_doc_describes_every_environment_variable():
    """docs/deploy.md lists every variable settings.py reads, so the two cannot drift apart."""
    import bastau.settings

    source = Path(bastau.settings.__file__).read_text()
    names = set(
        re.findall(
            r"""\b(?:env|env_bool|env_int|env_list|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""",
            source,
        )
    )
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG"} <= names
    doc = (Path(__file__).resolve().parents[1] / "docs" / "deploy.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in doc)
    assert not missing, f"docs/deploy.md does not describe: {', '.join(missing)}"


def test_healthz_is_exempt_from_the_https_redirect(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


# The TLS switch ----------------------------------------------------------------------------------
_TLS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "ALLOWED_HOSTS",
)


def settings_with(tmp_path, **values) -> dict:
    """The TLS settings a process gets from exactly this environment (nothing else set)."""
    env = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="bastau.settings", BASTAU_VAR_DIR=str(tmp_path / "var"))
    env.update(values)
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {_TLS_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_off_alone_serves_plain_http(tmp_path):
    values = settings_with(tmp_path, DEBUG="false")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False


def test_the_https_switch_turns_on_redirect_secure_cookies_and_hsts(tmp_path):
    values = settings_with(
        tmp_path,
        DEBUG="false",
        HTTPS="true",
        ALLOWED_HOSTS="bastau.example.kz,.bastau.kz",
        SITE_URL="https://bastau.example.kz",
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://bastau.example.kz",
        "https://*.bastau.kz",
    ]
    # One setting can still be turned off on its own.
    assert (
        settings_with(tmp_path, HTTPS="true", SECURE_HSTS_SECONDS="0")["SECURE_HSTS_SECONDS"] == 0
    )


def test_trusted_origins_follow_site_url_and_allowed_hosts_unless_set(tmp_path):
    values = settings_with(
        tmp_path,
        DEBUG="false",
        ALLOWED_HOSTS="192.168.1.20,bastau.lan,*",
        SITE_URL="http://192.168.1.20:8000",
    )
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "http://192.168.1.20:8000",
        "http://192.168.1.20",
        "http://bastau.lan",
    ]
    values = settings_with(tmp_path, CSRF_TRUSTED_ORIGINS="https://a.example.kz")
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.kz"]


def test_login_over_plain_http_on_a_lan_address(tmp_path, settings, world):
    """With only DEBUG=false set, a browser on the local network signs in over http: no
    redirect to https, cookies it keeps, and the CSRF check passes."""
    from django.test import Client

    values = settings_with(
        tmp_path, DEBUG="false", ALLOWED_HOSTS="192.168.1.20", SITE_URL="http://192.168.1.20:8000"
    )
    for name, value in values.items():
        setattr(
            settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" and value else value
        )
    client = Client(enforce_csrf_checks=True, HTTP_HOST="192.168.1.20:8000")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    cookie = client.cookies["csrftoken"]
    assert not cookie["secure"]
    response = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": cookie.value,
            "username": world.secretary.username,
            "password": "correct-horse-battery",
        },
        HTTP_ORIGIN="http://192.168.1.20:8000",
    )
    assert response.status_code == 302, response.content[:300]
    assert not client.cookies["sessionid"]["secure"]
    assert client.get("/members/").status_code == 200
