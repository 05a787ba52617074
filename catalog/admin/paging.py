"""Paging a list of a big table without counting it: Django's changelist counts every row it
could list (a COUNT(*) of 1,000,000 works costs PostgreSQL 30–100 ms, more than the rest of the
page). Two ways, each said on the page: PostgreSQL's own estimate of an unfiltered table's rows
(EstimatedCountPaginator, which also runs a search once for its count and pages), or a count
that stops past the page shown (DeferredJoinPaginator, "more than N")."""

from typing import cast

from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: Below this many rows (by the planner's estimate) a table is counted exactly.
ESTIMATE_FROM = 100_000


def table_rows_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of the table `queryset` lists every row of (no filter,
    no join that repeats rows), from its statistics (pg_class.reltuples, kept by autovacuum and
    ANALYZE); None on SQLite, for a filtered queryset, or for a table smaller than
    ESTIMATE_FROM, which are counted."""
    query = queryset.query
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    estimate = row[0] if row else None
    return estimate if estimate is not None and estimate >= ESTIMATE_FROM else None


def page_bounds(paginator: Paginator, number: int) -> tuple[int, int]:
    """The slice of the list page `number` shows (Django's Paginator.page: the last page takes
    its orphans)."""
    bottom = (number - 1) * paginator.per_page
    top = bottom + paginator.per_page
    return bottom, paginator.count if top + paginator.orphans >= paginator.count else top


def rows_in_order(source: QuerySet, ids: list) -> list:
    """The rows of `source` with these ids, in their order: a page's wide rows fetched by id
    (their filters and order were answered by the narrow query that found the ids)."""
    rows = {row.pk: row for row in source.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


#: A search's ids are read once, in list order, up to this many: they give the count and every
#: page. Past it the count line says "more than" and the first ones are paged (a broad search is
#: narrowed, not paged through).
SEARCH_IDS_MAX = 1_000
#: The same for a filter that probes each row it passes (the works list's author filters): its
#: ids cost a few probes each, and a filter that keeps one work in seven reads 7 rows an id.
PROBED_IDS_MAX = 500


class ListedIdsPaging:
    """What a paginator does once it has read a list's ids in list order, up to a limit: the
    count (`count_capped` when there were more: the page says "more than"), every page (its
    rows fetched by id), and the rows of a list that fits one page (SearchedOnceChangeList)."""

    listed_ids: list | None = None
    count_capped = False

    def count_listed_ids(self, listed: QuerySet, most: int) -> int:
        ids = list(listed.values_list("pk", flat=True)[: most + 1])
        self.count_capped = len(ids) > most
        self.listed_ids = ids[:most]
        return len(self.listed_ids)

    def page_of_ids(self, number: int, ids: list, source: QuerySet):
        return self._get_page(rows_in_order(source, ids), number, self)  # type: ignore[attr-defined]  # Django's Paginator's, not in the stubs

    def first_page_rows(self) -> list | None:
        """The rows of a list that fits one page, from the ids read for the count (None when
        they were not read): Django would run the list's query again for them."""
        if self.listed_ids is None:
            return None
        return list(self.page(1).object_list)  # type: ignore[attr-defined]


class EstimatedCountPaginator(ListedIdsPaging, Paginator):
    """A list's pages, counted by table_rows_estimate when it lists a whole big table
    (`count_estimated` then says so, for the count line), else exactly.

    With `ids_first` (a search: its index lookup costs more than the rest of the page, and
    Django runs it twice, for the count and for the page) the matches' ids are read once, in
    list order, up to SEARCH_IDS_MAX (PROBED_IDS_MAX for a `probed` filter; `count_capped` says
    there are more); the page's rows are
    then fetched by id from `rows` (the admin's queryset without the search)."""

    count_estimated = False

    def __init__(self, *args, rows=None, ids_first=False, probed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.ids_first = ids_first and rows is not None
        self.probed = probed  # the ids are a probing filter's: PROBED_IDS_MAX of them

    @cached_property
    def count(self) -> int:
        listed = cast(QuerySet, self.object_list)
        estimate = table_rows_estimate(listed)
        if estimate is not None:
            self.count_estimated = True
            return estimate
        if self.ids_first:
            return self.count_listed_ids(listed, PROBED_IDS_MAX if self.probed else SEARCH_IDS_MAX)
        return listed.count()

    def page(self, number):
        number = self.validate_number(number)  # counts first: listed_ids is known after
        if self.listed_ids is None:
            return super().page(number)
        bottom, top = page_bounds(self, number)
        return self.page_of_ids(number, self.listed_ids[bottom:top], cast(QuerySet, self.rows))


#: A capped list counts this many rows past the start of the page it shows, at most.
COUNT_CAP = 10_000


class DeferredJoinPaginator(ListedIdsPaging, Paginator):
    """Pages of a big table with wide rows (JSON): first the page's ids in list order, a narrow
    query that an index covers, then only those rows with their joins (`rows`: the admin's
    queryset with its joins and prefetches, without the list's filters, which the ids already
    answer). Sorting or skipping 100,000 full rows to keep 50 costs ten times more.

    The rows are counted up to `count_from` + `count_cap` (`count_from`: where the page asked
    for starts, so any page can be reached; a cap below a page's rows shortens the page);
    `count_capped` says there are more, and the page must say "more than `count`", never give
    it as the total. With `ids_first` the count is the length of the ids read in list order up
    to that limit, which then give every page: one query where a filter or a search costs
    more than reading those ids (the queue's pages, where each counted row is a probe anyway)."""

    def __init__(
        self, *args, rows=None, count_from=0, count_cap=COUNT_CAP, ids_first=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.count_limit = max(count_from, 0) + count_cap
        self.ids_first = ids_first

    @cached_property
    def count(self) -> int:
        listed = cast(QuerySet, self.object_list)
        if self.ids_first:
            return self.count_listed_ids(listed, self.count_limit)
        counted = listed.order_by()[: self.count_limit + 1].count()
        self.count_capped = counted > self.count_limit
        return min(counted, self.count_limit)

    def page(self, number):
        number = self.validate_number(number)  # counts first: listed_ids is known after
        bottom, top = page_bounds(self, number)
        listed = cast(QuerySet, self.object_list)  # always a queryset here
        if self.listed_ids is not None:
            ids = self.listed_ids[bottom:top]
        else:
            ids = list(listed.values_list("pk", flat=True)[bottom:top])
        return self.page_of_ids(number, ids, listed if self.rows is None else self.rows)


def requested_page_start(request, per_page: int) -> int:
    """The index of the first row of the page the request asks for (0 for a page number that
    is not one: Django's changelist then shows the first page or refuses it)."""
    try:
        number = int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        return 0
    return max(number - 1, 0) * per_page


class SearchedOnceChangeList(ChangeList):
    """A changelist whose query runs once when its paginator read the ids for the count
    (`ids_first`), also when they fit one page, where Django lists its queryset again."""

    def get_results(self, request):
        super().get_results(request)
        first_page_rows = getattr(self.paginator, "first_page_rows", None)
        if not self.multi_page and first_page_rows is not None:
            rows = first_page_rows()
            if rows is not None:
                self.result_list = rows
