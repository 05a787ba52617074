"""Small factories for tests: real model instances with sensible defaults."""

import itertools

from catalog import isbn
from catalog.models import Author, Edition, Work, WorkAuthor

_sequence = itertools.count(1)


def make_isbn13() -> str:
    """A valid, unique 978- ISBN-13."""
    first12 = f"978{next(_sequence):09d}"
    return first12 + isbn.isbn13_check_digit(first12)


def make_author(name: str = "Ursula K. Le Guin", **fields) -> Author:
    return Author.objects.create(name=name, **fields)


def make_work(title: str = "The Left Hand of Darkness", *, authors=(), **fields) -> Work:
    work = Work.objects.create(title=title, **fields)
    for position, author in enumerate(authors):
        if isinstance(author, str):
            author = make_author(author)
        WorkAuthor.objects.create(work=work, author=author, position=position)
    return work


def make_edition(work: Work | None = None, **fields) -> Edition:
    work = work or make_work()
    if "isbn13" not in fields:
        fields["isbn13"] = make_isbn13()
        fields.setdefault("isbn10", isbn.isbn13_to_isbn10(fields["isbn13"]) or "")
    return Edition.objects.create(work=work, **fields)
