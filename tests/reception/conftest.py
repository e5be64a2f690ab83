import pytest
from django.core.cache import cache

from bastau.accounts.models import Role
from bastau.reception.models import Topic

from .. import factories as f


@pytest.fixture
def rw(world):
    """The foundation's world plus reception officers and two topics."""
    cache.clear()
    w = world
    w.officer = f.user(
        Role.RECEPTION_OFFICER, branch=w.district, email="officer@example.kz", phone="+77010000001"
    )
    w.other_officer = f.user(Role.RECEPTION_OFFICER, branch=w.other_district)
    w.topic = Topic.objects.get(code="social_aid")
    w.land = Topic.objects.get(code="land")
    return w
