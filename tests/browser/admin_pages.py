"""The admin pages organisers and staff use, with data on them, for the browser tests.

`seed_admin_data` fills the SOCEX 2019 event with a few delegates in every
state an organiser meets (booked, waiting, awaiting approval, cancelled), a
full session, a draft and a sent announcement and queued email;
`admin_pages` names the pages to visit. `sign_in_admin` signs a user into a
Playwright context the way the admin's own sign-in would leave it.
"""

import datetime
import inspect
from itertools import permutations

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations import RunPython
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.utils import timezone

from registration.models import Agency, Delegate, Event
from tests.factories import AdminUserFactory, DelegateFactory, FacilitatorFactory
from workshops.models import AllocationRun, Announcement, Session, Workshop
from workshops.services.announcement import send_announcement
from workshops.services.ballot import save_ranking
from workshops.services.ballot_runs import run_allocation
from workshops.services.booking import book_sessions
from workshops.services.notifications import send_booking_confirmation
from workshops.services.waitlist import join_waitlist


def restore_roles():
    """Make the roles (groups and their permissions) again, as the migrations made them.

    A transactional test empties every table when it ends, and the groups the
    migrations made go with the rest. Each migration step that writes a group
    is run again, in migration order (each is safe to repeat).
    """
    if Group.objects.exists():
        return
    loader = MigrationLoader(connection)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    for key in plan:
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython) and '"auth", "Group"' in inspect.getsource(
                inspect.getmodule(operation.code)
            ):
                operation.code(apps, None)


def sign_in_admin(page, user, *, url):
    """Give the browser `user`'s admin session (the second factor is off in tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


def valid_sets(event):
    """Every valid set of choices (one session per slot, no workshop twice), in a fixed order."""
    by_slot = {}
    for session in Session.objects.on_offer(event):
        by_slot.setdefault(session.time_slot_id, []).append(session)
    slots = list(by_slot.values())
    found = []

    def extend(chosen, index):
        if index == len(slots):
            found.append(list(chosen))
            return
        for session in slots[index]:
            if session.workshop_id not in {s.workshop_id for s in chosen}:
                extend([*chosen, session], index + 1)

    extend([], 0)
    return found


def seed_admin_data(event=None):
    """Delegates, seats, a waiting list, announcements and email on the current event."""
    event = event or Event.objects.current()
    agencies = list(Agency.objects.filter(is_confirmed=True).order_by("name")[:6])
    sets = valid_sets(event)
    first = sets[0][0]
    first.capacity = 2  # one full session, with someone waiting for it
    first.save(update_fields=["capacity"])
    # Sets without the full session's workshop, so their holders may wait for it.
    swappable = next(s for s in sets if first.workshop_id not in {x.workshop_id for x in s})
    booked = []
    names = [
        ("Amira", "Adams"),
        ("Ben", "Bhatt"),
        ("Chloe", "Clarke"),
        ("Dev", "Davies"),
        ("Ewan", "Evans"),
        ("Fatima", "Fraser"),
    ]
    for index, (first_name, last_name) in enumerate(names):
        delegate = DelegateFactory(
            event=event,
            first_name=first_name,
            last_name=last_name,
            email=f"{first_name}.{last_name}@force.police.uk".lower(),
            agency=agencies[index],
            dietary_requirements="Vegetarian" if index % 2 else "",
            accessibility_needs="Step-free access" if index == 3 else "",
        )
        choices = sets[0] if index < 2 else swappable
        book_sessions(delegate=delegate, sessions=choices)
        booked.append(delegate)
    join_waitlist(delegate=booked[2], session=first)
    DelegateFactory(
        event=event, first_name="Grace", last_name="Green", agency=agencies[0], attends_day_two=True
    )
    DelegateFactory(
        event=event, first_name="Harj", last_name="Hughes", status=Delegate.Status.PENDING
    )
    DelegateFactory(
        event=event, first_name="Isla", last_name="Iqbal", status=Delegate.Status.CANCELLED
    )
    send_booking_confirmation(delegate=booked[0])
    sent = Announcement.objects.create(
        event=event, audience="session", session=first, subject="Room change", body="Upstairs."
    )
    send_announcement(announcement=sent, actor=None)
    Announcement.objects.create(
        event=event, audience="event", subject="Parking", body="Use the north car park."
    )
    colleague = AdminUserFactory(username="sam", groups=["Staff"])
    facilitator = FacilitatorFactory(
        event=event, name="Nia Adeyemi", workshops=[first.workshop], needs_sessions=[first]
    )
    return {
        "event": event,
        "delegates": booked,
        "full_session": first,
        "colleague": colleague,
        "facilitator": facilitator,
    }


def seed_ballot_run(event=None):
    """The event in ballot mode, a few delegates ranked, the ballot closed and one run made."""
    event = event or Event.objects.current()
    event.booking_mode = Event.BookingMode.BALLOT
    event.ballot_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save()
    workshops = list(Workshop.objects.filter(event=event).order_by("title"))
    orders = permutations(range(len(workshops)))
    for index in range(8):
        order = next(orders) if index % 2 else list(reversed(next(orders)))
        delegate = DelegateFactory(event=event, first_name=f"Ranker{index}", last_name="Ballot")
        save_ranking(delegate=delegate, ranking=[workshops[i].pk for i in order])
    event.ballot_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    event.save(update_fields=["ballot_closes_at"])
    return run_allocation(event=event, seed=1, time_limit=10)


def admin_pages(data):
    """(name, path) of every admin page organisers and staff use, with rows on it."""
    delegate = data["delegates"][0]
    session = data["full_session"]
    announcement = Announcement.objects.filter(sent_at__isnull=True).first()
    pages = [
        ("admin index", "/admin/"),
        ("dashboard", "/admin/dashboard/"),
        ("exports", "/admin/exports/"),
        ("delegate list", "/admin/registration/delegate/"),
        ("delegate page", f"/admin/registration/delegate/{delegate.pk}/change/"),
        ("change workshops", f"/admin/registration/delegate/{delegate.pk}/workshops/"),
        ("session list", "/admin/workshops/session/"),
        ("session roster", f"/admin/workshops/session/{session.pk}/change/"),
        ("workshop page", f"/admin/workshops/workshop/{session.workshop_id}/change/"),
        ("agency list", "/admin/registration/agency/"),
        ("announcements", "/admin/workshops/announcement/"),
        ("announcement preview", f"/admin/workshops/announcement/{announcement.pk}/preview/"),
        ("ballot runs", "/admin/workshops/allocationrun/"),
        ("waiting lists", "/admin/workshops/waitlistentry/"),
        ("booking history", "/admin/workshops/bookingchange/"),
        ("outbox", "/admin/outbox/outgoingemail/"),
        ("facilitators", "/admin/workshops/facilitator/"),
        ("facilitator page", f"/admin/workshops/facilitator/{data['facilitator'].pk}/change/"),
        ("accounts", "/admin/auth/user/"),
        ("account page", f"/admin/auth/user/{data['colleague'].pk}/change/"),
        ("second factor", f"/admin/auth/user/{data['colleague'].pk}/second-factor/"),
    ]
    run = AllocationRun.objects.first()
    if run is not None:
        pages.append(("ballot report", f"/admin/workshops/allocationrun/{run.pk}/report/"))
    return pages
