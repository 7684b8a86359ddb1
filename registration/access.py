"""How a delegate proves who they are without a password: a booking link.

A link carries a random token; its hash is stored. Opening a link spends it
and starts a browser session that remembers the delegate, so the token never
stays in the address bar, in history or in a Referer header.
"""

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone

from .models import Delegate, ManageLink, hash_token

SESSION_KEY = "socex_delegate_id"


def issue_manage_link(*, delegate, now=None):
    """Create a new single-use booking link for `delegate` and return its URL.

    Side effects: inserts a `ManageLink` row. The raw token exists only in the URL.
    """
    now = now or timezone.now()
    token = ManageLink.new_token()
    ManageLink.objects.create(
        delegate=delegate,
        token_hash=hash_token(token),
        expires_at=now + timedelta(hours=settings.MANAGE_LINK_HOURS),
    )
    return ManageLink.url_for(token)


def find_usable_link(raw_token, now=None):
    return (
        ManageLink.objects.usable(now)
        .select_related("delegate")
        .filter(token_hash=hash_token(raw_token))
        .exclude(delegate__status=Delegate.Status.CANCELLED)
        .first()
    )


def spend_link_and_sign_in(request, link, now=None):
    """Mark `link` used and sign its delegate in to this browser session.

    Side effects: updates the link, rotates the session key. Returns False if
    another request spent the link first.
    """
    spent = ManageLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now or timezone.now()
    )
    if not spent:
        return False
    sign_in_delegate(request, link.delegate)
    return True


def sign_in_delegate(request, delegate):
    request.session.cycle_key()
    request.session[SESSION_KEY] = delegate.pk


def sign_out_delegate(request):
    request.session.flush()


def signed_in_delegate(request):
    delegate_id = request.session.get(SESSION_KEY)
    if delegate_id is None:
        return None
    return (
        Delegate.objects.active().select_related("event", "agency").filter(pk=delegate_id).first()
    )


def delegate_required(view):
    """Give the view `request.delegate`, or send the visitor to ask for a booking link."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        delegate = signed_in_delegate(request)
        if delegate is None:
            return redirect("workshops:request_link")
        request.delegate = delegate
        return view(request, *args, **kwargs)

    return wrapper
