"""What a workshop's admin page posts: its fields and its sessions' inline rows."""


def workshop_page_data(workshop, sessions, change=None):
    """The page's form as shown for `sessions`, each row with `change(session)`'s fields on top.

    `change` returns a dict of field -> value for a session's row ("room", "capacity",
    "DELETE": "on"), or an empty one to send it as it is.
    """
    data = {
        "event": workshop.event_id,
        "title": workshop.title,
        "summary": workshop.summary,
        "facilitator": "",
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": str(len(sessions)),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for n, session in enumerate(sessions):
        row = {
            "id": session.pk,
            "workshop": workshop.pk,
            "time_slot": session.time_slot_id,
            "room": session.room_id,
            "capacity": session.capacity,
            **(change(session) if change else {}),
        }
        data |= {f"sessions-{n}-{name}": value for name, value in row.items()}
    return data
