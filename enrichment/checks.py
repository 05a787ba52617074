"""Startup checks of enrichment settings whose mistakes would only show up under load."""

import dataclasses
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from enrichment.covers import hosts
from enrichment.faults import strip_url_queries


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


@register()
def providers_are_known_and_limited(app_configs, **kwargs):
    """Every name in ENRICHMENT_PROVIDERS is a provider the project knows, and the settings its
    class names exist with usable values: a misspelt name would otherwise be skipped at run
    time, and a zero rate would send requests without any limit."""
    from enrichment.providers import registry

    errors = []
    for name in settings.ENRICHMENT_PROVIDERS:
        if name not in registry.PROVIDER_CLASSES:
            errors.append(
                Error(
                    f"Unknown enrichment provider {name!r} in ENRICHMENT_PROVIDERS.",
                    hint="Known providers: " + ", ".join(registry.PROVIDER_CLASSES) + ".",
                    id="enrichment.E002",
                )
            )
            continue
        cls = registry.provider_class(name)
        if cls is not None:
            errors += _setting_errors(name, cls.setting_names)
    return errors


def _setting_errors(name: str, names) -> list[Error]:
    errors = []
    for role in dataclasses.fields(names):
        setting = getattr(names, role.name)
        if setting and not hasattr(settings, setting):
            errors.append(
                Error(f"Provider {name!r} reads {setting}, which is not set.", id="enrichment.E003")
            )
    rate = getattr(settings, names.rate, None) if names.rate else None
    if rate is not None and not rate > 0:
        errors.append(
            Error(
                f"{names.rate} is {rate!r}: provider {name!r} needs a rate above 0 requests "
                "per second.",
                hint=f"Set {names.rate}, or remove {name!r} from ENRICHMENT_PROVIDERS.",
                id="enrichment.E004",
            )
        )
    for setting in (names.daily_budget, names.max_in_flight, names.batch_size):
        value = getattr(settings, setting, None) if setting else None
        if value is not None and value < 0:
            errors.append(
                Error(
                    f"{setting} is {value!r}: it must be 0 (unlimited) or more.",
                    id="enrichment.E005",
                )
            )
    for setting in (names.url, names.covers_url):
        value = getattr(settings, setting, None) if setting else None
        if value is not None and _is_web_url(value) and hosts.carries_login(value):
            errors.append(_login_error(setting, strip_url_queries(value)))
        if value is not None and not _is_web_url(value):
            default = getattr(settings, "PROVIDER_URL_DEFAULTS", {}).get(setting)
            errors.append(
                Error(
                    f"{setting} is {value!r}: provider {name!r} needs an http:// or https:// "
                    "URL with a host.",
                    hint=f"The public address is {default}." if default else None,
                    id="enrichment.E006",
                )
            )
    return errors


@register()
def cover_hosts_name_no_login(app_configs, **kwargs):
    """No COVER_ALLOWED_HOSTS entry names a login (the provider URLs: _setting_errors)."""
    entries = getattr(settings, "COVER_ALLOWED_HOSTS", []) or []
    return [
        _login_error("COVER_ALLOWED_HOSTS", strip_url_queries(entry.rpartition("@")[2]))
        for entry in entries
        if isinstance(entry, str) and hosts.carries_login(entry.strip())
    ]


def _login_error(setting: str, shown: str) -> Error:
    """A URL setting with user:password@ (`shown` without it): the URLs built from it (covers,
    record pages) are stored with every proposal and shown to reviewers and API clients, so a
    login would be copied into all of it; a cover URL with one is refused (bad_url)."""
    return Error(
        f"{setting} ({shown}) carries a login (user:password@): the cover and record URLs built "
        "from it are stored with every proposal and shown to reviewers, and a cover URL with a "
        "login is refused (bad_url), so no cover would ever come from it.",
        hint="Let the mirror admit this server without a login (by its address), or name a "
        "proxy on your own network that adds the login (an operator's host may use plain http "
        "and a private address).",
        id="enrichment.E007",
    )


def _is_web_url(value) -> bool:
    """An absolute http(s) URL with a host: anything else fails every request at run time
    (a missing scheme, a typo such as `htps://`, a port that is not a number)."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
