"""The Steering Committee's ballots: one closed and certified, one open, and one held
back as a draft: its motion is not yet approved in Swahili, which a holder on its roll
reads (governance.services.ballots.readability)."""

import datetime

from django.utils import timezone

from governance import services
from governance.models import Ballot, RollEntry, User, VotingRule, WorkingGroup

from . import record_translations

# (seat label → choice) for the closed ballot; the rest of the roll did not vote.
CLOSED_VOTES = {
    "Industry 1": "for",
    "Industry 2": "for",
    "Industry 3": "against",
    "Government 1": "for",
    "Government 2": "for",
    "Civil society 1": "for",
    "Civil society 2": "abstain",
    "Artisanal miners 1": "for",
    "Artisanal miners 2": "for",
}


def _rules(admin, steering: WorkingGroup, framework: WorkingGroup) -> VotingRule:
    weighted = VotingRule.objects.filter(
        working_group=steering, name="Two thirds, chambers weigh equally"
    ).first()
    if weighted is None:
        weighted = services.voting_rule_save(
            actor=admin,
            rule=VotingRule(
                working_group=steering,
                name="Two thirds, chambers weigh equally",
                method="threshold",
                threshold="2/3",
                base="cast",
                chamber_weighting="equal",
                quorum_percent=50,
                chamber_quorum_percent=50,
                allow_vote_change=True,
            ),
        )
    if not VotingRule.objects.filter(working_group=framework).exists():
        services.voting_rule_save(
            actor=admin,
            rule=VotingRule(
                working_group=framework,
                name="ISO approval",
                method="iso",
                quorum_percent=50,
            ),
        )
        services.voting_rule_save(
            actor=admin,
            rule=VotingRule(
                working_group=framework,
                name="Consensus",
                method="consensus",
            ),
        )
    return weighted


def load(people: dict[str, User]) -> None:
    admin, chair = people["admin"], people["chair"]
    steering = WorkingGroup.objects.get(name="Steering Committee")
    framework = WorkingGroup.objects.get(name="ASM Cobalt Framework")
    rule = _rules(admin, steering, framework)
    if Ballot.objects.filter(working_group=steering).exists():
        return
    _held_back(people, steering, rule)
    now = timezone.now()
    past = now - datetime.timedelta(days=30)
    closed = services.ballot_save(
        actor=chair,
        ballot=Ballot(
            working_group=steering,
            title="Adopt the 2027 work plan",
            motion="The Steering Committee adopts the alliance's 2027 work plan and budget.",
            rule=rule,
            opens_at=past,
            closes_at=past + datetime.timedelta(days=7),
        ),
        now=past - datetime.timedelta(days=2),
    )
    # The roll has a Swahili and a French reader: the texts are approved before opening.
    record_translations.translate(people, closed)
    services.ballot_open(actor=chair, ballot=closed, now=past)
    for entry in RollEntry.objects.filter(ballot=closed).select_related("seat", "holder"):
        choice = CLOSED_VOTES.get(entry.seat.label)
        if choice and entry.holder:
            services.vote_cast(
                actor=entry.holder,
                ballot=closed,
                seat=entry.seat,
                option_key=choice,
                now=past + datetime.timedelta(days=1),
            )
    services.ballot_close(actor=None, ballot=closed, now=closed.closes_at)
    services.ballot_certify(
        actor=chair, ballot=closed, now=closed.closes_at + datetime.timedelta(hours=2)
    )

    open_ballot = services.ballot_save(
        actor=chair,
        ballot=Ballot(
            working_group=steering,
            title="Admit three new cooperatives",
            motion="The alliance admits the three Kolwezi cooperatives whose applications were reviewed in October.",
            rule=rule,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=6),
        ),
        now=now - datetime.timedelta(days=2),
    )
    record_translations.translate(people, open_ballot)
    services.ballot_open(actor=chair, ballot=open_ballot, now=now - datetime.timedelta(days=1))
    first = (
        RollEntry.objects.filter(ballot=open_ballot, seat__label="Industry 1")
        .select_related("seat", "holder")
        .first()
    )
    if first and first.holder:
        services.vote_cast(
            actor=first.holder,
            ballot=open_ballot,
            seat=first.seat,
            option_key="for",
            now=now - datetime.timedelta(hours=20),
        )


def _held_back(people: dict[str, User], steering: WorkingGroup, rule: VotingRule) -> Ballot:
    now = timezone.now()
    ballot = services.ballot_save(
        actor=people["chair"],
        ballot=Ballot(
            working_group=steering,
            title=record_translations.HELD_BACK_TITLE,
            motion=record_translations.HELD_BACK_MOTION,
            rule=rule,
            opens_at=now + datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=10),
        ),
    )
    record_translations.translate(people, ballot)  # all but the Swahili motion
    return ballot
