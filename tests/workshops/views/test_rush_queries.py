"""The rush's six requests each send at most a fixed number of statements.

One delegate walks the steps of `bench/rush_http.py` through Django's test
client: the registration form and its POST, the code page and the code typed,
the choose page and the choice. Statements are counted without transaction
control (BEGIN, COMMIT, savepoints), on SQLite and, with DATABASE_URL set, on
PostgreSQL; the session's own reads and writes are counted too.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import Delegate
from tests.confirmation import emailed_code
from tests.factories import AgencyFactory
from tests.page_queries import statements
from workshops.models import Booking

# Statements per step: the bound each step must stay within.
BOUNDS = {
    "register_form": 2,  # the event, the agencies
    # the event, the agencies, one to check the agency chosen, day two's places (3), a
    # constraint check, the agency again, the job, the session (2)
    "register": 11,
    "confirm_form": 3,  # the session (read, save), the event
    # the session, the event, the delegate, its lock, the code, spending it, confirming, then
    # the new session key (is it free, insert, read and delete the old one, save)
    "confirm": 12,
    # the session (read, save), the delegate and current event, the sessions on offer with
    # the seats held and the waiting lists joined
    "choose_form": 4,
    # the session (read, save), the delegate and current event, the sessions on offer with
    # the seats held, then book_sessions (9)
    "choose": 13,
}


@pytest.fixture
def measured():
    counts = {}

    def run(step, request, expect):
        with CaptureQueriesContext(connection) as captured:
            response = request()
        assert response.status_code == expect, (step, response.status_code)
        counts[step] = statements(captured)
        return response

    run.counts = counts
    return run


def test_each_request_of_the_rush_stays_within_its_statements(client, programme, measured):
    agency = AgencyFactory(name="Warwickshire Police")
    email = "priya.shah@warwickshire.police.uk"
    s = programme["sessions"]

    measured("register_form", lambda: client.get("/register/"), 200)
    details = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": email,
        "agency": str(agency.pk),
        "job_title": "Detective Sergeant",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }
    measured("register", lambda: client.post("/register/", details), 303)
    code = emailed_code(email)  # runs the registration job, as the worker would
    measured("confirm_form", lambda: client.get("/booking/confirm/"), 200)
    measured("confirm", lambda: client.post("/booking/confirm/", {"code": code}), 302)
    measured("choose_form", lambda: client.get("/booking/workshops/"), 200)
    chosen = [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    choice = {f"slot_{x.time_slot_id}": str(x.pk) for x in chosen}
    measured("choose", lambda: client.post("/booking/workshops/", choice), 302)

    delegate = Delegate.objects.get(email=email)
    assert delegate.email_is_confirmed
    assert set(Booking.objects.filter(delegate=delegate).values_list("session", flat=True)) == {
        x.pk for x in chosen
    }
    over = {step: sent for step, sent in measured.counts.items() if len(sent) > BOUNDS[step]}
    assert not over, "\n\n".join(
        f"{step}: {len(sent)} > {BOUNDS[step]}\n" + "\n".join(sql[:160] for sql in sent)
        for step, sent in over.items()
    )
