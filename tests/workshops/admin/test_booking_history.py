"""The booking history in the admin: organisers' move reasons are for organisers only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import BookingChange
from workshops.services.booking import book_sessions, move_delegate

REASON = "Epileptic – needs aisle seat"
HISTORY = reverse("admin:workshops_bookingchange_changelist")


@pytest.fixture
def moved(programme, four_sessions):
    """A delegate an organiser moved, giving a reason that speaks of their health."""
    delegate = DelegateFactory(event=programme["event"], last_name="Moved")
    book_sessions(delegate=delegate, sessions=four_sessions)
    move_delegate(
        delegate=delegate,
        from_session=four_sessions[0],
        to_session=programme["sessions"][(0, 1)],
        actor=AdminUserFactory(is_superuser=True),
        reason=REASON,
    )
    return delegate


def signed_in(client, group):
    client.force_login(AdminUserFactory(groups=[group]))
    return client


def pages(client, delegate):
    change = BookingChange.objects.get(reason=REASON)
    urls = [
        HISTORY,
        reverse("admin:workshops_bookingchange_change", args=[change.pk]),
        reverse("admin:registration_delegate_change", args=[delegate.pk]),
    ]
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200, 200]
    return [r.content.decode() for r in responses]


def test_staff_do_not_see_move_reasons_in_the_booking_history(client, moved):
    for page in pages(signed_in(client, "Staff"), moved):
        assert "Epileptic" not in page


def test_organisers_see_move_reasons_on_the_history_and_delegate_pages(client, moved):
    _history, change, delegate = pages(signed_in(client, "Organisers"), moved)
    assert REASON in change
    assert REASON in delegate


@pytest.mark.parametrize(
    "query", ["reason__icontains=epileptic", "reason=" + REASON, "reason__regex=^E"]
)
def test_staff_lookup_on_move_reasons_is_refused(client, moved, query):
    assert signed_in(client, "Staff").get(f"{HISTORY}?{query}").status_code == 400


def test_staff_search_does_not_reach_move_reasons(client, moved):
    response = signed_in(client, "Staff").get(HISTORY, {"q": "epileptic"})
    assert response.context["cl"].result_count == 0


def test_organisers_may_filter_history_by_reason(client, moved):
    response = signed_in(client, "Organisers").get(HISTORY, {"reason__icontains": "epileptic"})
    assert [c.delegate_id for c in response.context["cl"].result_list] == [moved.pk]


def test_only_organisers_hold_the_move_reasons_permission(db):
    holders = Group.objects.filter(permissions__codename="view_move_reasons")
    assert list(holders.values_list("name", flat=True)) == ["Organisers"]
