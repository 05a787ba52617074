"""Goodreads "Export Library" CSV: the 31-column layout and the 2024+ 24-column one."""

import re

from django.utils.translation import gettext as _

from catalog.importers.base import BaseImporter, Credit, NormalizedRow
from catalog.importers.cells import (
    is_surname_particle,
    set_primary_series,
    split_people,
    suffix_last_sort_name,
    without_others_tail,
)
from catalog.importers.parsing import clean_cell, parse_format
from catalog.importers.readers import (
    add_credits,
    apply_identifier,
    parse_contributors,
    read_date,
    read_page_count,
    read_year,
)
from catalog.name_order import (
    is_degree_after_given_names,
    is_family_name_first,
    is_organisation_word,
)
from catalog.person_names import is_name_written_otherwise
from catalog.text import is_name_suffix

# Goodreads' export drops the `&` of a publisher's name and leaves the spaces around it
# (`Simon  Schuster`, `W. W. Norton  Company`, in files that spell `Simon & Schuster` elsewhere).
# In 28 real exports every two-space gap in a publisher was such a lost `&`; in titles and names
# the gap is as often plain spacing (`A Clash of Kings  (…)`), so only publishers are mended.
_LOST_AMPERSAND = re.compile(r"(?<=\S) {2}(?=\S)")


def restore_lost_ampersand(publisher: str) -> str:
    """`Simon  Schuster` -> `Simon & Schuster`: a gap of exactly two spaces inside the cell."""
    if "  " not in publisher:  # nearly every cell, at C speed
        return publisher
    return _LOST_AMPERSAND.sub(" & ", publisher.strip())


def particles_first(author: str, author_lf: str) -> str:
    """A sort name whose surname's particles Goodreads turned to the end (it takes the last
    word for the surname), the particles written capitalized in the name put back in front:
    `Guin, Ursula K. Le` -> `Le Guin, Ursula K.`, `Rochefoucauld, François de La` -> `La
    Rochefoucauld, François de`. A particle in lower case stays after the given names, as
    libraries file most European names (`Beauvoir, Simone de`, `Goethe, Johann Wolfgang von`),
    and so does a given name that is all there is (`Morrison, Van`). "" when nothing moves."""
    surname, comma, rest = author_lf.partition(", ")
    given = rest.split()
    if not comma or "," in rest or not given:
        return ""
    start = len(given)
    while start > 1 and given[start - 1][:1].isupper() and is_surname_particle(given[start - 1]):
        start -= 1
    particles = given[start:]
    if not particles or " ".join((*given, surname)) != " ".join(author.split()):
        return ""  # the cell is not this name turned around: leave it as Goodreads wrote it
    return f"{' '.join((*particles, surname))}, {' '.join(given[:start])}"


def suffix_in_surname(author_lf: str) -> str:
    """A sort name whose surname carries a generation's word without its comma, the word put
    last: `Kirk Jr, Dan R.` -> `Kirk, Dan R., Jr`. "" when there is none."""
    surname, comma, given = author_lf.partition(", ")
    *words, suffix = surname.split() or [""]
    if not comma or "," in given or not words or not given.strip() or not is_name_suffix(suffix):
        return ""
    return f"{' '.join(words)}, {given.strip()}, {suffix}"


def sort_name_before_parenthesis(author: str, author_lf: str) -> str:
    """A sort name for a name that ends in a parenthesis (a pen name and the real one,
    `Culadasa (John Yates)`), which Goodreads turned at its last space, inside the parenthesis
    (`Yates), Culadasa (John`): the name before the parenthesis turned round as Goodreads turns
    a name, the parenthesis kept after it (`Culadasa (John Yates)`, `Twain, Mark (Samuel
    Clemens)`); or at the space before it (`(C), Addison-Wesley` -> `Addison-Wesley (C)`). ""
    when the cell is not so turned."""
    head, comma, _given = author_lf.partition(", ")
    before, parenthesis, inside = author.partition(" (")
    # Or at the space before it, the parenthesis taken for the surname (`(C), Addison-Wesley`).
    whole = head == f"({inside}"
    if not (comma and parenthesis and head.endswith(")") and ("(" not in head or whole)):
        return ""
    if not before:
        return ""
    *given, last = before.split()
    turned = f"{last}, {' '.join(given)}" if given else last
    return f"{goodreads_sort_name(before, turned) or turned} ({inside}"


def without_degree(author: str, author_lf: str) -> tuple[str, str] | None:
    """A doctor's name written with the degree after it (`Dr. Mark Hyman MD`), which Goodreads
    took for the surname (`MD, Dr. Mark Hyman`, filed under M): the name and sort name without
    the degree, nor the title of doctor it goes with (`Mark Hyman`, `Hyman, Mark`). None for
    any other name (`Dr. Seuss`, with no degree, keeps his)."""
    degree = author.rpartition(" ")[2]
    if not author_lf.startswith(f"{degree}, ") or not is_degree_after_given_names(degree):
        return None  # nearly every name, at C speed
    words = author.split()[:-1]
    if words and words[0].casefold() in ("dr.", "dr"):
        words = words[1:]
    if len(words) < 2:
        return None
    return " ".join(words), f"{words[-1]}, {' '.join(words[:-1])}"


# Lower-case words after which a name goes on: an article, `of`, `for`, `and`.
_NAME_GOES_ON = frozenset({"the", "a", "an", "of", "for", "and"})


def goodreads_sort_name(author: str, author_lf: str) -> str:
    """The sort name Goodreads' "Author l-f" means: a suffix it put first goes last
    (`Jr., Kurt Vonnegut` -> `Vonnegut, Kurt, Jr.`) and one it left in the surname after it
    (`Kirk Jr, Dan R.` -> `Kirk, Dan R., Jr`), capitalized particles it turned to the end go
    back in front (`Guin, Ursula K. Le` -> `Le Guin, Ursula K.`), a single name it wrote twice
    (`Plato, Plato`) is written once, and a name written family name first in Chinese,
    Japanese or Korean script keeps that order (`小松 左京` -> `小松, 左京`), and an organisation
    sorts by its name (`Inc., Apple` -> `Apple Inc.`, `Health, Department of`, `Coast, Wizards
    of the` -> `Wizards of the Coast`), and a name
    ending in a parenthesis Goodreads turned inside it is turned before it (`Yates), Culadasa
    (John` -> `Culadasa (John Yates)`); other cells are kept as Goodreads wrote them."""
    if author.endswith(")") and (around := sort_name_before_parenthesis(author, author_lf)):
        return around
    if author_lf == author and " " in author:
        return ""  # a program filled it with the name unturned (`Andy Weir`): none to sort by
    head, _comma, rest = author_lf.partition(", ")
    if author and head == rest == author:
        return author
    # An organisation sorts by its name, however Goodreads turned it at its last word (`Inc.,
    # Apple`, `Health, Department of`).
    if author_lf == f"{head}, {author.removesuffix(head).strip()}" and any(
        is_organisation_word(word) for word in author.split()
    ):
        return author
    # A name turned at its last word after an article or `of` (`Coast, Wizards of the`) is no
    # person's, whose given names never end so (a particle does: `Beauvoir, Simone de`).
    if rest.rpartition(" ")[2] in _NAME_GOES_ON and f"{rest} {head}" == " ".join(author.split()):
        return author
    # Goodreads takes the last word for the surname in `小松 左京` too (`左京, 小松`), where the
    # family name comes first (catalog.name_order.is_family_name_first).
    family, _space, given = author.strip().partition(" ")
    if given and is_family_name_first(family, given) and author_lf == f"{given}, {family}":
        return f"{family}, {given}"
    # A name written with a comma of its own (`James Wesley, Rawles`) leaves it at the end of
    # Goodreads' turned name (`Rawles, James Wesley,`).
    return (
        particles_first(author, author_lf)
        or suffix_in_surname(author_lf)
        or suffix_last_sort_name(author_lf)
    ).rstrip(", ")


class GoodreadsImporter(BaseImporter):
    source = "goodreads"
    label = "Goodreads"
    # An older export writes `BookId` (with `RecommendedFor` and `BCID`).
    signatures = (("Book Id", "Author"), ("BookId", "Author"))
    # Without Author the books have no authors; without Book Id another source's ids would be
    # read as Goodreads ids (a LibraryThing file has a Book Id column of its own).
    required = ("title", "author", "book_id")
    aliases = {
        "book_id": ("Book Id", "BookId", "Goodreads Book Id"),
        "title": ("Title",),
        "author": ("Author",),
        "author_lf": ("Author l-f",),
        "additional_authors": ("Additional Authors",),
        "isbn": ("ISBN", "ISBN10"),
        "isbn13": ("ISBN13", "ISBN-13"),
        "publisher": ("Publisher",),
        "binding": ("Binding", "Format"),
        "pages": ("Number of Pages", "Pages"),
        "year": ("Year Published",),
        "original_year": ("Original Publication Year",),
        "date_read": ("Date Read",),
        "date_added": ("Date Added",),
        # Not Goodreads' own: a copy its owner kept, adding the series its titles leave out.
        "series": ("Series",),
        "series_number": ("Part",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        author = self.get(cells, "author")
        named = without_others_tail(author)  # `Jane Smith et al.`: the others are unnamed
        author_lf = self.get(cells, "author_lf") if named == author else ""
        author = named
        # A Goodreads author whose name is a list (`Ulrich Brand, Bettina Lösch, Benjamin
        # Opratko, Stefan Thimmel`, its "Author l-f" `Thimmel, Ulrich Brand, …, Stefan`) is
        # those people; `Martin Luther King, Jr.` is one.
        listed = split_people(author) if "," in author else []
        if len(listed) > 1:
            row.credits.extend(listed)
        elif degree := without_degree(author, author_lf):
            row.credits.append(Credit(name=degree[0], sort_name=degree[1]))
        elif author:
            sort_name = goodreads_sort_name(author, author_lf)
            row.credits.append(Credit(name=author, sort_name=sort_name))
        # Goodreads drops the roles of additional authors (often translators or
        # illustrators), so they are contributors unless the cell names a role.
        extra = parse_contributors(
            self.get(cells, "additional_authors"), default_role="contributor"
        )
        add_credits(row.credits, self.other_people(row, extra))
        apply_identifier(
            row, self.get(cells, "isbn13"), column=self.column_of("isbn13"), expected_form="isbn13"
        )
        apply_identifier(
            row, self.get(cells, "isbn"), column=self.column_of("isbn"), expected_form="isbn10"
        )
        book_id = self.get(cells, "book_id")
        if book_id.isdigit():
            row.goodreads_book_id = book_id
        elif book_id:
            row.warnings.append(
                _("Book Id '%(value)s' is not a Goodreads id; ignored.") % {"value": book_id}
            )
        row.publisher = clean_cell(restore_lost_ampersand(self.raw_cell(cells, "publisher")))
        if "series" in self.columns:  # `Southern Reach`, part `3`
            set_primary_series(row, self.get(cells, "series"), self.get(cells, "series_number"))
        row.format, warning = parse_format(self.get(cells, "binding"))
        if warning:
            row.warnings.append(warning)
        row.page_count = read_page_count(
            row, self.get(cells, "pages"), column=self.column_of("pages")
        )
        row.publication_year = read_year(
            row, self.get(cells, "year"), column=self.column_of("year")
        )
        row.first_published_year = read_year(
            row,
            self.get(cells, "original_year"),
            column=self.column_of("original_year"),
            ancient=True,
        )
        row.date_read = read_date(
            row,
            self.get(cells, "date_read"),
            column=self.column_of("date_read"),
            order=self.date_order,
        )
        row.date_added = read_date(
            row,
            self.get(cells, "date_added"),
            column=self.column_of("date_added"),
            order=self.date_order,
        )
        return row

    def other_people(self, row: NormalizedRow, extra: list[Credit]) -> list[Credit]:
        """Additional Authors without the author's own name written another way (Goodreads
        lists `Kostakis Anan` beside `Κωστάκης Ανάν`, `Victoria Schwab` beside `V.E. Schwab`),
        which would be a second person credited on the book; the row says which were left. The
        author's name as written again adds nothing anyway (add_credits), unsaid."""
        if not extra:  # most rows
            return extra
        authors = {
            credit.name.casefold(): credit.name for credit in row.credits if credit.role == "author"
        }
        kept = []
        for credit in extra:
            same = (
                credit.role == "contributor"
                and credit.name.casefold() not in authors
                and next(
                    (
                        name
                        for name in authors.values()
                        if is_name_written_otherwise(name, credit.name)
                    ),
                    "",
                )
            )
            if not same:
                kept.append(credit)
                continue
            row.warnings.append(
                _(
                    "%(column)s '%(other)s' was read as %(name)s's name written another "
                    "way, not a second person's; it was not credited."
                )
                % {
                    "column": self.column_of("additional_authors"),
                    "other": credit.name,
                    "name": same,
                }
            )
        return kept
