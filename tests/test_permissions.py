"""The permission matrix: every page of the foundation, for every role.

Each row names a page and the status each role must get. A district secretary's view of
another district's objects is a 404 (the object is outside their scope, so it does not
exist for them); a role without the right gets 403; anonymous users go to the login page.
"""

import pytest
from django.urls import reverse

ROLES = ["anonymous", "member_user", "leader", "secretary", "other_secretary", "admin"]

LOGIN = "login"  # expected: redirect to the login page


def _review(w):
    """A running review of the secretary's district (once per world)."""
    if getattr(w, "review", None) is None:
        import datetime as dt

        from django.utils import timezone

        from bastau.accounts.scoping import Scope
        from bastau.members.review import open_review

        today = timezone.localdate()
        w.review = open_review(
            Scope(w.secretary),
            branch=w.district,
            title="Review",
            deadline=today + dt.timedelta(days=30),
            today=today,
        )
    return w.review


def _review_urls(w):
    rev = _review(w)
    item = rev.items.get(member=w.members[1])
    staff = {
        "anonymous": LOGIN,
        "member_user": 403,
        "leader": 200,
        "secretary": 200,
        "other_secretary": 200,
        "admin": 200,
    }
    in_district = {**staff, "other_secretary": 404}
    managers = {**in_district, "leader": 403}
    return [
        ("reviews", reverse("members:reviews"), staff),
        ("open a review", reverse("members:review_new"), {**staff, "leader": 403}),
        ("review", reverse("members:review", args=[rev.pk]), in_district),
        ("close a review", reverse("members:review_close", args=[rev.pk]), managers),
        (
            "remind (POST only)",
            reverse("members:review_remind", args=[rev.pk]),
            dict.fromkeys(ROLES, 405),
        ),
        ("review report", reverse("members:review_report", args=[rev.pk]), in_district),
        ("review report xlsx", reverse("members:review_report_xlsx", args=[rev.pk]), in_district),
        (
            "review report docx",
            reverse("members:review_report_docx", args=[rev.pk, "ru"]),
            in_district,
        ),
        ("review roll", reverse("members:review_roll", args=[rev.pk, w.poo.code]), in_district),
        ("review answer", reverse("members:review_answer", args=[rev.pk, item.pk]), in_district),
        (
            "review roll of another POO",
            reverse("members:review_roll", args=[rev.pk, w.poo2.code]),
            {**in_district, "leader": 404},
        ),
        (
            "review answer in another POO",
            reverse("members:review_answer", args=[rev.pk, rev.items.get(poo=w.poo2).pk]),
            {**in_district, "leader": 404},
        ),
        (
            "own contacts in a review",
            reverse("members:review_own_contacts"),
            {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "member_user": 200},
        ),
    ]


def _urls(w):
    """(label, url, {role: expected}) for every GET page."""
    return _foundation_urls(w) + _review_urls(w) + _account_urls(w)


def _foundation_urls(w):
    m = w.members[1]  # not the member user's own record; in the secretary's district and POO
    return [
        (
            "home",
            reverse("core:home"),
            {
                "anonymous": LOGIN,
                "member_user": 302,
                "leader": 302,
                "secretary": 302,
                "other_secretary": 302,
                "admin": 302,
            },
        ),
        ("healthz", reverse("core:healthz"), dict.fromkeys(ROLES, 200)),
        ("favicon", reverse("core:favicon"), dict.fromkeys(ROLES, 302)),  # to the static file
        (
            "login",
            reverse("accounts:login"),
            {
                "anonymous": 200,
                "member_user": 302,
                "leader": 302,
                "secretary": 302,
                "other_secretary": 302,
                "admin": 302,
            },
        ),
        ("code login", reverse("accounts:code_request"), dict.fromkeys(ROLES, 200)),
        (
            "audit log",
            reverse("core:audit"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 403,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "branches",
            reverse("structure:branches"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "branch",
            reverse("structure:branch", args=[w.district.code]),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "poo",
            reverse("structure:poo", args=[w.poo.code]),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "poo of another POO",
            reverse("structure:poo", args=[w.poo2.code]),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 404,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "poo new",
            reverse("structure:poo_create"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 403,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        *[
            (
                f"poo {action}",
                reverse(f"structure:poo_{action}", args=[w.poo.code]),
                {
                    "anonymous": LOGIN,
                    "member_user": 403,
                    "leader": 403,
                    "secretary": 200,
                    "other_secretary": 404,
                    "admin": 200,
                },
            )
            for action in ("edit", "move", "merge", "close")
        ],
        (
            "member list",
            reverse("members:list"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "member detail",
            reverse("members:detail", args=[m.pk]),
            {
                "anonymous": LOGIN,
                "member_user": 404,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "own record",
            reverse("members:detail", args=[w.member.pk]),
            {
                "anonymous": LOGIN,
                "member_user": 200,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "me",
            reverse("members:me"),
            {
                "anonymous": LOGIN,
                "member_user": 200,
                "leader": 404,
                "secretary": 404,
                "other_secretary": 404,
                "admin": 404,
            },
        ),
        *[
            (
                f"member {name}",
                reverse(f"members:{name}", args=[m.pk]),
                {
                    "anonymous": LOGIN,
                    "member_user": 404,
                    "leader": 403,
                    "secretary": 200,
                    "other_secretary": 404,
                    "admin": 200,
                },
            )
            for name in ("edit", "transfer", "status", "card_issue")
        ],
        (
            "overview",
            reverse("members:overview"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "overview of a district",
            reverse("members:overview") + f"?branch={w.district.code}",
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 404,
                "admin": 200,
            },
        ),
        (
            "overview xlsx",
            reverse("members:overview_xlsx"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "admissions",
            reverse("members:admissions"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "admission new",
            reverse("members:admission_new"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "export",
            reverse("members:export") + "?format=csv",
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "imports",
            reverse("members:imports"),
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 403,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "structure export",
            reverse("members:export_poos") + "?format=csv",
            {
                "anonymous": LOGIN,
                "member_user": 403,
                "leader": 200,
                "secretary": 200,
                "other_secretary": 200,
                "admin": 200,
            },
        ),
        (
            "django admin",
            reverse("admin:index"),
            {
                "anonymous": 302,
                "member_user": 302,
                "leader": 302,
                "secretary": 302,
                "other_secretary": 302,
                "admin": 200,
            },
        ),
    ]


def _account_urls(w):
    """The staff accounts pages: the regional administrator and district secretaries; an
    account outside a secretary's district is a 404."""
    managers = {
        "anonymous": LOGIN,
        "member_user": 403,
        "leader": 403,
        "secretary": 200,
        "other_secretary": 200,
        "admin": 200,
    }
    in_district = {**managers, "other_secretary": 404}
    leader = w.leader.pk
    return [
        ("staff accounts", reverse("accounts:staff_accounts"), managers),
        ("new account", reverse("accounts:staff_account_new"), managers),
        ("account", reverse("accounts:staff_account", args=[leader]), in_district),
        ("edit account", reverse("accounts:staff_account_edit", args=[leader]), in_district),
        ("reset sign-in", reverse("accounts:staff_account_reset", args=[leader]), in_district),
        (
            "deactivate account",
            reverse("accounts:staff_account_deactivate", args=[leader]),
            in_district,
        ),
        (
            "reactivate (POST only)",
            reverse("accounts:staff_account_reactivate", args=[leader]),
            dict.fromkeys(ROLES, 405),
        ),
        (
            "an admin's account is not a secretary's",
            reverse("accounts:staff_account", args=[w.admin.pk]),
            {**managers, "secretary": 404, "other_secretary": 404},
        ),
        (
            "member picker",
            reverse("accounts:pick_member") + "?q=ab",
            {**managers, "leader": 200},
        ),
        (
            "account picker of the instruction forms",
            reverse("activity:pick_user") + "?q=ab",
            {**managers, "leader": 200},
        ),
    ]


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, world, role):
    world.admin.is_staff = True
    world.admin.save()
    _client_for(client, world, role)
    failures = []
    for label, url, expected_by_role in _urls(world):
        expected = expected_by_role[role]
        response = client.get(url)
        if expected == LOGIN:
            ok = response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{label} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_foundation_url(world):
    """A new page of these apps must be added to the matrix (or this test fails)."""
    from django.urls import get_resolver

    covered = set()
    for _label, url, _expected in _urls(world):
        from django.urls import resolve

        match = resolve(url.split("?")[0])
        covered.add(f"{match.namespace}:{match.url_name}")
    resolver = get_resolver()
    names = set()
    for namespace in ("core", "accounts", "structure", "members"):
        sub = resolver.namespace_dict[namespace][1]
        for name in sub.reverse_dict:
            if isinstance(name, str):
                names.add(f"{namespace}:{name}")
    # POST-only or object-specific endpoints checked in their own tests:
    exempt = {
        "accounts:code_verify",
        "accounts:logout",
        "members:admission",
        "members:card_replace",
        "members:import_detail",
        "members:import_errors",
    }
    assert names - exempt - covered == set()
