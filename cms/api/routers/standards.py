"""Standards, their versions (drafts in the making excepted) and clauses."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from consultations.models import VersionStatus

from .. import selectors
from ..pagination import LimitOffset
from ..params import Id, Slug, Text, id_path, listing, one, slug_path
from ..schemas import ClauseOut, StandardOut, VersionOut

router = Router(tags=["standards"])


class StandardFilter(FilterSchema):
    working_group: Annotated[Slug | None, FilterLookup("working_group__slug")] = None


class VersionFilter(FilterSchema):
    standard: Annotated[Slug | None, FilterLookup("standard__slug")] = None
    status: VersionStatus | None = None


class ClauseFilter(FilterSchema):
    standard: Annotated[Slug | None, FilterLookup("version__standard__slug")] = None
    version: Annotated[Id | None, FilterLookup("version_id")] = None
    number: Text | None = None
    key: Text | None = None


@router.get("/standards", response=listing(StandardOut), summary="Standards")
@paginate(LimitOffset)
def standard_list(request, filters: Query[StandardFilter]):
    """Each standard with its public versions and the one in force."""
    return filters.filter(selectors.standards())


@router.get("/standards/{slug}", response=one(StandardOut), summary="A standard")
def standard_detail(request, slug: slug_path("standard")):
    return get_object_or_404(selectors.standards(), slug=slug)


@router.get("/versions", response=listing(VersionOut), summary="Versions of standards")
@paginate(LimitOffset)
def version_list(request, filters: Query[VersionFilter]):
    """Versions put out for comment, published or superseded (not those being drafted)."""
    return filters.filter(selectors.versions())


@router.get("/versions/{version_id}", response=one(VersionOut), summary="A version")
def version_detail(request, version_id: id_path("version")):
    return get_object_or_404(selectors.versions(), pk=version_id)


@router.get("/clauses", response=listing(ClauseOut), summary="Clauses")
@paginate(LimitOffset)
def clause_list(request, filters: Query[ClauseFilter]):
    """Clauses of public versions, in document order; `key` follows a clause across versions."""
    return filters.filter(selectors.clauses())


@router.get("/clauses/{clause_id}", response=one(ClauseOut), summary="A clause")
def clause_detail(request, clause_id: id_path("clause")):
    return get_object_or_404(selectors.clauses(), pk=clause_id)
