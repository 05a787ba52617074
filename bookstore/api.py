"""What every endpoint of the JSON API (/api/v1/) shares: errors as JSON with a code and a
readable message (Django's own limits on a request included), the admin's permissions and rules
as API permissions, and input read strictly (a key an endpoint does not take, or gives twice, is
a 400 naming it) without ever answering 500 to bad input."""

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.urls import Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, serializers
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from bookstore.api_auth import UserDeleted, user_deleted_meanwhile
from bookstore.api_ids import is_blank, is_id_text
from bookstore.api_negotiation import ACCEPTED_CODINGS, UnsupportedContentEncoding
from bookstore.api_parsers import JSONParser
from bookstore.api_preconditions import EtagOfAnswer
from bookstore.uploads import UploadOverCeiling, upload_ceiling_bytes

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from rest_framework.request import Request


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_('"invalid", "not_authenticated", "not_found"…'))
    message = serializers.CharField()

    def get_fields(self):
        # "fields" is the name of a Serializer's own attribute: added here, not declared.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.CharField(), required=False, help_text=_("Bad input: field -> what.")
        )
        return fields


# No docstring: the schema would give it to each answer's model that has none.
class AnswerModelSerializer(serializers.ModelSerializer):
    def include_extra_kwargs(self, kwargs, extra_kwargs):
        # A model in an answer: a read-only field keeps the model's "may be blank" (DRF drops it),
        # else the schema's enum of a blank choice field (an edition's format, a row's match)
        # refuses the "" served, and a client generated from the schema fails on it.
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


# Every error answer of the API (exception_handler), for the schema.
class ErrorSerializer(serializers.Serializer):
    """An error: its code, a message that says what is wrong, and for bad input each field's."""

    error = ErrorDetailSerializer()


def error_response(description: "StrOrPromise") -> OpenApiResponse:
    """A documented error answer: the shared Error body and what it means here."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


#: The error answers every endpoint may give, documented once.
BAD_INPUT = error_response(_("Bad input: the error says what is wrong."))
NOT_AUTHENTICATED = error_response(_("No valid token or session."))
FORBIDDEN = error_response(_("The user lacks the permission this needs."))


class Conflict(exceptions.APIException):
    """409: the object is not in a state this action applies to (a request no longer awaiting
    review)."""

    status_code = 409
    default_detail = _("The request is no longer awaiting review.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (an uploaded file's bytes aside)."""

    status_code = 413
    default_code = "too_large"


class StorageUnavailable(exceptions.APIException):
    """503: the storage refused or did not answer; nothing was done, and the same request may
    succeed after Retry-After seconds."""

    status_code = 503
    default_code = "storage_unavailable"

    def __init__(self, detail: "StrOrPromise", *, retry_after: int) -> None:
        super().__init__(detail)
        self.wait = retry_after  # DRF's handler sends it as Retry-After


class DatabaseUnavailable(exceptions.APIException):
    """503: the database could not be reached or refused the work (down, restarting, its
    connections used up, locked past the wait); the same request may succeed after Retry-After
    seconds. What it said is logged, never shown."""

    status_code = 503
    default_code = "database_unavailable"
    default_detail = _("The database is unavailable: try again in a minute.")

    def __init__(self) -> None:
        super().__init__()
        self.wait = DATABASE_RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


#: When a client may ask again after a 503 for the database: a restart's usual length.
DATABASE_RETRY_AFTER_SECONDS = 30


def location_header(url: str) -> dict[str, str]:
    """The `Location` header naming a serialized link (a new job, an operation to follow). As a
    plain str: a link field's value is a str subclass, which servers that check WSGI's header
    types (runserver, wsgiref) answer with a 500 after the action was done."""
    return {"Location": str(url)}


class ErrorsAsJson:
    """For a view whose answer is not JSON (the schema, its page): its errors are the API's JSON
    ones all the same, and so is its OPTIONS answer (what it renders and reads). Rendered by the
    view's own renderers they were YAML sent as the schema's `application/vnd.oai.openapi`, or
    a bare "401 Unauthorized" HTML page, so a client with an expired token or past its rate read
    an error as if it were the schema, or as no error body; the page's OPTIONS, which its Allow
    header offers, was a 500 (its one renderer is a template)."""

    def finalize_response(self, request, response, *args, **kwargs):
        # The page's sign-in redirect is Django's: no exception, not OPTIONS' description.
        if getattr(response, "exception", False) or request.method == "OPTIONS":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class DocsView(ErrorsAsJson, SpectacularSwaggerView):
    # The schema's page, for a person in a browser: one not signed in is sent to sign in and
    # back here (as the admin's pages do), where a bare "401 Unauthorized" told them nothing. A
    # wrong token is still the API's JSON 401. No docstring: DRF's OPTIONS answers show a view's.

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path(), reverse("admin:login"))
        return super().handle_exception(exc)

    def _get_schema_url(self, request) -> str:
        # The schema's own address, whatever the page was given: drf-spectacular passed the
        # page's `lang` and `version` on to it, which the schema refuses (it is in English
        # alone and has one version), so `docs/?lang=fr` showed "Failed to load API
        # definition". A language the page has no translation for is its default, as HTTP's.
        return reverse(self.url_name)


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    # Any /api/v1/ path no endpoint has, whatever the method (OPTIONS too: DRF's own answer was
    # a 200 describing this view): a JSON 404 like the endpoints' own, after the authentication
    # every endpoint asks for, naming the endpoint the path with or without its trailing slash
    # is (lists and uploads end with one, the rest not: `works/`, `enrichment/status`). No
    # docstring: DRF's OPTIONS answers show a view's.

    def not_found(self, request, *args, **kwargs):
        nearby = _endpoint_beside(request)
        if nearby:
            raise exceptions.NotFound(
                gettext("No endpoint at this address; there is one at %(path)s.") % {"path": nearby}
            )
        # The API's root too: whoever explores it from there is sent to its description.
        raise exceptions.NotFound(
            gettext(
                "No endpoint at this address; every endpoint is described at %(docs)s "
                "(and in %(schema)s)."
            )
            % {"docs": reverse("api:docs"), "schema": reverse("api:schema")}
        )

    get = post = put = patch = delete = head = options = not_found

    def perform_content_negotiation(self, request, force=False):
        # Whatever the Accept header: no endpoint is here to answer in another type, and a 406
        # saying "this endpoint does not answer in text/html" hid the wrong address.
        return super().perform_content_negotiation(request, force=True)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Any other method (TRACE, WebDAV's PROPFIND…): not a 405 naming no allowed method.
        return self.not_found(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        del response["Allow"]  # no method is allowed here
        return response


def _endpoint_beside(request) -> str | None:
    """The endpoint the request's path names in another spelling, if there is one: its ids
    without leading zeros (`enrichment/007` is `enrichment/7`), its trailing slash added or
    taken away, or both."""
    prefix = request.path[: len(request.path) - len(request.path_info)]  # SCRIPT_NAME's
    canonical = _IDS_WITH_LEADING_ZEROS.sub("", request.path_info)
    toggled = [canonical[:-1] if canonical.endswith("/") else f"{canonical}/"]
    for candidate in ([canonical] if canonical != request.path_info else []) + toggled:
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        if match.url_name is not None:  # not this catch-all itself
            return prefix + candidate
    return None


#: The zeros before a path segment's digits (`/007` -> `/7`, `/0` kept): one id, one address.
_IDS_WITH_LEADING_ZEROS = re.compile(r"(?<=/)0+(?=[0-9]+(?:/|$))")


def exception_handler(exc, context) -> Response | None:
    """DRF's answer, reshaped: `{"error": {"code", "message", "fields"?}}`, the status and
    headers (Retry-After, WWW-Authenticate; Accept-Encoding for a compressed body) kept."""
    if isinstance(exc, IntegrityError) and user_deleted_meanwhile(context.get("request")):
        exc = UserDeleted()
    exc = _as_api_exception(exc)
    if isinstance(exc, exceptions.UnsupportedMediaType) and not isinstance(
        exc, UnsupportedContentEncoding
    ):
        exc = _saying_what_to_send(exc, context.get("request"))
    if isinstance(exc, exceptions.NotAuthenticated):
        exc = _naming_the_scheme_to_use(exc, context.get("request"))
    if isinstance(exc, exceptions.NotAcceptable):
        exc = _saying_what_to_ask_for(exc, context.get("request"), context.get("view"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = {
            "code": "invalid",
            "message": gettext("Bad input: %(problems)s")
            % {"problems": "; ".join(f"{name}: {text}" for name, text in fields.items())},
            "fields": fields,
        }
    else:
        detail = getattr(exc, "detail", "")
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {"code": codes if isinstance(codes, str) else "error", "message": str(detail)}
    response.data = {"error": body}
    if isinstance(exc, UnsupportedContentEncoding):
        response["Accept-Encoding"] = ACCEPTED_CODINGS
    return response


def _saying_what_to_send(
    exc: exceptions.UnsupportedMediaType, request: "Request | None"
) -> exceptions.UnsupportedMediaType:
    """DRF's 415, naming the types the endpoint reads: it said only "Unsupported media type"."""
    if request is None or not request.parsers:
        return exc
    readable = ", ".join(dict.fromkeys(parser.media_type for parser in request.parsers))
    sent = request.content_type.split(";")[0].strip()
    if sent:
        message = gettext(
            'This endpoint does not read a body of type "%(sent)s": send %(readable)s.'
        ) % {"sent": sent[:100], "readable": readable}
    else:
        message = gettext("The body has no Content-Type: send %(readable)s.") % {
            "readable": readable
        }
    return exceptions.UnsupportedMediaType(sent, detail=message)


def _saying_what_to_ask_for(
    exc: exceptions.NotAcceptable, request: "Request | None", view
) -> exceptions.NotAcceptable:
    """DRF's 406, naming the types the endpoint answers in: it said only "Could not satisfy the
    request Accept header."."""
    renderers = getattr(view, "renderer_classes", None)
    if request is None or not renderers:
        return exc
    types = ", ".join(dict.fromkeys(renderer.media_type for renderer in renderers))
    asked = request.META.get("HTTP_ACCEPT", "")
    return exceptions.NotAcceptable(
        gettext('This endpoint does not answer in "%(asked)s": ask for %(types)s.')
        % {"asked": asked[:100], "types": types}
    )


def _naming_the_scheme_to_use(
    exc: exceptions.NotAuthenticated, request: "Request | None"
) -> exceptions.NotAuthenticated:
    """No user, though an Authorization header of another scheme was sent (`Bearer <key>`, as
    most APIs take a token): DRF said "credentials were not provided"; this says what to send.
    Only once neither a token nor a session authenticated: a proxy's own header never stops a
    signed-in session."""
    header = request.META.get("HTTP_AUTHORIZATION", "") if request is not None else ""
    scheme = header.split(" ", 1)[0].strip()
    if not scheme or scheme.lower() == "token":
        return exc
    told = exceptions.NotAuthenticated(
        gettext(
            'This API does not read an Authorization header of the scheme "%(scheme)s": send '
            '"Authorization: Token <key>".'
        )
        % {"scheme": scheme[:40]}
    )
    # As DRF's handling left it: the challenge, or a 403 where no scheme has one.
    told.status_code = exc.status_code
    told.auth_header = getattr(exc, "auth_header", None)  # type: ignore[attr-defined]
    return told


def _as_api_exception(exc: Exception) -> Exception:
    """Django's own exceptions an endpoint may meet, as DRF's: answered as JSON with DRF's codes.
    Django's limits on what a request sends (DATA_UPLOAD_*), met while reading it, would be its
    HTML 400 page; they are logged as Django logs them."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, OperationalError | InterfaceError):
        # A database down or restarting (the token's lookup is the first to meet it): a JSON 503
        # a client retries, where it was Django's HTML 500 page.
        logging.getLogger("bookstore.api").error("The database failed a request", exc_info=exc)
        return DatabaseUnavailable()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        if isinstance(exc, UploadOverCeiling):
            return PayloadTooLarge(
                gettext("The files sent are over %(max)s bytes.") % {"max": upload_ceiling_bytes()}
            )
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge(
                gettext("The request body is over %(max)s bytes (an uploaded file aside).")
                % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
            )
        return exceptions.ParseError(
            gettext("The request sends more than %(fields)s parameters or %(files)s files.")
            % {
                "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            }
        )
    return exc


def _flatten(detail, prefix: str = "") -> dict[str, str]:
    """A ValidationError's detail (dicts and lists of messages) as {"field": "message; …"}."""
    if isinstance(detail, dict):
        out: dict[str, str] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, "" if key == "non_field_errors" and not prefix else name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "input": " ".join(str(item) for item in detail)}
        out = {}
        for i, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix or "input": str(detail)}


#: Django's CSRF form field: a session's form may carry its token there (the CSRF check reads it).
CSRF_FORM_FIELD = "csrfmiddlewaretoken"


def refuse_unknown_keys(data: Mapping[str, Any], known: Collection[str]) -> None:
    """A ValidationError naming each key of a body or query string the endpoint does not read:
    ignored, a misspelt filter or flag would silently mean its default (`?stauts=failed`
    listing every row, `{"field": [...]}` approving the safe proposal)."""
    unknown = [str(key) for key in data if key not in known and key != CSRF_FORM_FIELD]
    if unknown:
        message = gettext("This endpoint does not take it; it takes: %(known)s.") % {
            "known": ", ".join(sorted(known)) or "nothing"
        }
        raise exceptions.ValidationError({key[:64]: message for key in unknown[:20]})


def refuse_repeated_keys(data: MultiValueDict) -> None:
    """A ValidationError naming each key a query string or form gives more than once: only its
    last value would be read (`work_ids=1&work_ids=2`, how many clients send a list, would be
    the status of work 2 alone)."""
    repeated = {str(key): len(data.getlist(key)) for key in data if len(data.getlist(key)) > 1}
    if repeated:
        raise exceptions.ValidationError(
            {
                key[:64]: gettext("Given %(count)s times; give it once.") % {"count": count}
                for key, count in list(repeated.items())[:20]
            }
        )


# No docstring, as AnswerModelSerializer: the schema described each request body by it.
class StrictInputSerializer(serializers.Serializer):
    # Reads a body or a query string whose every key is one of its fields, or one of
    # `also_known` (read by another part: a list's cursor and limit), each given once; anything
    # else is a 400.

    def __init__(self, *args, also_known: Collection[str] = (), **kwargs):
        self.also_known = tuple(also_known)
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            refuse_unknown_keys(data, known=[*self.fields, *self.also_known])
        if isinstance(data, MultiValueDict):
            refuse_repeated_keys(data)
        return super().to_internal_value(self.values_read(data))

    def values_read(self, data):
        """What the fields read of `data`, once its keys passed: all of it."""
        return data


class QueryParametersSerializer(StrictInputSerializer):
    # Reads a query string strictly, a parameter given empty or blank (`?status=`, `?isbn=%20`)
    # counting as absent, as a form's empty field does: no filter. The schema says so, its text
    # and choice parameters taking "" (no `minLength`, "" among the choices): it gave some a
    # `minLength: 1`, and a client generated from it refused to send what the server takes. An
    # empty parameter is still refused when misspelt or given twice. No docstring, as above.

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField | serializers.ChoiceField):
                field.allow_blank = True  # for the schema: a field never meets "" (values_read)
        return fields

    def values_read(self, data):
        given = data.copy()
        for key, value in data.items():
            if is_blank(str(value)):
                del given[key]
        return given


def refuse_undecodable_query(request: "Request") -> None:
    """A ValidationError naming each query parameter whose name or value is not UTF-8 once
    percent-decoded: Django reads such bytes as U+FFFD, so `q=%E9t%E9` (Latin-1) would search
    for "�t�" and find nothing, as if no book matched."""
    # The query string's own bytes, as Django recovers them from WSGI's Latin-1 text.
    raw = request.META.get("QUERY_STRING", "").encode("iso-8859-1")
    undecodable = []
    for pair in raw.split(b"&"):
        try:
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            name = unquote_to_bytes(pair.split(b"=", 1)[0]).decode("utf-8", "replace")
            undecodable.append(name)
    if undecodable:
        message = gettext("Not UTF-8: percent-encode the text's UTF-8 bytes.")
        raise exceptions.ValidationError({name[:64]: message for name in undecodable[:20]})


def read_query(
    request: "Request",
    serializer_class: type[QueryParametersSerializer],
    *,
    paginator: BasePagination | None = None,
) -> dict[str, Any]:
    """A query string read strictly by `serializer_class` (a 400 naming what is wrong), the
    list's own cursor and limit and DRF's `format` known beside its fields."""
    refuse_undecodable_query(request)
    also_known: list[str | None] = [api_settings.URL_FORMAT_OVERRIDE]
    if isinstance(paginator, CursorPagination):
        also_known += [paginator.cursor_query_param, paginator.page_size_query_param]
    query = serializer_class(
        data=request.query_params, also_known=[name for name in also_known if name]
    )
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class TakesNoQueryParameters:
    # For a view that reads no query parameter (an upload, an action, one object): any but DRF's
    # `format` is a 400 after authentication, as a list's unknown one is (`imports/?enrich=false`
    # imported and enriched, its parameter ignored). No docstring: the schema described each
    # view without its own by it, a note for the code's readers sent to the API's clients.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        read_query(request, QueryParametersSerializer)


class SchemaView(EtagOfAnswer, TakesNoQueryParameters, ErrorsAsJson, SpectacularAPIView):
    # The OpenAPI schema (YAML, or JSON with ?format=json), its errors JSON like every
    # endpoint's, a parameter but `format` refused as every endpoint's (`?fromat=json` was the
    # YAML schema). Its generator is ApiSchemaGenerator (SPECTACULAR_SETTINGS), as the
    # command's. Read again with its ETag in If-None-Match, a 304 (as every read: EtagOfAnswer),
    # where it was sent whole each time. No docstring: DRF's OPTIONS answers show a view's.
    pass


class TakesJsonBody:
    # For a view whose body is a JSON object (an action): JSON is the one type it reads, and the
    # one its schema offers. With the default parsers its schema offered multipart/form-data
    # too, whose fields no form can send as the body's types (a list, an integer id, a boolean):
    # a client that chose it was refused whatever it sent; now such a body is a 415, read no
    # further. No docstring, as TakesNoQueryParameters.

    parser_classes: Sequence[type[BaseParser]] = [JSONParser]


def has_permissions(*perms: str) -> type[BasePermission]:
    """An API permission that asks the admin's own: the user must hold every one of `perms`
    ("enrichment.review_enrichment", "catalog.import_books", "catalog.view_work"…)."""

    def holds_them(user) -> bool:
        return user.has_perms(perms)

    holds_them.__name__ = "has_" + "_".join(p.split(".")[-1] for p in perms)
    return allowed_by(holds_them)


def allowed_by(rule: Callable[[Any], bool]) -> type[BasePermission]:
    """An API permission that asks one of the admin's rules of who may do what (a function of
    the user: catalog.permissions.user_can_view_imports…); anonymous users never pass."""

    class AllowedBy(BasePermission):
        message = _("You do not have the permission this needs.")

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and rule(user))

    AllowedBy.__name__ = f"Allowed_{rule.__name__}"
    return AllowedBy


def id_list(value: str | None, *, name: str, maximum: int) -> list[int]:
    """Comma-separated positive integers ("1,2,3") -> [1, 2, 3], each once, in order. Bad input
    is a ValidationError naming `name` and what is wrong (never a 500)."""
    raw = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not raw:
        raise exceptions.ValidationError({name: gettext("Give at least one id.")})
    if len(raw) > maximum:
        raise exceptions.ValidationError(
            {
                name: gettext("At most %(max)s ids at once, not %(n)s.")
                % {"max": maximum, "n": len(raw)}
            }
        )
    ids: list[int] = []
    for part in raw:
        if not is_id_text(part) or int(part) == 0:
            raise exceptions.ValidationError(
                {name: gettext("%(value)r is not a positive integer id.") % {"value": part[:40]}}
            )
        ids.append(int(part))
    return list(dict.fromkeys(ids))
