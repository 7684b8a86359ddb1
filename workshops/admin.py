from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from registration.admin import warn_about_waiting_email
from registration.eligibility import approve_registration
from registration.models import Delegate
from registration.outbox import sending_together
from registration.privacy_admin import erase_delegates

from . import (
    admin_announcements,  # noqa: F401  (registers the announcements admin)
    admin_ballot,  # noqa: F401  (registers the ballot allocation runs)
)
from .admin_delegates import (
    BookingChangeInline,
    ChoicesIncompleteFilter,
    NeedsFilter,
    confirm_typed_in_agencies,
    resend_confirmations,
    send_choice_reminders,
)
from .admin_moves import move_delegate_view
from .exports.admin_actions import DelegateExportActions, SessionExportActions
from .forms import ChooseWorkshopsForm
from .models import Booking, Room, Session, TimeSlot, Workshop
from .notifications import send_cancellation
from .services import BookingError, book_sessions, cancel_registration
from .waitlist import release_bookings, serve_after_capacity_change
from .waitlist_admin import WaitlistInline

NEEDS_FIELDS = ("dietary_requirements", "accessibility_needs")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity", "location"]
    search_fields = ["name"]


@admin.register(TimeSlot)
class TimeSlotAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "ends_at", "event"]
    list_filter = ["event"]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["time_slot", "room", "capacity"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "facilitator", "event"]
    list_filter = ["event"]
    search_fields = ["title", "facilitator"]
    inlines = [SessionInline]

    def save_formset(self, request, form, formset, change):
        old = {f.instance.pk: f.initial.get("capacity") for f in formset.forms if f.instance.pk}
        if formset.model is Session and old:
            # The inline updates sessions in form order; bookings lock them in id order.
            # Taking them in id order first means the two can never wait on each other.
            list(
                Session.objects.select_for_update(no_key=True)
                .filter(pk__in=old)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        super().save_formset(request, form, formset, change)
        for session in formset.new_objects + [s for s, _ in formset.changed_objects]:
            if isinstance(session, Session):
                serve_after_capacity_change(session=session, old_capacity=old.get(session.pk))


class RosterInline(admin.TabularInline):
    """Who holds a seat. Seats change only through the booking service (the delegate's page)."""

    model = Booking
    verbose_name = "delegate on the roster"
    verbose_name_plural = "roster"
    fields = ["delegate_link", "agency", "created_at", "override", "move_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("delegate__agency")

    def has_add_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if request.user.has_perm("workshops.change_session"):
            return self.fields
        return [f for f in self.fields if f != "move_link"]

    @admin.display(description="delegate")
    def delegate_link(self, booking):
        url = reverse("admin:registration_delegate_change", args=[booking.delegate_id])
        return format_html('<a href="{}">{}</a>', url, booking.delegate)

    @admin.display(description="agency")
    def agency(self, booking):
        return booking.delegate.agency.name

    @admin.display(description="over capacity")
    def override(self, booking):
        return "Yes, by override" if booking.beyond_capacity else ""

    @admin.display(description="move")
    def move_link(self, booking):
        url = reverse(
            "admin:workshops_session_move", args=[booking.session_id, booking.delegate_id]
        )
        return format_html('<a href="{}">Move to another session…</a>', url)


@admin.register(Session)
class SessionAdmin(SessionExportActions, admin.ModelAdmin):
    list_display = ["workshop", "time_slot", "room", "capacity", "seats_taken", "places_left"]
    list_filter = ["time_slot", "room", "workshop"]
    list_select_related = ["workshop", "time_slot", "room"]
    inlines = [RosterInline, WaitlistInline]
    readonly_fields = ["seats_taken", "places_left", "email_delegates"]
    fields = [
        "workshop",
        "time_slot",
        "room",
        "capacity",
        "seats_taken",
        "places_left",
        "email_delegates",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_seats()

    def get_urls(self):
        return [
            path(
                "<int:session_id>/move/<int:delegate_id>/",
                self.admin_site.admin_view(self.move_delegate),
                name="workshops_session_move",
            ),
            *super().get_urls(),
        ]

    def move_delegate(self, request, session_id, delegate_id):
        return move_delegate_view(self, request, session_id, delegate_id)

    @admin.display(description="announcement")
    def email_delegates(self, session):
        if session.pk is None:
            return "—"
        query = urlencode(
            {"audience": "session", "session": session.pk, "event": session.time_slot.event_id}
        )
        url = f"{reverse('admin:workshops_announcement_add')}?{query}"
        return format_html('<a href="{}">Email everyone booked on this session…</a>', url)

    def save_model(self, request, obj, form, change):
        old_capacity = form.initial.get("capacity") if change else None
        super().save_model(request, obj, form, change)
        # The UPDATE above holds the session's row lock: new places go to the people waiting.
        serve_after_capacity_change(session=obj, old_capacity=old_capacity)

    @admin.display(ordering="seats_taken")
    def seats_taken(self, session):
        return session.seats_taken

    @admin.display(ordering="places_left")
    def places_left(self, session):
        return session.places_left


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """A read-only list of seats; change them from the delegate's page."""

    list_display = ["delegate", "workshop", "time_slot", "session_room", "created_at"]
    list_filter = ["time_slot", "workshop"]
    list_select_related = ["delegate", "workshop", "time_slot", "session__room"]
    search_fields = ["delegate__first_name", "delegate__last_name", "delegate__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        release_bookings(bookings=[obj])

    def delete_queryset(self, request, queryset):
        release_bookings(bookings=list(queryset))

    @admin.display(description="room")
    def session_room(self, booking):
        return booking.session.room.name


@admin.register(Delegate)
class DelegateAdmin(DelegateExportActions, admin.ModelAdmin):
    """Delegates live in `registration`; their page is here because it shows and edits seats."""

    list_display = [
        "__str__",
        "email",
        "agency",
        "attends_day_one",
        "attends_day_two",
        "choices",
        "status",
    ]
    list_filter = [
        "status",
        "attends_day_one",
        "attends_day_two",
        ChoicesIncompleteFilter,
        "agency__kind",
        ("agency", admin.RelatedOnlyFieldListFilter),
        "agency__is_confirmed",
    ]
    list_select_related = ["agency"]
    search_fields = ["first_name", "last_name", "email", "agency__name"]
    autocomplete_fields = ["agency"]
    readonly_fields = [
        "workshops",
        "invitation",
        "registered_at",
        "updated_at",
        "privacy_accepted_at",
        "privacy_notice_version",
        "needs_consent_at",
        "anonymised_at",
    ]
    actions = [
        "cancel_registrations",
        "approve_registrations",
        confirm_typed_in_agencies,
        send_choice_reminders,
        resend_confirmations,
        erase_delegates,
    ]
    inlines = [BookingChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(choice_count=Count("bookings"))

    def get_list_filter(self, request):
        if request.user.has_perm("registration.view_needs"):
            return [*self.list_filter, NeedsFilter]
        return self.list_filter

    def has_confirm_agency_permission(self, request):
        return request.user.has_perm("registration.change_agency")

    def get_fields(self, request, obj=None):
        fields = [
            "event",
            "first_name",
            "last_name",
            "email",
            "agency",
            "job_title",
            "phone",
            "attends_day_one",
            "attends_day_two",
            "badge_name",
            *NEEDS_FIELDS,
            "status",
            "invitation",
            "workshops",
            "privacy_accepted_at",
            "privacy_notice_version",
            "needs_consent_at",
            "anonymised_at",
            "registered_at",
            "updated_at",
        ]
        if not request.user.has_perm("registration.view_needs"):
            fields = [f for f in fields if f not in NEEDS_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("status")  # cancel with the action, so seats are released
        return readonly

    def get_urls(self):
        return [
            path(
                "<int:delegate_id>/workshops/",
                self.admin_site.admin_view(self.change_workshops),
                name="registration_delegate_workshops",
            ),
            *super().get_urls(),
        ]

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
        release_bookings(bookings=list(obj.bookings.all()))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        release_bookings(bookings=list(Booking.objects.filter(delegate__in=queryset)))
        super().delete_queryset(request, queryset)

    @admin.action(
        description="Cancel the selected registrations (frees their seats)", permissions=["change"]
    )
    def cancel_registrations(self, request, queryset):
        """Cancel each live registration through the booking service and tell the delegate."""
        cancelled = 0
        # Pending ones too: cancelling is how an organiser turns a registration down.
        live = queryset.exclude(status=Delegate.Status.CANCELLED).select_related("event")
        with sending_together():  # one transaction each, one mail connection for them all
            for delegate in live:
                with transaction.atomic():
                    cancel_registration(delegate=delegate, actor=request.user)
                    send_cancellation(delegate=delegate)
                cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} registrations.", messages.SUCCESS)
        warn_about_waiting_email(admin=self, request=request)

    @admin.action(description="Approve the selected registrations awaiting approval")
    def approve_registrations(self, request, queryset):
        pending = list(queryset.filter(status=Delegate.Status.PENDING))
        with sending_together():
            for delegate in pending:
                approve_registration(delegate=delegate)
        skipped = queryset.count() - len(pending)
        note = f" {skipped} were not awaiting approval and were left alone." if skipped else ""
        self.message_user(
            request, f"Approved {len(pending)} registrations.{note}", messages.SUCCESS
        )
        warn_about_waiting_email(admin=self, request=request)
