"""A version of a standard as a document of record: Markdown and PDF.

Both renderers take the same plain data (`VersionDocument`), so what one says the
other says. The PDF uses DejaVu Sans (a Unicode TrueType font) when the system has
it, so French and Swahili text keeps every accent; without it, fpdf2's core
Helvetica is used and the text is folded to Latin-1 (é stays é, œ becomes oe,
typographic quotes become plain ones).
"""

import re
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from governance.pdf import CORE_FAMILY, UNICODE_FAMILY, latin1_safe, unicode_font_files

from .models import Clause, DraftVersion


@dataclass(frozen=True)
class DocumentClause:
    number: str
    heading: str
    body: str
    level: int


@dataclass(frozen=True)
class VersionDocument:
    title: str
    label: str
    status: str
    published: str  # the date in words, or ""
    group: str
    summary: str
    clauses: tuple[DocumentClause, ...]

    @property
    def version_line(self) -> str:
        if self.published:
            return _("Version %(label)s · %(status)s · adopted on %(date)s") % {
                "label": self.label,
                "status": self.status,
                "date": self.published,
            }
        return _("Version %(label)s · %(status)s") % {"label": self.label, "status": self.status}

    @property
    def group_line(self) -> str:
        return _("Drafted by %(group)s") % {"group": self.group}


def version_document(version: DraftVersion, clauses: list[Clause]) -> VersionDocument:
    """The version and its clauses (in order) as plain data, in the active language.
    `version` comes with its standard and working group."""
    standard = version.standard
    return VersionDocument(
        title=standard.title,
        label=version.label,
        status=str(version.get_status_display()),
        published=formats.date_format(version.published_at, "DATE_FORMAT")
        if version.published_at
        else "",
        group=standard.working_group.name,
        summary=standard.summary,
        clauses=tuple(
            DocumentClause(clause.number, clause.heading, clause.body, clause.level)
            for clause in clauses
        ),
    )


# --- Markdown --------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
# Line starts that Markdown would read as structure: headings, quotes, lists,
# numbered lists, rules and setext underlines.
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)](?=\s|$)|\*(?=\s))")


def _md_inline(text: str) -> str:
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_block(text: str) -> str:
    """Clause text as Markdown that reads as the same plain text: special characters
    escaped, structure-like line starts escaped, indentation (a code block) dropped,
    paragraphs kept."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _INLINE_SPECIAL.sub(r"\\\1", line.strip())
        lines.append(_BLOCK_START.sub(lambda m: "\\" + m.group(2), line, count=1))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def heading_marks(level: int) -> str:
    """Level 1 clauses are `##` (the title is `#`), down to `######`."""
    return "#" * min(max(level, 1) + 1, 6)


def render_markdown(document: VersionDocument) -> str:
    parts = [
        f"# {_md_inline(document.title)}",
        f"{_md_inline(document.version_line)}  \n{_md_inline(document.group_line)}",
    ]
    if document.summary.strip():
        parts.append(_md_block(document.summary))
    for clause in document.clauses:
        heading = " ".join(part for part in (clause.number, clause.heading) if part)
        parts.append(f"{heading_marks(clause.level)} {_md_inline(heading)}")
        if clause.body.strip():
            parts.append(_md_block(clause.body))
    return "\n\n".join(parts) + "\n"


# --- PDF -------------------------------------------------------------------------------


class _VersionPDF(FPDF):
    def __init__(self, document: VersionDocument):
        super().__init__(format="A4")
        self.document = document
        fonts = unicode_font_files()
        if fonts:
            for style, path in fonts.items():
                self.add_font(UNICODE_FAMILY, style, str(path))
            self.family_name, self.clean = UNICODE_FAMILY, str
        else:
            self.family_name, self.clean = CORE_FAMILY, latin1_safe
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family_name, "", 8)
        self.set_text_color(90, 90, 90)
        label = self.clean(f"{self.document.title} {self.document.label}")
        page = self.clean(
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        )
        self.cell(self.epw / 2, 8, label, align="L")
        self.cell(self.epw / 2, 8, page, align="R")
        self.set_text_color(0, 0, 0)

    def paragraph(self, text: str, *, size: float, style: str = "", indent: float = 0, gap=1.5):
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        self.set_font(self.family_name, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent,
            size * 0.5,
            self.clean(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(gap)


HEADING_SIZES = {1: 13, 2: 11.5}


def render_pdf(document: VersionDocument) -> bytes:
    """A4, a title block, then each clause's number and heading (larger for higher
    levels, indented by level) and its text; each page's footer says which document
    and "Page n of N"."""
    pdf = _VersionPDF(document)
    pdf.set_title(pdf.clean(f"{document.title} {document.label}"))
    pdf.set_author(pdf.clean(document.group))
    pdf.set_lang(get_language() or "en")
    pdf.set_creator("Chaintable")
    pdf.add_page()
    pdf.paragraph(document.title, size=20, style="B", gap=2)
    pdf.paragraph(document.version_line, size=11)
    pdf.paragraph(document.group_line, size=11, gap=3)
    if document.summary.strip():
        pdf.paragraph(document.summary, size=10, gap=3)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(5)
    for clause in document.clauses:
        indent = 6 * (min(max(clause.level, 1), 4) - 1)
        size = HEADING_SIZES.get(clause.level, 10.5)
        # Keep a heading with the first lines of its text.
        if pdf.will_page_break(size * 0.5 + 14):
            pdf.add_page()
        heading = "  ".join(part for part in (clause.number, clause.heading) if part)
        pdf.paragraph(heading, size=size, style="B", indent=indent, gap=1)
        if clause.body.strip():
            pdf.paragraph(clause.body.strip(), size=10, indent=indent, gap=4)
        else:
            pdf.ln(2)
    return bytes(pdf.output())
