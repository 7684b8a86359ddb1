"""Write tabular downloads: CSV streamed row by row, XLSX through a temporary file.

Both take the rows a resource's `export_rows` yields, already through
`formulas.spreadsheet_cell`, and write the cells exactly as they come: any change
made after neutralising (dropping a character, trimming) could uncover a formula.
Neither holds the whole list in memory.
"""

import csv
import io
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 500


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


def write_xlsx(*, table_rows, sheet_title, file):
    """Write the rows as one worksheet, header in bold and frozen, into the binary `file`.

    openpyxl's write-only mode keeps one row in memory at a time.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for index, cells in enumerate(table_rows):
        if index == 0:
            cells = [_bold_cell(sheet, value, bold) for value in cells]
        sheet.append(cells)
    workbook.save(file)


def _bold_cell(sheet, value, font):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def xlsx_response(*, table_rows, sheet_title, filename):
    """An XLSX download, built in a temporary file on disk and sent from there."""
    # FileResponse closes the file once it is sent, so no context manager here.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write_xlsx(table_rows=table_rows, sheet_title=sheet_title, file=file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
