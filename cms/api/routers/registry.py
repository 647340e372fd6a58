"""Working groups (with their seats by chamber), chambers and organisations."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from governance.models import ChainLink, MembershipStatus, WorkingGroupStatus

from .. import selectors
from ..pagination import LimitOffset
from ..params import Country, Slug, listing, one, slug_path
from ..schemas import ChamberOut, OrganisationOut, WorkingGroupOut

router = Router(tags=["registry"])


class WorkingGroupFilter(FilterSchema):
    status: WorkingGroupStatus | None = None


class ChamberFilter(FilterSchema):
    parent: Annotated[Slug | None, FilterLookup("parent__slug")] = None


class OrganisationFilter(FilterSchema):
    chain_link: ChainLink | None = None
    country: Annotated[Country | None, FilterLookup("country__iexact")] = None
    membership_status: MembershipStatus | None = None
    chamber: Annotated[Slug | None, FilterLookup("chamber__slug")] = None


@router.get("/working-groups", response=listing(WorkingGroupOut), summary="Working groups")
@paginate(LimitOffset)
def working_group_list(request, filters: Query[WorkingGroupFilter]):
    """Public working groups with their current seats by chamber: the organisation each
    seat represents, its holder's public name, and whether it is vacant."""
    return filters.filter(selectors.working_groups())


@router.get("/working-groups/{slug}", response=one(WorkingGroupOut), summary="A working group")
def working_group_detail(request, slug: slug_path("working group")):
    return get_object_or_404(selectors.working_groups(), slug=slug)


@router.get("/chambers", response=listing(ChamberOut), summary="Chambers")
@paginate(LimitOffset)
def chamber_list(request, filters: Query[ChamberFilter]):
    return filters.filter(selectors.chambers())


@router.get("/organisations", response=listing(OrganisationOut), summary="Organisations")
@paginate(LimitOffset)
def organisation_list(request, filters: Query[OrganisationFilter]):
    """Member organisations (and suspended and former ones): their link in the chain."""
    return filters.filter(selectors.organisations())


@router.get("/organisations/{slug}", response=one(OrganisationOut), summary="An organisation")
def organisation_detail(request, slug: slug_path("organisation")):
    return get_object_or_404(selectors.organisations(), slug=slug)
