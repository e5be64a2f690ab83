"""Build the review benchmark's data in the database of DATABASE_URL: a region of `members`
members in POOs of 250, one POO of exactly `poo_size` members (the leader's), a region-wide
review opened through the real `open_review` (one item per member), half of the leader's POO
confirmed through the real `answer_item`, and the leader's account. Arguments: members,
poo_size, the leader's user name and password. Prints JSON with the sizes and timings."""

import datetime as dt
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from bastau.accounts.models import Role, User  # noqa: E402
from bastau.accounts.scoping import Scope  # noqa: E402
from bastau.lib import iin as iin_lib  # noqa: E402
from bastau.members import review  # noqa: E402
from bastau.members.models import Member, ReviewItem  # noqa: E402
from bastau.structure.models import Branch, PrimaryOrganization  # noqa: E402

members, poo_size = int(sys.argv[1]), int(sys.argv[2])
username, password = sys.argv[3], sys.argv[4]
SURNAMES = ["Ахметов", "Жұмабаев", "Сейітов", "Қасымов", "Оспанов", "Әбілов", "Нұрланов", "Ержанов"]
NAMES = ["Айгүл", "Ерлан", "Дәурен", "Гүлнар", "Асқар", "Мәдина", "Нұрлан", "Сәуле"]

started = time.perf_counter()
region = Branch.objects.create(kind="region", code="r", name="Облыс")
districts = [
    Branch.objects.create(kind="district", code=f"d{i}", name=f"Аудан {i}", parent=region)
    for i in range(20)
]
rest = members - poo_size
poos = [PrimaryOrganization(code="leader-poo", name="Мектеп 1", branch=districts[0])]
poos += [
    PrimaryOrganization(code=f"p{i}", name=f"БПҰ {i}", branch=districts[i % 20])
    for i in range(max(1, -(-rest // 250)))
]
PrimaryOrganization.objects.bulk_create(poos)
poos = list(PrimaryOrganization.objects.order_by("pk"))
leader_poo, others = poos[0], poos[1:]


def rows():
    day, serial, n = dt.date(1960, 1, 1), 0, 0
    while n < members:
        sex = "F" if n % 2 else "M"
        value = iin_lib.build(day, sex, serial)
        serial += 1
        if serial == 10000:
            serial, day = 0, day + dt.timedelta(days=1)
        if value is None:
            continue
        poo = leader_poo if n < poo_size else others[(n - poo_size) // 250]
        yield Member(
            iin=value, last_name=SURNAMES[n % 8], first_name=NAMES[(n // 8) % 8],
            birth_date=day, sex=sex, poo=poo, joined_on=dt.date(2015, 1, 1),
        )  # fmt: skip
        n += 1


batch = []
for m in rows():
    batch.append(m)
    if len(batch) == 5000:
        Member.objects.bulk_create(batch)
        batch = []
Member.objects.bulk_create(batch)
built = time.perf_counter() - started

admin = User.objects.create(username="review-bench-admin", role=Role.REGIONAL_ADMIN, branch=region)
leader = User(username=username, role=Role.POO_LEADER, poo=leader_poo)
leader.set_password(password)
leader.save()
today = timezone.localdate()
t0 = time.perf_counter()
rev = review.open_review(
    Scope(admin), branch=region, title="Bench", deadline=today + dt.timedelta(days=30), today=today
)
opened = time.perf_counter() - t0
items = list(ReviewItem.objects.filter(review=rev, poo=leader_poo).order_by("pk")[: poo_size // 2])
t0 = time.perf_counter()
for item in items:
    review.answer_item(Scope(leader), item, answer="confirmed", today=today)
answering = time.perf_counter() - t0
print(json.dumps({
    "members": Member.objects.count(), "poos": len(poos), "poo_size": poo_size,
    "review_items": ReviewItem.objects.filter(review=rev).count(), "review": rev.pk,
    "leader_poo": leader_poo.code, "build_s": round(built, 1), "open_review_s": round(opened, 2),
    "answer_ms_mean": round(1000 * answering / max(1, len(items)), 1),
}))  # fmt: skip
