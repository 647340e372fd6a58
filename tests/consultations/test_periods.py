"""Comment periods: the window enforced on the server (with frozen time), who may
comment (role × audience × state), the minimum length of public rounds, and
extending or reopening a period."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultations import services
from consultations.models import Audience, Consultation, ReminderSent
from governance.models import AuditEvent, GroupRole
from tests.consultations.test_services import (  # noqa: F401 (fresh_rate_limits is autouse)
    actions,
    draft,
    fresh_rate_limits,
    period,
    refused,
    secretariat,
    standard,
)
from tests.factories import SeatFactory, UserFactory, WorkingGroupFactory, give_role, seat_person

UTC = datetime.UTC
MICROSECOND = datetime.timedelta(microseconds=1)
DAY = datetime.timedelta(days=1)


def post(actor, consultation):
    return services.comment_post(
        actor=actor,
        consultation=consultation,
        clause=consultation.version.clauses.order_by("order").first(),
        comment_type="te",
        body="Say who keeps the records.",
    )


# --- The window ---------------------------------------------------------------------------

OPENS = datetime.datetime(2031, 3, 2, 7, 0, tzinfo=UTC)
CLOSES = OPENS + 60 * DAY


@pytest.mark.parametrize(
    ("instant", "refusal"),
    [
        pytest.param(OPENS - MICROSECOND, "has not opened yet", id="before"),
        pytest.param(OPENS, None, id="at the opening instant"),
        pytest.param(OPENS + 30 * DAY, None, id="during"),
        pytest.param(CLOSES - MICROSECOND, None, id="just before the closing instant"),
        pytest.param(CLOSES, "is closed", id="at the closing instant"),
        pytest.param(CLOSES + DAY, "is closed", id="after"),
    ],
)
def test_the_window_is_enforced_on_the_server(group, instant, refusal):
    consultation = period(draft(standard(group)), opens_at=OPENS, closes_at=CLOSES)
    author = UserFactory()

    with time_machine.travel(instant, tick=False):
        if refusal is None:
            posted = post(author, consultation)
            assert posted.created_at == instant
            assert actions() == ["comment.posted"]
        else:
            with refused(ValidationError, match=refusal):
                post(author, consultation)


# --- Who may comment: role × audience × state -------------------------------------------------


def _role(role):
    def make(group):
        person = UserFactory()
        give_role(person, group, role)
        return person

    return make


ROLES = {
    "anonymous": lambda group: AnonymousUser(),
    "registered, unverified": lambda group: UserFactory(email_verified=False),
    "registered, verified": lambda group: UserFactory(),
    "observer": _role(GroupRole.OBSERVER),
    "member": _role(GroupRole.MEMBER),
    "seat holder": lambda group: seat_person(SeatFactory(working_group=group)).person,
    "secretariat": lambda group: secretariat(group),
    "secretariat of another group": lambda group: secretariat(WorkingGroupFactory()),
}
ADMITTED = {
    Audience.PUBLIC: {
        "registered, verified",
        "observer",
        "member",
        "seat holder",
        "secretariat",
        "secretariat of another group",
    },
    Audience.MEMBERS: {"member", "seat holder", "secretariat"},
}


@pytest.mark.parametrize("state", ["scheduled", "open", "closed"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBERS])
@pytest.mark.parametrize("role", list(ROLES))
def test_who_may_comment(group, role, audience, state):
    """Only admitted people, only while open. Someone not admitted is refused as such
    (PermissionDenied) whatever the state; an admitted person outside the window gets
    the window's message (ValidationError)."""
    consultation = period(draft(standard(group)), state=state, audience=audience)
    person = ROLES[role](group)
    admitted = role in ADMITTED[audience]

    if admitted and state == "open":
        assert post(person, consultation).author == person
        assert actions() == ["comment.posted"]
    else:
        with refused(ValidationError if admitted else PermissionDenied):
            post(person, consultation)


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("anonymous", "Log in to comment"),
        ("registered, unverified", "Verify your email address"),
    ],
)
def test_refusals_say_what_to_do(group, role, message):
    consultation = period(draft(standard(group)))
    with refused(PermissionDenied, match=message):
        post(ROLES[role](group), consultation)


def test_members_only_refusal_names_the_group(group):
    consultation = period(draft(standard(group)), audience=Audience.MEMBERS)
    with refused(PermissionDenied, match=f"Only members of {group.name}"):
        post(UserFactory(), consultation)


# --- Minimum length of public rounds ----------------------------------------------------------


def schedule(actor, version, *, days, audience=Audience.PUBLIC, justification=""):
    opens_at = timezone.now() + DAY
    return services.consultation_schedule(
        actor=actor,
        version=version,
        audience=audience,
        opens_at=opens_at,
        closes_at=opens_at + days * DAY,
        instructions="Comment clause by clause.",
        short_round_justification=justification,
    )


@pytest.fixture
def clerk(group):
    return secretariat(group)


@pytest.fixture
def v1(group):
    return draft(standard(group))


def test_a_59_day_public_round_needs_a_justification(clerk, v1):
    with refused(match="at least 60 days") as info:
        schedule(clerk, v1, days=59)
    assert "short_round_justification" in info.value.error_dict


def test_a_justified_short_public_round_is_allowed_and_recorded(clerk, v1):
    consultation = schedule(clerk, v1, days=59, justification="  Editorial changes only.  ")

    assert consultation.short_round_justification == "Editorial changes only."
    event = AuditEvent.objects.get()
    assert (event.action, event.is_public) == ("consultation.scheduled", True)
    assert event.payload["justification"] == "Editorial changes only."


def test_a_60_day_public_round_needs_no_justification(clerk, v1):
    assert schedule(clerk, v1, days=60).short_round_justification == ""


def test_members_only_rounds_are_exempt(clerk, v1):
    consultation = schedule(clerk, v1, days=14, audience=Audience.MEMBERS)
    assert (consultation.audience, consultation.length) == (Audience.MEMBERS, 14 * DAY)


def test_the_minimum_is_the_groups_own(clerk, v1, group):
    group.min_public_consultation_days = 90
    group.save()

    with refused(match="at least 90 days"):
        schedule(clerk, v1, days=60)


def test_scheduling_refusals(clerk, v1):
    now = timezone.now()
    with refused(match="close after it opens"):
        services.consultation_schedule(
            actor=clerk, version=v1, audience="public", opens_at=now + DAY, closes_at=now + DAY
        )
    with refused(match="cannot open in the past"):
        services.consultation_schedule(
            actor=clerk, version=v1, audience="public", opens_at=now - DAY, closes_at=now + 90 * DAY
        )
    with refused(match="need a time zone"):
        services.consultation_schedule(
            actor=clerk,
            version=v1,
            audience="public",
            opens_at=datetime.datetime(2031, 1, 1, 9),
            closes_at=datetime.datetime(2031, 4, 1, 9),
        )
    with refused(PermissionDenied):
        schedule(secretariat(WorkingGroupFactory()), v1, days=60)
    schedule(clerk, v1, days=60)
    with refused(match="already has a scheduled or open comment period"):
        schedule(clerk, v1, days=60)


# --- Extending and reopening -------------------------------------------------------------------


def reminders(consultation) -> set[str]:
    return set(consultation.reminders.values_list("kind", flat=True))


def test_extending_an_open_period(clerk, v1):
    consultation = period(v1, state="open")
    for kind in ("opened", "7d", "1d"):
        ReminderSent.objects.create(consultation=consultation, kind=kind)
    new_close = consultation.closes_at + 14 * DAY

    services.consultation_extend(
        actor=clerk, consultation=consultation, closes_at=new_close, reason="Requests from miners."
    )

    consultation.refresh_from_db()
    assert consultation.closes_at == new_close
    assert reminders(consultation) == {"opened"}  # the closing reminders are due again
    event = AuditEvent.objects.get()
    assert (event.action, event.is_public) == ("consultation.extended", True)
    assert event.payload["reason"] == "Requests from miners."


def test_reopening_a_closed_period(clerk, v1):
    consultation = period(v1, state="closed")
    ReminderSent.objects.create(consultation=consultation, kind="1d")

    services.consultation_extend(
        actor=clerk,
        consultation=consultation,
        closes_at=timezone.now() + 10 * DAY,
        reason="The translation was late.",
    )

    consultation.refresh_from_db()
    assert consultation.is_open()
    assert reminders(consultation) == set()
    assert actions() == ["consultation.reopened"]
    assert post(UserFactory(), consultation).consultation == consultation


def test_no_reopening_after_the_report_is_published(clerk, v1):
    consultation = period(v1, state="closed", report_published_at=timezone.now())

    with refused(match="report of this period is published"):
        services.consultation_extend(
            actor=clerk,
            consultation=consultation,
            closes_at=timezone.now() + 10 * DAY,
            reason="Second thoughts.",
        )


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_extending_needs_a_reason(clerk, v1, reason):
    consultation = period(v1)

    with refused(match="Give the reason") as info:
        services.consultation_extend(
            actor=clerk,
            consultation=consultation,
            closes_at=consultation.closes_at + DAY,
            reason=reason,
        )
    assert "reason" in info.value.error_dict


def test_extending_refusals(clerk, v1):
    consultation = period(v1)
    closed = period(draft(v1.standard, label="2.0"), state="closed")

    with refused(match="later than the current one"):
        services.consultation_extend(
            actor=clerk, consultation=consultation, closes_at=consultation.closes_at, reason="x"
        )
    with refused(match="in the future"):
        services.consultation_extend(
            actor=clerk, consultation=closed, closes_at=timezone.now() - MICROSECOND, reason="x"
        )
    with refused(PermissionDenied):
        services.consultation_extend(
            actor=secretariat(WorkingGroupFactory()),
            consultation=consultation,
            closes_at=consultation.closes_at + DAY,
            reason="x",
        )
    assert Consultation.objects.get(pk=consultation.pk).closes_at == consultation.closes_at
