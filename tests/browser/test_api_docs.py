"""The API's documentation page in a real browser (chromium): Swagger UI loads from the static
files (no CDN: the test machine has no network) and renders the schema's endpoints for a signed-in
user; "Try it out" answers with the user's session. Screenshot: test-artifacts/api-docs.png."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.browser import test_review_flow as review_flow

browser_page = review_flow.browser_page  # the same browser, and its skip rule


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_from_static_files(live_server, browser_page):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(base) and not request.url.startswith("data:")
            else None
        ),
    )

    review_flow.log_in(page, base, "boss")
    page.goto(f"{base}{reverse('api:docs')}")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Bookstore API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in (
        "/api/v1/enrichment/status",
        "/api/v1/enrichment/{id}/approve",
        "/api/v1/imports/",
    ):
        assert any(path in shown.replace("\u200b", "") for shown in paths), paths
    assert outside == []  # nothing fetched from anywhere but this server
    review_flow.shot(page, "api-docs")
