"""catalog.services.row_refusals: what a librarian reads for a row the database refused, from
the errors each database really raises (written for the test: synthetic books)."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from catalog.models import Edition
from catalog.services.row_refusals import row_refusal_reason
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def refusal_of(**fields) -> Exception:
    work = make_work("A Synthetic Book")
    with pytest.raises((IntegrityError, DataError)) as refused, transaction.atomic():
        Edition.objects.create(work=work, **fields)
    return refused.value


def test_an_identifier_another_record_holds_is_named_not_quoted():
    make_work("Another Synthetic Book").editions.create(isbn13="9780306406157")
    refusal = refusal_of(isbn13="9780306406157")
    assert row_refusal_reason(refusal) == (
        "Another record in the catalog already holds this row's ISBN-13, which the catalog "
        "keeps once; the row was not imported."
    )


def test_a_value_that_breaks_a_rule_of_the_catalog_is_named():
    refusal = refusal_of(isbn10="12345678Y9")
    assert row_refusal_reason(refusal) == (
        "The catalog does not accept this row's ISBN-10 as it is; the row was not imported."
    )


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite stores any integer")
def test_a_number_too_large_for_its_column_is_said_so():
    refusal = refusal_of(page_count=2**40)
    assert row_refusal_reason(refusal) == (
        "A number in this row is larger than the catalog can store; the row was not imported."
    )
