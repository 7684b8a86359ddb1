"""A delegate changing their own workshops gets one change email; no change, no email."""

from outbox.models import OutgoingEmail
from tests.factories import DelegateFactory
from workshops.services.booking import book_sessions


def test_delegate_changing_workshops_gets_one_change_email_and_none_for_no_change(
    client, sign_in, programme, four_sessions
):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    OutgoingEmail.objects.all().delete()
    sign_in(delegate)
    s = programme["sessions"]

    same = client.post(
        "/booking/workshops/", {f"slot_{x.time_slot_id}": x.pk for x in four_sessions}, follow=True
    )
    assert "Nothing changed" in same.content.decode()
    # The booking page says so; not the page that says the timetable was emailed.
    assert same.redirect_chain[-1][0] == "/booking/"
    assert "We have emailed" not in same.content.decode()
    assert not OutgoingEmail.objects.filter(to=delegate.email).exists()

    changed = [s[(0, 1)], *four_sessions[1:]]
    client.post("/booking/workshops/", {f"slot_{x.time_slot_id}": x.pk for x in changed})
    (email,) = OutgoingEmail.objects.filter(to=delegate.email)
    assert email.subject == "Strategic SOCEX 2019: your workshops have changed"
    assert "You have changed your workshops" in email.body_text
    assert "METHOD:REQUEST" in email.attachment_content
