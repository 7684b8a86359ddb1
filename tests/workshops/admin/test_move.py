"""The admin page that moves a delegate between two sessions of one time slot."""

import pytest
from django.urls import reverse

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import Booking, BookingChange
from workshops.services.booking import book_sessions


@pytest.fixture
def booked(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    return delegate


@pytest.fixture
def move_url(programme, booked):
    return reverse(
        "admin:workshops_session_move", args=[programme["sessions"][(0, 0)].pk, booked.pk]
    )


def held(delegate):
    return set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


def test_move_page_reason_over_its_limit_gets_an_error_and_moves_nothing(
    client, programme, booked, move_url
):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(is_superuser=True))
    changes = BookingChange.objects.count()
    response = client.post(
        move_url, {"to_session": s[(0, 3)].pk, "override": 1, "reason": "x" * 1001}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Ensure this value has at most 1000 characters (it has 1001)."]
    }
    assert 'maxlength="1000"' in response.content.decode()
    assert s[(0, 0)].pk in held(booked)
    assert BookingChange.objects.count() == changes
