"""The origin (scheme, host and port) that links in emails start with.

`SITE_URL` when it is set. On a laptop (`DEBUG` on, `SITE_URL` unset) the site
may be served on any port, so links follow the address the request came to:
`LinksFollowRequestMiddleware` notes the request's origin for the code it
runs, and `site_url()` reads it.

The origin is taken when a link is made, and links are made when a message is
queued (`registration.services.email.email_delegate`), never when it is sent:
the task worker sends later, outside the request. A job a request enqueues
that makes links carries the request's origin as an argument and runs inside
`links_from(origin)` (`registration/tasks.py`); any other code that queues
mail outside a request and wants a request's origin must do the same.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_origin = ContextVar("link_origin", default=None)


def site_url():
    """The origin for absolute links, without a trailing slash: `http://127.0.0.1:8000`."""
    return _origin.get() or settings.SITE_URL


@contextmanager
def links_from(origin):
    """Make links inside this block start with `origin` (None: `SITE_URL`)."""
    token = _origin.set(origin.rstrip("/") if origin else None)
    try:
        yield
    finally:
        _origin.reset(token)


class LinksFollowRequestMiddleware:
    """With `SITE_URL_FROM_REQUEST` (DEBUG on, SITE_URL unset), links follow the request.

    The host has passed `ALLOWED_HOSTS` by then (`request.get_host` checks it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.SITE_URL_FROM_REQUEST:
            return self.get_response(request)
        with links_from(f"{request.scheme}://{request.get_host()}"):
            return self.get_response(request)
