"""Background work of surveys, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def send_survey_messages(survey_id: int, day: str, reminder: bool = False) -> int:
    """Invite a survey's audience (or remind those who have not answered); returns how many
    people were written to."""
    import datetime as dt

    from .services import send_messages

    return send_messages(survey_id, dt.date.fromisoformat(day), reminder=reminder).recipients
