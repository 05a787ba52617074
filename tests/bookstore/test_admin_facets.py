"""Every admin list with its filters' counts shown (the "Show counts" link, `?_facets=True`): a
filter's choices are counted with the values its `lookups` give, which need not be strings."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from enrichment.models import AuditLogEntry
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_with_history():
    """A little of everything the lists' filters choose from: a book, its author, and a
    staff member's audit entry (the audit log's user filter lists its users by id)."""
    librarian = User.objects.create_user("libby", password="pw", is_staff=True)
    work = make_work(authors=["Ursula K. Le Guin"])
    make_edition(work)
    make_author("Frank Herbert")
    AuditLogEntry.objects.create(
        work=work, action=AuditLogEntry.Action.REVIEW_APPLY, actor=librarian, changes={}
    )


def changelists():
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if model_admin.show_facets != admin.ShowFacets.NEVER
    )


def test_every_list_shows_its_filters_counts(client, catalog_with_history):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    failed = {}
    for url in changelists():
        response = client.get(url, {"_facets": "True"})
        if response.status_code != 200:
            failed[url] = response.status_code
    assert failed == {}
    audit_log = reverse("admin:enrichment_auditlogentry_changelist")
    assert "libby (1)" in client.get(audit_log, {"_facets": "True"}).content.decode()
