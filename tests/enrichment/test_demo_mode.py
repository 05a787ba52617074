"""DEMO_MODE (set by `make demo`): every admin page says that its data comes from a local demo
provider, and nothing says so otherwise."""

import pytest

BANNER = "Demo — data from a local demo provider, not the real Open Library"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/catalog/work/"])
def test_every_admin_page_shows_the_demo_banner_in_demo_mode(admin_client, client, settings, path):
    settings.DEMO_MODE = True
    page = (client if path == "/admin/login/" else admin_client).get(path)

    assert page.status_code == 200
    assert page.content.decode().count(BANNER) == 1


@pytest.mark.django_db
def test_no_banner_outside_demo_mode(admin_client, settings):
    settings.DEMO_MODE = False

    assert BANNER not in admin_client.get("/admin/").content.decode()
