"""The primaries tests' fixtures: the builders live in tests/factories/primaries.py."""

import pytest

from ..factories.primaries import election, voter_user  # noqa: F401  (fixture, re-exported)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The vote path keeps campaigns, lists and candidates per process for a few seconds; a
    test's database is new, so it starts with none kept."""
    from bastau.primaries.views import e2e_api, public

    public.forget_kept_campaigns()
    e2e_api.forget_kept_elections()
    yield
    public.forget_kept_campaigns()
    e2e_api.forget_kept_elections()
