"""The ISO comment-resolution matrix, as CSV / XLSX, on plain data.

Columns follow the ISO commenting template, with "MB/NC" (member body /
national committee) replaced by "Commenter / organisation", since our
commenters are people and organisations along the supply chain.

Export guards against formula injection: a cell a spreadsheet would run as a
formula gets a leading apostrophe (see `neutralise_formula`); import takes it
off again, so export -> import gives back the same rows.

Import checks every row and reports every problem at once, by spreadsheet row
number, so a commenter fixes the file in one pass; it returns all rows or
raises, never some of them. Headers are matched loosely (case, spacing, the
"(e.g. 3.1)" hints of the ISO template, the column key, English or the
current language), because people fill in copies of old templates.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from governance.spreadsheets import neutralise_formula, restore_formula

# English headers, marked for translation; COLUMNS gives them translated.
_HEADERS = (
    ("commenter", gettext_noop("Commenter / organisation")),
    ("clause", gettext_noop("Clause No./Subclause No./Annex")),
    ("paragraph", gettext_noop("Paragraph/Figure/Table/Note")),
    ("type", gettext_noop("Type of comment")),
    ("comment", gettext_noop("Comments")),
    ("proposed_change", gettext_noop("Proposed change")),
    ("observations", gettext_noop("Observations of the secretariat")),
)
COLUMNS = [(key, gettext_lazy(header)) for key, header in _HEADERS]
_ALIASES = {
    "commenter": ("mb/nc", "commenter", "organisation", "organization"),
    "clause": ("clause", "clause/subclause", "clauseno./subclauseno."),
    "paragraph": ("paragraph", "paragraph/figure/table"),
    "type": ("type", "typeofcomment"),
    "comment": ("comment",),
    "proposed_change": ("proposedchange",),
    "observations": ("observations", "observationsofthesecretariat"),
}
_WIDTHS = {"commenter": 28, "clause": 14, "paragraph": 16, "type": 10, "comment": 60}

# Accepted spellings of the type of comment -> the stored code.
TYPE_CODES = {
    **{code: code for code in ("ge", "te", "ed")},
    **{"general": "ge", "technical": "te", "editorial": "ed"},
}
COMMENTER_SEPARATOR = " / "
MAX_FILE_BYTES = 5 * 1024 * 1024  # one limit for CSV and XLSX, on the form and here
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: bound what it unpacks to
MAX_SHORT_FIELD = 255
_LONG_FIELDS = ("comment", "proposed_change", "observations")
HEADER_SEARCH_ROWS = 50  # the ISO template has a title block above its header
MIN_HEADER_MATCHES = 4

# Control characters that XLSX cannot hold; dropped from both formats alike.
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class MatrixRow:
    commenter: str = ""
    organisation: str = ""
    clause: str = ""  # "" for a general comment
    paragraph: str = ""
    type_code: str = ""  # "ge", "te" or "ed"
    comment: str = ""
    proposed_change: str = ""
    observations: str = ""  # the secretariat's disposition and response
    line: int | None = field(default=None, compare=False)  # spreadsheet row, on import


@dataclass(frozen=True)
class RowError:
    line: int  # spreadsheet row number; 0 for a problem with the whole file
    column: str  # a COLUMNS key, or "" for the whole row or file
    message: str

    def __str__(self) -> str:
        headers = dict(COLUMNS)
        where = [gettext("Row %(line)d") % {"line": self.line}] if self.line else []
        where += [str(headers[self.column])] if self.column in headers else []
        return ", ".join(where) + ": " + self.message if where else self.message


class MatrixImportError(ValueError):
    """The file was refused; `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def _export_cells(row: MatrixRow) -> list[str]:
    names = [row.commenter, row.organisation]
    values = [
        COMMENTER_SEPARATOR.join(name for name in names if name),
        row.clause,
        row.paragraph,
        row.type_code,
        row.comment,
        row.proposed_change,
        row.observations,
    ]
    return [neutralise_formula(_clean(value)) for value in values]


def _clean(value: str) -> str:
    return _ILLEGAL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def export_csv(rows: Iterable[MatrixRow]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, which Excel needs to read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(header) for _, header in COLUMNS])
    writer.writerows(_export_cells(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(rows: Iterable[MatrixRow], title: str) -> bytes:
    """An .xlsx workbook: bold frozen header, wrapped text, a ge/te/ed drop-down."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Comments"
    workbook.properties.title = title
    sheet.append([str(header) for _, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line, row in enumerate(rows, start=2):
        for column, value in enumerate(_export_cells(row), start=1):
            cell = sheet.cell(row=line, column=column, value=value or None)
            cell.data_type = "s"  # never a formula, whatever the text
            cell.alignment = wrap
    for column, (key, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(key, 50)
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 2)}"
    types = DataValidation(type="list", formula1='"ge,te,ed"', allow_blank=True)
    sheet.add_data_validation(types)
    type_column = get_column_letter([key for key, _ in COLUMNS].index("type") + 1)
    types.add(f"{type_column}2:{type_column}{max(sheet.max_row, 2000)}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _norm(header: str) -> str:
    header = re.sub(r"\(.*?\)", "", header.casefold())
    return re.sub(r"\s+", "", header).rstrip("/:").replace("_", "")


def _header_names() -> dict[str, str]:
    names = {}
    for (key, english), (_, translated) in zip(_HEADERS, COLUMNS, strict=True):
        for name in (key, english, str(translated), *_ALIASES[key]):
            names[_norm(name)] = key
    return names


def _text(value) -> str:
    """A cell as text: 3.0 -> "3", dates as ISO, newlines as "\\n"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return restore_formula(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def _collect(rows: Iterator[tuple[int, list[str]]], max_rows: int):
    """Find the header, then gather at most `max_rows` non-empty data rows."""
    names = _header_names()
    header = None
    data = []
    for line, cells in rows:
        if header is None:
            keys = [names.get(_norm(cell)) if cell else None for cell in cells]
            if len({key for key in keys if key}) >= MIN_HEADER_MATCHES:
                header = keys
            elif line >= HEADER_SEARCH_ROWS:
                break
        elif any(cells):
            if len(data) == max_rows:
                message = gettext("The file has more than %(max)d comments.") % {"max": max_rows}
                raise MatrixImportError([RowError(line, "", message)])
            data.append((line, cells))
    if header is None:
        message = gettext("No header row was found; use the columns of the comment template.")
        raise MatrixImportError([RowError(0, "", message)])
    return header, data


def _check_row(line, values, valid_clauses, max_comment_length) -> tuple[MatrixRow, list]:
    """One data row as a MatrixRow, with every problem found in it."""
    errors = []
    for key, value in values.items():
        limit = max_comment_length if key in _LONG_FIELDS else MAX_SHORT_FIELD
        if len(value) > limit:
            message = gettext("Too long: %(length)d characters, the limit is %(limit)d.")
            errors.append(RowError(line, key, message % {"length": len(value), "limit": limit}))
    type_code = TYPE_CODES.get(values["type"].casefold(), "")
    if not type_code:
        message = gettext("“%(value)s” is not a type of comment; use ge, te or ed.")
        if not values["type"]:
            message = gettext("The type of comment is required: ge, te or ed.")
        errors.append(RowError(line, "type", message % {"value": values["type"]}))
    if not values["comment"]:
        errors.append(RowError(line, "comment", gettext("The comment is empty.")))
    clause = values["clause"].rstrip(".")
    clause = "" if clause.casefold() == "general" else clause
    if clause and clause not in valid_clauses:
        message = gettext("There is no clause %(clause)s in this draft.") % {"clause": clause}
        errors.append(RowError(line, "clause", message))
    commenter, _, organisation = values["commenter"].partition(COMMENTER_SEPARATOR)
    row = MatrixRow(
        commenter=commenter.strip(),
        organisation=organisation.strip(),
        clause=clause,
        paragraph=values["paragraph"],
        type_code=type_code,
        comment=values["comment"],
        proposed_change=values["proposed_change"],
        observations=values["observations"],
        line=line,
    )
    return row, errors


def _validate(header, data, valid_clauses: set[str], max_comment_length: int) -> list[MatrixRow]:
    missing = [key for key in ("type", "comment") if key not in header]
    if missing:
        columns = ", ".join(str(dict(COLUMNS)[key]) for key in missing)
        message = gettext("Missing column(s): %(columns)s.") % {"columns": columns}
        raise MatrixImportError([RowError(0, "", message)])
    rows, errors = [], []
    for line, cells in data:
        values = dict.fromkeys(_ALIASES, "")
        values |= {key: cell for key, cell in zip(header, cells, strict=False) if key and cell}
        row, row_errors = _check_row(line, values, valid_clauses, max_comment_length)
        rows.append(row)
        errors += row_errors
    if errors:
        raise MatrixImportError(errors)
    return rows


def _read_limited(file) -> bytes:
    data = file if isinstance(file, bytes | bytearray) else file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        message = gettext("The file is too large; the limit is %(limit)d MB.") % {"limit": limit}
        raise MatrixImportError([RowError(0, "", message)])
    return bytes(data)


def parse_xlsx(
    file, *, valid_clauses: set[str], max_rows: int = 2000, max_comment_length: int = 5000
) -> list[MatrixRow]:
    """Rows of the first sheet of an .xlsx file, all valid, or MatrixImportError."""
    from lxml.etree import XMLSyntaxError
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = _read_limited(file)
    not_xlsx = [RowError(0, "", gettext("The file is not a valid Excel (.xlsx) workbook."))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise MatrixImportError(not_xlsx) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        message = gettext("The workbook unpacks to too much data to import.")
        raise MatrixImportError([RowError(0, "", message)])
    broken = (InvalidFileException, zipfile.BadZipFile, KeyError, IndexError, TypeError)
    broken += (ParseError, XMLSyntaxError, ValueError, OSError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            numbered = ((line, [_text(v) for v in cells]) for line, cells in enumerate(rows, 1))
            header, found = _collect(numbered, max_rows)
        finally:
            workbook.close()
    except MatrixImportError:
        raise
    except broken as exc:
        raise MatrixImportError(not_xlsx) from exc
    return _validate(header, found, valid_clauses, max_comment_length)


def parse_csv(
    file, *, valid_clauses: set[str], max_rows: int = 2000, max_comment_length: int = 5000
) -> list[MatrixRow]:
    """The same as `parse_xlsx`, for a UTF-8 CSV file (comma, semicolon or tab)."""
    data = _read_limited(file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = gettext("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.")
        raise MatrixImportError([RowError(0, "", message)]) from exc
    try:
        # Only the delimiter is sniffed (Excel writes ";" in some locales);
        # quoting stays Excel's, which the sniffer tends to guess wrong.
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = ((line, [_text(v) for v in cells]) for line, cells in enumerate(rows, 1))
        header, found = _collect(numbered, max_rows)
    except csv.Error as exc:
        message = gettext("The CSV file could not be read: %(error)s") % {"error": exc}
        raise MatrixImportError([RowError(0, "", message)]) from exc
    return _validate(header, found, valid_clauses, max_comment_length)
