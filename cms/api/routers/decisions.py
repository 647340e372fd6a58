"""The decision register."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from .. import results
from ..pagination import LimitOffset
from ..schemas import DecisionOut

router = Router(tags=["decisions"])


class DecisionFilter(FilterSchema):
    working_group: Annotated[str | None, FilterLookup("working_group__slug")] = None
    outcome: str | None = None
    kind: str | None = None  # ballot, consensus
    year: Annotated[int | None, FilterLookup("decided_at__year")] = None


@router.get("/decisions", response=list[DecisionOut], summary="Decisions")
@paginate(LimitOffset)
def decision_list(request, filters: Query[DecisionFilter]):
    """Every decision of the public working groups, newest first, with its tally."""
    return filters.filter(results.decisions())


@router.get("/decisions/{decision_id}", response=DecisionOut, summary="A decision")
def decision_detail(request, decision_id: int):
    return get_object_or_404(results.decisions(), pk=decision_id)
