"""Working groups (with their seats by chamber), chambers and organisations."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from .. import selectors
from ..pagination import LimitOffset
from ..schemas import ChamberOut, OrganisationOut, WorkingGroupOut

router = Router(tags=["registry"])


class WorkingGroupFilter(FilterSchema):
    status: str | None = None


class ChamberFilter(FilterSchema):
    parent: Annotated[str | None, FilterLookup("parent__slug")] = None


class OrganisationFilter(FilterSchema):
    chain_link: str | None = None
    country: Annotated[str | None, FilterLookup("country__iexact")] = None  # ISO 3166 code
    membership_status: str | None = None
    chamber: Annotated[str | None, FilterLookup("chamber__slug")] = None


@router.get("/working-groups", response=list[WorkingGroupOut], summary="Working groups")
@paginate(LimitOffset)
def working_group_list(request, filters: Query[WorkingGroupFilter]):
    """Public working groups with their current seats by chamber: the organisation each
    seat represents, its holder's public name, and whether it is vacant."""
    return filters.filter(selectors.working_groups())


@router.get("/working-groups/{slug}", response=WorkingGroupOut, summary="A working group")
def working_group_detail(request, slug: str):
    return get_object_or_404(selectors.working_groups(), slug=slug)


@router.get("/chambers", response=list[ChamberOut], summary="Chambers")
@paginate(LimitOffset)
def chamber_list(request, filters: Query[ChamberFilter]):
    return filters.filter(selectors.chambers())


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations")
@paginate(LimitOffset)
def organisation_list(request, filters: Query[OrganisationFilter]):
    """Member organisations (and suspended and former ones): their link in the chain."""
    return filters.filter(selectors.organisations())


@router.get("/organisations/{slug}", response=OrganisationOut, summary="An organisation")
def organisation_detail(request, slug: str):
    return get_object_or_404(selectors.organisations(), slug=slug)
