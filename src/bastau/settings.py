"""Bastau settings. Every value comes from the environment; the defaults run the demo.

Typed helpers fail loudly on a malformed value rather than guessing.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("BASTAU_VAR_DIR", PROJECT_DIR / "var"))
if _test_worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs two pytest workers at once: each keeps its files (the demo's trustee key
    # files, uploads, mail) in a folder of its own, as each has its own test database.
    VAR_DIR = VAR_DIR / f"test-{_test_worker}"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("BASTAU_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Development only: a fixed key so sessions survive restarts of `make demo`. The
    # "django-insecure-" prefix makes `check --deploy` report it (security.W009).
    SECRET_KEY = "django-insecure-bastau-development-key-not-for-production-0123456789"

# The one TLS switch: true when visitors reach the site over https (a TLS proxy in front, see
# docs/deploy.md). It turns on the https redirect, secure cookies and HSTS below; false (the
# default) serves plain http, login included, e.g. on a closed network.
HTTPS = env_bool("HTTPS", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
# The product's own page, in the user's language (Django's is bare English).
CSRF_FAILURE_VIEW = "bastau.core.views.csrf_failure"
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")


def _trusted_origins(site_url: str, hosts: list[str], https: bool) -> list[str]:
    """The origins form posts may come from: SITE_URL's, and each allowed host's with the
    scheme HTTPS says (".example.kz" allows its subdomains; "*" adds nothing)."""
    origins = []
    parsed = urlsplit(site_url)
    if parsed.scheme in {"http", "https"} and parsed.netloc:
        origins.append(f"{parsed.scheme}://{parsed.netloc}")
    scheme = "https" if https else "http"
    for host in hosts:
        if host == "*" or not host:
            continue
        origins.append(f"{scheme}://*{host}" if host.startswith(".") else f"{scheme}://{host}")
    return list(dict.fromkeys(origins))


CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or _trusted_origins(
    SITE_URL, ALLOWED_HOSTS, HTTPS
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "bastau.core",
    "bastau.accounts",
    "bastau.structure",
    "bastau.members",
    "bastau.primaries",
    "bastau.reception",
    "bastau.oversight",
    "bastau.activity",
    "bastau.voice.people",
    "bastau.voice.surveys",
    "bastau.voice.agenda",
    "bastau.voice.outreach",
    "bastau.reports",
    "bastau.api",
    "bastau.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Bounds the requests a process handles at once; answers 503 + Retry-After when saturated.
    "bastau.core.overload.OverloadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below); static files,
    # answered by WhiteNoise above, do without it.
    "csp.middleware.CSPMiddleware",
    # The thin cast path (issue #16): the confirming POST of a ballot and the encrypted cast
    # skip what follows when the session's proof, CSRF and the ballot are in order; anything
    # else goes on down the stack (bastau.primaries.castpath).
    "bastau.primaries.castpath.CastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.scope: the signed-in user's role and place, for core.permissions.requires.
    "bastau.accounts.middleware.ScopeMiddleware",
    # Pages for a signed-in user are never stored by the browser or a proxy (Cache-Control).
    "bastau.core.security.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bastau.urls"
WSGI_APPLICATION = "bastau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bastau.accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bastau.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A saturated database answers with an error after this long instead of hanging a request
    # (and its slot, see OVERLOAD below). 0 turns it off (migrations on a huge table, say).
    DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 10_000)
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASE_STATEMENT_TIMEOUT_MS > 0 and "statement_timeout" not in _pg_options.get(
        "options", ""
    ):
        _pg_options["options"] = (
            f"{_pg_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        ).strip()
    # A connection pool per process (psycopg_pool): at most this many connections, shared by
    # the process's threads, instead of one persistent connection per thread. With many server
    # threads (so that the overload middleware sees the excess requests and refuses them, see
    # docs/deploy.md section 6) per-thread connections would exceed max_connections; the pool
    # bounds them at workers x DATABASE_POOL_SIZE. 0 (the default): no pool.
    DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
    if DATABASE_POOL_SIZE > 0:
        # Django checks each connection as the pool hands it out (conn_health_checks), so a
        # dead one is replaced after a PostgreSQL restart instead of failing the request.
        _pg_options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            # A thread that finds every connection busy waits this long, then gets 503.
            "timeout": env_float("DATABASE_POOL_TIMEOUT", 5.0),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica for the reads that opt in (bastau.core.dbrouter: statistics,
# reports, exports, the public board); everything else, and every write, stays on the primary.
# After a write a browser's reads stay on the primary for DATABASE_REPLICA_PIN_SECONDS (keep it
# above the replica's usual lag). In tests the alias mirrors the test database (TEST MIRROR: on a
# real replica the test database created on the primary arrives by replication).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL in DATABASE_URL")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        # an unreachable replica must not hang a request: the primary answers instead
        "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 3),
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["bastau.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("bastau.primaries.castpath.CastPathMiddleware"),
        "bastau.core.dbrouter.ReplicaMiddleware",
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind N reverse proxies the client address is the N-th from the right in X-Forwarded-For;
# without this every lock-out would apply to the proxy's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# One-time login codes.
OTP_LENGTH = 6
OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 300)
OTP_MAX_ATTEMPTS = 5
# Limits on asking for codes (accounts/otp.py), each per sliding hour; 0 turns one off. They
# count requests, so an unknown phone is limited exactly like an existing one.
# Requests to one phone or email (and codes to one account):
OTP_MAX_CODES_PER_HOUR = env_int("OTP_MAX_CODES_PER_HOUR", 5)
# Requests from one client address (see TRUSTED_PROXY_COUNT):
OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR = env_int("OTP_MAX_REQUESTS_PER_ADDRESS_PER_HOUR", 20)
# Codes sent by the whole installation:
OTP_MAX_CODES_TOTAL_PER_HOUR = env_int("OTP_MAX_CODES_TOTAL_PER_HOUR", 500)

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "bastau_language"
TIME_ZONE = env("TIME_ZONE", "Asia/Aqtobe")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["bastau.formats"]

STATIC_URL = "static/"
# The project's own assets (bastau/bastau.css, vendor/htmx) live outside any app's static/.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("BASTAU_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Uploaded imports may be large; they stream to disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Files with more rows than this are imported by the background worker.
IMPORT_INLINE_MAX_ROWS = env_int("IMPORT_INLINE_MAX_ROWS", 2000)
# Hard limit on the data rows of one import file (memory stays bounded; time does not).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# Uploaded workbooks are untrusted (bastau.lib.xlsx): the rightmost column a cell may be in,
# the declared unpacked size of all parts, the unpacked / packed ratio of a part (zip bombs;
# real sheets are 10-20), the number of parts.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 256)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env_int("IMPORT_XLSX_MAX_UNPACKED_BYTES", 2 * 1024**3)
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 200)
IMPORT_XLSX_MAX_PARTS = env_int("IMPORT_XLSX_MAX_PARTS", 1000)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email: console in development, SMTP by configuration (EMAIL_BACKEND, EMAIL_HOST, ...).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Bastau <noreply@bastau.local>")

# SMS: the same pluggable shape as email (see bastau.core.sms).
SMS_BACKEND = env("SMS_BACKEND", "bastau.core.sms.backends.console.SmsBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", str(VAR_DIR / "sms"))
SMS_HTTP_URL = env("SMS_HTTP_URL")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN")
SMS_HTTP_SENDER = env("SMS_HTTP_SENDER", "Bastau")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)

# The public ballot board's Ed25519 signing key: raw 32 bytes in base64, or PEM.
# Without it a key is derived from SECRET_KEY (fine for the demo; check --deploy warns).
BOARD_SIGNING_KEY = env("BOARD_SIGNING_KEY")
# Encrypted ballots: check every proof while the member waits (True), or only the signature and
# the credential, leaving the proofs to the task worker (False, the default: a ballot whose
# proofs fail is then rejected on the record with evidence and never counted).
E2E_PROOFS_ON_CAST = env_bool("E2E_PROOFS_ON_CAST", False)

# Overload (bastau.core.overload): at most this many requests at once per process (0: no limit);
# a request waits up to OVERLOAD_QUEUE_TIMEOUT seconds for a slot, else gets 503 + Retry-After.
MAX_CONCURRENT_REQUESTS = env_int("MAX_CONCURRENT_REQUESTS", 32)
OVERLOAD_QUEUE_TIMEOUT = env_float("OVERLOAD_QUEUE_TIMEOUT", 2.0)
OVERLOAD_RETRY_AFTER = env_int("OVERLOAD_RETRY_AFTER", 5)
# At most this many requests of a process wait for a slot; more are refused at once (unset:
# as many as MAX_CONCURRENT_REQUESTS). Under sustained overload waiting only moves the queue.
OVERLOAD_MAX_WAITING = env_int("OVERLOAD_MAX_WAITING", -1)
if OVERLOAD_MAX_WAITING < 0:
    OVERLOAD_MAX_WAITING = None
OVERLOAD_EXEMPT_PATHS = ["/healthz"]  # and STATIC_URL

# Membership statistics: youth is age below this many whole years.
YOUTH_AGE_LIMIT = env_int("YOUTH_AGE_LIMIT", 35)

# Security: HTTPS (above) decides the TLS settings; each can still be set on its own.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", HTTPS) else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
# Sessions: in Redis when REDIS_URL is set (Django's cache backend: no database round trip per
# signed-in request; a Redis restart signs everyone out, and nothing else is lost); in the
# database otherwise (`make demo`, SQLite). SESSION_ENGINE overrides, e.g.
# django.contrib.sessions.backends.cached_db to keep them in both.
SESSION_ENGINE = env(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cache"
    if env("REDIS_URL")
    else "django.contrib.sessions.backends.db",
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A strict policy: scripts, styles, images, fonts and requests only from this origin, no inline
# script, handler or style attribute (templates and tests/core/test_security_headers.py keep
# it so), no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# The HTTP API (/api/v1/, docs/api.md): requests a minute per token and, without a token, per
# client address; counted in the default cache (Redis when REDIS_URL is set).
API_RATE_LIMIT = env("API_RATE_LIMIT", "600/min")
API_ANON_RATE_LIMIT = env("API_ANON_RATE_LIMIT", "120/min")
