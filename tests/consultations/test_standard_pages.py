"""The public record of a standard: the page of the version in force with its
history, each clause's history with the comments and responses, the downloads of
adopted versions (Markdown and PDF), and the balance of interests of a period.

Rows are made with the builders of test_views.py (they set the scene); what is
under test goes through the views.
"""

import datetime
import re
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import standard_downloads
from consultations.models import (
    Audience,
    Clause,
    Comment,
    Consultation,
    Disposition,
    DraftVersion,
    VersionStatus,
)
from governance import pdf
from governance.models import GroupRole
from tests.consultations.test_views import (
    Scene,
    closed,
    comment,
    dispose,
    period,
    standard,
    version,
)
from tests.factories import ChamberFactory, UserFactory, WorkingGroupFactory, give_role

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"consultations:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def _published(draft: DraftVersion, status=VersionStatus.PUBLISHED) -> DraftVersion:
    draft.status = status
    draft.published_at = timezone.now() - datetime.timedelta(days=10)
    draft.save(update_fields=["status", "published_at"])
    return draft


def _report_published(consultation: Consultation) -> Consultation:
    closed(consultation)
    consultation.report_published_at = timezone.now()
    consultation.save(update_fields=["report_published_at"])
    return consultation


def table_rows(page: str) -> list[list[str]]:
    """Each table row's cells as text (tags dropped, spaces collapsed)."""
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]


def _count(client, path) -> tuple[int, int]:
    """(all queries, the page's own): the second leaves out the shared layout's
    (Wagtail's site and menu pages), as test_views.py counts."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    layout = [q for q in sql if '"wagtail' in q.split(" FROM ", 1)[-1][:40]]
    return len(sql), len(sql) - len(layout)


class History:
    """A standard in three versions of the same clauses (by key): 1.0 superseded,
    2.0 in force, 3.0 in consultation, and a draft 4.0; public and members-only
    rounds with comments, some answered."""

    def __init__(self):
        self.group = WorkingGroupFactory()
        self.secretariat = UserFactory(display_name="Sam Secretariat")
        give_role(self.secretariat, self.group, GroupRole.SECRETARIAT)
        self.member = UserFactory(display_name="Mia Member")
        give_role(self.member, self.group, GroupRole.MEMBER)
        self.miners = ChamberFactory(name="Artisanal miners", slug="artisanal-miners")
        self.standard = standard(self.group, title="ASM Cobalt Framework")
        base = self.clauses_v1 = [
            ("1", "Scope", "Applies to cobalt sites."),
            ("2", "Safety", "Pits are shored."),
        ]
        self.v1 = version(self.standard, "1.0", base, status=VersionStatus.SUPERSEDED)
        _published(self.v1, VersionStatus.SUPERSEDED)
        keys = list(self.v1.clauses.order_by("order").values_list("key", flat=True))
        self.key = keys[1]
        self.v2 = version(
            self.standard,
            "2.0",
            [
                ("1", "Scope", "Applies to cobalt sites."),
                ("2", "Safety", "Pits are shored weekly."),
            ],
            keys=keys,
            based_on=self.v1,
        )
        _published(self.v2)
        self.v3 = version(
            self.standard,
            "3.0",
            [("1", "Scope", "Applies to cobalt sites."), ("2", "Safety", "Pits are inspected.")],
            keys=keys,
            based_on=self.v2,
        )
        self.v4 = version(
            self.standard,
            "4.0-draft",
            [("1", "Scope", "Applies."), ("2", "Safety", "Secret drafting text.")],
            keys=keys,
            status=VersionStatus.DRAFTING,
        )
        safety = {v.label: v.clauses.get(key=self.key) for v in (self.v1, self.v2, self.v3)}
        self.safety = safety
        author = UserFactory(display_name="Jean Public")
        # Round 1 on 1.0: public, answered, report published.
        self.round1 = period(self.v1)
        answered = comment(
            self.round1, author, safety["1.0"], body="Shoring is not enough.", chamber=self.miners
        )
        dispose(
            answered,
            self.secretariat,
            response="Agreed: weekly shoring checks.",
            decision="accepted",
        )
        Disposition.objects.filter(comment=answered).update(resulting_clause=safety["2.0"])
        withdrawn = comment(self.round1, author, safety["1.0"], body="WITHDRAWN-REMARK")
        withdrawn.withdrawn_at = timezone.now()
        withdrawn.save()
        _report_published(self.round1)
        # A members-only round on 1.0.
        self.members_round = period(self.v1, audience=Audience.MEMBERS)
        comment(self.members_round, self.member, safety["1.0"], body="MEMBERS-ONLY-REMARK")
        # Round 1 on 3.0: public, open, a disposition already written but not published.
        self.round3 = period(self.v3)
        early = comment(self.round3, author, safety["3.0"], body="Who inspects?")
        dispose(early, self.secretariat, response="UNPUBLISHED-RESPONSE")


# --- the standard page ------------------------------------------------------------------


def test_standard_page_shows_the_version_in_force_its_history_and_downloads(client):
    h = History()
    page = text(client.get(url("standard", h.standard.slug)))
    # The version in force, clause by clause, each clause linking to its history.
    assert "Version in force: 2.0" in page
    assert "Pits are shored weekly." in page
    assert url("clause_history", h.standard.slug, h.key) in page
    # Every public version with its status and dates; the draft stays private.
    for label in ("1.0", "2.0", "3.0"):
        assert f'<th scope="row">{label}</th>' in page
    assert "4.0-draft" not in page and "Secret drafting text" not in page
    assert "Superseded" in page and "In consultation" in page
    # Periods with their reports; the members-only one stays with members.
    assert url("report", h.round1.pk) in page
    assert url("detail", h.round3.pk) in page
    assert url("detail", h.members_round.pk) not in page
    assert url("balance", h.round1.pk) in page
    # Downloads of adopted versions only.
    for label in ("1.0", "2.0"):
        assert url("version_pdf", h.standard.slug, label) in page
        assert url("version_md", h.standard.slug, label) in page
    assert url("version_pdf", h.standard.slug, "3.0") not in page
    # The redline chooser, set to the last two versions.
    assert f'action="{url("redline", h.standard.slug)}"' in page
    assert '<option value="2.0" selected>' in page and '<option value="3.0" selected>' in page
    assert "<caption>" in page and 'scope="col"' in page


def test_members_see_drafts_on_the_standard_page(client):
    h = History()
    client.force_login(h.member)
    page = text(client.get(url("standard", h.standard.slug)))
    assert "4.0-draft" in page
    assert url("detail", h.members_round.pk) in page
    assert url("version_pdf", h.standard.slug, "4.0-draft") not in page


def test_standard_page_without_a_version_in_force(client):
    scene = Scene()
    page = text(client.get(url("standard", scene.standard.slug)))
    assert "No version of this standard has been published yet." in page
    assert url("detail", scene.consultation.pk) in page
    assert client.get(url("standard", "no-such-standard")).status_code == 404


def test_a_superseded_version_is_not_said_unpublished(client):
    """1.0 gave way to a newer draft and none is in force: the page says so and offers
    1.0's downloads, instead of claiming nothing was ever published."""
    std, old = _french_version(status=VersionStatus.SUPERSEDED)
    DraftVersion.objects.create(standard=std, label="2.0", status=VersionStatus.CONSULTATION)
    page = text(client.get(url("standard", std.slug)))
    assert "No version of this standard has been published yet." not in page
    assert "No version of this standard is in force now: version 1.0 has been superseded" in page
    current = page[page.index('id="current-heading"') : page.index('id="versions-heading"')]
    for name in ("version_pdf", "version_md"):
        link = url(name, std.slug, "1.0")
        assert link in current
        assert client.get(link).status_code == 200


def test_standard_page_queries_do_not_grow_with_versions_and_clauses(client):
    """The standard page takes the same queries for 3 versions of 10 clauses and for
    12 versions of 100 clauses. Its own 4: the standard with its group, the versions
    with their clause counts, their periods (prefetch), the clauses in force."""
    std = standard()
    many = [(str(i), f"Heading {i}", f"Body {i}.") for i in range(100)]

    def add(n, clauses):
        for _ in range(n):
            draft = version(std, f"v{DraftVersion.objects.count() + 1}", clauses)
            period(draft)
            _published(draft, VersionStatus.SUPERSEDED)

    add(2, many[:10])
    current = _published(version(std, "current", many[:10]))
    path = url("standard", std.slug)
    client.get(path)
    few = _count(client, path)
    add(9, many)
    Clause.objects.bulk_create(
        Clause(version=current, number=f"x{i}", heading=f"Extra {i}", order=100 + i)
        for i in range(90)
    )
    assert _count(client, path) == few
    assert few[1] == 4, few


# --- a clause's history -----------------------------------------------------------------


def test_clause_history_follows_the_key_with_comments_and_responses(client):
    h = History()
    response = client.get(url("clause_history", h.standard.slug, h.key))
    page = text(response)
    assert response.status_code == 200
    # Its text in each public version, in order, with what changed.
    assert page.index("Version 1.0") < page.index("Version 2.0") < page.index("Version 3.0")
    assert "Pits are shored." in page and "Pits are inspected." in page
    assert "<ins> weekly</ins>" in page
    assert "The clause first appears in this version." in page
    # The drafts are not public.
    assert "4.0-draft" not in page and "Secret drafting text" not in page
    # Round 1: the comment and the published response, leading to 2.0's clause.
    assert "Shoring is not enough." in page
    assert "Agreed: weekly shoring checks." in page
    assert "Led to clause 2 of version 2.0" in page
    assert f"from=1.0&amp;to=2.0#clause-{h.key}" in page
    assert "(Artisanal miners)" in page
    # Never withdrawn comments, members-only rounds, or unpublished responses.
    assert "WITHDRAWN-REMARK" not in page
    assert "MEMBERS-ONLY-REMARK" not in page
    assert "Who inspects?" in page
    assert "UNPUBLISHED-RESPONSE" not in page
    assert "once the report of this period is published" in page
    assert "@" not in page.split("<main", 1)[1]


def test_members_only_rounds_stay_out_of_clause_history_even_for_members(client):
    h = History()
    client.force_login(h.member)
    page = text(client.get(url("clause_history", h.standard.slug, h.key)))
    assert "MEMBERS-ONLY-REMARK" not in page
    assert "Version 4.0-draft" in page  # members follow the drafts


def test_clause_history_404s(client):
    h = History()
    assert client.get(url("clause_history", h.standard.slug, "nosuchkey")).status_code == 404
    only_in_draft = Clause.objects.create(
        version=h.v4, number="3", heading="Draft-only", body="x", order=9
    )
    path = url("clause_history", h.standard.slug, only_in_draft.key)
    assert client.get(path).status_code == 404
    client.force_login(h.member)
    assert client.get(path).status_code == 200
    assert client.get(url("clause_history", "no-such-standard", h.key)).status_code == 404


def test_clause_history_queries_do_not_grow_with_comments_and_versions(client):
    """Same queries for 8 comments over 3 public versions and 98 over 6. The page's
    own 6: the standard, the versions with counts and their periods (2), the clause
    in each version, its comments with authors and chambers, the published
    dispositions with their resulting clauses."""
    h = History()
    author = UserFactory()
    chambers = [h.miners, ChamberFactory(name="Refiners"), None]

    def comments(consultation, clause, n):
        rows = Comment.objects.bulk_create(
            Comment(
                consultation=consultation,
                clause=clause,
                author=author,
                chamber=chambers[i % 3],
                comment_type="te",
                body=f"Remark {i}",
            )
            for i in range(n)
        )
        Disposition.objects.bulk_create(
            Disposition(comment=row, decision="noted", response="Noted.", decided_by=author)
            for row in rows[::2]
        )

    comments(h.round1, h.safety["1.0"], 8)
    path = url("clause_history", h.standard.slug, h.key)
    client.get(path)
    few = _count(client, path)
    previous = h.v3
    for n in range(3):
        later = version(
            h.standard,
            f"5.{n}",
            [("1", "Scope", "x"), ("2", "Safety", f"Text {n}")],
            keys=list(previous.clauses.order_by("order").values_list("key", flat=True)),
        )
        round_ = _report_published(period(later))
        comments(round_, later.clauses.get(key=h.key), 30)
        previous = later
    page = text(client.get(path))
    assert "Remark 29" in page and "Version 5.2" in page
    assert _count(client, path) == few
    assert few[1] == 6, few


# --- downloads --------------------------------------------------------------------------

FRENCH = [
    ("1", "Portée et définitions", "Ce référentiel s'applique aux sites miniers artisanaux."),
    ("1.1", "Définitions", "« Creuseur » : toute personne qui extrait le minerai."),
    ("2", "Sécurité des puits", "Les puits sont étayés. Aucun enfant ne travaille sur le site."),
    ("3", "Ufuatiliaji wa madini", "Kila mfuko unawekwa alama shimoni; ng'ombe hawaruhusiwi."),
]


def _french_version(status=VersionStatus.PUBLISHED, clauses=FRENCH, label="1.0"):
    std = standard(summary="Un cadre commun.")
    std.title = f"Référentiel ASM cobalt — équité {std.pk}"
    std.save(update_fields=["title"])
    draft = version(std, label, clauses, status=status)
    Clause.objects.filter(version=draft, number="1.1").update(level=2)
    if status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        _published(draft, status)
    return std, draft


def test_markdown_download_has_every_clause_heading_by_level(client):
    std, draft = _french_version()
    response = client.get(url("version_md", std.slug, "1.0"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert f'filename="{std.slug}-1.0.md"' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith(f"# Référentiel ASM cobalt — équité {std.pk}\n")
    assert "Version 1.0 · Published · adopted on" in body
    assert "\n## 1 Portée et définitions\n" in body
    assert "\n### 1.1 Définitions\n" in body
    assert "\n## 2 Sécurité des puits\n" in body
    assert "\n## 3 Ufuatiliaji wa madini\n" in body
    assert "Kila mfuko unawekwa alama shimoni; ng'ombe hawaruhusiwi." in body
    headings = [line for line in body.splitlines() if line.startswith("##")]
    assert len(headings) == len(FRENCH)


def test_markdown_escapes_text_that_would_read_as_structure():
    doc = standard_downloads.VersionDocument(
        title="T",
        label="1",
        status="Published",
        published="",
        group="G",
        summary="",
        clauses=(
            standard_downloads.DocumentClause("1", "Heading *bold*", "# not a heading\n- item", 1),
        ),
    )
    body = standard_downloads.render_markdown(doc)
    assert "## 1 Heading \\*bold\\*" in body
    assert "\\# not a heading\n\\- item" in body


# A minimal reader of the PDFs fpdf2 writes: page objects, their content streams
# (Flate-compressed), and each font's ToUnicode map to turn the glyph codes of an
# embedded TrueType subset back into text.


def _pdf_objects(data: bytes) -> dict[int, bytes]:
    return {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)}


def _pdf_stream(body: bytes) -> bytes:
    match = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
    if not match:
        return b""
    raw = match[1]
    return zlib.decompress(raw) if b"/FlateDecode" in body[: match.start()] else raw


def _pdf_unescape(s: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] != 0x5C:
            out.append(s[i])
            i += 1
            continue
        nxt = s[i + 1]
        if nxt in b"01234567":
            j = i + 1
            while j < min(i + 4, len(s)) and s[j] in b"01234567":
                j += 1
            out.append(int(s[i + 1 : j], 8) & 0xFF)
            i = j
            continue
        out.append(
            {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}.get(nxt, nxt)
        )
        i += 2
    return bytes(out)


def pdf_pages(data: bytes) -> list[str]:
    objects = _pdf_objects(data)
    cmaps = {}
    for number, body in objects.items():
        ref = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if ref:
            pairs = re.findall(
                rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", _pdf_stream(objects[int(ref[1])])
            )
            cmaps[number] = {
                int(src, 16): bytes.fromhex(dst.decode()).decode("utf-16-be") for src, dst in pairs
            }
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b", body):
            continue
        resources = objects[int(re.search(rb"/Resources (\d+) 0 R", body)[1])]
        fonts = {name: int(ref) for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", resources)}
        content = _pdf_stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body)[1])])
        font, lines = None, []
        for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            if m[1]:
                font = fonts[m[1]]
                continue
            raw, cmap = _pdf_unescape(m[2]), cmaps.get(font)
            if cmap is None:  # a core font: WinAnsi bytes
                lines.append(raw.decode("cp1252"))
            else:
                codes = (int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
                lines.append("".join(cmap.get(code, "?") for code in codes))
        pages.append("\n".join(lines))
    return pages


def test_pdf_download_has_title_clauses_accents_and_page_numbers(client):
    std, draft = _french_version()
    response = client.get(url("version_pdf", std.slug, "1.0"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-") and len(data) > 5_000
    assert standard_downloads.unicode_font_files() is not None  # DejaVu is installed here
    pages = pdf_pages(data)
    assert len(pages) == 1
    words = pages[0]
    assert f"Référentiel ASM cobalt — équité {std.pk}" in words
    for number, heading, _body in FRENCH:
        assert f"{number}  {heading}" in words
    assert "« Creuseur » : toute personne qui extrait le minerai." in words
    assert "ng'ombe" in words
    assert re.search(r"Page 1 of\s*1$", words)


def test_a_long_pdf_numbers_every_page(client):
    body = "Les creuseurs déclarent chaque sac au comptoir. " * 40
    clauses = [(str(i), f"Clause numéro {i}", body) for i in range(1, 31)]
    std, draft = _french_version(clauses=clauses)
    pages = pdf_pages(client.get(url("version_pdf", std.slug, "1.0")).content)
    assert len(pages) > 3
    for index, page in enumerate(pages, start=1):
        assert f"Page {index} of" in page
        assert page.rstrip().endswith(str(len(pages)))
    everything = "\n".join(pages)
    for number, heading, _ in clauses:
        assert f"{number}  {heading}" in everything


def test_pdf_without_a_unicode_font_folds_the_text_to_latin1(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    standard_downloads.unicode_font_files.cache_clear()
    try:
        doc = standard_downloads.VersionDocument(
            title="Cœur du référentiel — équité",
            label="1.0",
            status="Published",
            published="",
            group="Groupe",
            summary="",
            clauses=(standard_downloads.DocumentClause("1", "Sécurité ŵ", "Œuvre “ici”.", 1),),
        )
        pages = pdf_pages(standard_downloads.render_pdf(doc))
    finally:
        standard_downloads.unicode_font_files.cache_clear()
    assert "Coeur du référentiel - équité" in pages[0]
    assert "1  Sécurité w" in pages[0]
    assert 'OEuvre "ici".' in pages[0]


def test_superseded_versions_download_and_others_do_not(client):
    std, draft = _french_version(status=VersionStatus.SUPERSEDED)
    assert client.get(url("version_md", std.slug, "1.0")).status_code == 200
    assert client.get(url("version_pdf", std.slug, "1.0")).status_code == 200
    for status in (VersionStatus.DRAFTING, VersionStatus.CONSULTATION):
        other, _ = _french_version(status=status)
        assert client.get(url("version_md", other.slug, "1.0")).status_code == 404
        assert client.get(url("version_pdf", other.slug, "1.0")).status_code == 404
    assert client.get(url("version_md", std.slug, "9.9")).status_code == 404
    assert client.get(url("version_pdf", "no-such-standard", "1.0")).status_code == 404


# --- balance of interests of a comment period -------------------------------------------


def _balance_scene():
    scene = Scene()  # its chamber is "Artisanal miners"
    refiners = ChamberFactory(name="Refiners", sort_order=2)
    ChamberFactory(name="Governments", sort_order=3)  # says nothing
    miner_a, miner_b, refiner = UserFactory(), UserFactory(), UserFactory()
    for author in (miner_a, miner_a, miner_b):
        comment(scene.consultation, author, scene.clauses[0], chamber=scene.chamber)
    gone = comment(scene.consultation, miner_b, chamber=scene.chamber)
    gone.withdrawn_at = timezone.now()
    gone.save()
    comment(scene.consultation, refiner, chamber=refiners)
    comment(scene.consultation, refiner)  # no chamber known
    # Two people named in one imported spreadsheet: one author (the importer).
    for name in ("Imported One", "Imported Two"):
        comment(
            scene.consultation,
            scene.secretariat,
            chamber=refiners,
            source="import",
            commenter_name=name,
        )
    return scene


def test_consultation_balance_counts_comments_and_commenters_by_chamber(client):
    scene = _balance_scene()
    response = client.get(url("balance", scene.consultation.pk))
    page = text(response)
    assert response.status_code == 200
    rows = {cells[0]: cells[1] for cells in table_rows(page)}
    assert rows == {
        "Chamber": "Comments",
        "Artisanal miners artisanal miners": "3",
        "Refiners": "3",
        "Governments": "0",
        "Chamber not known": "1",
        "All chambers": "7",
    }
    assert "Artisanal miners: 3 of 7 comments (commenters: 2 of 5)." in page
    assert 'class="artisanal-miners"' in page
    assert "<caption>" in page


def test_balance_of_a_members_only_period_stays_with_members(client):
    scene = Scene(audience=Audience.MEMBERS)
    path = url("balance", scene.consultation.pk)
    assert client.get(path).status_code == 404
    client.force_login(scene.member)
    assert client.get(path).status_code == 200
    assert client.get(url("balance", 999_999)).status_code == 404


def test_consultation_balance_queries_do_not_grow(client):
    """Same queries for 10 comments and for 100, from 10 chambers. The page's own 4:
    the period with its version, standard and group, the counts by chamber, the
    totals, the chambers."""
    scene = Scene()
    chambers = [ChamberFactory(name=f"Chamber {i}") for i in range(10)]

    def add(n):
        Comment.objects.bulk_create(
            Comment(
                consultation=scene.consultation,
                author=UserFactory(),
                chamber=chambers[i % 10] if i % 7 else None,
                comment_type="te",
                body="x",
            )
            for i in range(n)
        )

    add(10)
    path = url("balance", scene.consultation.pk)
    client.get(path)
    few = _count(client, path)
    add(90)
    assert _count(client, path) == few
    assert few[1] == 4, few
    assert "All chambers" in text(client.get(path))
