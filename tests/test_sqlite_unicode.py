import datetime as dt

from bastau.members.models import Member

from . import factories as f


def test_kazakh_names_match_case_insensitively(world):
    f.member(
        world.poo,
        last_name="Әбілқайырова",
        first_name="Ұлжан",
        sex="F",
        birth_date=dt.date(1990, 1, 1),
    )
    found = Member.objects.filter(last_name__istartswith="әбіл")
    assert [m.last_name for m in found] == ["Әбілқайырова"]
    assert Member.objects.filter(first_name__icontains="ҰЛЖ").count() == 1
    assert not Member.objects.filter(last_name__istartswith="әбіз").exists()


def test_like_wildcards_are_escaped(world):
    f.member(world.poo, last_name="100%_Test")
    f.member(world.poo, last_name="100xTest")
    assert Member.objects.filter(last_name__startswith="100%").count() == 1
    assert Member.objects.filter(last_name__contains="%_").count() == 1
