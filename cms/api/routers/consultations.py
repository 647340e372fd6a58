"""Public comment periods and their comments (responses once the report is out).

Members-only periods do not exist here: not in lists, not by id (404)."""

from typing import Annotated, Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from .. import selectors
from ..pagination import LimitOffset
from ..schemas import CommentOut, ConsultationOut

router = Router(tags=["consultations"])

State = Literal["scheduled", "open", "closed", "report_published"]


class ConsultationFilter(FilterSchema):
    working_group: Annotated[str | None, FilterLookup("version__standard__working_group__slug")] = (
        None
    )
    standard: Annotated[str | None, FilterLookup("version__standard__slug")] = None
    version: Annotated[int | None, FilterLookup("version_id")] = None


class CommentFilter(FilterSchema):
    clause: str | None = None  # a clause number, or "general"
    type: Annotated[str | None, FilterLookup("comment_type")] = None  # ge, te, ed
    chamber: Annotated[str | None, FilterLookup("chamber__slug")] = None

    def filter_clause(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(clause__isnull=True) if value == "general" else Q(clause__number=value)


@router.get("/consultations", response=list[ConsultationOut], summary="Public comment periods")
@paginate(LimitOffset)
def consultation_list(request, filters: Query[ConsultationFilter], state: State | None = None):
    """Public comment periods, newest first. `state` is derived from the clock."""
    queryset = filters.filter(selectors.consultations())
    return selectors.consultations_in_state(queryset, state) if state else queryset


@router.get(
    "/consultations/{consultation_id}", response=ConsultationOut, summary="A comment period"
)
def consultation_detail(request, consultation_id: int):
    return get_object_or_404(selectors.consultations(), pk=consultation_id)


@router.get(
    "/consultations/{consultation_id}/comments",
    response=list[CommentOut],
    summary="Comments of a public comment period",
)
@paginate(LimitOffset)
def comment_list(request, consultation_id: int, filters: Query[CommentFilter]):
    """Comments not withdrawn, general ones first then in clause order. Each carries
    the working group's response once the period's report is published."""
    consultation = get_object_or_404(selectors.consultations(), pk=consultation_id)
    return filters.filter(selectors.comments(consultation))
