"""Text a program garbled by reading a UTF-8 export in a Windows code page and saving it as
UTF-8 again, read back where that is certain (catalog.importers.mojibake). Real lines in
tests/fixtures/imports/real_shapes (PROVENANCE.md)."""

import pytest

from catalog.importers.mojibake import read_back
from catalog.models import Author, ImportRow, Work
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
def test_names_garbled_in_a_code_page_are_read_back_with_a_warning():
    """A Goodreads export saved again by a program that read it as cp1252: `FranÃ§ois
    Mauriac`, `Viktor Mayer-SchÃ¶nberger`, `Mary GrandPrÃ©` were the authors' names."""
    import_real("goodreads-romneyda-utf8-read-as-cp1252.csv")
    names = set(Author.objects.values_list("name", flat=True))
    assert {"François Mauriac", "Viktor Mayer-Schönberger", "Mary GrandPré"} <= names
    assert not any("Ã" in name for name in names)
    sort_names = set(Author.objects.values_list("sort_name", flat=True))
    assert "Mayer-Schönberger, Viktor" in sort_names
    warnings = {
        row.line_number: [m for m in row.messages if "garbled" in m]
        for row in ImportRow.objects.all()
    }
    assert warnings[2] == [
        "Text the file had garbled (UTF-8 read in another encoding and saved again) was read "
        "back in: Additional Authors."
    ]
    assert warnings[3] == [
        "Text the file had garbled (UTF-8 read in another encoding and saved again) was read "
        "back in: Author, Author l-f."
    ]


@pytest.mark.django_db
def test_a_title_that_lost_bytes_when_garbled_is_left_as_it_is():
    """`Wielka gramatyka niemiecka z Äwiczeniami [KSIÄĹťKA]` (z ćwiczeniami [KSIĄŻKA], read in
    cp1250, whose unassigned bytes were dropped): no reading of it is certain, so none is
    guessed."""
    job = import_real("goodreads-adrian-polish-title-bytes-lost.csv")
    assert list(Work.objects.values_list("title", flat=True)) == [
        "Wielka gramatyka niemiecka z Äwiczeniami [KSIÄĹťKA]"
    ]
    assert not any("garbled" in m for m in job.rows.get().messages)


@pytest.mark.parametrize(
    ("text", "was"),
    [
        ("ZaĹĽĂłĹ‚Ä‡ gÄ™Ĺ›lÄ… jaĹşĹ„", "Zażółć gęślą jaźń"),  # Polish, read in cp1250
        ("Donâ€™t Panic", "Don’t Panic"),
        ("Les MisÃ©rables", "Les Misérables"),
    ],
)
def test_garbled_text_reads_back(text, was):
    assert read_back(text) == was


@pytest.mark.parametrize(
    "text",
    ["SÃO PAULO", "Ça va", "Æsop", "L’Étranger", "Zażółć", "Über", "Åsa Larsson", "plain"],
)
def test_text_that_is_not_garbled_is_not_read_back(text):
    assert read_back(text) is None
