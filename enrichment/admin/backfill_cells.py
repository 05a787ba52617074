"""What a backfill month's cells show, in its list and on its page: its figures, its error cut
short, its discovery sources and its earlier runs (enrichment.admin.backfill lays them out)."""

from django.conf import settings
from django.contrib.admin.utils import display_for_value
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from bookstore.admin_lists import count_with_note, with_note
from enrichment.admin.base import badge
from enrichment.backfill import months as backfill_months
from enrichment.backfill.months import calls_label, calls_text
from enrichment.models import BackfillMonth
from enrichment.waiting import Due, WaitingWords, due_state, time_short

Status = BackfillMonth.Status
STATUS_COLOURS = {
    Status.PENDING: "#777",
    Status.PROCESSING: "#1f6fb2",
    Status.COMPLETED: "#2e7d32",
    Status.FAILED: "#c62828",
    Status.RETRY: "#b26a00",
    Status.CANCELLED: "#8d6e63",
    Status.PARTIAL: "#d84315",
}
ERROR_SHOWN = 50  # characters of a month's error in the lists (all of it on hover)


def _in_settings_order(item) -> tuple[int, str]:
    """The sources as BACKFILL_SOURCES lists them (jsonb keeps no order), others after."""
    order = settings.BACKFILL_SOURCES
    return (order.index(item[0]) if item[0] in order else len(order), item[0])


def resolved_text(resolved: int, rate: float | None):
    """ "12 (75 %)": the ISBNs resolved and their share of the new books, when there were any."""
    if rate is None:
        return f"{resolved:,}"
    return format_html(
        '{} <span class="quiet">({}&nbsp;%)</span>', f"{resolved:,}", round(rate * 100)
    )


def discovered_with_duplicates(discovered: int, duplicates: int):
    """The books discovered, and the duplicates dropped among them below."""
    return count_with_note(
        discovered,
        ngettext("%(n)s duplicate dropped", "%(n)s duplicates dropped", duplicates),
        duplicates,
    )


def resolved_with_synthetic(resolved: int, rate: float | None, synthetic: int):
    """The ISBNs resolved, and below them the synthetic works written for the books no
    provider resolved."""
    shown = resolved_text(resolved, rate)
    if not synthetic:
        return shown
    note = ngettext("%(n)s synthetic work", "%(n)s synthetic works", synthetic)
    return with_note(shown, note % {"n": f"{synthetic:,}"})


def error_short(error: str):
    """A month's error cut to ERROR_SHOWN characters, all of it on hover ("" when none)."""
    if not error:
        return ""
    text = error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…"
    # A provider's error may hold a long unbroken word (a URL): break it anywhere.
    return format_html('<span title="{}" style="overflow-wrap:anywhere">{}</span>', error, text)


def statuses_text(statuses) -> str:
    """ "pending or waiting to retry": a list of statuses read as one ("pending, waiting to
    retry months" read as two kinds of thing)."""
    labels = [str(Status(status).label).lower() for status in statuses]
    return get_text_list(labels, gettext("or"))


def waiting_words(month: BackfillMonth, *, next_run, now, worker_running: bool) -> WaitingWords:
    """How a month waiting for the scheduler (pending, or back to retry) waits and until when:
    the scheduler's next run (`next_run`: its schedule's), due or overdue on the database's
    clock (`now`), or why no run will come; briefly for the list (`short`), in a sentence for
    its page and the list's tooltip (`full`); "" both of a month that does not wait."""
    if month.status not in backfill_months.CLAIMABLE:
        return WaitingWords("", "")
    if backfill_months.month_in_future(month, now=now):
        begins = gettext("Waits until %(month)s begins") % {"month": month}
        return WaitingWords(begins, begins)
    if not worker_running:
        return WaitingWords(
            gettext("Waits: no worker running"),
            gettext(
                "Waits, but no worker is running to take it (start one with manage.py qcluster)"
            ),
        )
    if next_run is None:
        return WaitingWords(
            gettext("Waits: no schedule"),
            gettext(
                "Waits, but the backfill's schedule is missing: no run will take it "
                "(manage.py backfill --now processes it)"
            ),
        )
    shown = display_for_value(next_run, "–")  # the admin's format, the site's time zone
    state = due_state(next_run, now=now)
    if state == Due.OVERDUE:
        return WaitingWords(
            gettext("Waits: scheduler overdue"),
            gettext("Waits for the scheduler, whose run is overdue since %(time)s")
            % {"time": shown},
        )
    if state == Due.DUE:
        return WaitingWords(
            gettext("Waits: next run now"),
            gettext("Waits for the scheduler, whose run is due now"),
        )
    return WaitingWords(
        gettext("Waits: next run %(time)s") % {"time": time_short(next_run, now=now)},
        gettext("Waits for the scheduler's next run, at %(time)s") % {"time": shown},
    )


def sources_table(month):
    """A month's discovery sources, in BACKFILL_SOURCES' order: books named, requests, error."""
    rows = [
        (
            calls_label(name),
            f"{(report or {}).get('books', 0):,}",
            f"{(report or {}).get('calls', 0):,}",
            (report or {}).get("error") or "–",
        )
        for name, report in sorted((month.sources or {}).items(), key=_in_settings_order)
    ]
    if not rows:
        return gettext("Not asked yet.")
    return format_html(
        '<table class="backfill-sources"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
        gettext("Source"),
        gettext("Books named"),
        gettext("Requests"),
        gettext("Error"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


def earlier_runs_table(month):
    """The runs a person replaced by running the month again, newest first: each one's
    outcome and figures as they stood, and when and by whom it was run again."""
    runs = list(reversed(month.earlier_runs or []))
    if not runs:
        return gettext("None: this is the month's first run.")
    rows = [
        (
            format_html(
                "{}<br>{}",
                _recorded_time(run.get("started_at"), "–"),
                _recorded_time(run.get("completed_at"), "–"),
            ),
            _recorded_status(run.get("status")),
            discovered_with_duplicates(
                run.get("books_discovered") or 0, run.get("duplicates_dropped") or 0
            ),
            resolved_with_synthetic(
                run.get("isbns_resolved") or 0,
                run.get("resolution_rate"),
                run.get("synthetic_works") or 0,
            ),
            f"{run.get('queued_for_enrichment') or 0:,}",
            calls_text(run.get("provider_calls"), status=run.get("status") or ""),
            error_short(run.get("error") or "") or "–",
            format_html(
                "{}<br>{}",
                _recorded_time(run.get("run_again_at"), "–"),
                run.get("run_again_by") or "–",
            ),
        )
        for run in runs
    ]
    headers = [
        gettext("Started, then completed"),
        gettext("Status"),
        gettext("Discovered"),
        gettext("Resolved"),
        gettext("Queued"),
        gettext("Provider calls"),
        gettext("Error"),
        gettext("Run again, by"),
    ]
    return format_html(
        '<table class="backfill-earlier-runs"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        format_html_join("", "<th>{}</th>", ((header,) for header in headers)),
        format_html_join("", "<tr>" + "<td>{}</td>" * len(headers) + "</tr>", rows),
    )


def _recorded_time(value: str | None, empty: str):
    """A time `earlier_runs` keeps as ISO text, as the admin writes times."""
    return display_for_value(parse_datetime(value) if value else None, empty)


def _recorded_status(value: str | None):
    try:
        status = Status(value or "")
    except ValueError:
        return value or "–"
    return badge(status.label, STATUS_COLOURS.get(status, "#777"))
