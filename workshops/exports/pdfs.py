"""Printables: sign-in sheets (a page per session) and name badges with a check-in QR code.

A sign-in sheet gives the session's date, round, room and capacity, lists the
delegates booked with their agency's full name (in smaller type, on two or
three lines, when it is long) and ends with blank rows for walk-ins.

reportlab draws the PDFs and segno computes the QR codes, both pure Python
from the package registry. The QR code is drawn as vector squares, so it
prints sharp at any size and needs no image library. Text is set in the fonts of
`fonts.py`, which print names in any script; text that needs more than one font, or
runs right to left, is measured and drawn through it.
"""

import re
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from workshops.exports.fonts import cell, draw_string, register_fonts, split_lines, string_width
from workshops.exports.progress import ProgressMark, advance

FONT = "SocexSans"
BOLD = "SocexSans-Bold"
SIGN_IN_COLUMNS = [10 * mm, 38 * mm, 32 * mm, 62 * mm, 38 * mm]  # 180 mm: A4 less margins
SIGN_IN_ROW_HEIGHT = 7.5 * mm
SIGN_IN_HEADER_HEIGHTS = [9 * mm, 7 * mm, 7 * mm]
HEADER_ROWS = len(SIGN_IN_HEADER_HEIGHTS)
PAGE_MARGIN = 15 * mm
FRAME_PADDING = 6  # points, on each side of SimpleDocTemplate's frame
SIGN_IN_ROWS_PER_PAGE = int(
    (A4[1] - 2 * PAGE_MARGIN - 2 * FRAME_PADDING - sum(SIGN_IN_HEADER_HEIGHTS))
    // SIGN_IN_ROW_HEIGHT
)
# Walk-ins fill the rest of the last page, on a new page when fewer than this would fit.
WALK_IN_ROWS = 5
# Tried in turn until a cell's text fits; DejaVu Sans is a fifth wider than Helvetica.
CELL_FONT_SIZES = (9, 8, 7, 6, 5.5, 5, 4.5)
CELL_PADDING = 4  # points, left and right, as reportlab's Table leaves them
BADGE_WIDTH = 90 * mm
BADGE_HEIGHT = 60 * mm
BADGE_COLUMNS = 2
BADGE_ROWS = 4
BADGES_PER_PAGE = BADGE_COLUMNS * BADGE_ROWS
QR_SIZE = 28 * mm
QR_QUIET_MODULES = 2
DARK_RUN = re.compile(b"\x01+")
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


def fit_cell(text, *, width, height, sizes=CELL_FONT_SIZES):
    """Lay `text` out in a `width` × `height` cell: (lines, font size), all of it if it can.

    The largest size at which the whole text fits on as many lines as the cell
    holds; past the smallest, the last line ends with an ellipsis.
    """
    text = " ".join((text or "").split())
    for size in sizes:
        if string_width(text, FONT, size) <= width:
            return [text], size
        lines = split_lines(text, font=FONT, size=size, width=width)
        # A word too long for the width stays whole on its line: that line must fit too.
        fits = all(string_width(line, FONT, size) <= width for line in lines)
        if fits and len(lines) * size * 1.1 <= height:
            return lines, size
    size = sizes[-1]
    room = max(1, int(height // (size * 1.1)))
    lines = [
        fit_text(line, width=width, size=size)
        for line in split_lines(text, font=FONT, size=size, width=width)
    ]
    if len(lines) > room:
        lines = [*lines[: room - 1], fit_text(" ".join(lines[room - 1 :]), width=width, size=size)]
    return lines, size


def session_date(session):
    """The day a session runs, as people write it: "Thursday 23 May 2019"."""
    return date_format(timezone.localtime(session.time_slot.starts_at), "l j F Y")


def sign_in_body(seats):
    """The sheet's rows below the headings, pages not yet cut: seats, then walk-ins.

    Each row is (cells, kind): "seat", "none", "walk-ins" (the label) or "blank".
    """
    rows = [
        (
            [
                str(number),
                seat["last_name"],
                seat["first_name"],
                seat["agency_name"],
                "",
            ],
            "seat",
        )
        for number, seat in enumerate(seats, start=1)
    ]
    if not rows:
        rows.append((["", "Nobody has booked this session.", "", "", ""], "none"))
    used = len(rows) % SIGN_IN_ROWS_PER_PAGE or SIGN_IN_ROWS_PER_PAGE
    left = SIGN_IN_ROWS_PER_PAGE - used
    if left < WALK_IN_ROWS + 1:
        rows += [(["", "", "", "", ""], "gap")] * left  # the walk-ins start a new page
        left = SIGN_IN_ROWS_PER_PAGE
    rows.append((["", "Walk-ins (not booked): name, agency, then sign", "", "", ""], "walk-ins"))
    rows += [(["", "", "", "", ""], "blank")] * (left - 1)
    return rows


def _sign_in_page(session, body, *, booked, page, pages):
    """One page of a session's sign-in sheet: the heading, then up to a page of `body` rows."""
    span = len(SIGN_IN_COLUMNS)
    width = sum(SIGN_IN_COLUMNS)
    slot = session.time_slot
    # A long title is set smaller before anything is cut.
    title_size = fit_size(session.workshop.title, width=width, font=BOLD, largest=14, smallest=9)
    heading = [fit_text(session.workshop.title, width=width, font=BOLD, size=title_size)]
    continued = f"  ·  page {page} of {pages}" if pages > 1 else ""
    details_text = (
        f"{session_date(session)}, {slot.name}, {slot.times}  ·  {session.room.name}"
        f"  ·  capacity {session.capacity}  ·  {booked} booked{continued}"
    )
    details_size = fit_size(details_text, width=width, font=FONT, largest=10, smallest=7)
    details = [fit_text(details_text, width=width, size=details_size)]
    rows = [
        heading + [""] * (span - 1),
        details + [""] * (span - 1),
        ["", "Surname", "First name", "Agency", "Signature"],
    ]
    style = [
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (0, 1), (-1, 1)),
        ("FONT", (0, 0), (-1, 0), BOLD, title_size),
        ("FONT", (0, 1), (-1, 1), FONT, details_size),
        ("FONT", (0, 2), (-1, 2), BOLD, 9),
        ("FONT", (0, HEADER_ROWS), (-1, -1), FONT, 9),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 2), (-1, -1), 0.5, colors.grey),
        ("LINEBEFORE", (4, 2), (4, -1), 0.5, colors.grey),
        ("TEXTCOLOR", (0, HEADER_ROWS), (0, -1), colors.grey),
    ]
    for index, (cells, kind) in enumerate(body, start=HEADER_ROWS):
        if kind == "walk-ins":
            style += [("SPAN", (1, index), (3, index)), ("FONT", (1, index), (3, index), BOLD, 9)]
        elif kind == "seat":
            style += fit_row_cells(cells, row=index, columns=(1, 2, 3), widths=SIGN_IN_COLUMNS)
        rows.append(cells)
    table = Table(
        _drawable(rows, heading_fonts=((BOLD, title_size), (FONT, details_size), (BOLD, 9))),
        colWidths=SIGN_IN_COLUMNS,
        rowHeights=SIGN_IN_HEADER_HEIGHTS + [SIGN_IN_ROW_HEIGHT] * (len(rows) - HEADER_ROWS),
    )
    table.setStyle(TableStyle(style))
    return table


def fit_row_cells(cells, *, row, columns, widths):
    """Lay out `cells[column]` for each of `columns` to fit its cell, wrapped and set smaller
    before anything is cut (`fit_cell`); return the table styles for the sizes changed.

    Each cell is drawn here at the size that fits: `_drawable` would set the row's size.
    """
    style = []
    for column in columns:
        lines, size = fit_cell(
            cells[column], width=widths[column] - 2 * CELL_PADDING, height=SIGN_IN_ROW_HEIGHT - 2
        )
        cells[column] = cell("\n".join(lines), font=FONT, size=size)
        if size != CELL_FONT_SIZES[0]:
            at = (column, row)
            style += [("FONTSIZE", at, at, size), ("LEADING", at, at, size * 1.1)]
    return style


def _drawable(rows, *, heading_fonts=((BOLD, 14), (FONT, 10), (BOLD, 9)), body_font=(FONT, 9)):
    """A table's rows with each text cell ready to draw in its row's font and size
    (`heading_fonts` for the first rows, `body_font` for the rest)."""
    fonts = list(heading_fonts) + [body_font] * (len(rows) - len(heading_fonts))
    return [
        [_drawable_cell(value, font=font, size=size) for value in row]
        for row, (font, size) in zip(rows, fonts, strict=True)
    ]


def _drawable_cell(value, *, font, size):
    if not isinstance(value, str):
        return value
    # An empty tuple is an empty list of flowables: reportlab draws nothing for it, but
    # puts "" through its whole text machinery (a third of a sign-in sheet's cells).
    return cell(value, font=font, size=size) if value else ()


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
        body = sign_in_body(seats)
        pages = -(-len(body) // SIGN_IN_ROWS_PER_PAGE)
        for page in range(pages):
            if story:
                story.append(PageBreak())
            first = page * SIGN_IN_ROWS_PER_PAGE
            rows = body[first : first + SIGN_IN_ROWS_PER_PAGE]
            story.append(
                _sign_in_page(
                    session,
                    [(list(cells), kind) for cells, kind in rows],
                    booked=len(seats),
                    page=page + 1,
                    pages=pages,
                )
            )
            story.append(ProgressMark(min(len(rows), max(len(seats) - first, 0))))
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
    # Each row is bytes of 0 and 1: a regular expression finds its runs in C, a sixth
    # of a badge's time when done module by module in Python.
    operators = []
    for row_index, row in enumerate(matrix):
        top = len(matrix) - 1 - row_index + QR_QUIET_MODULES
        operators += (
            f"{run.start() + QR_QUIET_MODULES} {top} {run.end() - run.start()} 1 re"
            for run in DARK_RUN.finditer(row)
        )
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
    full_name = f"{badge['first_name']} {badge['last_name']}"
    shows_full_name = full_name != name
    # The name fills the space between the event's line and the full name (or the agency).
    name_top = y + BADGE_HEIGHT - PADDING - 8
    name_bottom = y + (26 * mm + 10 if shows_full_name else 23 * mm)
    lines, size = fit_badge_name(
        name, width=BADGE_WIDTH - 2 * PADDING, height=name_top - name_bottom
    )
    for index, line in enumerate(lines):
        baseline = name_top - size - index * size * NAME_LEADING
        draw_string(canvas, x + PADDING, baseline, line, font=BOLD, size=size)
    if shows_full_name:
        full_size = fit_size(full_name, width=text_width, font=FONT, largest=10, smallest=7)
        draw_string(
            canvas,
            x + PADDING,
            y + 26 * mm,
            fit_text(full_name, width=text_width, size=full_size),
            font=FONT,
            size=full_size,
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


NAME_LEADING = 1.1


def fit_badge_name(name, *, width, height, largest=22, single_line_smallest=14, smallest=9):
    """Lay a badge's name out: (lines, font size), the whole name whenever it can.

    One line, as large as fits down to `single_line_smallest`; else on as many
    lines as `height` holds, as large as fits, breaking at spaces and, at the
    smallest size, inside a word too long for a line. Only a name that still
    does not fit ends with an ellipsis: a surname is never simply dropped.
    """
    name = " ".join(name.split())
    size = fit_size(name, width=width, font=BOLD, largest=largest, smallest=single_line_smallest)
    if string_width(name, BOLD, size) <= width:
        return [name], size
    for size in range(int(single_line_smallest), smallest - 1, -1):
        lines = split_lines(name, font=BOLD, size=size, width=width, break_words=size == smallest)
        fits = all(string_width(line, BOLD, size) <= width for line in lines)
        if fits and (len(lines) - 1) * size * NAME_LEADING + size <= height:
            return lines, size
    room = max(1, int((height - size) // (size * NAME_LEADING)) + 1)
    return [
        *lines[: room - 1],
        fit_text(" ".join(lines[room - 1 :]), width=width, font=BOLD, size=size),
    ], size


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
        advance()
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
    text = heading + continued
    heading_size = fit_size(text, width=width, font=BOLD, largest=12, smallest=8)
    rows = [
        [fit_text(text, width=width, font=BOLD, size=heading_size)] + [""] * (span - 1),
        ["", "Surname", "First name", "Agency", "Sessions that day"],
    ]
    sized = []
    for index, person in enumerate(people, start=2):
        cells = ["", person["last_name"], person["first_name"], person["agency_name"]]
        sized += fit_row_cells(cells, row=index, columns=(1, 2, 3), widths=DOOR_LIST_COLUMNS)
        cells.append(_two_lines(", ".join(person["sessions"]), width=DOOR_LIST_COLUMNS[4] - 4))
        rows.append(cells)
    if not people:
        rows.append(["", "Nobody is expected on this day.", "", "", ""])
    table = Table(
        _drawable(rows, heading_fonts=((BOLD, heading_size), (BOLD, 9))),
        colWidths=DOOR_LIST_COLUMNS,
        rowHeights=[9 * mm, 7 * mm] + [SIGN_IN_ROW_HEIGHT] * (len(rows) - 2),
    )
    boxes = [("BOX", (0, r), (0, r), 0.8, colors.black) for r in range(2, 2 + len(people))]
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("FONT", (0, 0), (-1, 0), BOLD, heading_size),
                ("FONT", (0, 1), (-1, 1), BOLD, 9),
                ("FONT", (0, 2), (-1, -1), FONT, 9),
                ("FONT", (4, 2), (4, -1), FONT, 7),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, colors.grey),
                *boxes,
                *sized,
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
