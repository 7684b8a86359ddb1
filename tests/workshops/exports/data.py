"""Known data for the export tests, and helpers to read downloads back."""

import csv
import io
import re

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from registration.models import Agency
from tests.factories import AgencyFactory, DelegateFactory
from workshops.models import Room, Session
from workshops.services.booking import book_sessions, cancel_registration

BOM = "\ufeff"


def make_known_delegates(programme, four_sessions):
    """Four live delegates and one cancelled; names chosen so surname order is clear.

    Returns a dict of the delegates by first name.
    """
    s = programme["sessions"]
    event = programme["event"]
    for index, slot in enumerate(programme["slots"]):
        slot.name = f"Round {index + 1}"
        slot.save()
    police = AgencyFactory(name="Warwickshire Police", kind=Agency.Kind.POLICE_FORCE)
    nca = AgencyFactory(name="National Crime Agency", kind=Agency.Kind.NATIONAL)
    ada = DelegateFactory(
        event=event,
        first_name="Ada",
        last_name="Lovelace",
        badge_name="Ada L.",
        email="ada@warwickshire.police.uk",
        job_title="Detective Inspector",
        agency=police,
        dietary_requirements="Vegetarian",
        accessibility_needs="Step-free access",
    )
    book_sessions(delegate=ada, sessions=four_sessions)
    brian = DelegateFactory(
        event=event,
        first_name="Brian",
        last_name="Ashby",
        email="brian@nca.gov.uk",
        job_title="Analyst",
        agency=nca,
    )
    book_sessions(delegate=brian, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    carol = DelegateFactory(
        event=event,
        first_name="Carol",
        last_name="Zed",
        email="carol@nca.gov.uk",
        job_title="Manager",
        agency=nca,
        attends_day_two=False,
        dietary_requirements="No nuts",
    )
    dan = DelegateFactory(
        event=event,
        first_name="Dan",
        last_name="Ashby",
        email="dan@warwickshire.police.uk",
        job_title="Sergeant",
        agency=police,
        attends_day_one=False,
        accessibility_needs="Hearing loop",
    )
    book_sessions(delegate=dan, sessions=four_sessions)
    gone = DelegateFactory(
        event=event, first_name="Gone", last_name="Away", agency=police, dietary_requirements="x"
    )
    cancel_registration(delegate=gone)
    return {"ada": ada, "brian": brian, "carol": carol, "dan": dan, "gone": gone}


def add_booked_delegates(programme, four_sessions, count):
    """Add `count` delegates, each holding the same four seats (capacities raised to fit)."""
    Room.objects.update(capacity=1000)
    Session.objects.update(capacity=1000)
    agency = AgencyFactory(name="Bulk Constabulary")
    for _ in range(count):
        delegate = DelegateFactory(
            event=programme["event"], agency=agency, dietary_requirements="Vegan"
        )
        book_sessions(delegate=delegate, sessions=four_sessions)


def body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def read_csv(response):
    text = body(response).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_workbook(response):
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def read_xlsx_cells(response):
    return [list(row) for row in read_workbook(response).active.iter_rows()]


def excel_text(value):
    """A cell's value as Excel shows it: openpyxl leaves Excel's escapes for characters
    (`_x000D_` a carriage return, `_x005F_` an underscore) in the text; Excel reads them."""
    if not isinstance(value, str):
        return value
    return re.sub("_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), value)


def sheet_values(worksheet):
    """A worksheet's cells as rows of values as Excel shows them, an empty cell as ""."""
    return [
        ["" if v is None else excel_text(v) for v in row]
        for row in worksheet.iter_rows(values_only=True)
    ]


def read_xlsx(response):
    return sheet_values(read_workbook(response).active)


def read_table(response, file_format):
    return read_csv(response) if file_format == "csv" else read_xlsx(response)


def read_pdf(response):
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(body(response)))


def count_queries(client, url):
    """The queries one download takes, reading the whole body (streamed rows included)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body(response)
    return len(queries)
