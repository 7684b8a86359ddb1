"""Jobs that email a delegate found by address: a new booking link, a new code.

The worker looks the delegate up, then issues what it sends under the
delegate's lock, re-checking them there. These tests run the interleaving the
worker can meet, deterministically: the delegate is looked up, then erased,
anonymised, cancelled or moved to another address, and only then is the email
issued. Nothing may be sent to, or stored for, the address they left.
"""

import pytest

from outbox.models import OutgoingEmail
from registration.models import Delegate, EmailConfirmation, ManageLink
from registration.services.confirmation import resend_code_to_delegate, resend_confirmation_code
from registration.services.link_request import send_link_if_registered, send_link_to_delegate
from registration.services.privacy import anonymise_delegate, erase_delegate
from tests.factories import DelegateFactory


def erased(delegate):
    erase_delegate(delegate=delegate)


def anonymised(delegate):
    anonymise_delegate(delegate=delegate)


def cancelled(delegate):
    Delegate.objects.filter(pk=delegate.pk).update(status=Delegate.Status.CANCELLED)


def moved(delegate):
    Delegate.objects.filter(pk=delegate.pk).update(email="new.address@force.police.uk")


MEANWHILE = {"erased": erased, "anonymised": anonymised, "cancelled": cancelled, "moved": moved}


def sent_anything(delegate):
    return (
        ManageLink.objects.filter(delegate=delegate).exists()
        or EmailConfirmation.objects.filter(delegate=delegate).exists()
        or OutgoingEmail.objects.exists()
    )


@pytest.mark.parametrize("meanwhile", MEANWHILE.values(), ids=MEANWHILE.keys())
def test_send_link_to_a_delegate_gone_since_the_look_up_sends_nothing(event, meanwhile):
    delegate = DelegateFactory(event=event)
    looked_up = (delegate.pk, delegate.email)  # What the job found before the erasure.
    meanwhile(delegate)
    OutgoingEmail.objects.all().delete()
    assert send_link_to_delegate(delegate_id=looked_up[0], email=looked_up[1]) is False
    assert not sent_anything(delegate)


@pytest.mark.parametrize("meanwhile", MEANWHILE.values(), ids=MEANWHILE.keys())
def test_resend_code_to_a_delegate_gone_since_the_look_up_sends_nothing(event, meanwhile):
    delegate = DelegateFactory(event=event, unconfirmed=True)
    looked_up = (delegate.pk, delegate.email)
    meanwhile(delegate)
    OutgoingEmail.objects.all().delete()
    EmailConfirmation.objects.all().delete()
    assert resend_code_to_delegate(delegate_id=looked_up[0], email=looked_up[1]) is None
    assert not sent_anything(delegate)


def test_send_link_to_a_live_delegate_sends_one_link(event):
    delegate = DelegateFactory(event=event)
    assert send_link_if_registered(email=f" {delegate.email.upper()} ") is True
    assert ManageLink.objects.filter(delegate=delegate).count() == 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [delegate.email]


def test_resend_code_to_a_live_delegate_sends_one_code(event):
    delegate = DelegateFactory(event=event, unconfirmed=True)
    assert resend_confirmation_code(event=event, email=delegate.email) == delegate
    assert EmailConfirmation.objects.filter(delegate=delegate).count() == 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [delegate.email]
