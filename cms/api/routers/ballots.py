"""Closed and certified ballots: result and bulletin. Draft, open and cancelled
ballots do not exist here (404), so no vote is seen before the count."""

from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from governance.models import Secrecy

from .. import results
from ..pagination import LimitOffset
from ..params import Outcome, Slug, Year, id_path, listing, one
from ..schemas import BallotDetailOut, BallotOut

router = Router(tags=["ballots"])


class BallotFilter(FilterSchema):
    working_group: Annotated[Slug | None, FilterLookup("working_group__slug")] = None
    secrecy: Secrecy | None = None
    status: Literal["closed", "certified"] | None = None
    outcome: Annotated[Outcome | None, FilterLookup("result__outcome")] = None
    year: Annotated[Year | None, FilterLookup("closes_at__year")] = None


@router.get("/ballots", response=listing(BallotOut), summary="Closed ballots and their results")
@paginate(LimitOffset)
def ballot_list(request, filters: Query[BallotFilter]):
    """Results with the per-chamber breakdown; for secret ballots, chambers with fewer
    votes than the rule's minimum cell are withheld (`withheld`, counts null)."""
    return filters.filter(results.finished_ballots())


@router.get("/ballots/{ballot_id}", response=one(BallotDetailOut), summary="A closed ballot")
def ballot_detail(request, ballot_id: id_path("ballot")):
    """The result and the bulletin. Secret ballots: receipt codes and choices, sorted by
    code, never a seat. Roll-call: seat, holder, choice, receipt."""
    return get_object_or_404(results.finished_ballots(), pk=ballot_id)
