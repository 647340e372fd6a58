"""Live threads for the demo: the open round's clauses and the open ballot."""

import datetime

from django.utils import timezone

from consultations.models import Consultation, PeriodState, Thread
from consultations.services import discussions as services
from governance.models import Ballot, BallotStatus, User

from .registry import PREFERRED_LANGUAGES

CLAUSE_MESSAGES = {
    # clause heading → (username, message)
    "Women on site": [
        ("member", "Who on each site should receive harassment reports?"),
        # The holder writes in Swahili: readers of other languages see it marked so.
        (
            "holder",
            "Ushirika wetu tayari una wanawake wawili waliochaguliwa kwenye kamati ya usalama.",
        ),
        (
            "secretariat",
            "Thank you — please add this as a comment on the clause so it is answered.",
        ),
    ],
    "Pit stability": [
        ("holder", "Baada ya mvua, nani anaamua kwamba shimo ni salama tena?"),
        ("member", "The safety officer, as clause 3 says; we could make that explicit."),
    ],
}
BALLOT_MESSAGES = [
    ("chair", "The three applications were reviewed by the membership committee in October."),
    ("holder", "Chemba ya wachimbaji wadogo inaunga mkono kupokelewa kwa vyama hivi vya ushirika."),
]


def load(people: dict[str, User]) -> None:
    if Thread.objects.exists():
        return
    now = timezone.now()
    for username in {u for messages in CLAUSE_MESSAGES.values() for u, _m in messages} | {
        "chair",
        "holder",
    }:
        services.acknowledge_competition_notice(
            actor=people[username], now=now - datetime.timedelta(days=3)
        )
    open_round = next(
        (
            c
            for c in Consultation.objects.select_related("version")
            if c.state() == PeriodState.OPEN
        ),
        None,
    )
    if open_round is not None:
        for heading, messages in CLAUSE_MESSAGES.items():
            clause = open_round.version.clauses.filter(heading=heading).first()
            if clause is None:
                continue
            thread = services.thread_for_consultation(open_round, clause)
            _post(people, thread, messages, now)
    ballot = Ballot.objects.filter(
        status=BallotStatus.OPEN, working_group__name="Steering Committee"
    ).first()
    if ballot is not None:
        _post(people, services.thread_for_ballot(ballot), BALLOT_MESSAGES, now)


def _post(people, thread, messages, now) -> None:
    for minutes, (username, body) in enumerate(messages):
        services.message_post(
            actor=people[username],
            thread=thread,
            body=body,
            language=PREFERRED_LANGUAGES.get(username, "en"),
            now=now - datetime.timedelta(hours=2) + datetime.timedelta(minutes=minutes * 7),
        )
