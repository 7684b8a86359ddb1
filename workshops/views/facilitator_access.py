"""A facilitator's browser session, started by opening their emailed sign-in link.

Opening a link flushes the browser's session and keeps only the facilitator's
id, so the session reaches the facilitators' pages and, scoped to their own
sessions' doors, the check-in page; the admin and the delegates' pages see an
anonymous visitor. The facilitator is read again on every request, so removing
them (or a workshop from them) takes effect at once.
"""

from functools import wraps

from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from workshops.models import Facilitator

FACILITATOR_KEY = "socex_facilitator_id"


def sign_in_facilitator(request, facilitator):
    """Side effects: flushes this browser's session (anyone signed in is signed out)."""
    request.session.flush()
    request.session[FACILITATOR_KEY] = facilitator.pk


def signed_in_facilitator(request):
    facilitator_id = request.session.get(FACILITATOR_KEY)
    if facilitator_id is None:
        return None
    return Facilitator.objects.select_related("event").filter(pk=facilitator_id).first()


def facilitator_required(view):
    """Give the view `request.facilitator`, or send the visitor to ask for a sign-in link.

    Every response is `Cache-Control: no-store`: these pages show delegates' data.
    """

    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        facilitator = signed_in_facilitator(request)
        if facilitator is None:
            return redirect("facilitators:request_link")
        request.facilitator = facilitator
        return view(request, *args, **kwargs)

    return wrapper
