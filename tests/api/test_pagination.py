"""Cursor pagination: keyset on id, opaque cursors, every row once, no OFFSET and no COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastau.api.pagination import BadCursor, decode_cursor, encode_cursor
from bastau.members.models import Member

from .. import factories as f
from .conftest import Api, make_token


def test_walking_the_cursors_returns_every_row_once_in_id_order(world):
    for _ in range(7):
        f.member(world.poo)
    caller = Api(make_token(world.admin))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = caller.get("/members", **params).json()
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(Member.objects.values_list("pk", flat=True))
    assert pages == -(-len(seen) // 3)


def test_a_page_is_one_keyset_query(world):
    caller = Api(make_token(world.admin))
    cursor = caller.get("/members", limit=1).json()["next_cursor"]
    with CaptureQueriesContext(connection) as queries:
        caller.get("/members", limit=2, cursor=cursor)
    member_queries = [q["sql"] for q in queries if 'FROM "members_member"' in q["sql"]]
    assert len(member_queries) == 1
    sql = member_queries[0].upper()
    assert (
        "OFFSET" not in sql
        and "COUNT(" not in sql
        and '"ID" >' in sql.replace('"MEMBERS_MEMBER".', "")
    )


def test_a_forged_cursor_stays_inside_the_scope(world):
    caller = Api(make_token(world.secretary))
    body = caller.get("/members", cursor=encode_cursor(0), limit=500).json()
    assert world.other_member.pk not in {row["id"] for row in body["items"]}


@pytest.mark.parametrize("bad", ["x", "djE6LTE", encode_cursor(5) + "!", "dja6MQ"])
def test_bad_cursors_are_refused(bad):
    with pytest.raises(BadCursor):
        decode_cursor(bad)


def test_limits_out_of_range_are_422(world):
    caller = Api(make_token(world.admin))
    assert caller.get("/members", limit=0).status_code == 422
    assert caller.get("/members", limit=501).status_code == 422
