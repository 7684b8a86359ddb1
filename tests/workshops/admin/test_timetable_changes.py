"""An organiser moving a round's times or a session's room: booked delegates are told."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import dateformat, timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from outbox.models import OutgoingEmail
from tests.factories import DelegateFactory, RoomFactory
from tests.jobs import run_queued_jobs
from tests.workshops.admin.time_slot_page import post_time_slot
from tests.workshops.admin.workshop_page import workshop_page_data
from workshops.services import notifications
from workshops.services.booking import book_sessions
from workshops.services.timetable_diff import noted, time_slot_was

A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
B_SET = [(0, 1), (1, 5), (2, 3), (3, 7)]
SUBJECT = "Strategic SOCEX 2019: changes to your workshop timetable"


@pytest.fixture(autouse=True)
def no_delay(settings):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 0


@pytest.fixture(autouse=True)
def rounds_on_day_two(programme):
    """The rounds hourly from 09:00 UTC on the event's last day (the factory counts on)."""
    day_two = datetime.combine(programme["event"].ends_on, time(9), tzinfo=UTC)
    for index, slot in enumerate(programme["slots"]):
        slot.starts_at = day_two + timedelta(hours=index)
        slot.ends_at = slot.starts_at + timedelta(minutes=50)
        slot.save()


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


@pytest.fixture
def people(programme):
    s = programme["sessions"]
    found = {}
    for name, keys in [("ada", A_SET), ("bo", B_SET)]:
        found[name] = DelegateFactory(event=programme["event"], first_name=name.title())
        book_sessions(delegate=found[name], sessions=[s[k] for k in keys])
    OutgoingEmail.objects.all().delete()
    return found


def news_to(delegate):
    return list(OutgoingEmail.objects.filter(to=delegate.email, subject=SUBJECT))


def diary_entries(email):
    calendar = Calendar.from_ical(email.attachment_content)
    assert str(calendar["METHOD"]) == "REQUEST"
    return {
        str(e["SUMMARY"]): (e["DTSTART"].dt, str(e["LOCATION"]), int(e["SEQUENCE"]))
        for e in calendar.walk("VEVENT")
    }


def post_session_room(client, session, room):
    return client.post(
        f"/admin/workshops/session/{session.pk}/change/",
        {
            "workshop": session.workshop_id,
            "time_slot": session.time_slot_id,
            "room": room.pk,
            "capacity": session.capacity,
            "bookings-TOTAL_FORMS": 0,
            "bookings-INITIAL_FORMS": 0,
            "waitlist-TOTAL_FORMS": 0,
            "waitlist-INITIAL_FORMS": 0,
        },
        follow=True,
    )


def test_new_times_for_a_round_email_everyone_booked_in_it_with_a_moved_diary_entry(
    admin_client, programme, people
):
    slot = programme["slots"][1]
    later = slot.starts_at + timedelta(minutes=10), slot.ends_at + timedelta(minutes=10)
    response = post_time_slot(admin_client, slot, starts_at=later[0], ends_at=later[1])
    assert "2 delegates booked there will be emailed the new times" in response.content.decode()
    assert OutgoingEmail.objects.count() == 0  # the worker writes them, after the commit

    run_queued_jobs()
    for name, workshop in [("ada", "Workshop 5"), ("bo", "Workshop 6")]:
        (email,) = news_to(people[name])
        start, _, sequence = diary_entries(email)[workshop]
        assert (start, sequence) == (later[0], 1)  # the booking's entry was SEQUENCE 0
        assert f"{timezone.localtime(later[0]):%H:%M}" in email.body_text
        assert "Your seats have not changed" in email.body_text


def test_a_new_room_for_one_session_emails_only_the_people_booked_on_it(
    admin_client, programme, people
):
    session = programme["sessions"][(0, 0)]
    room = RoomFactory(name="Churchill Suite", capacity=40)
    response = post_session_room(admin_client, session, room)
    assert "1 delegate booked there will be emailed the new room" in response.content.decode()

    run_queued_jobs()
    (email,) = news_to(people["ada"])
    _, location, sequence = diary_entries(email)["Workshop 1"]
    assert (location.startswith("Churchill Suite, "), sequence) == (True, 1)
    assert "Churchill Suite" in email.body_html
    assert news_to(people["bo"]) == []


def test_saving_without_moving_anything_tells_nobody(admin_client, programme, people):
    slot = programme["slots"][1]
    response = post_time_slot(admin_client, slot, starts_at=slot.starts_at, ends_at=slot.ends_at)
    assert response.status_code == 200
    assert "will be emailed" not in response.content.decode()
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0


def test_a_seat_taken_after_the_change_is_not_told_of_it(admin_client, programme, people):
    s = programme["sessions"]
    slot = programme["slots"][0]
    post_time_slot(
        admin_client,
        slot,
        starts_at=slot.starts_at - timedelta(minutes=15),
        ends_at=slot.ends_at,
    )
    # Bo swaps round one's workshop before the worker gets to the job: the new seat was
    # taken at the new time, and Bo holds nothing else in round one.
    book_sessions(delegate=people["bo"], sessions=[s[k] for k in [(0, 2), *B_SET[1:]]])
    run_queued_jobs()
    assert news_to(people["bo"]) == []
    (email,) = news_to(people["ada"])
    assert "Workshop 1" in diary_entries(email)


def test_a_walk_in_booked_after_the_change_is_not_told_but_those_booked_before_are(
    admin_client, programme, people
):
    slot = programme["slots"][1]
    post_time_slot(
        admin_client,
        slot,
        starts_at=slot.starts_at + timedelta(minutes=10),
        ends_at=slot.ends_at + timedelta(minutes=10),
    )
    walk_in = DelegateFactory(event=programme["event"], first_name="Cy")
    s = programme["sessions"]
    book_sessions(delegate=walk_in, sessions=[s[k] for k in [(0, 2), (1, 6), (2, 4), (3, 0)]])
    OutgoingEmail.objects.all().delete()  # Cy's booking confirmation
    run_queued_jobs()
    assert news_to(walk_in) == []
    assert len(news_to(people["ada"])) == 1


def test_a_new_room_set_on_the_workshop_page_tells_the_people_in_that_session(
    admin_client, programme, people
):
    workshop = programme["workshops"][0]  # Ada holds it in round one; nobody in round four
    sessions = list(workshop.sessions.order_by("time_slot__starts_at"))
    room = RoomFactory(name="Wellington Room", capacity=40)
    data = workshop_page_data(
        workshop, sessions, lambda s: {"room": room.pk} if s == sessions[0] else {}
    )
    response = admin_client.post(
        f"/admin/workshops/workshop/{workshop.pk}/change/", data, follow=True
    )
    assert "1 delegate booked there will be emailed the new rooms" in response.content.decode()
    run_queued_jobs()
    assert len(news_to(people["ada"])) == 1
    assert news_to(people["bo"]) == []


def test_a_booked_session_keeps_its_round_rather_than_leave_its_seats_behind(
    admin_client, programme, people
):
    session = programme["sessions"][(0, 0)]  # Ada's round-one seat
    later_round = programme["slots"][1]  # Ada already holds Workshop 5 there
    data = {
        "workshop": session.workshop_id,
        "time_slot": later_round.pk,
        "room": RoomFactory(name="Churchill Suite", capacity=40).pk,
        "capacity": session.capacity,
        "bookings-TOTAL_FORMS": 0,
        "bookings-INITIAL_FORMS": 0,
        "waitlist-TOTAL_FORMS": 0,
        "waitlist-INITIAL_FORMS": 0,
    }
    response = admin_client.post(f"/admin/workshops/session/{session.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the reason
    assert "it keeps its time slot and workshop" in response.content.decode()
    session.refresh_from_db()
    assert session.time_slot == programme["slots"][0]
    seats = people["ada"].bookings.select_related("session")
    assert all(seat.time_slot_id == seat.session.time_slot_id for seat in seats)


def test_each_chunk_of_delegates_commits_on_its_own(programme, people, monkeypatch):
    # A delegate changing seats waits on their calendar row until the job's transaction
    # commits: delegates already told must not wait for everyone else to be told.
    monkeypatch.setattr(notifications, "TIMETABLE_NEWS_CHUNK", 1, raising=False)
    told = []

    def send_or_fail(*, delegate, **kwargs):
        if told:
            raise RuntimeError("the worker dies part way")
        told.append(delegate)
        return send(delegate=delegate, **kwargs)

    send = notifications.send_timetable_change
    monkeypatch.setattr(notifications, "send_timetable_change", send_or_fail)
    with pytest.raises(RuntimeError):
        slot = programme["slots"][1]
        was = time_slot_was(starts_at=slot.starts_at - timedelta(hours=1), ends_at=slot.ends_at)
        changes = {"time_slots": noted({slot.pk: was}, at=timezone.now()), "sessions": {}}
        notifications.send_timetable_news(changes=changes)
    assert [e.to for e in OutgoingEmail.objects.filter(subject=SUBJECT)] == [told[0].email]


def test_a_change_put_back_before_the_delay_is_told_once_as_it_ends(
    admin_client, programme, people, settings
):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    slot = programme["slots"][1]
    start, end = slot.starts_at, slot.ends_at
    typo = post_time_slot(
        admin_client, slot, starts_at=start + timedelta(hours=10), ends_at=end + timedelta(hours=10)
    )
    assert "emailed the new times in 2 minutes" in typo.content.decode()
    post_time_slot(admin_client, slot, starts_at=start + timedelta(minutes=5), ends_at=end)
    ran = [job.task_path for job in run_queued_jobs()]
    assert not [path for path in ran if path.endswith("email_timetable_news")]  # not due yet
    assert DBTaskResult.objects.filter(task_path__endswith="email_timetable_news").count() == 1

    DBTaskResult.objects.update(run_after=timezone.now())  # two minutes on
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    start_now, _, _ = diary_entries(email)["Workshop 5"]
    assert start_now == start + timedelta(minutes=5)


def test_renaming_a_room_or_its_directions_tells_the_people_seated_in_it(
    admin_client, programme, people
):
    room = programme["sessions"][(0, 0)].room  # Ada's room in three rounds; never Bo's
    response = admin_client.post(
        f"/admin/workshops/room/{room.pk}/change/",
        {"name": "Churchill Suite", "capacity": room.capacity, "location": "First floor, east"},
        follow=True,
    )
    assert "1 delegate booked there will be emailed the new room name" in response.content.decode()

    run_queued_jobs()
    (email,) = news_to(people["ada"])
    assert "Churchill Suite (First floor, east)" in email.body_text
    assert {location.split(",")[0] for _, location, _ in diary_entries(email).values()} == {
        "Churchill Suite"
    }
    assert news_to(people["bo"]) == []


def test_saving_a_room_unchanged_or_one_nobody_holds_tells_nobody(admin_client, programme, people):
    room = programme["sessions"][(0, 0)].room
    empty = RoomFactory(name="Annexe", capacity=10)
    for target, name in [(room, room.name), (empty, "Annexe West")]:
        admin_client.post(
            f"/admin/workshops/room/{target.pk}/change/",
            {"name": name, "capacity": target.capacity, "location": target.location},
        )
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0


def test_a_new_workshop_title_tells_the_people_booked_on_it_and_renames_the_diary_entry(
    admin_client, programme, people
):
    workshop = programme["workshops"][0]
    data = workshop_page_data(workshop, list(workshop.sessions.all()))
    data["title"] = "County Lines: the next five years"
    response = admin_client.post(
        f"/admin/workshops/workshop/{workshop.pk}/change/", data, follow=True
    )
    assert "1 delegate booked there will be emailed the new title" in response.content.decode()

    run_queued_jobs()
    (email,) = news_to(people["ada"])
    assert "County Lines: the next five years" in diary_entries(email)
    assert "room or title" in email.body_text
    assert news_to(people["bo"]) == []


def test_a_new_workshop_summary_alone_tells_nobody(admin_client, programme, people):
    workshop = programme["workshops"][0]
    data = workshop_page_data(workshop, list(workshop.sessions.all()))
    data["summary"] = "A fuller description."
    admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0


def local(moment, pattern="H:i"):
    return dateformat.format(timezone.localtime(moment), pattern)


def test_a_round_moved_to_another_day_says_what_it_was_and_is_with_both_dates(
    admin_client, programme, people
):
    slot = programme["slots"][1]
    was = slot.starts_at, slot.ends_at
    now = was[0] - timedelta(days=1), was[1] - timedelta(days=1)
    post_time_slot(admin_client, slot, starts_at=now[0], ends_at=now[1])
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    room = programme["sessions"][(1, 4)].room.name
    line = (
        f"{slot.name}, “Workshop 5”: "
        f"was {local(was[0], 'D j M H:i')}–{local(was[1])} in {room}; "
        f"now {local(now[0], 'D j M H:i')}–{local(now[1])} in {room}."
    )
    assert line in email.body_text
    assert f"{local(was[0], 'D j M H:i')}–{local(was[1])} in {room}" in email.body_html


def test_a_new_room_says_the_room_it_was_in_and_the_one_it_is_in_now(
    admin_client, programme, people
):
    session = programme["sessions"][(0, 0)]
    old_room = session.room.name
    room = RoomFactory(name="Churchill Suite", capacity=40, location="First floor")
    post_session_room(admin_client, session, room)
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    times = session.time_slot.times
    assert (
        f"{session.time_slot.name}, “Workshop 1”: was {times} in {old_room}; "
        f"now {times} in Churchill Suite (First floor)."
    ) in email.body_text


def test_a_new_title_says_the_title_it_had(admin_client, programme, people):
    workshop = programme["workshops"][0]
    data = workshop_page_data(workshop, list(workshop.sessions.all()))
    data["title"] = "County Lines"
    admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    assert "was “Workshop 1”, " in email.body_text
    assert "now “County Lines”, " in email.body_text


def test_retiming_four_rounds_in_one_sitting_sends_each_delegate_one_email(
    admin_client, programme, people, settings
):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    first = {}
    for slot in programme["slots"]:
        first[slot.pk] = slot.starts_at
        post_time_slot(
            admin_client,
            slot,
            starts_at=slot.starts_at + timedelta(minutes=5),
            ends_at=slot.ends_at + timedelta(minutes=5),
        )
    (job,) = DBTaskResult.objects.filter(task_path__endswith="email_timetable_news")
    assert job.run_after > timezone.now() + timedelta(seconds=100)  # put off by the last save
    DBTaskResult.objects.update(run_after=timezone.now())
    run_queued_jobs()
    for name in ("ada", "bo"):
        (email,) = news_to(people[name])
        assert len(diary_entries(email)) == 4
        assert email.body_text.count("; now ") == 4


def test_a_round_changed_twice_is_told_as_it_was_before_the_first_change(
    admin_client, programme, people, settings
):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    slot = programme["slots"][1]
    was = slot.starts_at, slot.ends_at
    for minutes in (5, 10):
        post_time_slot(
            admin_client,
            slot,
            starts_at=was[0] + timedelta(minutes=minutes),
            ends_at=was[1] + timedelta(minutes=minutes),
        )
        slot.refresh_from_db()
    DBTaskResult.objects.update(run_after=timezone.now())
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    now = was[0] + timedelta(minutes=10), was[1] + timedelta(minutes=10)
    assert f"was {local(was[0])}–{local(was[1])} " in email.body_text
    assert f"now {local(now[0])}–{local(now[1])} " in email.body_text


def test_a_change_put_back_before_the_job_runs_tells_nobody(
    admin_client, programme, people, settings
):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    slot = programme["slots"][1]
    start, end = slot.starts_at, slot.ends_at
    post_time_slot(
        admin_client, slot, starts_at=start + timedelta(hours=1), ends_at=end + timedelta(hours=1)
    )
    post_time_slot(admin_client, slot, starts_at=start, ends_at=end)
    DBTaskResult.objects.update(run_after=timezone.now())
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0


def test_only_the_rounds_still_changed_are_told(admin_client, programme, people, settings):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    first, second = programme["slots"][:2]
    original = {slot.pk: (slot.starts_at, slot.ends_at) for slot in (first, second)}
    for slot, minutes in [(first, 5), (second, 5), (first, 0)]:
        starts_at, ends_at = original[slot.pk]
        post_time_slot(
            admin_client,
            slot,
            starts_at=starts_at + timedelta(minutes=minutes),
            ends_at=ends_at + timedelta(minutes=minutes),
        )
    DBTaskResult.objects.update(run_after=timezone.now())
    run_queued_jobs()
    (email,) = news_to(people["ada"])
    assert set(diary_entries(email)) == {"Workshop 5"}


def test_a_job_the_worker_has_started_is_left_alone_and_a_new_one_queued(
    admin_client, programme, people, settings
):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    first, second = programme["slots"][:2]
    news = DBTaskResult.objects.filter(task_path__endswith="email_timetable_news")
    late = timedelta(minutes=5)
    post_time_slot(admin_client, first, starts_at=first.starts_at + late, ends_at=first.ends_at)
    started = news.get()
    news.update(status=TaskResultStatus.RUNNING)
    post_time_slot(admin_client, second, starts_at=second.starts_at + late, ends_at=second.ends_at)
    started.refresh_from_db()
    assert list(started.args_kwargs["kwargs"]["changes"]["time_slots"]) == [str(first.pk)]
    waiting = news.get(status=TaskResultStatus.READY)
    assert list(waiting.args_kwargs["kwargs"]["changes"]["time_slots"]) == [str(second.pk)]
