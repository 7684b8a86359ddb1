"""After erasure or retention, no column of any table holds the name, address or phone.

The scan reads every column of every table, so a table added later that keeps
personal data fails here until erasure and retention learn to forget it.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection

from registration.services.details import update_details
from registration.services.handover import offer_handover
from registration.services.privacy import anonymise_delegate, erase_delegate, export_delegate_data
from tests.attending import attend, door_staff
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory, rank_workshops
from workshops.models import Announcement, SurveyInvitation
from workshops.services.announcement import send_announcement
from workshops.services.ballot_runs import run_allocation
from workshops.services.booking import book_sessions, move_delegate
from workshops.services.certificates import send_certificates, verify_certificate
from workshops.services.feedback import answer_survey, send_surveys, survey_token
from workshops.services.notifications import send_booking_confirmation

NEEDLES = ("zebulon", "quartermaine", "zq.leaver@kent.police.uk", "07700 900123")


def columns_holding(needles):
    """(table, column, needle) for every stored value containing a needle, any case."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "
                        f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append((table, column.name, needle))
    return found


@pytest.fixture
def leaver(programme, four_sessions):
    """A delegate whose details have reached every table that can hold them."""
    event = programme["event"]
    delegate = DelegateFactory(
        event=event,
        first_name="Zebulon",
        last_name="Quartermaine",
        email="zq.leaver@kent.police.uk",
        phone="07700 900123",
        agency=AgencyFactory(name="Kent Police", email_domains="kent.police.uk"),
    )
    organiser = AdminUserFactory(groups=["Organisers"], is_superuser=True)
    book_sessions(delegate=delegate, sessions=four_sessions)
    source = four_sessions[0]
    target = next(
        s
        for s in programme["sessions"].values()
        if s.time_slot_id == source.time_slot_id
        and s.pk != source.pk
        and s.workshop_id not in {x.workshop_id for x in four_sessions}
    )
    move_delegate(
        delegate=delegate,
        from_session=source,
        to_session=target,
        actor=organiser,
        reason="Zebulon Quartermaine asked for the aisle",
    )
    send_booking_confirmation(delegate=delegate)
    announcement = Announcement.objects.create(
        event=event, audience=Announcement.Audience.EVENT, subject="Parking", body="Use car park B."
    )
    send_announcement(announcement=announcement, actor=organiser)
    LogEntry.objects.log_actions(user_id=organiser.pk, queryset=[delegate], action_flag=CHANGE)
    update_details(delegate=delegate, changes={"badge_name": "Zebulon Q"}, needs_consent=False)
    offer_handover(
        delegate=delegate,
        first_name="Colleague",
        last_name="Of Zebulon",
        email="colleague@kent.police.uk",
        job_title="DS",
    )
    return delegate


@pytest.fixture
def ranked_leaver(ballot_event, programme, close_ballot):
    """A delegate in a ballot allocation's report."""
    delegate = DelegateFactory(
        event=ballot_event,
        first_name="Zebulon",
        last_name="Quartermaine",
        email="zq.leaver@kent.police.uk",
        phone="07700 900123",
    )
    rank_workshops(delegate, programme["workshops"])
    close_ballot(ballot_event)
    run_allocation(event=ballot_event, seed=1)
    return delegate


@pytest.fixture
def attending_leaver(on_the_day, four_sessions):
    """A delegate who attended, answered a survey with their name shown and was sent a
    certificate."""
    delegate = DelegateFactory(
        event=on_the_day["event"],
        first_name="Zebulon",
        last_name="Quartermaine",
        email="zq.leaver@kent.police.uk",
        phone="07700 900123",
    )
    book_sessions(delegate=delegate, sessions=four_sessions)
    attend(delegate, four_sessions[0], staff=door_staff())
    ended = max(slot.ends_at for slot in on_the_day["slots"])
    send_surveys(now=four_sessions[0].time_slot.ends_at)
    answer_survey(
        token=survey_token(SurveyInvitation.objects.get(delegate=delegate)),
        rating=4,
        first_answer="Useful",
        show_name=True,
        now=ended,
    )
    send_certificates(now=ended)
    return delegate


def test_the_scan_finds_what_the_fixture_stored(leaver):
    tables = {table for table, _, _ in columns_holding(NEEDLES)}
    assert {"registration_delegate", "outbox_outgoingemail", "django_admin_log"} <= tables


def test_erasure_leaves_no_trace_in_any_table(leaver):
    erase_delegate(delegate=leaver)
    assert columns_holding(NEEDLES) == []


def test_retention_leaves_no_trace_in_any_table(leaver):
    anonymise_delegate(delegate=leaver)
    assert columns_holding(NEEDLES) == []


def test_erasure_leaves_no_trace_in_ballot_reports(ranked_leaver):
    erase_delegate(delegate=ranked_leaver)
    assert columns_holding(NEEDLES) == []


def test_my_data_lists_the_ballot_runs_that_name_the_delegate(ranked_leaver):
    data = export_delegate_data(delegate=ranked_leaver)
    (allocation,) = data["ballot_allocations"]
    assert len(allocation["sessions_allocated"]) == 4
    assert allocation["left_without_seats"] is False


@pytest.mark.parametrize("forget", [erase_delegate, anonymise_delegate])
def test_feedback_and_certificates_keep_no_trace_yet_still_verify(attending_leaver, forget):
    assert "outbox_outgoingemail" in {table for table, _, _ in columns_holding(NEEDLES)}
    code = attending_leaver.certificates.get().code
    forget(delegate=attending_leaver)
    assert columns_holding(NEEDLES) == []
    assert verify_certificate(code=code, name="Zebulon Quartermaine").name_matches is True
