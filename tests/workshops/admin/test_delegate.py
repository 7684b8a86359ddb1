import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, ManageLink
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.mail_backends import as_sent
from workshops.services.booking import book_sessions, cancel_registration

CHANGELIST = "admin:registration_delegate_changelist"


@pytest.fixture
def people(programme, four_sessions):
    """Named delegates: booked, incomplete (one seat), unbooked, day-one only, cancelled."""
    event = programme["event"]
    police = AgencyFactory(name="Warwickshire Police", kind=Agency.Kind.POLICE_FORCE)
    typed = AgencyFactory(name="Drone Watch CIC", kind=Agency.Kind.OTHER, is_confirmed=False)
    booked = DelegateFactory(event=event, agency=police, last_name="Booked")
    book_sessions(delegate=booked, sessions=four_sessions)
    partial = DelegateFactory(event=event, agency=police, last_name="Partial")
    # Delegates choose all or nothing; one seat left is what a deleted session leaves behind.
    s = programme["sessions"]
    others = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    book_sessions(delegate=partial, sessions=others)
    for session in others[1:]:
        session.delete()
    unbooked = DelegateFactory(
        event=event, agency=typed, last_name="Unbooked", dietary_requirements="Vegan"
    )
    day_one = DelegateFactory(
        event=event,
        agency=police,
        last_name="Dayone",
        attends_day_two=False,
        accessibility_needs="Step-free access",
    )
    cancelled = DelegateFactory(event=event, agency=typed, last_name="Cancelled")
    cancel_registration(delegate=cancelled)
    return {
        "booked": booked,
        "partial": partial,
        "unbooked": unbooked,
        "day_one": day_one,
        "cancelled": cancelled,
        "typed": typed,
    }


def listed(client, query=""):
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return sorted(d.last_name for d in response.context["cl"].result_list)


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(is_superuser=True))
    return client


def test_choices_incomplete_filter_lists_day_two_delegates_short_of_choices(
    organiser_client, people
):
    assert listed(organiser_client, "?choices=incomplete") == ["Partial", "Unbooked"]


def test_choices_complete_filter_lists_fully_booked(organiser_client, programme, people):
    programme["event"].choices_required = 1
    programme["event"].save()
    assert listed(organiser_client, "?choices=complete") == ["Booked", "Partial"]


def test_search_by_agency_name_and_full_name(organiser_client, people):
    assert listed(organiser_client, "?q=drone+watch") == ["Cancelled", "Unbooked"]
    name = people["booked"]
    assert listed(organiser_client, f"?q={name.first_name}+Booked") == ["Booked"]


def test_agency_and_day_filters(organiser_client, people):
    assert listed(organiser_client, f"?agency__id__exact={people['typed'].pk}") == [
        "Cancelled",
        "Unbooked",
    ]
    assert listed(organiser_client, "?attends_day_two__exact=0") == ["Dayone"]
    assert listed(organiser_client, "?status__exact=cancelled") == ["Cancelled"]


def test_needs_filter_for_view_needs_holder(client, people):
    client.force_login(
        AdminUserFactory(permissions=["registration.view_delegate", "registration.view_needs"])
    )
    assert listed(client, "?needs=any") == ["Dayone", "Unbooked"]
    assert listed(client, "?needs=dietary") == ["Unbooked"]
    assert listed(client, "?needs=access") == ["Dayone"]


def test_needs_filter_hidden_without_view_needs(client, people):
    client.force_login(AdminUserFactory(permissions=["registration.view_delegate"]))
    response = client.get(reverse(CHANGELIST))
    assert "dietary or accessibility needs" not in response.content.decode()
    # A hand-typed filter is refused rather than quietly revealing who has needs.
    response = client.get(reverse(CHANGELIST) + "?needs=any")
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def changelist_queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST) + query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?choices=incomplete", "?q=police&attends_day_two__exact=1"])
def test_changelist_query_count_does_not_grow_with_delegates(
    organiser_client, programme, four_sessions, query
):
    event = programme["event"]
    agency = AgencyFactory(name="Police Scotland", kind=Agency.Kind.POLICE_FORCE)
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=event, agency=agency), sessions=four_sessions)
        DelegateFactory(event=event)
    small = changelist_queries(organiser_client, query)
    for _ in range(20):
        DelegateFactory(event=event, agency=AgencyFactory())
    assert changelist_queries(organiser_client, query) == small


def run_action(client, action, delegates):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [d.pk for d in delegates], "confirm_cancel": "yes"},
        follow=True,
    )


def test_confirm_agency_action_confirms_typed_in_agency(organiser_client, people):
    response = run_action(organiser_client, "confirm_typed_in_agencies", [people["unbooked"]])
    people["typed"].refresh_from_db()
    assert people["typed"].is_confirmed is True
    assert "1 agency was confirmed: Drone Watch CIC." in response.content.decode()


def test_confirm_agency_action_needs_agency_change_permission(client, people):
    client.force_login(
        AdminUserFactory(permissions=["registration.view_delegate", "registration.change_delegate"])
    )
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "confirm_typed_in_agencies" not in page
    run_action(client, "confirm_typed_in_agencies", [people["unbooked"]])
    people["typed"].refresh_from_db()
    assert people["typed"].is_confirmed is False


def test_reminder_action_emails_only_incomplete_day_two_delegates(organiser_client, people):
    OutgoingEmail.objects.all().delete()
    ManageLink.objects.all().delete()  # setting up their seats emailed them links
    selected = [people[k] for k in ("booked", "partial", "unbooked", "day_one", "cancelled")]
    response = run_action(organiser_client, "send_choice_reminders", selected)
    emails = OutgoingEmail.objects.order_by("to")
    assert [(e.to, e.subject) for e in emails] == sorted(
        (people[k].email, "Strategic SOCEX 2019: please choose your workshops")
        for k in ("partial", "unbooked")
    )
    partial_email = emails.get(to=people["partial"].email)
    assert "you hold 1 of the 4 workshops" in partial_email.body_text
    assert ManageLink.objects.filter(delegate=people["partial"]).count() == 1
    # The stored copy holds a placeholder; the mail server gets the link (outbox.sealing).
    assert "http://127.0.0.1:8000/booking/" not in partial_email.body_text
    assert "http://127.0.0.1:8000/booking/" in as_sent(partial_email)
    assert (
        "A reminder was queued to 2 delegates. 3 delegates were skipped "
        "(choices complete, cancelled or day one only)." in response.content.decode()
    )


def test_resend_confirmation_action_sends_the_right_email(organiser_client, people):
    OutgoingEmail.objects.all().delete()
    run_action(
        organiser_client,
        "resend_confirmations",
        [people["booked"], people["unbooked"], people["cancelled"]],
    )
    by_email = {d.email: d for d in people.values() if hasattr(d, "email")}
    assert sorted((by_email[e.to].last_name, e.subject) for e in OutgoingEmail.objects.all()) == [
        ("Booked", "Strategic SOCEX 2019: your workshops are booked"),
        ("Unbooked", "Strategic SOCEX 2019: you are registered"),
    ]
    confirmation = OutgoingEmail.objects.get(to=people["booked"].email)
    assert confirmation.attachment_name == "socex-timetable.ics"


def test_actions_refused_for_view_only_staff(client, people):
    client.force_login(AdminUserFactory(permissions=["registration.view_delegate"]))
    OutgoingEmail.objects.all().delete()
    run_action(client, "send_choice_reminders", [people["unbooked"]])
    run_action(client, "cancel_registrations", [people["unbooked"]])
    assert OutgoingEmail.objects.count() == 0
    people["unbooked"].refresh_from_db()
    assert people["unbooked"].is_active


def test_admin_pages_showing_delegates_are_not_stored(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], dietary_requirements="Vegan")
    book_sessions(delegate=delegate, sessions=four_sessions)
    client.force_login(AdminUserFactory(is_superuser=True))
    addresses = [
        reverse(CHANGELIST),
        reverse("admin:registration_delegate_change", args=[delegate.pk]),
        reverse("admin:registration_delegate_workshops", args=[delegate.pk]),
        reverse("admin:workshops_session_change", args=[four_sessions[0].pk]),
        reverse("admin_dashboard"),
        reverse("exports:event_download", args=["catering", "csv"]),
    ]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        assert "no-store" in response["Cache-Control"], address


def test_admin_added_delegate_is_confirmed_and_can_book_at_once(
    organiser_client, programme, four_sessions
):
    agency = AgencyFactory(name="Warwickshire Police")
    page = organiser_client.get(reverse("admin:registration_delegate_add"))
    form = page.context["adminform"].form
    data = {
        "event": programme["event"].pk,
        "first_name": "Walk",
        "last_name": "In",
        "email": "walk.in@warwickshire.police.uk",
        "agency": agency.pk,
        "job_title": "Inspector",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "badge_name": "Walk In",
        "added_basis": "walk_in",
        "address_known": "on",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    response = organiser_client.post(reverse("admin:registration_delegate_add"), data)
    assert response.status_code == 302, form.errors or response.context["adminform"].form.errors
    delegate = Delegate.objects.get(email="walk.in@warwickshire.police.uk")
    assert delegate.email_confirmed_at is not None
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert delegate.bookings.count() == 4


def test_confirm_email_addresses_action_confirms_unconfirmed(organiser_client, programme):
    waiting = DelegateFactory(event=programme["event"], unconfirmed=True)
    response = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "confirm_email_addresses", "_selected_action": [waiting.pk]},
        follow=True,
    )
    assert "1 email address was confirmed." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.email_confirmed_at is not None


def test_admin_add_delegate_with_a_registered_address_in_other_capitals_says_so(
    organiser_client, programme
):
    taken = DelegateFactory(event=programme["event"], email="bob.smith@kent.police.uk")
    page = organiser_client.get(reverse("admin:registration_delegate_add"))
    data = {
        "event": programme["event"].pk,
        "first_name": "Bob",
        "last_name": "Again",
        "email": "BOB.Smith@kent.police.uk",
        "agency": taken.agency_id,
        "job_title": "Inspector",
        "attends_day_one": "on",
        "badge_name": "Bob",
        "status": "registered",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    response = organiser_client.post(reverse("admin:registration_delegate_add"), data)
    assert response.status_code == 200
    assert "A delegate with this email address is already registered for this event." in (
        response.content.decode()
    )
    assert Delegate.objects.filter(email="bob.smith@kent.police.uk").count() == 1


def test_reminder_action_skips_delegates_who_can_no_longer_change_and_says_why(
    organiser_client, people
):
    event = people["unbooked"].event
    event.changes_close_at = timezone.now() - datetime.timedelta(minutes=1)  # on the day
    event.save()
    OutgoingEmail.objects.all().delete()
    selected = [people[k] for k in ("booked", "partial", "unbooked")]
    response = run_action(organiser_client, "send_choice_reminders", selected)
    assert OutgoingEmail.objects.count() == 0
    assert (
        "A reminder was queued to 0 delegates. 2 delegates were skipped: changes to workshops "
        "have closed, so they can no longer choose online. 1 delegate was skipped (choices "
        "complete, cancelled or day one only)." in response.content.decode()
    )
