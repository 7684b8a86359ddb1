"""The programme in the admin: rooms, time slots, workshops and sessions with their rosters."""

from django.conf import settings
from django.contrib import admin
from django.core.validators import MinValueValidator
from django.db import transaction
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import ngettext

from registration.admin.protected import ProtectsFields
from socex.admin_messages import counted, report_counts
from workshops.admin.move import move_delegate_view
from workshops.admin.waitlist import WaitlistInline
from workshops.exports.admin_actions import SessionExportActions
from workshops.forms.programme import SessionAdminForm, SessionInlineFormSet
from workshops.models import Booking, Room, Session, TimeSlot, Workshop
from workshops.services.booking import serve_after_capacity_change
from workshops.services.checkin import seat_standby
from workshops.services.doors import Door, DoorStaff
from workshops.services.locking import lock_seated_delegates, lock_sessions
from workshops.services.standby import day_of
from workshops.services.timetable_changes import queue_timetable_news
from workshops.services.timetable_diff import session_was, time_slot_was


def tell_booked(model_admin, request, count, what):
    """Say how many booked delegates the worker will email their new `what`."""
    if count:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d delegate booked there will be emailed the new %(what)s in "
                "%(minutes)s, with a calendar file that moves their diary entry. Saving "
                "again before then sends one email, as things are then.",
                "%(count)d delegates booked there will be emailed the new %(what)s in "
                "%(minutes)s, with a calendar file that moves their diary entries. Saving "
                "again before then sends one email each, as things are then.",
                count,
            )
            % {"count": count, "what": what, "minutes": _delay()},
        )


def _delay():
    minutes = max(round(settings.TIMETABLE_NEWS_DELAY_SECONDS / 60), 1)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


class CapacityAtLeastOne:
    """A capacity below 1 is refused on the form, in words, not as a database constraint."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "capacity" and field is not None:
            field.min_value = 1
            field.widget.attrs["min"] = 1
            # In place of the positive field's own "at least 0", so -1 gets one message.
            field.validators = [
                *(v for v in field.validators if not isinstance(v, MinValueValidator)),
                MinValueValidator(1, message="A capacity must be at least 1 seat."),
            ]
        return field


class LocksSeatedDelegates:
    """Deleting locks the delegates seated in the sessions deleted, before the cascade.

    The seats go with the sessions (as before, past the booking service); each
    seat deleted moves its delegate's seat tally, which is written only under
    that delegate's lock (`workshops.services.locking.lock_seated_delegates`).
    `sessions_of(queryset)` names the sessions a delete of `queryset` takes.
    """

    def delete_model(self, request, obj):
        with transaction.atomic():
            lock_seated_delegates(self.sessions_of(type(obj).objects.filter(pk=obj.pk)))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            lock_seated_delegates(self.sessions_of(queryset))
            super().delete_queryset(request, queryset)


@admin.register(Room)
class RoomAdmin(CapacityAtLeastOne, ProtectsFields, admin.ModelAdmin):
    list_display = ["name", "capacity", "location"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Delegates look for the room by its name and directions on the day.
        if change and {"name", "location"} & set(form.changed_data):
            was = {
                session.pk: session_was(
                    title=session.workshop.title,
                    room=form.initial["name"],
                    location=form.initial["location"],
                )
                for session in Session.objects.filter(room=obj).select_related("workshop")
            }
            tell_booked(
                self, request, queue_timetable_news(sessions=was), "room name and directions"
            )


@admin.register(TimeSlot)
class TimeSlotAdmin(LocksSeatedDelegates, ProtectsFields, admin.ModelAdmin):
    list_display = ["name", "starts_at", "ends_at", "event"]
    list_filter = ["event"]

    def sessions_of(self, queryset):
        return Session.objects.filter(time_slot__in=queryset)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"starts_at", "ends_at"} & set(form.changed_data):
            was = time_slot_was(
                starts_at=form.initial["starts_at"], ends_at=form.initial["ends_at"]
            )
            tell_booked(self, request, queue_timetable_news(time_slots={obj.pk: was}), "times")


class SessionInline(CapacityAtLeastOne, ProtectsFields, admin.TabularInline):
    model = Session
    formset = SessionInlineFormSet
    extra = 0
    fields = ["time_slot", "room", "capacity"]


@admin.register(Workshop)
class WorkshopAdmin(LocksSeatedDelegates, ProtectsFields, admin.ModelAdmin):
    list_display = ["title", "facilitator", "event"]
    list_filter = ["event"]
    search_fields = ["title", "facilitator"]
    inlines = [SessionInline]

    def sessions_of(self, queryset):
        return Session.objects.filter(workshop__in=queryset)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new title reads as a new workshop in the delegates' diaries: tell them.
        if change and "title" in form.changed_data:
            # Before the sessions' rows below: they are in the rooms they were in.
            was = {
                session.pk: session_was(
                    title=form.initial["title"],
                    room=session.room.name,
                    location=session.room.location,
                )
                for session in obj.sessions.select_related("room")
            }
            # Told once the sessions' rows are saved (`save_related`): the waiting job's
            # lock (level 7) comes after the sessions' (level 6), never before.
            form.socex_retitled_was = was

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        was = getattr(form, "socex_retitled_was", None)
        if was:
            tell_booked(self, request, queue_timetable_news(sessions=was), "title")

    def save_formset(self, request, form, formset, change):
        old = {f.instance.pk: f.initial.get("capacity") for f in formset.forms if f.instance.pk}
        if formset.model is Session and formset.deleted_forms:
            # Sessions deleted here take their seats with them: their delegates first
            # (level 5), before the sessions (level 6).
            doomed = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
            lock_seated_delegates(Session.objects.filter(pk__in=doomed))
        moved = {
            f.instance.pk: f.initial["room"]
            for f in formset.forms
            if f.instance.pk and "room" in f.changed_data and f not in formset.deleted_forms
        }
        if formset.model is Session and old:
            # The inline updates sessions in form order; bookings lock them in id order.
            # Taking them in id order first means the two can never wait on each other.
            lock_sessions(old)
        super().save_formset(request, form, formset, change)
        for session in formset.new_objects + [s for s, _ in formset.changed_objects]:
            if isinstance(session, Session):
                serve_after_capacity_change(session=session, old_capacity=old.get(session.pk))
        if formset.model is Session and moved:
            rooms = Room.objects.in_bulk(moved.values())
            was = {
                pk: session_was(
                    title=form.initial.get("title", form.instance.title),
                    room=rooms[room_id].name,
                    location=rooms[room_id].location,
                )
                for pk, room_id in moved.items()
            }
            tell_booked(self, request, queue_timetable_news(sessions=was), "rooms")


class RosterInline(ProtectsFields, admin.TabularInline):
    """Who holds a seat. Seats change only through the booking service (the delegate's page).

    No deleting here: a formset deletes rows itself, past the service, so the
    history would miss the organiser and the waiting list the freed seat (delete
    from the bookings list instead, which goes through `release_bookings`).
    """

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


class FillFilter(admin.SimpleListFilter):
    """Sessions with no place left (the dashboard's "Full sessions" links here), or with some."""

    title = "places"
    parameter_name = "fill"

    def lookups(self, request, model_admin):
        return [("full", "Full"), ("open", "Places left")]

    def queryset(self, request, queryset):
        if self.value() == "full":
            return queryset.filter(places_left__lte=0)
        if self.value() == "open":
            return queryset.filter(places_left__gt=0)
        return queryset


@admin.register(Session)
class SessionAdmin(
    LocksSeatedDelegates,
    CapacityAtLeastOne,
    ProtectsFields,
    SessionExportActions,
    admin.ModelAdmin,
):
    form = SessionAdminForm
    list_display = ["workshop", "time_slot", "room", "capacity", "seats_taken", "places_left"]
    list_filter = ["time_slot", FillFilter, "room", "workshop"]
    list_select_related = ["workshop", "time_slot", "room"]
    inlines = [RosterInline, WaitlistInline]
    actions = ["seat_standby_now"]
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

    def sessions_of(self, queryset):
        return queryset

    def changelist_view(self, request, extra_context=None):
        # Six columns, the filters and the check-in action need the width, as on the
        # delegate list (the breadcrumbs and the site header still lead everywhere).
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).with_places_left()

    def get_urls(self):
        return [
            path(
                "<id:session_id>/move/<id:delegate_id>/",
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
        if change and "room" in form.changed_data:
            room = Room.objects.get(pk=form.initial["room"])
            was = session_was(title=obj.workshop.title, room=room.name, location=room.location)
            tell_booked(self, request, queue_timetable_news(sessions={obj.pk: was}), "room")

    @admin.action(
        description="Release no-shows now: seat the people on standby at the selected sessions' "
        "doors (free places; no-shows' seats once the release time has passed)",
        permissions=["change"],
    )
    def seat_standby_now(self, request, queryset):
        staff = DoorStaff(user=request.user)
        seated = released = 0
        sessions = queryset.select_related("time_slot__event", "workshop", "room").order_by("pk")
        for session in sessions:
            door = Door(event=session.time_slot.event, day=day_of(session), session=session)
            pairs = seat_standby(door=door, by=staff)
            seated += len(pairs)
            released += sum(1 for _, no_show in pairs if no_show is not None)
        report_counts(
            self,
            request,
            counted(
                seated,
                "%(count)d person was seated from standby.",
                "%(count)d people were seated from standby.",
            ),
            counted(
                released,
                "%(count)d of them took a no-show's seat.",
                "%(count)d of them took no-shows' seats.",
            )
            if released
            else "",
        )

    @admin.display(ordering="seats_taken")
    def seats_taken(self, session):
        return session.seats_taken

    @admin.display(ordering="places_left")
    def places_left(self, session):
        return session.places_left
