"""The API's docs page (Swagger UI over the served schema), given what a browser or a link may
add to its address."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]
DOCS_URL = reverse("api:docs")


def schema_url_of(page: bytes) -> str:
    """The address the page's script loads the schema from (escaped by `escapejs`)."""
    escaped = re.search(r'url: "([^"]*)"', page.decode()).group(1)
    return json.loads(f'"{escaped}"')


@pytest.mark.parametrize("query", ["lang=xx", "lang=fr", "lang=en", "version=2", "lang="])
def test_a_language_or_version_given_to_the_docs_page_still_shows_the_schema(admin_api, query):
    """`docs/?lang=fr` (a language the API has no translation for, as any) was passed on to the
    schema, which refuses `lang` as a parameter it does not take: the page said "Failed to load
    API definition". A language the page cannot speak is its default, English, as HTTP's
    language negotiation serves one it has."""
    page = admin_api.get(f"{DOCS_URL}?{query}")

    assert page.status_code == 200
    schema_url = schema_url_of(page.content)
    assert schema_url == reverse("api:schema")
    assert admin_api.get(schema_url).status_code == 200
