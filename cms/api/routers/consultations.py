"""Public comment periods and their comments (responses once the report is out).

Members-only periods do not exist here: not in lists, not by id (404)."""

from typing import Annotated, Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from consultations.models import CommentType

from .. import selectors
from ..pagination import LimitOffset
from ..params import Id, Slug, Text, id_path, listing, one
from ..schemas import CommentOut, ConsultationOut

router = Router(tags=["consultations"])

State = Literal["scheduled", "open", "closed", "report_published"]


class ConsultationFilter(FilterSchema):
    working_group: Annotated[
        Slug | None, FilterLookup("version__standard__working_group__slug")
    ] = None
    standard: Annotated[Slug | None, FilterLookup("version__standard__slug")] = None
    version: Annotated[Id | None, FilterLookup("version_id")] = None


class CommentFilter(FilterSchema):
    clause: Text | None = None  # a clause number, or "general"
    type: Annotated[CommentType | None, FilterLookup("comment_type")] = None
    chamber: Annotated[Slug | None, FilterLookup("chamber__slug")] = None

    def filter_clause(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(clause__isnull=True) if value == "general" else Q(clause__number=value)


@router.get("/consultations", response=listing(ConsultationOut), summary="Public comment periods")
@paginate(LimitOffset)
def consultation_list(request, filters: Query[ConsultationFilter], state: State | None = None):
    """Public comment periods, newest first. `state` is derived from the clock."""
    queryset = filters.filter(selectors.consultations())
    return selectors.consultations_in_state(queryset, state) if state else queryset


@router.get(
    "/consultations/{consultation_id}", response=one(ConsultationOut), summary="A comment period"
)
def consultation_detail(request, consultation_id: id_path("comment period")):
    return get_object_or_404(selectors.consultations(), pk=consultation_id)


@router.get(
    "/consultations/{consultation_id}/comments",
    response=listing(CommentOut, of_one=True),
    summary="Comments of a public comment period",
)
@paginate(LimitOffset)
def comment_list(
    request, consultation_id: id_path("comment period"), filters: Query[CommentFilter]
):
    """Comments not withdrawn, general ones first then in clause order. Each carries
    the working group's response once the period's report is published."""
    consultation = get_object_or_404(selectors.consultations(), pk=consultation_id)
    return filters.filter(selectors.comments(consultation))
