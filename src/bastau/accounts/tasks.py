"""Background work of the accounts app, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def send_login_code(destination: str) -> str:
    """Send a one-time login code to the account with this phone or email, if there is one
    (otp.deliver_code). Queued for every accepted request, so that the request itself does
    the same work whether or not the account exists."""
    from .otp import deliver_code

    return deliver_code(destination)
