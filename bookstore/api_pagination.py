"""Cursor pagination for the JSON API's lists: stable under inserts (a cursor names a position
in a unique integer ordering, never a page number), and strict: a cursor this list did not give
(another list's, whose position would be read as one here, one with an offset, or none of ours)
or a bad `limit` is a 400 that says so, never a 404, a 500 nor a page silently skipping rows."""

import base64
from urllib.parse import parse_qs, urlencode

from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import replace_query_param

from bookstore.api_ids import is_blank, is_id_text
from bookstore.api_links import api_link


class IntegerCursorPagination(CursorPagination):
    """Ordered by one unique integer column (`ordering`), `limit` rows a page (1 to
    `max_page_size`)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "limit"

    #: The path of the list being read: a cursor records it ("l"), and is refused elsewhere.
    list_path = ""

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # The pages' links by the API's one rule for links (DRF's repeat the request's query).
        self.base_url = api_link(self.base_url or "")
        return page

    def decode_cursor(self, request) -> Cursor | None:
        self.list_path = request.path
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None or is_blank(encoded):
            return None  # the first page
        try:
            # DRF's own decoding skips characters that are not base64: "%%%" would be page one.
            tokens = base64.b64decode(encoded.encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (ValueError, exceptions.NotFound):
            raise self._bad_cursor() from None
        if cursor is None:
            return None
        # The position is compared with the ordering column: anything but an id would be a 500.
        if cursor.position is not None and not is_id_text(str(cursor.position)):
            raise self._bad_cursor()
        # In a unique ordering a position alone marks a page: DRF gives an offset only where
        # rows share one, so no cursor of ours has one. Read, `o=900` skipped 900 rows silently
        # (an empty page past the end, or rows missed), up to DRF's cutoff of 1,000.
        if cursor.offset:
            raise self._bad_cursor()
        made_by = parse_qs(tokens.decode("ascii")).get("l", [""])[0]
        if made_by != self.list_path:
            raise self._bad_cursor(made_by)
        return cursor

    def encode_cursor(self, cursor: Cursor) -> str:
        """DRF's, recording the list it is for (its position means nothing in another)."""
        tokens = {"o": str(cursor.offset)} if cursor.offset else {}
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = str(cursor.position)
        tokens["l"] = self.list_path
        encoded = base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url or "", self.cursor_query_param, encoded)

    def _bad_cursor(self, made_by: str = "") -> exceptions.ValidationError:
        if made_by:
            message = gettext(
                "This cursor is from another list (%(list)s), not %(here)s: use it there, or "
                "start this list again without it."
            ) % {"list": made_by[:100], "here": self.list_path}
        else:
            message = gettext("This cursor is not one this list gave; start again without it.")
        return exceptions.ValidationError({self.cursor_query_param: message})

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
        if raw is None or is_blank(raw):
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
