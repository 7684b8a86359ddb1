"""The attendance certificate: one A4 page, the sessions attended with times, a code and a QR.

Drawn like the badges (`pdfs.py`): reportlab, the multi-script fonts of
`fonts.py` (a name prints in any script), and a vector QR code, here of the
certificate's public verification address.
"""

from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from workshops.exports.fonts import draw_string, register_fonts, split_lines, string_width
from workshops.exports.pdfs import BOLD, FONT, _draw_qr, fit_size

MARGIN = 20 * mm
CERTIFICATE_QR_SIZE = 32 * mm


def _centred(canvas, text, *, y, font, size):
    width = string_width(text, font, size)
    draw_string(canvas, (A4[0] - width) / 2, y, text, font=font, size=size)


def _hours(minutes):
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def write_certificate(*, name, event_name, sessions, minutes, code, verify_url, issued_at, file):
    """Write the certificate for `name` into the binary `file`.

    `sessions` are `Certificate.sessions` items with `starts`/`ends` as aware
    datetimes added; `code` is the formatted code printed under the QR code.
    """
    register_fonts()
    canvas = Canvas(file, pagesize=A4)
    canvas.setTitle(f"Certificate of attendance: {event_name}")
    width, height = A4
    text_width = width - 2 * MARGIN
    canvas.setStrokeColor(colors.darkblue)
    canvas.setLineWidth(2)
    canvas.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN)

    y = height - 2 * MARGIN
    _centred(canvas, "Certificate of attendance", y=y, font=BOLD, size=24)
    y -= 14 * mm
    _centred(canvas, "This is to certify that", y=y, font=FONT, size=12)
    y -= 14 * mm
    name_size = fit_size(name, width=text_width, font=BOLD, largest=22, smallest=12)
    # A name too long for one line even at the smallest size wraps, centred line by line.
    for line in split_lines(name, font=BOLD, size=name_size, width=text_width, break_words=True):
        _centred(canvas, line, y=y, font=BOLD, size=name_size)
        y -= 6 * mm
    y -= 6 * mm
    _centred(canvas, "attended the following sessions of", y=y, font=FONT, size=12)
    y -= 9 * mm
    for line in split_lines(event_name, font=BOLD, size=14, width=text_width):
        _centred(canvas, line, y=y, font=BOLD, size=14)
        y -= 7 * mm
    y -= 6 * mm

    for item in sessions:
        starts, ends = item["starts"], item["ends"]
        when = f"{date_format(starts, 'l j F Y')}, {starts:%H:%M}–{ends:%H:%M}  ·  {item['slot']}"
        lines = split_lines(item["workshop"], font=BOLD, size=11, width=text_width)
        for line in lines:
            draw_string(canvas, MARGIN, y, line, font=BOLD, size=11)
            y -= 5.5 * mm
        draw_string(canvas, MARGIN, y, when, font=FONT, size=10)
        y -= 9 * mm

    y -= 2 * mm
    draw_string(
        canvas,
        MARGIN,
        y,
        f"Total time in sessions: {_hours(minutes)} ({len(sessions)} "
        f"session{'s' if len(sessions) != 1 else ''}), for your CPD record.",
        font=FONT,
        size=10,
    )

    bottom = MARGIN + 4 * mm
    _draw_qr(canvas, verify_url, x=MARGIN, y=bottom, size=CERTIFICATE_QR_SIZE)
    left = MARGIN + CERTIFICATE_QR_SIZE + 6 * mm
    draw_string(canvas, left, bottom + 24 * mm, f"Certificate code: {code}", font=BOLD, size=12)
    draw_string(
        canvas,
        left,
        bottom + 17 * mm,
        "Check that it is genuine by scanning the code, or at",
        font=FONT,
        size=9,
    )
    url_size = fit_size(verify_url, width=width - MARGIN - left, font=FONT, largest=9, smallest=6)
    draw_string(canvas, left, bottom + 12 * mm, verify_url, font=FONT, size=url_size)
    issued = date_format(timezone.localtime(issued_at), "j F Y")
    draw_string(canvas, left, bottom + 5 * mm, f"Issued {issued}", font=FONT, size=9)
    canvas.showPage()
    canvas.save()
