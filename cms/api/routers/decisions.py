"""The decision register."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from governance.models import Decision

from .. import results
from ..pagination import LimitOffset
from ..params import Outcome, Slug, Year, id_path, listing, one
from ..schemas import DecisionOut

router = Router(tags=["decisions"])


class DecisionFilter(FilterSchema):
    working_group: Annotated[Slug | None, FilterLookup("working_group__slug")] = None
    outcome: Outcome | None = None
    kind: Decision.Kind | None = None
    year: Annotated[Year | None, FilterLookup("decided_at__year")] = None


@router.get("/decisions", response=listing(DecisionOut), summary="Decisions")
@paginate(LimitOffset)
def decision_list(request, filters: Query[DecisionFilter]):
    """Every decision of the public working groups, newest first, with its tally."""
    return filters.filter(results.decisions())


@router.get("/decisions/{decision_id}", response=one(DecisionOut), summary="A decision")
def decision_detail(request, decision_id: id_path("decision")):
    return get_object_or_404(results.decisions(), pk=decision_id)
