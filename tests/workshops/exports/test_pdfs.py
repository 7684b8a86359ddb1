"""Sign-in sheets and name badges: pages, names, order, and the check-in reference."""

import datetime
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.workshops.exports.data import make_known_delegates, read_pdf
from workshops.exports.fonts import string_width
from workshops.exports.pdfs import (
    BADGE_WIDTH,
    BOLD,
    CELL_FONT_SIZES,
    PADDING,
    SIGN_IN_ROWS_PER_PAGE,
    WALK_IN_ROWS,
    fit_cell,
    sign_in_body,
)
from workshops.models import ExportRecord
from workshops.services.booking import book_sessions


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


def sign_in_text(client, session):
    url = reverse("exports:session_download", args=[session.pk, "sign-in-sheets", "pdf"])
    reader = read_pdf(client.get(url))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_sign_in_sheet_gives_the_day_of_the_session(staff_client, known, four_sessions):
    session = four_sessions[0]
    slot = session.time_slot
    # 23:30 UTC on Wednesday 22 May is already Thursday in Kenilworth (BST).
    slot.starts_at = datetime.datetime(2019, 5, 22, 23, 30, tzinfo=datetime.UTC)
    slot.ends_at = slot.starts_at + datetime.timedelta(hours=1)
    slot.save()
    [page] = sign_in_text(staff_client, session)
    assert f"Thursday 23 May 2019, {session.time_slot.name}, {session.time_slot.times}" in page


def test_sign_in_sheet_prints_agency_names_in_full(staff_client, programme, four_sessions):
    names = [
        "HM Inspectorate of Constabulary and Fire & Rescue Services",
        "Yorkshire and the Humber Regional Organised Crime Unit, Economic Crime and "
        "Cyber Crime Teams (joint secondment from West Yorkshire Police, North "
        "Yorkshire Police and South Yorkshire Police)",
    ]
    for name in names:
        delegate = DelegateFactory(event=programme["event"], agency=AgencyFactory(name=name))
        book_sessions(delegate=delegate, sessions=four_sessions)
    [page] = sign_in_text(staff_client, four_sessions[0])
    for name in names:
        assert name in page
    assert "…" not in page


def test_sign_in_sheet_ends_with_rows_for_walk_ins(staff_client, known, four_sessions):
    [page] = sign_in_text(staff_client, four_sessions[0])
    assert page.index("Lovelace") < page.index("Walk-ins (not booked): name, agency, then sign")


@pytest.mark.parametrize(
    ("booked", "pages", "walk_in_rows"),
    [
        (0, 1, SIGN_IN_ROWS_PER_PAGE - 2),  # "nobody has booked", the label, blank rows
        (2, 1, SIGN_IN_ROWS_PER_PAGE - 3),
        # Too few rows left on the page for the walk-ins: they start a page of their own.
        (SIGN_IN_ROWS_PER_PAGE - WALK_IN_ROWS, 2, SIGN_IN_ROWS_PER_PAGE - 1),
        (SIGN_IN_ROWS_PER_PAGE - WALK_IN_ROWS - 1, 1, WALK_IN_ROWS),
    ],
)
def test_walk_in_rows_fill_the_last_page(booked, pages, walk_in_rows):
    seats = [{"last_name": "S", "first_name": "F", "agency_name": "A"}] * booked
    body = sign_in_body(seats)
    kinds = [kind for _cells, kind in body]
    assert len(body) == pages * SIGN_IN_ROWS_PER_PAGE
    assert kinds.count("seat") == booked
    assert kinds.count("walk-ins") == 1
    assert kinds.count("blank") == walk_in_rows
    assert kinds[-walk_in_rows - 1] == "walk-ins"


def test_fit_cell_shrinks_then_wraps_then_shortens_what_cannot_fit():
    assert fit_cell("Kent Police", width=100, height=20) == (["Kent Police"], 9)
    lines, size = fit_cell("word " * 30, width=100, height=20)
    assert len(lines) * size * 1.1 <= 20 and size < 9
    lines, size = fit_cell("word " * 300, width=100, height=20)
    assert size == CELL_FONT_SIZES[-1] and lines[-1].endswith("…")


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


def test_a_long_workshop_title_is_set_smaller_on_its_sign_in_sheet_not_cut(staff_client, programme):
    title = "Technology-enabled crime: encrypted devices, dark markets and digital evidence"
    workshop = programme["workshops"][0]
    workshop.title = title
    workshop.save()
    session = programme["sessions"][(0, 0)]

    reader = read_pdf(staff_client.get(f"/admin/exports/sessions/{session.pk}/sign-in-sheets.pdf"))

    text = " ".join(reader.pages[0].extract_text().split())
    assert title in text
    assert "…" not in text


def test_the_door_list_wraps_long_agencies_and_keeps_its_heading_whole(
    staff_client, programme, four_sessions
):
    event = programme["event"]
    agency = AgencyFactory(name="Kent Fire and Rescue Service Joint Operations")
    DelegateFactory(event=event, last_name="Byron", agency=agency)
    day = event.ends_on.isoformat()

    reader = read_pdf(staff_client.get(f"/admin/exports/days/{day}/door-list.pdf"))

    text = " ".join(reader.pages[0].extract_text().split())
    assert "Kent Fire and Rescue Service Joint Operations" in text
    assert "1 expected" in text
    assert "…" not in text


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (
            "Maximiliana-Anastasia Bartholomew-Featherstonehaugh",
            "Wolfeschlegelsteinhausenbergerdorff-Cholmondeley-Marjoribanks",
        ),
        ("Ada", "W" * 100),
    ],
)
def test_a_badge_shows_a_long_name_whole_inside_the_badge(staff_client, event, first, last):
    """A name too long for one line wraps, smaller, rather than losing the surname."""
    DelegateFactory(event=event, first_name=first, last_name=last, badge_name="")
    page = read_pdf(staff_client.get("/admin/exports/badges.pdf")).pages[0]
    runs = []

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((tm[4], text.strip(), tm[0] * font_size))

    text = page.extract_text(visitor_text=visitor)
    assert "".join(f"{first}{last}".split()) in "".join(text.split())
    assert "…" not in text
    # Every line of the name ends inside the badge: within its width of the text's left edge.
    name_runs = [(x, run, size) for x, run, size in runs if run in f"{first} {last}"]
    assert len(name_runs) >= 2
    left = min(x for x, _, _ in name_runs) - PADDING
    for x, run, size in name_runs:
        assert x + string_width(run, BOLD, size) <= left + BADGE_WIDTH - PADDING, run
