"""`/favicon.ico`, which browsers ask for on every first visit, leads to the icon."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("bastau/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    path = finders.find("bastau/favicon.ico")
    assert path is not None
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_the_icon(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'rel="icon"' in html and "bastau/favicon.ico" in html
