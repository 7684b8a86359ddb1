"""Real concurrency on PostgreSQL: threads on their own connections, and gunicorn processes.

Each test ends by checking the rules themselves: no session over capacity, every
delegate holding none or exactly a valid set, no duplicate and no lost booking,
and no error other than the domain's own refusals (over HTTP: no 5xx).
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from bench.rush_codes import code_from_database
from bench.rush_http import (
    VirtualDelegate,
    run_delegate,
    start_gunicorn,
    start_worker,
    stop_gunicorn,
)
from registration.models import Delegate
from tests.factories import AgencyFactory, DelegateFactory
from workshops.models import Booking, Session, WaitlistEntry
from workshops.services.booking import SessionFull, book_sessions, cancel_registration
from workshops.services.waitlist import join_waitlist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: set DATABASE_URL=postgres://…")


def run_together(calls):
    """Start every call at the same instant, each on its own thread and connection.

    Returns one result per call: its return value or the exception it raised.
    """
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            # Connect first, so that the transactions, not the connects, start together.
            connection.ensure_connection()
            barrier.wait()
            return call()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def assert_rules_hold(event):
    """No session over capacity; every active delegate holds nothing or a valid full set."""
    over = [
        s.pk for s in Session.objects.for_event(event).with_seats() if s.seats_taken > s.capacity
    ]
    assert over == []
    for delegate in Delegate.objects.filter(event=event):
        rows = list(Booking.objects.filter(delegate=delegate).select_related("session"))
        if not delegate.is_active:
            assert rows == []
            continue
        assert len(rows) in (0, event.choices_required)
        assert len({b.time_slot_id for b in rows}) == len(rows)
        assert len({b.workshop_id for b in rows}) == len(rows)
        assert all(b.session.time_slot_id == b.time_slot_id for b in rows)


def roomy(programme, capacity=100):
    """Make every session but the ones under test large, so only those are contested."""
    Session.objects.filter(time_slot__event=programme["event"]).update(capacity=capacity)


def test_many_delegates_on_the_last_seats_exactly_capacity_booked(programme):
    s = programme["sessions"]
    roomy(programme)
    contested = s[(0, 0)]
    Session.objects.filter(pk=contested.pk).update(capacity=5)
    chosen = [contested, s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    delegates = [DelegateFactory(event=programme["event"]) for _ in range(24)]

    results = run_together(
        [lambda d=d: book_sessions(delegate=d, sessions=chosen) for d in delegates]
    )

    assert sum(isinstance(r, list) for r in results) == 5
    assert sum(isinstance(r, SessionFull) for r in results) == 19
    assert Booking.objects.filter(session=contested).count() == 5
    assert Booking.objects.count() == 20
    assert_rules_hold(programme["event"])


def test_same_delegate_submitting_twice_at_once_ends_with_one_set(programme):
    s = programme["sessions"]
    roomy(programme)
    delegate = DelegateFactory(event=programme["event"])
    first = [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    second = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]

    results = run_together(
        [lambda c=c: book_sessions(delegate=delegate, sessions=c) for c in [first, second] * 4]
    )

    assert [r for r in results if not isinstance(r, list)] == []
    held = set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))
    assert held in ({x.pk for x in first}, {x.pk for x in second})
    assert_rules_hold(programme["event"])


def test_cancellations_racing_bookings_never_overbook(programme):
    s = programme["sessions"]
    roomy(programme)
    contested = s[(0, 0)]
    Session.objects.filter(pk=contested.pk).update(capacity=4)
    chosen = [contested, s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    holders = [DelegateFactory(event=programme["event"]) for _ in range(4)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=chosen)
    newcomers = [DelegateFactory(event=programme["event"]) for _ in range(12)]

    results = run_together(
        [lambda d=d: cancel_registration(delegate=d) for d in holders[:3]]
        + [lambda d=d: book_sessions(delegate=d, sessions=chosen) for d in newcomers]
    )

    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, SessionFull)] == []
    booked = sum(isinstance(r, list) for r in results)
    assert booked <= 3
    assert Booking.objects.filter(session=contested).count() == 1 + booked
    assert_rules_hold(programme["event"])


def test_waitlist_promotion_racing_new_bookings_serves_the_list(programme):
    s = programme["sessions"]
    roomy(programme)
    contested = s[(0, 0)]
    Session.objects.filter(pk=contested.pk).update(capacity=3)
    chosen = [contested, s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    holders = [DelegateFactory(event=programme["event"]) for _ in range(3)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=chosen)
    waiters = [DelegateFactory(event=programme["event"]) for _ in range(3)]
    for waiter in waiters:
        book_sessions(delegate=waiter, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
        join_waitlist(delegate=waiter, session=contested)
    newcomers = [DelegateFactory(event=programme["event"]) for _ in range(10)]

    results = run_together(
        [lambda d=d: cancel_registration(delegate=d) for d in holders[:2]]
        + [lambda d=d: book_sessions(delegate=d, sessions=chosen) for d in newcomers]
    )

    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, SessionFull)] == []
    in_contested = set(Booking.objects.filter(session=contested).values_list("delegate", flat=True))
    # The freed seats went to the first two waiting, in the transactions that freed them.
    assert in_contested == {holders[2].pk, waiters[0].pk, waiters[1].pk}
    assert list(WaitlistEntry.objects.values_list("delegate_id", flat=True)) == [waiters[2].pk]
    assert_rules_hold(programme["event"])


def test_people_joining_a_waiting_list_at_once_are_each_told_their_own_place(programme):
    s = programme["sessions"]
    roomy(programme)
    contested = s[(0, 0)]
    Session.objects.filter(pk=contested.pk).update(capacity=1)
    book_sessions(
        delegate=DelegateFactory(event=programme["event"]),
        sessions=[contested, s[(1, 4)], s[(2, 2)], s[(3, 6)]],
    )
    waiters = [DelegateFactory(event=programme["event"]) for _ in range(8)]
    for waiter in waiters:
        book_sessions(delegate=waiter, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])

    results = run_together(
        [lambda w=w: join_waitlist(delegate=w, session=contested) for w in waiters]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    told = sorted(entry.position for entry in results)
    assert told == list(range(1, 9))
    stored = list(
        WaitlistEntry.objects.filter(session=contested)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert stored == told
    assert_rules_hold(programme["event"])


def test_crossed_waiting_lists_with_simultaneous_cancellations_do_not_deadlock(programme):
    s = programme["sessions"]
    roomy(programme)
    left, right = s[(0, 0)], s[(0, 1)]
    Session.objects.filter(pk__in=[left.pk, right.pk]).update(capacity=2)
    a_set = [left, s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    b_set = [right, s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    a, c = DelegateFactory(event=programme["event"]), DelegateFactory(event=programme["event"])
    b, d = DelegateFactory(event=programme["event"]), DelegateFactory(event=programme["event"])
    for delegate, chosen in [(a, a_set), (c, a_set), (b, b_set), (d, b_set)]:
        book_sessions(delegate=delegate, sessions=chosen)
    join_waitlist(delegate=a, session=right)
    join_waitlist(delegate=b, session=left)

    results = run_together(
        [
            lambda: cancel_registration(delegate=c),
            lambda: cancel_registration(delegate=d),
            lambda: book_sessions(delegate=a, sessions=a_set),
            lambda: book_sessions(delegate=b, sessions=b_set),
        ]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Booking.objects.filter(session__in=[left, right]).count() == 2
    assert_rules_hold(programme["event"])


def test_concurrent_chains_from_many_cancellations_keep_the_rules(programme):
    """Sixteen delegates cancel at once while everyone else waits somewhere."""
    s = programme["sessions"]
    Session.objects.filter(time_slot__event=programme["event"]).update(capacity=4)
    sets = [
        [(0, 0), (1, 4), (2, 2), (3, 6)],
        [(0, 1), (1, 5), (2, 3), (3, 7)],
        [(0, 2), (1, 6), (2, 4), (3, 0)],
        [(0, 3), (1, 7), (2, 5), (3, 1)],
    ]
    people = []
    for keys in sets:
        for _ in range(4):
            delegate = DelegateFactory(event=programme["event"])
            book_sessions(delegate=delegate, sessions=[s[k] for k in keys])
            people.append((delegate, keys))
    # Everyone waits for the round-1 session of the next group along (a ring of lists).
    for delegate, keys in people:
        target = (0, (keys[0][1] + 1) % 4)
        join_waitlist(delegate=delegate, session=s[target])
    leaving = [d for i, (d, _) in enumerate(people) if i % 4 == 0]

    results = run_together([lambda d=d: cancel_registration(delegate=d) for d in leaving])

    assert [r for r in results if isinstance(r, Exception)] == []
    assert_rules_hold(programme["event"])
    assert Booking.objects.count() == (16 - len(leaving)) * 4


@pytest.fixture
def live_gunicorn(transactional_db):
    """gunicorn, in its own processes, serving the test database."""
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    if settings.get("PASSWORD"):
        url = url.replace("@", f":{settings['PASSWORD']}@", 1)
    process, base_url = start_gunicorn(database_url=url, workers=4)
    worker = start_worker(database_url=url)  # registrations are made by the worker
    yield base_url
    stop_gunicorn(process)
    stop_gunicorn(worker)


def test_http_rush_on_last_seats_gives_no_server_error(programme, live_gunicorn):
    AgencyFactory()
    # Two seats a session: eight full sets fit; twenty delegates arrive at once.
    preference = {w.title: rank for rank, w in enumerate(programme["workshops"])}
    numbers = list(range(20))
    barrier = threading.Barrier(len(numbers))

    def one(number):
        barrier.wait()
        return run_delegate(
            base_url=live_gunicorn,
            number=number,
            preference=preference,
            code_for=code_from_database,
        )

    with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
        results = list(pool.map(one, numbers))

    assert [e for r in results for e in r["errors"]] == []
    outcomes = Counter(r["outcome"] for r in results)
    assert outcomes["booked"] + outcomes["full"] == 20
    assert 1 <= outcomes["booked"] <= 8
    complete = Delegate.objects.filter(bookings__isnull=False).distinct().count()
    assert complete == outcomes["booked"]
    assert_rules_hold(programme["event"])


def test_http_same_delegate_submitting_twice_at_once(programme, live_gunicorn):
    AgencyFactory()
    Session.objects.filter(time_slot__event=programme["event"]).update(capacity=50)
    browser = VirtualDelegate(live_gunicorn)
    _, registered = browser.register(number=1)
    assert registered.status == 303
    assert browser.confirm(code_from_database(browser.email_of(1))).status == 302
    page = browser.choose_form()
    preference = {w.title: rank for rank, w in enumerate(programme["workshops"])}
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        return browser.choose(form=page, preference=preference)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(lambda _: submit(), range(2)))

    assert sorted(r.status for r in responses) == [302, 302]
    assert Booking.objects.count() == 4
    assert_rules_hold(programme["event"])


def test_http_cancellation_racing_bookings(programme, live_gunicorn):
    """Holders cancel through the site while newcomers book the seats they free."""
    AgencyFactory()
    s = programme["sessions"]
    Session.objects.filter(time_slot__event=programme["event"]).exclude(pk=s[(0, 0)].pk).update(
        capacity=100
    )
    preference = {w.title: rank for rank, w in enumerate(programme["workshops"])}
    holders = [VirtualDelegate(live_gunicorn) for _ in range(2)]
    for n, holder in enumerate(holders):
        assert holder.register(number=100 + n)[1].status == 303
        assert holder.confirm(code_from_database(holder.email_of(100 + n))).status == 302
        assert holder.choose(form=holder.choose_form(), preference=preference).status == 302
    cancel_forms = [holder.request("/booking/cancel/") for holder in holders]
    barrier = threading.Barrier(2 + 8)

    def cancel(index):
        barrier.wait()
        holder = holders[index]
        return holder.request(
            "/booking/cancel/", {"csrfmiddlewaretoken": holder.csrf_from(cancel_forms[index])}
        ).status

    def book(number):
        barrier.wait()
        return run_delegate(
            base_url=live_gunicorn,
            number=number,
            preference=preference,
            code_for=code_from_database,
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        cancels = [pool.submit(cancel, i) for i in range(2)]
        books = [pool.submit(book, n) for n in range(8)]
        cancel_statuses = [f.result() for f in cancels]
        results = [f.result() for f in books]

    assert cancel_statuses == [200, 200]
    assert [e for r in results for e in r["errors"]] == []
    assert Counter(r["outcome"] for r in results)["booked"] == 8
    assert Booking.objects.filter(session=s[(0, 0)]).count() <= s[(0, 0)].capacity
    assert Booking.objects.count() == 8 * 4
    assert_rules_hold(programme["event"])
