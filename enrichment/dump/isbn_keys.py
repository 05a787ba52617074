"""How the dump's ISBNs are kept and found, as numbers. Pure: no database.

An edition row keeps the ISBNs it lists as they are written (`isbn_key`); the ISBN table keeps
each valid one once, as its ISBN-13 (`isbn_table_rows`), so that a lookup probes one key an
ISBN (`isbn_keys_for_lookup` gives both forms, for a table loaded before that and for matching
an edition's own list).
"""

from catalog import isbn as isbn_module

# One check-digit routine for the catalog and the dump (fast enough for the lookup's hot loop).
from catalog.isbn import isbn10_check_digit, isbn13_check_digit

# ISBNs are stored as numbers exactly as the dump writes them, without checking check digits
# here: the ISBNs we look up are valid, and a valid ISBN never equals an invalid one, so an
# invalid ISBN in the dump is harmless and never matched. An ISBN-13 is its 13-digit number; an
# ISBN-10 is its 10-digit number, or ISBN10_X_BASE + its first nine digits when it ends in X.
ISBN10_X_BASE = 10_000_000_000


def isbn_key(value: str, *, length: int) -> int | None:
    """An ISBN of `length` (10 or 13) as written in the dump -> its lookup key, else None."""
    if len(value) == length and value.isascii():
        if value.isdecimal():
            # A 13-digit value outside 978/979 is no ISBN (and as a number it could pass for
            # an ISBN-10 key): dropped.
            return int(value) if length == 10 or value[:3] in ("978", "979") else None
        if length == 10 and value[:9].isdecimal() and value[9] in "Xx":
            return ISBN10_X_BASE + int(value[:9])
    # Hyphens, spaces, "ISBN:", an ISBN-13 in the ISBN-10 list: the catalog's reading, valid only.
    parsed = isbn_module.parse_isbn(value)
    if parsed is None:
        return None
    if parsed.isbn10 is not None and parsed.source_form != "isbn13":
        return isbn_key(parsed.isbn10, length=10)
    return int(parsed.isbn13)


ISBN13_MIN = 1_000_000_000_000  # a stored key this large is an ISBN-13; below, an ISBN-10
ISBN13_978 = 978_000_000_000  # the first 12 digits of 978 + an ISBN-10's first nine, as a number
_DIGITS = frozenset("0123456789")  # one ASCII digit, tested as a set member


def isbn13_of_key(key: int) -> int | None:
    """A stored key -> its ISBN-13 as a number; None for an ISBN-10 that fails its check digit."""
    if key >= ISBN13_MIN:
        return key
    isbn10 = isbn_from_key(key)
    if isbn10_check_digit(isbn10[:9]) != isbn10[9]:
        return None
    first12 = "978" + isbn10[:9]
    return int(first12 + isbn13_check_digit(first12))


def isbn_keys_for_lookup(isbn13: str) -> list[int]:
    """The keys under which the dump may hold a valid, canonical ISBN-13: itself and, for a
    978 ISBN, its ISBN-10 form."""
    keys = [int(isbn13)]
    if isbn13.startswith("978"):
        check = isbn10_check_digit(isbn13[3:12])
        first9 = int(isbn13[3:12])
        keys.append(ISBN10_X_BASE + first9 if check == "X" else first9 * 10 + int(check))
    return keys


def isbn_from_key(key: int) -> str:
    """A stored key -> the ISBN as text (ISBN-10s get their leading zeros and X back)."""
    if key >= 1_000_000_000_000:
        return str(key)
    if key >= ISBN10_X_BASE:
        return f"{key - ISBN10_X_BASE:09d}X"
    return f"{key:010d}"


def isbns_of_keys(keys: list[int]) -> tuple[list[str], list[str]]:
    """Stored keys -> (valid ISBN-13s, valid ISBN-10s), each form added for both, no repeats.

    Invalid ISBNs the dump holds are dropped here. The same rules as `fields.isbn_lists`, on
    canonical digits (no spelling to clean up, so no regular expressions: lookups are hot).
    """
    isbn13s: list[str] = []
    isbn10s: list[str] = []
    for key in keys:
        text = isbn_from_key(key)
        if len(text) == 13:
            if text[:3] not in ("978", "979") or isbn13_check_digit(text[:12]) != text[12]:
                continue
            isbn13 = text
            isbn10 = None
            if text.startswith("978"):
                isbn10 = text[3:12] + isbn10_check_digit(text[3:12])
        else:
            if text in isbn10s:  # the ISBN-13 form came first (the usual order): added
                continue
            if isbn10_check_digit(text[:9]) != text[9]:
                continue
            isbn10 = text
            isbn13 = "978" + text[:9] + isbn13_check_digit("978" + text[:9])
        if isbn13 not in isbn13s:
            isbn13s.append(isbn13)
        if isbn10 and isbn10 not in isbn10s:
            isbn10s.append(isbn10)
    return isbn13s, isbn10s


def edition_isbn_keys(isbn_13: list[str], isbn_10: list[str]) -> list[int]:
    """The lookup keys of every ISBN an edition lists (ISBN-13s first), without repeats."""
    keys: list[int] = []
    key: int | None
    for value in isbn_13:
        # The usual spelling, plain digits of a 978/979 ISBN, without a function call.
        if len(value) == 13 and value.isdecimal() and value[:3] in ("978", "979"):
            key = int(value)
        else:
            key = isbn_key(value, length=13)
        if key is not None and key not in keys:
            keys.append(key)
    for value in isbn_10:
        key = int(value) if len(value) == 10 and value.isdecimal() else isbn_key(value, length=10)
        if key is not None and key not in keys:
            keys.append(key)
    return keys


def isbn_table_rows(edition_id: int, isbn_keys: list[int]) -> list[tuple[int, int]]:
    """The ISBN table's (isbn13, edition_id) rows of an edition: each valid ISBN it lists as
    its ISBN-13, once, so that a lookup probes one key an ISBN (an ISBN-10 that fails its check
    digit is dropped: no valid ISBN looks it up)."""
    if len(isbn_keys) == 1 and isbn_keys[0] >= ISBN13_MIN:  # the usual cases: one ISBN-13,
        return [(isbn_keys[0], edition_id)]
    if len(isbn_keys) == 2:  # or an ISBN-13 and its own ISBN-10 (first nine digits alike)
        first, second = isbn_keys
        if first >= ISBN13_MIN > second and first // 10 - ISBN13_978 == (
            second - ISBN10_X_BASE if second >= ISBN10_X_BASE else second // 10
        ):
            return [(first, edition_id)]
    rows = [(key, edition_id) for key in isbn_keys if key >= ISBN13_MIN]
    if len(rows) == len(isbn_keys):
        return rows
    # Most ISBN-10s are listed beside their own ISBN-13, whose row stands for them (an invalid
    # one too: no valid ISBN looks it up): a number test, where converting costs microseconds.
    covered = {key // 10 for key, _ in rows}  # each listed ISBN-13 without its check digit
    for key in isbn_keys:
        if key >= ISBN13_MIN:
            continue
        first9 = key - ISBN10_X_BASE if key >= ISBN10_X_BASE else key // 10
        if ISBN13_978 + first9 in covered:
            continue
        isbn13 = isbn13_of_key(key)
        if isbn13 is not None:
            covered.add(isbn13 // 10)
            rows.append((isbn13, edition_id))
    return rows


def edition_isbn_columns(
    edition_id: int, isbn_13: list[str], isbn_10: list[str]
) -> tuple[str | None, list[tuple[int, int]]]:
    """An edition's stored `isbn_keys` text ("key,key", None when it lists none) and its ISBN
    table rows: `edition_isbn_keys` and `isbn_table_rows` in one step.

    Most editions list one plain ISBN-13, alone or beside its own ISBN-10, one plain ISBN-10
    or none: those take a path of a few string tests (33 M lines), with the same result."""
    if isbn_13:
        if len(isbn_13) == 1 and len(isbn_10) <= 1:
            isbn13 = isbn_13[0]
            # isascii: str.isdecimal also takes other scripts' digits, which int() reads but
            # the stored text would keep.
            if len(isbn13) == 13 and isbn13.isascii() and isbn13.isdecimal():
                prefix = isbn13[:3]
                if prefix == "978" or prefix == "979":
                    if not isbn_10:
                        return isbn13, [(int(isbn13), edition_id)]
                    isbn10 = isbn_10[0]
                    # Its own ISBN-10: the same nine (ASCII) digits after 978, any tenth (the
                    # ISBN-13's row stands for it, as in isbn_table_rows).
                    if len(isbn10) == 10 and prefix == "978" and isbn10[:9] == isbn13[3:12]:
                        last = isbn10[9]
                        if last in _DIGITS:  # its key's text: the number, no leading zeros
                            key10 = isbn10.lstrip("0") or "0"
                            return f"{isbn13},{key10}", [(int(isbn13), edition_id)]
                        if last == "X" or last == "x":  # ISBN10_X_BASE + the nine digits
                            return f"{isbn13},10{isbn10[:9]}", [(int(isbn13), edition_id)]
    elif not isbn_10:
        return None, []
    elif len(isbn_10) == 1:
        isbn10 = isbn_10[0]
        first9 = isbn10[:9]
        if len(isbn10) == 10 and isbn10.isascii() and first9.isdecimal():
            last = isbn10[9]
            if last in _DIGITS:
                key10 = isbn10.lstrip("0") or "0"
            elif last == "X" or last == "x":
                key10, last = f"10{first9}", "X"
            else:
                key10 = ""
            if key10:
                # Alone, its row is its ISBN-13, if its check digit is right (isbn13_of_key).
                if isbn10_check_digit(first9) != last:
                    return key10, []
                first12 = "978" + first9
                return key10, [(int(first12 + isbn13_check_digit(first12)), edition_id)]
    keys = edition_isbn_keys(isbn_13, isbn_10)
    if not keys:
        return None, []
    return ",".join(map(str, keys)), isbn_table_rows(edition_id, keys)
