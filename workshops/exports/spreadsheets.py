"""Write tabular downloads: CSV streamed row by row, XLSX through a temporary file.

Both take the rows a resource's `export_rows` yields, already through
`formulas.spreadsheet_cell`, and write the cells exactly as they come: any change
made after neutralising (dropping a character, trimming) could uncover a formula.
Neither holds the whole list in memory.

An XLSX download is one or more `Sheet`s, each ready to use and to print:
columns as wide as the header and the first rows need, the header row bold,
frozen and filtered, and pages set up landscape, one page wide, with the
header row repeated and the title at the top of each page.
"""

import csv
import io
import tempfile
from dataclasses import dataclass
from itertools import chain, islice

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workshops.exports.formulas import page_header_text
from workshops.exports.progress import advance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 500
# Column widths (in characters) are measured on the header and this many rows: the
# rest stream past without being held. Within these bounds, so no column hides or swamps.
WIDTH_SAMPLE_ROWS = 500
NARROWEST, WIDEST = 6, 60


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name (already `formulas.sheet_name`), rows (header first), print title."""

    name: str
    table_rows: object
    title: str = ""


def csv_chunks(table_rows):
    """Yield the CSV text in chunks of a few hundred rows.

    Starts with a byte-order mark so that Excel reads the UTF-8 (names with
    accents) correctly.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for count, cells in enumerate(table_rows, start=1):
        writer.writerow(cells)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(*, table_rows, filename):
    """A streamed CSV download: rows are read and written as the client receives them."""
    return StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(table_rows)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def column_widths(rows):
    """Width of each column, in characters, to fit the longest cell of `rows` (within bounds)."""
    widths = []
    for cells in rows:
        for index, value in enumerate(cells):
            length = max((len(line) for line in str(value or "").splitlines()), default=0)
            if index == len(widths):
                widths.append(length)
            else:
                widths[index] = max(widths[index], length)
    return [min(max(width + 2, NARROWEST), WIDEST) for width in widths]


def write_xlsx(*, sheets, title, file):
    """Write each `Sheet` as a worksheet into the binary `file`; `title` names the workbook.

    openpyxl's write-only mode keeps one row in memory at a time, past the few
    hundred read ahead to size the columns.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    if not workbook.worksheets:
        workbook.create_sheet(title="Empty")
    workbook.save(file)


def _write_sheet(workbook, sheet):
    rows = iter(sheet.table_rows)
    header = next(rows, None)
    ahead = list(islice(rows, WIDTH_SAMPLE_ROWS))
    worksheet = workbook.create_sheet(title=sheet.name)
    if header is None:
        return
    # Set before the first row: write-only mode writes the columns out with it.
    for index, width in enumerate(column_widths([header, *ahead]), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    _set_up_printing(worksheet, sheet.title)
    bold = Font(bold=True)
    worksheet.append([_header_cell(worksheet, value, bold) for value in header])
    count = 1
    for cells in chain(ahead, rows):
        worksheet.append(cells)
        count += 1
        advance()
    worksheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count}"


def _set_up_printing(worksheet, title):
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = "1:1"
    worksheet.oddHeader.center.text = page_header_text(title)
    worksheet.oddHeader.right.text = "Printed &D"
    worksheet.oddFooter.center.text = "Page &P of &N"


def _header_cell(worksheet, value, font):
    cell = WriteOnlyCell(worksheet, value=value)
    cell.font = font
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    return cell


def xlsx_response(*, sheets, title, filename):
    """An XLSX download, built in a temporary file on disk and sent from there."""
    # FileResponse closes the file once it is sent, so no context manager here.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write_xlsx(sheets=sheets, title=title, file=file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
