"""The delegate's booking: choose workshops, see and change them, the calendar file, cancel."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from registration.views.access import delegate_required, sign_out_delegate
from registration.views.confirmation import confirm_address_first
from workshops.forms.booking import ChooseWorkshopsForm
from workshops.models import sessions_on_offer_held_by
from workshops.services.ballot_outcome import ballot_outcome
from workshops.services.booking import BookingError, book_sessions, cancel_registration
from workshops.services.calendar import timetable_ics
from workshops.services.my_booking import my_booking
from workshops.services.waitlist import mark_waitlist_options
from workshops.views.ballot import ballot_summary, rank_workshops


def changes_closed(request):
    return render(request, "socex/changes_closed.html", status=200)


@delegate_required
@require_http_methods(["GET", "POST"])
def choose(request):
    delegate = request.delegate
    event = delegate.event
    if not delegate.attends_day_two:
        messages.info(request, "Workshops are on day two; your registration is for day one only.")
        return redirect("workshops:manage")
    if not event.changes_are_open():
        return changes_closed(request)
    if not delegate.email_is_confirmed:
        doing = "rank the workshops" if event.is_ballot else "choose workshops"
        return confirm_address_first(request, doing=doing)
    if delegate.is_pending:
        return render(request, "socex/awaiting_approval.html", {"delegate": delegate})
    if event.is_ballot:
        return rank_workshops(request)
    # The delegate holds seats only in their event's sessions: all of them are here.
    sessions = sessions_on_offer_held_by(event=event, delegate=delegate)
    held_ids = {s.pk for s in sessions if s.held}
    form = ChooseWorkshopsForm(
        request.POST if request.method == "POST" else None,
        event=event,
        sessions=sessions,
        held_ids=held_ids,
        preselected=request.GET,
    )
    day_two_full = not form.can_be_completed()
    if request.method == "POST" and not day_two_full and form.is_valid():
        try:
            book_sessions(delegate=delegate, sessions=form.chosen_sessions)
        except BookingError as error:
            form.add_error(None, error.message)
        else:  # book_sessions emails what changed, if anything did
            chosen_ids = {s.pk for s in form.chosen_sessions}
            if chosen_ids == held_ids:
                # No email either: the booking page, not the "we have emailed you" one.
                messages.info(request, "Nothing changed: these are the workshops you had.")
                return redirect("workshops:manage")
            if held_ids:
                return redirect(reverse("workshops:confirmed") + "?changed=1")
            return redirect("workshops:confirmed")
    # Only a page shown needs the waiting-list options (a query if the delegate waits for any).
    mark_waitlist_options(delegate=delegate, sessions=sessions, held_ids=held_ids)
    return render(
        request,
        "socex/choose.html",
        {
            "form": form,
            "delegate": delegate,
            "day_two_full": day_two_full,
            "full_slots": form.full_slots(),
            "held": bool(held_ids),
        },
    )


def _bookings(delegate):
    return list(delegate.bookings.timetable())


@delegate_required
def confirmed(request):
    return render(
        request,
        "socex/confirmed.html",
        {
            "delegate": request.delegate,
            "bookings": _bookings(request.delegate),
            "changed": request.GET.get("changed") == "1",
        },
    )


@delegate_required
def manage(request):
    delegate = request.delegate
    shown = my_booking(delegate=delegate)
    bookings = shown.bookings
    return render(
        request,
        "socex/manage.html",
        {
            "delegate": delegate,
            "bookings": bookings,
            "choices_complete": len(bookings) == delegate.event.choices_required,
            "waiting": shown.waiting,
            "changes_open": delegate.event.changes_are_open(),
            "ballot": ballot_summary(delegate, bookings=bookings),
            "calendar_feed_made_at": shown.calendar_feed_made_at,
            "ballot_outcome": ballot_outcome(delegate=delegate, held=len(bookings)),
            "certificate_ready": shown.certificate_ready,
        },
    )


@delegate_required
def calendar(request):
    delegate = request.delegate
    response = HttpResponse(
        timetable_ics(delegate=delegate, bookings=_bookings(delegate)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="socex-timetable.ics"'
    return response


@delegate_required
@require_http_methods(["GET", "POST"])
def cancel(request):
    delegate = request.delegate
    if not delegate.event.changes_are_open():
        return changes_closed(request)
    if request.method == "POST":
        cancel_registration(delegate=delegate)  # and emails the cancellation
        sign_out_delegate(request)
        return render(request, "socex/cancelled.html", {"cancelled_email": delegate.email})
    return render(request, "socex/cancel.html", {"delegate": delegate})
