"""Property-based: hostile choice submissions and link requests never break the site.

A choice submission ends in a 200 with errors and the delegate's seats as they
were, or a redirect after a complete, valid set of seats. A link request always
answers 200 and writes a link and an email only for a registered address.
"""

from contextlib import contextmanager
from urllib.parse import quote

from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from outbox.models import OutgoingEmail
from registration.models import ManageLink
from registration.views.access import SESSION_KEY
from tests.factories import DelegateFactory, EventFactory, SessionFactory, WorkshopFactory
from tests.jobs import run_queued_jobs
from workshops.models import Booking
from workshops.services.booking import book_sessions

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOT_IDS = [
    "",
    " ",
    "abc",
    "1.5",
    "-1",
    "0",
    "1e3",
    "=1+1",
    "٣",
    "99999999999999999999999",
    "x" * 5000,
]


@contextmanager
def rolled_back():
    """Each example starts from the fixture's rows: its writes are undone when it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def sign_in(client, delegate):
    client.cookies.clear()  # the last example's session row was rolled back
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()


def seats(delegate):
    return set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


@SETTINGS
@given(data=st.data())
def test_choose_hostile_input_never_errors_or_books_partly(client, programme, four_sessions, data):
    with rolled_back():
        event_ = programme["event"]
        slots = programme["slots"]
        sessions = programme["sessions"]
        delegate = DelegateFactory(event=event_)
        sign_in(client, delegate)
        if data.draw(st.booleans(), label="already booked"):
            book_sessions(delegate=delegate, sessions=four_sessions)
        # Someone else's event, and a session that is full.
        other_event = EventFactory(name="Another event", is_current=False)
        foreign = SessionFactory(workshop=WorkshopFactory(event=other_event))
        full = sessions[(1, 5)]
        for _ in range(full.capacity - Booking.objects.filter(session=full).count()):
            book_sessions(
                delegate=DelegateFactory(event=event_),
                sessions=[sessions[(0, 1)], full, sessions[(2, 3)], sessions[(3, 7)]],
            )

        ids = [str(s.pk) for s in sessions.values()] + [str(foreign.pk), "424242"]
        value = st.one_of(st.sampled_from(ids), st.sampled_from(NOT_IDS), st.text(max_size=50))
        values = st.one_of(value, st.lists(st.sampled_from(ids), min_size=2, max_size=3))
        keys = [f"slot_{slot.pk}" for slot in slots]
        anything = st.dictionaries(
            st.one_of(st.sampled_from(keys), st.sampled_from(["slot_0", "slot_x", "slot_"])),
            values,
            max_size=6,
        )
        # One of the slot's own sessions per round: often a valid set, or a workshop twice.
        per_round = st.fixed_dictionaries(
            {
                f"slot_{slot.pk}": st.sampled_from(
                    [str(s.pk) for (r, _), s in sessions.items() if r == index]
                )
                for index, slot in enumerate(slots)
            }
        )
        payload = data.draw(st.one_of(anything, per_round), label="payload")

        held, total = seats(delegate), Booking.objects.count()
        response = client.post(reverse("workshops:choose"), payload)
        note(f"HTTP {response.status_code}")

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["form"].errors, (payload, response.content.decode()[:200])
            assert seats(delegate) == held
            assert Booking.objects.count() == total
        else:
            assert response["Location"].startswith(reverse("workshops:confirmed"))
            booked = list(Booking.objects.filter(delegate=delegate).select_related("session"))
            assert len(booked) == event_.choices_required
            assert len({b.time_slot_id for b in booked}) == len(booked)
            assert len({b.workshop_id for b in booked}) == len(booked)
            assert all(b.session.time_slot.event_id == event_.pk for b in booked)
            assert all(b.session.bookings.count() <= b.session.capacity for b in booked)


@SETTINGS
@given(
    email=st.one_of(
        st.sampled_from(
            [
                "registered@force.police.uk",
                " REGISTERED@Force.Police.UK ",
                "unknown@force.police.uk",
                '=HYPERLINK("x")@a.uk',
                "",
                "a\x00b@c.uk",
                "x" * 300 + "@a.uk",
                "İ@İ.example",
            ]
        ),
        st.emails().map(str),
        st.text(max_size=300),
        st.lists(st.text(max_size=20), min_size=2, max_size=3),
    )
)
def test_request_link_hostile_input_never_errors_or_leaks(client, event, email):
    with rolled_back():
        DelegateFactory(event=event, email="registered@force.police.uk")
        before = (ManageLink.objects.count(), OutgoingEmail.objects.count())
        response = client.post(reverse("registration:request_link"), {"email": email})
        event_name = (
            "errors" if "form" in response.context and response.context["form"].errors else ""
        )
        note(f"HTTP {response.status_code} {event_name}")
        assert response.status_code == 200
        run_queued_jobs()  # the worker looks the address up; a job that fails fails the test
        after = (ManageLink.objects.count(), OutgoingEmail.objects.count())
        registered = (
            isinstance(email, str) and email.strip().lower() == "registered@force.police.uk"
        )
        if registered:
            assert after == (before[0] + 1, before[1] + 1)
        else:
            assert after == before


@SETTINGS
@given(token=st.text(min_size=1, max_size=500).filter(lambda t: "/" not in t))
def test_open_link_hostile_token_shows_the_expired_page(client, event, token):
    with rolled_back():
        DelegateFactory(event=event)
        path = reverse("registration:open_link", args=["TOKEN"]).replace(
            "TOKEN", quote(token, safe="")
        )
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (200, 404)
            assert SESSION_KEY not in client.session
