"""Ballot pages: the list of a group's ballots, the ballot page (turnout, your seats,
results), the chair's controls, assisted votes, the low-bandwidth personal link,
and the bulletin of receipts. One module per concern; governance/urls/ballots.py
routes to the names below.

Views are thin: a form, one service call, refusals shown as messages; a refusal
changes nothing because the service refused inside its transaction. Nothing here
writes governance state itself. Who may see a ballot or a group is asked of
governance.permissions (`can_view_ballot`, `can_view_group`), as the live socket does.

Secret ballots: no page links a seat to a choice. A receipt code belongs to the
seat's participation and proves the vote was counted; no record links it to the
choice, so the voter may see it again on the ballot page. The receipt page is the
POST's own response (never a redirect with the code in the URL).

Staff never see a live personal link: links go to holders by email, and a holder
without email gets a printed one, recorded with a witness (links.py).
"""

from .assisted import assisted
from .attestations import attestation_scan
from .bulletin import bulletin_csv, bulletin_page
from .link import link_vote
from .pages import ballot_detail, group_ballots
from .running import (
    ballot_cancel,
    ballot_certify,
    ballot_close,
    ballot_create,
    ballot_edit,
    ballot_link_print,
    ballot_links_page,
    ballot_links_send,
    ballot_open,
    consensus_record,
)
from .voting import delegation_grant, delegation_revoke, vote

__all__ = [
    "assisted",
    "attestation_scan",
    "ballot_cancel",
    "ballot_certify",
    "ballot_close",
    "ballot_create",
    "ballot_edit",
    "ballot_link_print",
    "ballot_detail",
    "ballot_links_page",
    "ballot_links_send",
    "ballot_open",
    "consensus_record",
    "bulletin_csv",
    "bulletin_page",
    "delegation_grant",
    "delegation_revoke",
    "group_ballots",
    "link_vote",
    "vote",
]
