"""Confirming an address: the emailed code, its limits, the link, and who counts as confirmed."""

import datetime

import pytest
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate, EmailConfirmation
from registration.services.confirmation import (
    CODE_SPENT,
    WRONG_CODE,
    CodeRefused,
    confirm_with_code,
    issue_confirmation_code,
    resend_confirmation_code,
)
from tests import registering
from tests.confirmation import emailed_code
from tests.factories import AgencyFactory, DelegateFactory
from tests.mail_backends import as_sent

EMAIL = "sam.taylor@kent.police.uk"


def register(event, email=EMAIL, **details):
    return registering.register(
        event, email, agency_id=AgencyFactory(name="Kent Police").pk, **details
    )


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_register_delegate_new_address_is_unconfirmed_and_emailed_a_code(event):
    delegate = register(event)
    assert delegate.email_confirmed_at is None
    message = OutgoingEmail.objects.get()
    assert message.subject == "Strategic SOCEX 2019: your confirmation code"
    code = emailed_code(EMAIL)
    # A credential: sealed in the outbox, only a keyed hash in the code table.
    assert code not in message.body_text
    assert code not in message.body_html
    assert code in as_sent(message)
    assert EmailConfirmation.objects.get().code_hash not in (code, "")
    assert "/booking/link/" in as_sent(message)


def test_confirm_with_code_confirms_and_spends_the_code(event):
    delegate = register(event)
    code = emailed_code(EMAIL)
    confirmed = confirm_with_code(event=event, email=" Sam.Taylor@KENT.police.uk ", code=code)
    assert confirmed.pk == delegate.pk
    assert confirmed.email_confirmed_at is not None
    with pytest.raises(CodeRefused):
        confirm_with_code(event=event, email=EMAIL, code=code)  # it works once


def test_confirm_with_code_wrong_five_times_spends_the_code(event, settings):
    settings.CONFIRMATION_CODE_ATTEMPTS = 5
    register(event)
    code = emailed_code(EMAIL)
    messages = []
    for _ in range(5):
        with pytest.raises(CodeRefused) as caught:
            confirm_with_code(event=event, email=EMAIL, code=wrong(code))
        messages.append(caught.value.message)
    assert messages == [WRONG_CODE] * 4 + [CODE_SPENT]
    with pytest.raises(CodeRefused) as caught:
        confirm_with_code(event=event, email=EMAIL, code=code)
    assert caught.value.message.startswith("This code no longer works")
    assert Delegate.objects.get().email_confirmed_at is None

    resend_confirmation_code(event=event, email=EMAIL)
    assert confirm_with_code(event=event, email=EMAIL, code=emailed_code(EMAIL)).email_is_confirmed


def test_confirm_with_code_expired_is_refused(event, settings):
    settings.CONFIRMATION_CODE_MINUTES = 15
    register(event)
    code = emailed_code(EMAIL)
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    with pytest.raises(CodeRefused) as caught:
        confirm_with_code(event=event, email=EMAIL, code=code, now=later)
    assert caught.value.message == (
        "This code no longer works: codes last 15 minutes and only the newest one works. "
        "Send yourself a new one below."
    )
    assert Delegate.objects.get().email_confirmed_at is None


def test_issue_confirmation_code_only_the_newest_code_works(event):
    delegate = register(event)
    old = emailed_code(EMAIL)
    new = issue_confirmation_code(delegate=delegate)
    if new != old:  # one chance in a million that they are the same
        with pytest.raises(CodeRefused):
            confirm_with_code(event=event, email=EMAIL, code=old)
    assert confirm_with_code(event=event, email=EMAIL, code=new).email_is_confirmed


def test_confirm_with_code_unregistered_address_is_refused_like_an_expired_code(event):
    with pytest.raises(CodeRefused) as caught:
        confirm_with_code(event=event, email="nobody@police.uk", code="123456")
    assert caught.value.message.startswith("This code no longer works")


def test_register_delegate_registered_address_emails_the_owner_and_registers_nothing(event):
    owner = DelegateFactory(event=event, email=EMAIL, first_name="Ola")
    assert register(event, first_name="Mallory").pk == owner.pk
    assert Delegate.objects.count() == 1
    assert Delegate.objects.get().first_name == "Ola"
    message = OutgoingEmail.objects.get()
    assert message.to == EMAIL
    assert message.subject == "Strategic SOCEX 2019: someone tried to register with your address"
    body = as_sent(message)
    assert "no second registration was made" in body
    assert "/booking/link/" in body
    # Typing that code opens the owner's registration, as the link would.
    assert confirm_with_code(event=event, email=EMAIL, code=emailed_code(EMAIL)).pk == owner.pk


def test_register_delegate_unconfirmed_registered_address_gets_a_code_for_the_new_details(event):
    first = register(event)
    second = register(event, first_name="Again")
    assert second.pk != first.pk
    assert list(Delegate.objects.values_list("first_name", flat=True)) == ["Again"]
    # The first registration's email went with it; the one left is for the new details.
    assert OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your confirmation code"
    assert confirm_with_code(event=event, email=EMAIL, code=emailed_code(EMAIL)).pk == second.pk


def test_resend_confirmation_code_unregistered_address_sends_nothing(event):
    assert resend_confirmation_code(event=event, email="nobody@police.uk") is None
    assert OutgoingEmail.objects.count() == 0
