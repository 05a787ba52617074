"""purge_imports, housekeeping and enrichment_report --json (bookstore.json_command): when the
command stops before its summary (here Django's start-up check finds a setting no request could
use, as it does before any command run from a shell), stdout still holds one JSON object, the
error, as it does for the other commands that take --json."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["purge_imports", "housekeeping", "enrichment_report"])
def test_a_command_stopped_by_the_start_up_check_prints_the_error_as_json(settings, command):
    settings.ARCHIVE_ORG_URL = "archive.org"  # no scheme: enrichment.E006
    out = StringIO()

    with pytest.raises(SystemCheckError) as stopped:
        call_command(command, "--json", skip_checks=False, stdout=out, stderr=StringIO())

    printed = json.loads(out.getvalue())
    assert list(printed) == ["error"]
    assert printed["error"] == str(stopped.value)
    assert "ARCHIVE_ORG_URL is 'archive.org'" in printed["error"]


@pytest.mark.parametrize("command", ["purge_imports", "housekeeping", "enrichment_report"])
def test_without_json_the_error_is_not_printed_on_stdout(settings, command):
    settings.ARCHIVE_ORG_URL = "archive.org"
    out = StringIO()

    with pytest.raises(SystemCheckError):
        call_command(command, skip_checks=False, stdout=out, stderr=StringIO())

    assert out.getvalue() == ""


def test_an_unexpected_error_is_printed_as_json_too(monkeypatch):
    """The database gone in the middle of the work: a script reading stdout still finds one
    object saying so, and the error still ends the command (non-zero, traceback on stderr)."""
    from django.db import OperationalError

    def database_gone():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(
        "enrichment.management.commands.housekeeping.housekeeping_run", database_gone
    )
    out = StringIO()

    with pytest.raises(OperationalError):
        call_command("housekeeping", "--json", stdout=out, stderr=StringIO())

    printed = json.loads(out.getvalue())
    assert list(printed) == ["error"]
    assert "OperationalError: server closed the connection unexpectedly" in printed["error"]
