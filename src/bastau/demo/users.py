"""Demo step 3: one user for each role, all with the password ``DEMO_PASSWORD``.

The password is set directly (one Argon2 hash for every demo user, ``demo.password_hash``), so
Django's password validators (which would reject so short and common a password) are not
applied: these accounts exist only in a demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from bastau.accounts.models import Role, User
from bastau.members.models import Member

from . import DemoContext, Step, password_hash
from .members import DEMO_MEMBER_EMAIL, DEMO_MEMBER_PHONE
from .structure import DEMO_DISTRICT, GROWTH_POO_CODE, demo_branches, demo_poos


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    sees: str  # what this user sees, for `bastau demo_logins`
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        Role.REGIONAL_ADMIN,
        "the whole region: 13 branches, all POOs and members, statistics; Django admin at /admin/",
        first_name="Ержан",
        last_name="Сейітқалиев",
        email="admin@bastau.example",
        phone="+77005550101",
    ),
    DemoUser(
        "secretary",
        Role.DISTRICT_SECRETARY,
        "the Mugalzhar district branch only: its POOs, members, applications, statistics",
        first_name="Гүлнар",
        last_name="Жұмағалиева",
        email="secretary@bastau.example",
        phone="+77005550102",
    ),
    DemoUser(
        "leader",
        Role.POO_LEADER,
        "one Mugalzhar POO: its members and applications; answers for them in the running review",
        email="leader@bastau.example",
        phone="+77005550103",
    ),
    DemoUser(
        "member",
        Role.MEMBER,
        "their own member record and party card",
        email=DEMO_MEMBER_EMAIL,
        phone=DEMO_MEMBER_PHONE,
    ),
)


def seed(ctx: DemoContext) -> None:
    region = ctx.region()
    district = ctx.branch(DEMO_DISTRICT)
    growth = ctx.poo(GROWTH_POO_CODE)
    anchors = {
        "admin": dict(branch=region, is_staff=True, is_superuser=True),
        "secretary": dict(branch=district),
        "leader": dict(poo=growth, member=growth.leader),
        "member": dict(member=Member.objects.filter(phone=DEMO_MEMBER_PHONE).first()),
    }
    existing = set(User.objects.values_list("username", flat=True))
    for spec in DEMO_USERS:
        if spec.username in existing:
            continue
        user = User(
            username=spec.username,
            role=spec.role,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            phone=spec.phone,
            **anchors[spec.username],
        )
        if user.member is not None:
            user.first_name = user.member.first_name
            user.last_name = user.member.last_name
        user.password = password_hash()
        user.save()
        ctx.log(f"  user {spec.username} ({spec.role})")


def is_done(ctx: DemoContext) -> bool:
    usernames = [spec.username for spec in DEMO_USERS]
    return User.objects.filter(username__in=usernames).count() == len(usernames)


def reset(ctx: DemoContext) -> None:
    # Only demo users anchored in the demo region: a real account called "admin" stays.
    poos = demo_poos()
    User.objects.filter(username__in=[spec.username for spec in DEMO_USERS]).filter(
        Q(branch__in=demo_branches()) | Q(poo__in=poos) | Q(member__poo__in=poos)
    ).delete()


STEP = Step(name="users", seed=seed, is_done=is_done, reset=reset)
