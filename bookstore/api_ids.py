"""What the JSON API takes as a record's id (a bigint the database holds: PostgreSQL's bigint,
SQLite's integer, written as plain digits), and as a query parameter given at all."""

#: The largest id a database's bigint holds: beyond it an id is bad input, not a lookup.
MAX_ID = 2**63 - 1


def is_id_text(value: str) -> bool:
    """Plain ASCII digits naming a value the database holds (0 included)."""
    # The length first: int() refuses strings over 4,300 digits with a ValueError.
    return value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_ID


def is_blank(value: str) -> bool:
    """A query parameter's value that counts as the parameter absent: empty or blank (`?status=`,
    `?cursor=%20`), as a form's empty field. Every parameter (a list's filters, its cursor and
    limit) is read by this one rule, and the schema's text parameters take ""."""
    return not value.strip()
