"""A comic's issue as Goodreads titles it, by its series and number alone (tests/fixtures/
imports/real_shapes, each file's source in its PROVENANCE.md)."""

import pytest

from catalog.importers.parsing import parse_title
from catalog.models import Work
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
def test_a_comic_issue_titled_by_its_series_and_number_is_in_that_series():
    """Goodreads titles a comic's issue by its series and number alone, without a parenthesis:
    `Providence #1`, `Black Panther #1`. The works were in no series; the title stays whole, as
    every issue would otherwise have one title."""
    import_real("goodreads-adrian-issue-title.csv")
    import_real("goodreads-mcsiple-issue-title.csv")
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("Black Panther #1", "Black Panther", "1"),
        ("Providence #1", "Providence", "1"),
    ]


@pytest.mark.parametrize(
    "title",
    ["Rory Branagan: Detective #1", "Hellboy #2 Despierta al demonio", "#1", "1984 #2"],
)
def test_a_title_with_more_than_a_name_and_an_issue_number_names_no_series(title):
    assert parse_title(title)[2:] == ("", "")


def test_a_series_in_parentheses_is_read_before_an_issue_number():
    assert parse_title("Saga #1 (Saga, #1)") == ("Saga #1", "", "Saga", "1")
