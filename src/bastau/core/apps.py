from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bastau.core"
    verbose_name = _("Core")

    def ready(self):
        connection_created.connect(unicode_sqlite, dispatch_uid="bastau-unicode-sqlite")


def _like(pattern: str, value, escape: str = "\\") -> bool:
    if value is None or pattern is None:
        return False
    return _like_regex(pattern, escape).match(str(value)) is not None


_cache: dict = {}


def _like_regex(pattern: str, escape: str):
    import re

    key = (pattern, escape)
    if key not in _cache:
        parts, i = [], 0
        while i < len(pattern):
            char = pattern[i]
            if char == escape and i + 1 < len(pattern):
                parts.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
            i += 1
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL)
    return _cache[key]


def unicode_sqlite(sender, connection, **kwargs):
    """SQLite's LIKE folds case only for ASCII, so "әбіл" would not find "Әбілқайырова" in the
    demo. Replace LIKE (and lower/upper) with Unicode-aware versions on SQLite connections;
    PostgreSQL already folds Cyrillic correctly."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, lambda p, v: _like(p, v), deterministic=True)
    raw.create_function("like", 3, _like, deterministic=True)
    raw.create_function(
        "lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True
    )
    raw.create_function(
        "upper", 1, lambda v: v.upper() if isinstance(v, str) else v, deterministic=True
    )
