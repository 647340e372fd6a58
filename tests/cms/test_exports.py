"""CSV and XLSX exports of the decision register and of a closed ballot's results."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cms import exports
from governance.models import Decision
from tests.cms.test_api import build_world


@pytest.fixture
def world(db):
    return build_world()


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheets(response) -> dict[str, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def test_decision_register_as_csv(client, world):
    response = client.get("/exports/decisions.csv")
    assert 'filename="chaintable-decisions.csv"' in response["Content-Disposition"]
    assert "max-age=300" in response["Cache-Control"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["Decision", "Decided (UTC)", "Working group", "Title"]
    (row,) = rows
    line = dict(zip(header, row, strict=True))
    assert line["Title"] == "Adopt the 2027 work plan" and line["Outcome"] == "Adopted"
    assert line["Working group"] == "Steering Committee"
    assert line["Totals"] == "For: 4; Against: 1; Abstain: 1"
    assert line["Seats voting"] == "6" and line["Link"] == f"/ballots/{world.work_plan.pk}/"
    assert line["Explanation"].startswith("Adopted.")


def test_decision_register_as_xlsx(client, world):
    sheets = xlsx_sheets(client.get("/exports/decisions.xlsx"))
    (rows,) = sheets.values()
    assert rows[0][0] == "Decision" and rows[1][3] == "Adopt the 2027 work plan"
    assert rows[1][8] == 6  # counts stay numbers


def test_register_filters(client, world):
    Decision.objects.create(
        working_group=world.framework,
        kind=Decision.Kind.CONSENSUS,
        title="Adopt the glossary",
        motion="The group adopts the glossary.",
        outcome="rejected",
        certified_by=world.chair,
    )
    year = timezone.now().year

    def titles(query: str) -> list[str]:
        return [row[3] for row in csv_rows(client.get(f"/exports/decisions.csv{query}"))[1:]]

    assert len(titles("")) == 2
    assert titles("?group=asm-cobalt-framework") == ["Adopt the glossary"]
    assert titles("?outcome=adopted") == ["Adopt the 2027 work plan"]
    assert len(titles(f"?year={year}")) == 2
    assert titles(f"?year={year - 1}") == []
    assert len(titles("?year=nonsense")) == 2  # an unreadable year filters nothing


def test_every_text_cell_is_neutralised(client, world):
    Decision.objects.filter(pk=world.decision.pk).update(
        title='=HYPERLINK("http://evil.example","click")', motion="+1 buy", objections="@SUM(A1)"
    )
    header, row = csv_rows(client.get("/exports/decisions.csv"))
    line = dict(zip(header, row, strict=True))
    assert line["Title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert line["Motion"] == "'+1 buy" and line["Objections noted"] == "'@SUM(A1)"
    (rows,) = xlsx_sheets(client.get("/exports/decisions.xlsx")).values()
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","click")'


def test_cells_are_safe():
    assert exports.cell("=1+1") == "'=1+1"
    assert exports.cell("-2") == "'-2"
    assert exports.cell("plain\x00text") == "plaintext"
    assert exports.cell(3) == 3 and exports.cell(None) == ""


def test_roll_call_ballot_results_as_csv(client, world):
    rows = csv_rows(client.get(f"/exports/ballots/{world.work_plan.pk}.csv"))
    assert ["Title", "Adopt the 2027 work plan"] in rows
    header = rows.index(
        ["Chamber", "Eligible", "Voted", "For", "Against", "Abstain", "Support (%)"]
    )
    assert rows[header + 1][:6] == ["Industry", "2", "2", "1", "1", "0"]
    assert ["Total", "6", "6", "4", "1", "1", ""] in rows
    bulletin = rows.index(["Seat", "Holder", "Choice", "Reason", "Receipt", "Cast by", "Channel"])
    assert rows[bulletin + 1][:3] == ["Industry 1", "Aline Kazadi", "For"]
    assert rows[bulletin + 1][5:] == ["Holder", "Web"]
    assert rows[bulletin + 2][3] == "The budget is too thin."


def test_secret_ballot_results_as_xlsx(client, world):
    sheets = xlsx_sheets(client.get(f"/exports/ballots/{world.secret.pk}.xlsx"))
    assert list(sheets) == ["Ballot", "Result by chamber", "Receipts", "Choices"]
    chambers = {row[0]: row for row in sheets["Result by chamber"][1:]}
    assert chambers["Industry"][3:6] == [3, 1, 0]
    assert chambers["Artisanal miners"][3:] == ["withheld"] * 4
    assert chambers["Civil society"][3:] == ["withheld"] * 4
    # Two tables that nothing joins: a receipt proves a vote was counted, not what it was.
    header, *receipts = sheets["Receipts"]
    assert header == ["Receipt"] and len(receipts) == 8 and all(len(r) == 1 for r in receipts)
    assert [r[0] for r in receipts] == sorted(r[0] for r in receipts)
    header, *choices = sheets["Choices"]
    assert header == ["Choice"] and len(choices) == 8 and all(len(r) == 1 for r in choices)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_open_draft_and_unknown_ballots_are_not_exported(client, world, fmt):
    for ballot_id in (world.open_ballot.pk, world.open_roll_call.pk, world.draft.pk, 999999):
        assert client.get(f"/exports/ballots/{ballot_id}.{fmt}").status_code == 404
