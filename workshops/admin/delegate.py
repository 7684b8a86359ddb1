"""The delegate admin with seats: their workshops, the seat filters, bulk actions and history.

Extends `registration.admin.delegate.DelegateAdmin`; the queryset annotates
`choice_count` (seats held), which the filters and actions rely on.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from outbox.admin import warn_about_waiting_email
from outbox.services import sending_together
from registration.admin import delegate as registration_admin
from registration.models import Delegate, name_order
from registration.services.registration import (
    replace_checkin_reference,
    send_registration_email,
)
from socex.admin_messages import counted, report_counts
from workshops.admin.booking import BookingChangeInline
from workshops.exports.admin_actions import DelegateExportActions
from workshops.exports.downloads import BADGES, download, may_download
from workshops.forms.booking import ChooseWorkshopsForm
from workshops.models import Booking, Session
from workshops.services.booking import (
    BookingError,
    book_sessions,
    cancel_registration,
    release_bookings,
)
from workshops.services.notifications import (
    send_booking_confirmation,
    send_choices_reminder,
)


class ChoicesIncompleteFilter(admin.SimpleListFilter):
    """Registered day-two delegates holding fewer seats than their event requires."""

    title = "day-two choices"
    parameter_name = "choices"

    def lookups(self, request, model_admin):
        return [("incomplete", "Incomplete"), ("complete", "Complete")]

    def queryset(self, request, queryset):
        day_two = queryset.filter(status=Delegate.Status.REGISTERED, attends_day_two=True)
        if self.value() == "incomplete":
            return day_two.filter(choice_count__lt=F("event__choices_required"))
        if self.value() == "complete":
            return day_two.filter(choice_count__gte=F("event__choices_required"))
        return queryset


@admin.action(
    description="Remind the selected delegates to complete their workshop choices",
    permissions=["change"],
)
def send_choice_reminders(modeladmin, request, queryset):
    selected = queryset.count()
    delegates = (
        Delegate.objects.filter(
            pk__in=queryset.values("pk"),
            status=Delegate.Status.REGISTERED,
            attends_day_two=True,
        )
        .select_related("event")
        .annotate(held=Count("bookings"))
        .filter(held__lt=F("event__choices_required"))
    )
    # After changes close (the day before day two) a reminder asks for what they cannot do.
    now = timezone.now()
    delegates = list(delegates)
    able = [d for d in delegates if d.event.changes_are_open(now)]
    closed = len(delegates) - len(able)
    with transaction.atomic(), sending_together():
        for delegate in able:
            send_choices_reminder(delegate=delegate, held=delegate.held)
    reminded = len(able)
    report_counts(
        modeladmin,
        request,
        counted(
            reminded,
            "A reminder was queued to %(count)d delegate.",
            "A reminder was queued to %(count)d delegates.",
        ),
        counted(
            closed,
            "%(count)d delegate was skipped: changes to workshops have closed, so they can no "
            "longer choose online.",
            "%(count)d delegates were skipped: changes to workshops have closed, so they can no "
            "longer choose online.",
        )
        if closed
        else "",
        skipped=(
            selected - reminded - closed,
            "%(count)d delegate was skipped (choices complete, cancelled or day one only).",
            "%(count)d delegates were skipped (choices complete, cancelled or day one only).",
        ),
        level=messages.WARNING if closed and not reminded else messages.SUCCESS,
    )
    warn_about_waiting_email(admin=modeladmin, request=request)


@admin.action(description="Resend the confirmation email", permissions=["change"])
def resend_confirmations(modeladmin, request, queryset):
    """Booked delegates get their booking confirmation, others their registration email."""
    selected = queryset.count()
    delegates = (
        Delegate.objects.filter(pk__in=queryset.values("pk"), status=Delegate.Status.REGISTERED)
        .select_related("event", "agency")
        .annotate(held=Count("bookings"))
    )
    with transaction.atomic(), sending_together():
        sent = 0
        for delegate in delegates:
            if delegate.held:
                send_booking_confirmation(delegate=delegate)
            else:
                send_registration_email(delegate=delegate)
            sent += 1
    report_counts(
        modeladmin,
        request,
        counted(
            sent,
            "%(count)d confirmation email was queued.",
            "%(count)d confirmation emails were queued.",
        ),
        skipped=(
            selected - sent,
            "%(count)d was skipped (not registered: cancelled, erased or awaiting approval).",
            "%(count)d were skipped (not registered: cancelled, erased or awaiting approval).",
        ),
    )
    warn_about_waiting_email(admin=modeladmin, request=request)


# Registration registered its own DelegateAdmin; this one adds the delegate's seats to it.
admin.site.unregister(Delegate)


@admin.register(Delegate)
class DelegateAdmin(DelegateExportActions, registration_admin.DelegateAdmin):
    """The registration app's delegate admin, with seats: the page shows and edits workshops."""

    list_display = [*registration_admin.DelegateAdmin.list_display[:-1], "choices", "status"]
    list_filter = [
        *registration_admin.DelegateAdmin.list_filter[:3],
        ChoicesIncompleteFilter,
        *registration_admin.DelegateAdmin.list_filter[3:],
    ]
    readonly_fields = ["workshops", "badge", *registration_admin.DelegateAdmin.readonly_fields]
    actions = [
        "cancel_registrations",
        *registration_admin.DelegateAdmin.actions,
        send_choice_reminders,
        resend_confirmations,
    ]
    extra_fields = ["workshops", "badge"]
    inlines = [registration_admin.DetailChangeInline, BookingChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(choice_count=Count("bookings"))

    def get_urls(self):
        return [
            path(
                "<id:delegate_id>/workshops/",
                self.admin_site.admin_view(self.change_workshops),
                name="registration_delegate_workshops",
            ),
            path(
                "<id:delegate_id>/badge.pdf",
                self.admin_site.admin_view(self.print_badge),
                name="registration_delegate_badge",
            ),
            path(
                "<id:delegate_id>/replace-badge/",
                self.admin_site.admin_view(self.replace_badge),
                name="registration_delegate_replace_badge",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="badge")
    def badge(self, delegate):
        if delegate.pk is None:
            return "Save the delegate first."
        return format_html(
            '<a class="button" href="{}" download>Print their badge (PDF)</a> '
            '<a class="button" href="{}">A lost badge: replace it…</a>',
            reverse("admin:registration_delegate_badge", args=[delegate.pk]),
            reverse("admin:registration_delegate_replace_badge", args=[delegate.pk]),
        )

    def print_badge(self, request, delegate_id):
        """One badge from the desk, for a walk-in or a lost badge (checked and recorded)."""
        delegate = get_object_or_404(Delegate, pk=delegate_id)
        return download(
            export=BADGES,
            file_format="pdf",
            user=request.user,
            delegates=Delegate.objects.filter(pk=delegate.pk),
            subject=str(delegate),
        )

    def replace_badge(self, request, delegate_id):
        """GET asks; POST gives the delegate a new check-in reference and prints the new badge."""
        delegate = get_object_or_404(Delegate, pk=delegate_id)
        if not (
            self.has_change_permission(request, delegate)
            and may_download(user=request.user, export=BADGES)
        ):
            raise PermissionDenied
        if request.method == "POST":
            # Then a page that says so and offers the new badge: pressing again, or
            # reloading, must not silently void the badge just printed.
            replace_checkin_reference(delegate=delegate)
            url = reverse("admin:registration_delegate_replace_badge", args=[delegate.pk])
            return redirect(f"{url}?replaced=1")
        replaced = request.GET.get("replaced") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": f"{delegate}'s badge is replaced"
            if replaced
            else f"Replace {delegate}'s badge?",
            "delegate": delegate,
            "replaced": replaced,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/replace_badge.html", context)

    @admin.display(description="choices", ordering="choice_count")
    def choices(self, delegate):
        return delegate.choice_count

    @admin.display(description="workshops")
    def workshops(self, delegate):
        if delegate.pk is None:
            return "Save the delegate first."
        bookings = delegate.bookings.select_related(
            "session__workshop", "session__room", "time_slot"
        )
        rows = format_html_join(
            "",
            "<li>{} {}: {} ({})</li>",
            (
                (b.time_slot.name, b.time_slot.times, b.session.workshop.title, b.session.room.name)
                for b in bookings
            ),
        )
        url = reverse("admin:registration_delegate_workshops", args=[delegate.pk])
        return format_html(
            '<ul>{}</ul><a class="button" href="{}">Change workshops</a>', rows or "", url
        )

    def change_workshops(self, request, delegate_id):
        delegate = get_object_or_404(Delegate.objects.select_related("event"), pk=delegate_id)
        if not self.has_change_permission(request, delegate):
            return redirect("admin:registration_delegate_change", delegate.pk)
        held_ids = set(delegate.bookings.values_list("session_id", flat=True))
        sessions = Session.objects.on_offer(delegate.event)
        form = ChooseWorkshopsForm(
            request.POST if request.method == "POST" else None,
            event=delegate.event,
            sessions=sessions,
            held_ids=held_ids,
        )
        if request.method == "POST" and form.is_valid():
            try:
                book_sessions(delegate=delegate, sessions=form.chosen_sessions, actor=request.user)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Workshops saved for {delegate}.", messages.SUCCESS)
                return redirect("admin:registration_delegate_change", delegate.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Workshops for {delegate}",
            "delegate": delegate,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/change_workshops.html", context)

    def delete_model(self, request, obj):
        # Free the seats through the service first, so the people waiting get them.
        # A deleted delegate is not mailed; anyone promoted into their seats is.
        release_bookings(bookings=list(obj.bookings.all()), actor=request.user, notify=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action runs outside a transaction: free the seats and delete the
        # delegates in one, so nobody can book them a seat in between.
        with transaction.atomic():
            release_bookings(
                bookings=list(Booking.objects.filter(delegate__in=queryset)),
                actor=request.user,
                notify=False,
            )
            super().delete_queryset(request, queryset)

    @admin.action(
        description="Cancel the selected registrations (frees their seats)", permissions=["change"]
    )
    def cancel_registrations(self, request, queryset):
        """First show who will be cancelled; then cancel each through the booking service.

        Each delegate is told by email that the organisers cancelled it.
        """
        if request.POST.get("confirm_cancel") != "yes":
            delegates = list(
                queryset.select_related("agency")
                .annotate(seats=Count("bookings"))
                .order_by(*name_order())
            )
            return TemplateResponse(
                request,
                "admin/workshops/cancel_registrations.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Cancel these registrations?",
                    "delegates": delegates,
                    "live": [d for d in delegates if d.status != Delegate.Status.CANCELLED],
                    # "Select all N": the action finds them again from the list's filters, as
                    # Django does, rather than from N hidden fields (over 1,000 is a 400).
                    "select_across": request.POST.get("select_across") == "1",
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "action": "cancel_registrations",
                },
            )
        selected = queryset.count()
        cancelled = 0
        # Pending ones too: cancelling is how an organiser turns a registration down.
        live = queryset.exclude(status=Delegate.Status.CANCELLED).select_related("event")
        with sending_together():  # one transaction each, one mail connection for them all
            for delegate in live:
                with transaction.atomic():
                    cancel_registration(delegate=delegate, actor=request.user)  # and emails
                cancelled += 1
        report_counts(
            self,
            request,
            counted(
                cancelled,
                "%(count)d registration was cancelled.",
                "%(count)d registrations were cancelled.",
            ),
            skipped=(
                selected - cancelled,
                "%(count)d was cancelled already and was left alone.",
                "%(count)d were cancelled already and were left alone.",
            ),
        )
        warn_about_waiting_email(admin=self, request=request)
