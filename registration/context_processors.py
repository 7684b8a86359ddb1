from registration.models import Event
from socex.prepared import PreparedQuery

# Asked by every public page: prepared once per connection (socex.prepared), as
# `Event.objects.current()` builds it.
_current_event = PreparedQuery(
    Event, lambda: Event.objects.filter(is_current=True).order_by("-starts_on")[:1]
)


def current_event_of(request):
    """The event the public site serves, looked up once per request.

    The public views and the `current_event` context processor share it, so a page
    asks the database once, not twice. Side effects: caches it on `request`.
    """
    if not hasattr(request, "_current_event"):
        found = _current_event()
        request._current_event = found[0] if found else None
    return request._current_event


def remember_current_event(request, event):
    """Keep `event`, found to be the current one by another query, for `current_event_of`."""
    request._current_event = event


def current_event(request):
    """Every page shows the event's name and dates; fetch it once per request."""
    return {"event": current_event_of(request)}
