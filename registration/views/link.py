"""Booking links in the browser: ask for one by email, open one, sign out."""

import contextvars
import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registration.forms.link import RequestLinkForm
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import NotEligible
from registration.services.link import find_usable_link
from registration.services.link_request import send_link_if_registered
from registration.views.access import sign_out_delegate, spend_link_and_sign_in
from socex.ratelimit import rate_limited

logger = logging.getLogger(__name__)


class ResponseThenWork(HttpResponse):
    """A response that runs `work()` after the server has sent it.

    WSGI servers (gunicorn, runserver) and Django's test client call `close()`
    once the body is written, so the client has its answer before `work`
    starts. A failure in `work` is logged, never shown. `work` runs in a copy of
    the context the response was made in, so it sees what the request set there
    (the origin emailed links start with, `socex.site_url`).
    """

    def __init__(self, *args, work, **kwargs):
        super().__init__(*args, **kwargs)
        self.work = work
        self.context = contextvars.copy_context()

    def close(self):
        try:
            self.context.run(self.work)
        except Exception:
            logger.exception("Work after the response failed")
        finally:
            super().close()


# never_cache: the answer repeats the address typed in.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("link")
def request_link(request):
    form = RequestLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Same page, same work whether or not the address is registered: the
        # lookup and the email happen after the response has been sent.
        return ResponseThenWork(
            render_to_string("socex/link_sent.html", {"email": email}, request=request),
            work=lambda: send_link_if_registered(email=email),
        )
    return render(request, "socex/request_link.html", {"form": form})


# never_cache: the page greets the delegate by name.
@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request, token):
    """Show a button that spends the link; a GET never spends it (mail scanners follow links).

    Spending it also confirms the delegate's address, as typing the emailed code does.
    """
    link = find_usable_link(token)
    if link is None:
        return render(request, "socex/link_invalid.html", {"form": RequestLinkForm()}, status=200)
    if request.method == "POST":
        if spend_link_and_sign_in(request, link):
            # The link came by email, so opening it proves the mailbox is the delegate's.
            try:
                confirm_email_address(delegate=link.delegate)
            except NotEligible as error:
                messages.warning(request, error.message)
            return redirect(settings.DELEGATE_HOME_URL)
        return render(request, "socex/link_invalid.html", {"form": RequestLinkForm()})
    return render(
        request, "socex/open_link.html", {"delegate_first_name": link.delegate.first_name}
    )


@require_POST
def sign_out(request):
    sign_out_delegate(request)
    messages.success(request, "You have signed out of your booking.")
    return redirect("home")
