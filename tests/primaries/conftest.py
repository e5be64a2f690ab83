"""The primaries tests' fixtures: the builders live in tests/factories/primaries.py."""

from ..factories.primaries import election, voter_user  # noqa: F401  (fixture, re-exported)
