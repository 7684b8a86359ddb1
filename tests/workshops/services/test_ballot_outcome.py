"""Publishing the ballot tells everyone it leaves short what happened and what they can do."""

import datetime

import pytest
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.factories import DelegateFactory, rank_workshops
from tests.mail_backends import as_sent
from workshops.services.ballot import AllocationRefused, publish_allocation
from workshops.services.ballot_runs import run_allocation

OUTCOME_SUBJECT = "Strategic SOCEX 2019: the workshop ballot is done: what it means for you"


def ranked(event, workshops, count):
    delegates = []
    for n in range(count):
        delegate = DelegateFactory(event=event)
        rank_workshops(delegate, workshops[n % 8 :] + workshops[: n % 8])
        delegates.append(delegate)
    return delegates


def outcome_emails():
    return {e.to: as_sent(e) for e in OutgoingEmail.objects.filter(subject=OUTCOME_SUBJECT)}


@pytest.fixture
def crowded(ballot_event, programme, close_ballot):
    """Ten ranked delegates for eight seats a round, one who never ranked, and bystanders."""
    delegates = ranked(ballot_event, programme["workshops"], 10)
    never_ranked = DelegateFactory(event=ballot_event, last_name="Neverranked")
    DelegateFactory(event=ballot_event, attends_day_two=False, last_name="Dayone")
    DelegateFactory(event=ballot_event, unconfirmed=True, last_name="Unconfirmed")
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=4)
    short = [d for d in delegates if d.pk in run.report["incomplete"]]
    assert len(short) == 2
    return {"run": run, "short": short, "never_ranked": never_ranked}


def test_publish_emails_each_delegate_left_short_and_each_who_never_ranked(crowded, ballot_event):
    publish_allocation(run=crowded["run"])
    emails = outcome_emails()
    short, never_ranked = crowded["short"], crowded["never_ranked"]
    assert sorted(emails) == sorted([d.email for d in short] + [never_ranked.email])
    for delegate in short:
        body = emails[delegate.email]
        assert "the workshops you ranked filled up" in body
        assert "You hold 0 of the 4 workshops" in body
        assert "Join the waiting list of the workshops you want" in body
        assert f"Contact the organisers at {ballot_event.contact_email} if none" in body
        assert "http://127.0.0.1:8000/booking/link/" in body
    assert "You did not rank the workshops before the ballot closed" in emails[never_ranked.email]


def test_publishing_again_never_emails_again(crowded, ballot_event):
    publish_allocation(run=crowded["run"])
    before = OutgoingEmail.objects.count()
    with pytest.raises(AllocationRefused):
        publish_allocation(run=crowded["run"])
    with pytest.raises(AllocationRefused):
        publish_allocation(run=run_allocation(event=ballot_event, seed=5))
    assert OutgoingEmail.objects.count() == before
    assert len(outcome_emails()) == 3


def test_left_out_delegate_may_choose_when_a_full_set_is_free(
    ballot_event, programme, close_ballot
):
    ranked(ballot_event, programme["workshops"], 3)
    never_ranked = DelegateFactory(event=ballot_event)
    close_ballot(ballot_event)
    publish_allocation(run=run_allocation(event=ballot_event, seed=1))
    body = outcome_emails()[never_ranked.email]
    assert "Choose your workshops from those that still have places" in body


def test_when_no_full_set_is_left_the_email_says_so(crowded):
    publish_allocation(run=crowded["run"])
    body = outcome_emails()[crowded["short"][0].email]
    assert "No full set of 4 different workshops has places left at the moment" in body
    assert "Choose your workshops from those" not in body


def test_with_changes_closed_the_email_sends_them_to_the_organisers(crowded, ballot_event):
    ballot_event.changes_close_at = timezone.now() - datetime.timedelta(seconds=1)
    ballot_event.save()
    publish_allocation(run=crowded["run"], now=timezone.now())
    body = outcome_emails()[crowded["never_ranked"].email]
    assert "changes to bookings are closed, so they can help you" in body
    assert "Join the waiting list" not in body


def test_manage_page_of_a_delegate_left_short_says_what_happened(crowded, sign_in):
    publish_allocation(run=crowded["run"])
    page = sign_in(crowded["short"][0]).get("/booking/").content.decode()
    assert "The workshop ballot was published on" in page
    assert "The workshops you ranked filled up" in page
    assert "Join the waiting list" in page
    assert "You have chosen 0 of 4" not in page


def test_manage_page_of_a_delegate_who_never_ranked_says_so(crowded, sign_in):
    publish_allocation(run=crowded["run"])
    page = sign_in(crowded["never_ranked"]).get("/booking/").content.decode()
    assert "You did not rank the workshops before the ballot closed" in page
    assert "You have chosen 0 of 4" not in page


def test_manage_page_of_someone_registered_after_publishing_asks_them_to_choose(
    crowded, ballot_event, sign_in
):
    publish_allocation(run=crowded["run"])
    later = DelegateFactory(event=ballot_event)
    page = sign_in(later).get("/booking/").content.decode()
    assert "You have chosen 0 of 4" in page
    assert "ballot" not in page.lower()


def test_pending_and_day_one_delegates_get_no_ballot_email(crowded, ballot_event):
    Delegate.objects.filter(last_name="Neverranked").update(status=Delegate.Status.PENDING)
    publish_allocation(run=crowded["run"])
    assert sorted(outcome_emails()) == sorted(d.email for d in crowded["short"])
