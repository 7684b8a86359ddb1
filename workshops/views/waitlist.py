"""The delegate's buttons for joining and leaving a waiting list (plain form posts)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from registration.views.access import delegate_required
from registration.views.confirmation import confirm_address_first
from workshops.forms.booking import choose_url_keeping, unsaved_choices
from workshops.forms.waitlist import WaitlistSessionForm
from workshops.services.waitlist import WaitlistError, join_waitlist, leave_waitlist, waiting_places


def _posted_session(request):
    """The session of the delegate's event that the button names, or None."""
    form = WaitlistSessionForm(request.POST, event=request.delegate.event)
    return form.cleaned_data["session"] if form.is_valid() else None


def _back(request):
    """Back to the page the button was on; on the choose page, with its unsaved choices."""
    if request.POST.get("next") == "manage":
        return redirect("workshops:manage")
    return redirect(choose_url_keeping(request.POST))


def _unsaved_message(request):
    """A word on the choices the button carried over, if they differ from the seats held."""
    held = {str(pk) for pk in request.delegate.bookings.values_list("session_id", flat=True)}
    if set(unsaved_choices(request.POST).values()) - held:
        return (
            " Your other choices on this page are kept but not booked yet: press “Book these "
            "workshops” to book them."
        )
    return ""


@delegate_required
@require_POST
def join(request):
    session = _posted_session(request)
    if session is None:
        messages.error(request, "That session no longer exists; please choose again.")
        return _back(request)
    if not request.delegate.event.changes_are_open():
        messages.error(request, "Changes are closed.")
        return redirect("workshops:manage")
    if not request.delegate.email_is_confirmed:
        return confirm_address_first(request, doing="join a waiting list")
    try:
        entry = join_waitlist(delegate=request.delegate, session=session)
    except WaitlistError as error:
        messages.error(request, error.message)
        return _back(request)
    place = next(e.place for e in waiting_places(delegate=request.delegate) if e.pk == entry.pk)
    messages.success(
        request,
        f"You are number {place} on the waiting list for “{session.workshop.title}” "
        f"({session.time_slot.name}). You keep your current place in that round; if a place "
        "comes free we move you automatically and email you." + _unsaved_message(request),
    )
    return _back(request)


@delegate_required
@require_POST
def leave(request):
    session = _posted_session(request)
    if session is not None and leave_waitlist(delegate=request.delegate, session_id=session.pk):
        messages.success(request, f"You have left the waiting list for “{session.workshop.title}”.")
    else:
        messages.info(request, "You were not on that waiting list.")
    return _back(request)
