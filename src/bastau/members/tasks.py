"""Background work of the members app, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> str:
    """Check and write one import job; returns its final status."""
    from .imports import run_import

    return run_import(job_id).status


@task()
def send_review_reminders(day: str, review_id: int | None = None) -> int:
    """Remind the leaders of late POOs of running reviews (or of one); returns how many POOs."""
    import datetime as dt

    from .review import send_reminders

    return send_reminders(dt.date.fromisoformat(day), review_id=review_id).poos
