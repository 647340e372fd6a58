"""Limit/offset pages with the total count, the same for every list of the API."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from .params import MAX_OFFSET

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class LimitOffset(PaginationBase):
    Input = PageParams

    class Output(Schema):
        count: int  # all items matching the filters
        limit: int
        offset: int
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: PageParams, request, **params) -> dict:
        start, end = pagination.offset, pagination.offset + pagination.limit
        return {
            "count": self._items_count(queryset),
            "limit": pagination.limit,
            "offset": pagination.offset,
            "items": queryset[start:end],
        }
