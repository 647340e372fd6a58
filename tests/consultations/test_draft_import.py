"""Draft import: Markdown and .docx to numbered clauses, all or nothing."""

import io
import zipfile

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from hypothesis import given
from hypothesis import strategies as st

from consultations import draft_import
from consultations.draft_import import (
    DraftImportError,
    ParsedClause,
    parse_docx,
    parse_markdown,
    renumber,
)


def numbers(clauses):
    return [clause.number for clause in clauses]


# --- renumber -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], []),
        ([1, 2, 2, 1, 2, 3], ["1", "1.1", "1.2", "2", "2.1", "2.1.1"]),
        ([2, 2, 3], ["1", "2", "2.1"]),  # a document that starts at "##"
        ([1, 3, 3, 1], ["1", "1.1", "1.2", "2"]),  # a skipped level adds no gap
        ([1, 4, 3, 2], ["1", "1.1", "1.2", "1.3"]),  # climbing back never repeats
        ([0, 1, 1], ["0", "1", "2"]),  # the preamble does not count
    ],
)
def test_renumber(levels, expected):
    assert renumber(levels) == expected


@given(st.lists(st.integers(min_value=1, max_value=9), max_size=60))
def test_renumber_never_repeats_a_number(levels):
    numbers = renumber(levels)
    assert len(set(numbers)) == len(numbers)


@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=40))
def test_markdown_numbers_follow_renumber_of_its_levels(levels):
    clauses = parse_markdown("".join("#" * level + " Clause\n" for level in levels))
    assert numbers(clauses) == renumber(levels) == renumber([c.level for c in clauses])


def test_renumber_rejects_negative_levels():
    with pytest.raises(ValueError):
        renumber([1, -1])


# --- Markdown -----------------------------------------------------------------

DRAFT = """\
This standard is published for comment.

# 1 Scope

Applies to **artisanal** cobalt.

## 1.1 Sites

All sites.

## Exclusions ##

None.

# Terms and definitions

```
# not a heading
```

# 3.2 Traceability
"""


def test_markdown_happy_path():
    clauses = parse_markdown(DRAFT)
    assert clauses == [
        ParsedClause("0", "Preamble", "This standard is published for comment.", 0),
        ParsedClause("1", "Scope", "Applies to **artisanal** cobalt.", 1),
        ParsedClause("1.1", "Sites", "All sites.", 2),
        ParsedClause("1.2", "Exclusions", "None.", 2),
        ParsedClause("2", "Terms and definitions", "```\n# not a heading\n```", 1),
        ParsedClause("3.2", "Traceability", "", 1),
    ]


def test_levels_renumber_to_the_generated_numbers():
    text = "## A\n#### B\n### C\n## D\n"
    clauses = parse_markdown(text)
    assert numbers(clauses) == ["1", "1.1", "1.2", "2"]
    assert renumber([c.level for c in clauses]) == numbers(clauses)


def test_unnumbered_headings_count_on_from_explicit_numbers():
    clauses = parse_markdown("# 3 Scope\n## 3.4 Sites\n## Mines\n# Terms\n")
    assert numbers(clauses) == ["3", "3.4", "3.5", "4"]


def test_numbering_variants():
    clauses = parse_markdown("# 1. Scope\n# 2024 review\n# 10.2.1   Spaced   title\n")
    assert [(c.number, c.heading) for c in clauses] == [
        ("1", "Scope"),
        ("2", "2024 review"),  # four digits: a year, not a clause number
        ("10.2.1", "Spaced title"),
    ]


def test_blank_preamble_is_dropped_and_crlf_and_bom_are_handled():
    clauses = parse_markdown("\ufeff \r\n\r\n# Scope\r\nLine one\r\nLine two\r\n")
    assert clauses == [ParsedClause("1", "Scope", "Line one\nLine two", 1)]


def test_hash_without_space_is_not_a_heading():
    clauses = parse_markdown("# Scope\n#hashtag stays in the body\n")
    assert clauses[0].body == "#hashtag stays in the body"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("  \n\n\t", "empty"),
        ("Just prose, no headings.", "No headings"),
        ("# 1 Scope\n# 1 Scope again\n", "used twice"),
        ("# 1 Scope\n# Sites\n# 2 Again\n", "used twice"),  # generated "2" then explicit "2"
        ("# Scope\n#\nbody", "no title"),
        ("# Scope\n## 1.1\nbody", "no title"),
        ("# Scope\n### ###\n", "no title"),
    ],
)
def test_markdown_bad_input(text, needle):
    with pytest.raises(DraftImportError, match=needle) as info:
        parse_markdown(text)
    assert isinstance(info.value, ValueError)
    assert info.value.message == str(info.value)


def test_markdown_too_large(monkeypatch):
    monkeypatch.setattr(draft_import, "MAX_MARKDOWN_CHARS", 100)
    with pytest.raises(DraftImportError, match="too large"):
        parse_markdown("# Scope\n" + "x" * 100)


def test_markdown_too_many_clauses(monkeypatch):
    monkeypatch.setattr(draft_import, "MAX_CLAUSES", 3)
    assert len(parse_markdown("# A\n# B\n# C\n")) == 3
    with pytest.raises(DraftImportError, match="limit of 3"):
        parse_markdown("# A\n# B\n# C\n# D\n")


# --- .docx --------------------------------------------------------------------


def docx_bytes(build) -> io.BytesIO:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def test_docx_happy_path():
    def build(d):
        d.add_heading("Cobalt sourcing standard", level=0)  # "Title": ignored
        d.add_paragraph("Draft for public comment.")
        d.add_heading("1 Scope", level=1)
        d.add_paragraph("First paragraph.")
        d.add_paragraph("")  # empty paragraphs vanish
        d.add_paragraph("Second paragraph.")
        d.add_heading("Sites", level=2)
        d.add_paragraph("Covered sites:")
        d.add_paragraph("mines", style="List Bullet")
        d.add_paragraph("depots", style="List Bullet")
        d.add_paragraph("pits", style="List Bullet 2")
        d.add_paragraph("Then prose.")
        d.add_paragraph("step one", style="List Number")
        d.add_heading("Grievances", level=1)
        table = d.add_table(rows=2, cols=2)
        for (row, col), text in {
            (0, 0): "Who",
            (0, 1): "When",
            (1, 0): "A|B",
            (1, 1): "Now",
        }.items():
            table.cell(row, col).text = text

    clauses = parse_docx(docx_bytes(build))
    assert clauses == [
        ParsedClause("0", "Preamble", "Draft for public comment.", 0),
        ParsedClause("1", "Scope", "First paragraph.\n\nSecond paragraph.", 1),
        ParsedClause(
            "1.1",
            "Sites",
            "Covered sites:\n\n- mines\n- depots\n  - pits\n\nThen prose.\n\n- step one",
            2,
        ),
        ParsedClause("2", "Grievances", "| Who | When |\n| --- | --- |\n| A\\|B | Now |", 1),
    ]


def test_docx_custom_style_based_on_a_heading_counts_as_that_heading():
    def build(d):
        style = d.styles.add_style("Clause Heading", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = d.styles["Heading 2"]
        d.add_heading("4 Due diligence", level=1)
        d.add_paragraph("Risk assessment", style="Clause Heading")
        d.add_paragraph("Body.")

    clauses = parse_docx(docx_bytes(build).getvalue())  # bytes are accepted too
    assert [(c.number, c.heading, c.level) for c in clauses] == [
        ("4", "Due diligence", 1),
        ("4.1", "Risk assessment", 2),
    ]


def zip_with(name: str, content: bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("file", "needle"),
    [
        (io.BytesIO(b""), "empty"),
        (io.BytesIO(b"# Markdown is not a docx"), "not a valid Word"),
        (zip_with("hello.txt", b"hi"), "not a valid Word"),
        (zip_with("[Content_Types].xml", b"<broken"), "not a valid Word"),
    ],
)
def test_docx_not_a_docx(file, needle):
    with pytest.raises(DraftImportError, match=needle):
        parse_docx(file)


def test_docx_truncated_file_is_refused():
    data = docx_bytes(lambda d: d.add_heading("Scope", 1)).getvalue()
    with pytest.raises(DraftImportError, match="not a valid Word"):
        parse_docx(io.BytesIO(data[: len(data) // 2]))


def test_xlsx_passed_as_docx_is_refused():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    out.seek(0)
    with pytest.raises(DraftImportError, match="not a valid Word"):
        parse_docx(out)


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda d: None, "empty"),
        (lambda d: d.add_heading("Only a title", 0), "empty"),
        (lambda d: d.add_paragraph("No headings here."), "No headings"),
        (lambda d: [d.add_heading("2 A", 1), d.add_heading("2 B", 1)], "used twice"),
        (lambda d: [d.add_heading("A", 1), d.add_heading("", 2)], "no title"),
        (lambda d: [d.add_heading("A", 1), d.add_heading("1.1  ", 2)], "no title"),
    ],
)
def test_docx_bad_content(build, needle):
    with pytest.raises(DraftImportError, match=needle):
        parse_docx(docx_bytes(build))


def test_docx_size_limits(monkeypatch):
    file = docx_bytes(lambda d: [d.add_heading("A", 1), d.add_paragraph("x" * 200)])
    monkeypatch.setattr(draft_import, "MAX_DOCX_BYTES", 1000)
    with pytest.raises(DraftImportError, match="too large"):
        parse_docx(file)
    monkeypatch.undo()

    monkeypatch.setattr(draft_import, "MAX_DOCX_UNPACKED_BYTES", 1000)
    file.seek(0)
    with pytest.raises(DraftImportError, match="unpacks"):
        parse_docx(file)
    monkeypatch.undo()

    monkeypatch.setattr(draft_import, "MAX_MARKDOWN_CHARS", 100)
    file.seek(0)
    with pytest.raises(DraftImportError, match="too large"):
        parse_docx(file)


def test_docx_too_many_clauses(monkeypatch):
    monkeypatch.setattr(draft_import, "MAX_CLAUSES", 2)
    file = docx_bytes(lambda d: [d.add_heading(t, 1) for t in "ABC"])
    with pytest.raises(DraftImportError, match="limit of 2"):
        parse_docx(file)
