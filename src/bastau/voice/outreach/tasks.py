"""Background work of information work, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def send_event_invitations(event_id: int) -> int:
    """Send the queued invitations of an outreach event (as of the day the worker runs them:
    nothing is sent for an event that has passed); returns how many were sent."""
    from django.utils import timezone

    from .services import send_invitations

    return send_invitations(event_id, timezone.localdate()).sent
