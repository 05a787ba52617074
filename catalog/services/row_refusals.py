"""Why the database refused one row, in a librarian's words (the row's `error`): what of the row
broke which rule, never the database's own message, which can name tables, quote SQL or the
whole row. That message goes to the log (catalog.services.rows)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A constraint's or a column's name, as the database writes it in its message (PostgreSQL's
# `catalog_edition_isbn13_key`, SQLite's `catalog_edition.isbn13`, a CHECK constraint's own
# name), -> what it holds. The first that the name holds is read: the longer names first.
_WHAT_IT_HOLDS = (
    ("openlibrary_edition_key", gettext_lazy("Open Library edition key")),
    ("openlibrary_key", gettext_lazy("Open Library author key")),
    ("isbn13", gettext_lazy("ISBN-13")),
    ("isbn10", gettext_lazy("ISBN-10")),
    ("date_has_precision", gettext_lazy("publication date")),
    ("death_after_birth", gettext_lazy("birth and death years of a person")),
    ("workauthor", gettext_lazy("credit of a person")),
    ("workseries", gettext_lazy("series")),
)

# PostgreSQL's SQLSTATE codes, and the words SQLite's messages start with, for each kind.
_UNIQUE, _CHECK, _NOT_NULL = "23505", "23514", "23502"
_TOO_LONG, _OUT_OF_RANGE, _BAD_DATE = "22001", "22003", "22008"
_SQLITE_KINDS = {
    "UNIQUE constraint failed": _UNIQUE,
    "CHECK constraint failed": _CHECK,
    "NOT NULL constraint failed": _NOT_NULL,
}


def _kind_and_name(refusal: BaseException) -> tuple[str, str]:
    """(SQLSTATE-like kind, the constraint's or column's name) of a refusal; "" when unknown."""
    cause = refusal.__cause__ or refusal
    state = getattr(cause, "sqlstate", None) or ""
    diag = getattr(cause, "diag", None)
    if state:
        name = (getattr(diag, "constraint_name", None) or getattr(diag, "column_name", None)) or ""
        return state, name
    message = str(refusal)
    for words, kind in _SQLITE_KINDS.items():
        if message.startswith(words):
            return kind, message[len(words) :].strip(" :")
    return "", ""


def _what(name: str) -> str:
    name = name.casefold()
    for part, what in _WHAT_IT_HOLDS:
        if part in name:
            return str(what)
    return ""


def row_refusal_reason(refusal: BaseException) -> str:
    """The row's error for a database refusal (an IntegrityError or DataError): which value broke
    which of the catalog's rules, as far as the database says; else that it could not be stored."""
    kind, name = _kind_and_name(refusal)
    what = _what(name)
    if kind == _UNIQUE and what:
        return _(
            "Another record in the catalog already holds this row's %(what)s, which the catalog "
            "keeps once; the row was not imported."
        ) % {"what": what}
    if kind == _CHECK and what:
        return _(
            "The catalog does not accept this row's %(what)s as it is; the row was not imported."
        ) % {"what": what}
    if kind == _NOT_NULL:
        return _("A value the catalog requires is missing from this row; it was not imported.")
    if kind == _TOO_LONG:
        return _(
            "A value in this row is longer than the catalog can store; the row was not imported."
        )
    if kind == _OUT_OF_RANGE:
        return _(
            "A number in this row is larger than the catalog can store; the row was not imported."
        )
    if kind == _BAD_DATE:
        return _(
            "A date in this row is outside the dates the catalog can store; the row was not "
            "imported."
        )
    return _(
        "The catalog's database could not store this row (the server's log has its reason); "
        "the row was not imported."
    )
