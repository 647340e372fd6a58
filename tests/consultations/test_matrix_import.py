# ruff: noqa: F811 (pytest fixtures imported from test_services)
"""The comment-resolution matrix comes back: CSV as well as XLSX, one size limit, and
the secretariat's observations ("Accepted: …") become dispositions, with the same
row-by-row report as the comments themselves."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from consultations import resolution_matrix, selectors
from consultations.models import Disposition, DispositionDecision
from governance.models import AuditEvent
from tests.consultations.test_services import (  # noqa: F401 (fixtures)
    clerk,
    closed_period,
    comment,
    open_period,
    rows_for,
    std,
    v1,
)

pytestmark = pytest.mark.django_db


def _url(period) -> str:
    return f"/consultations/{period.pk}/import/"


def _matrix(period, observations: list[str]) -> list[list[str]]:
    """The period's matrix as exported, its observations filled in by the secretariat."""
    cells = list(
        csv.reader(
            io.StringIO(
                resolution_matrix.export_csv(selectors.matrix_rows(period)).decode("utf-8-sig")
            )
        )
    )
    for row, text in zip(cells[1:], observations, strict=False):
        row[-1] = text
    return cells


def _csv(cells, name="matrix.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(cells)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def _xlsx(cells, name="matrix.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    for row in cells:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_a_csv_template_imports_comments_like_an_xlsx(client, clerk, open_period):  # noqa: F811
    cells = [[str(h) for _key, h in resolution_matrix.COLUMNS]]
    for row in rows_for(open_period.version):
        cells.append(
            [
                f"{row.commenter} / {row.organisation}",
                row.clause,
                row.paragraph,
                row.type_code,
                row.comment,
                row.proposed_change,
                "",
            ]
        )
    client.force_login(clerk)
    response = client.post(_url(open_period), {"file": _csv(cells)})
    assert response.status_code == 302
    assert open_period.comments.count() == 2


@pytest.mark.parametrize("make", [_csv, _xlsx])
def test_observations_come_back_as_dispositions(client, clerk, closed_period, make):  # noqa: F811
    first = comment(closed_period, body="Say who checks the records.")
    second = comment(closed_period, body="Name the pits.", comment_type="ed")
    cells = _matrix(
        closed_period,
        ["Accepted: clause 4 now names the inspector.", ""],  # the second is not done yet
    )
    client.force_login(clerk)
    response = client.post(_url(closed_period), {"file": make(cells)}, follow=True)
    assert "1 disposition brought back from the observations column." in response.text
    disposition = Disposition.objects.get(comment=first)
    assert (disposition.decision, disposition.response, disposition.decided_by) == (
        "accepted",
        "clause 4 now names the inspector.",
        clerk,
    )
    assert not Disposition.objects.filter(comment=second).exists()
    assert closed_period.comments.count() == 2  # nothing doubled
    assert AuditEvent.objects.filter(action="comment.disposed").count() == 1
    # Sent back again, unchanged: nothing new; changed: the disposition changes.
    client.post(_url(closed_period), {"file": make(cells)})
    disposing = ("comment.disposed", "comment.disposition_changed")
    assert AuditEvent.objects.filter(action__in=disposing).count() == 1
    cells = _matrix(closed_period, ["", "Noted: an editorial matter for the editors."])
    cells[1][-1] = "Accepted: clause 4 now names the inspector."
    # The observations in French, as a French reader's export writes them.
    with translation.override("fr"):
        in_part = str(DispositionDecision.ACCEPTED_IN_PART.label)
    cells[2][-1] = f"{in_part} : voir l'article 2."
    client.post(_url(closed_period), {"file": make(cells)})
    assert Disposition.objects.get(comment=second).decision == "accepted_in_part"
    assert Disposition.objects.get(comment=second).response == "voir l'article 2."
    assert AuditEvent.objects.filter(action__in=disposing).count() == 2


def test_bad_observations_are_reported_row_by_row_and_change_nothing(
    client,
    clerk,
    closed_period,  # noqa: F811
):
    comment(closed_period, body="Say who checks the records.")
    comment(closed_period, body="Name the pits.")
    cells = _matrix(closed_period, ["Maybe later", "Accepted:"])
    client.force_login(clerk)
    response = client.post(_url(closed_period), {"file": _csv(cells)})
    assert response.status_code == 200
    page = response.text
    assert "Row 2, Observations of the secretariat: The observations must start" in page
    assert "Row 3, Observations of the secretariat: Write the group" in page
    assert not Disposition.objects.exists()


def test_one_size_limit_for_both_formats(client, clerk, open_period):  # noqa: F811
    big = b"x" * (resolution_matrix.MAX_FILE_BYTES + 1)
    client.force_login(clerk)
    for name in ("big.csv", "big.xlsx"):
        response = client.post(_url(open_period), {"file": SimpleUploadedFile(name, big)})
        assert "the limit is 5 MB" in response.text, name
    response = client.post(_url(open_period), {"file": SimpleUploadedFile("notes.txt", b"hello")})
    assert "Upload an Excel workbook (.xlsx) or a CSV file (.csv)." in response.text
    assert open_period.comments.count() == 0
