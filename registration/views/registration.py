"""The public pages: home, the registration form, the privacy and accessibility notices."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registration.forms.registration import RegistrationForm
from registration.models import Event
from registration.services.eligibility import NotEligible
from registration.services.privacy import PRIVACY_NOTICE_UPDATED, PRIVACY_NOTICE_VERSION
from registration.services.registration import AlreadyRegistered, register_delegate
from registration.signals import ask_day_two_places_left
from registration.views.access import sign_in_delegate
from socex.ratelimit import rate_limited


def home(request):
    event = Event.objects.current()
    return render(
        request,
        "socex/home.html",
        {
            "registration_open": bool(event and event.registration_is_open()),
            "day_two_places_left": ask_day_two_places_left(event=event) if event else 0,
        },
    )


# never_cache: a refused form comes back holding what the person typed, needs included.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("register")
def register(request):
    event = Event.objects.current()
    if event is None or not event.registration_is_open():
        return render(request, "socex/registration_closed.html", status=200)
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {field: data[field] for field in RegistrationForm.Meta.fields}
        try:
            delegate = register_delegate(
                event=event,
                details=details,
                agency_id=data["agency"],
                other_agency=data["other_agency"],
                invitation_code=data["invitation_code"],
                needs_consent=data["needs_consent"],
            )
        except AlreadyRegistered as error:
            form.add_error("email", error.message)
        except NotEligible as error:
            form.add_error(error.field, error.message)
        else:
            sign_in_delegate(request, delegate)
            if delegate.attends_day_two:
                return redirect(settings.DELEGATE_CHOOSE_URL)
            return redirect(settings.DELEGATE_HOME_URL)
    return render(request, "socex/register.html", {"form": form})


def privacy(request):
    return render(
        request,
        "socex/privacy.html",
        {
            "notice_version": PRIVACY_NOTICE_VERSION,
            "notice_updated": PRIVACY_NOTICE_UPDATED,
            "retention_days": settings.RETENTION_DAYS,
        },
    )


def accessibility(request):
    return render(request, "socex/accessibility.html")
