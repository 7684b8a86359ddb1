"""Facilitators' pages, under /facilitate/: sign-in by emailed link, sessions, rosters, emails.

Pages take a session id only to pick one of the signed-in facilitator's own
sessions (`workshops.services.facilitator.facilitator_session`); any other id is
a 404, whatever is typed. Check-in at their rooms is the check-in page itself
(`workshops.views.checkin`), scoped to their sessions' doors.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socex.ratelimit import over_limit, rate_limited
from socex.site_url import site_url
from worker.sealed import seal_arguments
from workshops.forms.facilitator import RequestFacilitatorLinkForm, SessionEmailForm
from workshops.models import Session
from workshops.services.facilitator import (
    FacilitatorError,
    draft_email,
    facilitator_session,
    facilitator_sessions,
    find_usable_facilitator_link,
    preview_email,
    send_facilitator_email,
    session_roster,
    spend_facilitator_link,
)
from workshops.services.feedback import questions_for, survey_results
from workshops.tasks import send_facilitator_link_to
from workshops.views.facilitator_access import facilitator_required, sign_in_facilitator


# never_cache: the answer repeats the address typed in.
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("link")
def request_link(request):
    form = RequestFacilitatorLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Same page, same work whether or not the address is a facilitator's: the
        # look-up and the email happen in a worker (workshops.tasks).
        send_facilitator_link_to.enqueue(sealed=seal_arguments(email=email), origin=site_url())
        return render(request, "socex/facilitator_link_sent.html", {"email": email})
    return render(request, "socex/facilitator_request_link.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request, token):
    """Show a button that spends the link; a GET never spends it (mail scanners follow links)."""
    link = find_usable_facilitator_link(token)
    if link is not None and request.method == "POST" and spend_facilitator_link(link=link):
        sign_in_facilitator(request, link.facilitator)
        return redirect("facilitators:home")
    if link is None or request.method == "POST":
        return render(
            request, "socex/facilitator_link_invalid.html", {"form": RequestFacilitatorLinkForm()}
        )
    return render(request, "socex/facilitator_open_link.html", {"facilitator": link.facilitator})


@require_POST
def sign_out(request):
    request.session.flush()
    messages.success(request, "You have signed out.")
    return redirect("facilitators:request_link")


@facilitator_required
@require_GET
def home(request):
    facilitator = request.facilitator
    sessions = facilitator_sessions(facilitator).annotate(
        booked=Count("bookings", distinct=True),
        arrived=Count("checkins", filter=Q(checkins__admitted=True), distinct=True),
    )
    return render(
        request, "socex/facilitator_home.html", {"facilitator": facilitator, "sessions": sessions}
    )


def own_session(request, session_id):
    try:
        return facilitator_session(facilitator=request.facilitator, session_id=session_id)
    except FacilitatorError:
        raise Http404("Not one of your sessions.") from None


def checkin_url(session):
    return f"{reverse('checkin:page')}?{urlencode({'door': f'session:{session.pk}'})}"


@facilitator_required
@require_GET
def session(request, session_id):
    session = own_session(request, session_id)
    roster = session_roster(facilitator=request.facilitator, session=session)
    now = timezone.now()
    # The session's feedback once it has ended: anonymous unless a delegate chose otherwise.
    ended = session.time_slot.ends_at <= now
    return render(
        request,
        "socex/facilitator_session.html",
        {
            "facilitator": request.facilitator,
            "session": session,
            "roster": roster,
            "checkin_url": checkin_url(session),
            "now": now,
            "ended": ended,
            "feedback": survey_results(Session.objects.filter(pk=session.pk)) if ended else None,
            "questions": questions_for(session.time_slot.event) if ended else None,
        },
    )


def email_limited(facilitator):
    """Whether `facilitator` has sent too many emails lately (each reaches a whole session)."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    return over_limit(
        scope="facilitator_email",
        kind="facilitator",
        value=str(facilitator.pk),
        rate=settings.RATE_LIMITS["facilitator_email"],
    )


@facilitator_required
@require_http_methods(["GET", "POST"])
def session_email(request, session_id):
    """Write, preview, then send an email to the session's people (the send button posts again)."""
    facilitator = request.facilitator
    session = own_session(request, session_id)
    form = SessionEmailForm(request.POST if request.method == "POST" else None)
    context = {"facilitator": facilitator, "session": session, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = draft_email(facilitator=facilitator, session=session, **data)
            if "send" not in request.POST:
                recipients, text, _html = preview_email(announcement=draft)
                context.update(preview=draft, recipients=recipients, preview_text=text)
                return render(request, "socex/facilitator_email.html", context)
            if email_limited(facilitator):
                form.add_error(None, "You have sent several emails lately: wait an hour.")
                response = render(request, "socex/facilitator_email.html", context, status=429)
                return response
            _announcement, sent = send_facilitator_email(
                facilitator=facilitator, session=session, **data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except FacilitatorError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Your email is on its way to {len(sent)} delegate(s).")
            return redirect("facilitators:session", session_id=session.pk)
    return render(request, "socex/facilitator_email.html", context)
