"""Write tabular downloads: CSV streamed row by row, XLSX through temporary files.

Both take the rows a resource's `export_rows` yields, already through
`formulas.spreadsheet_cell`, and write the cells exactly as they come: any change
made after neutralising (dropping a character, trimming) could uncover a formula.
Neither holds the whole list in memory.

An XLSX download is one or more `Sheet`s, each ready to use and to print:
columns as wide as the header and the first rows need, the header row bold,
frozen and filtered, and pages set up landscape, one page wide, with the
header row repeated and the title at the top of each page.

XlsxWriter writes the workbook around the data: styles, the header row, widths,
panes, filters, page set-up, names. The data rows themselves are written here
(`row_xml`) and put into each sheet of XlsxWriter's file (`_splice_rows`):
XlsxWriter spends about 5 µs of Python on a cell, 1.6 s for the 320,000 cells
of the rosters of 10,000 delegates; a row of XML written here costs a fifth of that.
"""

import csv
import io
import math
import re
import shutil
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from itertools import chain, islice
from xml.sax.saxutils import escape

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from xlsxwriter.utility import xl_col_to_name

from workshops.exports.formulas import ILLEGAL_CHARACTERS_RE, page_header_text, spreadsheet_cell
from workshops.exports.progress import advance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 500
# Column widths (in characters) are measured on the header and this many rows: the
# rest stream past without being held. Within these bounds, so no column hides or swamps.
WIDTH_SAMPLE_ROWS = 500
NARROWEST, WIDEST = 6, 60
XLSX_OPTIONS = {
    # Every cell is written as what it is (`write_string`, `row_xml`); never guess
    # that text is a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,  # the frame is small: the rows are spliced in afterwards
}
# Excel's limit for a page header, in UTF-16 units; XlsxWriter drops a longer one.
PAGE_HEADER_LENGTH = 255
PRINTED_ON = "&RPrinted &D"
# Text Excel would read as its own escape for a character (`_x000D_`): escaped in turn.
EXCEL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
NEEDS_ESCAPING = re.compile("[&<>\r]|_x[0-9A-Fa-f]{4}_")
DIMENSION = re.compile('<dimension ref="[^"]*"/>')


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


@dataclass(frozen=True)
class _Table:
    """A sheet's rows, read: the header, column widths, and the data rows as XML in `rows_xml`."""

    sheet: Sheet
    header: list | None
    widths: list
    count: int  # data rows below the header
    rows_xml: object  # a binary file


def write_xlsx(*, sheets, title, file):
    """Write each `Sheet` as a worksheet into the binary `file`; `title` names the workbook.

    Each sheet's rows are read once, in order, and written out as XML to a
    temporary file (one row in memory at a time, past the few hundred read
    ahead to size the columns); then the workbook around them.
    """
    with ExitStack() as stack:
        tables = [
            _read_table(sheet, rows_xml=stack.enter_context(tempfile.TemporaryFile()))
            for sheet in sheets
        ]
        frame = _write_frame(tables, title=title)
        _splice_rows(frame, tables, file=file)


def _read_table(sheet, *, rows_xml):
    rows = iter(sheet.table_rows)
    header = next(rows, None)
    if header is None:
        return _Table(sheet, None, [], 0, rows_xml)
    ahead = list(islice(rows, WIDTH_SAMPLE_ROWS))
    widths = column_widths([header, *ahead])
    count = write_rows_xml(chain(ahead, rows), file=rows_xml, first_row=2)
    return _Table(sheet, header, widths, count, rows_xml)


def write_rows_xml(rows, *, file, first_row):
    """Write `rows` as a sheet's `<row>` elements into the binary `file`; return how many.

    Side effects: reports progress (`advance`) a chunk of rows at a time.
    """
    chunk, count = [], 0
    for count, cells in enumerate(rows, start=1):
        chunk.append(row_xml(first_row + count - 1, cells))
        if len(chunk) == ROWS_PER_CHUNK:
            file.write("".join(chunk).encode())
            advance(len(chunk))
            chunk.clear()
    if chunk:
        file.write("".join(chunk).encode())
        advance(len(chunk))
    return count


def row_xml(number, cells):
    """Row `number` of a sheet as SpreadsheetML: text inline, numbers as numbers, "" left out."""
    parts = [f'<row r="{number}">']
    for column, value in zip(_column_names(len(cells)), cells, strict=True):
        if type(value) is not str:
            if value is None:
                continue
            if isinstance(value, bool):
                parts.append(f'<c r="{column}{number}" t="b"><v>{value:d}</v></c>')
                continue
            if isinstance(value, int | float) and math.isfinite(value):
                figure = int(value) if isinstance(value, int) else float(value)
                parts.append(f'<c r="{column}{number}"><v>{figure!r}</v></c>')
                continue
            value = spreadsheet_cell(str(value))  # anything else is written as its text
        if value:
            parts.append(f'<c r="{column}{number}" t="inlineStr"><is>{_text_xml(value)}</is></c>')
    parts.append("</row>")
    return "".join(parts)


@cache
def _column_names(count):
    return [xl_col_to_name(index) for index in range(count)]


def _text_xml(text):
    """`text` as a `<t>` element that Excel reads back unchanged.

    Excel reads `_x000D_` as a carriage return (which XML would turn into a line
    feed if written as it is), so a typed `_x0041_` is escaped as `_x005F_x0041_`.
    """
    if NEEDS_ESCAPING.search(text):
        text = EXCEL_ESCAPE.sub(r"_x005F\1", escape(text)).replace("\r", "_x000D_")
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _write_frame(tables, *, title):
    """The workbook without its data rows (XlsxWriter, in memory): a `BytesIO`."""
    frame = io.BytesIO()
    workbook = xlsxwriter.Workbook(frame, XLSX_OPTIONS)
    workbook.set_properties({"title": ILLEGAL_CHARACTERS_RE.sub("", title)})
    bold = workbook.add_format({"bold": True, "valign": "top", "text_wrap": True})
    for table in tables:
        _write_frame_sheet(workbook.add_worksheet(table.sheet.name), table, bold)
    if not tables:
        workbook.add_worksheet("Empty")
    workbook.close()
    return frame


def _write_frame_sheet(worksheet, table, bold):
    if table.header is None:
        return
    for index, width in enumerate(table.widths):
        worksheet.set_column(index, index, width)
    worksheet.freeze_panes(1, 0)
    _set_up_printing(worksheet, table.sheet.title)
    for column, value in enumerate(table.header):
        worksheet.write_string(0, column, value, bold)
    worksheet.autofilter(0, 0, table.count, max(len(table.header), 1) - 1)


def _set_up_printing(worksheet, title):
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)  # one page wide, as many pages down as it takes
    worksheet.repeat_rows(0)
    worksheet.set_header(PRINTED_ON)
    # Set as it is: set_header reads "&G" as a picture, and a typed "&G" is "&&G" here.
    worksheet.header = page_header(title)
    worksheet.set_footer("&CPage &P of &N")


def page_header(title):
    """A sheet's page header: `title` centred, cut to fit Excel's limit; the date on the right."""
    text = page_header_text(title)
    room = PAGE_HEADER_LENGTH - len("&C") - len(PRINTED_ON)
    while _utf16_length(text) > room:
        text = text[:-1]
        if (len(text) - len(text.rstrip("&"))) % 2:  # never half of a typed "&&"
            text = text[:-1]
    return f"&C{text}{PRINTED_ON}" if text else PRINTED_ON


def _utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def _splice_rows(frame, tables, *, file):
    """Copy the workbook `frame` into the binary `file`, each sheet's data rows in place.

    A sheet's XML is XlsxWriter's up to `</sheetData>` (its size, `<dimension>`,
    made to cover the rows), then the rows, then the rest.
    """
    sheets = {f"xl/worksheets/sheet{n}.xml": table for n, table in enumerate(tables, start=1)}
    with (
        zipfile.ZipFile(frame) as source,
        zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        missing = set(sheets) - set(source.namelist())
        if missing:
            raise RuntimeError(f"XlsxWriter wrote no {sorted(missing)}: has it renamed them?")
        for info in source.infolist():
            table = sheets.get(info.filename)
            if table is None or not table.count:
                target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = source.read(info).decode().rsplit("</sheetData>", 1)
            last = f"{xl_col_to_name(len(table.header) - 1)}{table.count + 1}"
            head = DIMENSION.sub(f'<dimension ref="A1:{last}"/>', head, count=1)
            with target.open(info.filename, "w") as entry:
                entry.write(head.encode())
                table.rows_xml.seek(0)
                shutil.copyfileobj(table.rows_xml, entry, 2**20)
                entry.write(f"</sheetData>{tail}".encode())


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
