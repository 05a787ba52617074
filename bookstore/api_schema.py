"""The API's OpenAPI schema generator (SPECTACULAR_SETTINGS' DEFAULT_GENERATOR_CLASS, so that
the served schema and `manage.py spectacular` are one). A module of its own: drf-spectacular's
views read the setting when bookstore.api defines its own, which would import it half-made."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator

#: The errors every endpoint may answer (bad input: every endpoint reads its query string
#: strictly; an Accept header it cannot satisfy; the throttle's; the database down), and every
#: endpoint that reads a body (Django's limit on it, a type it does not read), whatever the
#: endpoint says of its own.
SHARED_ERRORS = {
    "400": _(
        "Bad input: a query parameter this endpoint does not take, or given twice, or not UTF-8, "
        "or a format it does not answer in (the error names it)."
    ),
    "406": _(
        "An Accept header that leaves no type this endpoint answers in (a type of quality 0 is "
        "refused): the error names them."
    ),
    "429": _("Past API_THROTTLE_RATE: wait Retry-After seconds."),
    "503": _(
        "The database (or, for an upload, the file storage) is unavailable: nothing was done; "
        "ask again after Retry-After seconds."
    ),
}
BODY_ERRORS = {
    "412": _(
        "An If-Match that does not hold: the object changed since its ETag was read, or the "
        "endpoint has no ETag to match; nothing was done."
    ),
    "411": _("A body sent without a Content-Length (Transfer-Encoding: chunked): send its length."),
    "413": _("The body is over DATA_UPLOAD_MAX_MEMORY_SIZE, or its files over the upload limit."),
    "415": _(
        "A body of a type this endpoint does not read (the error names the one to send), or "
        "compressed (Content-Encoding: the answer's Accept-Encoding says identity, none)."
    ),
}

#: What every read may answer beside: each has an ETag (its object's, or its answer's digest).
READ_ANSWERS = {
    "304": _("If-None-Match names the ETag it has now (or is *): unchanged, no body."),
    "412": _("An If-Match that names no ETag it has now (the answer's ETag header gives it)."),
}


class ApiSchemaGenerator(SchemaGenerator):
    """drf-spectacular's, with the errors any endpoint may answer documented on each (the
    Error body): a client generated from the schema met a 400, 406, 429, 503, 411, 412, 413 or
    415 as an answer it did not know; and each read's 304 and 412 (its ETag's preconditions)."""

    def get_schema(self, request=None, public=False):
        schema = super().get_schema(request=request, public=public)
        error_ref = {"$ref": "#/components/schemas/Error"}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if method == "get":
                    not_modified = {"description": str(READ_ANSWERS["304"])}
                    operation["responses"].setdefault("304", not_modified)
                errors = {**SHARED_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
                if method == "get":
                    errors.setdefault("412", READ_ANSWERS["412"])
                for status, description in errors.items():
                    operation["responses"].setdefault(
                        status,
                        {
                            "content": {"application/json": {"schema": error_ref}},
                            "description": str(description),
                        },
                    )
        return schema
