"""Comment-resolution matrix: export, formula guard, strict all-or-nothing import."""

import csv
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from consultations import resolution_matrix
from consultations.resolution_matrix import (
    COLUMNS,
    MatrixImportError,
    MatrixRow,
    RowError,
    export_csv,
    export_xlsx,
    parse_csv,
    parse_xlsx,
)
from governance.spreadsheets import neutralise_formula, restore_formula

CLAUSES = {"1", "3.1", "3.2", "4"}
HEADERS = [str(header) for _, header in COLUMNS]

ROWS = [
    MatrixRow("Amani Kabila", "Kolwezi Miners' Cooperative", "3.1", "Para 2", "te",
              "Depth limit is missing.", "Add: pits no deeper than 10 m.", "Accepted."),
    MatrixRow("Jean Dupont", "", "", "", "ge", "Très bien — merci.\nSecond line.", "", ""),
    MatrixRow("Li Wei", "Refiner Co / Ltd", "4", "Table 1", "ed",
              "=HYPERLINK(\"http://evil\")", "+1 more", "-noted"),
    MatrixRow("@mention", "", "1", "", "te", "\tindented", "'=already quoted", "'plain quote"),
]  # fmt: skip


def xlsx_file(rows, *, above=()) -> io.BytesIO:
    """A workbook whose first sheet holds `above` lines, then `rows` (lists of cells)."""
    workbook = Workbook()
    sheet = workbook.active
    for line in [*above, *rows]:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def errors_of(call) -> list[tuple[int, str]]:
    with pytest.raises(MatrixImportError) as info:
        call()
    assert isinstance(info.value, ValueError)
    return [(error.line, error.column) for error in info.value.errors]


# --- the formula guard --------------------------------------------------------


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_formula_prefixes_every_trigger(trigger):
    assert neutralise_formula(trigger + "SUM(A1)") == "'" + trigger + "SUM(A1)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("'quoted'", "'quoted'"),
        ("'=x", "''=x"),  # one more quote, so import can always strip exactly one
        (" =x", " =x"),
    ],
)
def test_neutralise_formula_leaves_other_text(value, expected):
    assert neutralise_formula(value) == expected


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab ")) | st.text())
def test_import_undoes_the_guard_exactly(value):
    neutralised = neutralise_formula(value)
    assert neutralised[:1] not in ("=", "+", "-", "@", "\t", "\r")  # never run as a formula
    assert restore_formula(neutralised) == value


# --- export -------------------------------------------------------------------


def csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_cells(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_export_csv():
    cells = csv_cells(export_csv(ROWS))
    assert cells[0] == HEADERS
    assert cells[0][0] == "Commenter / organisation"
    assert cells[1] == [
        "Amani Kabila / Kolwezi Miners' Cooperative", "3.1", "Para 2", "te",
        "Depth limit is missing.", "Add: pits no deeper than 10 m.", "Accepted.",
    ]  # fmt: skip
    assert cells[3][4:] == ['\'=HYPERLINK("http://evil")', "'+1 more", "'-noted"]
    assert cells[4][0] == "'@mention"
    assert cells[4][4] == "'\tindented"


def test_export_xlsx_format_and_guard():
    data = export_xlsx(ROWS, title="Draft 2: comments [public]")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Draft 2  comments  public"
    assert workbook.properties.title == "Draft 2: comments [public]"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["E2"].alignment.wrap_text
    assert sheet.column_dimensions["E"].width == 60
    injected = sheet["E4"]
    assert injected.value == '\'=HYPERLINK("http://evil")'
    assert injected.data_type == "s"
    assert [sheet[f"{c}4"].value for c in "FG"] == ["'+1 more", "'-noted"]
    assert sheet["A5"].value == "'@mention"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_and_xlsx_exports_hold_the_same_cells():
    assert csv_cells(export_csv(ROWS)) == xlsx_cells(export_xlsx(ROWS, "Comments"))


def test_export_drops_control_characters_xlsx_cannot_hold():
    row = MatrixRow("A", "", "1", "", "ge", "bell\x07 and nul\x00", "", "")
    assert csv_cells(export_csv([row]))[1][4] == "bell and nul"
    assert xlsx_cells(export_xlsx([row], "t"))[1][4] == "bell and nul"


# --- round trip ---------------------------------------------------------------


def test_round_trip_xlsx_and_csv_give_back_the_same_rows():
    from_xlsx = parse_xlsx(io.BytesIO(export_xlsx(ROWS, "Comments")), valid_clauses=CLAUSES)
    from_csv = parse_csv(io.BytesIO(export_csv(ROWS)), valid_clauses=CLAUSES)
    assert from_xlsx == ROWS
    assert from_csv == ROWS
    assert [row.line for row in from_xlsx] == [2, 3, 4, 5]
    assert [row.line for row in from_csv] == [2, 3, 4, 5]


def test_round_trip_of_an_empty_matrix():
    assert parse_xlsx(export_xlsx([], "Comments"), valid_clauses=CLAUSES) == []
    assert parse_csv(export_csv([]), valid_clauses=CLAUSES) == []


# --- import: tolerance --------------------------------------------------------


def test_iso_template_with_title_block_aliases_and_blank_rows():
    iso_header = [
        "MB/NC", "Clause No./\nSubclause No./\nAnnex\n(e.g. 3.1)",
        "Paragraph/\nFigure/Table/Note\n(e.g. Table 1)", "Type of comment",
        "COMMENTS", "Proposed change", "Observations of the secretariat",
    ]  # fmt: skip
    file = xlsx_file(
        [
            iso_header,
            ["Cobalt Institute", "3.2", "", "General", "Too vague.", "", ""],
            [None] * 7,  # blank rows are skipped
            ["A / Org", 4, None, " TECHNICAL ", "Needs a figure.", None, None],
            ["B", 3.1, None, "Editorial", "Typo.", None, None],
            ["C", "general", None, "ge", "Overall fine.", None, None],
        ],
        above=[["Date:", "2025-05-01"], ["Document:", "CT-1 draft 2"], []],
    )
    rows = parse_xlsx(file, valid_clauses=CLAUSES)
    assert [(r.line, r.commenter, r.organisation, r.clause, r.type_code) for r in rows] == [
        (5, "Cobalt Institute", "", "3.2", "ge"),
        (7, "A", "Org", "4", "te"),  # a number cell 4 reads as "4", not "4.0"
        (8, "B", "", "3.1", "ed"),
        (9, "C", "", "", "ge"),  # "general" clause means no clause
    ]


def test_headers_match_by_key_in_any_order_and_extra_columns_are_ignored():
    file = xlsx_file(
        [["Notes", "COMMENT", "type", "Clause", "commenter"], ["x", "Fine.", "ed", "1", "Ana"]]
    )
    assert parse_xlsx(file, valid_clauses=CLAUSES) == [
        MatrixRow(commenter="Ana", clause="1", type_code="ed", comment="Fine.")
    ]


def test_csv_with_semicolons_as_excel_writes_in_some_locales():
    data = ";".join(HEADERS) + "\r\nAna;3.1;;te;Zu tief; wirklich.;;\r\n"
    data = data.replace("Zu tief; wirklich.", '"Zu tief; wirklich."')
    rows = parse_csv(data.encode("utf-8"), valid_clauses=CLAUSES)
    assert rows == [
        MatrixRow(commenter="Ana", clause="3.1", type_code="te", comment="Zu tief; wirklich.")
    ]


# --- import: refusals ---------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_returned():
    file = xlsx_file(
        [
            HEADERS,
            ["Ana", "3.1", "", "te", "Good row.", "", ""],
            ["Ben", "9.9", "", "opinion", "", "", ""],  # clause, type, comment
            [None] * 7,  # row 4: blank, skipped, still counted
            ["Cy", "4", "", "", "x" * 51, "y" * 51, ""],  # two lengths, type
            ["D" * 256, "", "", "ge", "Fine.", "", ""],  # commenter too long
        ]
    )
    errors = errors_of(lambda: parse_xlsx(file, valid_clauses=CLAUSES, max_comment_length=50))
    assert errors == [
        (3, "type"),
        (3, "comment"),
        (3, "clause"),
        (5, "comment"),
        (5, "proposed_change"),
        (5, "type"),
        (6, "commenter"),
    ]


def test_row_errors_read_well():
    error = RowError(3, "type", "“opinion” is not a type of comment; use ge, te or ed.")
    assert (
        str(error)
        == "Row 3, Type of comment: “opinion” is not a type of comment; use ge, te or ed."
    )
    assert str(RowError(0, "", "Whole file.")) == "Whole file."
    file = xlsx_file([HEADERS, ["Ben", "9.9", "", "te", "Hm.", "", ""]])
    with pytest.raises(MatrixImportError, match="There is no clause 9.9"):
        parse_xlsx(file, valid_clauses=CLAUSES)


def test_too_many_rows(monkeypatch):
    rows = [HEADERS] + [["A", "", "", "ge", f"Comment {n}", "", ""] for n in range(4)]
    assert len(parse_xlsx(xlsx_file(rows), valid_clauses=CLAUSES, max_rows=4)) == 4
    errors = errors_of(lambda: parse_xlsx(xlsx_file(rows), valid_clauses=CLAUSES, max_rows=3))
    assert errors == [(5, "")]


def corrupted_xlsx() -> io.BytesIO:
    data = xlsx_file([HEADERS]).getvalue()
    return io.BytesIO(data[: len(data) // 2])


def docx_file() -> io.BytesIO:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    out.seek(0)
    return out


def broken_sheet_xlsx() -> io.BytesIO:
    source = zipfile.ZipFile(xlsx_file([HEADERS]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[:-40]
            target.writestr(info, content)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("make_file", "needle"),
    [
        (lambda: io.BytesIO(b""), "not a valid Excel"),
        (lambda: io.BytesIO(b"commenter,comment\nA,B\n"), "not a valid Excel"),
        (corrupted_xlsx, "not a valid Excel"),
        (docx_file, "not a valid Excel"),
        (broken_sheet_xlsx, "not a valid Excel"),
        (lambda: xlsx_file([["just", "some"], ["data", "here"]]), "No header row"),
        (lambda: xlsx_file([]), "No header row"),
        (lambda: xlsx_file([HEADERS[:3] + HEADERS[5:]]), "Missing column"),
    ],
)
def test_unreadable_files_give_one_clear_error(make_file, needle):
    with pytest.raises(MatrixImportError, match=needle) as info:
        parse_xlsx(make_file(), valid_clauses=CLAUSES)
    assert [(e.line, e.column) for e in info.value.errors] == [(0, "")]


def test_header_must_appear_near_the_top():
    rows = [[f"line {n}"] for n in range(60)] + [HEADERS]
    with pytest.raises(MatrixImportError, match="No header row"):
        parse_xlsx(xlsx_file(rows), valid_clauses=CLAUSES)


def test_size_limits(monkeypatch):
    file = xlsx_file([HEADERS, ["A", "", "", "ge", "x" * 2000, "", ""]])
    monkeypatch.setattr(resolution_matrix, "MAX_FILE_BYTES", 1000)
    with pytest.raises(MatrixImportError, match="too large"):
        parse_xlsx(file, valid_clauses=CLAUSES)
    monkeypatch.undo()
    monkeypatch.setattr(resolution_matrix, "MAX_UNPACKED_BYTES", 1000)
    file.seek(0)
    with pytest.raises(MatrixImportError, match="unpacks"):
        parse_xlsx(file, valid_clauses=CLAUSES)


def test_csv_that_is_not_utf8():
    data = ",".join(HEADERS).encode() + "\nAna,,,ge,Très bien,,\n".encode("cp1252")
    with pytest.raises(MatrixImportError, match="UTF-8"):
        parse_csv(data, valid_clauses=CLAUSES)
