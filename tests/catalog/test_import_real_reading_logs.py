"""What reading logs and lists people keep by hand, and exports of tools without a reader of
their own, make in the catalog through the column map import_books suggests
(tests/fixtures/imports/real_shapes, each file's source in its PROVENANCE.md)."""

import pytest

from catalog.importers.base import NormalizedRow
from catalog.models import Edition, Work
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
def test_an_emoji_a_reader_puts_after_a_title_is_no_part_of_it():
    """A reading log marks the books its owner listened to with 🎧 after the title (`Rhythm of
    War 🎧`): the work was called so, and the same book read on paper by someone else would
    have been another title. The title (and a subtitle) is the book's own, without it."""
    job = import_real(
        "readinglog-jeffsolo-emoji-after-title.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author"},
    )
    titles = set(Work.objects.values_list("title", "subtitle"))
    assert titles == {
        ("An Echo of Things to Come", ""),
        ("Rhythm of War", ""),
        ("Arcanum Unbounded", "The Cosmere Collection"),
    }
    assert job.created_count == 3


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("📚 The Hobbit", "The Hobbit"),
        ("Piranesi ❤️", "Piranesi"),
        ("Dune 👍🏽", "Dune"),
        ("🎧", "🎧"),  # nothing else to call the book: kept as written
        ("らき☆すた", "らき☆すた"),  # a title's own symbols stay
        ("Lucky Star ☆", "Lucky Star ☆"),
        ("The 😀 Book", "The 😀 Book"),
    ],
)
def test_only_emoji_at_either_end_of_a_title_are_left_out(title, kept):
    assert NormalizedRow.from_title(title).title == kept


@pytest.mark.django_db
def test_a_chinese_edition_marker_after_a_title_gives_the_editions_language():
    """A Chinese reading log (Douban's way of naming translations) writes `Programming C#
    (中文版)`, "the Chinese edition": the title is `Programming C#` and the edition is in
    Chinese, as Amazon's `(Spanish Edition)` is read. A volume's own parenthesis
    (`中國近代史（下冊）`, "second volume") stays in its title."""
    import_real(
        "readinglog-gujiaxi-chinese-edition.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author", "isbn": "ISBN"},
    )
    editions = {
        isbn: (title, language)
        for isbn, title, language in Edition.objects.values_list(
            "isbn13", "work__title", "language"
        )
    }
    assert editions == {
        "9787121045929": ("Programming C#", "zh"),
        "9787302155553": ("C++ Cookbook", "zh"),
        "9789622019881": ("中國近代史（下冊）", ""),
    }
