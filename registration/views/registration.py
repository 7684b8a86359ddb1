"""The public pages: home, the registration form, the privacy and accessibility notices."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registration.context_processors import current_event_of
from registration.forms.registration import RegistrationForm, blank_form_html
from registration.services.eligibility import NotEligible
from registration.services.privacy import PRIVACY_NOTICE_UPDATED, PRIVACY_NOTICE_VERSION
from registration.services.registration import check_registration
from registration.signals import ask_day_two_places_left
from registration.tasks import register_from_form, registration_sealed
from registration.views.access import start_confirming
from socex.ratelimit import rate_limited
from socex.site_url import site_url


def home(request):
    event = current_event_of(request)
    now = timezone.now()
    opens = event and event.registration_opens_at
    registration_open = bool(event and event.registration_is_open(now))
    return render(
        request,
        "socex/home.html",
        {
            "registration_open": registration_open,
            "registration_opens": opens if opens and opens > now else None,
            # The page says whether day two is full only while registration is open.
            "day_two_places_left": (
                ask_day_two_places_left(event=event) if registration_open else 0
            ),
        },
    )


# never_cache: a refused form comes back holding what the person typed, needs included.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("register")
def register(request):
    event = current_event_of(request)
    if event is None or not event.registration_is_open():
        return render(request, "socex/registration_closed.html", status=200)
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # What can be refused is refused here, the same for any address ...
            check_registration(
                event=event,
                email=data["email"],
                agency_id=data["agency"],
                agency=form.agency,
                other_agency=data["other_agency"],
                invitation_code=data["invitation_code"],
            )
        except NotEligible as error:
            form.add_error(error.field, error.message)
        else:
            # ... and the rest happens in a worker (registration.tasks): the answer, and
            # the work done here, are the same whether or not the address is registered.
            register_from_form.enqueue(
                sealed=registration_sealed(
                    event=event,
                    details={field: data[field] for field in RegistrationForm.Meta.fields},
                    agency_id=data["agency"],
                    other_agency=data["other_agency"],
                    invitation_code=data["invitation_code"],
                    needs_consent=data["needs_consent"],
                ),
                origin=site_url(),
            )
            start_confirming(request, data["email"])
            return HttpResponseRedirect(reverse("registration:confirm_email"), status=303)
    return render(
        request,
        "socex/register.html",
        # A refused form is rendered with its answers and errors; a blank one comes cached.
        {"form": form, "blank_form": None if form.is_bound else blank_form_html(form)},
    )


def privacy(request):
    return render(
        request,
        "socex/privacy.html",
        {
            "notice_version": PRIVACY_NOTICE_VERSION,
            "notice_updated": PRIVACY_NOTICE_UPDATED,
            "retention_days": settings.RETENTION_DAYS,
            "code_minutes": settings.CONFIRMATION_CODE_MINUTES,
            "unconfirmed_days": settings.UNCONFIRMED_REGISTRATION_DAYS,
        },
    )


def accessibility(request):
    return render(request, "socex/accessibility.html")
