"""Shared helpers of the benchmark harness (bench/run.py and the bench/b_*.py modules).

No Django import here: the harness drives Bastau from the outside, through `bastau` commands
and a real server, as an operator would. Modules that must look inside (query counts) do it in
a subprocess with the benchmark's environment.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

#: The figures of issue #7 (full) and the toy sizes of `make bench-smoke`.
FULL_SIZES = {
    "members": 1_000_000,
    "appeals": 1_000_000,
    "ballots": 662_687,
    "candidates": 10_990,
    "lists": 3_400,
}
SMOKE_SIZES = {"members": 3_000, "appeals": 1_000, "ballots": 1_000, "candidates": 40, "lists": 8}
#: The date the generated data is built around, fixed so that runs are comparable.
DATA_DATE = "2026-05-10"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdefghij"
#: base64 of SHA-256("bastau-bench-board-key"): a fixed board key, so boards are reproducible.
BOARD_SIGNING_KEY = "oUS/SfSpNA1GbXEwvdK+ZLOEeliC9yXOAJBTw1XQ7aw="
ADMIN = ("bench-admin", "bastau-bench")


# Statistics -----------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of unsorted values; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, Any]:
    """n, p50, p95, p99, max and mean of durations, in milliseconds (rounded to 0.1)."""

    def ms(value):
        return None if value is None else round(value * 1000, 1)

    return {
        "n": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p95_ms": ms(percentile(seconds, 95)),
        "p99_ms": ms(percentile(seconds, 99)),
        "max_ms": ms(max(seconds) if seconds else None),
        "mean_ms": ms(sum(seconds) / len(seconds) if seconds else None),
    }


@dataclass
class Timed:
    """Durations of the measured requests (warm-up left out), their status codes, the problems
    `problem_of` found in them, and the last response."""

    times: list[float]
    statuses: dict[int, int]
    wrong: dict[str, int]
    last: Any


def time_requests(send, *, n: int, warmup: int, problem_of) -> Timed:
    """Call `send()` warmup + n times; time each call; count statuses and problems
    (`problem_of(response)`: a short label, or None when the response is the expected page)."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    wrong: dict[str, int] = {}
    response = None
    for i in range(warmup + n):
        started = time.perf_counter()
        response = send()
        elapsed = time.perf_counter() - started
        problem = problem_of(response)
        if i >= warmup:
            times.append(elapsed)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if problem:
                wrong[problem] = wrong.get(problem, 0) + 1
    return Timed(times, statuses, wrong, response)


@contextlib.contextmanager
def timer() -> Iterator[dict[str, float]]:
    """`with timer() as t: ...` then t["seconds"]."""
    result: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = round(time.perf_counter() - started, 3)


# Subprocesses -----------------------------------------------------------------------------------
@dataclass
class Measured:
    """A finished subprocess: its exit status, output, wall time and peak memory."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # the process's (and its waited-for children's) maximum resident set
    cpu_seconds: float = 0.0  # user + system CPU of the process and its waited-for children

    def check(self) -> Measured:
        if self.returncode != 0:
            tail = "\n".join((self.stdout + "\n" + self.stderr).strip().splitlines()[-25:])
            raise RuntimeError(f"{' '.join(self.args)} exited with {self.returncode}:\n{tail}")
        return self

    def figures(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_s": round(self.cpu_seconds, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
        }


def run_measured(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
    stdin: str | None = None,
    echo: bool = False,
) -> Measured:
    """Run a command; wall time from start to exit, peak RSS from wait4's rusage of that child.

    Output goes to temporary files (no pipe can fill up); with echo the tail is printed.
    """
    args = [str(a) for a in args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Measured(
            args,
            proc.returncode,
            out.read(),
            err.read(),
            seconds,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
        )
    if echo:
        for line in (result.stdout + result.stderr).strip().splitlines()[-15:]:
            print(f"      | {line}", flush=True)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last})")


# The machine --------------------------------------------------------------------------------------
def machine_info(database_url: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "hostname": platform.node(),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    with contextlib.suppress(OSError):
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        info["cpu_model"] = model.group(1).strip() if model else None
    with contextlib.suppress(OSError, AttributeError, ValueError):
        meminfo = Path("/proc/meminfo").read_text()
        total = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M).group(1))
        info["ram_gb"] = round(total / 1024 / 1024, 1)
    with contextlib.suppress(OSError):
        info["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    if database_url:
        with contextlib.suppress(Exception):
            import psycopg

            with psycopg.connect(database_url, connect_timeout=5) as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    return info


# Databases ----------------------------------------------------------------------------------------
def admin_url(database_url: str) -> str:
    """The same server's maintenance database ("postgres"), for CREATE/DROP DATABASE."""
    base, _, _name = database_url.rpartition("/")
    return f"{base}/postgres"


def db_name(database_url: str) -> str:
    return database_url.rpartition("/")[2].split("?")[0]


def create_database(database_url: str, *, fresh: bool = False, template: str | None = None) -> bool:
    """Create the database if missing (or drop it first with fresh); True if it was created.
    template: a copy of that database (PostgreSQL refuses while a session is connected to it)."""
    import psycopg

    name = db_name(database_url)
    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
            return True
    return False


def drop_database(database_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name(database_url)}" WITH (FORCE)')


def query(database_url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


# Environment ----------------------------------------------------------------------------------
def production_env(database_url: str, *, var_dir: Path, extra: dict[str, str] | None = None):
    """The environment of a production process (docs/deploy.md, section 3), for a plain-HTTP
    benchmark on this machine: DEBUG off, a real SECRET_KEY, PostgreSQL, Redis when present,
    hashed static files; only the TLS-only cookie and redirect settings are off, because the
    load generator talks HTTP to 127.0.0.1 with no TLS proxy in front."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "BASTAU_", "DATABASE_")) and k not in _APP_VARS
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bastau.settings",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "BASTAU_REQUIRE_SECRET_KEY": "true",
            "BOARD_SIGNING_KEY": BOARD_SIGNING_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "BASTAU_VAR_DIR": str(var_dir),
            "STATIC_ROOT": str(var_dir / "static"),
            "MEDIA_ROOT": str(var_dir / "media"),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "BEHIND_TLS_PROXY": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SMS_BACKEND": "bastau.core.sms.backends.locmem.SmsBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_available():
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    env.update(extra or {})
    return env


_APP_VARS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "REDIS_URL",
    "SITE_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "BOARD_SIGNING_KEY",
    "CSRF_TRUSTED_ORIGINS",
    "IMPORT_MAX_ROWS",
    "MAX_CONCURRENT_REQUESTS",
}


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


# The server -----------------------------------------------------------------------------------
@dataclass
class Server:
    """A running granian with Bastau's production settings; `url` is its base URL."""

    url: str
    process: subprocess.Popen
    workers: int
    threads: int
    log_path: Path
    command: list[str] = field(default_factory=list)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def granian_command(python: str, port: int, workers: int, threads: int, backpressure: int):
    granian = Path(python).with_name("granian")
    return [
        str(granian),
        "--interface",
        "wsgi",
        "bastau.wsgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backpressure",
        str(backpressure),
        "--no-ws",
    ]


@contextlib.contextmanager
def start_server(
    python: str,
    env: dict[str, str],
    log_dir: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    backpressure: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """granian as docs/deploy.md runs it, on a free port; stopped (the whole process group)
    on exit. Static files must have been collected (Context.server does it)."""
    port = free_port()
    command = granian_command(python, port, workers, threads, backpressure or 1024)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"granian-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            env={**env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, workers, threads, log_path, command)
    try:
        try:
            wait_for(server.url + "/healthz", timeout=60)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{server.log_tail()}") from None
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# HTTP ------------------------------------------------------------------------------------------
def login(client, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login form (CSRF token, Argon2, axes) with an httpx.Client."""
    page = client.get(f"{base_url}/accounts/login/")
    page.raise_for_status()
    token = client.cookies.get("csrftoken")
    if not token:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        token = match.group(1) if match else ""
    response = client.post(
        f"{base_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": f"{base_url}/accounts/login/"},
        follow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed: HTTP {response.status_code}")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)


def which(name: str) -> str | None:
    return shutil.which(name)


def python_of_venv() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable
