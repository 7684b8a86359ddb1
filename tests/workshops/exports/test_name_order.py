"""Lists of people file names as a reader does, on SQLite and PostgreSQL alike."""

from registration.models import Delegate
from socex.collation import name_key
from tests.attending import booked_delegate
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.exports.rows import attendee_rows, roster_rows
from workshops.models import Room, Session

SURNAMES = ["Young", "de Souza", "Zhang", "Çelik", "Obi", "Ødegaard", "Davies", "O'Brien"]
READERS_ORDER = ["Çelik", "Davies", "de Souza", "O'Brien", "Obi", "Ødegaard", "Young", "Zhang"]


def test_accents_and_lower_case_particles_do_not_send_names_to_the_end(event):
    for surname in SURNAMES:
        DelegateFactory(event=event, last_name=surname)
    rows = attendee_rows(Delegate.objects.filter(event=event))
    assert [row["last_name"] for row in rows] == READERS_ORDER


def test_first_names_break_ties_the_same_way(event):
    for first in ["Zoë", "émile", "Ada"]:
        DelegateFactory(event=event, last_name="Shah", first_name=first)
    rows = attendee_rows(Delegate.objects.filter(event=event))
    assert [row["first_name"] for row in rows] == ["Ada", "émile", "Zoë"]


def test_rosters_and_sign_in_sheets_file_names_the_same_way(programme, four_sessions):
    Room.objects.update(capacity=len(SURNAMES))
    Session.objects.update(capacity=len(SURNAMES))
    for surname in SURNAMES:
        booked_delegate(programme["event"], four_sessions, last_name=surname)
    rows = roster_rows(Session.objects.filter(pk=four_sessions[0].pk))
    assert [row["last_name"] for row in rows] == READERS_ORDER


def test_the_sqlite_key_ignores_accents_and_case_but_orders_every_name():
    assert name_key("Çelik")[0] == name_key("celik")[0] == "celik"
    assert name_key("Ødegaard")[0] == "odegaard"
    # Names equal but for accents or case still compare unequal, so the order is total.
    assert name_key("Celik") != name_key("Çelik")


def test_the_admin_delegate_list_files_names_the_same_way(client, event):
    for surname in SURNAMES:
        DelegateFactory(event=event, last_name=surname, first_name="Sam")
    client.force_login(AdminUserFactory(is_superuser=True))
    for query in ["", "?o=1", "?o=-1"]:
        page = client.get("/admin/registration/delegate/" + query)
        listed = [d.last_name for d in page.context["cl"].result_list]
        expected = READERS_ORDER[::-1] if query == "?o=-1" else READERS_ORDER
        assert listed == expected, query
