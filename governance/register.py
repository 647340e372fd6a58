"""The public register of a working group's governance actions: which audit events it
shows, the sentence it shows for each (reading only whitelisted payload keys), and
whether the audit chain behind it verifies."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .audit import verify_chain
from .models import GENESIS_HASH, AuditChainHead, AuditEvent, ChainLink, WorkingGroup

# What the public register may say of each public action: the payload keys it reads.
# Every other key (people's ids, rule snapshots, reasons typed by hand, counts that
# are not yet public) stays in the log: the register never shows a key not listed
# here, and an action not listed here shows its name and object only.
REGISTER_PAYLOAD_KEYS: dict[str, tuple[str, ...]] = {
    "consultation.scheduled": ("version", "round", "audience", "opens_at", "closes_at"),
    "consultation.extended": ("closes_at",),
    "consultation.reopened": ("closes_at",),
    "consultation.report_published": ("comments",),
    "ballot.opened": ("roll", "closes_at"),
    "ballot.closed": ("outcome", "cast", "eligible"),
    "ballot.certified": ("outcome",),
    "ballot.cancelled": (),
    "decision.recorded": (),
    "organisation.admitted": ("chain_link",),
    "decision.published": (),
    "seat.created": (),
    "seat.updated": (),
    "seat.retired": (),
    "seat_assignment.started": ("organisation", "start"),
    "seat_assignment.ended": ("end",),
    "standard.created": (),
    "standard.updated": (),
    "version.started": (),
    "version.published": (),
    "voting_rule.created": (),
    "voting_rule.updated": (),
    "working_group.created": (),
    "working_group.updated": (),
}

REGISTER_PAGE_SIZE = 50

# Actions that concern the alliance as a whole (no working group): its register of
# admissions. Refusals are never public, so they are never here.
ALLIANCE_REGISTER_ACTIONS = ("organisation.admitted",)

OUTCOME_LABELS = {
    "adopted": gettext_lazy("adopted"),
    "rejected": gettext_lazy("rejected"),
    "no_quorum": gettext_lazy("no quorum"),
    "tied": gettext_lazy("tied"),
    "no_votes": gettext_lazy("no votes"),
}


def public_register(group: WorkingGroup):
    """The audit log's public part for one group, newest first. Only the columns the
    register reads: never the actor or the hashes (the payload is read through
    `register_entries`, which keeps only whitelisted keys)."""
    return (
        AuditEvent.objects.filter(working_group_id=group.pk, is_public=True)
        .only(
            "sequence",
            "created_at",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "is_public",
            "payload",
        )
        .order_by("-sequence")
    )


def alliance_register():
    """The public register of admissions, newest first: every member admitted, by the
    secretariat or by a working group's decision. The same columns as a group's."""
    return (
        AuditEvent.objects.filter(action__in=ALLIANCE_REGISTER_ACTIONS, is_public=True)
        .only(
            "sequence",
            "created_at",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "is_public",
            "payload",
        )
        .order_by("-sequence")
    )


@dataclass(frozen=True)
class RegisterEntry:
    """One public governance action as the register shows it: a sentence built from
    the action, the object's name and the payload keys whitelisted for the action."""

    sequence: int
    created_at: datetime.datetime
    action: str
    object_type: str
    object_id: str
    sentence: str


def _when(value) -> str:
    """A payload instant or day (stored as ISO text) in words of the current language
    and time zone; anything else as given."""
    if isinstance(value, list):  # [before, after]: what it became
        value = value[-1] if value else ""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    day = parse_date(value) if len(value) == 10 else None
    if day is not None:
        return formats.date_format(day, "DATE_FORMAT")
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _outcome(details: dict) -> str:
    outcome = details.get("outcome", "?")
    return str(OUTCOME_LABELS.get(outcome, outcome))


def _sentence(action: str, name: str, details: dict) -> str:
    """The register's words for one action. No final full stop: a sentence often
    ends with a time, whose format may end with one ("4:06 p.m.")."""
    closes = _when(details.get("closes_at"))
    if action == "consultation.scheduled":
        text = _("Comment period scheduled: %(name)s, open from %(opens)s to %(closes)s") % {
            "name": name,
            "opens": _when(details.get("opens_at")),
            "closes": closes,
        }
        if details.get("audience") == "members":
            text += "; " + _("members of the working group only")
        return text
    if action == "consultation.extended":
        return _("Comment period extended: %(name)s now closes on %(closes)s") % {
            "name": name,
            "closes": closes,
        }
    if action == "consultation.reopened":
        return _("Comment period reopened: %(name)s now closes on %(closes)s") % {
            "name": name,
            "closes": closes,
        }
    if action == "consultation.report_published":
        count = details.get("comments")
        if not isinstance(count, int):
            return _("Report of the comment period published: %(name)s") % {"name": name}
        return ngettext(
            "Report of the comment period published: %(name)s; %(count)s comment answered",
            "Report of the comment period published: %(name)s; %(count)s comments answered",
            count,
        ) % {"name": name, "count": count}
    if action == "ballot.opened":
        return _("Ballot opened: %(name)s; %(roll)s seats on the roll; closes on %(closes)s") % {
            "name": name,
            "roll": details.get("roll", "?"),
            "closes": closes,
        }
    if action == "ballot.closed":
        return _(
            "Ballot closed: %(name)s; %(cast)s of %(eligible)s seats voted; outcome: %(outcome)s"
        ) % {
            "name": name,
            "cast": details.get("cast", "?"),
            "eligible": details.get("eligible", "?"),
            "outcome": _outcome(details),
        }
    if action == "ballot.certified":
        return _("Ballot result certified: %(name)s; outcome: %(outcome)s") % {
            "name": name,
            "outcome": _outcome(details),
        }
    if action == "seat_assignment.started":
        text = _("Seat taken: %(name)s, from %(start)s") % {
            "name": name,
            "start": _when(details.get("start")),
        }
        if details.get("organisation"):
            text += "; " + _("represents %(organisation)s") % {
                "organisation": details["organisation"]
            }
        return text
    if action == "organisation.admitted":
        link = details.get("chain_link")
        text = _("Admitted as a member organisation: %(name)s") % {"name": name}
        if link in ChainLink.values:
            text += "; " + _("link in the chain: %(link)s") % {"link": ChainLink(link).label}
        return text
    if action == "seat_assignment.ended":
        return _("Seat term ends: %(name)s, on %(end)s") % {
            "name": name,
            "end": _when(details.get("end")),
        }
    simple = {
        "ballot.cancelled": _("Ballot cancelled: %(name)s"),
        "decision.recorded": _("Decision recorded: %(name)s"),
        "decision.published": _("Decision published: %(name)s"),
        "seat.created": _("Seat created: %(name)s"),
        "seat.updated": _("Seat changed: %(name)s"),
        "seat.retired": _("Seat retired: %(name)s"),
        "standard.created": _("Standard created: %(name)s"),
        "standard.updated": _("Standard changed: %(name)s"),
        "version.started": _("New version started: %(name)s"),
        "version.published": _("Version published: %(name)s"),
        "voting_rule.created": _("Voting rule adopted: %(name)s"),
        "voting_rule.updated": _("Voting rule changed: %(name)s"),
        "working_group.created": _("Working group created: %(name)s"),
        "working_group.updated": _("Working group details changed: %(name)s"),
    }
    if action in simple:
        return simple[action] % {"name": name}
    return _("%(name)s: %(action)s") % {"name": name, "action": action}


def register_entries(events) -> list[RegisterEntry]:
    """Public audit events as sentences. Reads only the payload keys whitelisted for
    each action in REGISTER_PAYLOAD_KEYS (the payload column is loaded once, here, and
    nothing of it is kept beyond those keys)."""
    entries = []
    for event in events:
        if not event.is_public:  # belt and braces: a caller's queryset may be wrong
            continue
        payload = event.payload if isinstance(event.payload, dict) else {}
        details = {
            key: payload[key]
            for key in REGISTER_PAYLOAD_KEYS.get(event.action, ())
            if key in payload
        }
        entries.append(
            RegisterEntry(
                sequence=event.sequence,
                created_at=event.created_at,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                sentence=_sentence(event.action, event.object_repr, details),
            )
        )
    return entries


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain's last verification, as cached for the public pages, with its
    head: the last entry's sequence number and hash, and when it was recorded. Whoever
    keeps copies of the head can later show that the history up to it was not
    rewritten (docs/audit.md)."""

    ok: bool
    count: int
    head_sequence: int
    checked_at: datetime.datetime
    broken_sequence: int | None = None
    head_hash: str = GENESIS_HASH
    head_recorded_at: datetime.datetime | None = None


CHAIN_STATUS_TIMEOUT = 600  # seconds


def audit_chain_status() -> ChainStatus:
    """Whether the whole hash chain verifies, and its head. `verify_chain` walks every
    event, so its result is cached for ten minutes under the chain head's sequence
    number: a new event means a new key and a fresh walk. One query when cached."""
    sequence, head_hash = AuditChainHead.objects.filter(pk=1).values_list(
        "sequence", "hash"
    ).first() or (0, GENESIS_HASH)
    key = f"governance:audit-chain-status:v2:{sequence}:{head_hash}"
    status = cache.get(key)
    if status is None:
        check = verify_chain()
        status = ChainStatus(
            ok=check.ok,
            count=check.count,
            head_sequence=sequence,
            checked_at=timezone.now(),
            broken_sequence=check.broken_sequence,
            head_hash=head_hash,
            head_recorded_at=AuditEvent.objects.filter(sequence=sequence)
            .values_list("created_at", flat=True)
            .first(),
        )
        cache.set(key, status, CHAIN_STATUS_TIMEOUT)
    return status


def audit_entry_hash(sequence: int) -> tuple[str, str] | None:
    """(hash, previous hash) of the entry at `sequence`, or None: what a keeper of an
    earlier head compares with the copy they kept. Nothing else of the entry."""
    return AuditEvent.objects.filter(sequence=sequence).values_list("hash", "prev_hash").first()
