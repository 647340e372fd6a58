"""Voting rules and draft ballots: what a ballot asks, which choices it offers and
which rule counts them. Everything here may change until the ballot opens."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import audit, ballot_counting, permissions
from ...models import Ballot, BallotOption, BallotStatus, OptionSet, VotingRule
from .._base import changes, refuse, require, save_audited

NOT_YOUR_BALLOTS = gettext_lazy("You do not run ballots in this working group.")

# Filling in the form takes a moment: an opening time this recent still counts as "now".
CLOCK_SLACK = datetime.timedelta(minutes=15)

# Which rule methods can count which options (governance.tally refuses the rest at close).
FITTING_METHODS = {
    OptionSet.MOTION: {
        VotingRule.Method.THRESHOLD,
        VotingRule.Method.ISO,
        VotingRule.Method.PLURALITY,
    },
    OptionSet.CONSENT: {VotingRule.Method.CONSENSUS},
    OptionSet.CUSTOM: {VotingRule.Method.PLURALITY},
}

DEFAULT_OPTIONS = {
    OptionSet.MOTION: [
        ("for", gettext_lazy("For"), False),
        ("against", gettext_lazy("Against"), False),
        ("abstain", gettext_lazy("Abstain"), False),
    ],
    OptionSet.CONSENT: [
        ("consent", gettext_lazy("Consent"), False),
        ("objection", gettext_lazy("Objection"), True),
        ("abstain", gettext_lazy("Stand aside"), False),
    ],
}


# What the tally reads: frozen while an open ballot uses the rule (its name may change).
COUNTING_FIELDS = tuple(key for key in VotingRule().as_snapshot() if key != "name")


@transaction.atomic
def voting_rule_save(*, actor, rule: VotingRule) -> VotingRule:
    """Create or edit a voting rule. While a ballot that uses it is open, its counting
    cannot change (copy it and edit the copy); nor may a rule that ballots use move to
    another working group."""
    require(permissions.can_run_ballots(actor, rule.working_group), NOT_YOUR_BALLOTS)
    if rule.pk:
        stored = VotingRule.objects.select_for_update().get(pk=rule.pk)
        require(permissions.can_run_ballots(actor, stored.working_group), NOT_YOUR_BALLOTS)
        used = Ballot.objects.filter(rule=stored)
        if stored.working_group_id != rule.working_group_id and used.exists():
            refuse(_("Ballots use this rule: it cannot move to another working group."))
        changed = [f for f in COUNTING_FIELDS if getattr(stored, f) != getattr(rule, f)]
        open_ballots = list(
            used.filter(status=BallotStatus.OPEN)
            .order_by("closes_at")
            .values_list("title", flat=True)[:3]
        )
        if changed and open_ballots:
            refuse(
                _(
                    "This rule counts a ballot that is open now (%(ballots)s): how it counts "
                    "cannot change until that ballot closes. Copy the rule and edit the copy."
                )
                % {"ballots": ", ".join(f"“{title}”" for title in open_ballots)}
            )
    return save_audited(
        actor=actor,
        instance=rule,
        kind="voting_rule",
        working_group=rule.working_group,
        # The tally engine must accept the rule as it will be snapshotted.
        check=lambda: ballot_counting.rule_from_snapshot(rule.as_snapshot()),
    )


@transaction.atomic
def voting_rule_copy(*, actor, rule: VotingRule, name: str = "") -> VotingRule:
    """A new rule of the same working group that counts like `rule`, under a new name
    (by default "Copy of …", numbered until free)."""
    group = rule.working_group
    require(permissions.can_run_ballots(actor, group), NOT_YOUR_BALLOTS)
    name = name.strip()
    if not name:
        base = _("Copy of %(name)s") % {"name": rule.name}
        taken = set(VotingRule.objects.filter(working_group=group).values_list("name", flat=True))
        name, n = base[:120], 2
        while name in taken:
            name, n = f"{base[:110]} ({n})", n + 1
    copy = VotingRule(
        working_group=group,
        name=name,
        **{field: getattr(rule, field) for field in COUNTING_FIELDS},
    )
    copy = voting_rule_save(actor=actor, rule=copy)
    audit.record(
        actor=actor,
        action="voting_rule.copied",
        obj=copy,
        working_group=group,
        payload={"from": rule.pk, "from_name": rule.name},
        public=False,
    )
    return copy


@transaction.atomic
def ballot_save(
    *,
    actor,
    ballot: Ballot,
    options: list[tuple[str, str, bool]] | None = None,
    subject=None,
    now: datetime.datetime | None = None,
) -> Ballot:
    """Create or edit a draft ballot (title, motion, options, dates, rule, secrecy).
    Options default from the option set; custom ballots pass (key, label,
    requires_reason) triples. Times already past are refused here, not only when the
    ballot opens. `now` replays history (demo, tests); views never pass it."""
    now = now or timezone.now()
    if ballot.pk:
        stored = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if stored.status != BallotStatus.DRAFT:
            refuse(_("Once a ballot is open its options, rule, roll and secrecy cannot change."))
        if stored.working_group_id != ballot.working_group_id:
            refuse(_("A ballot cannot move to another working group."), "working_group")
    require(permissions.can_run_ballots(actor, ballot.working_group), NOT_YOUR_BALLOTS)
    # The lifecycle is not the caller's to set: ballot_open, _close, _certify and _cancel
    # move a ballot on, each with its checks, its snapshot and its audit event.
    ballot.status, ballot.cancelled_reason = BallotStatus.DRAFT, ""
    ballot.rule_snapshot, ballot.result, ballot.explanations = {}, None, {}
    ballot.opened_at = ballot.closed_at = ballot.certified_at = None
    if ballot.rule_id and ballot.rule.working_group_id != ballot.working_group_id:
        refuse(_("Choose a voting rule of this working group."), "rule")
    if ballot.opens_at and ballot.closes_at and ballot.closes_at <= ballot.opens_at:
        refuse(_("The ballot must close after it opens."), "closes_at")
    if ballot.closes_at and ballot.closes_at <= now:
        refuse(_("The closing time has already passed."), "closes_at")
    if ballot.opens_at and ballot.opens_at < now - CLOCK_SLACK:
        refuse(_("The opening time has already passed: choose a time to come."), "opens_at")
    if subject is not None:
        ballot.subject_type, ballot.subject_id = (
            ContentType.objects.get_for_model(subject),
            subject.pk,
        )
    ballot.full_clean()
    check_rule_fits(ballot, ballot.rule)
    created, diff = ballot._state.adding, changes(ballot)
    ballot.save()
    if options is None and (created or "option_set" in diff):
        options = DEFAULT_OPTIONS.get(ballot.option_set)
    if options is not None:
        _set_options(ballot, options)
        diff["options"] = [key for key, _label, _reason in options]
    if ballot.option_set == OptionSet.CUSTOM and ballot.options.count() < 2:
        refuse(_("A ballot with custom choices needs at least two choices."), "options")
    if diff:
        audit.record(
            actor=actor,
            action="ballot.created" if created else "ballot.updated",
            obj=ballot,
            working_group=ballot.working_group,
            payload={"changes": diff},
            public=False,
        )
    return ballot


def check_rule_fits(ballot: Ballot, rule: VotingRule) -> None:
    """Refuse what the tally could not count at close: options the rule's method does
    not know, and secret consensus ballots (an objection is recorded with its seat)."""
    if rule.method not in FITTING_METHODS[ballot.option_set]:
        refuse(
            _(
                "The voting rule “%(rule)s” cannot count these choices: for / against / "
                "abstain take a threshold, ISO or plurality rule, consent / objection a "
                "consensus rule, custom choices a plurality rule."
            )
            % {"rule": rule.name},
            "rule",
        )
    if ballot.is_secret and rule.method == VotingRule.Method.CONSENSUS:
        refuse(
            _("A consensus ballot cannot be secret: each objection is recorded with its seat."),
            "secrecy",
        )


def _set_options(ballot: Ballot, options) -> None:
    keys = [key for key, _label, _reason in options]
    if len(set(keys)) != len(keys) or not all(keys):
        refuse(_("Each choice needs its own key."), "options")
    ballot.options.all().delete()
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, key=key, label=label, requires_reason=reason, order=i)
        for i, (key, label, reason) in enumerate(options)
    )
