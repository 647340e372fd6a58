"""Drafts too big to import are refused at once, before python-docx builds them in
memory, with the same clear errors as Markdown; nothing is stored. The files are made
here: a zip that unpacks to 94 MB from well under 1 MB, a main part over the XML
bound, and documents with 20,000 headings or paragraphs. (Time and memory are
measured by bench/docx_import.py, not asserted here.)"""

import io
import re
import zipfile

import pytest
from docx import Document

from consultations import draft_import
from consultations.draft_import import DraftImportError, parse_docx, parse_markdown
from consultations.models import DraftVersion
from tests.consultations.test_admin import drafts
from tests.consultations.test_views import Scene


def small_docx() -> bytes:
    document = Document()
    document.add_heading("Scope", 1)
    document.add_paragraph("What this covers.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewritten(data: bytes, change) -> bytes:
    """The package with `change(name, bytes) -> bytes | None` applied to each member
    (None keeps it), plus whatever `change` returns for the name "+" (extra members)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, change(info.filename, body) or body)
        for name, body in (change("+", b"") or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def repeated_body(paragraph_xml: str, count: int) -> bytes:
    data = small_docx()

    def change(name, body):
        if name == "word/document.xml":
            text = body.decode()
            return re.sub(
                r"<w:body>.*?(<w:sectPr)",
                lambda m: "<w:body>" + paragraph_xml * count + m.group(1),
                text,
                flags=re.S,
            ).encode()
        return None

    return rewritten(data, change)


HEADING = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Part</w:t></w:r></w:p>'
PARAGRAPH = "<w:p><w:r><w:t>x</w:t></w:r></w:p>"


def bomb() -> bytes:
    """Under 1 MB on disk, 94 MB unpacked (a picture of nothing, in effect)."""
    return rewritten(
        small_docx(),
        lambda name, body: {"word/media/filler.bin": bytes(94 << 20)} if name == "+" else None,
    )


def test_a_docx_that_unpacks_to_94_mb_is_refused_from_the_zips_list():
    data = bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(DraftImportError, match="unpacks to more than 30 MB"):
        parse_docx(data)


def test_a_main_part_over_the_xml_bound_is_refused():
    padding = "<!--" + " " * (13 << 20) + "-->"

    def change(name, body):
        if name == "word/document.xml":
            return body.replace(b"<w:body>", b"<w:body>" + padding.encode())
        return None

    with pytest.raises(DraftImportError, match="unpacks to more than 12 MB"):
        parse_docx(rewritten(small_docx(), change))


def test_twenty_thousand_headings_stop_at_the_clause_limit():
    data = repeated_body(HEADING, 20_000)
    with pytest.raises(DraftImportError) as docx_error:
        parse_docx(data)
    markdown = "".join(f"# Part {n}\n" for n in range(20_000))
    with pytest.raises(DraftImportError) as markdown_error:
        parse_markdown(markdown)
    # The same clear message, whichever the format.
    assert docx_error.value.message == markdown_error.value.message
    assert docx_error.value.message == "The draft has more clauses than the limit of 500."


def test_too_many_paragraphs_and_too_much_text_are_refused(monkeypatch):
    with pytest.raises(DraftImportError, match="more paragraphs than the limit of 40000"):
        parse_docx(repeated_body(PARAGRAPH, 40_001))
    monkeypatch.setattr(draft_import, "MAX_MARKDOWN_CHARS", 1000)
    with pytest.raises(DraftImportError, match="limit is 1000 characters"):
        parse_docx(repeated_body(PARAGRAPH, 1001))


def test_headings_in_a_custom_style_based_on_a_heading_count(monkeypatch):
    monkeypatch.setattr(draft_import, "MAX_CLAUSES", 3)
    document = Document()
    from docx.enum.style import WD_STYLE_TYPE

    style = document.styles.add_style("Clause Heading", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Heading 2"]
    for title in "ABCD":
        document.add_paragraph(title, style="Clause Heading")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(DraftImportError, match="limit of 3"):
        parse_docx(out.getvalue())


@pytest.mark.django_db
def test_the_import_form_refuses_them_and_stores_nothing(client):
    scene = Scene()
    client.force_login(scene.secretariat)
    before = DraftVersion.objects.count()
    for name, data, message in (
        ("bomb.docx", bomb(), "unpacks to more than 30 MB"),
        ("many.docx", repeated_body(HEADING, 20_000), "more clauses than the limit of 500"),
    ):
        upload = io.BytesIO(data)
        upload.name = name
        response = client.post(
            drafts("import", scene.standard.pk), {"label": "9.9", "file": upload}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert DraftVersion.objects.count() == before
