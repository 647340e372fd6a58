"""What the public sees of the money: pooled totals per year and per link of the chain,
and what went to the programme at the mine. Never one company's amount unless it
opted in.

A link with fewer than MIN_CONTRIBUTORS paying members would show a company's amount
as the link's total (one refiner: the refiners' total is its contribution). Such
links are folded into one "other links" row; if that row would itself hold fewer
than MIN_CONTRIBUTORS members, the smallest shown links join it, as ballots withhold
small chambers. A year with fewer than MIN_CONTRIBUTORS paying members shows no
totals at all. Members who opted in count as public: a cell of published members
only is always shown.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from governance.models import ChainLink

from .models import Contribution, ProgrammeFunding

MIN_CONTRIBUTORS = 3


@dataclass(frozen=True)
class Entry:
    """One member's contribution for one year (plain data)."""

    organisation_id: int
    chain_link: str
    amount: Decimal
    paid: Decimal
    published: bool


@dataclass(frozen=True)
class Cell:
    label: str
    members: int
    due: Decimal
    received: Decimal


@dataclass
class YearPool:
    year: int
    currency: str
    members: int
    cells: list[Cell] = field(default_factory=list)
    combined: Cell | None = None
    withheld: bool = False
    due: Decimal = Decimal(0)
    received: Decimal = Decimal(0)
    programme: Decimal | None = None
    programme_note: str = ""


def _cell(label: str, entries: list[Entry]) -> Cell:
    return Cell(
        label=label,
        members=len(entries),
        due=sum((e.amount for e in entries), Decimal(0)),
        received=sum((e.paid for e in entries), Decimal(0)),
    )


def _safe(entries: list[Entry]) -> bool:
    return len(entries) >= MIN_CONTRIBUTORS or all(e.published for e in entries)


def pool_year(year: int, currency: str, entries: list[Entry]) -> YearPool:
    """A year's pooled figures with small cells withheld (see the module's docstring)."""
    pool = YearPool(year=year, currency=currency, members=len(entries))
    if not entries:
        return pool
    if not _safe(entries):
        pool.withheld = True
        return pool
    pool.due = sum((e.amount for e in entries), Decimal(0))
    pool.received = sum((e.paid for e in entries), Decimal(0))
    by_link: dict[str, list[Entry]] = {}
    for entry in entries:
        by_link.setdefault(entry.chain_link, []).append(entry)
    shown = {link: rows for link, rows in by_link.items() if _safe(rows)}
    folded = [e for link, rows in by_link.items() if link not in shown for e in rows]
    while folded and not _safe(folded) and shown:
        smallest = min(shown, key=lambda link: (len(shown[link]), link))
        folded.extend(shown.pop(smallest))
    order = {value: index for index, value in enumerate(ChainLink.values)}
    pool.cells = [
        _cell(str(ChainLink(link).label), shown[link])
        for link in sorted(shown, key=lambda link: order.get(link, 99))
    ]
    if folded:
        pool.combined = _cell("", folded)
    return pool


def pooled_totals() -> list[YearPool]:
    """Every assessed year, newest first, with its programme funding. Two queries."""
    rows = (
        Contribution.objects.filter(amount__gt=0)
        .annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        )
        .values_list(
            "year",
            "currency",
            "organisation_id",
            "chain_link",
            "amount",
            "paid",
            "organisation__membership__publish_contribution",
        )
        .order_by("-year")
    )
    years: dict[int, tuple[str, list[Entry]]] = {}
    for year, currency, org, link, amount, paid, published in rows:
        years.setdefault(year, (currency, []))[1].append(
            Entry(org, link, Decimal(amount), Decimal(paid), bool(published))
        )
    funding = {f.year: f for f in ProgrammeFunding.objects.all()}
    pools = []
    for year in sorted(set(years) | set(funding), reverse=True):
        currency, entries = years[year] if year in years else (funding[year].currency, [])
        pool = pool_year(year, currency, entries)
        if year in funding:
            pool.programme, pool.programme_note = funding[year].amount, funding[year].note
        pools.append(pool)
    return pools


def published_contributions():
    """Members who opted in: their band and contribution for every year, with what
    they paid. One query."""
    return (
        Contribution.objects.filter(organisation__membership__publish_contribution=True)
        .select_related("organisation")
        .annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        )
        .order_by("-year", "organisation__name")
    )
