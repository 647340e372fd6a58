from .assignments import GroupRole, SeatAssignment, SeatRole, WorkingGroupRole
from .audit import GENESIS_HASH, AuditChainHead, AuditEvent
from .groups import (
    Chamber,
    ChamberQuota,
    ReservedSeatRule,
    Seat,
    WorkingGroup,
    WorkingGroupStatus,
)
from .organisations import ChainLink, MembershipStatus, Organisation
from .users import User

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "ChainLink",
    "Chamber",
    "ChamberQuota",
    "GENESIS_HASH",
    "GroupRole",
    "MembershipStatus",
    "Organisation",
    "ReservedSeatRule",
    "Seat",
    "SeatAssignment",
    "SeatRole",
    "User",
    "WorkingGroup",
    "WorkingGroupRole",
    "WorkingGroupStatus",
]
