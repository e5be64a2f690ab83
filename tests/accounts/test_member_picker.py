"""The searchable member picker: the endpoint finds at most 20 members of the user's scope by
name, IIN prefix (only for those who see IINs) or card number, audits each search that finds
someone, and costs a fixed number of queries; the widget renders no option list."""

from django.urls import reverse

from bastau.accounts.forms import AccountForm
from bastau.accounts.scoping import Scope
from bastau.core.models import AuditEvent
from tests import factories as f


def _pick(client, q):
    return client.get(reverse("accounts:pick_member"), {"q": q})


def test_a_secretary_finds_members_of_the_district_only(client, world):
    client.force_login(world.secretary)
    mine = world.members[1]
    response = _pick(client, mine.last_name[:3])
    found = [value for value, _label in response.context["options"]]
    assert mine.pk in found
    assert world.other_member.pk not in found
    response = _pick(client, world.other_member.last_name)
    assert world.other_member.pk not in [v for v, _l in response.context["options"]]


def test_iin_prefix_only_for_those_who_see_iins_and_labels_mask_it(client, world):
    member = world.members[1]
    client.force_login(world.secretary)
    response = _pick(client, member.iin[:8])
    assert [v for v, _l in response.context["options"]] == [member.pk]
    assert member.iin in response.content.decode()
    client.force_login(world.leader)  # a POO leader sees masked IINs and cannot search them
    assert _pick(client, member.iin[:8]).context["options"] == []
    response = _pick(client, member.last_name)
    body = response.content.decode()
    assert member.full_name in body and member.iin not in body and member.iin[-4:] in body


def test_each_search_that_finds_someone_is_audited(client, world):
    client.force_login(world.secretary)
    _pick(client, "zzzz-nobody")
    assert not AuditEvent.objects.filter(action="members.picker_search").exists()
    _pick(client, world.members[1].last_name)
    event = AuditEvent.objects.get(action="members.picker_search")
    assert event.actor == world.secretary
    assert world.members[1].pk in event.data["found"]


def test_a_short_query_finds_nothing_and_reads_nothing(client, world):
    client.force_login(world.secretary)
    response = _pick(client, "a")
    assert response.context["short"] and response.context["options"] == []


def test_at_most_twenty_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(30):
        f.member(world.poo, last_name="Abenov")
    client.force_login(world.secretary)
    with django_assert_max_num_queries(8):
        response = _pick(client, "Aben")
    assert len(response.context["options"]) == 20


def test_refused_to_a_member_and_to_anonymous(client, world):
    assert _pick(client, "Ab").status_code == 302
    client.force_login(world.member_user)
    assert _pick(client, "Ab").status_code == 403


def test_the_widget_renders_the_picked_one_not_every_member(world, django_assert_max_num_queries):
    form = AccountForm(Scope(world.secretary), initial={"member": world.members[1].pk})
    with django_assert_max_num_queries(1):
        html = str(form["member"])
    assert world.members[1].full_name in html
    assert world.members[2].full_name not in html
    assert 'hx-get="' + reverse("accounts:pick_member") in html
    assert "<option" not in html


def test_a_submitted_id_outside_the_scope_is_refused(world):
    data = {"username": "x1", "role": "member", "member": world.other_member.pk}
    form = AccountForm(Scope(world.secretary), data)
    assert not form.is_valid() and "member" in form.errors


def test_a_picked_id_is_written_without_a_thousands_separator():
    """Ids past 999 once came out as "32 289" in Kazakh, and the form refused the choice."""
    from django.template.loader import render_to_string
    from django.utils import translation

    for language in ("kk", "ru", "en"):
        with translation.override(language):
            html = render_to_string(
                "core/autocomplete_results.html", {"options": [(1234567, "X")], "short": False}
            )
        assert 'data-pick-value="1234567"' in html, language
