"""`{% providers_notice %}`: the warning box the dashboard and the admin index show when
providers cannot be reached (enrichment.selectors.providers_reachability), in plain words."""

from django import template
from django.utils import timezone

from enrichment import selectors
from enrichment.waiting import clock_time

register = template.Library()


@register.inclusion_tag("admin/enrichment/includes/providers_notice.html")
def providers_notice(reachability: selectors.ProvidersReachability | None = None) -> dict:
    """The notice for `reachability` (the dashboard's figures have it), else asked now."""
    now = timezone.now()
    reachability = reachability or selectors.providers_reachability(now=now)
    next_try = reachability.next_try_at
    return {
        "reachability": reachability,
        "providers": [
            {
                "label": p.label,
                "host": p.host,
                "kind": p.kind_label,
                "since": clock_time(p.since, now=now) if p.since else "",
                "breaker_open": p.breaker_open,
                "fault": p.fault,
            }
            for p in reachability.unreachable
        ],
        "next_try": clock_time(next_try, now=now) if next_try else "",
    }
