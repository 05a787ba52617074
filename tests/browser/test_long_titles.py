"""A long title on an object's page in a real browser (chromium): Django floats the page's
buttons (History, Next, Open the work) up beside the title, and a title long enough to reach
them ran under them, its middle words hidden (a work's "… Every Single Book [in the] Known
Universe …"). Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.browser import test_review_flow as review_flow
from tests.factories import make_edition, make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule

LONG_TITLE = (
    "The Extraordinarily Long and Winding Chronicle of a Librarian Who Catalogued Every Single "
    "Book in the Known Universe Including the Ones That Were Never Written: Volume One"
)


def title_under_buttons(page) -> bool:
    """Whether the page's title (its h2) and its buttons overlap on screen."""
    return page.evaluate(
        """() => {
            const title = document.querySelector('#content > h2');
            const tools = document.querySelector('.object-tools');
            if (!title || !tools) return false;
            const range = document.createRange();
            range.selectNodeContents(title);
            const words = [...range.getClientRects()];
            const buttons = tools.getBoundingClientRect();
            return words.some(line => line.right > buttons.left && line.left < buttons.right
                && line.bottom > buttons.top && line.top < buttons.bottom);
        }"""
    )


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_a_long_title_wraps_before_the_pages_buttons(live_server, browser_page, width):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    work = make_work(LONG_TITLE, authors=["Bartholomew Fitzgerald-Worthington-Smythe"])
    edition = make_edition(work, title=LONG_TITLE)
    page.set_viewport_size({"width": width, "height": 900})
    review_flow.log_in(page, base, "boss")

    for url in (
        reverse("admin:catalog_work_change", args=[work.pk]),
        reverse("admin:catalog_edition_change", args=[edition.pk]),
    ):
        page.goto(f"{base}{url}")
        page.wait_for_selector(".object-tools")
        review_flow.shot(page, f"page-long-title-{width}")
        assert not title_under_buttons(page), url
