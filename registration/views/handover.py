"""Handing a place to a colleague: the offer from the booking page, the colleague's acceptance."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registration.forms.handover import AcceptHandoverForm, OfferHandoverForm
from registration.models import Delegate
from registration.services.handover import (
    HANDOVER_HOURS,
    HandoverError,
    accept_handover,
    can_hand_over,
    find_handover,
    offer_handover,
    withdraw_handover,
)
from registration.views.access import delegate_required, sign_in_delegate
from socex.ratelimit import rate_limited


@delegate_required
@require_http_methods(["GET", "POST"])
@rate_limited("handover")
def offer(request):
    delegate = request.delegate
    problem = can_hand_over(delegate)
    form = OfferHandoverForm(request.POST if request.method == "POST" and not problem else None)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            handover = offer_handover(delegate=delegate, **form.cleaned_data)
        except HandoverError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                f"We have emailed {handover.email}. The place stays yours until they accept it "
                f"(the link works for {HANDOVER_HOURS // 24} days).",
            )
            return redirect("registration:hand_over")
    return render(
        request,
        "socex/handover.html",
        {
            "form": form,
            "delegate": delegate,
            "problem": problem,
            "pending": delegate.handovers.first(),
        },
    )


@delegate_required
@require_POST
def withdraw(request):
    if withdraw_handover(delegate=request.delegate):
        messages.success(request, "Your offer is withdrawn; its link no longer works.")
    return redirect("registration:hand_over")


# never_cache: the page names the delegate offering the place.
@never_cache
@require_http_methods(["GET", "POST"])
def accept(request, token):
    """A GET shows the offer and the form; only a POST with the form takes the place."""
    handover = find_handover(token)
    if handover is None:
        return render(request, "socex/handover_invalid.html")
    old = handover.delegate
    form = AcceptHandoverForm(
        request.POST if request.method == "POST" else None,
        instance=Delegate(event=old.event, agency=old.agency),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = accept_handover(
                raw_token=token,
                badge_name=data["badge_name"],
                dietary_requirements=data["dietary_requirements"],
                accessibility_needs=data["accessibility_needs"],
                needs_consent=data["needs_consent"],
            )
        except HandoverError as error:
            form.add_error(None, error.message)
        else:
            sign_in_delegate(request, new)
            messages.success(request, f"The place is yours, {new.first_name}.")
            return redirect(settings.DELEGATE_HOME_URL)
    return render(
        request,
        "socex/handover_accept.html",
        {"form": form, "handover": handover, "offered_by": old, "event": old.event},
    )
