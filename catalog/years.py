"""The latest year a book may have, one rule for an export's cell and a provider's record. Pure:
no Django (the Open Library dump reader's workers read dates with it)."""

import datetime

#: How far ahead of this year a publication may be announced.
YEARS_AHEAD = 5


def latest_publication_year() -> int:
    """This year and five more: a forthcoming book is announced a few years ahead at most, so a
    later year ("8858", a provider's "2090") is a typing or reading error, no publication."""
    return datetime.date.today().year + YEARS_AHEAD
