"""The catalogue of appeal topics: add, edit, retire. A topic that an appeal or a booking
names is never deleted (the appeal keeps it): it is retired, so it leaves the public form and
the staff's choices and can be restored. One not yet used is deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bastau.core import audit

from .. import permissions
from ..models import Appeal, Booking, Topic

FIELDS = ("code", "name", "name_ru", "name_en", "order", "active")


def in_use(topic: Topic) -> bool:
    return (
        Appeal.objects.filter(topic=topic).exists() or Booking.objects.filter(topic=topic).exists()
    )


def save_topic(scope, topic: Topic | None, data: dict, *, request=None) -> Topic:
    scope.require(permissions.manage_catalogue(scope))
    taken = Topic.objects.filter(code=data["code"])
    if topic is not None:
        taken = taken.exclude(pk=topic.pk)
    if taken.exists():
        raise ValidationError({"code": _("A topic with this code exists.")})
    with transaction.atomic():
        topic = topic or Topic()
        created = topic.pk is None
        for name in FIELDS:
            setattr(topic, name, data[name])
        topic.save()
        audit.record(
            scope.user,
            "reception.topic_added" if created else "reception.topic_changed",
            topic,
            request=request,
            summary=topic.name,
        )
    return topic


def remove_topic(scope, topic: Topic, *, request=None) -> bool:
    """Delete a topic no one used; retire one in use. True when it was deleted."""
    scope.require(permissions.manage_catalogue(scope))
    with transaction.atomic():
        if in_use(topic):
            topic.active = False
            topic.save(update_fields=["active"])
            action, deleted = "reception.topic_retired", False
        else:
            action, deleted = "reception.topic_deleted", True
        audit.record(scope.user, action, topic, request=request, summary=topic.name)
        if deleted:
            topic.delete()
    return deleted
