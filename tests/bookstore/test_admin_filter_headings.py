"""Each list's filters are headed "By <what>" in words a librarian reads as English: the
authors list said "By has", the requests list "By for" and "By show", the audit log "By
created at", the import rows "By matched by"."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from catalog.models import Author
from enrichment.admin.actions import list_filters_words

pytestmark = pytest.mark.django_db

HEADINGS = {
    "catalog_work": [
        "By cover",
        "By language",
        "By format",
        "By enrichment",
        "By completeness",
        "By details missing",
        "By author completeness",
        "By cover source",
        "By backfill",
    ],
    "catalog_edition": ["By cover", "By format", "By language"],
    "catalog_author": [
        "By enrichment",
        "By completeness",
        "By details held",
        "By details missing",
        "By redirect",
    ],
    "catalog_importjob": ["By status", "By source"],
    "catalog_importrow": ["By status", "By warnings", "By how it was matched"],
    "enrichment_enrichmentrequest": [
        "By history",
        "By book or author",
        "By status",
        "By confidence",
        "By provider",
        "By trigger",
        "By cover or photo proposal",
    ],
    "enrichment_auditlogentry": ["By action", "By user", "By date"],
    "enrichment_backfillmonth": ["By status", "By year"],
    "enrichment_authormerge": ["By status", "By reason"],
    "enrichment_bulkoperation": ["By action", "By status"],
}


@pytest.mark.parametrize("model", sorted(HEADINGS))
def test_each_list_filter_is_headed_in_english(client, model):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    html = client.get(reverse(f"admin:{model}_changelist")).content.decode()
    headings = [" ".join(h.split()) for h in re.findall(r"<summary>\s*(By [^<]*)</summary>", html)]
    assert headings == HEADINGS[model]


def test_a_narrowed_selection_names_the_filter_by_its_heading(client):
    """The confirmation page of "Enrich selected authors" over the whole filtered list reads
    the filter's title: "details held “a bio”", not "has “a bio”"."""
    request = RequestFactory().get("/", {"has": "bio"})
    request.user = User.objects.create_superuser("root2", password="pw")
    words = list_filters_words(admin.site._registry[Author], request)
    assert words == ["details held “a bio”"]
