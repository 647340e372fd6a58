"""Turn a draft standard (Markdown or .docx) into a flat list of numbered clauses.

Pure functions: no ORM, no settings. The caller (a service) stores the result
inside one transaction, so a draft is imported whole or not at all; to make
that possible every check happens here, before anything is returned.

Numbering. A heading that starts with a number ("3.2 Traceability", "3.2.
Traceability") keeps it. Any other heading gets the next number for its
nesting depth, counting on from the explicit numbers seen so far, so "# 3
Scope" followed by "# Definitions" gives "4". Depth comes from the heading
level, relative to the headings around it: a document that starts at "##", or
jumps from "#" to "###", still numbers 1, 1.1, 1.2 without gaps.

Preamble. Text before the first heading is kept, as clause "0" ("Preamble",
level 0), but only when it is not blank: a cover note must not be lost, and an
empty one must not appear as a clause.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext

MAX_MARKDOWN_CHARS = 2 * 1024 * 1024
MAX_DOCX_BYTES = 10 * 1024 * 1024
# A .docx is a zip: bound what it unpacks to, not only what it weighs. Read from the
# zip's own list before anything is parsed. 2 M characters of text with Word's markup
# stay well under the XML bound; pictures are stored compressed already, so a real
# draft unpacks to little more than it weighs.
MAX_DOCX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_DOCX_XML_BYTES = 12 * 1024 * 1024
MAX_DOCX_PARAGRAPHS = 40_000
MAX_CLAUSES = 500

PREAMBLE_NUMBER = "0"

# Up to three digits per part, so a heading such as "2024 review" is a title.
_NUMBER_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+|$)(.*)$", re.DOTALL)
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES_RE = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_STYLE_RE = re.compile(r"^heading ([1-9])$", re.IGNORECASE)


class DraftImportError(ValueError):
    """The draft cannot be imported; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedClause:
    number: str
    heading: str
    body: str
    level: int  # nesting depth, 1 = top level; 0 only for the preamble


@dataclass
class _Section:
    level: int  # raw heading level as written (1-9)
    title: str
    body: list[str]


class _Numberer:
    """Hands out hierarchical numbers from heading levels.

    The stack holds (raw level, counter) pairs. A heading pops deeper entries,
    then either increments its sibling or opens a new depth; when it pops a
    deeper entry without finding a sibling (levels 1, 4, 3) it takes over the
    popped counter, so no number is handed out twice.
    """

    def __init__(self) -> None:
        self.stack: list[list[int]] = []

    def next(self, level: int, explicit: str | None = None) -> tuple[str, int]:
        popped = 0
        while self.stack and self.stack[-1][0] > level:
            popped = self.stack.pop()[1]
        if self.stack and self.stack[-1][0] == level:
            self.stack[-1][1] += 1
        else:
            self.stack.append([level, popped + 1])
        depth = len(self.stack)
        if explicit is None:
            return ".".join(str(counter) for _, counter in self.stack), depth
        parts = [int(part) for part in explicit.split(".")]
        if len(parts) == depth:
            # Count on from the author's numbers ("3" then an unnumbered "4").
            for entry, part in zip(self.stack, parts, strict=True):
                entry[1] = part
        return explicit, depth


def renumber(levels: list[int]) -> list[str]:
    """Hierarchical numbers ("1", "1.1", "1.2", "2") for a list of nesting levels.

    Level 0 is the preamble: it is numbered "0" and does not count.
    """
    numberer = _Numberer()
    numbers = []
    for level in levels:
        if level < 0:
            raise ValueError(f"nesting level must be >= 0, not {level}")
        numbers.append(PREAMBLE_NUMBER if level == 0 else numberer.next(level)[0])
    return numbers


def _too_many_clauses() -> DraftImportError:
    return DraftImportError(
        gettext("The draft has more clauses than the limit of %(limit)d.") % {"limit": MAX_CLAUSES}
    )


def _too_much_text() -> DraftImportError:
    return DraftImportError(
        gettext("The draft is too large; the limit is %(limit)d characters.")
        % {"limit": MAX_MARKDOWN_CHARS}
    )


def _build(preamble: list[str], sections: list[_Section], *, sep: str) -> list[ParsedClause]:
    """Number the sections and run the checks shared by both formats."""
    if not sections:
        raise DraftImportError(
            gettext("No headings were found. Each clause must start with a heading.")
        )
    if len(sections) > MAX_CLAUSES:
        raise _too_many_clauses()
    clauses = []
    preamble_text = sep.join(preamble).strip()
    if preamble_text:
        clauses.append(ParsedClause(PREAMBLE_NUMBER, gettext("Preamble"), preamble_text, 0))
    numberer = _Numberer()
    seen: set[str] = set()
    for section in sections:
        title = " ".join(section.title.split())
        match = _NUMBER_RE.match(title)
        explicit, title = (match.group(1), match.group(2).strip()) if match else (None, title)
        number, depth = numberer.next(section.level, explicit)
        if not title:
            raise DraftImportError(
                gettext("The heading of clause %(number)s has no title.") % {"number": number}
            )
        if number in seen:
            raise DraftImportError(
                gettext("Clause number %(number)s is used twice (second time: “%(title)s”).")
                % {"number": number, "title": title}
            )
        seen.add(number)
        clauses.append(ParsedClause(number, title, sep.join(section.body).strip(), depth))
    return clauses


def parse_markdown(text: str) -> list[ParsedClause]:
    """Clauses from ATX headings ("#" to "######"); bodies stay Markdown.

    Setext headings (underlined with === or ---) are not clause breaks, and
    a "#" line inside a fenced code block is code, not a heading.
    """
    if len(text) > MAX_MARKDOWN_CHARS:
        raise _too_much_text()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DraftImportError(gettext("The draft is empty."))
    preamble: list[str] = []
    sections: list[_Section] = []
    fence = None
    for line in text.split("\n"):
        target = sections[-1].body if sections else preamble
        fence_match = _FENCE_RE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            target.append(line)
            continue
        if fence_match:
            fence = fence_match.group(1)
            target.append(line)
            continue
        heading = _ATX_RE.match(line)
        if heading:
            title = _CLOSING_HASHES_RE.sub("", heading.group(2) or "")
            sections.append(_Section(len(heading.group(1)), title, []))
            if len(sections) > MAX_CLAUSES:  # stop at the first limit crossed
                raise _too_many_clauses()
        else:
            target.append(line)
    return _build(preamble, sections, sep="\n")


def _read_limited(file, limit: int) -> bytes:
    data = file if isinstance(file, bytes | bytearray) else file.read(limit + 1)
    if len(data) > limit:
        raise DraftImportError(
            gettext("The file is too large; the limit is %(limit)d MB.")
            % {"limit": limit // (1024 * 1024)}
        )
    return bytes(data)


def _style_level(paragraph) -> int | None:
    """Heading level 1-9 of a paragraph, following custom styles to their base."""
    style = paragraph.style
    for _ in range(10):  # a bounded walk: style chains can loop in broken files
        if style is None:
            return None
        match = _HEADING_STYLE_RE.match(style.name or "")
        if match:
            return int(match.group(1))
        if (style.name or "").lower() == "title":
            return 0
        style = style.base_style
    return None


def _table_markdown(table) -> str:
    """A Word table as a Markdown pipe table, so its content is not lost."""
    rows = [
        [" ".join(cell.text.split()).replace("|", "\\|") for cell in row.cells]
        for row in table.rows
    ]
    if not rows:
        return ""
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * len(rows[0]))
    return "\n".join(lines)


def parse_docx(file) -> list[ParsedClause]:
    """Clauses from paragraphs styled "Heading 1" to "Heading 9".

    "Title" paragraphs are dropped. Body paragraphs are joined by blank lines;
    list paragraphs (style "List …") become "- item" lines, indented for
    "List Bullet 2" and deeper, and consecutive items stay in one list.
    Tables become Markdown pipe tables.

    Nothing big is parsed: the zip's list of members is checked first (total and
    main XML part unpacked sizes), then the main part is streamed (docx_limits.scan)
    and the import stops at the first limit crossed (headings, paragraphs, text);
    only a document within every limit is built in memory by python-docx.
    """
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    from .docx_limits import DocxLimitCrossed, scan

    data = _read_limited(file, MAX_DOCX_BYTES)
    if not data.strip():
        raise DraftImportError(gettext("The file is empty."))
    not_docx = gettext("The file is not a valid Word (.docx) document.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scan(
                archive,
                max_unpacked=MAX_DOCX_UNPACKED_BYTES,
                max_xml=MAX_DOCX_XML_BYTES,
                max_headings=MAX_CLAUSES,
                max_paragraphs=MAX_DOCX_PARAGRAPHS,
                max_chars=MAX_MARKDOWN_CHARS,
            )
    except (zipfile.BadZipFile, KeyError, XMLSyntaxError, EOFError) as exc:
        raise DraftImportError(not_docx) from exc
    except DocxLimitCrossed as crossed:
        raise _limit_error(crossed) from crossed
    try:
        blocks = list(Document(io.BytesIO(data)).iter_inner_content())
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise DraftImportError(not_docx) from exc

    preamble: list[str] = []
    sections: list[_Section] = []
    chars = 0
    in_list = False  # consecutive list items share one Markdown list
    # python-docx looks a paragraph's style up anew each time (slow: 10 s for 1,600
    # paragraphs): resolve each style id once.
    styles: dict[str | None, tuple[int | None, str]] = {}
    for block in blocks:
        target = sections[-1].body if sections else preamble
        is_item = False
        if isinstance(block, Table):
            text = _table_markdown(block)
        else:
            style_id = block._p.style
            if style_id not in styles:
                styles[style_id] = (
                    _style_level(block),
                    block.style.name if block.style is not None else "",
                )
            level, style_name = styles[style_id]
            if level == 0:
                continue
            if level is not None:
                sections.append(_Section(level, block.text, []))
                if len(sections) > MAX_CLAUSES:
                    raise _too_many_clauses()
                in_list = False
                continue
            text = block.text.strip()
            if text and style_name.startswith("List"):
                depth = int(style_name[-1]) if style_name[-1].isdigit() else 1
                text = "  " * (depth - 1) + "- " + text
                is_item = True
        if not text:
            continue
        chars += len(text)
        if chars > MAX_MARKDOWN_CHARS:
            raise _too_much_text()
        if is_item and in_list:
            target[-1] += "\n" + text
        else:
            target.append(text)
        in_list = is_item
    if not sections and not preamble:
        raise DraftImportError(gettext("The draft is empty."))
    return _build(preamble, sections, sep="\n\n")


def _limit_error(crossed) -> DraftImportError:
    if crossed.limit == "headings":
        return _too_many_clauses()
    if crossed.limit == "chars":
        return _too_much_text()
    if crossed.limit == "paragraphs":
        return DraftImportError(
            gettext("The draft has more paragraphs than the limit of %(limit)d.")
            % {"limit": MAX_DOCX_PARAGRAPHS}
        )
    limit = MAX_DOCX_UNPACKED_BYTES if crossed.limit == "unpacked" else MAX_DOCX_XML_BYTES
    return DraftImportError(
        gettext("The document unpacks to more than %(limit)d MB, too much to import.")
        % {"limit": limit // (1024 * 1024)}
    )
