"""`{% providers_notice %}`: the warning box the dashboard and the admin index show when
providers cannot be reached (enrichment.provider_figures.providers_reachability), in plain words."""

from django import template
from django.contrib.admin.utils import display_for_value

from enrichment import provider_figures
from enrichment.heartbeats import no_worker_running

register = template.Library()


@register.inclusion_tag("admin/enrichment/includes/providers_notice.html")
def providers_notice(reachability: provider_figures.ProvidersReachability | None = None) -> dict:
    """The notice for `reachability` (the dashboard's figures have it), else asked now."""
    reachability = reachability or provider_figures.providers_reachability()
    next_try = reachability.next_try_at
    return {
        "reachability": reachability,
        "providers": [
            {
                "label": p.label,
                "host": p.host,
                "kind": p.kind_label,
                "since": display_for_value(p.since, ""),  # the admin's format, the site's time zone
                "breaker_open": p.breaker_open,
                "fault": p.fault,
            }
            for p in reachability.unreachable
        ],
        "next_try": display_for_value(next_try, ""),
        # Offline after `enrich_missing --now`: nobody tries the books again until one runs.
        "no_worker": bool(reachability.unreachable) and no_worker_running(),
    }
