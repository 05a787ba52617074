"""What the JSON API takes as a record's id (a bigint the database holds: PostgreSQL's bigint,
SQLite's integer, written as plain digits), and as a query parameter given at all."""

from django.urls import register_converter

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


class IdConverter:
    """`<id:pk>` in the API's addresses: an id as plain digits, written one way (`7`, never
    `007`), so that each object has one address; `<int:…>` took `enrichment/0001` for
    `enrichment/1`. Another spelling is the catch-all's 404, naming the address meant."""

    regex = "0|[1-9][0-9]*"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
