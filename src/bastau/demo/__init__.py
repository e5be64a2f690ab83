"""The demo region (DESIGN.md section 4): a branch with life in it, built by `bastau seed_demo`.

The demo is a list of steps. Each module that has something to show adds its own step, by the
same recipe (Decidim's seeds): a module-level ``STEP = Step(...)`` in a module of its own, and
its dotted path appended to ``STEPS`` below, after the steps whose data it builds on.

A step is three functions of the shared ``DemoContext``:

- ``seed(ctx)``: create this step's data (inside the command's one transaction);
- ``is_done(ctx)``: whether the database already holds it, so `seed_demo` can be run again
  and only adds what is missing (a step added by a later module is seeded into an existing
  demo database);
- ``reset(ctx)``: delete exactly this step's data; `seed_demo --reset` runs the resets in
  reverse order, so a later step removes its rows before the rows they point to;
- ``summary(ctx)`` (optional): a few lines with the figures the step's data shows.

Steps find each other's objects through the database (``ctx.branch("mugalzhar")``,
``ctx.user("member")``...), never through in-memory state, because an earlier step may have
been seeded by an earlier run. Each step draws from its own ``ctx.rng(name)`` so that adding
a step never changes what the others produce, and every date is relative to ``ctx.today``
so that "this year" figures stay true whenever the demo is built.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.module_loading import import_string

#: The seeding order. A later module appends the dotted path of its own ``STEP``.
STEPS: list[str] = [
    "bastau.demo.structure.STEP",
    "bastau.demo.members.STEP",
    "bastau.demo.users.STEP",
    "bastau.demo.primaries.STEP",
    "bastau.demo.reception.STEP",
    "bastau.demo.oversight.STEP",
    "bastau.demo.activity.STEP",
    "bastau.demo.review.STEP",
    "bastau.demo.voice_surveys.STEP",
    "bastau.demo.voice_outreach.STEP",
    "bastau.demo.voice_agenda.STEP",
]

#: The full-size demo: current members (DESIGN.md section 4: "about 34,000").
DEFAULT_MEMBERS = 34_000

#: Everything random in the demo derives from this, so the demo is the same every time.
SEED = "bastau-demo-2019"

#: The code of the regional branch; its presence marks a database as holding the demo.
REGION_CODE = "aktobe-region"

#: The one password of every demo user (set directly: password validators are not applied).
DEMO_PASSWORD = "bastau-demo"

_password_hashes: dict[tuple[str, ...], str] = {}


def password_hash() -> str:
    """DEMO_PASSWORD hashed once per process with the site's own hasher (Argon2), for every
    demo user: each hash costs a large fraction of a second of CPU by design, and the demo
    users share one public password anyway. The users still sign in only with that password,
    through the same hasher as every other account (no weaker hasher for the demo)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _password_hashes:
        _password_hashes[key] = make_password(DEMO_PASSWORD)
    return _password_hashes[key]


@dataclass(frozen=True)
class Step:
    name: str
    seed: Callable[[DemoContext], None]
    is_done: Callable[[DemoContext], bool]
    reset: Callable[[DemoContext], None] | None = None
    #: Lines that report what the step's data shows (printed at the end of `seed_demo`).
    summary: Callable[[DemoContext], list[str]] | None = None


@dataclass
class DemoContext:
    """What every step gets: the date, the size, a per-step random source and look-ups."""

    today: dt.date = field(default_factory=timezone.localdate)
    members: int = DEFAULT_MEMBERS
    log: Callable[[str], None] = print

    @property
    def scale(self) -> float:
        """The size relative to the full demo: steps scale their own counts by it."""
        return self.members / DEFAULT_MEMBERS

    def rng(self, name: str) -> random.Random:
        # A str seed is hashed with SHA-512, so this does not depend on PYTHONHASHSEED.
        return random.Random(f"{SEED}:{name}")

    def region(self):
        from bastau.structure.models import Branch

        return Branch.objects.filter(code=REGION_CODE).first()

    def branch(self, code: str):
        from bastau.structure.models import Branch

        return Branch.objects.get(code=code)

    def poo(self, code: str):
        from bastau.structure.models import PrimaryOrganization

        return PrimaryOrganization.objects.get(code=code)

    def user(self, username: str):
        from bastau.accounts.models import User

        return User.objects.get(username=username)


def steps() -> list[Step]:
    return [import_string(path) for path in STEPS]


def is_seeded() -> bool:
    from bastau.structure.models import Branch

    return Branch.objects.filter(code=REGION_CODE).exists()


def reset(ctx: DemoContext) -> None:
    """Delete the demo data, last step first."""
    for step in reversed(steps()):
        if step.reset is not None:
            started = time.perf_counter()
            step.reset(ctx)
            ctx.log(f"  removed {step.name} ({time.perf_counter() - started:.1f} s)")


def summary(ctx: DemoContext) -> list[str]:
    return [line for step in steps() if step.summary for line in step.summary(ctx)]


def seed(ctx: DemoContext) -> list[str]:
    """Run every step that is not done yet; return the names of the steps that ran."""
    ran = []
    for step in steps():
        if step.is_done(ctx):
            continue
        started = time.perf_counter()
        ctx.log(f"{step.name}...")
        step.seed(ctx)
        ctx.log(f"  {step.name} done ({time.perf_counter() - started:.1f} s)")
        ran.append(step.name)
    return ran
