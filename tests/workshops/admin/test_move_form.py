"""The roster's Move form offers only sessions the move could go to."""

from django.urls import reverse

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.booking import book_sessions


def test_the_move_form_leaves_out_workshops_held_in_another_slot(client, programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)  # Workshop 3 in round 3
    client.force_login(AdminUserFactory(is_superuser=True))
    url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, delegate.pk])
    choices = client.get(url).context["form"].fields["to_session"].queryset
    assert {c.pk for c in choices} == {s[(0, 1)].pk, s[(0, 3)].pk}
    # Posting the refused one anyway is a form error, and the seat stays.
    response = client.post(url, {"to_session": s[(0, 2)].pk, "override": 0, "reason": ""})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert set(delegate.bookings.values_list("session_id", flat=True)) == {
        session.pk for session in four_sessions
    }
