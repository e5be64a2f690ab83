"""The appeal topics editor: the regional administrator adds and edits topics; a topic in use
is retired, never deleted; one never used is deleted; every change is audited."""

import pytest
from django.urls import reverse

from bastau.core.models import AuditEvent
from bastau.reception.models import Appeal, Topic

from ..factories.reception import build

pytestmark = pytest.mark.django_db


def test_the_admin_adds_and_edits_a_topic(client, rw):
    w = build(rw)
    client.force_login(w.admin)
    data = {"code": "roads", "name": "Жолдар", "name_ru": "Дороги", "order": 3, "active": "on"}
    response = client.post(reverse("reception:staff_topic_new"), data)
    assert response.status_code == 302
    topic = Topic.objects.get(code="roads")
    assert (topic.name, topic.name_ru, topic.order, topic.active) == ("Жолдар", "Дороги", 3, True)
    url = reverse("reception:staff_topic_edit", args=[topic.pk])
    response = client.post(url, {**data, "name_ru": "Дороги и мосты", "active": ""})
    topic.refresh_from_db()
    assert topic.name_ru == "Дороги и мосты" and not topic.active
    assert AuditEvent.objects.filter(action="reception.topic_added").count() == 1
    assert AuditEvent.objects.filter(action="reception.topic_changed").count() == 1
    # a code already taken is refused with the form, in the user's language
    client.cookies["bastau_language"] = "ru"
    response = client.post(reverse("reception:staff_topic_new"), data)
    assert response.status_code == 200
    assert "Тема с таким кодом уже есть." in str(response.context["form"].errors["code"])
    assert Topic.objects.filter(code="roads").count() == 1


def test_a_topic_in_use_is_retired_and_an_unused_one_deleted(client, rw):
    w = build(rw)
    client.force_login(w.admin)
    assert Appeal.objects.filter(topic=w.topic).exists()
    client.post(reverse("reception:staff_topic_remove", args=[w.topic.pk]))
    w.topic.refresh_from_db()
    assert not w.topic.active
    assert AuditEvent.objects.filter(action="reception.topic_retired").exists()
    unused = Topic.objects.create(code="unused", name="Қолданылмаған")
    client.post(reverse("reception:staff_topic_remove", args=[unused.pk]))
    assert not Topic.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="reception.topic_deleted").exists()


def test_a_secretary_changes_nothing(client, rw):
    w = build(rw)
    client.force_login(w.secretary)
    response = client.post(reverse("reception:staff_topic_remove", args=[w.topic.pk]))
    assert response.status_code == 403
    w.topic.refresh_from_db()
    assert w.topic.active
    assert not AuditEvent.objects.filter(action__startswith="reception.topic").exists()
