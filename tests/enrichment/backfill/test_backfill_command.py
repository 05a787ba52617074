"""manage.py backfill: creating a range's months, --retry, --now (processing here, claiming like
the scheduler) and --json."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django.utils.timezone import now

from catalog.models import Work
from enrichment.backfill import claims, months
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.sources.base import SourceAnswer
from enrichment.models import BackfillMonth, EnrichmentRequest
from tests.enrichment.backfill.months_support import (  # noqa: F401 (fixtures)
    ASKED,
    fake_sources,
    record,
    search_provider,
)
from tests.enrichment.dump.conftest import (  # noqa: F401 (fixture)
    REAL_EDITIONS,
    REAL_WORKS,
    drop_dump_tables,
    real_lines,
)
from tests.enrichment.test_faults import refused_port
from tests.factories import make_isbn13

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("backfill", *args, stdout=out)
    return out.getvalue()


def backfill_json(*args: str) -> dict:
    return json.loads(backfill(*args, "--json"))


def backfill_failing(*args: str) -> tuple[str, CommandError]:
    """What the command printed on stdout, and the error it exited with (status 1)."""
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("backfill", *args, stdout=out)
    assert failed.value.returncode == 1
    return out.getvalue(), failed.value


def test_the_command_creates_the_ranges_pending_months_once():
    assert backfill_json("--from", "2023-11", "--to", "2024-02") == {
        "months": 4,
        "created": 4,
        "existing": 0,
    }
    assert backfill_json("--from", "2024-01", "--to", "2024-03") == {
        "months": 3,
        "created": 1,
        "existing": 2,
    }
    assert backfill_json("--from", "2024-06") == {"months": 1, "created": 1, "existing": 0}
    assert set(BackfillMonth.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert BackfillMonth.objects.count() == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13"], "“2024-13” is not a month: the month must be 01 to 12."),
        (
            ["--from", "2024-01", "--to", "Dec 2024"],
            "“Dec 2024” is not a month: write it as YYYY-MM, e.g. 2024-01.",
        ),
        (
            ["--from", "2024-05", "--to", "2024-01"],
            "The range starts after it ends (2024-05 to 2024-01): swap the months.",
        ),
        (["--from", "1900-01", "--to", "2024-01"], "at most 600 at a time"),
    ],
)
def test_bad_months_and_ranges_are_refused_with_a_readable_message(args, message):
    with pytest.raises(CommandError) as refused:
        backfill(*args)
    assert message in str(refused.value)
    assert not BackfillMonth.objects.exists()


def test_a_month_in_the_future_is_refused_naming_it_and_nothing_is_created():
    today = timezone.localdate()
    this_month = f"{today.year:04d}-{today.month:02d}"
    next_month = f"{today.year + today.month // 12:04d}-{today.month % 12 + 1:02d}"

    for args in (["--from", next_month], ["--from", this_month, "--to", next_month, "--now"]):
        with pytest.raises(CommandError) as refused:
            backfill(*args)
        assert f"{next_month} is in the future: nothing is published in it yet" in str(
            refused.value
        )
    assert not BackfillMonth.objects.exists()
    # This month is not in the future: its books are being published.
    assert backfill_json("--from", this_month)["created"] == 1


def test_the_human_output_is_a_table_of_the_ranges_months():
    BackfillMonth.objects.create(
        year=2024,
        month=2,
        status=Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=3,
        isbns_resolved=1234,
        synthetic_works=2,
        queued_for_enrichment=15,
        provider_calls={"openlibrary_search": 3, "google_books": 2, "isbndb": 0},
    )

    out = backfill("--from", "2024-01", "--to", "2024-02")

    lines = out.splitlines()
    assert lines[0] == "2 months: 1 created, 1 existed already."
    assert lines[1].split("  ")[0] == "month"
    assert "duplicates dropped" in lines[1] and "provider calls" in lines[1]
    assert lines[2].startswith("2024-01  Pending")
    assert lines[2].endswith("none yet")  # not run yet: none sent
    assert lines[3].startswith("2024-02  Completed")
    assert "1,234" in lines[3]
    assert lines[3].endswith("Open Library search 3 · Google Books 2")
    assert "the scheduler" in lines[4]


def test_a_month_that_ran_and_sent_no_request_says_0_provider_calls_as_the_admin_does():
    """A completed month whose books all came from the dump sent no request: "0", where the
    table said "–", as if its count were not known."""
    BackfillMonth.objects.create(
        year=2024, month=3, status=Status.COMPLETED, books_discovered=4, provider_calls={}
    )

    out = backfill("--from", "2024-03", "--to", "2024-03")

    row = next(line for line in out.splitlines() if line.startswith("2024-03"))
    assert row.endswith("  0"), out


def test_retry_puts_the_ranges_failed_and_cancelled_months_back():
    for month, status in ((1, Status.FAILED), (2, Status.CANCELLED), (3, Status.COMPLETED)):
        BackfillMonth.objects.create(year=2024, month=month, status=status, retry_count=3)
    BackfillMonth.objects.create(year=2023, month=12, status=Status.FAILED)  # outside the range

    summary = backfill_json("--from", "2024-01", "--to", "2024-03", "--retry")

    assert summary["retried"] == 2
    assert {m.label: m.status for m in BackfillMonth.objects.all()} == {
        "2024-03": "completed",
        "2024-02": "retry",
        "2024-01": "retry",
        "2023-12": "failed",
    }
    assert set(BackfillMonth.objects.values_list("retry_count", flat=True)) == {0, 3}


def test_retry_puts_partly_failed_months_back_too_and_says_so():
    BackfillMonth.objects.create(year=2024, month=1, status=Status.PARTIAL, error="dump: none")
    BackfillMonth.objects.create(year=2024, month=2, status=Status.COMPLETED)

    assert backfill_json("--from", "2024-01", "--to", "2024-02", "--retry")["retried"] == 1
    assert {m.label: (m.status, m.error) for m in BackfillMonth.objects.all()} == {
        "2024-02": ("completed", ""),
        "2024-01": ("retry", ""),
    }


def test_rerun_runs_the_ranges_completed_months_again_and_keeps_their_earlier_run(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    fake_sources["fake_catalogue"] = SourceAnswer(
        books=[DiscoveredBook("Held Over", ["Hal Over"], isbns=[make_isbn13()])], calls=1
    )
    first = backfill_json("--from", "2024-01", "--now")["processed"]
    assert [(row["status"], row["resolved"]) for row in first] == [("completed", 1)]
    works = set(Work.objects.values_list("pk", flat=True))
    # Without --rerun a completed month is never processed again (nor by --retry).
    assert backfill_json("--from", "2024-01", "--retry", "--now")["processed"] == []

    summary = backfill_json("--from", "2024-01", "--rerun", "--now")

    assert summary["rerun"] == 1 and "retried" not in summary
    [row] = summary["processed"]
    assert (row["month"], row["status"], row["discovered"], row["duplicates"]) == (
        "2024-01",
        "completed",
        1,
        1,
    )
    assert (row["resolved"], row["queued"], row["earlier_runs"]) == (0, 0, 1)
    assert set(Work.objects.values_list("pk", flat=True)) == works
    [earlier] = BackfillMonth.objects.get().earlier_runs
    assert (earlier["isbns_resolved"], earlier["run_again_by"]) == (1, "manage.py backfill --rerun")


def test_rerun_says_which_months_it_left_and_why():
    BackfillMonth.objects.create(year=2024, month=1, status=Status.COMPLETED, books_discovered=3)
    BackfillMonth.objects.create(
        year=2024, month=2, status=Status.PROCESSING, claim_token="a" * 32, heartbeat_at=now()
    )
    BackfillMonth.objects.create(year=2024, month=3, status=Status.FAILED)

    out = backfill("--from", "2024-01", "--to", "2024-03", "--rerun")

    lines = out.splitlines()
    assert (
        "1 completed month put back to run again (it keeps its earlier run in its history)."
        in lines
    )
    assert "Left as they are: Failed 1, Processing 1 (only completed months run again)." in lines
    assert {m.label: m.status for m in BackfillMonth.objects.all()} == {
        "2024-03": "failed",
        "2024-02": "processing",
        "2024-01": "pending",
    }
    assert BackfillMonth.objects.get(month=2).claim_token == "a" * 32


def test_now_processes_the_waiting_months_here_newest_first_and_reports_each(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    isbn13 = make_isbn13()

    def answer(year, month, limit):
        if month == 2:
            return SourceAnswer(
                books=[DiscoveredBook("February Book", ["Feb Writer"], isbns=[isbn13])], calls=1
            )
        return SourceAnswer(books=[DiscoveredBook("Unknowable", ["Nobody Knows"])], calls=1)

    fake_sources["fake_catalogue"] = answer
    fake_sources["fake_model"] = SourceAnswer()
    # Another scheduler holds 2024-03: --now leaves it to that worker.
    BackfillMonth.objects.create(
        year=2024, month=3, status=Status.PROCESSING, claim_token="a" * 32, heartbeat_at=now()
    )

    summary = backfill_json("--from", "2024-01", "--to", "2024-03", "--now")

    assert (summary["months"], summary["created"], summary["existing"]) == (3, 2, 1)
    assert summary["seconds"] >= 0
    processed = summary["processed"]
    assert [row["month"] for row in processed] == ["2024-02", "2024-01"]
    for row in processed:
        assert row.pop("seconds") >= 0
    assert processed == [
        {
            "month": "2024-02",
            "status": "completed",
            "discovered": 1,
            "duplicates": 0,
            "resolved": 1,
            "resolution_rate": 1.0,
            "synthetic": 0,
            "queued": 1,
            "provider_calls": {"fake_catalogue": 1, "fake_model": 0},
            "error": "",
            "earlier_runs": 0,
        },
        {
            "month": "2024-01",
            "status": "completed",
            "discovered": 1,
            "duplicates": 0,
            "resolved": 0,
            "resolution_rate": 0.0,
            "synthetic": 1,
            "queued": 0,
            "provider_calls": {"fake_catalogue": 1, "fake_model": 0, "google_books": 1},
            "error": "",
            "earlier_runs": 0,
        },
    ]
    assert ASKED == [
        ("fake_catalogue", 2024, 2),
        ("fake_model", 2024, 2),
        ("fake_catalogue", 2024, 1),
        ("fake_model", 2024, 1),
    ]
    assert BackfillMonth.objects.get(month=3).status == Status.PROCESSING


def test_now_prints_a_progress_line_per_month_then_the_table(fake_sources):  # noqa: F811
    fake_sources["fake_catalogue"] = SourceAnswer(error="The Open Library dump is not loaded.")
    fake_sources["fake_model"] = SourceAnswer(error="HTTP 401 from the model server")

    out, _failed = backfill_failing("--from", "2024-01", "--now")

    lines = out.splitlines()
    assert lines[0].startswith(
        "2024-01 Waiting to retry: 0 discovered, 0 duplicates dropped, 0 resolved, 0 synthetic"
    )
    assert lines[1].strip().startswith("No discovery source answered: Fake catalogue: The Open")
    assert "1 month: 1 created, 0 existed already." in lines
    assert any(line.startswith("Processed 1 month here in") for line in lines)
    assert lines[-1].startswith("2024-01  Waiting to retry")
    assert claims.backfill_months_claim(limit=5)[0].retry_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_year_of_the_dump_sample_through_the_command_end_to_end(
    settings,
    tmp_path,
    drop_dump_tables,  # noqa: F811
):
    """Real dump lines (tests/fixtures/openlibrary_dump, see PROVENANCE.md) loaded with the real
    loader, the real dump source, catalog check, resolution and writes: no network, no fake."""
    settings.BACKFILL_SOURCES = ["openlibrary_dump"]
    settings.ENRICHMENT_PROVIDERS = ["openlibrary_dump"]  # local only: nothing is asked online
    for kind, names in (("editions", REAL_EDITIONS), ("works", REAL_WORKS)):
        (tmp_path / f"{kind}.txt").write_bytes(real_lines(names))
    call_command(
        "load_openlibrary_dump",
        "--editions",
        str(tmp_path / "editions.txt"),
        "--works",
        str(tmp_path / "works.txt"),
        "--workers",
        "0",
        stdout=StringIO(),
    )

    connection.close()  # as in a worker: a new database session (no extension loaded in it)
    summary = backfill_json("--from", "1997-01", "--to", "1997-12", "--now")

    processed = summary["processed"]
    assert [row["month"] for row in processed] == [f"1997-{m:02d}" for m in range(12, 0, -1)]
    assert {row["status"] for row in processed} == {"completed"}
    discovered = sum(row["discovered"] for row in processed)
    assert discovered > 0
    # Every book of a catalogue source comes with its ISBN: resolved without a request.
    assert sum(row["resolved"] for row in processed) == discovered
    assert sum(row["synthetic"] for row in processed) == 0
    assert all(row["provider_calls"] == {"openlibrary_dump": 0} for row in processed)
    assert Work.objects.filter(discovery__month__startswith="1997-").count() == discovered
    assert EnrichmentRequest.objects.count() == discovered

    # The same year again (completed months are never retried: a person sets them back to
    # pending, as bench/backfill.py does) finds it all held.
    assert backfill_json("--from", "1997-01", "--to", "1997-12", "--retry")["retried"] == 0
    assert months.backfill_months_retry(months=BackfillMonth.objects.all()) == 0
    BackfillMonth.objects.update(status=BackfillMonth.Status.PENDING)
    again = backfill_json("--from", "1997-01", "--to", "1997-12", "--now")["processed"]
    assert len(again) == 12
    assert sum(row["duplicates"] for row in again) == discovered
    assert sum(row["resolved"] for row in again) == 0


def test_a_month_stopped_with_ctrl_c_is_given_back_and_processed_by_the_next_run(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
    monkeypatch,
):
    fake_sources["fake_catalogue"] = SourceAnswer(
        books=[DiscoveredBook("Stopped Once", ["Stu Pped"], isbns=[make_isbn13()])], calls=1
    )
    from enrichment.management.commands import backfill as command

    processed = command.backfill_month_process

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "backfill_month_process", interrupted)
    with pytest.raises(KeyboardInterrupt):
        backfill("--from", "2024-01", "--now")

    # Not left "processing" for BACKFILL_STALE_MINUTES: waiting again, its retries untouched.
    month = BackfillMonth.objects.get()
    assert (month.status, month.claim_token, month.retry_count) == (Status.RETRY, "", 0)
    assert "stopped" in month.error.lower()

    monkeypatch.setattr(command, "backfill_month_process", processed)
    [row] = backfill_json("--from", "2024-01", "--now")["processed"]
    assert (row["status"], row["resolved"]) == ("completed", 1)
    assert Work.objects.filter(title="Stopped Once").count() == 1


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_now_draws_a_months_title_searches_on_a_terminal_never_with_json(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
    monkeypatch,
):
    fake_sources["fake_model"] = SourceAnswer(
        books=[DiscoveredBook(f"Searched Book {n}", [f"Writer {n}"]) for n in range(3)]
    )
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    out = backfill("--from", "2024-01", "--now")

    bar = terminal.getvalue()
    assert "2024-01 title searches [" in bar and "3/3 books" in bar
    assert "title searches" not in out  # the bar is not the report
    assert out.splitlines()[0].startswith("2024-01 Completed: 3 discovered")

    terminal.seek(0)
    terminal.truncate()
    backfill_json("--from", "2024-02", "--now")
    assert terminal.getvalue() == ""


def test_now_says_why_the_ranges_other_months_were_not_processed_and_how_to_run_them(
    fake_sources,  # noqa: F811
):
    for number, status in ((1, Status.COMPLETED), (2, Status.COMPLETED), (3, Status.FAILED)):
        BackfillMonth.objects.create(year=2024, month=number, status=status)
    BackfillMonth.objects.create(
        year=2024, month=4, status=Status.PROCESSING, claim_token="a" * 32, heartbeat_at=now()
    )

    # 2024-05 is created and processed here (completed): it is not one of those left.
    out = backfill("--from", "2024-01", "--to", "2024-05", "--now")

    assert "Processed 1 month here in" in out
    assert (
        "Not processed here: Completed 2, Failed 1, Processing 1 (completed months run again "
        "with --rerun; failed, partly failed and cancelled ones with --retry; a processing "
        "month is a worker's)." in out.splitlines()
    )


def test_now_takes_back_a_month_a_stopped_process_left_processing(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    """A terminal closed during --now (or a worker killed) leaves its month processing; with no
    cluster running, nothing else would ever give it back."""
    from datetime import timedelta

    long_ago = now() - timedelta(hours=2)
    BackfillMonth.objects.create(
        year=2024, month=1, status=Status.PROCESSING, claim_token="a" * 32, heartbeat_at=long_ago
    )
    alive = now()
    BackfillMonth.objects.create(
        year=2024, month=2, status=Status.PROCESSING, claim_token="b" * 32, heartbeat_at=alive
    )
    fake_sources["fake_catalogue"] = SourceAnswer(
        books=[DiscoveredBook("Left Behind", ["Lee Behind"], isbns=[make_isbn13()])], calls=1
    )

    summary = backfill_json("--from", "2024-01", "--to", "2024-02", "--now")

    assert summary["recovered"] == 1
    assert [(row["month"], row["status"]) for row in summary["processed"]] == [
        ("2024-01", "completed")
    ]
    # A month whose worker is alive is its worker's.
    assert BackfillMonth.objects.get(month=2).claim_token == "b" * 32

    BackfillMonth.objects.filter(month=1).update(
        status=Status.PROCESSING, claim_token="c" * 32, heartbeat_at=long_ago
    )
    out = backfill("--from", "2024-01", "--now")
    assert (
        "1 month left processing by a process that stopped answering (no sign of life for 30 "
        "minutes) taken back." in out.splitlines()
    )


def test_a_month_whose_source_could_not_be_reached_counts_no_provider_call(settings):
    """Offline (Open Library's port refuses the connection): the search page never left the
    machine, so the month's "provider calls" say none, not one per page tried."""
    settings.BACKFILL_SOURCES = ["openlibrary_search"]
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{refused_port()}"
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    settings.OPENLIBRARY_RATE = 1000
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 0.5

    out, _failed = backfill_failing("--from", "2019-03", "--now")

    line = next(line for line in out.splitlines() if line.startswith("2019-03"))
    assert "provider calls: none yet (" in line, out
    assert "refused the connection" in out
    assert BackfillMonth.objects.get(year=2019, month=3).provider_calls == {"openlibrary_search": 0}


def test_now_exits_non_zero_naming_each_month_that_did_not_complete_and_why(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    """A cron job running `backfill --now` learned nothing from the exit status: 0 whether the
    months completed, failed, partly failed or went back to retry."""

    def catalogue(year, month, limit):
        if month == 1:
            return SourceAnswer(books=[DiscoveredBook("Fine Book", ["Fay Ine"])], calls=1)
        return SourceAnswer(error="HTTP 503 from the catalogue")

    def model(year, month, limit):
        if month == 2:
            return SourceAnswer(error="HTTP 401 from the model server")
        return SourceAnswer(books=[DiscoveredBook("Half Book", ["Hal F"])], calls=1)

    fake_sources["fake_catalogue"] = catalogue
    fake_sources["fake_model"] = model

    out, failed = backfill_failing("--from", "2024-01", "--to", "2024-03", "--now")

    message = str(failed).splitlines()
    assert message[0] == "2 of the 3 months processed here did not complete:"
    assert message[1].startswith(
        "  2024-03 (Partly failed): Some sources failed: Fake catalogue: HTTP 503 from the "
        "catalogue"
    )
    assert message[2].startswith(
        "  2024-02 (Waiting to retry): No discovery source answered: Fake catalogue: HTTP 503"
    )
    assert "2024-01" not in str(failed)
    # The report is printed all the same, before the error.
    assert out.splitlines()[-3].startswith("2024-01  Completed")

    BackfillMonth.objects.filter(month=2).update(status=Status.PENDING)
    fake_sources["fake_model"] = SourceAnswer(error="HTTP 401 from the model server")
    json_out = StringIO()
    with pytest.raises(CommandError) as failed_json:
        call_command("backfill", "--from", "2024-02", "--now", "--json", stdout=json_out)
    # --json: its one object, as before, with how many months did not complete.
    summary = json.loads(json_out.getvalue())
    assert (summary["failed"], [row["status"] for row in summary["processed"]]) == (1, ["retry"])
    assert {"months", "created", "existing", "recovered", "processed", "seconds"} < set(summary)
    assert str(failed_json.value).startswith("The month processed here did not complete:\n")


def test_now_exits_zero_when_every_month_it_processed_completed(fake_sources):  # noqa: F811
    summary = backfill_json("--from", "2024-01", "--to", "2024-02", "--now")
    assert summary["failed"] == 0
    assert {row["status"] for row in summary["processed"]} == {"completed"}
