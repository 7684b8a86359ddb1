"""Confirming the address just registered: type the emailed code, or ask for a new one.

Every answer here is the same whether or not the address in this browser's
session has a registration, and the new code is sent by a worker.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registration.context_processors import current_event_of
from registration.forms.confirmation import ConfirmCodeForm, code_form_html
from registration.services.confirmation import CodeRefused, confirm_with_code
from registration.services.eligibility import NotEligible
from registration.tasks import resend_code_to
from registration.views.access import confirming_email, sign_in_delegate, start_confirming
from socex.ratelimit import rate_limited
from socex.site_url import site_url
from worker.sealed import seal_arguments


@never_cache  # it names the address being confirmed
@require_http_methods(["GET", "POST"])
@rate_limited("confirm_code", email=confirming_email)
def confirm_email(request):
    email = confirming_email(request)
    event = current_event_of(request)
    if not email or event is None:
        # Nothing registered from this browser (or its session ended): a link still works.
        return redirect("registration:request_link")
    form = ConfirmCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            delegate = confirm_with_code(event=event, email=email, code=form.cleaned_data["code"])
        except (CodeRefused, NotEligible) as error:
            form.add_error("code", error.message)
        else:
            sign_in_delegate(request, delegate)
            messages.success(request, f"Thank you: {email} is confirmed.")
            if delegate.attends_day_two and not delegate.is_pending:
                return redirect(settings.DELEGATE_CHOOSE_URL)
            return redirect(settings.DELEGATE_HOME_URL)
    return render(
        request,
        "socex/confirm_email.html",
        {
            "form": form,
            "form_html": code_form_html(form),
            "email": email,
            "code_minutes": settings.CONFIRMATION_CODE_MINUTES,
        },
    )


@require_POST
@rate_limited("resend_code", email=confirming_email)
def resend_code(request):
    email = confirming_email(request)
    event = current_event_of(request)
    if not email or event is None:
        return redirect("registration:request_link")
    messages.success(
        request, f"We have emailed a new code to {email}. Earlier codes no longer work."
    )
    resend_code_to.enqueue(sealed=seal_arguments(event_id=event.pk, email=email), origin=site_url())
    return HttpResponseRedirect(reverse("registration:confirm_email"), status=303)


def confirm_address_first(request, *, doing):
    """What a signed-in delegate whose address is unconfirmed sees instead of a page to `doing`.

    Only a browser signed in before addresses were confirmed can be in that
    state; rather than a form that every submit refuses, it shows what to do:
    the code form, ready here (this browser is set to confirm the delegate's
    own address), and a button for a new code. Side effects: the session.
    """
    delegate = request.delegate
    start_confirming(request, delegate.email)
    return render(
        request,
        "socex/confirm_first.html",
        {
            "delegate": delegate,
            "doing": doing,
            "email": delegate.email,
            "form_html": code_form_html(ConfirmCodeForm()),
            "code_minutes": settings.CONFIRMATION_CODE_MINUTES,
        },
    )
