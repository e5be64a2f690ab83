"""`bastau seed_demo` and `bastau demo_logins`: the demo region of DESIGN.md section 4.

Most tests share one small demo (3,000 members, seeded once for the module inside a
transaction that is rolled back at the end); each test runs in a savepoint of its own, so a
test that reseeds or resets does not disturb the others. One test builds the full-size demo.
"""

import datetime as dt
import io
import json
import shutil
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from bastau import demo
from bastau.accounts.models import Role, User
from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from bastau.demo import e2e as demo_e2e
from bastau.demo import primaries as demo_primaries
from bastau.demo.members import DEMO_MEMBER_PHONE
from bastau.demo.structure import DEMO_DISTRICT, GROWTH_POO_CODE
from bastau.lib import iin as iin_lib
from bastau.lib.dates import born_after_for_age_below
from bastau.members import permissions as members_permissions
from bastau.members.models import Admission, Member, PartyCard, Transfer
from bastau.members.statistics import members_at
from bastau.primaries import encrypted, services
from bastau.primaries.e2e import canonical, credentials, keystore, trustee_cli, verify
from bastau.primaries.e2e.hashing import b64e
from bastau.primaries.models import (
    Campaign,
    E2ECredential,
    EncryptedBallot,
    Participation,
    VoterRollEntry,
)
from bastau.structure import permissions as structure_permissions
from bastau.structure.models import Branch, PrimaryOrganization

SMALL = 3000


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


#: The demo is seeded and checked as of this moment; the clock moves on from it, so no
#: test depends on the day it runs (tests/test_demo_days.py seeds on other days).
DEMO_NOW = dt.datetime(2027, 1, 1, 9, 30, tzinfo=ZoneInfo("Asia/Aqtobe"))


def SNAPSHOT(directory):  # noqa: N802
    return directory.with_name(directory.name + "-as-seeded")


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        time_machine.travel(DEMO_NOW),
        # The demo trustees' keystores go to VAR_DIR/demo-trustees: a directory of the test's.
        override_settings(PASSWORD_HASHERS=HASHERS, VAR_DIR=tmp_path_factory.mktemp("var")),
        transaction.atomic(),
    ):
        output = seed(members=SMALL)
        # The trustees' keystores are files: a test that reseeds rewrites them, and its
        # savepoint rolls back only the database, so each test starts from this copy.
        shutil.copytree(demo_e2e.trustee_dir(), SNAPSHOT(demo_e2e.trustee_dir()))
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(small_demo, db, settings):
    # The module's demo may have been hashed outside the per-test settings: accept both.
    settings.PASSWORD_HASHERS = HASHERS
    shutil.rmtree(demo_e2e.trustee_dir(), ignore_errors=True)
    shutil.copytree(SNAPSHOT(demo_e2e.trustee_dir()), demo_e2e.trustee_dir())
    return small_demo


def counts() -> dict[str, int]:
    models = [Branch, PrimaryOrganization, Member, PartyCard, Admission, Transfer, User]
    return {model.__name__: model.objects.count() for model in models}


def figures(today: dt.date) -> dict:
    current = members_at(Member.objects.all(), today)
    cutoff = born_after_for_age_below(35, today)
    return current.aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(sex="F")),
        youth=Count("pk", filter=Q(birth_date__gt=cutoff)),
    )


def check_growth_poo(today: dt.date) -> None:
    growth = Member.objects.filter(poo__code=GROWTH_POO_CODE)
    last_year_end = today.replace(month=1, day=1) - dt.timedelta(days=1)
    assert members_at(growth, last_year_end).count() == 118
    assert members_at(growth, today).count() == 124
    poo = PrimaryOrganization.objects.get(code=GROWTH_POO_CODE)
    assert poo.branch.code == DEMO_DISTRICT
    assert poo.leader is not None and poo.leader.poo_id == poo.pk


def check_iins() -> None:
    rows = list(Member.objects.values_list("iin", "birth_date", "sex", "last_name"))
    assert len({row[0] for row in rows}) == len(rows)
    for value, birth_date, sex, last_name in rows:
        parsed = iin_lib.parse(value)
        assert (parsed.birth_date, parsed.sex.value) == (birth_date, sex), value
        if sex == "F":
            assert not last_name.endswith(("ов", "ев", "ин")), last_name
        else:
            assert not last_name.endswith(("ова", "ева", "ина")), last_name


def test_structure(demo_db):
    region = Branch.objects.get(code=demo.REGION_CODE)
    assert region.name == "Ақтөбе облыстық филиалы"
    assert region.name_ru == "Актюбинский областной филиал"
    children = region.children.all()
    assert children.count() == 13
    assert Counter(children.values_list("kind", flat=True)) == {"district": 12, "city": 1}
    mugalzhar = Branch.objects.get(code="mugalzhar")
    assert mugalzhar.name == "Мұғалжар аудандық филиалы"
    assert mugalzhar.name_ru == "Мугалжарский районный филиал"
    assert Branch.objects.get(code="aktobe-city").kind == Branch.Kind.CITY
    poos = PrimaryOrganization.objects.filter(branch__parent=region)
    assert 240 <= poos.count() <= 260
    assert not PrimaryOrganization.objects.filter(branch=region).exists()
    per_branch = dict(poos.values_list("branch__code").annotate(n=Count("pk")))
    assert per_branch["aktobe-city"] == max(per_branch.values())
    assert per_branch["mugalzhar"] == sorted(per_branch.values())[-2]
    assert all(p.name.endswith(" БПҰ") and p.address and p.founded_on for p in poos)
    assert poos.filter(leader__isnull=False).count() > 150


def test_members(demo_db):
    today = timezone.localdate()
    row = figures(today)
    assert row["total"] == SMALL
    assert 0.19 <= row["youth"] / row["total"] <= 0.23
    assert 0.48 <= row["women"] / row["total"] <= 0.56
    check_growth_poo(today)
    check_iins()
    statuses = Counter(Member.objects.values_list("status", flat=True))
    assert {"left", "expelled", "deceased", "suspended"} <= set(statuses)
    ended = Member.objects.filter(status__in=Member.ENDED)
    assert not ended.filter(left_on__isnull=True).exists()
    assert not Member.objects.exclude(status__in=Member.ENDED).filter(left_on__isnull=False)
    assert Member.objects.filter(joined_on__year=today.year).exists()
    assert Member.objects.filter(joined_on__year=2006).exists()
    assert not Member.objects.filter(joined_on__gt=today).exists()
    # Party cards for most members, unique numbers in series AKT.
    cards = PartyCard.objects.filter(status=PartyCard.Status.VALID)
    assert cards.count() > 0.9 * SMALL
    assert set(PartyCard.objects.values_list("series", flat=True)) == {"AKT"}
    assert not ended.filter(cards__status=PartyCard.Status.VALID).exists()
    # Transfers and applications at every stage in Mugalzhar.
    assert Transfer.objects.count() >= 6
    stages = set(
        Admission.objects.filter(poo__branch__code=DEMO_DISTRICT).values_list("stage", flat=True)
    )
    assert {"applied", "poo_approved", "rejected", "card_issued"} <= stages
    open_iins = Admission.objects.filter(stage__in=["applied", "poo_approved"]).values("iin")
    assert not Member.objects.filter(iin__in=open_iins).exists()


def test_users_roles_and_scopes(demo_db):
    admin = User.objects.get(username="admin")
    assert admin.role == Role.REGIONAL_ADMIN and admin.is_staff and admin.is_superuser
    assert admin.check_password(demo.DEMO_PASSWORD)
    assert members_permissions.members(Scope(admin)).count() == Member.objects.count()

    secretary = User.objects.get(username="secretary")
    assert secretary.role == Role.DISTRICT_SECRETARY
    assert secretary.branch.code == DEMO_DISTRICT
    scope = Scope(secretary)
    assert list(structure_permissions.branches(scope).values_list("code", flat=True)) == [
        DEMO_DISTRICT
    ]
    assert members_permissions.members(scope).exists()
    assert not members_permissions.members(scope).exclude(poo__branch__code=DEMO_DISTRICT).exists()

    leader = User.objects.get(username="leader")
    assert leader.role == Role.POO_LEADER
    assert leader.poo.code == GROWTH_POO_CODE
    assert leader.member == leader.poo.leader
    assert (
        members_permissions.members(Scope(leader)).count()
        == Member.objects.filter(poo=leader.poo).count()
    )

    member = User.objects.get(username="member")
    assert member.role == Role.MEMBER
    assert member.member.poo.branch.code == DEMO_DISTRICT
    assert member.member.is_member
    assert member.member.cards.filter(status=PartyCard.Status.VALID).exists()
    assert member.phone == DEMO_MEMBER_PHONE and member.email
    assert list(members_permissions.members(Scope(member))) == [member.member]
    for user in (admin, secretary, leader, member):
        assert user.check_password(demo.DEMO_PASSWORD)


def test_running_twice_does_not_duplicate(demo_db):
    before = counts()
    output = seed(members=SMALL)
    assert "already seeded" in output
    assert counts() == before


def test_reset_rebuilds_the_same_demo(demo_db):
    before = counts()
    iins = set(Member.objects.values_list("iin", flat=True))
    cards = set(PartyCard.objects.values_list("number", "member__iin"))
    output = seed(members=SMALL, reset=True)
    assert "Removing the demo data" in output
    assert counts() == before
    assert set(Member.objects.values_list("iin", flat=True)) == iins
    assert set(PartyCard.objects.values_list("number", "member__iin")) == cards


def extra_seed(ctx):
    AuditEvent.objects.create(action="demo.extra", summary=ctx.user("admin").username)


EXTRA_STEP = demo.Step(
    name="extra",
    seed=extra_seed,
    is_done=lambda ctx: AuditEvent.objects.filter(action="demo.extra").exists(),
    reset=lambda ctx: AuditEvent.objects.filter(action="demo.extra").delete(),
)


def test_a_later_module_adds_its_own_step(demo_db, monkeypatch):
    monkeypatch.setattr(demo, "STEPS", [*demo.STEPS, "tests.test_seed_demo.EXTRA_STEP"])
    before = counts()
    output = seed(members=SMALL)
    assert "extra..." in output and "members..." not in output
    assert AuditEvent.objects.get(action="demo.extra").summary == "admin"
    assert counts() == before
    assert "already seeded" in seed(members=SMALL)


def test_demo_logins(demo_db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ("admin", "secretary", "leader", "member"):
        assert username in text
    assert demo.DEMO_PASSWORD in text
    assert GROWTH_POO_CODE in text
    assert DEMO_MEMBER_PHONE in text
    assert "console" in text


def test_make_demo_migrates_seeds_and_prints_the_logins_in_one_command(demo_db):
    # `make demo` runs `seed_demo --migrate --logins` (one start of Django instead of three).
    output = seed(members=SMALL, migrate=True, logins=True)
    assert "No migrations to apply" in output
    assert "already seeded" in output
    assert "Bastau demo logins" in output and demo.DEMO_PASSWORD in output
    assert output.index("No migrations to apply") < output.index("Bastau demo logins")


def test_demo_users_share_one_hash_of_the_demo_password(demo_db):
    users = list(User.objects.filter(username__in=["admin", "member", "commission", "trustee1"]))
    assert len(users) == 4
    assert len({u.password for u in users}) == 1
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in users)
    assert not users[0].check_password("not-the-demo-password")


def test_demo_logins_before_seeding(demo_db):
    demo.reset(demo.DemoContext(log=lambda line: None))
    assert not Member.objects.exists() and not User.objects.exists()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()


def test_full_size_demo(demo_db):
    """The demo as `make demo` builds it (about 10-20 s on SQLite)."""
    output = seed(reset=True)
    today = timezone.localdate()
    row = figures(today)
    assert row["total"] == demo.DEFAULT_MEMBERS
    assert 0.19 <= row["youth"] / row["total"] <= 0.23
    assert 0.50 <= row["women"] / row["total"] <= 0.54
    assert PrimaryOrganization.objects.count() == 250
    check_growth_poo(today)
    check_iins()
    assert "124 today" in output


# Encrypted ballots in the demo (issue 13, section 10) ------------------------------------


def _server_key(election) -> str:
    return b64e(bytes(election.server_key))


def _record_lines(client, slug: str) -> list[bytes]:
    response = client.get(reverse("primaries:e2e_record", args=[slug]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).splitlines(keepends=True)


def test_the_open_campaign_is_encrypted_with_three_demo_trustees(demo_db):
    campaign = Campaign.objects.get(slug=demo_primaries.OPEN_SLUG)
    assert campaign.encrypted and campaign.status == Campaign.Status.VOTING
    election = campaign.e2e
    assert (election.trustee_count, election.threshold) == (3, 2)
    trustees = list(election.trustees.order_by("index").select_related("user"))
    assert [t.user.username for t in trustees] == ["trustee1", "trustee2", "trustee3"]
    for t in trustees:
        assert t.user.member is not None and t.user.check_password(demo.DEMO_PASSWORD)
    # Each trustee's keystore and backup open with the demo passphrase and hold the share
    # whose public key K_j the record publishes.
    keys = encrypted.public_keys(election)
    assert demo_e2e.passphrase_path().read_text().strip() == demo_e2e.TRUSTEE_PASSPHRASE
    for j in (1, 2, 3):
        for backup in (False, True):
            ks = keystore.load(
                demo_e2e.keystore_path(j, backup=backup), demo_e2e.TRUSTEE_PASSPHRASE
            )
            assert keystore.check_backup(ks, keys) == j
    with pytest.raises(keystore.KeystoreError):
        keystore.load(demo_e2e.keystore_path(1), "wrong")
    # A few dozen encrypted ballots, most of them sealed in batches, none by the demo users.
    ballots = EncryptedBallot.objects.filter(election=election)
    assert ballots.count() == Participation.objects.filter(campaign=campaign).count()
    assert (
        0 < ballots.filter(batch__isnull=True).count() < ballots.filter(batch__isnull=False).count()
    )
    linked = User.objects.filter(member__isnull=False).values("member_id")
    assert not Participation.objects.filter(campaign=campaign, member_id__in=linked).exists()
    # The record so far verifies (unfinished: voting goes on), pinned to the server's key.
    report = verify.verify_record(
        _record_lines(Client(), campaign.slug), server_key=bytes(election.server_key),
        final=False,
    )  # fmt: skip
    assert report.ok, [str(f) for f in report.failures]


def test_the_demo_member_votes_with_the_printed_credential(demo_db):
    campaign = Campaign.objects.get(slug=demo_primaries.OPEN_SLUG)
    election = campaign.e2e
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    credential = demo_e2e.member_credential(campaign.slug)
    assert credential in text and demo_e2e.TRUSTEE_PASSPHRASE in text
    for username in demo_e2e.TRUSTEE_USERNAMES:
        assert username in text
    assert str(demo_e2e.keystore_path(1)) in text and _server_key(election) in text
    # The credential is the member's on the list, and the server shows it nowhere.
    member = User.objects.get(username="member")
    entry = VoterRollEntry.objects.get(campaign=campaign, member=member.member)
    x = credentials.secret_key(election.uuid, credential)
    listed = E2ECredential.objects.get(election=election, key=credentials.public_key(x))
    assert listed.question == entry.contest.code
    client = Client()
    client.force_login(member)
    page = client.get(reverse("primaries:e2e_vote", args=[campaign.slug]))
    assert page.status_code == 200 and credential not in page.content.decode()
    # The member casts a ballot built as the browser builds it.
    question = encrypted.manifest_of(election).data["questions"][0]
    choices = [1, 1] + [0] * (len(question["candidates"]) - 2)
    data = demo_e2e.make_ballot(election, question["id"], x, choices)
    response = client.post(
        reverse("primaries:e2e_cast", args=[campaign.slug]),
        json.dumps({"question": question["id"], "ballot": data}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Participation.objects.filter(campaign=campaign, member=member.member).exists()
    # Another member's credential (made up) is not on the list.
    other = credentials.secret_key(election.uuid, demo_e2e.member_credential("elsewhere"))
    assert not E2ECredential.objects.filter(
        election=election, key=credentials.public_key(other)
    ).exists()


def test_after_the_close_two_demo_trustees_decrypt_with_the_readme_commands(demo_db, tmp_path):
    campaign = Campaign.objects.get(slug=demo_primaries.OPEN_SLUG)
    election = campaign.e2e
    chair = Scope(User.objects.get(username="commission"))
    with time_machine.travel(campaign.voting_ends + dt.timedelta(minutes=5)):
        services.advance(chair, campaign)
        record_file = tmp_path / "record.jsonl"
        call_command("export_election", campaign.slug, "-o", str(record_file), stdout=io.StringIO())
        for j in (2, 3):
            share = tmp_path / f"share-{j}.json"
            out = io.StringIO()
            code = trustee_cli.main(
                ["share", str(record_file), "--keystore", str(demo_e2e.keystore_path(j)),
                 "--passphrase-file", str(demo_e2e.passphrase_path()),
                 "--server-key", _server_key(election), "-o", str(share)],
                out,
            )  # fmt: skip
            assert code == 0, out.getvalue()
            client = Client()
            client.force_login(User.objects.get(username=f"trustee{j}"))
            with share.open("rb") as f:
                response = client.post(
                    reverse("primaries:trustee", args=[campaign.slug]),
                    {"action": "share", "file": f},
                )
            assert response.status_code == 302
        campaign.refresh_from_db()
        assert (
            campaign.tally["ballots"] == EncryptedBallot.objects.filter(election=election).count()
        )
        report = verify.verify_record(
            _record_lines(Client(), campaign.slug), server_key=bytes(election.server_key)
        )
        assert report.ok, [str(f) for f in report.failures]


def test_the_finished_encrypted_campaign_verifies(demo_db, tmp_path):
    campaign = Campaign.objects.get(slug=demo_primaries.E2E_SLUG)
    assert campaign.encrypted and campaign.status == Campaign.Status.CLOSED
    election = campaign.e2e
    types = list(election.events.order_by("seq").values_list("type", flat=True))
    assert types[0] == "SETUP" and "BATCH" in types
    assert types[-6:] == ["BATCH", "CLOSE", "TALLY", "SHARE", "SHARE", "RESULT"] or types[-5:] == [
        "CLOSE",
        "TALLY",
        "SHARE",
        "SHARE",
        "RESULT",
    ]
    ballots = EncryptedBallot.objects.filter(election=election)
    online = ballots.filter(channel=EncryptedBallot.Channel.ONLINE).count()
    paper = ballots.filter(channel=EncryptedBallot.Channel.PAPER).count()
    assert online == demo_primaries.E2E_ONLINE and 0 < paper <= demo_primaries.E2E_PAPER
    assert campaign.tally["ballots"] == online + paper
    assert sum(campaign.tally["counts"].values()) >= online + paper - ballots.count()
    result = campaign.contests.get().result
    assert result.feasible and len(result.data["list"]) == campaign.list_length
    # The record verifies, pinned to the server's key: in Python and with the command.
    lines = _record_lines(Client(), campaign.slug)
    report = verify.verify_record(lines, server_key=bytes(election.server_key))
    assert report.ok, [str(f) for f in report.failures]
    assert report.ballots == {"online": online, "paper": paper}
    # The paper voters' credentials were voided by the authority (a VOID, before the CLOSE).
    assert "VOID" in types and types.index("VOID") < types.index("CLOSE")
    assert report.voided == paper
    assert E2ECredential.objects.filter(election=election, voided=True).count() == paper
    (question,) = canonical.loads(lines[-1].rstrip(b"\n"))["payload"]["questions"]
    assert question["list"] == [row["id"] for row in result.data["list"]]
    record_file = tmp_path / "e2e.jsonl"
    record_file.write_bytes(b"".join(lines))
    out = io.StringIO()
    call_command(
        "verify_election", str(record_file), "--server-key", _server_key(election), stdout=out
    )
    assert "OK" in out.getvalue()
    # A changed record fails.
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"".join(lines[:-1]))
    with pytest.raises(CommandError):
        call_command(
            "verify_election",
            str(tampered),
            "--server-key",
            _server_key(election),
            stdout=io.StringIO(),
        )
    # The browser verifier's page for it.
    page = Client().get(reverse("primaries:e2e_verify", args=[campaign.slug]))
    assert page.status_code == 200
    # The trustees' secrets of the finished campaign were not kept on disk.
    assert sorted(p.name for p in demo_e2e.trustee_dir().iterdir()) == [
        "passphrase.txt",
        "trustee-1-backup.key",
        "trustee-1.key",
        "trustee-2-backup.key",
        "trustee-2.key",
        "trustee-3-backup.key",
        "trustee-3.key",
    ]


def test_the_readme_gives_the_demo_credential_passphrase_and_key_files():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert demo_e2e.member_credential(demo_primaries.OPEN_SLUG) in readme
    assert demo_e2e.TRUSTEE_PASSPHRASE in readme
    for username in demo_e2e.TRUSTEE_USERNAMES:
        assert f"`{username}`" in readme
    assert "var/demo-trustees/trustee-1.key" in readme and demo_primaries.E2E_SLUG in readme
