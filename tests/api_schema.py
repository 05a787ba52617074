"""Check an answer of the JSON API against the OpenAPI 3.0 schema the API serves, as a client
generated from that schema would read it: every value of the type and enum the schema says."""

import json
from typing import Any

import jsonschema
from django.urls import reverse


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
    )
