"""The hook by which a meeting adopts a programme version.

The activity module records decisions (`activity.services.record_decision`) and knows nothing
of the programme (it sits on a lower floor). When a decision is saved on an agenda item that
a programme version was put on, that version is adopted, in the same transaction as the
decision: recording the decision, from the meeting's page or from the programme's, is the
approval.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from bastau.activity.models import Decision


@receiver(post_save, sender=Decision, dispatch_uid="agenda.adopt_on_decision")
def adopt_on_decision(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import adopt_on_decision as adopt

        adopt(instance)
