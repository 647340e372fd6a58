"""Every change to governance state goes through these functions.

Each one checks permission (governance.permissions), validates, runs in one
transaction and appends to the audit log. Refusals raise PermissionDenied or
ValidationError with a message meant for the person who tried.
"""

from ._base import refuse, require, save_audited
from .admission import organisation_admit, organisation_contact_link
from .ballots import (
    ballot_cancel,
    ballot_certify,
    ballot_close,
    ballot_link_print,
    ballot_open,
    ballot_save,
    ballot_waive_translations,
    close_due_ballots,
    delegation_grant,
    delegation_revoke,
    vote_cast,
    vote_is_final,
    vote_record_assisted,
    voting_rule_copy,
    voting_rule_save,
)
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
from .translations import translation_approve, translation_draft

__all__ = [
    # Shared by every app's services: refusals and audited saves.
    "refuse",
    "require",
    "save_audited",
    "translation_approve",
    "translation_draft",
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
    "vote_cast",
    "vote_is_final",
    "vote_record_assisted",
    "voting_rule_copy",
    "voting_rule_save",
    "chamber_save",
    "composition_shortfalls",
    "organisation_admit",
    "organisation_contact_link",
    "organisation_save",
    "role_end",
    "role_grant",
    "seat_assignment_end",
    "seat_assignment_start",
    "seat_retire",
    "seat_save",
    "working_group_save",
]
