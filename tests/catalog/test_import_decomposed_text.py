"""Text an export stores decomposed (NFD: `e` + U+0301, as a file saved on macOS may be) is
stored composed (NFC), as the rest of the catalog and the providers write it
(tests/fixtures/imports/real_shapes, each file's source in its PROVENANCE.md)."""

import unicodedata

import pytest

from catalog.models import Author
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
def test_a_name_stored_decomposed_is_stored_composed():
    """Eudora Welty's library writes `Jean Baptiste Poquelin de Molière` and `Heikki Salojärvi`
    with their accents as combining marks: they were stored so, beside `Molière` written
    composed on another row, and an exact lookup, an export or a provider's name compared as
    text saw two spellings of one name."""
    import_real(
        "collectionbuilder-ewlibrary-decomposed-text.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    names = set(Author.objects.values_list("name", flat=True))
    assert names == {
        "Jean Baptiste Poquelin de Moli\u00e8re",
        "Heikki Saloj\u00e4rvi",
        "Eudora Welty",
        "Moli\u00e8re",
        "Richard Wilbur",
    }
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert Author.objects.filter(name="Heikki Saloj\u00e4rvi").exists()
