"""The ballot in the admin: start an allocation run, watch it, read its report, publish it once.

A background worker runs the allocation; the run's page shows its progress and
reloads itself until it ends. Starting, cancelling and publishing need change
permission on allocation runs; reading a run needs view permission.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from outbox.admin import warn_about_waiting_email
from registration.admin.protected import ProtectsFields
from registration.models import Event
from socex.admin_messages import counted, report_counts
from worker.heartbeat import alive_workers
from workshops.models import AllocationRun
from workshops.services.ballot import BallotError, publish_allocation
from workshops.services.ballot_report import (
    METHODS,
    describe_run,
    explain_comparison,
    people_in_report,
    preview_delegates,
    preview_rows,
    preview_slots,
    report_rows,
)
from workshops.services.ballot_runs import cancel_allocation, start_allocation

PREVIEW_PAGE_SIZE = 50
CONTACT_PERMISSION = "registration.view_contact_details"


class RunAllocationForm(forms.Form):
    event = forms.ModelChoiceField(
        queryset=Event.objects.filter(booking_mode=Event.BookingMode.BALLOT)
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        help_text="Settles equal claims by lottery. The same rankings and seed give the "
        "same allocation; a different seed may break ties differently.",
    )
    time_limit = forms.FloatField(
        min_value=0.1,
        initial=10,
        label="Time limit (minutes)",
        help_text="The solver stops by then and reports how good its allocation is proven to "
        "be; it usually proves the best allocation long before. A background worker runs it: "
        "you can leave the page and come back.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = settings.BALLOT_TIME_LIMIT_MAX_MINUTES
        field = self.fields["time_limit"]
        field.max_value = most
        field.validators.append(MaxValueValidator(most))
        field.widget.attrs.update(max=most, step="any")
        field.help_text += f" At most {most} minutes."


class PreviewSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Find a delegate")
    only = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "Everyone in the ballot"), ("incomplete", "Only those left without seats")],
    )


@admin.register(AllocationRun)
class AllocationRunAdmin(ProtectsFields, admin.ModelAdmin):
    list_display = [
        "__str__",
        "event",
        "state",
        "created_at",
        "created_by",
        "completed",
        "solve_seconds",
        "published_at",
        "report_link",
    ]
    list_filter = ["event", "state"]
    list_select_related = ["event", "created_by"]
    change_list_template = "admin/workshops/allocationrun/change_list.html"

    def has_add_permission(self, request):
        return False  # runs are made by “Run allocation”, never typed in

    def has_delete_permission(self, request, obj=None):
        # A published run is the record of how seats were given out.
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="workshops_allocationrun_run",
            ),
            path(
                "<id:run_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="workshops_allocationrun_report",
            ),
            path(
                "<id:run_id>/allocation/",
                self.admin_site.admin_view(self.allocation_view),
                name="workshops_allocationrun_allocation",
            ),
            path(
                "<id:run_id>/cancel/",
                self.admin_site.admin_view(require_POST(self.cancel_view)),
                name="workshops_allocationrun_cancel",
            ),
            path(
                "<id:run_id>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="workshops_allocationrun_publish",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_run": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A run is a record: its page is the report. `object_id` is whatever the address
        # held (the admin sends any unmatched path here), so look the run up first.
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404("No such allocation run.")
        return redirect("admin:workshops_allocationrun_report", run.pk)

    @admin.display(description="given all seats")
    def completed(self, run):
        if not run.is_finished:
            return "-"
        methods = run.report.get("methods") or [{}]
        return f"{methods[0].get('completed', 0)} of {run.report.get('delegates', 0)}"

    @admin.display(description="report")
    def report_link(self, run):
        url = reverse("admin:workshops_allocationrun_report", args=[run.pk])
        return format_html('<a href="{}">Report</a>', url)

    def run_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        current = Event.objects.current()
        form = RunAllocationForm(
            request.POST or None,
            initial={"event": current if current and current.is_ballot else None},
        )
        if request.method == "POST" and form.is_valid():
            try:
                run = start_allocation(
                    event=form.cleaned_data["event"],
                    seed=form.cleaned_data["seed"],
                    actor=request.user,
                    time_limit_seconds=max(round(form.cleaned_data["time_limit"] * 60), 1),
                )
            except BallotError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    "Allocation started: a background worker runs it, and this page shows how "
                    "it is going. You can leave and come back (Ballot allocation runs). Nothing "
                    "is booked until you publish.",
                    messages.SUCCESS,
                )
                if not alive_workers().exists():
                    self.message_user(
                        request,
                        "No background worker has been heard from in the last minute, so the "
                        "run waits until one starts (manage.py run_worker --queue-name=long).",
                        messages.WARNING,
                    )
                return redirect("admin:workshops_allocationrun_report", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Run the ballot allocation",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/allocation_run.html", context)

    def report_view(self, request, run_id):
        run = get_object_or_404(
            AllocationRun.objects.select_related("event", "created_by", "published_by"), pk=run_id
        )
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        if not run.is_finished:
            return self.progress_view(request, run)
        report = run.report
        context = {
            **self.admin_site.each_context(request),
            "title": f"{run}: report",
            "run": run,
            "report": report,
            "people": people_in_report(report=report),
            "method_labels": [label for _, label in METHODS],
            "rows": report_rows(report=report),
            "notes": explain_comparison(report=report),
            "solution": describe_run(run=run),
            "can_publish": run.published_at is None
            and run.event.is_ballot
            and self.has_change_permission(request, run),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/allocation_report.html", context)

    def progress_view(self, request, run):
        """A run not finished: its state and progress; reloads itself while it is active."""
        progress = run.progress or {}
        elapsed = run.elapsed_seconds()
        context = {
            **self.admin_site.each_context(request),
            "title": f"{run}: {run.get_state_display().lower()}",
            "run": run,
            "progress": progress,
            "gap": None if progress.get("gap") is None else f"{progress['gap']:.2%}",
            "elapsed": elapsed,
            "elapsed_share": min(elapsed or 0, run.time_limit_seconds),
            "refresh_seconds": 2 if run.is_active else None,
            "can_cancel": run.is_active
            and run.cancel_requested_at is None
            and self.has_change_permission(request, run),
            "workers_alive": alive_workers().exists(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/allocation_progress.html", context)

    def cancel_view(self, request, run_id):
        run = get_object_or_404(AllocationRun, pk=run_id)
        if not self.has_change_permission(request, run):
            raise PermissionDenied
        try:
            at_once = cancel_allocation(run=run)
        except BallotError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                f"{run} cancelled."
                if at_once
                else f"Cancelling {run}: its worker stops at the solver's next progress report.",
                messages.SUCCESS,
            )
        return redirect("admin:workshops_allocationrun_report", run.pk)

    def allocation_view(self, request, run_id):
        """Who gets what from a run, delegate by delegate, before (or after) it is published.

        For those who may read ballot runs; names come from the delegates (the
        report keeps ids only), email addresses only for those who may read them.
        """
        run = get_object_or_404(AllocationRun.objects.select_related("event"), pk=run_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        if not run.is_finished:
            return redirect("admin:workshops_allocationrun_report", run.pk)
        form = PreviewSearchForm(request.GET)
        search, only_incomplete = "", False
        if form.is_valid():
            search = form.cleaned_data["q"]
            only_incomplete = form.cleaned_data["only"] == "incomplete"
        show_email = request.user.has_perm(CONTACT_PERMISSION)
        delegates = preview_delegates(
            run=run, search=search, only_incomplete=only_incomplete, search_email=show_email
        )
        page = Paginator(delegates, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{run}: who gets what",
            # The timetables get the whole width.
            "is_nav_sidebar_enabled": False,
            "run": run,
            "form": form,
            "page": page,
            "rows": preview_rows(run=run, delegates=list(page)),
            "slots": preview_slots(run=run),
            "k": run.report.get("k", 0),
            "show_email": show_email,
            "query": query.urlencode(),
            "searching": bool(search or only_incomplete),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/allocation_preview.html", context)

    def publish_view(self, request, run_id):
        run = get_object_or_404(AllocationRun, pk=run_id)
        if not self.has_change_permission(request, run):
            raise PermissionDenied
        try:
            booked = publish_allocation(run=run, actor=request.user)
        except BallotError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            report_counts(
                self,
                request,
                counted(
                    booked,
                    "Published: %(count)d delegate was booked and emailed their timetable.",
                    "Published: %(count)d delegates were booked and emailed their timetable.",
                ),
                "Every day-two delegate it left short was emailed what happened and what they "
                "can do. The event now takes bookings live.",
            )
            warn_about_waiting_email(admin=self, request=request)
        return redirect("admin:workshops_allocationrun_report", run.pk)
