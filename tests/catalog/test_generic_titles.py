"""Generic titles (catalog.generic_titles): a title that names only a kind of writing."""

import pytest

from catalog.generic_titles import is_generic_title
from catalog.text import normalize_title


@pytest.mark.parametrize(
    "title",
    [
        "Poems",
        "Selected Poems",
        "Collected Stories",
        "The Complete Short Stories",
        "New and Selected Poems, 1950-1970",
        "Letters",
        "Works",
        "Poems (Penguin Classics)",  # read as the catalog keys it: the series dropped
        # Real titles of the peers' exports (tests/fixtures/imports, the mirrors' exports).
        "Poésies",
        "Oeuvres complètes",
        "Premières poésies",
        "The Complete Stories and Poems",
        "100 Selected Stories",
        "Стихотворения",
        "Bütün Şiirleri",
        "Ποιήματα",
        "Gedichte",
        "Obras completas",
    ],
)
def test_a_title_that_names_a_kind_of_writing_is_generic(title):
    assert is_generic_title(title) and is_generic_title(normalize_title(title))


@pytest.mark.parametrize(
    "title",
    [
        "Letters to a Young Poet",
        "The Stories of John Cheever",
        "Poems of Anna Akhmatova",
        "Story",  # a singular is many a book's own title
        "Requiem",
        "1984",
        "Night Watch",
        "The Collected Works of Billy the Kid",
        "",
    ],
)
def test_a_title_that_says_more_is_a_title_of_its_own(title):
    assert not is_generic_title(title) and not is_generic_title(normalize_title(title))
