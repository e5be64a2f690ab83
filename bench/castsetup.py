"""Set-up for the HTTP load runs: a campaign in the voting stage, N members on its roll, and a
signed-in session for each member, written straight into the database.

Run as a script (it configures Django from the environment, so DATABASE_URL picks the
database), from the runner's process through `setup(ctx, ...)`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        python bench/castsetup.py --members 20000 --slug cast --out /tmp/cast.json

Everything is bulk-inserted (members, users, sessions): 50,000 members take seconds, where the
login page would take an Argon2 hash each. The campaign itself goes through the real actions
(create_campaign, nominate, advance, open_voting with its frozen roll), so the board, its key and
the roll are exactly what production has.

The JSON written holds: the campaign slug, the member ids on the roll in order, one session key
per member (same order), the candidate board ids, the commission's user ids, and the POO of each
member (the storm's paper batches need it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-not-secret"
#: the code of the bench campaigns' one list (the confirming POST names the list it was drawn for)
LIST_CODE = "main"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(
    *,
    members: int,
    slug: str,
    poos: int = 20,
    candidates: int = 3,
    extra_slugs: tuple[str, ...] = (),
    with_commission: bool = False,
) -> dict:
    """Create the data (in the database Django is configured for) and return the description."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from bastau.accounts import sessionproof
    from bastau.accounts.models import Role, User
    from bastau.accounts.scoping import Scope
    from bastau.lib import iin as iin_lib
    from bastau.members.models import Member
    from bastau.primaries import services
    from bastau.primaries.models import Campaign, Candidate, CommissionMember
    from bastau.structure.models import Branch, PrimaryOrganization

    t0 = time.monotonic()
    tag = get_random_string(6, "abcdefghijklmnopqrstuvwxyz")
    region = Branch.objects.filter(kind=Branch.Kind.REGION).first()
    if region is None:
        region = Branch.objects.create(kind=Branch.Kind.REGION, code=f"r-{tag}", name="Region")
    district = Branch.objects.create(
        kind=Branch.Kind.DISTRICT, code=f"d-{tag}", name=f"District {tag}", parent=region
    )
    poo_rows = PrimaryOrganization.objects.bulk_create(
        PrimaryOrganization(branch=district, code=f"p-{tag}-{i}", name=f"POO {tag} {i}")
        for i in range(poos)
    )
    # Members: distinct valid IINs (a birth date and sex give 10,000 serials; vary the date).
    rows = []
    serial = 0
    day = 0
    base = dt.date(1960, 1, 1) + dt.timedelta(days=hash(tag) % 3000)
    while len(rows) < members:
        sex = "M" if len(rows) % 2 else "F"
        birth = base + dt.timedelta(days=day)
        value = iin_lib.build(birth, sex, serial)
        serial += 1
        if serial > 9999:
            serial, day = 0, day + 1
        if value is None:
            continue
        n = len(rows)
        rows.append(
            Member(
                iin=value,
                last_name=f"Bench{n}",
                first_name=f"Voter{n}",
                birth_date=birth,
                sex=sex,
                poo=poo_rows[n % poos],
                joined_on=dt.date(2015, 1, 10),
            )
        )
    created = []
    for start in range(0, len(rows), 5000):
        created += Member.objects.bulk_create(rows[start : start + 5000])
    t_members = time.monotonic()

    # One user per member, with one password hash shared by all (hashing 50,000 with Argon2
    # would take minutes); sessions carry the hash of that password as Django's login does.
    password = make_password(PASSWORD)
    users = []
    for start in range(0, len(created), 5000):
        users += User.objects.bulk_create(
            User(
                username=f"bench-{tag}-{m.pk}",
                role=Role.MEMBER,
                member=m,
                password=password,
            )
            for m in created[start : start + 5000]
        )
    expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    backend = "django.contrib.auth.backends.ModelBackend"
    session_rows = []
    keys = []
    for u in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            "_auth_user_id": str(u.pk),
            "_auth_user_backend": backend,
            "_auth_user_hash": u.get_session_auth_hash(),
        }
        sessionproof.remember(data, u)  # as login() does (user_logged_in)
        session_rows.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        keys.append(key)
    for start in range(0, len(session_rows), 5000):
        Session.objects.bulk_create(session_rows[start : start + 5000])
    write_cached_sessions(keys, [store.decode(r.session_data) for r in session_rows])
    t_sessions = time.monotonic()

    admin = User.objects.create(
        username=f"bench-admin-{tag}", role=Role.REGIONAL_ADMIN, branch=region, password=password
    )
    scope = Scope(admin)
    commission = []
    if with_commission:
        for i in range(2):
            commission.append(
                User.objects.create(
                    username=f"bench-commission-{tag}-{i}", role=Role.MEMBER, password=password
                )
            )

    def open_campaign(campaign_slug: str) -> Campaign:
        campaign = services.create_campaign(
            scope,
            data={
                "encrypted": False,
                "slug": campaign_slug,
                "title": f"Bench {campaign_slug}",
                "kind": Campaign.Kind.PERSONNEL_RESERVE,
                "branch": district,
                "choose_up_to": 1,
                "list_length": 0,
                "quota_rules": Campaign.Rules.NONE,
            },
        )
        services.advance(scope, campaign)  # -> nomination
        cands = []
        for m in created[:candidates]:
            m.refresh_from_db()
            cands.append(
                services.nominate(scope, campaign, m, nomination=Candidate.Nomination.SELF)
            )
        services.advance(scope, campaign)  # -> registration
        for c in cands:
            services.set_candidate_status(scope, c, status=Candidate.Status.REGISTERED)
        for i, u in enumerate(commission):
            CommissionMember.objects.create(
                campaign=campaign, user=u, role="chair" if i == 0 else "secretary"
            )
        campaign.refresh_from_db()
        with transaction.atomic():
            services.advance(scope, campaign)  # -> voting: freezes the roll
        campaign.refresh_from_db()
        return campaign

    campaign = open_campaign(slug)
    for extra in extra_slugs:
        open_campaign(extra)
    t_done = time.monotonic()
    return {
        "slug": slug,
        "extra_slugs": list(extra_slugs),
        "campaign_id": campaign.pk,
        "members": [m.pk for m in created],
        "member_poos": [m.poo_id for m in created],
        "users": [u.pk for u in users],
        "sessions": keys,
        "choices": [f"c{n}" for n in range(1, candidates + 1)],
        "list": LIST_CODE,
        "commission": [u.pk for u in commission],
        "admin": admin.pk,
        "timings_s": {
            "members": round(t_members - t0, 2),
            "users_sessions": round(t_sessions - t_members, 2),
            "campaigns": round(t_done - t_sessions, 2),
        },
    }


def paper_prep(*, slug: str, members: list[int], out: Path) -> None:
    """The first entry (by the chair) of one single-voter paper batch per member in `members`
    (repeats allowed): the storm's paper attempts are the second entries."""
    from bastau.accounts.models import User
    from bastau.accounts.scoping import Scope
    from bastau.members.models import Member
    from bastau.primaries import services
    from bastau.primaries.models import Campaign, CommissionMember

    campaign = Campaign.objects.get(slug=slug)
    chair = User.objects.get(
        pk=CommissionMember.objects.get(campaign=campaign, role="chair").user_id
    )
    poo_of = dict(Member.objects.filter(pk__in=set(members)).values_list("pk", "poo_id"))
    from bastau.structure.models import PrimaryOrganization

    poos = {p.pk: p for p in PrimaryOrganization.objects.filter(pk__in=set(poo_of.values()))}
    batches = []
    for m in members:
        batch = services.submit_paper_entry(
            Scope(chair), campaign, poo=poos[poo_of[m]], voter_ids=[m], ballots=[["c2"]]
        )
        batches.append([batch.pk, m])
    Path(out).write_text(json.dumps(batches))


def paper_race(*, slug: str, batches_file: Path, threads: int, start_at: float, out: Path):
    """The second entries (by the secretary) of the prepared batches, from `threads` threads
    with their own connections, all starting at `start_at` (epoch seconds)."""
    import threading
    from collections import Counter

    from django.core.exceptions import ValidationError
    from django.db import connections

    from bastau.accounts.models import User
    from bastau.accounts.scoping import Scope
    from bastau.members.models import Member
    from bastau.primaries import services
    from bastau.primaries.models import Campaign, CommissionMember, PaperBatch

    campaign = Campaign.objects.get(slug=slug)
    clerk = User.objects.get(
        pk=CommissionMember.objects.get(campaign=campaign, role="secretary").user_id
    )
    jobs = json.loads(Path(batches_file).read_text())
    batch_rows = PaperBatch.objects.in_bulk([b for b, _m in jobs])
    poo_of = dict(
        Member.objects.filter(pk__in={m for _b, m in jobs})
        .select_related("poo")
        .values_list("pk", "poo")
    )
    from bastau.structure.models import PrimaryOrganization

    poos = PrimaryOrganization.objects.in_bulk(set(poo_of.values()))
    connections.close_all()
    outcomes: Counter = Counter()
    accepted: list[int] = []
    lock = threading.Lock()
    queue = list(jobs)

    def worker():
        from django.utils import translation

        translation.activate("en")  # the refusals are classified by their English text
        scope = Scope(clerk)
        time.sleep(max(0.0, start_at - time.time()))
        while True:
            with lock:
                if not queue:
                    break
                batch_pk, member = queue.pop()
            try:
                services.submit_paper_entry(
                    scope,
                    campaign,
                    poo=poos[poo_of[member]],
                    voter_ids=[member],
                    ballots=[["c2"]],
                    batch=batch_rows[batch_pk],
                )
                result = "accepted"
            except ValidationError as exc:
                text = " ".join(exc.messages)
                result = "refused: " + (
                    "already voted"
                    if "already voted" in text
                    else "voted online meanwhile"
                    if "just voted online" in text
                    else text[:80]
                )
            except Exception as exc:  # noqa: BLE001 - every outcome is counted
                result = f"error: {type(exc).__name__}: {str(exc)[:120]}"
            with lock:
                outcomes[result] += 1
                if result == "accepted":
                    accepted.append(member)
        connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    Path(out).write_text(
        json.dumps(
            {
                "outcomes": dict(outcomes),
                "accepted_members": accepted,
                "seconds": round(time.monotonic() - t0, 2),
            }
        )
    )


def write_cached_sessions(keys: list[str], data: list[dict]) -> None:
    """With sessions in Redis (settings.SESSION_ENGINE: the cache backend when REDIS_URL is
    set, as the server runs), put them where the server reads them; cached_db reads the
    database rows written above on a miss, db needs nothing more."""
    from django.conf import settings

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.cache":
        return
    from django.contrib.sessions.backends.cache import KEY_PREFIX
    from django.core.cache import caches

    cache = caches[settings.SESSION_CACHE_ALIAS]
    for start in range(0, len(keys), 2000):
        cache.set_many(
            {
                KEY_PREFIX + k: d
                for k, d in zip(keys[start : start + 2000], data[start : start + 2000], strict=True)
            },
            settings.SESSION_COOKIE_AGE,
        )


def capture(*, slug: str, session_key: str, member_id: int, choice: str) -> dict:
    """The SQL of one cast: the action alone (services.cast_online) and the whole HTTP request
    (Django's test client, the same middleware as the server), with CaptureQueriesContext."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bastau.accounts.models import User
    from bastau.primaries import services
    from bastau.primaries.models import Campaign, VoterRollEntry

    user = User.objects.get(member_id=member_id)
    campaign = Campaign.objects.get(slug=slug)
    # as the vote view calls it: the list the ballot was drawn for and its candidates known
    contest = VoterRollEntry.objects.get(campaign=campaign, member_id=member_id).contest
    with CaptureQueriesContext(connection) as action:
        tracker = services.cast_online(user, campaign, [choice], contest=contest, allowed=[choice])
    return {
        "tracker": tracker,
        "action": [q["sql"] for q in action.captured_queries],
    }


def capture_request(*, slug: str, session_key: str) -> list[str]:
    """The SQL of the whole cast request through the middleware stack (test client). The
    first request of a process also reads what the process then keeps a few seconds (the
    campaign, its lists, their candidates: views.public); a second one right after, by
    another member, is the steady state of a server under load."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    with CaptureQueriesContext(connection) as request:
        response = client.post(
            f"/primaries/{slug}/vote/",
            {"step": "confirm", "choice": "c1", "list": LIST_CODE},
            secure=True,
        )
    assert response.status_code == 302, response.status_code
    return [q["sql"] for q in request.captured_queries]


def setup(run, *, members: int, slug: str, out: Path, **kwargs) -> dict:
    """Run build() in a subprocess against the run's database; return the description."""
    env = dict(run.env)
    env["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"
    cmd = [
        run.python,
        str(Path(__file__).resolve()),
        "--members",
        str(members),
        "--slug",
        slug,
        "--out",
        str(out),
    ]
    for extra in kwargs.get("extra_slugs", ()):
        cmd += ["--extra-slug", extra]
    if kwargs.get("with_commission"):
        cmd.append("--with-commission")
    if kwargs.get("poos"):
        cmd += ["--poos", str(kwargs["poos"])]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)
    return json.loads(Path(out).read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=0)
    parser.add_argument("--slug", default="")
    parser.add_argument("--extra-slug", action="append", default=[])
    parser.add_argument("--poos", type=int, default=20)
    parser.add_argument("--with-commission", action="store_true")
    parser.add_argument("--out", required=True)
    parser.add_argument("--capture", nargs=3, metavar=("SLUG", "SESSION", "MEMBER"))
    parser.add_argument("--capture-request", nargs="+", metavar="SLUG SESSION")
    parser.add_argument("--paper-prep", metavar="MEMBERS_JSON")
    parser.add_argument("--paper-race", metavar="BATCHES_JSON")
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--start-at", type=float, default=0)
    args = parser.parse_args(argv)
    _django()
    if args.paper_prep:
        paper_prep(
            slug=args.slug, members=json.loads(Path(args.paper_prep).read_text()), out=args.out
        )
        return 0
    if args.paper_race:
        paper_race(
            slug=args.slug,
            batches_file=Path(args.paper_race),
            threads=args.threads,
            start_at=args.start_at,
            out=Path(args.out),
        )
        return 0
    if args.capture or args.capture_request:
        out = {}
        if args.capture:
            out.update(
                capture(
                    slug=args.capture[0],
                    session_key=args.capture[1],
                    member_id=int(args.capture[2]),
                    choice="c1",
                )
            )
        if args.capture_request:
            # SLUG SESSION [SESSION]: the second, if given, right after the first (kept state)
            slug, *sessions = args.capture_request
            out["request"] = capture_request(slug=slug, session_key=sessions[0])
            if len(sessions) > 1:
                out["request_warm"] = capture_request(slug=slug, session_key=sessions[1])
        Path(args.out).write_text(json.dumps(out, indent=2))
        return 0
    data = build(
        members=args.members,
        slug=args.slug,
        poos=args.poos,
        extra_slugs=tuple(args.extra_slug),
        with_commission=args.with_commission,
    )
    Path(args.out).write_text(json.dumps(data))
    print(
        f"castsetup: {len(data['members'])} members with sessions, campaign {data['slug']} "
        f"in voting ({data['timings_s']})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# Helpers shared by b_casting, b_overload, b_crash, b_storm ---------------------------------
class HttpRun:
    """One HTTP benchmark's own database, environment, server and scratch directory.

    With the runner (bench/run.py) the database is ctx.extra_database(suffix): a fresh,
    migrated database of its own, so the runner's scale data set is left as it is (its
    counts are checked); with the shim, ctx.database_url."""

    def __init__(self, ctx, suffix: str):
        self.ctx = ctx
        if hasattr(ctx, "extra_database"):
            self.database_url = ctx.extra_database(suffix)
        else:
            self.database_url = ctx.database_url
        self.env = {**ctx.env, "DATABASE_URL": self.database_url}
        self.python = ctx.python
        base = getattr(ctx, "work_dir", None) or Path(tempfile.mkdtemp(prefix="bench-http-"))
        self.work = Path(base) / f"http-{suffix}"
        self.work.mkdir(parents=True, exist_ok=True)
        self.server_pid: int | None = None
        self.server_command: list[str] = []

    @contextlib.contextmanager
    def server(self, *, workers: int, threads: int, backpressure: int, extra_env=None):
        """granian (production settings) on this run's database. backpressure is granian's
        budget of accepted connections per worker: it must exceed the keep-alive connections
        the clients hold, or the extra connections wait unaccepted (bench finding, see
        docs/performance.md)."""
        env = {"DATABASE_URL": self.database_url, **(extra_env or {})}
        with self.ctx.server(
            workers=workers, threads=threads, backpressure=backpressure, extra_env=env
        ) as base:
            srv = getattr(self.ctx, "last_server", None)
            self.server_pid = srv.process.pid if srv else None
            self.server_command = list(getattr(srv, "command", []) or [])
            yield base

    def worker_pids(self) -> list[int]:
        """The granian worker processes (children of the main process)."""
        return children(self.server_pid) if self.server_pid else []


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _cpu_of(pid: int) -> float:
    stat = _stat_of(pid)
    return stat[1] if stat else 0.0


def cpu_snapshot(server_pid: int | None, dbname: str) -> dict:
    """CPU seconds used so far by the server's processes and by PostgreSQL's backends serving
    `dbname` (what a throughput figure on a shared machine can be normalised by)."""
    app = 0.0
    if server_pid:
        app = _cpu_of(server_pid) + sum(_cpu_of(p) for p in children(server_pid))
    db = sum(_cpu_of(pid) for pid in _db_backends(dbname))
    return {"app": app, "db": db}


def _stat_of(pid: int) -> tuple[int, float] | None:
    """(start time in clock ticks since boot, CPU seconds so far) of a process, None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _uptime_ticks() -> int:
    return int(float(Path("/proc/uptime").read_text().split()[0]) * os.sysconf("SC_CLK_TCK"))


def _db_backends(dbname: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text.startswith("postgres: ") and f" {dbname} " in text:
            found.append(int(cmdline.parent.name))
    return found


class CpuWatch:
    """CPU seconds of the server's processes and of PostgreSQL's backends serving `dbname`
    during a phase, counted per process (pid and start time).

    The difference of two sums over the processes alive at each end (cpu_snapshot) loses the
    whole life's CPU of a backend that exits in between: Django closes a connection at
    CONN_MAX_AGE (60 s) and opens another, so a phase that outlives the plaintext phase's
    connections read PostgreSQL's CPU per encrypted ballot as -8.24 ms (2026-12-06), and a
    phase longer than 60 s undercounts. Here each process counts what it used since the phase
    began (since its start for one started during the phase), read every `interval` seconds
    while the phase runs (the known processes' /proc/<pid>/stat only; a full scan at both
    ends), so a process that exits keeps the CPU it was last seen with: at most `interval`
    seconds of its CPU are missed, and `exited` says how many did. A figure is never negative.
    """

    def __init__(self, server_pid: int | None, dbname: str, interval: float = 1.0):
        import threading

        self.server_pid = server_pid
        self.dbname = dbname
        self.interval = interval
        self.first: dict[tuple, float] = {}
        self.last: dict[tuple, float] = {}
        self.pids: dict[tuple, int] = {}
        self.started_ticks = 0
        self.unknown_start = 0  # processes first seen after the start that began before it
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _scan(self) -> dict[tuple, float]:
        pids = [("db", p) for p in _db_backends(self.dbname)]
        if self.server_pid:
            pids += [("app", self.server_pid)] + [("app", p) for p in children(self.server_pid)]
        seen = {}
        for kind, pid in pids:
            stat = _stat_of(pid)
            if stat is not None:
                key = (kind, pid, stat[0])
                seen[key] = stat[1]
                self.pids[key] = pid
        return seen

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            for key in list(self.last):
                stat = _stat_of(self.pids[key])
                if stat is not None and stat[0] == key[2]:
                    self.last[key] = stat[1]

    def __enter__(self):
        self.started_ticks = _uptime_ticks()
        self.first = self._scan()
        self.last = dict(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        final = self._scan()
        self.exited = {"app": 0, "db": 0}
        for key in self.last:
            if key not in final:
                self.exited[key[0]] += 1
        for key, cpu in final.items():
            if key not in self.first and key[2] < self.started_ticks:
                self.unknown_start += 1  # its CPU before the phase is unknown: left out
                continue
            self.last[key] = cpu
        return False

    def seconds(self) -> dict:
        used = {"app": 0.0, "db": 0.0}
        for key, cpu in self.last.items():
            delta = cpu - self.first.get(key, 0.0)
            if delta < 0:
                raise RuntimeError(f"a process's CPU went down: {key}")
            used[key[0]] += delta
        return used

    def per_ballot_ms(self, ballots: int) -> dict:
        used = self.seconds()
        n = max(1, ballots)
        return {
            "app": round(used["app"] * 1000 / n, 2),
            "db": round(used["db"] * 1000 / n, 2),
            "processes_exited": dict(self.exited),
            "processes_left_out": self.unknown_start,
            "sampled_every_s": self.interval,
        }


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def campaign_counts(url: str, slug: str) -> dict:
    """Ballots stored for a campaign: participations, pending and sealed ballots, and members
    holding more than one participation (the unique constraint should make that 0)."""
    with connect(url) as conn:
        row = conn.execute("SELECT id FROM primaries_campaign WHERE slug = %s", [slug]).fetchone()
        cid = row[0]

        def one(sql):
            return conn.execute(sql, [cid]).fetchone()[0]

        return {
            "participations": one(
                "SELECT count(*) FROM primaries_participation WHERE campaign_id = %s"
            ),
            "pending": one("SELECT count(*) FROM primaries_pendingballot WHERE campaign_id = %s"),
            "sealed": one("SELECT count(*) FROM primaries_ballot WHERE campaign_id = %s"),
            "members_with_two": one(
                "SELECT count(*) FROM (SELECT member_id FROM primaries_participation "
                "WHERE campaign_id = %s GROUP BY member_id HAVING count(*) > 1) t"
            ),
        }


def loadgen(run: HttpRun, base: str, setup_path: Path, name: str, *args) -> dict:
    """Run bench/loadgen.py as its own process; return its JSON (trackers in run.work)."""
    out = run.work / f"{name}.json"
    trackers = run.work / f"{name}.trackers"
    cmd = [
        run.python,
        str(ROOT / "bench" / "loadgen.py"),
        "--base",
        base,
        "--setup",
        str(setup_path),
        "--out",
        str(out),
        "--trackers",
        str(trackers),
        *map(str, args),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)
    result = json.loads(out.read_text())
    result["trackers_file"] = str(trackers)
    return result


def start_loadgen(run: HttpRun, base: str, setup_path: Path, name: str, *args):
    """Start bench/loadgen.py in the background; finish_loadgen() waits for it."""
    out = run.work / f"{name}.json"
    trackers = run.work / f"{name}.trackers"
    cmd = [
        run.python,
        str(ROOT / "bench" / "loadgen.py"),
        "--base",
        base,
        "--setup",
        str(setup_path),
        "--out",
        str(out),
        "--trackers",
        str(trackers),
        *map(str, args),
    ]
    return subprocess.Popen(cmd, cwd=ROOT), out, trackers


def finish_loadgen(started, timeout: float = 600) -> dict:
    proc, out, trackers = started
    if proc.wait(timeout) != 0:
        raise RuntimeError(f"loadgen exited with {proc.returncode}")
    result = json.loads(out.read_text())
    result["trackers_file"] = str(trackers)
    return result


def read_trackers(path) -> list[tuple[int, str]]:
    rows = []
    for line in Path(path).read_text().splitlines():
        i, t = line.split()
        rows.append((int(i), t))
    return rows


def bastau(run: HttpRun, *args, check=True) -> subprocess.CompletedProcess:
    env = {**run.env, "DATABASE_STATEMENT_TIMEOUT_MS": "0"}
    exe = str(Path(run.python).parent / "bastau")
    done = subprocess.run([exe, *map(str, args)], env=env, cwd=ROOT, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"bastau {' '.join(map(str, args))}: {done.stdout}{done.stderr}")
    return done


def seal_export_verify(run: HttpRun, slug: str) -> dict:
    """Seal every pending ballot, export the board, verify it with `bastau verify_board`;
    return the trackers on the board and the verifier's verdict."""
    t0 = time.monotonic()
    bastau(run, "seal_boards")
    t_seal = time.monotonic() - t0
    record = run.work / f"{slug}-board.json"
    bastau(run, "export_board", slug, "-o", record)
    data = json.loads(record.read_text())
    # The bench pins the key of its own server (an observer pins the one the campaign's page
    # publishes); voting is still open, so the record is verified as an unfinished snapshot.
    verdict = bastau(
        run,
        "verify_board",
        record,
        "--public-key",
        data["public_key"],
        "--unfinished",
        check=False,
    )
    return {
        "seal_s": round(t_seal, 2),
        "board_ballots": len(data["ballots"]),
        "trackers": {b["tracker"] for b in data["ballots"]},
        "verify_exit": verdict.returncode,
        "verify_output": (verdict.stdout + verdict.stderr).strip()[-600:],
    }
