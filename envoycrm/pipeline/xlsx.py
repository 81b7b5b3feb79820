"""Reading the first sheet of an XLSX workbook, within limits, as it streams.

An XLSX file is a zip of XML parts, and both layers can be made to explode:
a 10 KB file can declare a sheet of a million rows, or hold a shared string
that expands to a gigabyte. So nothing here trusts the file. The zip's
directory is checked before any part is opened (how many parts, how large
each says it is, how much it claims to expand); each part is then parsed
with expat in chunks while the limits are counted (rows, cells, the sheet's
declared dimension, the length of each string), and the read stops at the
first limit crossed. A part can never yield more than the size its directory
entry declares (``zipfile`` stops there and then fails on the checksum), so
the declared sizes bound memory. Any problem is a ``SheetError`` whose text
says what was wrong, for the person who uploaded the file.

Dates follow the workbook's number formats, as openpyxl reads them.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.parsers import expat

from flask_babel import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel

from envoycrm.i18n import format_number

MAX_PARTS = 1_000  # parts in the zip (a workbook has a few dozen)
MAX_UNZIPPED = 32 * 1024 * 1024  # bytes, all parts read together
MAX_ELEMENTS = 1_500_000  # XML elements, all parts read together
MAX_RATIO = 200  # how much a part of more than RATIO_FROM bytes may expand
RATIO_FROM = 1024 * 1024
MAX_STRING = 32_767  # characters in one cell: Excel's own limit
CHUNK = 64 * 1024

_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_LETTERS = re.compile(r"^[A-Z]{1,3}$")


class SheetError(ValueError):
    """The workbook cannot be read within the limits; ``str`` says why."""


@dataclass(frozen=True)
class Limits:
    """How much of a sheet may be read."""

    rows: int  # the last row number, blank rows included
    columns: int  # columns kept; cells further right are counted, not kept
    cells: int  # cells in the sheet, kept or not
    sheet_columns: int  # the last column a sheet may declare or use


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


# Column letters seen → column number: a sheet uses few, each cell looks one up.
_COLUMNS: dict[str, int] = {}


def _column_of(ref: str) -> int | None:
    """The column of a cell reference such as ``B12``, or None if malformed."""
    letters = ref.rstrip("0123456789")
    number = _COLUMNS.get(letters)
    if number is None and _LETTERS.match(letters):
        number = _COLUMNS[letters] = column_number(letters)
    return number


def _cell_position(ref: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref.upper())
    if not match:
        return None
    return int(match.group(2)), column_number(match.group(1))


def read_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    """The first sheet's rows as text (blank rows left out), within ``limits``."""
    stream = _checked_zip(content)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise SheetError(
            _("This file is not a readable Excel workbook (.xlsx).")
        ) from exc
    with archive:
        budget = _Budget()
        parts = _Parts(archive, budget)
        sheet = parts.first_sheet()
        reader = _SheetReader(
            limits,
            parts.shared_strings(limits.cells),
            parts.date_styles(),
            parts.epoch,
        )
        yield from parts.parse(sheet, reader)


def _checked_zip(content: bytes):
    """``content`` as a file, once its directory claims at most ``MAX_PARTS``."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 66_000))
    if end < 0 or len(content) < end + 22:
        raise SheetError(_("This file is not a readable Excel workbook (.xlsx)."))
    entries = int.from_bytes(content[end + 10 : end + 12], "little")
    if entries > MAX_PARTS:  # 0xFFFF (zip64) included
        raise SheetError(
            _(
                "This workbook holds more than %(max)s parts; it is not a "
                "spreadsheet this import can read.",
                max=format_number(MAX_PARTS),
            )
        )
    return io.BytesIO(content)


class _Budget:
    """The bytes every part read may still expand to, all parts together."""

    def __init__(self) -> None:
        self.left = MAX_UNZIPPED
        self.elements = MAX_ELEMENTS

    def count(self, handler: "_Handler") -> None:
        """Refuse the part once all parts together hold too many elements."""
        if handler.elements > self.elements:
            raise SheetError(
                _(
                    "This workbook holds more than %(max)s XML elements; split "
                    "it into smaller files.",
                    max=format_number(MAX_ELEMENTS),
                )
            )

    def claim(self, info: zipfile.ZipInfo) -> None:
        """Refuse a part too large or too compressed, before reading it."""
        expands = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM and expands > MAX_RATIO:
            raise SheetError(
                _(
                    "This workbook expands %(ratio)s times when unpacked, which "
                    "no real spreadsheet does; it is refused.",
                    ratio=format_number(int(expands)),
                )
            )
        if info.file_size > self.left:
            raise SheetError(
                _(
                    "This workbook unpacks to more than %(size)s MB; split it "
                    "into smaller files.",
                    size=MAX_UNZIPPED // 1024 // 1024,
                )
            )
        self.left -= info.file_size


class _Parts:
    """The workbook's parts, found through its relationships."""

    def __init__(self, archive: zipfile.ZipFile, budget: _Budget) -> None:
        self.archive = archive
        self.budget = budget
        self.names = set(archive.namelist())
        self.workbook = self._target("", "_rels/.rels", "/officeDocument")
        if self.workbook is None:
            raise SheetError(_("This file is not a readable Excel workbook (.xlsx)."))
        folder, _slash, name = self.workbook.rpartition("/")
        self.folder = folder
        self.rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        self.settings = _FirstSheet()
        self._read_all(self.workbook, self.settings)
        # The 1904 date system when the workbook says so (None: 1900's).
        self.epoch = CALENDAR_MAC_1904 if self.settings.date1904 else None

    def parse(self, name: str, handler: "_Handler") -> Iterator[list[str]]:
        """Stream part ``name`` through ``handler``, yielding what it yields."""
        info = self.archive.getinfo(name)
        self.budget.claim(info)
        # No namespace processing: it costs a third of the time, and the
        # parts' element names are unambiguous once a prefix is dropped.
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _no_doctype
        parser.EntityDeclHandler = _no_doctype
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.text
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    self.budget.count(handler)
                    yield from handler.drain()
                parser.Parse(b"", True)
                yield from handler.drain()
            self.budget.elements -= handler.elements
        except expat.ExpatError as exc:
            raise SheetError(
                _(
                    "The workbook's XML is malformed (%(part)s, line %(line)s): "
                    "save it again from Excel and upload it once more.",
                    part=name,
                    line=exc.lineno,
                )
            ) from exc
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise SheetError(
                _("This file is not a readable Excel workbook (.xlsx).")
            ) from exc

    def _read_all(self, name: str, handler: "_Handler") -> None:
        for _row in self.parse(name, handler):
            pass

    def _target(
        self, folder: str, rels: str, kind: str, rel_id: str | None = None
    ) -> str | None:
        """The part a relationship of type ``…kind`` in ``rels`` points to."""
        if rels not in self.names:
            return None
        found = _Relationships(kind, rel_id)
        self._read_all(rels, found)
        if found.target is None:
            return None
        target = found.target
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = f"{folder}/{target}" if folder else target
        return path if path in self.names else None

    def first_sheet(self) -> str:
        """The first sheet listed in the workbook."""
        path = None
        if self.settings.rel_id:
            path = self._target(
                self.folder, self.rels, "/worksheet", self.settings.rel_id
            )
        if path is None:
            raise SheetError(_("This workbook has no sheet to import."))
        return path

    def shared_strings(self, limit: int) -> list[str]:
        """The shared strings: at most ``limit``, each within ``MAX_STRING``."""
        name = self._target(self.folder, self.rels, "/sharedStrings")
        if name is None:
            return []
        strings = _SharedStrings(limit)
        self._read_all(name, strings)
        return strings.values

    def date_styles(self) -> set[str]:
        """The cell styles (indexes) whose number format shows a date."""
        name = self._target(self.folder, self.rels, "/styles")
        if name is None:
            return set()
        styles = _Styles()
        self._read_all(name, styles)
        return styles.date_styles()


def _no_doctype(*args) -> None:
    raise SheetError(
        _("This workbook's XML declares a document type, which Excel never does.")
    )


# Element name as written → its name without a prefix (``x:row`` → ``row``).
_LOCAL: dict[str, str] = {}


def _local(name: str) -> str:
    local = _LOCAL.get(name)
    if local is None:
        local = name.rpartition(":")[2]
        if len(_LOCAL) < 1_000:
            _LOCAL[name] = local
    return local


class _Handler:
    """Expat callbacks; ``drain`` hands over what is ready.

    Every ``start`` counts its element in ``elements``, whatever it is, so
    a part made of millions of tiny elements is stopped like a large one.
    """

    elements = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens."""

    def end(self, name: str) -> None:
        """An element closes."""

    def text(self, data: str) -> None:
        """Text inside the current element."""

    def drain(self) -> list[list[str]]:
        """Rows complete since the last call (only the sheet has any)."""
        return []


class _Relationships(_Handler):
    """The target of the first relationship of a type (and id, if given)."""

    def __init__(self, kind: str, rel_id: str | None = None) -> None:
        self.kind, self.rel_id = kind, rel_id
        self.target: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Keep the first matching ``Relationship``'s target."""
        self.elements += 1
        if self.target is None and _local(name) == "Relationship":
            if attrs.get("Type", "").endswith(self.kind) and (
                self.rel_id is None or attrs.get("Id") == self.rel_id
            ):
                self.target = attrs.get("Target")


class _FirstSheet(_Handler):
    """The relationship id of the workbook's first sheet, and its date system."""

    def __init__(self) -> None:
        self.rel_id: str | None = None
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Read ``sheet`` and ``workbookPr``."""
        self.elements += 1
        local = _local(name)
        if local == "sheet" and self.rel_id is None:
            # r:id, whatever prefix the relationships namespace has here.
            self.rel_id = next(
                (value for key, value in attrs.items() if key.endswith(":id")), None
            )
        elif local == "workbookPr":
            self.date1904 = attrs.get("date1904", "") in ("1", "true")


class _Text(_Handler):
    """Collects ``<t>`` text (not phonetic runs), bounded to ``MAX_STRING``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.in_t = False
        self.phonetic = 0

    def start_text(self, local: str) -> None:
        """Track ``t`` and ``rPh`` elements."""
        if local == "t" and not self.phonetic:
            self.in_t = True
        elif local == "rPh":
            self.phonetic += 1

    def end_text(self, local: str) -> None:
        """Leave ``t`` or ``rPh``."""
        if local == "t":
            self.in_t = False
        elif local == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        """Text of a ``t``, counted as it arrives."""
        if not self.in_t:
            return
        self.length += len(data)
        if self.length > MAX_STRING:
            raise SheetError(
                _(
                    "A cell of this workbook holds more than %(max)s characters, "
                    "more than Excel allows; it is refused.",
                    max=format_number(MAX_STRING),
                )
            )
        self.parts.append(data)

    def take(self) -> str:
        """The text collected since the last call."""
        value = "".join(self.parts)
        self.parts, self.length = [], 0
        return value


class _SharedStrings(_Text):
    """``<si>`` entries of the shared-string table."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.values: list[str] = []
        self.limit = limit

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Open ``si``, ``t`` or ``rPh``."""
        self.elements += 1
        local = _local(name)
        if local == "si":
            if len(self.values) >= self.limit:
                raise SheetError(
                    _(
                        "This workbook holds more than %(max)s texts; split it "
                        "into smaller files.",
                        max=format_number(self.limit),
                    )
                )
            self.take()
        self.start_text(local)

    def end(self, name: str) -> None:
        """A closed ``si`` is one string."""
        local = _local(name)
        self.end_text(local)
        if local == "si":
            self.values.append(self.take())


class _Styles(_Handler):
    """Custom number formats and the number format of each cell style."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Read ``numFmt`` and the ``xf`` entries of ``cellXfs``."""
        self.elements += 1
        local = _local(name)
        if local == "numFmt":
            number = _int(attrs.get("numFmtId"))
            if number is not None:
                self.formats[number] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs:
            self.cell_formats.append(_int(attrs.get("numFmtId")) or 0)

    def end(self, name: str) -> None:
        """Leave ``cellXfs``."""
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def date_styles(self) -> set[str]:
        """Indexes of the styles that show a date, as cells name them."""
        dates = set()
        for index, number in enumerate(self.cell_formats):
            code = self.formats.get(number, BUILTIN_FORMATS.get(number, ""))
            if code and is_date_format(code):
                dates.add(str(index))
        return dates


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


class _SheetReader(_Text):
    """The sheet's rows, cell by cell, refused at the first limit crossed."""

    def __init__(
        self,
        limits: Limits,
        strings: list[str],
        date_styles: set[str],
        epoch: datetime | None,
    ) -> None:
        super().__init__()
        self.limits = limits
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.ready: list[list[str]] = []
        self.row: dict[int, str] | None = None
        self.row_number = 0
        self.column = 0
        self.cells = 0
        self.cell: tuple[str, str | None] | None = None  # (type, style)
        self.in_value = False
        self.value: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Count rows and cells as they open; read the declared dimension."""
        # The most frequent elements first: this runs for every one.
        self.elements += 1
        local = _LOCAL.get(name) or _local(name)
        if local == "c":
            if self.row is not None:
                self._open_cell(attrs)
        elif local == "v":
            if self.cell is not None:
                self.in_value, self.value = True, []
        elif local == "row":
            number = _int(attrs.get("r"))
            self.row_number = number if number else self.row_number + 1
            if self.row_number > self.limits.rows:
                raise self._too_many_rows()
            self.row, self.column = {}, 0
        elif local == "dimension":
            self._check_dimension(attrs.get("ref", ""))
        elif self.cell is not None:
            self.start_text(local)  # an inline string's <is><t>

    def _open_cell(self, attrs: dict[str, str]) -> None:
        self.cells += 1
        if self.cells > self.limits.cells:
            raise SheetError(
                _(
                    "This sheet has more than %(max)s cells; split it into "
                    "smaller files.",
                    max=format_number(self.limits.cells),
                )
            )
        ref = attrs.get("r")
        column = _column_of(ref) if ref else None
        self.column = column if column else self.column + 1
        if self.column > self.limits.sheet_columns:
            raise self._too_many_columns(self.column)
        if self.parts:
            self.take()
        self.cell = (attrs.get("t", "n"), attrs.get("s"))

    def text(self, data: str) -> None:
        """A value's text, or an inline string's (bounded either way)."""
        if self.in_value:
            if len(data) > MAX_STRING or (
                self.value and sum(map(len, self.value)) + len(data) > MAX_STRING
            ):
                raise SheetError(
                    _(
                        "A cell of this workbook holds more than %(max)s "
                        "characters, more than Excel allows; it is refused.",
                        max=format_number(MAX_STRING),
                    )
                )
            self.value.append(data)
        else:
            super().text(data)

    def end(self, name: str) -> None:
        """Close a value, a cell or a row."""
        local = _LOCAL.get(name) or _local(name)
        if local == "v":
            self.in_value = False
        elif local == "c" and self.cell is not None and self.row is not None:
            if self.column <= self.limits.columns:
                text = self._cell_text(*self.cell)
                if text:
                    self.row[self.column] = text
            self.cell = None
        elif local == "row" and self.row is not None:
            if self.row:
                width = max(self.row)
                self.ready.append([self.row.get(i, "") for i in range(1, width + 1)])
            self.row = None
        elif self.cell is not None:
            self.end_text(local)

    def drain(self) -> list[list[str]]:
        """The rows closed since the last call."""
        rows, self.ready = self.ready, []
        return rows

    def _cell_text(self, kind: str, style: str | None) -> str:
        raw = "".join(self.value)
        self.value = []
        if kind == "inlineStr":
            return self.take().strip()
        if kind == "s":
            try:
                index = int(raw)
                if index >= 0:
                    return self.strings[index].strip()
            except (ValueError, IndexError):
                pass
            raise SheetError(
                _("A cell of this workbook points to a text it does not contain.")
            )
        if kind == "d":
            return raw.strip()[:10]  # an ISO date, perhaps with a time
        if kind in ("str", "e"):
            return raw.strip()
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        return self._number_text(raw.strip(), style)

    def _number_text(self, raw: str, style: str | None) -> str:
        if not raw:
            return ""
        try:
            number = float(raw)
        except ValueError:
            return raw
        if style in self.date_styles:
            try:
                moment = (
                    from_excel(number, self.epoch) if self.epoch else from_excel(number)
                )
            except (ValueError, OverflowError):
                return raw
            if isinstance(moment, datetime):
                return moment.date().isoformat()
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return raw

    def _check_dimension(self, ref: str) -> None:
        last = _cell_position(ref.rpartition(":")[2])
        if last is None:
            return
        rows, columns = last
        if rows > self.limits.rows:
            raise self._too_many_rows(rows)
        if columns > self.limits.sheet_columns:
            raise self._too_many_columns(columns)

    def _too_many_rows(self, declared: int | None = None) -> SheetError:
        return SheetError(
            _(
                "This sheet reaches row %(rows)s; at most %(max)s rows (blank "
                "ones included) can be imported. Delete the empty rows below "
                "the data or split the file.",
                rows=format_number(declared or self.row_number),
                max=format_number(self.limits.rows),
            )
        )

    def _too_many_columns(self, columns: int) -> SheetError:
        return SheetError(
            _(
                "This sheet reaches column %(columns)s; at most %(max)s columns "
                "can be imported. Delete the empty columns to the right.",
                columns=format_number(columns),
                max=format_number(self.limits.sheet_columns),
            )
        )
