"""Certifying a closed ballot's result: the chair records it as a Decision."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit, ballot_counting, permissions, signals
from ...models import Ballot, BallotStatus, Decision
from .._base import refuse, require


@transaction.atomic
def ballot_certify(*, actor, ballot: Ballot, now: datetime.datetime | None = None) -> Decision:
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_certify_results(actor, ballot.working_group),
        _("Only the chair certifies results."),
    )
    if ballot.status != BallotStatus.CLOSED:
        refuse(_("Only a closed ballot can be certified."))
    ballot.status, ballot.certified_at = BallotStatus.CERTIFIED, now
    ballot.save(update_fields=["status", "certified_at"])
    objections = "\n".join(reason for _seat, reason in (ballot.result or {}).get("objections", []))
    # The decision is what gets published: a secret ballot's small chambers are withheld.
    published = ballot_counting.public_result(ballot)
    decision = Decision.objects.create(
        working_group=ballot.working_group,
        ballot=ballot,
        kind=Decision.Kind.BALLOT,
        title=ballot.title,
        motion=ballot.motion,
        outcome=ballot.result["outcome"],
        tally=published,
        explanations=ballot.explanations,
        objections=objections if not ballot.is_secret else "",
        certified_by=actor,
        decided_at=now,
    )
    audit.record(
        at=now,
        actor=actor,
        action="ballot.certified",
        obj=ballot,
        working_group=ballot.working_group,
        public=True,
        payload={"decision": decision.pk, "outcome": decision.outcome},
    )
    signals.decision_recorded.send(sender=Decision, decision=decision)
    return decision
