"""The JSON API's common ground (issue 17): who may call it, how errors look, the per-user
throttle, tokens, and the OpenAPI schema and its page. The endpoints' own tests are in
tests/enrichment/api and tests/catalog/api."""

import io
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bookstore.api import id_list
from catalog.models import ImportJob
from enrichment.models import EnrichmentRequest
from tests.api_schema import assert_answer_matches_schema
from tests.factories import make_work
from tests.html_assets import external_assets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]
# The schema as JSON (its default is YAML; its errors are JSON either way).
SCHEMA_URL = reverse("api:schema") + "?format=json"
DOCS_URL = reverse("api:docs")


def error_of(response) -> dict:
    return json.loads(response.content)


@pytest.fixture
def token_client():
    user = User.objects.create_user("reader", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_an_anonymous_request_is_401_with_a_json_error_and_the_token_challenge():
    response = APIClient().get(SCHEMA_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["error"]["code"] == "not_authenticated"
    assert error_of(response)["error"]["message"]


def test_the_schemas_errors_are_json_whatever_format_the_schema_is_asked_in(settings):
    """The schema's own renderers gave its errors in YAML as `application/vnd.oai.openapi`: a
    client fetching the schema with no token, or past its rate, read the error as the schema."""
    settings.API_THROTTLE_RATE = "1/min"
    reader = APIClient()
    reader.force_authenticate(User.objects.create_user("fetcher", password="pw"))
    schema_url = reverse("api:schema")  # YAML by default
    assert reader.get(schema_url)["Content-Type"].startswith("application/vnd.oai.openapi")

    writer, asker = APIClient(), APIClient()
    writer.force_authenticate(User.objects.create_user("writer", password="pw"))
    asker.force_authenticate(User.objects.create_user("asker", password="pw"))
    answers = {
        "not_authenticated": APIClient().get(schema_url),
        "throttled": reader.get(schema_url),
        "method_not_allowed": writer.post(schema_url),
        "invalid": asker.get(schema_url, {"format": "xml"}),
    }
    for code, response in answers.items():
        assert response["Content-Type"] == "application/json", code
        assert error_of(response)["error"]["code"] == code


def test_a_wrong_token_is_401_and_says_so():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(SCHEMA_URL)

    assert response.status_code == 401
    assert error_of(response)["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("scheme", ["Bearer", "Basic", "JWT"])
def test_a_token_sent_under_another_scheme_is_told_the_scheme_to_use(scheme):
    """`Authorization: Bearer <key>` (how most APIs take a token) was answered "Authentication
    credentials were not provided.", though a key was sent."""
    key = Token.objects.create(user=User.objects.create_user("script", password="pw")).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")

    response = client.get(SCHEMA_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["error"] == {
        "code": "not_authenticated",
        "message": f'This API does not read an Authorization header of the scheme "{scheme}": '
        'send "Authorization: Token <key>".',
    }


def test_a_token_made_with_the_command_authenticates():
    User.objects.create_user("script", password="pw")
    out = io.StringIO()
    call_command("drf_create_token", "script", stdout=out)
    key = Token.objects.get(user__username="script").key
    assert key in out.getvalue()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(SCHEMA_URL).status_code == 200


def test_tokens_are_managed_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 200


def test_a_staff_user_who_may_manage_tokens_sees_and_makes_only_their_own(client):
    """DRF's admin listed every key to them and let them make one for the superuser: the API
    would then have taken them for the superuser."""
    boss = User.objects.create_superuser("boss", password="pw")
    boss_key = Token.objects.create(user=boss).key
    helper = User.objects.create_user("helper", password="pw", is_staff=True)
    codenames = ["view_tokenproxy", "add_tokenproxy", "delete_tokenproxy"]
    helper.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(helper)

    listed = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert boss_key not in listed
    boss_page = client.get(reverse("admin:authtoken_tokenproxy_change", args=[boss.pk]))
    assert boss_page.status_code == 302  # "does not exist", for them
    Token.objects.filter(user=boss).delete()  # one token a user: free the boss's for the form
    refused = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": boss.pk})
    assert refused.status_code == 200  # the form again: the superuser is no choice
    assert not Token.objects.filter(user=boss).exists()
    made = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": helper.pk})
    assert made.status_code == 302 and Token.objects.filter(user=helper).exists()
    own_key = Token.objects.get(user=helper).key
    assert own_key in client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()


def test_beyond_the_rate_a_user_gets_429_with_retry_after(token_client, settings):
    settings.API_THROTTLE_RATE = "2/min"

    statuses = [token_client.get(SCHEMA_URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = token_client.get(SCHEMA_URL)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert error_of(response)["error"]["code"] == "throttled"


def test_the_rate_is_per_user(token_client, settings):
    settings.API_THROTTLE_RATE = "1/min"
    other = APIClient()
    other.force_authenticate(User.objects.create_user("other", password="pw"))

    assert token_client.get(SCHEMA_URL).status_code == 200
    assert token_client.get(SCHEMA_URL).status_code == 429
    assert other.get(SCHEMA_URL).status_code == 200  # another user's count is their own


def test_the_schema_is_valid_openapi_3():
    """drf-spectacular's own check: the schema validates against the OpenAPI 3 specification,
    with no warning (an endpoint it cannot describe fails here)."""
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=out)


def test_the_schema_the_command_writes_is_the_one_served(token_client, tmp_path):
    """A client generated from `manage.py spectacular`'s file meets the same errors documented
    (429, 413, 415) as one generated from the served schema."""
    written = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(written))
    served = token_client.get(SCHEMA_URL, {"format": "json"}).json()

    assert json.loads(written.read_text()) == served
    trigger = served["paths"]["/api/v1/enrichment/trigger"]["post"]["responses"]
    assert {"413", "415", "429"} <= set(trigger)


@pytest.mark.parametrize(
    ("path", "default", "maximum"),
    [
        ("/api/v1/works/", 50, 200),
        ("/api/v1/enrichment/queue", 50, 200),
        ("/api/v1/imports/{job_id}/rows", 100, 1000),
    ],
)
def test_the_schema_says_how_many_rows_a_page_may_hold(token_client, path, default, maximum):
    """`limit` was only "an integer": a client generated from the schema asked for 500 rows of
    the queue and got a 400, or for 0."""
    schema = json.loads(token_client.get(SCHEMA_URL).content)

    (limit,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "limit"]

    assert limit["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": maximum,
        "default": default,
    }
    assert f"1 to {maximum}" in limit["description"]


def test_the_schema_documents_the_errors_any_endpoint_may_answer(settings):
    """A 429 (past the rate), and a body's 413 and 415, were answered but not in the schema: a
    client generated from it met them as undocumented answers, with no model for their body."""
    settings.API_THROTTLE_RATE = "2/min"
    reader = User.objects.create_user("reader", password="pw")
    reader.user_permissions.set(Permission.objects.filter(codename="view_work"))
    client = APIClient()
    client.force_authenticate(reader)
    schema = json.loads(client.get(SCHEMA_URL).content)
    client.get(reverse("api:work-list"))

    throttled = client.get(reverse("api:work-list"))

    validate_schema(schema)  # still OpenAPI 3
    assert throttled.status_code == 429
    assert_answer_matches_schema(client, "/api/v1/works/", "get", throttled, schema=schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert "429" in documented, (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= documented, (method, path)


def test_the_schema_describes_token_and_session_auth(token_client):
    schema = json.loads(token_client.get(SCHEMA_URL).content)

    assert schema["openapi"].startswith("3.")
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_is_served_from_static_files_not_a_cdn(admin_client):
    page = admin_client.get(DOCS_URL).content.decode()

    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert external_assets(page) == []
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert reverse("api:schema") in page


def test_the_docs_page_sends_a_person_not_signed_in_to_sign_in_and_back():
    response = Client().get(DOCS_URL)

    assert response.status_code == 302  # was a bare "401 Unauthorized" page
    assert response["Location"] == f"{reverse('admin:login')}?next={DOCS_URL}"
    wrong_token = Client(HTTP_AUTHORIZATION="Token not-a-real-token").get(DOCS_URL)
    assert wrong_token.status_code == 401  # a script's bad token is told so, not redirected


def test_the_docs_pages_errors_are_the_apis_json_errors(settings):
    """A script's bad token, or a user past the rate, read a bare "401 Unauthorized" (or
    "429 Too Many Requests") HTML page, not the API's JSON error every other address answers."""
    settings.API_THROTTLE_RATE = "1/min"
    wrong_token = APIClient()
    wrong_token.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    reader = APIClient()
    reader.force_authenticate(User.objects.create_user("reader", password="pw"))
    assert reader.get(DOCS_URL).status_code == 200

    answers = {
        "authentication_failed": wrong_token.get(DOCS_URL),
        "throttled": reader.get(DOCS_URL),
    }

    for code, response in answers.items():
        assert response["Content-Type"] == "application/json", response.content
        assert error_of(response)["error"]["code"] == code
        assert error_of(response)["error"]["message"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "at least one id"),
        ("1,a", "'a' is not a positive integer id"),
        ("-3", "'-3' is not a positive integer id"),
        ("0", "'0' is not a positive integer id"),
        ("1.5", "'1.5' is not a positive integer id"),
        ("99999999999999999999", "is not a positive integer id"),
        ("9" * 5000, "is not a positive integer id"),  # int() itself refuses 4,300+ digits
        ("١٢", "is not a positive integer id"),  # Arabic-Indic digits are digits, not ids
        (",".join(["1"] * 501), "At most 500 ids at once, not 501"),
    ],
)
def test_id_lists_refuse_what_is_not_a_list_of_ids(value, message):
    with pytest.raises(exceptions.ValidationError) as caught:
        id_list(value, name="work_ids", maximum=500)
    assert message in str(caught.value.detail["work_ids"])


def test_id_lists_keep_each_id_once_in_order():
    assert id_list(" 3, 1,3 ,2", name="work_ids", maximum=500) == [3, 1, 2]


def test_djangos_own_404_and_403_keep_their_codes():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from bookstore.api import exception_handler

    not_found = exception_handler(Http404("gone"), {})
    denied = exception_handler(PermissionDenied(), {})

    assert (not_found.status_code, not_found.data["error"]["code"]) == (404, "not_found")
    assert (denied.status_code, denied.data["error"]["code"]) == (403, "permission_denied")


def test_a_path_no_endpoint_has_is_a_json_404(token_client):
    response = token_client.get("/api/v1/enrichment/abc")
    assert response.status_code == 404
    assert error_of(response)["error"]["code"] == "not_found"
    # Anonymous: authentication comes first, as on every endpoint.
    assert APIClient().get("/api/v1/nothing-here/").status_code == 401


def test_the_schema_documents_the_error_body_once(token_client):
    schema = json.loads(token_client.get(SCHEMA_URL).content)
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert {"code", "message", "fields"} <= set(error["properties"])
    status = schema["paths"]["/api/v1/enrichment/status"]["get"]["responses"]
    assert status["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


# --- What a hostile or careless client sends: a JSON error, never Django's HTML page or a 500 ---


@pytest.fixture
def reviewer_client():
    """A client whose user may act (the refusals below come from reading the request)."""
    user = User.objects.create_user("acting", password="pw")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["review_enrichment", "view_work", "import_books"])
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_json_body_nested_too_deeply_is_a_parse_error_not_a_500(reviewer_client):
    body = '{"work_ids": ' + "[" * 5000 + "]" * 5000 + "}"

    response = reviewer_client.post(
        reverse("api:enrichment-trigger"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["error"]["code"] == "parse_error"
    assert "nested too deeply" in error_of(response)["error"]["message"]


def test_a_body_over_the_memory_limit_is_a_json_413(reviewer_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"work_ids": [1], "padding": "x" * 2000})

    response = reviewer_client.post(
        reverse("api:enrichment-trigger"), body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["error"] == {
        "code": "too_large",
        "message": "The request body is over 1000 bytes (an uploaded file aside).",
    }
    assert not EnrichmentRequest.objects.exists()


def test_a_file_posted_to_an_endpoint_that_takes_none_is_never_received(
    reviewer_client, settings, stored_upload_bytes
):
    """Any endpoint read multipart: a file posted to one that takes none was received whole.
    Past the upload ceiling it was then a 413; now an action reads JSON alone, and the file is
    not read at all."""
    settings.COVER_MAX_BYTES = 10_000
    settings.IMPORT_MAX_UPLOAD_BYTES = 20_000
    huge = SimpleUploadedFile("synthetic-padding.bin", b"\0" * 3_000_000)

    response = reviewer_client.post(
        reverse("api:enrichment-trigger"), {"work_ids": "1", "file": huge}, format="multipart"
    )

    assert response.status_code == 415
    assert error_of(response)["error"]["code"] == "unsupported_media_type"
    assert sum(stored_upload_bytes) == 0
    assert not EnrichmentRequest.objects.exists()


#: The endpoints whose body is JSON: (their path in the schema, a body they take).
JSON_BODY_ENDPOINTS = [
    ("/api/v1/enrichment/trigger", {"work_ids": [1]}),
    ("/api/v1/enrichment/trigger-all", {"covers": True}),
    ("/api/v1/enrichment/{id}/approve", {"fields": ["publisher"]}),
    ("/api/v1/enrichment/{id}/dismiss", {"reason": "another edition"}),
]


@pytest.mark.parametrize(("path", "body"), JSON_BODY_ENDPOINTS)
def test_the_actions_take_a_json_body_only_as_their_schema_says(reviewer_client, path, body):
    """The schema offered multipart/form-data for the actions too, whose fields no form can
    send: a list (`work_ids=1&work_ids=2`) was "given twice", an id or a flag "not an integer"
    or "not a boolean". A form is now the 415 a JSON-only endpoint answers, read no further."""
    work = make_work("Synthetic Waiting")
    waiting = EnrichmentRequest.objects.create(
        work=work, status=EnrichmentRequest.Status.NEEDS_REVIEW
    )
    schema = json.loads(reviewer_client.get(SCHEMA_URL).content)

    url = path.replace("{id}", str(waiting.pk))
    response = reviewer_client.post(url, body, format="multipart")

    assert list(schema["paths"][path]["post"]["requestBody"]["content"]) == ["application/json"]
    assert response.status_code == 415
    error = error_of(response)["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["message"] == (
        'This endpoint does not read a body of type "multipart/form-data": send application/json.'
    )
    assert list(EnrichmentRequest.objects.values_list("pk", "status")) == [
        (waiting.pk, EnrichmentRequest.Status.NEEDS_REVIEW)
    ]


def test_a_body_of_a_type_an_endpoint_does_not_read_is_told_the_type_to_send(reviewer_client):
    """The 415 said only 'Unsupported media type "text/plain" in request.': not what to send."""
    action = reviewer_client.post(
        reverse("api:enrichment-trigger"), "work_ids=1", content_type="text/plain"
    )
    upload = reviewer_client.post(reverse("api:import-create"), {"file": "x"}, format="json")

    assert (action.status_code, upload.status_code) == (415, 415)
    assert error_of(action)["error"] == {
        "code": "unsupported_media_type",
        "message": 'This endpoint does not read a body of type "text/plain": send '
        "application/json.",
    }
    assert error_of(upload)["error"]["message"] == (
        'This endpoint does not read a body of type "application/json": send multipart/form-data.'
    )


def test_an_accept_header_an_endpoint_cannot_answer_is_told_the_type_it_answers_in(
    reviewer_client,
):
    """The 406 said only "Could not satisfy the request Accept header.", not what to ask for."""
    response = reviewer_client.get(reverse("api:work-list"), HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert error_of(response)["error"] == {
        "code": "not_acceptable",
        "message": 'This endpoint does not answer in "text/html": ask for application/json.',
    }


def test_too_many_form_fields_or_query_parameters_are_a_json_400(reviewer_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{i}": "x" for i in range(11)}

    upload = reviewer_client.post(reverse("api:import-create"), fields, format="multipart")
    listing = reviewer_client.get(reverse("api:work-list"), fields)

    for response in (upload, listing):
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert error_of(response)["error"]["code"] == "parse_error"
        assert "more than 10 parameters" in error_of(response)["error"]["message"]
    assert not ImportJob.objects.exists()


def test_a_token_with_a_nul_byte_is_401_on_every_database():
    """PostgreSQL refuses NUL in text: the lookup was a 500 there (runserver passes the byte)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abc\x00def")

    response = client.get(SCHEMA_URL)

    assert response.status_code == 401
    assert error_of(response)["error"] == {
        "code": "authentication_failed",
        "message": "Invalid token.",
    }


@pytest.mark.parametrize("asked", ["/api/v1/", "/api/v1/books/"])
def test_an_address_with_no_endpoint_near_it_is_told_where_the_endpoints_are(token_client, asked):
    """The API's root (and any address no endpoint is near) said only "No endpoint at this
    address.": someone exploring the API from /api/v1/ learnt nothing about where to go."""
    response = token_client.get(asked)

    assert response.status_code == 404
    assert error_of(response)["error"] == {
        "code": "not_found",
        "message": "No endpoint at this address; every endpoint is described at /api/v1/docs/ "
        "(and in /api/v1/schema/).",
    }


@pytest.mark.parametrize(
    ("asked", "there"),
    [
        ("/api/v1/works", "/api/v1/works/"),
        ("/api/v1/imports", "/api/v1/imports/"),
        ("/api/v1/enrichment/status/", "/api/v1/enrichment/status"),
        ("/api/v1/enrichment/7/approve/", "/api/v1/enrichment/7/approve"),
    ],
)
def test_a_path_an_endpoint_has_with_or_without_its_last_slash_is_named_by_the_404(
    token_client, asked, there
):
    response = token_client.get(asked)

    assert response.status_code == 404
    assert error_of(response)["error"] == {
        "code": "not_found",
        "message": f"No endpoint at this address; there is one at {there}.",
    }


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_the_apis_root_without_its_slash_is_its_json_404_whatever_debug_says(
    settings, token_client, debug, method
):
    """`/api/v1` (no slash) was left to APPEND_SLASH: a 301 to `/api/v1/` that a client follows
    with a GET (its POST's body dropped), and under DEBUG Django's RuntimeError for a POST, PUT,
    PATCH or DELETE, an HTML 500 page. Every other path under it was already the API's 404."""
    settings.DEBUG = debug

    response = token_client.generic(method, "/api/v1", "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["error"] == {
        "code": "not_found",
        "message": "No endpoint at this address; every endpoint is described at /api/v1/docs/ "
        "(and in /api/v1/schema/).",
    }


def test_a_session_cookie_with_a_nul_byte_is_no_session_on_every_database():
    """PostgreSQL refuses NUL in text: looking the forged session up was a 500 there, on the
    API as on the admin."""
    client = APIClient()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    response = client.get(SCHEMA_URL)

    assert response.status_code == 401
    assert error_of(response)["error"]["code"] == "not_authenticated"


def test_a_real_session_still_authenticates():
    user = User.objects.create_user("sessioned", password="pw")
    client = APIClient()
    client.force_login(user)

    assert client.get(SCHEMA_URL).status_code == 200


@pytest.mark.parametrize("method", ["options", "head", "patch", "trace", "propfind"])
def test_a_path_no_endpoint_has_is_a_404_whatever_the_method(token_client, method):
    """OPTIONS was a 200 describing the catch-all view itself (its docstring), and every 404
    had an Allow header listing methods nothing answers; TRACE or WebDAV's PROPFIND was a 405
    "not allowed" with no Allow header, as if an endpoint were there."""
    response = token_client.generic(method.upper(), "/api/v1/nothing-here/")

    assert response.status_code == 404
    assert not response.has_header("Allow")
    if method != "head":
        assert error_of(response)["error"]["code"] == "not_found"


def test_a_format_the_endpoint_has_not_is_a_400_naming_the_formats_it_has(token_client):
    """DRF answered 404 "Not found." to an existing address asked in another format."""
    response = token_client.get(reverse("api:work-list"), {"format": "csv"})

    assert response.status_code == 400
    assert error_of(response)["error"]["fields"] == {
        "format": "'csv' is not a format this answers in: json."
    }
    schema = token_client.get(reverse("api:schema"), {"format": "xml"})
    assert schema.status_code == 400 and b"yaml, json" in schema.content
    assert token_client.get(SCHEMA_URL).status_code == 200  # ?format=json, as documented
