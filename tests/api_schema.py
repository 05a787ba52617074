"""Check an answer of the JSON API against the OpenAPI 3.0 schema the API serves, as a client
generated from that schema would read it: every value of the type, enum, pattern and format the
schema says."""

import datetime
import json
import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from django.urls import reverse

#: The formats the schema declares, each checked as a client's generated code reads it:
#: jsonschema checks `date-time` and `uri` only with packages this project does not install, so
#: it passed any string as either. `binary` (an upload's file) and `int64` (an integer's size)
#: say nothing a JSON answer could break.
FORMAT_CHECKER = jsonschema.FormatChecker(formats=("date", "uuid"))
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
# RFC 3986: a scheme, then only its unreserved, reserved and percent-encoded characters.
_URI_CHARACTERS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
UNCHECKED_FORMATS = {"binary", "int64"}


@FORMAT_CHECKER.checks("date-time")
def is_rfc3339_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the type's to refuse
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@FORMAT_CHECKER.checks("uri")
def is_absolute_uri(value: object) -> bool:
    """RFC 3986's URI: absolute (a scheme; an http(s) one names its host)."""
    if not isinstance(value, str):
        return True
    if not _URI_CHARACTERS.fullmatch(value):
        return False
    parts = urlsplit(value)
    return parts.scheme not in ("http", "https") or bool(parts.netloc)


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: `nullable` becomes a null alternative, and
    component references point into `definitions`."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/definitions/")
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def assert_answer_matches_schema(
    client, path: str, method: str, response, *, schema: dict | None = None
) -> None:
    """`response` (to `method` on the schema's `path`, e.g. "/api/v1/works/") holds nothing
    its documented schema for that status refuses. `schema`: the one served, fetched by `client`
    unless given (a client past its rate no longer may)."""
    if schema is None:
        schema = json.loads(client.get(reverse("api:schema") + "?format=json").content)
    documented = schema["paths"][path][method]["responses"][str(response.status_code)]
    body_schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(
        response.json(),
        {
            "definitions": _as_json_schema(schema["components"]["schemas"]),
            **_as_json_schema(body_schema),
        },
        format_checker=FORMAT_CHECKER,
    )
