"""What people do to backfill months from the admin: "Add months" (a range), and the list's
actions Queue now / Retry / Cancel / Run again, each asked first on the actions' confirmation page
and checked again on the server (BackfillMonthAdmin mixes them in)."""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookstore import task_queue
from enrichment.admin.actions import action_confirmation, action_confirmed, action_selection
from enrichment.admin.backfill_cells import statuses_text
from enrichment.admin.base import _ModelAdminBase
from enrichment.backfill import months as backfill_months

RUN_PERMISSION = "enrichment.run_backfill"
RERUN_PERMISSION = "enrichment.rerun_backfill"


class MonthRangeForm(forms.Form):
    start = forms.CharField(label=_("From"), max_length=7, help_text=_("YYYY-MM, e.g. 2024-01"))
    end = forms.CharField(label=_("To"), max_length=7, help_text=_("YYYY-MM, included"))

    def _month(self, name):
        try:
            return backfill_months.parse_month(self.cleaned_data[name])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def clean(self):
        cleaned = super().clean() or {}
        if "start" in cleaned and "end" in cleaned:
            try:
                backfill_months.month_range(cleaned["start"], cleaned["end"])
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


class BackfillMonthActions(_ModelAdminBase):
    """Add months and the list's actions, for BackfillMonthAdmin."""

    def has_run_backfill_permission(self, request):
        return request.user.has_perm(RUN_PERMISSION)

    def has_rerun_backfill_permission(self, request):
        return request.user.has_perm(RERUN_PERMISSION)

    # --- Add months -----

    def get_urls(self):
        return [
            path(
                "add-months/",
                self.admin_site.admin_view(self.add_months_view),
                name="enrichment_backfillmonth_add_months",
            ),
            *super().get_urls(),
        ]

    def add_months_view(self, request):
        if not self.has_run_backfill_permission(request):
            raise PermissionDenied
        form = MonthRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = backfill_months.backfill_months_create(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                requested_by=request.user,
            )
            self.message_user(
                request,
                gettext("%(created)s months created, %(existing)s existed already.")
                % {"created": f"{created.created:,}", "existing": f"{created.existing:,}"},
                messages.SUCCESS if created.created else messages.WARNING,
            )
            return redirect("admin:enrichment_backfillmonth_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add backfill months"),
            "opts": self.model._meta,
            "form": form,
            "max_months": backfill_months.MAX_MONTHS_PER_RANGE,
        }
        return TemplateResponse(request, "admin/enrichment/backfillmonth/add_months.html", context)

    # --- Actions -----

    def _act(
        self,
        request,
        queryset,
        *,
        allowed,
        service,
        done: str,
        rule: str,
        confirm: tuple,
        waits_until_begun: bool = False,
    ):
        """Ask first (the list actions' confirmation page), then run `service` on the chosen
        months and say how many changed, and how many were skipped and why (their status, not
        begun yet when `waits_until_begun`, or taken by a worker meanwhile)."""
        if not action_confirmed(request):
            statement, yes_label, kind_label = confirm
            count = queryset.count()
            selection = action_selection(self, request, count, gettext("months"))
            # None of them in a status it changes: a "Yes" would change nothing, none is offered.
            nothing_to_do = not queryset.filter(status__in=allowed).exists()
            if nothing_to_do:
                statement = gettext(
                    "Nothing would change for %(selection)s: only %(statuses)s months change."
                ) % {"selection": selection, "statuses": statuses_text(allowed)}
            else:
                statement = gettext(
                    "%(statement)s Only %(statuses)s months change; the others are "
                    "left as they are."
                ) % {
                    "statement": statement % {"selection": selection},
                    "statuses": statuses_text(allowed),
                }
            return action_confirmation(
                self,
                request,
                count=count,
                statement=statement,
                yes_label=yes_label,
                kind_label=kind_label,
                examples=[
                    gettext("%(month)s (%(status)s)")
                    % {"month": month, "status": month.get_status_display().lower()}
                    for month in queryset.order_by("-year", "-month")[:10]
                ],
                nothing_to_do=nothing_to_do,
            )
        before = Counter(queryset.values_list("status", flat=True))
        not_begun = (
            queryset.filter(status__in=allowed).filter(backfill_months.months_not_begun_q()).count()
            if waits_until_begun
            else 0
        )
        changed = service(months=queryset, user=request.user)
        by_status = {status: n for status, n in before.items() if status not in allowed}
        meanwhile = sum(before.values()) - changed - sum(by_status.values()) - not_begun
        text = ngettext("%(count)s month %(done)s.", "%(count)s months %(done)s.", changed) % {
            "count": f"{changed:,}",
            "done": done,
        }
        reasons = backfill_months.statuses_counted(by_status)
        if not_begun:
            reasons.append(gettext("not begun yet %(n)s") % {"n": f"{not_begun:,}"})
        if meanwhile > 0:
            reasons.append(gettext("taken or changed meanwhile %(n)s") % {"n": meanwhile})
        skipped = sum(by_status.values()) + not_begun + max(meanwhile, 0)
        if skipped:
            text += " " + gettext("%(count)s skipped (%(reasons)s): %(rule)s.") % {
                "count": f"{skipped:,}",
                "reasons": ", ".join(reasons),
                "rule": rule,
            }
        self.message_user(request, text, messages.SUCCESS if changed else messages.WARNING)
        return None

    @admin.action(description=_("Queue the selected months now"), permissions=["run_backfill"])
    def queue_now(self, request, queryset):
        try:
            return self._queue_now(request, queryset)
        except task_queue.QueueUnreachable as unreachable:  # what it says of the months
            self.message_user(request, str(unreachable), messages.ERROR)
            return None

    def _queue_now(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.CLAIMABLE,
            service=backfill_months.backfill_months_queue_now,
            done=gettext("queued"),
            rule=gettext("only %(statuses)s months that have begun can be queued")
            % {"statuses": statuses_text(backfill_months.CLAIMABLE)},
            waits_until_begun=True,
            confirm=(
                gettext(
                    "You are about to hand %(selection)s to workers now, without waiting for "
                    "the scheduler."
                ),
                gettext("Yes, queue them now"),
                gettext("Queue now"),
            ),
        )

    @admin.action(description=_("Retry the selected months"), permissions=["run_backfill"])
    def retry_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.RETRYABLE,
            service=backfill_months.backfill_months_retry,
            done=gettext("put back to retry"),
            rule=gettext("only %(statuses)s months can be retried")
            % {"statuses": statuses_text(backfill_months.RETRYABLE)},
            confirm=(
                gettext(
                    "You are about to put %(selection)s back to retry: the scheduler processes "
                    "them again, and their errors are cleared. A partly failed month keeps its "
                    "run on its page (Earlier runs) and its figures start from zero."
                ),
                gettext("Yes, retry them"),
                gettext("Retry"),
            ),
        )

    @admin.action(
        description=_("Run the selected completed months again"), permissions=["rerun_backfill"]
    )
    def rerun_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.RERUNNABLE,
            service=lambda months, user: backfill_months.backfill_months_rerun(
                months=months, by=user.get_username()
            ),
            done=gettext("put back to run again"),
            rule=gettext("only %(statuses)s months can run again")
            % {"statuses": statuses_text(backfill_months.RERUNNABLE)},
            confirm=(
                gettext(
                    "You are about to run %(selection)s again from the start: the scheduler "
                    "asks their sources and providers again (spending their requests). Each "
                    "month keeps its earlier run on its page, and its figures start from zero; "
                    "the works the earlier run added are found again and counted as "
                    "duplicates, never copied, and its synthetic works are asked about again."
                ),
                gettext("Yes, run them again"),
                gettext("Run again"),
            ),
        )

    @admin.action(description=_("Cancel the selected months"), permissions=["run_backfill"])
    def cancel_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.CANCELLABLE,
            service=backfill_months.backfill_months_cancel,
            done=gettext("cancelled"),
            rule=gettext("only %(statuses)s months can be cancelled")
            % {"statuses": statuses_text(backfill_months.CANCELLABLE)},
            confirm=(
                gettext(
                    "You are about to cancel %(selection)s: a month being processed stops at its "
                    "next step."
                ),
                gettext("Yes, cancel them"),
                gettext("Cancel"),
            ),
        )
