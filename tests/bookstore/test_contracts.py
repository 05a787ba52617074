"""The names outside scripts rely on (the design notes' "Contracts other parts rely on" and "Wave
2 contracts": command names, flags, --json keys, URLs, status values, permissions), spelled here
as scripts spell them: a rename fails this file. Names may be added freely; none renamed. The
endpoints' other tests reverse URL names, so they follow a renamed path: these do not."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import (
    BaseCommand,
    CommandError,
    call_command,
    get_commands,
    load_command_class,
)
from django.urls import resolve

from enrichment.models import BackfillMonth
from tests.enrichment.dump.conftest import drop_dump_tables  # noqa: F401 (a fixture)
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db

# The flags each command takes, as the design notes write them.
COMMAND_FLAGS = {
    "import_books": {"--format", "--map", "--no-enrich", "--json"},
    "enrich_missing": {
        "--covers",
        "--metadata",
        "--authors",
        "--limit",
        "--dry-run",
        "--now",
        "--json",
    },
    "enrichment_report": {"--json"},
    "load_openlibrary_dump": {"--editions", "--works", "--authors"},
    "backfill": {"--from", "--to"},
    "drf_create_token": set(),
}
# The positional argument each takes: import_books PATH, drf_create_token USER.
COMMAND_ARGUMENTS = {"import_books": "path", "drf_create_token": "username"}
GOODREADS_EXPORT = (
    Path(__file__).parents[1]
    / "fixtures/imports/goodreads_real/HelgeEgil__goodreads_library_export.csv"
)
IMPORT_FORMATS = {
    "auto",
    "goodreads",
    "storygraph",
    "librarything",
    "libib",
    "calibre",
    "openlibrary",
    "bookwyrm",
    "openreads",
    "generic",
}


def parser_of(name: str):
    command = load_command_class(get_commands()[name], name)
    return command.create_parser("manage.py", name)


@pytest.mark.parametrize("name", sorted(COMMAND_FLAGS))
def test_each_command_takes_the_flags_scripts_pass(name):
    parser = parser_of(name)
    flags = set(parser._option_string_actions)
    assert COMMAND_FLAGS[name] <= flags
    if name in COMMAND_ARGUMENTS:
        positional = [a.dest for a in parser._actions if not a.option_strings]
        assert COMMAND_ARGUMENTS[name] in positional
    # Every flag of its own says what it does in --help.
    own = [a for a in parser._actions if set(a.option_strings) & COMMAND_FLAGS[name]]
    assert all(action.help for action in own), [a.option_strings for a in own if not a.help]


def test_every_flag_of_the_projects_commands_says_what_it_does():
    """--help is where a person running a command learns it: no flag of ours without a line."""
    ours = sorted(n for n, app in get_commands().items() if app in ("catalog", "enrichment"))
    assert {"import_books", "enrich_missing", "backfill"} <= set(ours)
    django_own = set(BaseCommand().create_parser("manage.py", "x")._option_string_actions)
    silent = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name in ours
        for action in parser_of(name)._actions
        if not set(action.option_strings) & django_own and not action.help
    ]
    assert silent == []


def test_import_books_takes_every_format_by_its_name():
    [fmt] = [a for a in parser_of("import_books")._actions if "--format" in a.option_strings]
    assert set(fmt.choices) >= IMPORT_FORMATS
    assert fmt.default == "auto"


def run_json(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    text = out.getvalue()
    assert text.count("\n") <= 1  # one JSON object, nothing else on stdout
    return json.loads(text)


def test_import_books_json_keys(sent_tasks):
    summary = run_json("import_books", str(GOODREADS_EXPORT))
    assert {
        "job",
        "rows",
        "created",
        "updated",
        "duplicates",
        "failed",
        "enqueued",
        "failed_rows",
    } <= set(summary)
    assert summary["rows"] == summary["created"] > 0


def test_enrich_missing_json_keys(sent_tasks):
    make_work("Bare", authors=[make_author("Nobody Yet")])
    counted = {"missing", "waiting_for_review", "already_queued", "covers", "metadata", "authors"}
    assert counted | {"would_enqueue"} <= set(run_json("enrich_missing", "--dry-run"))
    assert counted | {"enqueued"} <= set(run_json("enrich_missing"))
    authors = run_json("enrich_missing", "--authors", "--dry-run")
    assert {"authors_missing", "authors_would_queue", "would_enqueue"} <= set(authors)


def test_enrichment_report_json_keys():
    report = run_json("enrichment_report")
    assert {"works", "covers", "metadata", "authors", "queue", "providers"} <= set(report)
    assert {"missing", "by_source"} <= set(report["covers"])
    assert {"average_completeness"} <= set(report["metadata"])
    assert {"pending", "in_progress", "completed", "needs_review", "failed", "skipped"} <= set(
        report["queue"]
    )
    for provider in report["providers"].values():
        assert {"requests_today", "daily_budget", "budget_left"} <= set(provider)


def test_backfill_json_keys():
    assert run_json("backfill", "--from", "2024-01", "--to", "2024-02") == {
        "months": 2,
        "created": 2,
        "existing": 0,
    }


# Every endpoint of /api/v1/ as the design notes write it ({id} as 7).
API_PATHS = [
    "/api/v1/enrichment/status",
    "/api/v1/enrichment/queue",
    "/api/v1/enrichment/7",
    "/api/v1/enrichment/trigger",
    "/api/v1/enrichment/trigger-all",
    "/api/v1/enrichment/7/approve",
    "/api/v1/enrichment/7/dismiss",
    "/api/v1/imports/",
    "/api/v1/imports/7",
    "/api/v1/imports/7/rows",
    "/api/v1/works/",
    "/api/v1/schema/",
    "/api/v1/docs/",
]


@pytest.mark.parametrize("path", API_PATHS)
def test_every_api_endpoint_is_at_its_address(path):
    # The catch-all JSON 404 has no name: an endpoint moved elsewhere would land on it.
    assert resolve(path).url_name is not None


def test_status_values_and_permissions_scripts_read():
    assert {value for value, _ in BackfillMonth.Status.choices} >= {
        "pending",
        "processing",
        "completed",
        "failed",
        "retry",
    }
    codenames = set(Permission.objects.values_list("content_type__app_label", "codename"))
    assert {
        ("catalog", "import_books"),
        ("enrichment", "review_enrichment"),
        ("enrichment", "revert_enrichment"),
    } <= codenames


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["backfill", "--from", "2024-13"], "is not a month"),
        (["load_openlibrary_dump", "--editions", "/nonexistent/editions.txt"], "Cannot read"),
        (["load_openlibrary_dump"], "Give at least one of"),
        (["dump_campaign"], "No Open Library dump is loaded"),
        (["import_books", "/nonexistent/export.csv"], "Cannot read"),
    ],
)
def test_a_failing_command_with_json_prints_one_json_error_on_stdout(args, says):
    # import_books alone did; the others printed nothing on stdout, so a script that reads
    # stdout as JSON failed on an empty string instead of reading the reason.
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=says):
        call_command(*args, "--json", stdout=out, stderr=err)
    assert says in json.loads(out.getvalue())["error"]


@pytest.mark.django_db(transaction=True)  # the loader writes through its own connections
@pytest.mark.usefixtures("drop_dump_tables")
def test_a_summary_written_before_the_failure_is_the_one_json_object():
    out = StringIO()
    works = Path(__file__).parents[1] / "fixtures/openlibrary_dump/synthetic-works.txt"
    with pytest.raises(CommandError, match="Refused"):
        call_command("load_openlibrary_dump", "--editions", str(works), "--json", stdout=out)
    [line] = out.getvalue().splitlines()
    assert json.loads(line)["files"][0]["status"] == "refused"
