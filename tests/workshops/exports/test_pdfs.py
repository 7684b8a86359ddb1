"""Sign-in sheets and name badges: pages, names, order, and the check-in reference."""

import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.workshops.exports.data import make_known_delegates, read_pdf
from workshops.models import ExportRecord


@pytest.fixture
def known(programme, four_sessions):
    return make_known_delegates(programme, four_sessions)


@pytest.fixture
def staff_client(client, db):
    client.force_login(AdminUserFactory(username="sam", groups=["Staff"]))
    return client


def test_sign_in_sheets_have_a_page_per_session(staff_client, known, programme):
    reader = read_pdf(staff_client.get("/admin/exports/sign-in-sheets.pdf"))
    assert len(reader.pages) == len(programme["sessions"]) == 16
    record = ExportRecord.objects.get()
    assert (record.export_name, record.format, record.row_count) == ("Sign-in sheets", "pdf", 12)


def test_sign_in_sheet_shows_session_details_and_delegates_in_surname_order(
    staff_client, known, four_sessions
):
    session = four_sessions[0]
    url = reverse("exports:session_download", args=[session.pk, "sign-in-sheets", "pdf"])
    reader = read_pdf(staff_client.get(url))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    slot = session.time_slot
    assert session.workshop.title in text
    assert f"{slot.name}, {slot.times}" in text
    assert f"{session.room.name}  ·  capacity 2  ·  2 booked" in text
    assert "Signature" in text
    assert text.index("Ashby") < text.index("Lovelace")
    assert "Dan" in text and "Ada" in text
    assert "Brian" not in text and "Carol" not in text


def test_sign_in_sheet_for_a_long_roster_continues_with_the_heading(
    staff_client, programme, four_sessions
):
    from workshops.models import Room, Session
    from workshops.services.booking import book_sessions

    Room.objects.update(capacity=100)
    Session.objects.update(capacity=100)
    agency = AgencyFactory(name="Big Force")
    for n in range(40):
        book_sessions(
            delegate=DelegateFactory(
                event=programme["event"], last_name=f"Person{n:02}", agency=agency
            ),
            sessions=four_sessions,
        )
    session = four_sessions[0]
    url = reverse("exports:session_download", args=[session.pk, "sign-in-sheets", "pdf"])
    reader = read_pdf(staff_client.get(url))
    assert len(reader.pages) == 2
    second = reader.pages[1].extract_text()
    assert session.workshop.title in second
    assert "Person39" in second


def test_badges_fit_eight_to_a_page_with_name_and_agency(staff_client, event):
    police = AgencyFactory(name="West Midlands Police")
    for n in range(9):
        DelegateFactory(
            event=event,
            first_name=f"Name{n}",
            last_name="Smith",
            badge_name=f"Badge{n}",
            agency=police,
        )
    reader = read_pdf(staff_client.get("/admin/exports/badges.pdf"))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "Badge0" in first and "Name0 Smith" in first
    assert "West Midlands Police" in first
    assert "Badge8" in reader.pages[1].extract_text()
    assert ExportRecord.objects.get().row_count == 9


def test_badges_leave_out_cancelled_registrations(staff_client, known):
    reader = read_pdf(staff_client.get("/admin/exports/badges.pdf"))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    for name in ("Ada L.", "Brian Ashby", "Carol Zed", "Dan Ashby"):
        assert name in text
    assert "Gone" not in text


def test_badges_with_nobody_to_print_say_so(staff_client, event):
    reader = read_pdf(staff_client.get("/admin/exports/badges.pdf"))
    assert len(reader.pages) == 1
    assert "There are no delegates to print." in reader.pages[0].extract_text()


WORLD_NAMES = [
    ("Gwenllïan", "Ŵyn"),
    ("Łukasz", "Żółć"),
    ("محمد", "عبد الله"),
    ("小明", "王"),
]


def embedded_fonts(reader):
    """{font name without its subset prefix: whether its font program is in the file}."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            found[name] = descriptor is not None and "/FontFile2" in descriptor.get_object()
    return found


def test_badges_print_welsh_polish_arabic_and_chinese_names(staff_client, event):
    agency = AgencyFactory(name="Heddlu Gogledd Cymru")
    for first, last in WORLD_NAMES:
        DelegateFactory(event=event, first_name=first, last_name=last, badge_name="", agency=agency)
    reader = read_pdf(staff_client.get("/admin/exports/badges.pdf"))
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    for first, last in WORLD_NAMES:
        assert f"{first} {last}" in text
    fonts_in_file = embedded_fonts(reader)
    assert fonts_in_file["DejaVuSans-Bold"] is True
    assert fonts_in_file["DejaVuSans"] is True
    assert fonts_in_file["WenQuanYiMicroHei-0"] is True


def test_sign_in_sheet_prints_welsh_polish_arabic_and_chinese_names(
    staff_client, programme, four_sessions
):
    from workshops.models import Session
    from workshops.services.booking import book_sessions

    Session.objects.update(capacity=10)
    agency = AgencyFactory(name="公安部")
    for first, last in WORLD_NAMES:
        book_sessions(
            delegate=DelegateFactory(
                event=programme["event"], first_name=first, last_name=last, agency=agency
            ),
            sessions=four_sessions,
        )
    session = four_sessions[0]
    url = reverse("exports:session_download", args=[session.pk, "sign-in-sheets", "pdf"])
    reader = read_pdf(staff_client.get(url))
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    for first, last in WORLD_NAMES:
        assert first in text and last in text
    assert "公安部" in text
    assert set(embedded_fonts(reader)) >= {"DejaVuSans", "DejaVuSans-Bold", "WenQuanYiMicroHei-0"}
    assert all(embedded_fonts(reader)[name] for name in ("DejaVuSans", "WenQuanYiMicroHei-0"))


def test_every_delegate_gets_a_distinct_random_checkin_reference(event):
    delegates = [DelegateFactory(event=event) for _ in range(20)]
    references = {d.checkin_reference for d in delegates}
    assert len(references) == 20
    assert all(len(r) == 20 for r in references)
    assert Delegate.objects.filter(checkin_reference="").count() == 0


def test_checkin_reference_is_given_to_bulk_created_delegates(event):
    agency = AgencyFactory()
    Delegate.objects.bulk_create(
        [
            Delegate(
                event=event,
                first_name="A",
                last_name=str(n),
                email=f"a{n}@x.example",
                agency=agency,
                job_title="DC",
                badge_name="A",
                privacy_accepted_at=timezone.now(),
            )
            for n in range(3)
        ]
    )
    references = set(Delegate.objects.values_list("checkin_reference", flat=True))
    assert len(references) == 3
