"""A facilitator's double click: the same email sent from two requests at once goes once.
Needs real row locks: PostgreSQL."""

import pytest

from outbox.models import OutgoingEmail
from tests.attending import booked_delegate
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import FacilitatorFactory
from workshops.models import Announcement
from workshops.services.facilitator import FacilitatorError, send_facilitator_email

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


def test_race_the_same_email_twice_at_once_is_sent_once(programme):
    s = programme["sessions"]
    facilitator = FacilitatorFactory(
        event=programme["event"], workshops=[programme["workshops"][0]]
    )
    for keys in [[(0, 0), (1, 4), (2, 2), (3, 6)], [(0, 0), (1, 5), (2, 3), (3, 7)]]:
        booked_delegate(programme["event"], [s[k] for k in keys])
    OutgoingEmail.objects.all().delete()

    def send():
        return send_facilitator_email(
            facilitator=facilitator, session=s[(0, 0)], audience="session", subject="Hi", body="Hi"
        )

    results = run_at_once([send] * 4)
    refused = [r for r in results if isinstance(r, FacilitatorError)]
    assert len(refused) == 3, results
    assert Announcement.objects.count() == 1
    assert OutgoingEmail.objects.count() == 2  # each of the two booked, once
