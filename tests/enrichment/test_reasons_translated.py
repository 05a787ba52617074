"""The reasons the apply path and a revert give a reviewer (why a field was not applied, why a
field cannot be put back, a revert's note in the audit log) go through gettext: shown in the
librarian's language once a translation exists. A tiny in-test catalog stands in for a .mo file
(as tests/bookstore/test_translations.py does for the web UI's modules)."""

import pytest

from catalog.models import Edition, Work
from enrichment import revert, review
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_work_status_taken_back import auto_applied
from tests.synthetic_translations import use_synthetic_catalog

pytestmark = pytest.mark.django_db

#: English message -> its (French) translation.
SYNTHETIC_CATALOG = {
    "the field already holds a value": "le champ a déjà une valeur",
    "Reverted entry #%(id)s.": "Entrée n° %(id)s annulée.",
    "nothing": "rien",
}


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


@pytest.fixture
def french(monkeypatch):
    use_synthetic_catalog(monkeypatch, SYNTHETIC_CATALOG)


def test_a_field_an_approval_could_not_fill_says_why_in_the_librarians_language(reviewer, french):
    request = needs_review()
    Edition.objects.filter(work=request.work_id).update(page_count=999)
    result = review.request_approve(request=request, actor=reviewer)
    assert result.refused["page_count"] == "le champ a déjà une valeur"
    request.refresh_from_db()
    assert request.proposal.fields["page_count"].refused == "le champ a déjà une valeur"


def test_a_revert_says_its_note_and_its_refusals_in_the_librarians_language(reviewer, french):
    work, entry = auto_applied()
    Work.objects.filter(pk=work.pk).update(description="")  # emptied by a librarian since
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert "(it now holds rien," in result.refused["description"]
    assert result.revert_entry.note == f"Entrée n° {entry.pk} annulée."
