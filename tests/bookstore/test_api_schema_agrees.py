"""What the served OpenAPI schema says against what the endpoints do: a client generated from
the schema sends what the schema allows and reads what it documents, and is told nothing that
belongs to the code rather than to the API."""

import inspect
import json
import re
from types import SimpleNamespace

import jsonschema
import pytest
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from bookstore import api
from catalog.models import ImportJob, ImportRow
from tests.api_schema import FORMAT_CHECKER, UNCHECKED_FORMATS, assert_answer_matches_schema
from tests.enrichment.test_review import needs_review
from tests.factories import make_edition, make_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]

SCHEMA_URL = reverse("api:schema") + "?format=json"


def served_schema(client: APIClient) -> dict:
    return json.loads(client.get(SCHEMA_URL).content)


def optional_parameters(schema: dict) -> list[tuple[str, dict]]:
    """(path, parameter) for each query parameter an operation may go without."""
    return [
        (path, parameter)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and not parameter.get("required")
    ]


def test_every_optional_text_parameter_is_documented_as_taking_an_empty_value(admin_api):
    """The API reads an empty filter as no filter (`?status=`, as a form's empty field), but the
    schema gave `isbn`, `missing` and a job's rows' `status` a `minLength: 1` (and enums
    without ""): a client generated from it refused to send what the server takes."""
    parameters = optional_parameters(served_schema(admin_api))
    texts = [
        parameter for _path, parameter in parameters if parameter["schema"]["type"] == "string"
    ]

    assert {(path, parameter["name"]) for path, parameter in parameters} >= {
        ("/api/v1/works/", "isbn"),
        ("/api/v1/works/", "missing"),
        ("/api/v1/works/", "q"),
        ("/api/v1/works/", "cursor"),
        ("/api/v1/imports/{job_id}/rows", "status"),
        ("/api/v1/enrichment/queue", "status"),
    }
    for parameter in texts:
        jsonschema.validate("", parameter["schema"])  # raises naming the rule that refuses it


@pytest.mark.parametrize("blank", ["", " "])
def test_an_empty_or_blank_parameter_is_an_absent_one_on_every_list(admin_api, blank):
    """`?isbn=` was no filter but `?isbn=%20` a 400 "may not be blank", `?status=%20` on the
    queue '" " is not a valid choice' where `?status=` listed everything, and `?cursor=` "not
    one this list gave" (a cursor the schema allows): one rule now, for every parameter the
    schema lists (a blank `limit` too, though the schema's integer never is)."""
    work = make_work("Synthetic Neverwhere")
    make_edition(work, isbn13="9780306406157")
    needs_review()
    job = ImportJob.objects.create(original_filename="synthetic.csv", status="completed")
    ImportRow.objects.create(job=job, line_number=2, status=ImportRow.Status.FAILED)
    ImportRow.objects.create(job=job, line_number=3, status=ImportRow.Status.CREATED)
    parameters = optional_parameters(served_schema(admin_api))
    assert parameters

    for path, parameter in parameters:
        url = path.replace("{job_id}", str(job.pk))
        unfiltered = admin_api.get(url)
        answer = admin_api.get(url, {parameter["name"]: blank})

        assert unfiltered.status_code == 200, (url, unfiltered.content)
        assert unfiltered.json()["results"]  # something a filter could have hidden
        assert answer.status_code == 200, (url, parameter["name"], answer.content)
        assert answer.json() == unfiltered.json(), (url, parameter["name"])


def test_a_misspelt_or_repeated_filter_is_still_refused_when_empty(admin_api):
    """An empty value is no filter; an empty misspelt one is still a filter the list does not
    take, and one given twice still given twice."""
    url = reverse("api:work-list")

    misspelt = admin_api.get(url, {"isbm": ""})
    repeated = admin_api.get(f"{url}?isbn=&isbn=9780306406157")

    assert misspelt.status_code == 400 and "isbm" in misspelt.json()["error"]["fields"]
    assert repeated.status_code == 400 and "isbn" in repeated.json()["error"]["fields"]


def test_no_operation_is_described_by_the_codes_own_notes(admin_api):
    """Three operations (an import job, a request, an operation) were described to clients by
    the docstring of a class their views share ("For a view that reads no query parameter…"),
    a note for whoever maintains the code, not what the endpoint does."""
    schema = served_schema(admin_api)
    described = 0

    for path, operations in schema["paths"].items():
        view = resolve(path.replace("{id}", "1").replace("{job_id}", "1")).func.view_class
        inherited = [inspect.cleandoc(cls.__doc__) for cls in view.__mro__[1:] if cls.__doc__]
        for method, operation in operations.items():
            description = operation.get("description", "")
            assert description not in inherited, (method, path, description)
            described += bool(description)

    assert described >= 5  # the endpoints' own descriptions are still given


@pytest.mark.parametrize(
    ("url", "renders"),
    [(reverse("api:docs"), "text/html"), (SCHEMA_URL, "application/vnd.oai.openapi+json")],
)
def test_options_on_the_schema_and_its_page_is_json_like_every_endpoints(admin_api, url, renders):
    """OPTIONS, which their Allow header offers, was a 500 (Django's HTML error page) on the
    docs page, whose one renderer is a template; and the schema's was YAML sent as the
    schema's own type."""
    response = admin_api.options(url)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert renders in response.json()["renders"]
    assert "OPTIONS" in response["Allow"]


@pytest.mark.parametrize(
    ("url", "parses"),
    [
        (reverse("api:work-list"), []),
        (reverse("api:enrichment-queue"), []),
        (reverse("api:enrichment-status"), []),
        (SCHEMA_URL, []),
        (reverse("api:docs"), []),
        (reverse("api:enrichment-trigger"), ["application/json"]),
        (reverse("api:import-create"), ["multipart/form-data"]),
    ],
)
def test_options_says_an_endpoint_parses_a_body_only_where_it_reads_one(admin_api, url, parses):
    """Every endpoint that reads no body (the lists, the status, the schema) said it parsed
    `application/json` and `multipart/form-data`: a client that believed it was answered 405."""
    response = admin_api.options(url)

    assert response.status_code == 200
    assert response.json()["parses"] == parses


def test_a_query_parameter_the_schema_does_not_take_is_refused_not_ignored(admin_api):
    """`?fromat=json` answered the YAML schema as if nothing had been asked, so a script that
    misspelt it failed reading JSON; every other endpoint refuses a parameter it does not take."""
    url = reverse("api:schema")

    misspelt = admin_api.get(url, {"fromat": "json"})

    assert misspelt.status_code == 400
    assert misspelt["Content-Type"] == "application/json"
    assert "fromat" in misspelt.json()["error"]["fields"]
    assert "format" in misspelt.json()["error"]["fields"]["fromat"]
    assert admin_api.get(url, {"format": "json"}).json()["openapi"].startswith("3.")
    assert admin_api.get(url, {"format": "yaml"}).status_code == 200
    assert admin_api.get(url).status_code == 200


def test_no_request_body_is_described_by_the_codes_own_notes(admin_api):
    """Every JSON body (trigger, trigger-all, approve, dismiss) was described to clients by the
    docstring of the class their serializers share: "Reads a body or a query string whose every
    key is one of its fields, or one of `also_known` (… a list's cursor and limit)…"."""
    bases = [api.StrictInputSerializer, api.QueryParametersSerializer, api.AnswerModelSerializer]
    schema = served_schema(admin_api)

    for name, component in schema["components"]["schemas"].items():
        description = component.get("description", "")
        for base in bases:
            assert not base.__doc__ or inspect.cleandoc(base.__doc__) != description, name


@pytest.mark.parametrize("most", [500, 3])
def test_the_schema_says_how_many_work_ids_a_trigger_takes(admin_api, settings, most):
    """The schema's `work_ids` was any array: a client generated from it sent none, or more
    than API_MAX_WORK_IDS, and met a 400 it had no way to foresee."""
    settings.API_MAX_WORK_IDS = most
    works = [make_work(f"Synthetic {n}") for n in range(most + 1)]
    schema = served_schema(admin_api)
    url = reverse("api:enrichment-trigger")

    work_ids = schema["components"]["schemas"]["TriggerRequest"]["properties"]["work_ids"]

    assert (work_ids["minItems"], work_ids["maxItems"]) == (1, most)
    over = admin_api.post(url, {"work_ids": [work.pk for work in works]}, format="json")
    assert over.status_code == 400 and f"At most {most} ids" in over.json()["error"]["message"]
    at_most = admin_api.post(url, {"work_ids": [work.pk for work in works[:most]]}, format="json")
    assert at_most.status_code == 202
    assert admin_api.post(url, {"work_ids": []}, format="json").status_code == 400


def test_the_schema_says_an_approval_names_at_least_one_field_or_none_at_all(admin_api):
    """`{"fields": []}` is refused ("This list may not be empty": no key asks for the safe
    proposal) but the schema allowed an empty array: a client generated from it sent one. Null
    is refused too, and the schema no longer offers it."""
    waiting = needs_review()
    schema = served_schema(admin_api)

    fields = schema["components"]["schemas"]["ApproveRequest"]["properties"]["fields"]
    url = reverse("api:enrichment-approve", args=[waiting.pk])
    empty = admin_api.post(url, {"fields": []}, format="json")
    null = admin_api.post(url, {"fields": None}, format="json")

    assert fields["minItems"] == 1 and not fields.get("nullable")
    assert empty.status_code == 400 and "fields" in empty.json()["error"]["fields"]
    assert null.status_code == 400 and "fields" in null.json()["error"]["fields"]


# What only the code's readers know: a module path, a DRF argument, a function of the code.
CODE_TALK = re.compile(r"\b(?:bookstore|catalog|enrichment|presenters)\.[a-z_]+|source=|_handler\b")


def descriptions(node) -> list[str]:
    """Every description in a part of the schema, however deep."""
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [text for value in node.values() for text in descriptions(value)]
    if isinstance(node, list):
        return [text for value in node for text in descriptions(value)]
    return []


def test_what_the_schema_tells_clients_is_no_note_for_the_codes_readers(admin_api):
    """A request's proposal was described as "read from the request itself: `source="*"`. The
    context holds … `live_values` (presenters.request_live_values)…", a fault as
    "enrichment.faults.ClassifiedFault…", the error body as "(`exception_handler`), for the
    schema": what a reader of the code needs, not what a client can use."""
    said = descriptions(served_schema(admin_api))

    assert len(said) > 50
    assert [text for text in said if CODE_TALK.search(text)] == []


def test_every_operation_documents_the_400_any_endpoint_answers_to_bad_input(admin_api):
    """A parameter an endpoint does not take (`imports/1?x=1`), a format it has not, or one not
    UTF-8 is a 400 on every endpoint, but a job's, a request's and an operation's schema
    documented none: a client generated from it met an answer it had no model for."""
    job = ImportJob.objects.create(original_filename="synthetic.csv", status="completed")
    schema = served_schema(admin_api)
    url = reverse("api:import-detail", args=[job.pk])

    for query in ({"x": "1"}, {"format": "xml"}):
        response = admin_api.get(url, query)
        assert response.status_code == 400
        assert_answer_matches_schema(
            admin_api, "/api/v1/imports/{job_id}", "get", response, schema=schema
        )
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)


def declared_formats(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(declared_formats(item) for item in node))
    if not isinstance(node, dict):
        return set()
    own = {node["format"]} if isinstance(node.get("format"), str) else set()
    return own.union(*(declared_formats(value) for value in node.values()))


def test_every_format_the_schema_declares_is_checked_in_the_answers_read_against_it(admin_api):
    """jsonschema checks neither `date-time` nor `uri` without packages this project does not
    install: a `format` the answers broke went unnoticed by every test reading them."""
    formats = declared_formats(served_schema(admin_api))

    assert {"date-time", "uri"} <= formats
    assert formats - UNCHECKED_FORMATS <= set(FORMAT_CHECKER.checkers)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cover_url", "/media/covers/ab/cover.jpg"),  # a path, not a URI
        ("created_at", "2025-03-03 14:05:09"),  # no T, no offset: not RFC 3339
        ("editions", [{"isbn13": "978-0-380-78901-6"}]),  # not the stored shape
    ],
)
def test_an_answer_breaking_a_declared_format_or_pattern_is_caught(admin_api, field, value):
    make_edition(make_work("Synthetic Formats"), isbn13="9780380789016", isbn10="0380789019")
    response = admin_api.get(reverse("api:work-list"))
    assert_answer_matches_schema(admin_api, "/api/v1/works/", "get", response)  # as served
    work = response.json()["results"][0]
    if field == "editions":
        value = [{**work["editions"][0], **value[0]}]
    broken = {**response.json(), "results": [{**work, field: value}]}
    answer = SimpleNamespace(status_code=200, json=lambda: broken)

    with pytest.raises(jsonschema.ValidationError):
        assert_answer_matches_schema(admin_api, "/api/v1/works/", "get", answer)


def test_an_editions_isbns_are_declared_in_the_shapes_the_database_keeps(admin_api):
    edition = served_schema(admin_api)["components"]["schemas"]["Edition"]["properties"]

    assert edition["isbn13"]["pattern"] == "^97[89][0-9]{10}$"
    assert edition["isbn10"]["pattern"] == "^[0-9]{9}[0-9X]$"
