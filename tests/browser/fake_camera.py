"""A camera for Chromium that films a badge the app printed.

`badge_video` renders a name badge with `workshops.exports.pdfs.write_badges`,
reads the QR code back out of the PDF (the app draws it as one `re` operator
per run of dark modules, in module units), paints it on a white frame and
writes a short Y4M video, which Chromium plays as its camera with
`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE`.
"""

import io
import re

from pypdf import PdfReader

from workshops.exports.pdfs import QR_QUIET_MODULES, write_badges

WIDTH, HEIGHT = 640, 480
MODULE_PIXELS = 8
BLACK, WHITE = 16, 235  # video (limited-range) luma
RUN = re.compile(rb"^(\d+) (\d+) (\d+) 1 re$", re.MULTILINE)


def badge_modules(reference):
    """The dark modules of the QR code on a printed badge for `reference`, as a square grid."""
    pdf = io.BytesIO()
    badge = {
        "first_name": "Priya",
        "last_name": "Shah",
        "badge_name": "Priya Shah",
        "agency_name": "Warwickshire Police",
        "checkin_reference": reference,
    }
    write_badges(badges=[badge], event_name="Strategic SOCEX", file=pdf)
    content = PdfReader(io.BytesIO(pdf.getvalue())).pages[0].get_contents().get_data()
    runs = [tuple(int(n) for n in match) for match in RUN.findall(content)]
    assert runs, "no QR code found in the badge"
    side = (
        max(max(x + w for x, _, w in runs), max(top + 1 for _, top, _ in runs)) + QR_QUIET_MODULES
    )
    grid = [[False] * side for _ in range(side)]
    for x, top, width in runs:
        for column in range(x, x + width):
            grid[side - 1 - top][column] = True
    return grid


def y4m_frames(grid, frames=10):
    """A Y4M video (4:2:0, grey) of the grid centred on a white frame, `frames` times over."""
    size = len(grid) * MODULE_PIXELS
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray([WHITE]) * (WIDTH * HEIGHT)
    for row_index, row in enumerate(grid):
        for column_index, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(MODULE_PIXELS):
                start = (top + row_index * MODULE_PIXELS + dy) * WIDTH
                start += left + column_index * MODULE_PIXELS
                luma[start : start + MODULE_PIXELS] = bytes([BLACK]) * MODULE_PIXELS
    chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    return header + b"".join(b"FRAME\n" + bytes(luma) + chroma for _ in range(frames))


def badge_video(reference, path):
    """Write the Y4M film of `reference`'s printed badge QR code to `path`; return the path."""
    path.write_bytes(y4m_frames(badge_modules(reference)))
    return path
