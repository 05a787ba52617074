"""Life years before the common era and guessed ones, on every admin screen that shows them:
"384 BC" and "c. 1850" (catalog.life_years), where the queue said "-384–-322", a proposal and
the audit log "-384", a read-only author page "-384" and "1850" beside a date of "c. 1850", and
a merge's evidence "-384 / -383"."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, AuthorMerge
from tests.enrichment.test_author_merges import propose
from tests.enrichment.test_author_requests import decide
from tests.factories import make_author

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def page_text(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def root():
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


def test_the_queue_the_proposal_and_the_audit_log_say_384_bc(root):
    aristotle = make_author("Aristotle")
    request = decide(aristotle, Tier.HIGH, birth_year=-384, death_year=-322)
    entry = AuditLogEntry.objects.get(request=request)

    queue = page_text(root.get(reverse("admin:enrichment_enrichmentrequest_changelist")))
    proposal = page_text(
        root.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    )
    audit = page_text(root.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])))
    audit_list = page_text(root.get(reverse("admin:enrichment_auditlogentry_changelist")))

    assert "Aristotle author · 384 BC–322 BC" in queue
    assert "Born (year) 384 BC 384 BC" in proposal
    assert "Born (year) empty → 384 BC" in audit
    assert "Died (year) : empty → 322 BC" in audit_list
    for text in (queue, proposal, audit, audit_list):
        assert "-384" not in text and "-322" not in text


def test_a_read_only_author_page_says_the_era_and_the_guess(root):
    aristotle = make_author("Aristotle", birth_year=-384, death_year=-322)
    guessed = make_author("Somebody", birth_year=1850, birth_date="c. 1850")
    viewer = User.objects.create_user("vera", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_author"))
    client = Client()
    client.force_login(viewer)

    plato_page = page_text(client.get(reverse("admin:catalog_author_change", args=[aristotle.pk])))
    guessed_page = page_text(client.get(reverse("admin:catalog_author_change", args=[guessed.pk])))

    assert "Birth year: 384 BC Death year: 322 BC" in plato_page
    assert "Birth year: c. 1850" in guessed_page


def test_an_editor_is_told_how_the_year_input_says_an_era(root):
    aristotle = make_author("Aristotle", birth_year=-384)
    page = root.get(reverse("admin:catalog_author_change", args=[aristotle.pk]))
    assert 'value="-384"' in page.content.decode()  # the input holds the number
    assert "Negative before the common era: -384 is 384 BC." in page_text(page)

    refused = root.post(
        reverse("admin:catalog_author_change", args=[aristotle.pk]),
        {"name": "Aristotle", "birth_year": "-384", "death_year": "-390"},
    )
    assert "Before the birth year, 384 BC: check both years." in page_text(refused)


def test_a_merges_evidence_says_the_years_in_their_era(root):
    merge = propose(make_author("Aristotle"), make_author("Aristoteles"))
    AuthorMerge.objects.filter(pk=merge.pk).update(
        evidence={"conflicting_years": {"birth_year": [-384, -383]}}
    )
    text = page_text(root.get(reverse("admin:enrichment_authormerge_change", args=[merge.pk])))
    assert "Born in different years : 384 BC / 383 BC" in text


def test_a_guessed_year_reads_as_a_guess_beside_its_date_in_the_proposal_and_the_log(root):
    """The year proposed with "c. 1850" said "1850" beside it, and so did the audit log."""
    author = make_author("Somebody", birth_year=1790, birth_date="c. 1790")
    request = decide(author, Tier.HIGH, death_year=1850, death_date="c. 1850")
    entry = AuditLogEntry.objects.get(request=request)

    proposal = page_text(
        root.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    )
    audit = page_text(root.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])))
    audit_list = page_text(root.get(reverse("admin:enrichment_auditlogentry_changelist")))

    assert "Died (year) c. 1850 c. 1850" in proposal
    assert "Died (year) empty → c. 1850" in audit
    assert "Died (year) : empty → c. 1850" in audit_list
    assert "Born (year)" not in proposal  # nothing proposed of it


def test_the_author_list_tells_namesakes_apart_by_their_years(root):
    """The list showed no years: two Alexandre Dumas read the same, and Plato's years, had it
    shown them as stored, "-428"."""
    make_author("Alexandre Dumas", birth_year=1802, death_year=1870)
    make_author("Alexandre Dumas", birth_year=1824, birth_date="c. 1824")
    make_author("Plato", birth_year=-428, death_year=-348)
    text = page_text(root.get(reverse("admin:catalog_author_changelist")))
    assert "Lived" in text
    assert "Alexandre Dumas – 1802–1870" in text
    assert "Alexandre Dumas – c. 1824–" in text
    assert "Plato – 428 BC–348 BC" in text


def test_the_revert_confirmation_says_a_guessed_year_as_a_guess(root):
    """The confirmation of a revert said "Died (year): back to empty (it holds “1850”)" of a
    year its date gives as "c. 1850", which every other screen says."""
    author = make_author("Somebody", birth_year=1790, birth_date="c. 1790")
    request = decide(author, Tier.HIGH, death_year=1850, death_date="c. 1850")
    entry = AuditLogEntry.objects.get(request=request)

    asked = page_text(root.get(reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])))
    assert "Died (year): back to empty (it holds “c. 1850”)" in asked
