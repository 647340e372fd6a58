"""Checks a .docx against the import's limits without building it in memory.

python-docx loads a whole document into an lxml tree (several times the XML's size)
before anyone can count its headings; a 0.35 MB file that unpacks to 94 MB, or one
with 20,000 headings, then holds a worker for minutes and takes gigabytes. Here the
zip's own list of members is read first (sizes, no decompression), then the main
document part is streamed element by element, each one dropped once read, and the
scan stops at the first limit crossed.
"""

import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "/officeDocument"
_SAFE = {"resolve_entities": False, "no_network": True, "huge_tree": False}


class DocxLimitCrossed(Exception):
    """`limit`: "unpacked", "xml", "headings", "paragraphs" or "chars"."""

    def __init__(self, limit: str):
        super().__init__(limit)
        self.limit = limit


@dataclass
class Counts:
    headings: int = 0
    paragraphs: int = 0
    chars: int = 0


def main_part(archive: zipfile.ZipFile) -> str:
    """The document part's name, as the package's relationships give it."""
    with archive.open("_rels/.rels") as rels:
        for rel in etree.parse(rels, etree.XMLParser(**_SAFE)).getroot().iter(f"{REL}Relationship"):
            if rel.get("Type", "").endswith(OFFICE_DOCUMENT):
                return rel.get("Target", "").lstrip("/")
    raise KeyError("no main document part")


def heading_styles(archive: zipfile.ZipFile, styles_name: str) -> set[str]:
    """Ids of the paragraph styles that are headings, or based on one (a bounded
    walk, as draft_import._style_level follows them)."""
    try:
        info = archive.getinfo(styles_name)
    except KeyError:
        return set()
    if info.file_size > 4 * 1024 * 1024:
        raise DocxLimitCrossed("xml")
    with archive.open(info) as styles:
        root = etree.parse(styles, etree.XMLParser(**_SAFE)).getroot()
    names, bases = {}, {}
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        name = style.find(f"{W}name")
        based = style.find(f"{W}basedOn")
        names[style_id] = (name.get(f"{W}val") if name is not None else "") or ""
        if based is not None:
            bases[style_id] = based.get(f"{W}val")
    headings = set()
    for style_id in names:
        current = style_id
        for _ in range(10):
            if current is None or current not in names:
                break
            name = names[current].lower()
            if name.startswith("heading ") and name[8:].isdigit():
                headings.add(style_id)
                break
            current = bases.get(current)
    return headings


def scan(
    archive: zipfile.ZipFile,
    *,
    max_unpacked: int,
    max_xml: int,
    max_headings: int,
    max_paragraphs: int,
    max_chars: int,
) -> Counts:
    """Raise DocxLimitCrossed at the first limit crossed; else the counts."""
    members = archive.infolist()
    if sum(info.file_size for info in members) > max_unpacked:
        raise DocxLimitCrossed("unpacked")
    name = main_part(archive)
    info = archive.getinfo(name)
    if info.file_size > max_xml:
        raise DocxLimitCrossed("xml")
    headings = heading_styles(archive, posixpath.join(posixpath.dirname(name), "styles.xml"))
    counts = Counts()
    body = f"{W}body"
    with archive.open(info) as stream:
        # zipfile stops at the size the member declares: a lying header cannot
        # make this read more than was checked above.
        for _event, element in etree.iterparse(
            stream, events=("end",), tag=(f"{W}p", f"{W}t", f"{W}tbl"), **_SAFE
        ):
            if element.tag == f"{W}t":
                counts.chars += len(element.text or "")
                if counts.chars > max_chars:
                    raise DocxLimitCrossed("chars")
                continue
            if element.tag == f"{W}tbl":
                _drop_if_top_level(element, body)
                continue
            counts.paragraphs += 1
            if counts.paragraphs > max_paragraphs:
                raise DocxLimitCrossed("paragraphs")
            parent = element.getparent()
            if parent is not None and parent.tag == body:
                style = element.find(f"{W}pPr/{W}pStyle")
                if style is not None and style.get(f"{W}val") in headings:
                    counts.headings += 1
                    if counts.headings > max_headings:
                        raise DocxLimitCrossed("headings")
            _drop_if_top_level(element, body)
    return counts


def _drop_if_top_level(element, body: str) -> None:
    """A paragraph or table of the body is done with once read: let it go, and the
    ones before it, so the scan holds one block at a time."""
    parent = element.getparent()
    if parent is None or parent.tag != body:
        return
    element.clear()
    while element.getprevious() is not None:
        del parent[0]
