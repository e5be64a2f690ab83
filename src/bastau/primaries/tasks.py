"""Background work of the primaries, run by the task worker (`bastau db_worker`)."""

from django_tasks import task


@task()
def check_encrypted_ballots(election_id: int) -> int:
    """Check the proofs of an encrypted election's pending ballots (off the casting request);
    the failing ones go into a REJECT event. The sealer (`seal_boards`) seals those that pass."""
    from .encrypted import check_pending
    from .models import E2EElection

    election = E2EElection.objects.filter(pk=election_id).first()
    return check_pending(election)[0] if election is not None else 0
