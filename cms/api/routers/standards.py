"""Standards, their versions (drafts in the making excepted) and clauses."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from .. import selectors
from ..pagination import LimitOffset
from ..schemas import ClauseOut, StandardOut, VersionOut

router = Router(tags=["standards"])


class StandardFilter(FilterSchema):
    working_group: Annotated[str | None, FilterLookup("working_group__slug")] = None


class VersionFilter(FilterSchema):
    standard: Annotated[str | None, FilterLookup("standard__slug")] = None
    status: str | None = None


class ClauseFilter(FilterSchema):
    standard: Annotated[str | None, FilterLookup("version__standard__slug")] = None
    version: Annotated[int | None, FilterLookup("version_id")] = None
    number: str | None = None
    key: str | None = None


@router.get("/standards", response=list[StandardOut], summary="Standards")
@paginate(LimitOffset)
def standard_list(request, filters: Query[StandardFilter]):
    """Each standard with its public versions and the one in force."""
    return filters.filter(selectors.standards())


@router.get("/standards/{slug}", response=StandardOut, summary="A standard")
def standard_detail(request, slug: str):
    return get_object_or_404(selectors.standards(), slug=slug)


@router.get("/versions", response=list[VersionOut], summary="Versions of standards")
@paginate(LimitOffset)
def version_list(request, filters: Query[VersionFilter]):
    """Versions put out for comment, published or superseded (not those being drafted)."""
    return filters.filter(selectors.versions())


@router.get("/versions/{version_id}", response=VersionOut, summary="A version")
def version_detail(request, version_id: int):
    return get_object_or_404(selectors.versions(), pk=version_id)


@router.get("/clauses", response=list[ClauseOut], summary="Clauses")
@paginate(LimitOffset)
def clause_list(request, filters: Query[ClauseFilter]):
    """Clauses of public versions, in document order; `key` follows a clause across versions."""
    return filters.filter(selectors.clauses())


@router.get("/clauses/{clause_id}", response=ClauseOut, summary="A clause")
def clause_detail(request, clause_id: int):
    return get_object_or_404(selectors.clauses(), pk=clause_id)
