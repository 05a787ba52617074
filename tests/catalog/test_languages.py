"""A book's language, one rule for an export's cell and a provider's record (catalog.languages).
Pure: no database."""

import pytest

from catalog.languages import language_code
from enrichment import languages as provider_languages


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("French", "fr"), ("fre", "fr"), ("fra", "fr"), ("eng, fra", "en"), ("EN", "en"),
        ("pt-BR", "pt-br"), ("Klingon", ""), ("", ""),
        # In French or Spanish, accented or not (the names the title's `(en anglais)` reads).
        ("Anglais", "en"), ("Français", "fr"), ("francais", "fr"), ("español", "es"),
        # In an app's own language (BookBuddy in Portuguese), or the language's own name.
        ("português", "pt"), ("inglês", "en"), ("híndi", "hi"), ("Deutsch", "de"), ("日本語", "ja"),
    ],
)  # fmt: skip
def test_an_exports_cell_reads_as_its_code(value, expected):
    assert language_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("und", ""),  # "undetermined", "multiple languages": no language, never a code "und"
        ("mul", ""),
        ("zxx", ""),
        ("N/A", ""),
        ("iw", "he"),  # a withdrawn code is its new one: Hebrew
        ("in", "id"),
        ("English; French", "en"),
        ("en_US", "en-us"),  # a region, as the catalog holds Google Books' "pt-BR": "pt-br"
        ("por-BR", "pt-br"),
        ("es-419", "es-419"),
        ("/languages/eng", "en"),
        ("esp", "esp"),  # not MARC: a home-made list's "esp" may be Spanish, kept as written
    ],
)
def test_an_exports_cell_reads_as_a_providers_record(value, expected):
    """An export's "und" and "mul" were stored as languages, "iw" as a code no other book has
    (the providers read Hebrew), "en_US" was dropped and "por-BR" kept as "por-br": the same
    book's language read two ways, never agreeing."""
    assert language_code(value) == expected
    if value != "esp":
        assert provider_languages.language_code(value) == expected


@pytest.mark.parametrize(
    ("value", "marc", "export"),
    [("esp", "eo", "esp"), ("scr", "hr", "scr"), ("/languages/scc", "sr", "scc")],
)
def test_marcs_own_codes_are_read_only_in_a_providers_record(value, marc, export):
    """The one deliberate difference: Open Library's old records carry MARC's "esp" for
    Esperanto, which in a home-made list may mean Spanish (español)."""
    assert provider_languages.language_code(value) == marc
    assert language_code(value, marc=True) == marc
    assert language_code(value) == export


@pytest.mark.parametrize("value", [None, {"key": "/languages/eng"}, ["eng"], 1984, "a", "--"])
def test_a_value_that_is_no_language_code_gives_none(value):
    assert language_code(value) == ""
