"""Cursor pagination for the JSON API's lists: stable under inserts (a cursor names a position
in a unique integer ordering, never a page number), and strict: a cursor this list did not give
or a bad `limit` is a 400 that says so, never a 404 or a 500."""

import base64

from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination

from bookstore.api_ids import is_id_text


class IntegerCursorPagination(CursorPagination):
    """Ordered by one unique integer column (`ordering`), `limit` rows a page (1 to
    `max_page_size`)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "limit"

    def decode_cursor(self, request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            # DRF's own decoding skips characters that are not base64: "%%%" would be page one.
            base64.b64decode((encoded or "").encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (ValueError, exceptions.NotFound):
            raise self._bad_cursor() from None
        # The position is compared with the ordering column: anything but an id would be a 500.
        if (
            cursor is not None
            and cursor.position is not None
            and not is_id_text(str(cursor.position))
        ):
            raise self._bad_cursor()
        return cursor

    def _bad_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError(
            {
                self.cursor_query_param: gettext(
                    "This cursor is not one this list gave; start again without it."
                )
            }
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """DRF's, with `limit`'s bounds and default: it said only "an integer", so a client
        generated from the schema could ask for more rows than a page holds, and get a 400."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = gettext(
                    "Rows a page holds: 1 to %(max)s (%(default)s when not given)."
                ) % {"max": self.max_page_size, "default": self.page_size}
                parameter["schema"].update(
                    minimum=1, maximum=self.max_page_size, default=self.page_size
                )
        return parameters

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (is_id_text(raw) and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: gettext(
                        "%(value)r is not a number of rows from 1 to %(max)s."
                    )
                    % {"value": raw[:40], "max": self.max_page_size}
                }
            )
        return int(raw)


class NewestFirst(IntegerCursorPagination):
    ordering = "-id"


class ByLineNumber(IntegerCursorPagination):
    """A job's rows in file order: line numbers are unique within a job."""

    ordering = "line_number"
    page_size = 100
    max_page_size = 1000
