"""Fitting a NormalizedRow to the catalog's column widths, read from the models, so that a row
fits them the same way on SQLite (which ignores max_length) and on PostgreSQL (which refuses
longer values). Text is cut at a word boundary; an identifier too long is dropped."""

import functools
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.column_text import cut_at_word_boundary
from catalog.models import Author, Edition, Work, WorkSeries

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from catalog.importers.base import NormalizedRow

#: The (model, field name) columns a value is stored in: it must fit the narrowest.
Columns = tuple[tuple[type[models.Model], str], ...]
#: A field's label (for warnings) and its columns.
LabelledColumns = tuple["StrPromise", Columns]

# Text cut at a word boundary when longer than the narrowest column it is stored in.
_CUT_TO_FIT: dict[str, LabelledColumns] = {
    "title": (gettext_lazy("Title"), ((Work, "title"), (Edition, "title"))),
    "subtitle": (gettext_lazy("Subtitle"), ((Work, "subtitle"), (Edition, "subtitle"))),
    "publisher": (gettext_lazy("Publisher"), ((Edition, "publisher"),)),
}
_CREDIT_CUT_TO_FIT: dict[str, LabelledColumns] = {
    "name": (gettext_lazy("Author name"), ((Author, "name"),)),
    "sort_name": (gettext_lazy("Author sort name"), ((Author, "sort_name"),)),
}
# A series name is cut like text; its number, like an id, is dropped when too long.
_SERIES_NAME: LabelledColumns = (gettext_lazy("Series"), ((Work, "series"), (WorkSeries, "name")))
_SERIES_NUMBER: LabelledColumns = (
    gettext_lazy("Series number"),
    ((Work, "series_number"), (WorkSeries, "number")),
)
# Identifiers are never cut (a cut id is someone else's id): one too long is dropped.
_DROP_IF_TOO_LONG: dict[str, LabelledColumns] = {
    "goodreads_book_id": (gettext_lazy("Goodreads book id"), ((Edition, "goodreads_book_id"),)),
    "librarything_id": (gettext_lazy("LibraryThing id"), ((Edition, "librarything_id"),)),
    "google_books_id": (gettext_lazy("Google Books id"), ((Edition, "google_books_id"),)),
    "openlibrary_work_key": (
        gettext_lazy("Open Library work key"),
        ((Work, "openlibrary_work_key"),),
    ),
    "openlibrary_edition_key": (
        gettext_lazy("Open Library edition key"),
        ((Edition, "openlibrary_edition_key"),),
    ),
}


@functools.cache
def max_length(columns: Columns) -> int:
    """The width of the narrowest of these (model, field) columns."""
    return min(column_width(model, name) for model, name in columns)


def column_width(model: type[models.Model], name: str) -> int:
    """A CharField's max_length (an error for a column without one: a programming mistake)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise ValueError(f"{model.__name__}.{name} has no max_length")
    return field.max_length


def fit_to_columns(row: "NormalizedRow") -> None:
    """Make every value fit the column it is stored in, with a warning on the row for each
    change, so that SQLite and PostgreSQL store the same book."""
    cut, credit_cut, dropped = _limits()
    for name, label, limit in cut:
        value = getattr(row, name)
        if len(value) > limit:  # checked here first: nearly every value fits
            setattr(row, name, _cut_to_fit(value, limit, label, row))
    for credit in row.credits:
        for name, label, limit in credit_cut:
            value = getattr(credit, name)
            if len(value) > limit:
                setattr(credit, name, _cut_to_fit(value, limit, label, row))
    _fit_series(row)
    for name, label, limit in dropped:
        value = getattr(row, name)
        if len(value) > limit:
            setattr(row, name, _drop_if_too_long(value, limit, label, row))


@functools.cache
def _limits() -> tuple[list[tuple[str, "StrPromise", int]], ...]:
    """(field name, label, width) of the values cut to fit, of the credits' and of those dropped
    when too long, read from the models once."""
    return tuple(
        [(name, label, max_length(columns)) for name, (label, columns) in fields.items()]
        for fields in (_CUT_TO_FIT, _CREDIT_CUT_TO_FIT, _DROP_IF_TOO_LONG)
    )


def _fit_series(row: "NormalizedRow") -> None:
    """Fit every series to its columns, once each, and keep `series` / `series_number` the
    first of them (an importer may have set only those)."""
    entries = row.series_entries or [(row.series, row.series_number)]
    fitted, seen = [], set()
    for name, number in entries:
        name = _cut_to_fit(name, max_length(_SERIES_NAME[1]), _SERIES_NAME[0], row)
        number = _drop_if_too_long(number, max_length(_SERIES_NUMBER[1]), _SERIES_NUMBER[0], row)
        if name.casefold() not in seen:  # a work is in a series once
            seen.add(name.casefold())
            fitted.append((name, number))
    row.series, row.series_number = fitted[0]
    row.series_entries = [(name, number) for name, number in fitted if name]


def _drop_if_too_long(value: str, limit: int, label: "StrPromise", row: "NormalizedRow") -> str:
    if len(value) <= limit:
        return value
    shown = value if len(value) <= 40 else value[:40] + "…"
    row.warnings.append(
        _("%(field)s '%(value)s' is longer than %(limit)d characters; it was ignored.")
        % {"field": label, "value": shown, "limit": limit}
    )
    return ""


def _cut_to_fit(value: str, limit: int, label: "StrPromise", row: "NormalizedRow") -> str:
    if len(value) <= limit:
        return value
    cut = cut_at_word_boundary(value, limit)
    row.warnings.append(
        _(
            "%(field)s was %(length)s characters, more than the catalog keeps (%(limit)d); "
            "it was cut to %(kept)d characters, at the end of a word where possible."
        )
        % {"field": label, "length": f"{len(value):,}", "limit": limit, "kept": len(cut)}
    )
    return cut
