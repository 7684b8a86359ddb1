import pytest
from django.urls import reverse

from registration.models import Agency, Delegate
from registration.views.access import sign_in_delegate
from tests.factories import AgencyFactory, DelegateFactory
from tests.jobs import run_queued_jobs


def form_data(agency, email, **extra):
    return {
        "first_name": "Sam",
        "last_name": "Taylor",
        "email": email,
        "job_title": "Analyst",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "privacy_accepted": "on",
        **extra,
    }


@pytest.fixture
def kent(db):
    return AgencyFactory(
        name="Kent Police", admission=Agency.Admission.EMAIL_DOMAIN, email_domains="police.uk"
    )


def test_register_view_other_email_shows_how_to_qualify(client, event, kent):
    response = client.post(reverse("register"), form_data(kent, "sam@gmail.com"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Use your work email address at Kent Police, or enter an invitation code."
    ]
    assert Delegate.objects.count() == 0


def test_register_view_bad_code_error_is_on_code_field(client, event, kent):
    data = form_data(kent, "sam@kent.police.uk", invitation_code="WRONG")
    response = client.post(reverse("register"), data)
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["invitation_code"][0]
        .startswith("We do not recognise this invitation code.")
    )
    assert Delegate.objects.count() == 0


def test_register_view_matching_email_registers(client, event, kent):
    response = client.post(reverse("register"), form_data(kent, "sam@kent.police.uk"))
    assert response.status_code == 303
    run_queued_jobs()
    assert Delegate.objects.get().status == Delegate.Status.REGISTERED


def test_register_page_has_invitation_code_field(client, event):
    response = client.get(reverse("register"))
    assert b'name="invitation_code"' in response.content


def test_choose_page_pending_delegate_explains_and_offers_no_form(client, programme):
    delegate = DelegateFactory(event=programme["event"], status=Delegate.Status.PENDING)
    session = client.session
    session["socex_delegate_id"] = delegate.pk
    session.save()
    response = client.get(reverse("workshops:choose"))
    assert response.status_code == 200
    assert b"your registration is awaiting an organiser's approval" in response.content
    assert b'type="radio"' not in response.content


def test_choose_post_pending_delegate_books_nothing(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], status=Delegate.Status.PENDING)
    session = client.session
    session["socex_delegate_id"] = delegate.pk
    session.save()
    data = {f"slot_{s.time_slot_id}": str(s.pk) for s in four_sessions}
    response = client.post(reverse("workshops:choose"), data)
    assert response.status_code == 200
    assert delegate.bookings.count() == 0


def test_manage_page_pending_delegate_sees_awaiting_approval(client, event):
    delegate = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    session = client.session
    session["socex_delegate_id"] = delegate.pk
    session.save()
    response = client.get(reverse("workshops:manage"))
    assert b"Awaiting approval" in response.content
    assert reverse("workshops:choose").encode() not in response.content


def test_admin_approve_action_approves_only_pending(admin_client, event):
    pending = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    cancelled = DelegateFactory(event=event, status=Delegate.Status.CANCELLED)
    response = admin_client.post(
        reverse("admin:registration_delegate_changelist"),
        {"action": "approve_registrations", "_selected_action": [pending.pk, cancelled.pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    cancelled.refresh_from_db()
    assert (pending.status, cancelled.status) == ("registered", "cancelled")
    assert (
        "1 registration was approved. 1 was not awaiting approval and was left alone."
        in response.content.decode()
    )


def test_sign_in_delegate_helper_is_the_session_key_used_above(rf, event):
    # Guards the tests above, which set the session key by hand.
    request = rf.get("/")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    delegate = DelegateFactory(event=event)
    sign_in_delegate(request, delegate)
    assert request.session["socex_delegate_id"] == delegate.pk
