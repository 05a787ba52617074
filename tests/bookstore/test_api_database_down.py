"""The JSON API while its database is down or restarting: a JSON 503 a client retries after
Retry-After, where the token's lookup, the first to meet the database, raised Django's HTML 500
page."""

import logging

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


def refused(execute, sql, params, many, context):
    """Every statement as psycopg reports a server gone (the error a connection to a stopped
    PostgreSQL raises)."""
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_api_answers_a_json_503_to_retry_while_its_database_is_down(admin_api, caplog, method):
    url = reverse("api:work-list") if method == "get" else reverse("api:enrichment-trigger")

    with (
        caplog.at_level(logging.ERROR, logger="bookstore.api"),
        connection.execute_wrapper(refused),
    ):
        response = getattr(admin_api, method)(url, {}, format="json")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "database_unavailable"
    assert "try again" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0
    # What the database said is for the server's log, never for the client.
    assert "server closed" not in response.content.decode()
    assert "server closed the connection" in caplog.text


def test_the_schema_documents_the_503_on_every_operation(admin_api):
    schema = admin_api.get(reverse("api:schema"), {"format": "json"}).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations and all("503" in op["responses"] for op in operations)
