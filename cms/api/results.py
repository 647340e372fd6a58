"""Ballots and decisions as published: which ones, and what of their results.

- Ballots: closed or certified ones only (a draft, open or cancelled ballot shows no
  votes), of public working groups; their dates are announced once they open.
- Decisions: of public working groups, from a certified ballot or a consensus.
- Secret ballots: chamber rows below the rule's minimum cell are withheld
  (`governance.ballot_counting.public_chamber_rows`), and the bulletin gives the
  receipt codes and the choices as two lists nothing joins; never a seat, a chamber
  or a person.
"""

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import translation

from governance import ballot_counting, bulletin
from governance.models import Ballot, BallotStatus, Decision, WorkingGroupStatus

from . import selectors

FINISHED = bulletin.VISIBLE  # closed or certified: the only ballots whose votes show
ANNOUNCED = (BallotStatus.OPEN, *FINISHED)  # a ballot's dates are public once it opens


def explanation(explanations: dict | None, lang: str | None = None) -> str:
    explanations = explanations or {}
    return explanations.get(lang or selectors.language()) or explanations.get(
        settings.LANGUAGE_CODE, ""
    )


# --- Ballots and decisions -----------------------------------------------------------


def _public_group():
    return ~Q(working_group__status=WorkingGroupStatus.CLOSED)


def finished_ballots():
    """Closed and certified ballots of public groups: the only ones whose votes show."""
    return (
        Ballot.objects.filter(_public_group(), status__in=FINISHED)
        .select_related("working_group", "decision")
        .prefetch_related("options")
        .order_by("-closes_at", "-id")
    )


def announced_ballots():
    """Ballots whose dates are public (open, closed, certified) — for calendars only."""
    return (
        Ballot.objects.filter(_public_group(), status__in=ANNOUNCED)
        .select_related("working_group")
        .order_by("-opens_at", "-id")
    )


def decisions():
    """Decisions of public groups: from a certified ballot, or a consensus without one.
    Each carries `live_pages`, its published page in the default language (one query for
    the lot), for `decision_path`."""
    from cms.models import DecisionPage

    pages = DecisionPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)
    return (
        Decision.objects.filter(_public_group())
        .filter(Q(ballot__isnull=True) | Q(ballot__status=BallotStatus.CERTIFIED))
        .select_related("working_group", "ballot")
        .prefetch_related("ballot__options", Prefetch("pages", pages, to_attr="live_pages"))
        .order_by("-decided_at", "-id")
    )


def decision_path(decision: Decision, *, groups_index: str | None = None) -> str:
    """Where a reader finds a decision (language-neutral): its published page; before the
    page is published, its ballot; a consensus without a page, its working group's page.
    `groups_index`: the working groups' index path, when the caller already has it."""
    pages = getattr(decision, "live_pages", None)
    if pages is None:  # not read through decisions()
        from cms.models import DecisionPage

        pages = DecisionPage.objects.live().filter(
            decision=decision, locale__language_code=settings.LANGUAGE_CODE
        )[:1]
    for page in pages:
        url = page.url
        if url:
            return url
    if decision.ballot_id:
        return selectors.ballot_path(decision.ballot_id)
    index = selectors.groups_index_path() if groups_index is None else groups_index
    return f"{index}{decision.working_group.slug}/" if index else "/"


def with_paths(decisions) -> list[Decision]:
    """The decisions (read through decisions()) as a list, each with its `path`; the
    working groups' index is read once, and only if a decision needs it."""
    items = list(decisions)
    lost = any(not d.live_pages and not d.ballot_id for d in items)
    index = selectors.groups_index_path() if lost else ""
    for item in items:
        item.path = decision_path(item, groups_index=index)
    return items


def filter_decisions(queryset, *, group: str = "", year: int | None = None, outcome: str = ""):
    if group:
        queryset = queryset.filter(working_group__slug=group)
    if year:
        queryset = queryset.filter(decided_at__year=year)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return queryset


def result_summary(result: dict | None, ballot: Ballot | None, labels: dict[str, str]) -> dict:
    """The public part of a stored tally: outcome, participation, totals, chamber rows.
    `ballot` None: a consensus decision without one (nothing is secret)."""
    result = result or {}
    secret = bool(ballot and ballot.is_secret)
    chambers = list(result.get("chambers") or [])
    if secret:
        min_cell = (ballot.rule_snapshot or {}).get("min_cell", 3)
        chambers = ballot_counting.public_chamber_rows(chambers, min_cell)
    participation = result.get("participation") or {}
    totals = result.get("totals") or {}
    # In the ballot's order of choices (a JSONB column does not keep the keys' order).
    order = {key: n for n, key in enumerate(labels)}
    totals = dict(
        sorted(totals.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    )
    return {
        "outcome": result.get("outcome", ""),
        "cast": participation.get("cast", 0),
        "eligible": participation.get("eligible", 0),
        "support_percent": result.get("support_percent"),
        "winner": result.get("winner"),
        "quorum_met": result.get("quorum_met"),
        "totals": [
            {
                "key": key,
                "label": labels.get(key, key),
                "count": (value or {}).get("count", 0) if isinstance(value, dict) else value,
            }
            for key, value in totals.items()
        ],
        "chambers": [
            {
                "chamber": row["chamber"],
                "eligible": row["eligible"],
                "cast": row["cast"],
                "counts": row["counts"],
                "support_percent": row.get("support_percent"),
                "quorum_met": row.get("quorum_met"),
                "blocked": row.get("blocked"),
                "withheld": secret and row["counts"] is None,
            }
            for row in chambers
        ],
    }


def option_labels(ballot: Ballot | None) -> dict[str, str]:
    """Choice key → label in the current language (options prefetched on the ballot)."""
    if ballot is None:
        return {}
    return {option.key: translation.gettext(option.label) for option in ballot.options.all()}


def ballot_bulletin(ballot: Ballot) -> dict:
    """The public bulletin of a closed ballot (governance.bulletin) under the API's field
    names. Roll-call: `votes`, one per seat (seat, holder, choice, reason, receipt, in
    which capacity and through which channel), in roll order. Secret: `receipts` (the
    codes, sorted) and `choices` (the choices, sorted), two lists that nothing joins.
    Both: `channels`, how many votes came through each channel."""
    empty = {"secrecy": ballot.secrecy, "receipts": [], "choices": [], "votes": []}
    if ballot.status not in FINISHED:
        return {**empty, "channels": {}}
    labels = option_labels(ballot)
    found = bulletin.public_rows(ballot)
    channels = bulletin.channel_counts(ballot)
    if ballot.is_secret:
        order = {key: n for n, key in enumerate(labels)}
        found = sorted(found, key=lambda row: order.get(row.option_key, len(order)))
        return {
            **empty,
            "receipts": [{"receipt_code": code} for code in bulletin.receipts(ballot)],
            "choices": [
                {
                    "choice": row.option_key,
                    "choice_label": labels.get(row.option_key, row.option_label),
                }
                for row in found
            ],
            "channels": channels,
        }
    return {
        **empty,
        "votes": [
            {
                "seat": row.seat_label,
                "holder": selectors.public_name(row.holder),
                "choice": row.option_key,
                "choice_label": labels.get(row.option_key, row.option_label),
                "reason": row.reason,
                "receipt_code": row.receipt_code,
                "cast_as": row.cast_as,
                "channel": row.channel,
            }
            for row in found
        ],
        "channels": channels,
    }
