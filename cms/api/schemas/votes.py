"""Closed ballots (result, bulletin) and decisions. A secret ballot's bulletin has no
field for a seat, a chamber or a person, and no row joining a receipt to a choice."""

from datetime import datetime

from ninja import Schema

from governance.tally import outcome_label

from .. import results, selectors
from .refs import GroupRef


class TotalOut(Schema):
    key: str
    label: str
    count: int


class ChamberResultOut(Schema):
    chamber: str
    eligible: int
    cast: int
    counts: dict[str, int] | None  # None: withheld (secret ballot, too few votes)
    support_percent: float | None
    quorum_met: bool | None
    blocked: bool | None
    withheld: bool


class ResultOut(Schema):
    outcome: str
    outcome_label: str
    explanation: str
    cast: int
    eligible: int
    support_percent: float | None
    winner: str | None
    quorum_met: bool | None
    totals: list[TotalOut]
    chambers: list[ChamberResultOut]


class RuleOut(Schema):
    name: str = ""
    method: str = ""
    threshold: str = ""
    base: str = ""
    abstentions_count: bool = False
    quorum_percent: int = 0
    chamber_quorum_percent: int = 0
    chamber_weighting: str = ""
    block_threshold: int | None = None
    min_cell: int = 3


def _result(result: dict | None, explanations: dict | None, ballot) -> dict | None:
    if not result:
        return None
    summary = results.result_summary(result, ballot, results.option_labels(ballot))
    return {
        **summary,
        "outcome_label": outcome_label(summary["outcome"]),
        "explanation": results.explanation(explanations),
    }


class BallotOut(Schema):
    id: int
    url: str
    title: str
    motion: str
    working_group: GroupRef
    secrecy: str
    option_set: str
    status: str
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    certified_at: datetime | None
    decision_id: int | None
    rule: RuleOut
    result: ResultOut | None

    @staticmethod
    def resolve_url(obj) -> str:
        return selectors.ballot_path(obj.pk)

    @staticmethod
    def resolve_decision_id(obj) -> int | None:
        decision = getattr(obj, "decision", None)
        return decision.pk if decision is not None else None

    @staticmethod
    def resolve_rule(obj) -> dict:
        return obj.rule_snapshot or {}

    @staticmethod
    def resolve_result(obj) -> dict | None:
        return _result(obj.result, obj.explanations, obj)


class SecretReceiptOut(Schema):
    receipt_code: str


class SecretChoiceOut(Schema):
    choice: str
    choice_label: str


class RollCallVoteOut(Schema):
    seat: str
    holder: str  # the holder's public name on the roll when the ballot opened
    choice: str
    choice_label: str
    reason: str
    receipt_code: str
    cast_as: str  # holder, alternate, proxy, facilitator
    channel: str  # web, link, printed (a printed personal link), assisted


class BulletinOut(Schema):
    """Secret ballots fill `receipts` (the codes, sorted) and `choices` (the choices,
    sorted): two lists that nothing joins, so a receipt proves a vote was counted but
    not what it was. Roll-call ballots fill `votes` (in roll order). `channels`: how
    many votes came through each channel (web, link, printed, assisted)."""

    secrecy: str
    receipts: list[SecretReceiptOut]
    choices: list[SecretChoiceOut]
    votes: list[RollCallVoteOut]
    channels: dict[str, int]


class BallotDetailOut(BallotOut):
    bulletin: BulletinOut

    @staticmethod
    def resolve_bulletin(obj) -> dict:
        return results.ballot_bulletin(obj)


class DecisionOut(Schema):
    id: int
    url: str
    title: str
    motion: str
    kind: str
    outcome: str
    outcome_label: str
    explanation: str
    objections: str
    decided_at: datetime
    working_group: GroupRef
    ballot_id: int | None
    secrecy: str | None
    tally: ResultOut | None

    @staticmethod
    def resolve_url(obj, context) -> str:
        request = context["request"]
        if not obj.live_pages and not obj.ballot_id:  # the group's page: index read once
            if not hasattr(request, "groups_index_path"):
                request.groups_index_path = selectors.groups_index_path()
            return results.decision_path(obj, groups_index=request.groups_index_path)
        return results.decision_path(obj)

    @staticmethod
    def resolve_outcome_label(obj) -> str:
        return outcome_label(obj.outcome)

    @staticmethod
    def resolve_explanation(obj) -> str:
        return results.explanation(obj.explanations)

    @staticmethod
    def resolve_objections(obj) -> str:
        return "" if obj.ballot_id and obj.ballot.is_secret else obj.objections

    @staticmethod
    def resolve_secrecy(obj) -> str | None:
        return obj.ballot.secrecy if obj.ballot_id else None

    @staticmethod
    def resolve_tally(obj) -> dict | None:
        return _result(obj.tally, obj.explanations, obj.ballot if obj.ballot_id else None)
