"""Booking links in the browser: ask for one by email, open one, sign out."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registration.forms.link import RequestLinkForm
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import NotEligible
from registration.services.link import find_usable_link
from registration.tasks import send_link_to
from registration.views.access import sign_out_delegate, spend_link_and_sign_in
from socex.ratelimit import rate_limited
from socex.site_url import site_url
from worker.sealed import seal_arguments


# never_cache: the answer repeats the address typed in.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("link")
def request_link(request):
    form = RequestLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Same page, same work whether or not the address is registered: the
        # look-up and the email happen in a worker (registration.tasks).
        send_link_to.enqueue(sealed=seal_arguments(email=email), origin=site_url())
        return render(request, "socex/link_sent.html", {"email": email})
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
