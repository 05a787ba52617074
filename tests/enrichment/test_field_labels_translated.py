"""Fields are named in the reader's language wherever they are shown (the review page, the audit
log, a decided request's headline, the API's labels), while a note stored with a request keeps
the English it is written in. A tiny in-test French catalog stands in for a .mo file."""

import pytest
from django.utils import translation

from enrichment import review
from enrichment.proposals import FIELD_LABELS, field_label, field_label_in_sentence
from tests.synthetic_translations import use_synthetic_catalog

SYNTHETIC_CATALOG = {"Publisher": "Éditeur", "Open Library author": "Auteur Open Library"}


@pytest.fixture
def french(monkeypatch):
    use_synthetic_catalog(monkeypatch, SYNTHETIC_CATALOG, language="fr")


def test_a_field_is_named_in_the_readers_language(french):
    with translation.override("fr"):
        assert field_label("publisher") == "Éditeur"
        assert field_label_in_sentence("publisher") == "éditeur"
        assert field_label_in_sentence("openlibrary_key") == "Auteur Open Library"
        assert field_label("no_such_field") == "no_such_field"
    assert field_label("publisher") == FIELD_LABELS["publisher"] == "Publisher"


def test_a_note_stored_with_a_request_keeps_its_english(french):
    with translation.override("fr"):
        note = review._approve_note({"publisher": "Gollancz"}, safe=False, cover="")
    assert note == "Applied Publisher."
