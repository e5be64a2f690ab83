"""A stand-in for bench/run.py's context, to try the HTTP benchmarks before the runner exists.

    python bench/_http_shim.py [--smoke] casting overload crash storm

It creates a fresh PostgreSQL database, migrates it, collects static files, and hands each
module a ctx with the agreed interface (.smoke, .database_url, .env, .python, .server(workers=N),
.results_dir). The real runner (bench/run.py) replaces it; nothing else imports this file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ctx:
    def __init__(self, smoke: bool, results_dir: Path):
        self.smoke = smoke
        self.results_dir = results_dir
        self.python = str(ROOT / ".venv" / "bin" / "python")
        name = f"bench_http_{secrets.token_hex(3)}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        self.db_name = name
        self.database_url = f"{PG}/{name}"
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bastau.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BASTAU_REQUIRE_SECRET_KEY": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "STATIC_ROOT": str(self.tmp / "static"),
            # as bench/common.py's production_env: plain HTTP to 127.0.0.1, no TLS proxy
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "BEHIND_TLS_PROXY": "false",
            "MEDIA_ROOT": str(self.tmp / "media"),
            "BASTAU_VAR_DIR": str(self.tmp / "var"),
            "LOG_LEVEL": "WARNING",
            "AXES_ENABLED": "true",
        }
        bastau = str(ROOT / ".venv" / "bin" / "bastau")
        subprocess.run([bastau, "migrate", "--noinput", "-v0"], env=self.env, check=True)
        subprocess.run([bastau, "collectstatic", "--noinput", "-v0"], env=self.env, check=True)

    @contextlib.contextmanager
    def server(self, workers: int = 2, threads: int = 4, **options):
        """As bench/run.py's Context.server (bench/common.py's start_server)."""
        import common

        with common.start_server(
            self.python, self.env, self.tmp / "logs", workers=workers, threads=threads, **options
        ) as server:
            self.last_server = server
            yield server.url

    def close(self):
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", self.db_name],
            check=False,
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in args.names:
        ctx = Ctx(args.smoke, results)
        try:
            module = importlib.import_module(f"b_{name}")
            t0 = time.monotonic()
            figures = module.run(ctx)
            figures["wall_s"] = round(time.monotonic() - t0, 1)
            out = results / f"{name}{'-smoke' if args.smoke else ''}.json"
            out.write_text(json.dumps(figures, indent=2))
            print(json.dumps({name: figures}, indent=2))
        except Exception:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            failed = True
        finally:
            if not args.keep:
                ctx.close()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
