import re

import pytest

from tests.factories import DelegateFactory, SessionFactory
from tests.page_queries import sign_in
from workshops.forms.booking import choose_url_keeping
from workshops.models import WaitlistEntry
from workshops.services.booking import book_sessions


def booked(programme, *keys):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    return delegate


FULL_ROUND_ONE = [(0, 0), (1, 4), (2, 2), (3, 6)]
MINE = [(0, 1), (1, 5), (2, 3), (3, 7)]


def test_choose_page_offers_waiting_list_for_full_session_in_held_slot(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    sign_in(client, booked(programme, *MINE))

    html = client.get("/booking/workshops/").content.decode()

    assert html.count("Join the waiting list") == 4
    assert f'name="session" value="{s[(0, 0)].pk}"' in html


def test_choose_page_tells_a_first_time_chooser_full_sessions_have_a_waiting_list(
    client, programme
):
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    sign_in(client, DelegateFactory(event=programme["event"]))  # holds nothing yet

    html = client.get("/booking/workshops/").content.decode()

    # A wait is a swap of a seat held in the round: no button yet, but the list is named.
    assert "Join the waiting list" not in html
    assert html.count("This workshop has a waiting list: book a workshop in this round") == 4
    # Once booked, the buttons replace the hint.
    sign_in(client, booked(programme, *MINE))
    html = client.get("/booking/workshops/").content.decode()
    assert html.count("Join the waiting list") == 4
    assert "This workshop has a waiting list" not in html


def test_join_waitlist_post_adds_entry_and_shows_place(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    delegate = booked(programme, *MINE)
    sign_in(client, delegate)

    response = client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk}, follow=True)

    assert response.redirect_chain == [("/booking/workshops/", 302)]
    assert "You are number 1 on the waiting list for “Workshop 1”" in response.content.decode()
    assert list(WaitlistEntry.objects.values_list("delegate_id", "session_id")) == [
        (delegate.pk, s[(0, 0)].pk)
    ]
    manage = client.get("/booking/").content.decode()
    assert "you are number 1 on the waiting list" in manage


def test_join_waitlist_post_with_bad_session_changes_nothing(client, programme):
    sign_in(client, booked(programme, *MINE))

    response = client.post("/booking/waiting-list/join/", {"session": "x"}, follow=True)

    assert response.status_code == 200
    assert "That session no longer exists" in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_join_waitlist_post_refused_shows_the_reason(client, programme):
    s = programme["sessions"]
    sign_in(client, booked(programme, *MINE))

    response = client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk}, follow=True)

    assert "has a place free: choose it and book instead" in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_leave_waitlist_from_manage_page(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    sign_in(client, booked(programme, *MINE))
    client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk})

    response = client.post(
        "/booking/waiting-list/leave/", {"session": s[(0, 0)].pk, "next": "manage"}, follow=True
    )

    assert response.redirect_chain == [("/booking/", 302)]
    assert "You have left the waiting list for “Workshop 1”" in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_join_waitlist_requires_a_signed_in_delegate(client, programme):
    response = client.post("/booking/waiting-list/join/", {"session": "1"})
    assert response.status_code == 302
    assert response.url == "/booking/link/"


# Each would once reach int() or the database raw: "²".isdigit() is true, int() refuses
# more than 4,300 digits, and 20 digits overflow a database integer.
HOSTILE_SESSIONS = {
    "superscript-two": "²",
    "4301-digits": "9" * 4301,
    "20-digits": "9" * 20,
    "negative": "-1",
    "zero": "0",
    "exponent": "1e10",
    "empty": "",
    "nul": "\x00",
}


@pytest.fixture
def waiting(client, programme):
    """A signed-in delegate on round one's full Workshop 1 waiting list."""
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    sign_in(client, booked(programme, *MINE))
    client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk})
    return list(WaitlistEntry.objects.values_list("delegate_id", "session_id"))


@pytest.mark.parametrize("session", HOSTILE_SESSIONS.values(), ids=HOSTILE_SESSIONS.keys())
def test_join_waitlist_post_with_hostile_session_says_so_and_changes_nothing(
    client, waiting, session
):
    response = client.post("/booking/waiting-list/join/", {"session": session}, follow=True)

    assert response.redirect_chain == [("/booking/workshops/", 302)]
    assert "That session no longer exists; please choose again." in response.content.decode()
    assert list(WaitlistEntry.objects.values_list("delegate_id", "session_id")) == waiting


@pytest.mark.parametrize("session", HOSTILE_SESSIONS.values(), ids=HOSTILE_SESSIONS.keys())
def test_leave_waitlist_post_with_hostile_session_says_so_and_changes_nothing(
    client, waiting, session
):
    response = client.post(
        "/booking/waiting-list/leave/", {"session": session, "next": "manage"}, follow=True
    )

    assert response.redirect_chain == [("/booking/", 302)]
    assert "You were not on that waiting list." in response.content.decode()
    assert list(WaitlistEntry.objects.values_list("delegate_id", "session_id")) == waiting


def test_join_waitlist_post_with_another_events_session_changes_nothing(client, waiting):
    elsewhere = SessionFactory()

    response = client.post("/booking/waiting-list/join/", {"session": elsewhere.pk}, follow=True)

    assert "That session no longer exists; please choose again." in response.content.decode()
    assert list(WaitlistEntry.objects.values_list("delegate_id", "session_id")) == waiting


def radio(html, session):
    """The radio button of `session` on the choose page."""
    return re.search(rf'<input type="radio"[^>]* value="{session.pk}"[^>]*>', html).group(0)


def test_the_choose_address_keeps_choices_in_slot_order_whatever_the_digits():
    data = {"slot_1000": "7", "slot_999": "5", "slot_12": "3", "other": "1"}
    assert choose_url_keeping(data) == "/booking/workshops/?slot_12=3&slot_999=5&slot_1000=7"


def test_join_waitlist_keeps_the_unsaved_choices_of_the_form(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    delegate = booked(programme, *MINE)
    sign_in(client, delegate)
    slots = programme["slots"]
    # On the page: round 2 changed from Workshop 6 to Workshop 7, not booked yet; then
    # "Join the waiting list" for Workshop 1 in round 1 (the button posts the whole form).
    form = {
        f"slot_{slots[0].pk}": s[(0, 1)].pk,
        f"slot_{slots[1].pk}": s[(1, 6)].pk,
        f"slot_{slots[2].pk}": s[(2, 3)].pk,
        f"slot_{slots[3].pk}": s[(3, 7)].pk,
        "session": s[(0, 0)].pk,
    }

    response = client.post("/booking/waiting-list/join/", form, follow=True)

    ((url, status),) = response.redirect_chain
    assert (url, status) == (
        f"/booking/workshops/?slot_{slots[0].pk}={s[(0, 1)].pk}&slot_{slots[1].pk}={s[(1, 6)].pk}"
        f"&slot_{slots[2].pk}={s[(2, 3)].pk}&slot_{slots[3].pk}={s[(3, 7)].pk}",
        302,
    )
    html = response.content.decode()
    assert "Your other choices on this page are kept but not booked yet" in html
    assert " checked" in radio(html, s[(1, 6)])
    assert " checked" not in radio(html, s[(1, 5)])
    assert " checked" in radio(html, s[(0, 1)])
    # Nothing was booked: the seat held in round 2 is still Workshop 6.
    assert set(delegate.bookings.values_list("session_id", flat=True)) == {
        s[key].pk for key in MINE
    }


def test_choose_page_ignores_carried_choices_that_are_not_open(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    sign_in(client, booked(programme, *MINE))
    slots = programme["slots"]
    # A full session, a session of another round, and nonsense: the held seats stay chosen.
    query = (
        f"slot_{slots[0].pk}={s[(0, 0)].pk}&slot_{slots[1].pk}={s[(2, 2)].pk}"
        f"&slot_{slots[2].pk}=x&slot_{slots[3].pk}=99999999999"
    )

    html = client.get(f"/booking/workshops/?{query}").content.decode()

    for key in MINE:
        assert " checked" in radio(html, s[key])
    assert " checked" not in radio(html, s[(0, 0)])


def test_choose_page_no_waiting_list_for_a_workshop_held_in_another_round(client, programme):
    s = programme["sessions"]
    # Workshop 2 is full in round 4; the delegate already holds it in round 1.
    for _ in range(2):
        booked(programme, (0, 0), (1, 4), (2, 2), (3, 1))
    sign_in(client, booked(programme, *MINE))

    html = client.get("/booking/workshops/").content.decode()

    assert f'name="session" value="{s[(3, 1)].pk}"' not in html
    assert f'name="session" value="{s[(0, 0)].pk}"' in html


def test_choose_page_shows_the_place_of_each_session_waited_for(client, programme):
    s = programme["sessions"]
    booked(programme, *FULL_ROUND_ONE)
    booked(programme, *FULL_ROUND_ONE)
    first, second = booked(programme, *MINE), booked(programme, *MINE)
    for position, delegate in enumerate((first, second), start=1):
        WaitlistEntry.objects.create(
            delegate=delegate,
            session=s[(0, 0)],
            time_slot_id=s[(0, 0)].time_slot_id,
            position=position,
        )
    sign_in(client, second)

    html = client.get("/booking/workshops/").content.decode()

    assert html.count("You are number 2 on the waiting list.") == 1
    assert html.count("Leave the waiting list") == 1
    assert (
        f'formaction="/booking/waiting-list/leave/" name="session" value="{s[(0, 0)].pk}"' in html
    )
    assert html.count("Join the waiting list") == 3
