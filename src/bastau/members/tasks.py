"""Background work of the members app, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> str:
    """Check and write one import job; returns its final status."""
    from .imports import run_import

    return run_import(job_id).status
