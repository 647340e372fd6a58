"""Ballots through seats: configure, open (snapshot the roll), cast, close, certify.

Casting precedence (also in docs/voting.md):
1. The seat's holder on the roll may always cast the seat's vote (if not yet cast).
2. The alternate on the roll may cast it if the holder has not.
3. A proxy named by the holder for this ballot may cast it, if the delegation is
   not revoked. A holder who delegated may still vote first (that ends the
   delegation's use); the proxy's vote then is refused as the seat has voted.
4. A facilitator of the group records an assisted vote for seats assigned to them.
Exactly one counted vote per seat: a database constraint (ballot, seat). Changing a
vote (roll-call ballots whose rule allows it) replaces the choice and keeps history.

    drafting     voting rules, draft ballots and their choices; which rule fits which choices
    opening      open a ballot: snapshot the rule and the roll
    cancelling   cancel a draft or open ballot, with its reason
    delegations  a holder names or revokes a proxy for one ballot
    casting      cast or change a seat's vote (holder, alternate, proxy); the precedence
    assisted     a facilitator records an assisted vote, with its attestation
    links        a holder without email gets a printed personal link, before a witness
    closing      close and count, early by the chair or on time by the scheduler
    certifying   the chair certifies the result as a decision
"""

from .assisted import vote_record_assisted
from .cancelling import ballot_cancel
from .casting import MAX_REASON, Receipt, standing, vote_cast, vote_is_final
from .certifying import ballot_certify
from .closing import ballot_close, close_due_ballots
from .delegations import delegation_grant, delegation_revoke
from .drafting import (
    DEFAULT_OPTIONS,
    FITTING_METHODS,
    NOT_YOUR_BALLOTS,
    ballot_save,
    voting_rule_copy,
    voting_rule_save,
)
from .links import ballot_link_print
from .opening import ballot_open
from .readability import ballot_waive_translations

__all__ = [
    "DEFAULT_OPTIONS",
    "FITTING_METHODS",
    "MAX_REASON",
    "NOT_YOUR_BALLOTS",
    "Receipt",
    "ballot_cancel",
    "ballot_certify",
    "ballot_close",
    "ballot_link_print",
    "ballot_open",
    "ballot_waive_translations",
    "ballot_save",
    "close_due_ballots",
    "delegation_grant",
    "delegation_revoke",
    "standing",
    "vote_cast",
    "vote_is_final",
    "vote_record_assisted",
    "voting_rule_copy",
    "voting_rule_save",
]
