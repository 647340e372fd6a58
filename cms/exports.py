"""Spreadsheet exports of the public record, as CSV and XLSX.

- /exports/decisions.csv|.xlsx: the decision register, filtered by `group` (slug),
  `year` and `outcome`;
- /exports/ballots/<id>.csv|.xlsx: a closed ballot's result by chamber and its
  bulletin (a draft, open or cancelled ballot is a 404, like in the API); for a secret
  ballot, its receipts and its choices as two tables that nothing joins.

Every text cell goes through `governance.spreadsheets.neutralise_formula`: a title such as
"=HYPERLINK(…)" opens as text, never as a formula. Counts stay numbers.
"""

import csv
import datetime
import io
import re

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from governance.models import CastAs, CastChannel
from governance.spreadsheets import neutralise_formula
from governance.tally import outcome_label

from .api import results

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DECISIONS = 10_000
# Control characters that XLSX cannot hold; dropped from both formats alike.
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | None
Sheet = tuple[str, list[list[Cell]]]  # (title, rows, header first)


def cell(value) -> Cell:
    """A safe cell: numbers as they are, everything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return value
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    text = _ILLEGAL_RE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return neutralise_formula(text)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")


# --- Building the tables ---------------------------------------------------------------


def decision_rows(queryset) -> list[list[Cell]]:
    header = [
        _("Decision"),
        _("Decided (UTC)"),
        _("Working group"),
        _("Title"),
        _("Motion"),
        _("Kind"),
        _("Outcome"),
        _("Explanation"),
        _("Seats voting"),
        _("Eligible seats"),
        _("Totals"),
        _("Objections noted"),
        _("Ballot"),
        _("Link"),
    ]
    rows: list[list[Cell]] = [header]
    for decision in results.with_paths(queryset):
        ballot = decision.ballot if decision.ballot_id else None
        summary = results.result_summary(decision.tally, ballot, results.option_labels(ballot))
        totals = "; ".join(f"{t['label']}: {t['count']}" for t in summary["totals"])
        rows.append(
            [
                decision.pk,
                _utc(decision.decided_at),
                decision.working_group.name,
                decision.title,
                decision.motion,
                decision.get_kind_display(),
                outcome_label(decision.outcome),
                results.explanation(decision.explanations),
                summary["cast"] if decision.tally else None,
                summary["eligible"] if decision.tally else None,
                totals,
                "" if ballot is not None and ballot.is_secret else decision.objections,
                decision.ballot_id,
                decision.path,
            ]
        )
    return rows


def ballot_sheets(ballot) -> list[Sheet]:
    """The ballot, its result by chamber, its bulletin (secret: receipts, then choices)."""
    labels = results.option_labels(ballot)
    summary = results.result_summary(ballot.result, ballot, labels)
    about = [
        [_("Ballot"), ballot.pk],
        [_("Title"), ballot.title],
        [_("Motion"), ballot.motion],
        [_("Working group"), ballot.working_group.name],
        [_("Secrecy"), ballot.get_secrecy_display()],
        [_("Opened (UTC)"), _utc(ballot.opens_at)],
        [_("Closed (UTC)"), _utc(ballot.closed_at or ballot.closes_at)],
        [_("Outcome"), outcome_label(summary["outcome"])],
        [_("Explanation"), results.explanation(ballot.explanations)],
        [_("Seats voting"), summary["cast"]],
        [_("Eligible seats"), summary["eligible"]],
    ]
    keys = list(labels) or [t["key"] for t in summary["totals"]]
    chambers: list[list[Cell]] = [
        [
            _("Chamber"),
            _("Eligible"),
            _("Voted"),
            *[labels.get(key, key) for key in keys],
            _("Support (%)"),
        ]
    ]
    for row in summary["chambers"]:
        counts = row["counts"]
        chambers.append(
            [
                row["chamber"],
                row["eligible"],
                row["cast"],
                *[
                    (counts or {}).get(key, 0) if counts is not None else _("withheld")
                    for key in keys
                ],
                row["support_percent"] if not row["withheld"] else _("withheld"),
            ]
        )
    totals = {t["key"]: t["count"] for t in summary["totals"]}
    chambers.append(
        [_("Total"), summary["eligible"], summary["cast"], *[totals.get(k, 0) for k in keys], None]
    )
    found = results.ballot_bulletin(ballot)
    sheets = [(_("Ballot"), about), (_("Result by chamber"), chambers)]
    if ballot.is_secret:
        # Two lists that nothing joins: a receipt proves a vote was counted, not what it was.
        sheets.append(
            (_("Receipts"), [[_("Receipt")], *[[r["receipt_code"]] for r in found["receipts"]]])
        )
        sheets.append(
            (_("Choices"), [[_("Choice")], *[[c["choice_label"]] for c in found["choices"]]])
        )
    else:
        bulletin = [
            [
                _("Seat"),
                _("Holder"),
                _("Choice"),
                _("Reason"),
                _("Receipt"),
                _("Cast by"),
                _("Channel"),
            ]
        ]
        bulletin += [
            [
                row["seat"],
                row["holder"],
                row["choice_label"],
                row["reason"],
                row["receipt_code"],
                str(CastAs(row["cast_as"]).label),
                str(CastChannel(row["channel"]).label),
            ]
            for row in found["votes"]
        ]
        sheets.append((_("Bulletin"), bulletin))
    return sheets


# --- Writing them ----------------------------------------------------------------------


def to_csv(sheets: list[Sheet]) -> bytes:
    """One CSV, the tables one after the other with a blank line between. UTF-8 with a
    byte-order mark, which Excel needs to read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    for number, (_title, rows) in enumerate(sheets):
        if number:
            writer.writerow([])
        writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: list[Sheet]) -> bytes:
    """One worksheet per table, header bold and frozen; no cell is ever a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, rows in sheets:
        sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet")
        for line, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                value = cell(value)
                target = sheet.cell(row=line, column=column, value=value if value != "" else None)
                if isinstance(value, str):
                    target.data_type = "s"  # text, whatever it starts with
                    target.alignment = wrap
                if line == 1:
                    target.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _write(sheets: list[Sheet], fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        return _download(to_csv(sheets), CSV_TYPE, f"{name}.csv")
    return _download(to_xlsx(sheets), XLSX_TYPE, f"{name}.xlsx")


# --- Views -----------------------------------------------------------------------------


def decisions_export(request, fmt: str):
    """The register, filtered like the API: ?group=<slug>&year=2026&outcome=adopted."""
    year = request.GET.get("year", "")
    queryset = results.filter_decisions(
        results.decisions(),
        group=request.GET.get("group", ""),
        year=int(year) if year.isdigit() else None,
        outcome=request.GET.get("outcome", ""),
    )
    rows = decision_rows(queryset[:MAX_DECISIONS])
    return _write([(_("Decisions"), rows)], fmt, "chaintable-decisions")


def ballot_export(request, pk: int, fmt: str):
    ballot = get_object_or_404(results.finished_ballots(), pk=pk)
    if not ballot.result:
        raise Http404
    return _write(ballot_sheets(ballot), fmt, f"chaintable-ballot-{ballot.pk}")
