from registration.models import Event


def current_event(request):
    """Every page shows the event's name and dates; fetch it once per request."""
    if not hasattr(request, "_current_event"):
        request._current_event = Event.objects.current()
    return {"event": request._current_event}
