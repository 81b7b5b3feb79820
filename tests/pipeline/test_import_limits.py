"""Spreadsheet uploads are bounded while they are read, and refused with a reason.

The hostile files are built here, small: a sheet of a million empty rows
compresses to a few kilobytes, and the shared string that expands to a
gigabyte is made of one compressed megabyte repeated (each repeat compresses
to the same bytes after a full flush), its checksum combined arithmetically.
"""

import csv
import html
import io
import random
import re
import struct
import zlib
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import ImportJob, ImportStatus
from envoycrm.pipeline import imports, xlsx
from tests.pipeline.test_import import _upload as upload_import

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# --- building workbooks by hand --------------------------------------------------


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from CRC(A), CRC(B) and len(B)."""

    def times(matrix, vector):
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix):
        return [times(matrix, matrix[n]) for n in range(32)]

    if len2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class Member:
    """One zip part, compressed as raw deflate, with its checksum and size."""

    def __init__(self, name: str, data: bytes = b"") -> None:
        self.name = name.encode()
        self._zip = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.deflated = [self._zip.compress(data)]
        self.crc, self.size = zlib.crc32(data), len(data)

    def repeat(self, block: bytes, times: int) -> None:
        """Append ``block`` ``times`` times, compressing it only once."""
        self.deflated.append(self._zip.flush(zlib.Z_FULL_FLUSH))
        once = self._zip.compress(block) + self._zip.flush(zlib.Z_FULL_FLUSH)
        self.deflated.append(once * times)
        crc, length = zlib.crc32(block), len(block)
        for bit in range(times.bit_length()):  # CRC of the block × times
            if times >> bit & 1:
                self.crc = _crc32_combine(self.crc, crc, length)
                self.size += length
            crc = _crc32_combine(crc, crc, length)
            length *= 2

    def add(self, data: bytes) -> None:
        """Append ``data`` once."""
        self.deflated.append(self._zip.compress(data))
        self.crc = _crc32_combine(self.crc, zlib.crc32(data), len(data))
        self.size += len(data)

    def finish(self) -> bytes:
        """The compressed bytes."""
        return b"".join(self.deflated) + self._zip.flush()


def zip_of(members: list[Member]) -> bytes:
    """A zip archive of deflated ``members`` (sizes below 4 GB)."""
    out, directory = io.BytesIO(), []
    for member in members:
        data, offset = member.finish(), out.tell()
        fields = (20, 0, 8, 0, 0, member.crc, len(data), member.size)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, len(member.name), 0))
        out.write(member.name + data)
        directory.append(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack(
                "<HHHHHIIIHHHHHII", *fields, len(member.name), 0, 0, 0, 0, 0, offset
            )
            + member.name
        )
    start = out.tell()
    out.write(b"".join(directory))
    count, size = len(directory), out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))
    return out.getvalue()


def workbook(sheet: Member, shared: Member | None = None) -> bytes:
    """A minimal XLSX around ``sheet`` (and a shared-string table)."""
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"/>'
    )
    root_rels = (
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><sheets>'
        '<sheet name="Students" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    members = [
        Member("[Content_Types].xml", types.encode()),
        Member("_rels/.rels", root_rels.encode()),
        Member("xl/workbook.xml", book.encode()),
        Member("xl/_rels/workbook.xml.rels", rels.encode()),
        sheet,
    ]
    return zip_of([*members, shared] if shared else members)


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>University</t></is></c></row>'
)


def sheet(body: str = "", dimension: str | None = None) -> Member:
    """A sheet part: the declared dimension, a header row, then ``body``."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return Member(
        "xl/worksheets/sheet1.xml",
        f'<worksheet xmlns="{SHEET_NS}">{declared}<sheetData>{HEADER_ROW}{body}'
        "</sheetData></worksheet>".encode(),
    )


# --- uploading ------------------------------------------------------------------------


@pytest.fixture
def upload(client, coordinator, people):
    """POST a file to the import; returns the response."""

    def send(content: bytes, filename: str = "students.xlsx"):
        return upload_import(client, people, content, filename)

    return send


def refused(response) -> str:
    """The message at the file field of a refused upload (and nothing stored)."""
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    match = re.search(r'id="file-error">([^<]*)<', page)
    assert match, "no message at the file field"
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0
    return html.unescape(match.group(1))


# --- the files -------------------------------------------------------------------


def test_a_small_workbook_declaring_a_million_rows_of_blank_lines_is_refused(upload):
    part = Member("xl/worksheets/sheet1.xml")
    part.add(
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="A1:XFD1000000"/>'
        f"<sheetData>{HEADER_ROW}".encode()
    )
    part.repeat(b"<row/>" * 10_000, 100)
    part.add(b"</sheetData></worksheet>")
    content = workbook(part)
    assert len(content) < 20_000
    message = refused(upload(content))
    assert "expands" in message or "row 1,000,000" in message


def test_a_declared_dimension_past_the_limits_is_refused_before_any_row(upload):
    message = refused(upload(workbook(sheet(dimension="A1:B1000000"))))
    assert "This sheet reaches row 1,000,000" in message
    assert "at most 21,000 rows (blank ones included)" in message
    message = refused(upload(workbook(sheet(dimension="A1:XFD2"))))
    assert "This sheet reaches column 16,384" in message


def test_blank_rows_count_toward_the_row_limit(upload):
    blank = "".join(f'<row r="{n}"/>' for n in range(2, 25_000))
    message = refused(upload(workbook(sheet(blank))))
    assert "This sheet reaches row 21,001" in message


def test_a_cell_far_to_the_right_is_refused(upload):
    far = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    assert "reaches column 16,384" in refused(upload(workbook(sheet(far))))


def test_too_many_cells_are_refused(upload, monkeypatch):
    # The real limit (300,000) takes seconds to reach; the count is the same.
    monkeypatch.setattr(imports, "LIMITS", replace(imports.LIMITS, cells=3_000))
    row = "".join(f"<c><v>{n}</v></c>" for n in range(100))
    rows = "".join(f'<row r="{r}">{row}</row>' for r in range(2, 40))
    message = refused(upload(workbook(sheet(rows))))
    assert "This sheet has more than 3,000 cells" in message


def test_a_sheet_of_countless_tiny_elements_is_refused(upload, monkeypatch):
    # Elements that are neither rows nor cells count too (1,500,000 for real).
    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 5_000)
    message = refused(upload(workbook(sheet("<x/>" * 6_000))))
    assert "This workbook holds more than 5,000 XML elements" in message


def test_too_many_shared_strings_are_refused(upload, monkeypatch):
    monkeypatch.setattr(imports, "LIMITS", replace(imports.LIMITS, cells=3_000))
    texts = "".join(f"<si><t>{n}</t></si>" for n in range(3_001))
    shared = Member(
        "xl/sharedStrings.xml", f'<sst xmlns="{SHEET_NS}">{texts}</sst>'.encode()
    )
    message = refused(upload(workbook(sheet(), shared)))
    assert "This workbook holds more than 3,000 texts" in message


def test_a_shared_string_expanding_to_a_gigabyte_is_refused_unread(upload):
    shared = Member("xl/sharedStrings.xml")
    shared.add(f'<sst xmlns="{SHEET_NS}"><si><t>'.encode())
    shared.repeat(b"A" * 1024 * 1024, 1024)
    shared.add(b"</t></si></sst>")
    body = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    content = workbook(sheet(body), shared)
    assert len(content) < 2 * 1024 * 1024
    assert shared.size > 1024**3
    message = refused(upload(content))
    assert "expands 1" in message and "no real spreadsheet does" in message


def test_a_shared_string_longer_than_excel_allows_is_refused(upload):
    shared = Member(
        "xl/sharedStrings.xml",
        f'<sst xmlns="{SHEET_NS}"><si><t>{"B" * 40_000}</t></si></sst>'.encode(),
    )
    body = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    message = refused(upload(workbook(sheet(body), shared)))
    assert "holds more than 32,767 characters" in message


def test_a_workbook_that_unpacks_past_the_budget_is_refused(upload):
    part = Member("xl/worksheets/sheet1.xml")
    part.add(f'<worksheet xmlns="{SHEET_NS}"><sheetData>{HEADER_ROW}'.encode())
    # 35 MB that compresses about 80 times: no zip bomb, only too big.
    block = random.Random(1).randbytes(8 * 1024).hex().encode() * 16
    part.repeat(block, 140)
    part.add(b"</sheetData></worksheet>")
    message = refused(upload(workbook(part)))
    assert "unpacks to more than 32 MB" in message


@pytest.mark.parametrize(
    "xml",
    [
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row><c><v>1</v></row>',
        f'<worksheet xmlns="{SHEET_NS}"><sheetData>\x00</sheetData></worksheet>',
        "not xml at all",
    ],
)
def test_malformed_sheet_xml_is_refused_with_a_reason(upload, xml):
    message = refused(
        upload(workbook(Member("xl/worksheets/sheet1.xml", xml.encode())))
    )
    assert "The workbook's XML is malformed (xl/worksheets/sheet1.xml, line" in message


def test_a_document_type_declaration_is_refused(upload):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row><c t="inlineStr"><is>'
        "<t>&lol2;</t></is></c></row></sheetData></worksheet>"
    )
    part = Member("xl/worksheets/sheet1.xml", laughs.encode())
    assert "declares a document type" in refused(upload(workbook(part)))


def test_a_zip_of_too_many_parts_is_refused(upload):
    parts = [Member(f"xl/media/{n}.bin", b"") for n in range(1_500)]
    message = refused(upload(zip_of(parts)))
    assert "holds more than 1,000 parts" in message


def test_a_csv_with_too_many_cells_is_refused(upload):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "University"])
    writer.writerows([["x"] * 400] * 1_000)
    message = refused(upload(buffer.getvalue().encode(), "students.csv"))
    assert "The file has more than 300,000 cells" in message


def test_a_csv_of_blank_lines_is_refused(upload):
    content = b"Name,University\n" + b"\n" * 30_000 + b"Wang Wei,Manchester\n"
    message = refused(upload(content, "students.csv"))
    assert "The file has more than 21,000 lines, blank ones included" in message


def test_a_real_workbook_with_a_dimension_and_shared_strings_still_imports(
    upload, people
):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "University", "Degree", "Graduation"])
    for n in range(50):
        book.active.append([f"Student {n}", "University of Manchester", "PhD", None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(buffer.getvalue())
    assert response.status_code == 302
    job = db.session.scalar(select(ImportJob))
    assert job.rows_total == 50


def test_a_kept_file_past_todays_limits_is_explained_not_a_500(
    client, coordinator, people
):
    job = ImportJob(
        created_by_id=coordinator.id,
        filename="old.csv",
        content=b"Name,University\n" + b"\n" * 30_000,
        status=ImportStatus.UPLOADED,
        options={"owner_id": people["envoy"].id, "on_duplicate": "skip"},
        mapping={},
        preview={"headers": ["Name", "University"]},
        rows_total=0,
    )
    db.session.add(job)
    db.session.commit()
    response = client.get(f"/pipeline/import/{job.id}/mapping", follow_redirects=True)
    assert response.status_code == 200
    assert "The file has more than 21,000 lines" in response.get_data(as_text=True)
