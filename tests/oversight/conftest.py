import pytest

from ..factories import oversight as fo


@pytest.fixture
def ow(world):
    """The foundation's world plus maslikhats (regional, the secretary's district, the other
    district), their current convocations, a faction and faction secretaries."""
    return fo.world(world)
