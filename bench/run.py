#!/usr/bin/env python3
"""Bastau's benchmark runner (bench/README.md).

    python bench/run.py [--smoke] [--only NAME ...] [--database-url URL] [--keep-db]

Runs each bench/b_*.py module (each has NAME and run(ctx) -> dict) against PostgreSQL, in the
order of their ORDER (then name), and writes bench/results/<name>-<timestamp>.json and
bench/results/latest/<name>.json: the machine, the date, the exact command and the figures.

--smoke runs every module at toy size in a fresh database `bastau_bench_smoke`, dropped after,
and writes its results to a temporary directory (unless --results-dir): it checks that the
harness works and judges no speed. CI runs it (`make bench-smoke`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bastau_bench"
SMOKE_URL = "postgres://postgres@127.0.0.1:5432/bastau_bench_smoke"


class Context:
    """What a benchmark module gets: see bench/README.md."""

    def __init__(self, *, smoke: bool, database_url: str, results_dir: Path, work_dir: Path):
        self.smoke = smoke
        self.database_url = database_url
        self.results_dir = results_dir
        self.work_dir = work_dir  # scratch space for this run (board files, import files)
        self.root = common.ROOT
        self.python = common.python_of_venv()
        self.bastau = [self.python, "-m", "bastau"]
        self.sizes = dict(common.SMOKE_SIZES if smoke else common.FULL_SIZES)
        self.data_date = common.DATA_DATE
        self.var_dir = work_dir / "var"
        self.env = common.production_env(database_url, var_dir=self.var_dir)
        self._static_ready = False
        self._cleanups: list = []

    # Logging and commands -------------------------------------------------------------------
    def log(self, message: str) -> None:
        print(f"    {message}", flush=True)

    def env_for(self, database_url: str | None = None, **extra: str) -> dict[str, str]:
        env = dict(self.env)
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run(self, *args, env=None, timeout=None, check=True, stdin=None) -> common.Measured:
        """A `bastau` command (or any command if args[0] is a path), measured."""
        command = list(args) if str(args[0]).startswith("/") else [*self.bastau, *args]
        result = common.run_measured(
            command, env=env or self.env, cwd=self.root, timeout=timeout, stdin=stdin
        )
        return result.check() if check else result

    def python_code(self, code: str, *, env=None, timeout=None) -> common.Measured:
        """Python code run with Django set up (a separate process with the bench env)."""
        prelude = "import django; django.setup()\n"
        return self.run(self.python, "-c", prelude + code, env=env, timeout=timeout)

    # Data ---------------------------------------------------------------------------------
    def generate_args(self) -> list[str]:
        sizes = self.sizes
        return [
            "generate_scale",
            "--reset",
            f"--members={sizes['members']}",
            f"--appeals={sizes['appeals']}",
            f"--ballots={sizes['ballots']}",
            f"--candidates={sizes['candidates']}",
            f"--lists={sizes['lists']}",
            f"--today={self.data_date}",
            f"--password={common.ADMIN[1]}",
        ]

    def has_data(self) -> bool:
        try:
            rows = common.query(
                self.database_url,
                "SELECT (SELECT count(*) FROM members_member), "
                "(SELECT count(*) FROM reception_appeal), (SELECT count(*) FROM primaries_ballot)",
            )
        except Exception:
            return False
        members, appeals, ballots = rows[0]
        return (members, appeals, ballots) == (
            self.sizes["members"],
            self.sizes["appeals"],
            self.sizes["ballots"],
        )

    def ensure_data(self) -> None:
        """The scale data set of this mode, generated if the database does not hold it."""
        if not self.has_data():
            self.log("generating the data set (bastau " + " ".join(self.generate_args()) + ")")
            self.run(*self.generate_args(), "--quiet-progress", timeout=3 * 3600)

    @property
    def campaign_slug(self) -> str:
        return f"national-primaries-{self.data_date[:4]}"

    def extra_database(self, suffix: str, *, copy: bool = False) -> str:
        """A fresh, migrated database of its own (dropped when the run ends). copy: a copy of
        this run's database (already migrated: no migrate, seconds instead of a minute at
        smoke size; a fresh one if PostgreSQL refuses the copy, e.g. while a session is
        connected to this run's database)."""
        base, _, name = self.database_url.rpartition("/")
        url = f"{base}/{name}_{suffix}"
        self._cleanups.append(lambda: common.drop_database(url))
        if copy:
            try:
                common.create_database(url, fresh=True, template=common.db_name(self.database_url))
                return url
            except Exception as exc:
                self.log(f"no copy of {common.db_name(self.database_url)} ({exc}): a fresh one")
        common.create_database(url, fresh=True)
        self.run("migrate", "--noinput", env=self.env_for(url), timeout=600)
        return url

    # The server -----------------------------------------------------------------------------
    def collectstatic(self) -> None:
        if not self._static_ready:
            self.run("collectstatic", "--noinput", "-v0", timeout=600)
            self._static_ready = True

    @contextlib.contextmanager
    def server(self, workers: int = 2, threads: int = 4, **options) -> Iterator[str]:
        """granian with the production settings on a free port; yields its base URL.
        options: backpressure=N, extra_env={...}; ctx.last_server is the common.Server."""
        self.collectstatic()
        with common.start_server(
            self.python,
            self.env,
            self.work_dir / "logs",
            workers=workers,
            threads=threads,
            **options,
        ) as server:
            self.last_server = server
            yield server.url

    def close(self) -> None:
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                cleanup()


def discover(names: list[str] | None) -> list[Any]:
    modules = []
    for path in sorted(common.BENCH.glob("b_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    modules.sort(key=lambda m: (getattr(m, "ORDER", 50), m.NAME))
    if names:
        known = {m.NAME for m in modules}
        unknown = sorted(set(names) - known)
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {sorted(known)}")
        modules = [m for m in modules if m.NAME in names]
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="toy sizes, seconds, no verdicts")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument(
        "--database-url", help=f"default {DEFAULT_URL} (smoke: {SMOKE_URL}_<pid>, dropped after)"
    )
    parser.add_argument("--results-dir", type=Path, help="default bench/results (smoke: a tmp dir)")
    parser.add_argument("--keep-db", action="store_true", help="smoke: keep the database after")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    modules = discover(args.only)
    if args.list:
        for m in modules:
            print(f"{m.NAME:10} {(m.__doc__ or '').strip().splitlines()[0]}")
        return 0
    # A smoke run's database is its own (several runs may share a server, as CI jobs do).
    url = args.database_url or (f"{SMOKE_URL}_{os.getpid()}" if args.smoke else DEFAULT_URL)
    results_dir = args.results_dir or (
        Path(tempfile.mkdtemp(prefix="bastau-bench-smoke-"))
        if args.smoke
        else common.BENCH / "results"
    )
    command = shlex.join([os.path.relpath(sys.argv[0], common.ROOT), *(argv or sys.argv[1:])])
    work_dir = Path(tempfile.mkdtemp(prefix="bastau-bench-"))
    ctx = Context(smoke=args.smoke, database_url=url, results_dir=results_dir, work_dir=work_dir)
    started = time.perf_counter()
    print(f"Bastau benchmarks ({'smoke' if args.smoke else 'full'}) on {url}", flush=True)
    print(f"  results: {results_dir}", flush=True)
    machine = common.machine_info(common.admin_url(url))
    failures = []
    try:
        created = common.create_database(url, fresh=args.smoke)
        if created:
            print(f"  created database {common.db_name(url)}", flush=True)
        ctx.run("migrate", "--noinput", "-v0", timeout=1800)
        for module in modules:
            name = module.NAME
            print(f"\n== {name}", flush=True)
            began = time.perf_counter()
            stamp = dt.datetime.now(dt.UTC)
            record: dict[str, Any] = {
                "name": name,
                "date": stamp.isoformat(timespec="seconds"),
                "smoke": args.smoke,
                "command": command,
                "cwd": str(common.ROOT),
                "machine": machine,
                "database": common.db_name(url),
                "sizes": ctx.sizes,
                "note": "shared machine: other jobs may run at the same time; timings are noisy",
            }
            try:
                record["figures"] = module.run(ctx)
                record["ok"] = True
            except Exception as exc:
                traceback.print_exc()
                record["ok"] = False
                record["error"] = f"{type(exc).__name__}: {exc}"
                failures.append(name)
            record["seconds"] = round(time.perf_counter() - began, 1)
            with contextlib.suppress(OSError):
                record["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
            path = results_dir / f"{name}-{stamp:%Y%m%dT%H%M%SZ}.json"
            common.write_json(path, record)
            common.write_json(results_dir / "latest" / f"{name}.json", record)
            verdict = "ok" if record["ok"] else f"FAILED ({record['error']})"
            print(f"   {name}: {verdict} in {record['seconds']} s -> {path}", flush=True)
    finally:
        ctx.close()
        if args.smoke and not args.keep_db:
            with contextlib.suppress(Exception):
                common.drop_database(url)
        subprocess.run(["rm", "-rf", str(work_dir)], check=False)
    total = time.perf_counter() - started
    print(
        f"\n{len(modules) - len(failures)}/{len(modules)} benchmarks ran in {total:.0f} s",
        flush=True,
    )
    if failures:
        print(f"FAILED: {', '.join(failures)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
