"""What organisers type for the programme is one line of plain text, as delegates' answers are.

Room, time slot and workshop names, the event's name and venue, and the survey
questions reach badges, sign-in sheets, spreadsheets and plain-text emails. A line
break or a text-direction override there could pass for a line of our own or read
differently from what was typed, so the admin refuses them with a message and saves
nothing.
"""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from tests.factories import RoomFactory
from tests.workshops.admin.workshop_page import workshop_page_data
from workshops.models import Room, SurveyQuestions, Workshop

RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


@pytest.mark.parametrize(
    "name", ["Main hall\nFire exit: none", "Main\rhall", f"Main hall {RIGHT_TO_LEFT_OVERRIDE}llah"]
)
def test_a_room_name_on_two_lines_or_reordered_is_refused_in_words(admin_client, name):
    response = admin_client.post(
        "/admin/workshops/room/add/", {"name": name, "capacity": "20", "location": ""}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "no line breaks" in page or "text-direction" in page
    assert not Room.objects.exists()


def test_a_plain_room_name_with_accents_and_apostrophes_is_kept(admin_client):
    response = admin_client.post(
        "/admin/workshops/room/add/",
        {"name": "Salle d’Éthique", "capacity": "20", "location": "First floor, left"},
    )

    assert response.status_code == 302
    assert Room.objects.get().name == "Salle d’Éthique"


def test_a_workshop_title_with_a_line_break_is_refused_and_nothing_changes(admin_client, programme):
    workshop = programme["workshops"][0]
    title = workshop.title
    data = workshop_page_data(workshop, list(workshop.sessions.all()))
    data["title"] = "County Lines\nDear delegate, reply with your password"

    response = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)

    assert response.status_code == 200
    assert "no line breaks" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.title == title


def test_a_workshop_summary_keeps_its_paragraphs_but_not_a_direction_override(
    admin_client, programme
):
    workshop = programme["workshops"][0]
    data = workshop_page_data(workshop, list(workshop.sessions.all()))

    data["summary"] = f"First paragraph.\n\nSecond {RIGHT_TO_LEFT_OVERRIDE}paragraph."
    refused = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)
    data["summary"] = "First paragraph.\n\nSecond paragraph."
    kept = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)

    assert refused.status_code == 200
    assert "text-direction" in refused.content.decode()
    assert kept.status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).summary == "First paragraph.\n\nSecond paragraph."


def test_a_room_location_on_two_lines_is_refused(admin_client):
    room = RoomFactory(name="Hall", capacity=20)

    response = admin_client.post(
        f"/admin/workshops/room/{room.pk}/change/",
        {"name": "Hall", "capacity": "20", "location": "Ground floor\nBring ID"},
    )

    assert response.status_code == 200
    room.refresh_from_db()
    assert room.location == ""


@pytest.mark.parametrize(
    "field", ["name", "tagline", "venue_name", "venue_address", "day_two_summary"]
)
def test_the_events_own_words_refuse_a_direction_override(event, field):
    setattr(event, field, f"Kenilworth {RIGHT_TO_LEFT_OVERRIDE}htrowlineK")

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert list(refused.value.message_dict) == [field]


@pytest.mark.parametrize("field", ["name", "tagline", "venue_name", "venue_address"])
def test_the_events_one_line_answers_refuse_a_line_break(event, field):
    setattr(event, field, "Chesford Grange\nKenilworth")

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert list(refused.value.message_dict) == [field]


def test_time_slot_names_and_survey_questions_are_one_line(on_the_day):
    programme = on_the_day  # its rounds within the event's dates
    slot = programme["slots"][0]
    slot.name = "Round 1\nRound 2"
    questions = SurveyQuestions(event=programme["event"], first_question="Useful?\nWhy?")

    with pytest.raises(ValidationError) as slot_refused:
        slot.full_clean()
    with pytest.raises(ValidationError) as questions_refused:
        questions.full_clean()

    assert list(slot_refused.value.message_dict) == ["name"]
    assert list(questions_refused.value.message_dict) == ["first_question"]
