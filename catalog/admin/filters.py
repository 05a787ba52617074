"""The works' and editions' list filters: has a cover, and the editions' languages and formats
(split from catalog.admin.works, as django.contrib.admin keeps its filters apart)."""

from typing import Any

from django.contrib import admin
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.models import Edition, Work


class HasCoverFilter(admin.SimpleListFilter):
    """Books by their cover as the dashboard counts them: a verified cover (its bytes checked),
    a cover never verified, or none (catalog.selectors' rule of a cover)."""

    title = _("cover")
    parameter_name = "has_cover"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Has a verified cover")),
            ("unverified", _("Has a cover not verified")),
            ("no", _("No cover")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("yes", "unverified", "no"):
            return queryset
        any_cover = self.has_cover_condition(queryset.model)
        verified = self.has_cover_condition(queryset.model, verified=True)
        if value == "yes":
            return queryset.filter(verified)
        if value == "unverified":
            return queryset.filter(any_cover).exclude(verified)
        return queryset.exclude(any_cover)

    @staticmethod
    def has_cover_condition(model, *, verified: bool = False):
        if model is Work:
            return selectors.works_with_cover_q(verified=verified)
        return selectors.editions_with_cover_q(verified=verified)


#: ISO 639-1 codes the catalog stores that Django's list of languages (LANG_INFO) has no name for.
EXTRA_LANGUAGE_NAMES = {"la": _("Latin"), "zh": _("Chinese")}


def language_name(code: str) -> str:
    """What a screen shows for an ISO 639 code: "ja" -> "Japanese" (Django's names, translated),
    "" -> "no language"; a code nobody names is shown as it is."""
    code = (code or "").strip().lower()
    if not code:
        return str(_("no language"))
    for candidate in dict.fromkeys((code, code.split("-")[0])):  # "en-us": English
        if candidate in EXTRA_LANGUAGE_NAMES:
            return str(EXTRA_LANGUAGE_NAMES[candidate])
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code


#: The choice, in the edition filters, of the books none of whose editions names a value.
NO_VALUE = "none"


class EditionFieldFilter(admin.SimpleListFilter):
    """Books by a field of their editions: each value by its name, and a choice for the books
    none of whose editions names one (never a blank option, and never none: the list showed
    such books, but no choice picked them). Works by subqueries (a join would list a work once
    per edition): a work with a paperback and an edition of no format is a paperback."""

    #: The Edition field, and what the choice of books naming none reads.
    field: str
    none_label: Any

    def named(self) -> list[tuple[str, str]]:
        """The values to choose from, (value, name), in the order shown."""
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [*self.named(), (NO_VALUE, self.none_label)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        naming = {self.field: "" if value == NO_VALUE else value}
        if queryset.model is Edition:
            return queryset.filter(**naming)
        if value == NO_VALUE:
            named = Edition.objects.exclude(**{self.field: ""})
            return queryset.exclude(pk__in=named.values("work_id"))
        return queryset.filter(pk__in=Edition.objects.filter(**naming).values("work_id"))


class LanguageFilter(EditionFieldFilter):
    """Books by the language of their editions, each language by its name."""

    title = _("language")
    parameter_name = "editions__language"  # the works list's (the editions list: "language")
    field = "language"
    none_label = _("no language")

    def named(self):
        return sorted(
            ((code, language_name(code)) for code in selectors.edition_languages()),
            key=lambda choice: choice[1].casefold(),
        )


class EditionLanguageFilter(LanguageFilter):
    parameter_name = "language"


class FormatFilter(EditionFieldFilter):
    """Books by the format of their editions, in the formats' order."""

    title = _("format")
    parameter_name = "editions__format"  # the works list's (the editions list: "format__exact")
    field = "format"
    none_label = _("no format")

    def named(self):
        return list(Edition.Format.choices)


class EditionFormatFilter(FormatFilter):
    parameter_name = "format__exact"
