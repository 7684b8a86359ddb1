"""Printables: sign-in sheets (a page per session) and name badges with a check-in QR code.

reportlab draws the PDFs and segno computes the QR codes, both pure Python
from the package registry. The QR code is drawn as vector squares, so it
prints sharp at any size and needs no image library. Text is set in the fonts of
`fonts.py`, which print names in any script; text that needs more than one font, or
runs right to left, is measured and drawn through it.
"""

from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from workshops.exports.fonts import cell, draw_string, register_fonts, split_lines, string_width

FONT = "SocexSans"
BOLD = "SocexSans-Bold"
SIGN_IN_COLUMNS = [10 * mm, 42 * mm, 36 * mm, 52 * mm, 40 * mm]  # 180 mm: A4 less margins
SIGN_IN_ROW_HEIGHT = 7.5 * mm
SIGN_IN_HEADER_HEIGHTS = [9 * mm, 7 * mm, 7 * mm]
HEADER_ROWS = len(SIGN_IN_HEADER_HEIGHTS)
PAGE_MARGIN = 15 * mm
FRAME_PADDING = 6  # points, on each side of SimpleDocTemplate's frame
SIGN_IN_ROWS_PER_PAGE = int(
    (A4[1] - 2 * PAGE_MARGIN - 2 * FRAME_PADDING - sum(SIGN_IN_HEADER_HEIGHTS))
    // SIGN_IN_ROW_HEIGHT
)
BADGE_WIDTH = 90 * mm
BADGE_HEIGHT = 60 * mm
BADGE_COLUMNS = 2
BADGE_ROWS = 4
BADGES_PER_PAGE = BADGE_COLUMNS * BADGE_ROWS
QR_SIZE = 28 * mm
QR_QUIET_MODULES = 2
PADDING = 5 * mm


def fit_text(text, *, width, font=FONT, size=9):
    """Shorten `text` with an ellipsis so that it fits in `width` points."""
    text = text or ""
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def fit_size(text, *, width, font, largest, smallest):
    """The largest font size, down to `smallest`, at which `text` fits in `width` points."""
    size = largest
    while size > smallest and string_width(text, font, size) > width:
        size -= 0.5
    return size


def _sign_in_page(session, seats, *, first_number, booked, page, pages):
    """One page of a session's sign-in sheet: the heading, then up to a page of delegates."""
    span = len(SIGN_IN_COLUMNS)
    width = sum(SIGN_IN_COLUMNS)
    slot = session.time_slot
    heading = [fit_text(session.workshop.title, width=width, font=BOLD, size=14)]
    continued = f"  ·  page {page} of {pages}" if pages > 1 else ""
    details = [
        fit_text(
            f"{slot.name}, {slot.times}  ·  {session.room.name}  ·  capacity {session.capacity}"
            f"  ·  {booked} booked{continued}",
            width=width,
            size=10,
        )
    ]
    rows = [
        heading + [""] * (span - 1),
        details + [""] * (span - 1),
        ["", "Surname", "First name", "Agency", "Signature"],
    ]
    for number, seat in enumerate(seats, start=first_number):
        rows.append(
            [
                str(number),
                fit_text(seat["last_name"], width=SIGN_IN_COLUMNS[1] - 4),
                fit_text(seat["first_name"], width=SIGN_IN_COLUMNS[2] - 4),
                fit_text(seat["agency_name"], width=SIGN_IN_COLUMNS[3] - 4),
                "",
            ]
        )
    if not seats:
        rows.append(["", "Nobody has booked this session.", "", "", ""])
    table = Table(
        _drawable(rows),
        colWidths=SIGN_IN_COLUMNS,
        rowHeights=SIGN_IN_HEADER_HEIGHTS + [SIGN_IN_ROW_HEIGHT] * (len(rows) - HEADER_ROWS),
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (0, 1), (-1, 1)),
                ("FONT", (0, 0), (-1, 0), BOLD, 14),
                ("FONT", (0, 1), (-1, 1), FONT, 10),
                ("FONT", (0, 2), (-1, 2), BOLD, 9),
                ("FONT", (0, HEADER_ROWS), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 2), (-1, -1), 0.5, colors.grey),
                ("LINEBEFORE", (4, 2), (4, -1), 0.5, colors.grey),
                ("TEXTCOLOR", (0, HEADER_ROWS), (0, -1), colors.grey),
            ]
        )
    )
    return table


def _drawable(rows, *, heading_fonts=((BOLD, 14), (FONT, 10), (BOLD, 9)), body_font=(FONT, 9)):
    """A table's rows with each text cell ready to draw in its row's font and size
    (`heading_fonts` for the first rows, `body_font` for the rest)."""
    fonts = list(heading_fonts) + [body_font] * (len(rows) - len(heading_fonts))
    return [
        [cell(value, font=font, size=size) if isinstance(value, str) else value for value in row]
        for row, (font, size) in zip(rows, fonts, strict=True)
    ]


def a4_document(file, *, title):
    """An A4 page template with the sheets' margins, writing into the binary `file`."""
    register_fonts()
    return SimpleDocTemplate(
        file,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=title,
    )


def write_sign_in_sheets(*, sessions_with_seats, title, file):
    """Write one sign-in sheet per session into the binary `file`.

    Each session starts on a new page; a long roster continues on the next
    pages under the same heading. Delegates are listed in surname order. The
    pages are cut here, a page's worth of rows per table: letting reportlab
    split one long table costs time that grows with the square of its length.
    """
    document = a4_document(file, title=title)
    story = []
    for session, seats in sessions_with_seats:
        pages = max(1, -(-len(seats) // SIGN_IN_ROWS_PER_PAGE))
        for page in range(pages):
            if story:
                story.append(PageBreak())
            first = page * SIGN_IN_ROWS_PER_PAGE
            story.append(
                _sign_in_page(
                    session,
                    seats[first : first + SIGN_IN_ROWS_PER_PAGE],
                    first_number=first + 1,
                    booked=len(seats),
                    page=page + 1,
                    pages=pages,
                )
            )
    if not story:
        story.append(Table([["There are no sessions to print."]]))
    document.build(story)


def qr_matrix(data):
    """The QR code's modules for `data`, as rows of 0 and 1 (no quiet zone).

    Mask 0 is used instead of scoring all eight: that scoring is 85% of the
    cost of a badge, and the data (a random token) already looks random, which
    is what the scoring aims for. Every reader decodes any mask.
    """
    return segno.make_qr(data, error="m", mask=0, boost_error=False).matrix


def _draw_qr(canvas, data, *, x, y, size):
    """Draw a QR code for `data` as filled squares, one rectangle per run of dark modules.

    The rectangles are written as PDF operators in module units under a scaled
    transform: reportlab's path helpers cost ten times as much for the same page.
    """
    matrix = qr_matrix(data)
    modules = len(matrix) + 2 * QR_QUIET_MODULES
    operators = []
    for row_index, row in enumerate(matrix):
        top = len(matrix) - 1 - row_index + QR_QUIET_MODULES
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                operators.append(f"{start + QR_QUIET_MODULES} {top} {column - start} 1 re")
            else:
                column += 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / modules, size / modules)
    canvas.setFillColor(colors.black)
    canvas.addLiteral("\n".join([*operators, "f"]))
    canvas.restoreState()


def _draw_badge(canvas, badge, *, x, y, event_name):
    canvas.setStrokeColor(colors.lightgrey)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)
    text_width = BADGE_WIDTH - QR_SIZE - 2 * PADDING
    canvas.setFillColor(colors.black)
    draw_string(
        canvas,
        x + PADDING,
        y + BADGE_HEIGHT - PADDING - 6,
        fit_text(event_name, width=BADGE_WIDTH - 2 * PADDING, size=8),
        font=FONT,
        size=8,
    )
    name = badge["badge_name"] or f"{badge['first_name']} {badge['last_name']}"
    size = fit_size(name, width=BADGE_WIDTH - 2 * PADDING, font=BOLD, largest=22, smallest=12)
    draw_string(
        canvas,
        x + PADDING,
        y + BADGE_HEIGHT - PADDING - 8 - size,
        fit_text(name, width=BADGE_WIDTH - 2 * PADDING, font=BOLD, size=size),
        font=BOLD,
        size=size,
    )
    full_name = f"{badge['first_name']} {badge['last_name']}"
    if full_name != name:
        draw_string(
            canvas,
            x + PADDING,
            y + 26 * mm,
            fit_text(full_name, width=text_width, size=10),
            font=FONT,
            size=10,
        )
    lines = split_lines(badge["agency_name"] or "", font=FONT, size=10, width=text_width)
    if len(lines) > 2:
        lines = [lines[0], fit_text(" ".join(lines[1:]), width=text_width, size=10)]
    for index, line in enumerate(lines):
        draw_string(canvas, x + PADDING, y + (19 - 4.5 * index) * mm, line, font=FONT, size=10)
    _draw_qr(
        canvas,
        badge["checkin_reference"],
        x=x + BADGE_WIDTH - QR_SIZE - PADDING / 2,
        y=y + PADDING / 2,
        size=QR_SIZE,
    )


def write_badges(*, badges, event_name, file):
    """Write name badges, eight to an A4 page (2 × 4, 90 × 60 mm), into the binary `file`.

    Each badge shows the badge name, the full name when it differs, the agency
    and a QR code holding the delegate's check-in reference. Returns the count.
    """
    register_fonts()
    canvas = Canvas(file, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Name badges: {event_name}")
    page_width, page_height = A4
    left = (page_width - BADGE_COLUMNS * BADGE_WIDTH) / 2
    bottom = (page_height - BADGE_ROWS * BADGE_HEIGHT) / 2
    count = 0
    for count, badge in enumerate(badges, start=1):
        place = (count - 1) % BADGES_PER_PAGE
        if place == 0 and count > 1:
            canvas.showPage()
        column, row = place % BADGE_COLUMNS, place // BADGE_COLUMNS
        _draw_badge(
            canvas,
            badge,
            x=left + column * BADGE_WIDTH,
            y=bottom + (BADGE_ROWS - 1 - row) * BADGE_HEIGHT,
            event_name=event_name,
        )
    if count == 0:
        canvas.setFont(FONT, 12)
        canvas.drawString(20 * mm, page_height - 30 * mm, "There are no delegates to print.")
    canvas.showPage()
    canvas.save()
    return count


DOOR_LIST_COLUMNS = [8 * mm, 34 * mm, 26 * mm, 36 * mm, 76 * mm]  # 180 mm


SMALL = ParagraphStyle("small", fontName=FONT, fontSize=7, leading=8)


def _two_lines(text, *, width):
    """`text` wrapped in a cell `width` points wide, cut with an ellipsis past two lines."""
    return Paragraph(escape(fit_text(text, width=2 * width - 20, size=7)), SMALL)


def _door_list_page(people, *, heading, first_number, page, pages):
    span = len(DOOR_LIST_COLUMNS)
    width = sum(DOOR_LIST_COLUMNS)
    continued = f"  ·  page {page} of {pages}" if pages > 1 else ""
    rows = [
        [fit_text(heading + continued, width=width, font=BOLD, size=12)] + [""] * (span - 1),
        ["", "Surname", "First name", "Agency", "Sessions that day"],
    ]
    for person in people:
        rows.append(
            [
                "",
                fit_text(person["last_name"], width=DOOR_LIST_COLUMNS[1] - 4),
                fit_text(person["first_name"], width=DOOR_LIST_COLUMNS[2] - 4),
                fit_text(person["agency_name"], width=DOOR_LIST_COLUMNS[3] - 4),
                _two_lines(", ".join(person["sessions"]), width=DOOR_LIST_COLUMNS[4] - 4),
            ]
        )
    if not people:
        rows.append(["", "Nobody is expected on this day.", "", "", ""])
    table = Table(
        _drawable(rows, heading_fonts=((BOLD, 12), (BOLD, 9))),
        colWidths=DOOR_LIST_COLUMNS,
        rowHeights=[9 * mm, 7 * mm] + [SIGN_IN_ROW_HEIGHT] * (len(rows) - 2),
    )
    boxes = [("BOX", (0, r), (0, r), 0.8, colors.black) for r in range(2, 2 + len(people))]
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("FONT", (0, 0), (-1, 0), BOLD, 12),
                ("FONT", (0, 1), (-1, 1), BOLD, 9),
                ("FONT", (0, 2), (-1, -1), FONT, 9),
                ("FONT", (4, 2), (4, -1), FONT, 7),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, colors.grey),
                *boxes,
            ]
        )
    )
    return table


def write_door_list(*, people, heading, file):
    """Write the paper fallback for a day's entrance: everyone expected, alphabetical, a box to
    tick each, and their sessions that day, into the binary `file`. Returns the count."""
    document = a4_document(file, title=heading)
    per_page = SIGN_IN_ROWS_PER_PAGE
    pages = max(1, -(-len(people) // per_page))
    story = []
    for page in range(pages):
        if story:
            story.append(PageBreak())
        first = page * per_page
        story.append(
            _door_list_page(
                people[first : first + per_page],
                heading=heading,
                first_number=first + 1,
                page=page + 1,
                pages=pages,
            )
        )
    document.build(story)
    return len(people)
