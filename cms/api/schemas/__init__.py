"""The shapes of the open-data API. Public fields only: no schema here has a field
for an email address, a members-only period, or a secret ballot's seat."""

from .refs import ChamberRef, GroupRef, OrganisationRef, StandardRef, VersionRef
from .registry import (
    ChamberOut,
    ChamberSeatsOut,
    OrganisationOut,
    PersonOut,
    SeatOut,
    WorkingGroupOut,
)
from .standards import (
    ClauseOut,
    CommentOut,
    ConsultationOut,
    DispositionOut,
    StandardOut,
    VersionOut,
)
from .votes import (
    BallotDetailOut,
    BallotOut,
    BulletinOut,
    ChamberResultOut,
    DecisionOut,
    ResultOut,
    RollCallVoteOut,
    RuleOut,
    SecretChoiceOut,
    SecretReceiptOut,
    TotalOut,
)

__all__ = [
    "BallotDetailOut",
    "BallotOut",
    "BulletinOut",
    "ChamberOut",
    "ChamberRef",
    "ChamberResultOut",
    "ChamberSeatsOut",
    "ClauseOut",
    "CommentOut",
    "ConsultationOut",
    "DecisionOut",
    "DispositionOut",
    "GroupRef",
    "OrganisationOut",
    "OrganisationRef",
    "PersonOut",
    "ResultOut",
    "RollCallVoteOut",
    "RuleOut",
    "SeatOut",
    "SecretChoiceOut",
    "SecretReceiptOut",
    "StandardOut",
    "StandardRef",
    "TotalOut",
    "VersionOut",
    "VersionRef",
    "WorkingGroupOut",
]
