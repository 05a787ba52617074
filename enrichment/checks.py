"""Startup checks of enrichment settings whose mistakes would only show up under load."""

from django.core.checks import Error, register


@register()
def cover_download_fits_a_task(app_configs, **kwargs):
    """A cover task must end well inside Q_TIMEOUT even when its one cover hits the deadline,
    or django-q2 kills it and the cover is tried again until it is given up."""
    from enrichment import cover_apply

    seconds, budget = cover_apply.cover_seconds(), cover_apply.cover_task_budget()
    if seconds <= budget:
        return []
    return [
        Error(
            f"A cover download may take {seconds:g} s (COVER_CONNECT_TIMEOUT + "
            f"COVER_READ_TIMEOUT + {cover_apply.COVER_APPLY_SECONDS:g} s to apply), more than "
            f"the {budget:g} s a cover task may use (half of Q_TIMEOUT).",
            hint="Lower COVER_CONNECT_TIMEOUT / COVER_READ_TIMEOUT or raise Q_TIMEOUT.",
            id="enrichment.E001",
        )
    ]
