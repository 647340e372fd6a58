"""The bulletin of a closed ballot, as a page and as CSV: governance.bulletin's
published rows under the page's and the CSV's column names."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ... import bulletin
from ...models import Ballot, CastAs
from ...spreadsheets import neutralise_formula
from ._base import FINISHED, ballot_or_404


def bulletin_rows(ballot: Ballot) -> list[dict]:
    """The published bulletin (governance.bulletin.public_rows) under the page's and the
    CSV's column names. Secret: receipt and choice, sorted by code. Roll-call: in roll order."""
    found = bulletin.public_rows(ballot)
    if ballot.is_secret:
        return [
            {"receipt": row.receipt_code, "key": row.option_key, "choice": _(row.option_label)}
            for row in found
        ]
    return [
        {
            "seat": row.seat_label,
            "chamber": row.chamber,
            "weight": row.weight,
            "holder": row.holder,
            "cast_as": str(CastAs(row.cast_as).label),
            "key": row.option_key,
            "choice": _(row.option_label),
            "receipt": row.receipt_code,
        }
        for row in found
    ]


def _finished_ballot_or_404(request, pk: int) -> Ballot:
    ballot = ballot_or_404(request, pk)
    if ballot.status not in FINISHED:
        raise Http404
    return ballot


def bulletin_page(request, pk: int):
    ballot = _finished_ballot_or_404(request, pk)
    return render(
        request,
        "governance/ballots/bulletin.html",
        {"ballot": ballot, "rows": bulletin_rows(ballot)},
    )


def bulletin_csv(request, pk: int):
    ballot = _finished_ballot_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-bulletin.csv"'
    writer = csv.writer(response)
    if ballot.is_secret:
        columns = ["receipt", "key", "choice"]
    else:
        columns = ["seat", "chamber", "weight", "holder", "cast_as", "key", "choice", "receipt"]
    writer.writerow(columns)
    for row in bulletin_rows(ballot):
        writer.writerow([neutralise_formula(row[column]) for column in columns])
    return response
