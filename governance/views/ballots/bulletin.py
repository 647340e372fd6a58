"""The bulletin of a closed ballot, as a page and as CSV: governance.bulletin's
published rows under the page's and the CSV's column names.

Roll-call: one row per seat that voted (seat, chamber, weight, holder, in which
capacity and through which channel, choice, receipt). Secret: two lists that nothing
joins — the receipt codes, sorted, and the choices, sorted, with their counts."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ... import bulletin
from ...models import Ballot, CastAs, CastChannel
from ...spreadsheets import neutralise_formula
from ._base import FINISHED, ballot_or_404

ROLL_CALL_COLUMNS = [
    "seat",
    "chamber",
    "weight",
    "holder",
    "cast_as",
    "channel",
    "key",
    "choice",
    "receipt",
]
SECRET_CHOICE_COLUMNS = ["key", "choice"]


def bulletin_rows(ballot: Ballot) -> list[dict]:
    """The published bulletin's rows (governance.bulletin.public_rows) under the page's
    and the CSV's column names. Roll-call: the votes in roll order. Secret: the
    choices, sorted, without receipts (see `bulletin.receipts`)."""
    found = bulletin.public_rows(ballot)
    if ballot.is_secret:
        order = {option.key: n for n, option in enumerate(ballot.options.all())}
        found = sorted(found, key=lambda row: order.get(row.option_key, len(order)))
    if ballot.is_secret:
        # The choice only: a chamber on a row could single out its few voters (the
        # result's chamber table gives the counts it may, withheld below min_cell).
        return [{"key": row.option_key, "choice": _(row.option_label)} for row in found]
    return [
        {
            "seat": row.seat_label,
            "chamber": row.chamber,
            "weight": row.weight,
            "holder": row.holder,
            "cast_as": str(CastAs(row.cast_as).label),
            "channel": str(CastChannel(row.channel).label) if row.channel else "",
            "printed": row.channel == CastChannel.PRINTED,
            "key": row.option_key,
            "choice": _(row.option_label),
            "receipt": row.receipt_code,
        }
        for row in found
    ]


def choice_counts(ballot: Ballot, rows: list[dict]) -> list[tuple[str, int]]:
    """(choice, how many) in the ballot's order of choices: the recount of the list."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["key"]] = counts.get(row["key"], 0) + 1
    return [(_(option.label), counts.get(option.key, 0)) for option in ballot.options.all()]


def channel_summary(ballot: Ballot) -> list[tuple[str, int]]:
    counts = bulletin.channel_counts(ballot)
    return [(str(label), counts[value]) for value, label in CastChannel.choices if value in counts]


def _finished_ballot_or_404(request, pk: int) -> Ballot:
    ballot = ballot_or_404(request, pk)
    if ballot.status not in FINISHED:
        raise Http404
    return ballot


def bulletin_page(request, pk: int):
    ballot = _finished_ballot_or_404(request, pk)
    rows = bulletin_rows(ballot)
    context = {"ballot": ballot, "rows": rows, "channels": channel_summary(ballot)}
    if ballot.is_secret:
        context["receipts"] = bulletin.receipts(ballot)
        context["counts"] = choice_counts(ballot, rows)
    return render(request, "governance/ballots/bulletin.html", context)


def bulletin_csv(request, pk: int):
    """Roll-call: one table. Secret: the receipts, a blank line, then the choices."""
    ballot = _finished_ballot_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-bulletin.csv"'
    writer = csv.writer(response)
    rows = bulletin_rows(ballot)
    if ballot.is_secret:
        writer.writerow(["receipt"])
        writer.writerows([[code] for code in bulletin.receipts(ballot)])
        writer.writerow([])
        columns = SECRET_CHOICE_COLUMNS
    else:
        columns = ROLL_CALL_COLUMNS
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise_formula(row[column]) for column in columns])
    return response
