"""The delegate's browser session, started by opening a booking link.

Opening a link spends it and starts a session that remembers the delegate, so
the token never stays in the address bar, in history or in a Referer header.
"""

from functools import wraps

from django.contrib import messages
from django.db.models import Subquery
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from registration.context_processors import remember_current_event
from registration.models import Delegate, Event, ManageLink
from socex.prepared import PreparedQuery

SESSION_KEY = "socex_delegate_id"
# The address this browser registered and is now confirming with the emailed code.
CONFIRMING_KEY = "socex_confirming_email"


def spend_link_and_sign_in(request, link, now=None):
    """Mark `link` used and sign its delegate in to this browser session.

    Side effects: updates the link, rotates the session key. Returns False if
    another request spent the link first.
    """
    if not ManageLink.objects.spend(link, now=now):
        return False
    sign_in_delegate(request, link.delegate)
    return True


def sign_in_delegate(request, delegate):
    request.session.cycle_key()
    request.session.pop(CONFIRMING_KEY, None)
    request.session[SESSION_KEY] = delegate.pk


def start_confirming(request, email):
    """Remember, in this browser, the address whose emailed code it may type next."""
    request.session[CONFIRMING_KEY] = email


def confirming_email(request):
    return request.session.get(CONFIRMING_KEY, "")


def sign_out_delegate(request):
    request.session.flush()


# Every delegate page asks for this: its SQL is prepared once per connection, which
# takes about 1.3 ms of ORM work off each of them (socex.prepared).
_active_delegate_and_current_event = PreparedQuery(
    Delegate,
    lambda delegate: (
        Delegate.objects.active()
        .select_related("event", "agency")
        .annotate(current_event_id=Subquery(Event.objects.current_ids()[:1]))
        .filter(pk=delegate)
        .order_by()
    ),
    delegate=int,
)


def signed_in_delegate(request):
    """The delegate signed in to this browser, event and agency loaded, or None.

    Side effects: when the delegate's event is the one the site serves, keeps it
    as the request's current event (`current_event_of`), which the same query
    found out, so the page does not look the event up again.
    """
    delegate_id = request.session.get(SESSION_KEY)
    if type(delegate_id) is not int:
        return None
    found = _active_delegate_and_current_event(delegate=delegate_id)
    delegate = found[0] if found else None
    if delegate is not None and delegate.current_event_id == delegate.event_id:
        remember_current_event(request, delegate.event)
    return delegate


def delegate_required(view):
    """Give the view `request.delegate`, or send the visitor to ask for a booking link.

    A form sent once signed out (in another tab, or after `SESSION_COOKIE_AGE`) is
    not saved, and the link page says so: without a word, a changed answer or a
    chosen workshop vanished and the page asked for an email address.

    Every response is marked `Cache-Control: no-store` (with `never_cache`): these
    pages show the delegate's data, which no browser history, shared computer or
    proxy should keep.
    """

    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        delegate = signed_in_delegate(request)
        if delegate is None:
            if request.method == "POST":
                messages.warning(
                    request,
                    "You are signed out of your booking, so what you sent was not saved. "
                    "Ask for a new link below, then make the change again.",
                )
            return redirect("registration:request_link")
        request.delegate = delegate
        return view(request, *args, **kwargs)

    return wrapper
