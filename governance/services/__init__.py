"""Every change to governance state goes through these functions.

Each one checks permission (governance.permissions), validates, runs in one
transaction and appends to the audit log. Refusals raise PermissionDenied or
ValidationError with a message meant for the person who tried.
"""

from .registry import chamber_save, organisation_save, working_group_save
from .seats import (
    composition_shortfalls,
    role_end,
    role_grant,
    seat_assignment_end,
    seat_assignment_start,
    seat_retire,
    seat_save,
)

__all__ = [
    "chamber_save",
    "composition_shortfalls",
    "organisation_save",
    "role_end",
    "role_grant",
    "seat_assignment_end",
    "seat_assignment_start",
    "seat_retire",
    "seat_save",
    "working_group_save",
]
