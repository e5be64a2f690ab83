"""Errors are RFC 9457 problem details in the caller's language: Accept-Language first, else
the language the token was made in."""

import pytest

from .conftest import Api, make_token

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "language,title", [("kk", "Кіру керек"), ("ru", "Требуется вход"), ("en", "Not signed in")]
)
def test_401_in_the_accept_language(db, language, title):
    response = Api(language=language).get("/members")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["title"] == title
    assert body["status"] == 401 and body["instance"] == "/api/v1/members"
    assert body["type"].endswith("/401")
    assert response["Content-Language"] == language


def test_403_in_the_token_s_language_without_accept_language(world):
    raw = make_token(world.secretary, apps=["structure"], language="ru")
    body = Api(raw).get("/members").json()
    assert body["status"] == 403
    assert body["title"] == "Доступ запрещён"
    assert body["detail"] == "Этот токен не открывает этот раздел Bastau."


def test_accept_language_wins_over_the_token_s_language(world):
    raw = make_token(world.secretary, apps=["structure"], language="ru")
    body = Api(raw, language="kk").get("/members").json()
    assert body["title"] == "Рұқсат жоқ"


def test_404_and_422_and_400_are_problems(world):
    caller = Api(make_token(world.admin), language="kk")
    missing = caller.get("/members/999999")
    assert missing.status_code == 404 and missing["Content-Type"].startswith(PROBLEM)
    invalid = caller.get("/members", limit="abc")
    assert invalid.status_code == 422 and invalid.json()["errors"]
    unknown = caller.get("/no-such-endpoint")
    assert unknown.status_code == 404 and unknown["Content-Type"].startswith(PROBLEM)
    cursor = caller.get("/members", cursor="abc")
    assert cursor.status_code == 400
    assert cursor.json()["title"] == "Қате сұрау"
