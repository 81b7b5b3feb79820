"""An XLSX workbook written as a stream: the first bytes leave with the first rows.

A spreadsheet library keeps the whole sheet (or at least every distinct
string, for the shared-strings table) until it saves, and a zip's central
directory comes last, so an export of 200,000 students used to leave only
once every row was in. Here the workbook is built as it is sent: each cell's
text is written inline (no shared-strings table to hold in memory), the sheet
is one deflated zip member written with data descriptors (``zipfile`` does
so by itself when its file cannot seek), and whatever the compressor has
produced is handed to the response every ``BLOCK`` bytes. Memory stays that
of one block and one row, whatever the number of rows.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

BLOCK = 64 * 1024
# Dates in the workbook: ISO order reads the same in every language.
DATE_FORMAT = "yyyy-mm-dd"
_EPOCH = date(1899, 12, 30)  # Excel's day zero (after its 1900 leap-year slip)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: general; style 1: a date shown as DATE_FORMAT.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    "</numFmts>"
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles>"
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class _Sink:
    """A write-only file for ``zipfile``: it cannot seek, and it is drained."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: ``drain`` hands the bytes on."""

    def close(self) -> None:
        """Nothing to close: the response ends when the last block is sent."""

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        self.size = 0
        return data


def sheet_name(title: str) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return _SHEET_NAME_FORBIDDEN.sub(" ", title)[:31] or "Sheet1"


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships"><sheets><sheet name={quoteattr(sheet_name(title))} '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _cell(ref: str, value: object) -> str:
    """One ``<c>``: text always inline text (never a formula), dates as day numbers."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, values: Iterable[object], letters: list[str]) -> str:
    cells = "".join(
        _cell(f"{letters[i]}{number}", value) for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def stream_workbook(
    title: str, header: list[str], rows: Iterable[list]
) -> Iterator[bytes]:
    """The bytes of a one-sheet workbook: ``header``, then ``rows``, as they come."""
    letters = [get_column_letter(n + 1) for n in range(len(header))]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _workbook(title)),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_SHEET_START + _row(1, header, letters)).encode("utf-8"))
            yield sink.drain()  # the first bytes leave before any row is read
            for number, row in enumerate(rows, start=2):
                sheet.write(_row(number, row, letters).encode("utf-8"))
                if sink.size >= BLOCK:
                    yield sink.drain()
            sheet.write(_SHEET_END.encode("utf-8"))
    yield sink.drain()
