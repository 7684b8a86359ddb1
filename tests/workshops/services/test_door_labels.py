"""The door picker's labels: what a phone's narrow, closed picker shows first."""

from workshops.services.doors import Door


def test_a_session_door_starts_with_its_time(programme):
    session = programme["sessions"][(1, 4)]
    door = Door(event=programme["event"], day=programme["event"].ends_on, session=session)

    assert door.label.startswith(f"{session.time_slot.times} {session.room.name}: ")
    assert door.label.endswith(f"({session.time_slot.name})")
