import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, Invitation
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import (
    NotEligible,
    NotPending,
    approve_registration,
    email_matches_domains,
    parse_domains,
)
from registration.services.registration import register_delegate
from tests.factories import AgencyFactory, DelegateFactory, InvitationFactory
from tests.mail_backends import as_sent
from workshops.services.booking import NotBookable, book_sessions


def details(email, **overrides):
    return {
        "first_name": "Sam",
        "last_name": "Taylor",
        "email": email,
        "job_title": "Analyst",
        "phone": "",
        "attends_day_one": True,
        "attends_day_two": True,
        "dietary_requirements": "",
        "accessibility_needs": "",
        "badge_name": "",
        **overrides,
    }


def register(event, email, agency=None, code="", other_agency=""):
    return register_delegate(
        event=event,
        details=details(email),
        agency_id=agency.pk if agency else None,
        other_agency=other_agency,
        invitation_code=code,
    )


@pytest.fixture
def kent(db):
    return AgencyFactory(
        name="Kent Police", admission=Agency.Admission.EMAIL_DOMAIN, email_domains="kent.police.uk"
    )


def test_parse_domains_accepts_lines_commas_at_and_wildcards():
    assert parse_domains(" @Police.UK\n*.gov.uk , nca.gov.uk.\n\n") == [
        "police.uk",
        "gov.uk",
        "nca.gov.uk",
    ]


@pytest.mark.parametrize(
    ("email", "matches"),
    [
        ("a@kent.police.uk", True),
        ("a@KENT.POLICE.UK", True),
        ("a@cid.kent.police.uk", True),
        ("a@evilkent.police.uk", False),
        ("a@kent.police.uk.evil.example", False),
        ("a@police.uk", False),
        ("kent.police.uk@gmail.com", False),
    ],
)
def test_email_matches_domains_only_domain_and_subdomains(email, matches):
    assert email_matches_domains(email, ["kent.police.uk"]) is matches


def test_register_delegate_domain_agency_matching_email_is_registered(event, kent):
    delegate = register(event, "sam@kent.police.uk", kent)
    assert delegate.status == Delegate.Status.REGISTERED
    assert OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your confirmation code"


def test_register_delegate_domain_agency_other_email_is_refused(event, kent):
    with pytest.raises(NotEligible) as caught:
        register(event, "sam@gmail.com", kent)
    assert caught.value.message == (
        "Use your work email address at Kent Police, or enter an invitation code."
    )
    assert caught.value.field == "email"
    assert Delegate.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_register_delegate_domain_agency_valid_code_is_registered(event, kent):
    invitation = InvitationFactory(event=event, code="KENTGUEST")
    delegate = register(event, "sam@gmail.com", kent, code=" kentguest ")
    assert (delegate.status, delegate.invitation) == (Delegate.Status.REGISTERED, invitation)


def test_register_delegate_invitation_only_agency_without_code_is_refused(event):
    agency = AgencyFactory(
        name="Crimestoppers", admission=Agency.Admission.INVITATION, email_domains="cs.example"
    )
    with pytest.raises(NotEligible) as caught:
        register(event, "sam@cs.example", agency)
    assert caught.value.field == "invitation_code"
    assert caught.value.message == (
        "Registration for Crimestoppers is by invitation: enter the code from your invitation."
    )


def test_register_delegate_approval_agency_other_email_is_pending(event):
    agency = AgencyFactory(admission=Agency.Admission.APPROVAL, email_domains="nhs.net")
    delegate = register(event, "sam@hospital.example", agency)
    assert delegate.status == Delegate.Status.PENDING
    message = OutgoingEmail.objects.get()
    assert message.subject == "Strategic SOCEX 2019: your confirmation code"
    assert "An organiser also checks registrations like yours" in message.body_text


def test_register_delegate_approval_agency_matching_domain_is_registered(event):
    agency = AgencyFactory(admission=Agency.Admission.APPROVAL, email_domains="nhs.net")
    assert register(event, "sam@nhs.net", agency).status == Delegate.Status.REGISTERED


def test_register_delegate_typed_in_agency_is_pending(event):
    delegate = register(event, "sam@uni.example", other_agency="Institute of Drones")
    assert delegate.status == Delegate.Status.PENDING
    assert delegate.agency.is_confirmed is False


def test_register_delegate_typed_in_agency_with_unrestricted_code_is_registered(event):
    InvitationFactory(event=event, code="SPEAKER1")
    delegate = register(event, "sam@uni.example", other_agency="Institute", code="SPEAKER1")
    assert delegate.status == Delegate.Status.REGISTERED


def test_register_delegate_unknown_code_is_refused(event, kent):
    with pytest.raises(NotEligible) as caught:
        register(event, "sam@kent.police.uk", kent, code="NOPE")
    assert caught.value.field == "invitation_code"
    assert caught.value.message.startswith("We do not recognise this invitation code.")
    assert Delegate.objects.count() == 0


def test_register_delegate_code_of_another_event_is_refused(event, kent):
    InvitationFactory(code="ELSEWHERE")  # a different event
    with pytest.raises(NotEligible):
        register(event, "sam@gmail.com", kent, code="ELSEWHERE")


def test_register_delegate_expired_code_is_refused(event, kent):
    InvitationFactory(
        event=event, code="OLD", expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(NotEligible) as caught:
        register(event, "sam@gmail.com", kent, code="OLD")
    assert caught.value.message.startswith("This invitation code has expired.")


def test_register_delegate_code_for_other_agency_is_refused(event, kent):
    InvitationFactory(event=event, code="NCA", agency=AgencyFactory(name="National Crime Agency"))
    with pytest.raises(NotEligible) as caught:
        register(event, "sam@gmail.com", kent, code="NCA")
    assert caught.value.message == (
        "This invitation code is for National Crime Agency: select that agency."
    )


def test_register_delegate_single_use_code_is_refused_second_time(event, kent):
    InvitationFactory(event=event, code="ONCE")
    confirm_email_address(delegate=register(event, "first@gmail.com", kent, code="ONCE"))
    with pytest.raises(NotEligible) as caught:
        register(event, "second@gmail.com", kent, code="ONCE")
    assert caught.value.message.startswith("This invitation code has already been used.")
    assert Delegate.objects.count() == 1


def test_register_delegate_multi_use_code_allows_its_uses_and_cancelled_give_back(event, kent):
    InvitationFactory(event=event, code="TEAM", max_uses=2)
    confirm_email_address(delegate=register(event, "a@gmail.com", kent, code="TEAM"))
    second = confirm_email_address(delegate=register(event, "b@gmail.com", kent, code="TEAM"))
    with pytest.raises(NotEligible):
        register(event, "c@gmail.com", kent, code="TEAM")
    Delegate.objects.filter(pk=second.pk).update(status=Delegate.Status.CANCELLED)
    assert register(event, "c@gmail.com", kent, code="TEAM").invitation.code == "TEAM"


def test_invitation_save_normalises_code(event):
    invitation = Invitation.objects.create(event=event, code=" ab c1 ")
    assert invitation.code == "ABC1"


def test_invitation_default_code_is_ten_unambiguous_characters(event):
    code = Invitation.objects.create(event=event).code
    assert len(code) == 10
    assert not set(code) & set("01ILO")


def test_register_delegate_agency_place_limit_refuses_when_full(event, kent):
    kent.place_limit = 2
    kent.save()
    confirm_email_address(delegate=register(event, "a@kent.police.uk", kent))
    DelegateFactory(event=event, agency=kent, status=Delegate.Status.PENDING)
    with pytest.raises(NotEligible) as caught:
        register(event, "c@kent.police.uk", kent)
    assert caught.value.field == "agency"
    assert caught.value.message == (
        "All 2 places for Kent Police have been taken. Contact the organisers at "
        "events@socex.example if you need one."
    )
    assert Delegate.objects.filter(agency=kent).count() == 2


def test_register_delegate_agency_place_limit_ignores_cancelled(event, kent):
    kent.place_limit = 1
    kent.save()
    DelegateFactory(event=event, agency=kent, status=Delegate.Status.CANCELLED)
    assert register(event, "a@kent.police.uk", kent).status == Delegate.Status.REGISTERED


def test_register_delegate_unconfirmed_registrations_take_no_agency_place(event, kent):
    kent.place_limit = 1
    kent.save()
    made_up = [register(event, f"nobody{n}@kent.police.uk", kent) for n in range(3)]
    owner = register(event, "sam@kent.police.uk", kent)
    assert confirm_email_address(delegate=owner).email_is_confirmed
    with pytest.raises(NotEligible) as caught:
        confirm_email_address(delegate=made_up[0])
    assert caught.value.message == (
        "All 1 places for Kent Police have been taken. Contact the organisers at "
        "events@socex.example if you need one."
    )
    made_up[0].refresh_from_db()
    assert made_up[0].email_confirmed_at is None


def test_confirm_email_address_refuses_invitation_used_up_meanwhile(event, kent):
    InvitationFactory(event=event, code="ONCE")
    first = register(event, "first@gmail.com", kent, code="ONCE")
    second = register(event, "second@gmail.com", kent, code="ONCE")
    confirm_email_address(delegate=second)
    with pytest.raises(NotEligible) as caught:
        confirm_email_address(delegate=first)
    assert caught.value.field == "invitation_code"
    assert Delegate.objects.email_confirmed().filter(invitation__code="ONCE").count() == 1


def test_book_sessions_refuses_pending_delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], status=Delegate.Status.PENDING)
    with pytest.raises(NotBookable) as caught:
        book_sessions(delegate=delegate, sessions=four_sessions)
    assert caught.value.message.startswith("Your registration is awaiting an organiser's approval")
    assert delegate.bookings.count() == 0


def test_approve_registration_registers_and_emails_link(event):
    delegate = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    approve_registration(delegate=delegate)
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED
    assert (
        OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your registration is approved"
    )
    assert "/booking/link/" in as_sent(OutgoingEmail.objects.get())
    assert delegate.manage_links.count() == 1


def test_approve_registration_twice_refuses_and_sends_nothing_more(event):
    delegate = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    approve_registration(delegate=delegate)
    with pytest.raises(NotPending):
        approve_registration(delegate=delegate)
    assert OutgoingEmail.objects.count() == 1


def test_loaddata_socex2019_police_qualify_by_police_uk(db):
    call_command("loaddata", "socex2019", verbosity=0)
    kent = Agency.objects.get(name="Kent Police")
    assert (kent.admission, kent.email_domains) == (Agency.Admission.EMAIL_DOMAIN, "police.uk")
    assert Agency.objects.get(name="Home Office").email_domains == "gov.uk"
    assert Agency.objects.get(name="University of Warwick").admission == Agency.Admission.APPROVAL
