"""Drafting, commenting and resolution services: what each does, and that every refusal
changes nothing and writes no audit event.

The builders in the first section set the scene by creating rows directly, on
purpose (no audit events); test_periods.py, test_notifications.py and
test_admin.py import them from here.
"""

import contextlib
import copy
import datetime
import io
import itertools
import uuid
from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from consultations import services
from consultations.draft_import import parse_docx, parse_markdown
from consultations.models import (
    MAX_COMMENT_LENGTH,
    Audience,
    Clause,
    Comment,
    CommentRevision,
    CommentSource,
    CommentType,
    Consultation,
    Disposition,
    DispositionDecision,
    DraftVersion,
    ReminderSent,
    Standard,
    VersionStatus,
)
from consultations.resolution_matrix import MatrixRow
from governance.models import AuditEvent, GroupRole, User, WorkingGroup
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

# --- builders (rows made directly; no services, no audit events) -----------------------

DAY = datetime.timedelta(days=1)
DEFAULT_CLAUSES = (("1", "Scope"), ("2", "Traceability"), ("3", "Due diligence"))
_numbers = itertools.count(1)


def secretariat(group: WorkingGroup, **kwargs) -> User:
    """A person who runs the group's comment periods, object permissions in place."""
    person = UserFactory(**kwargs)
    give_role(person, group, GroupRole.SECRETARIAT)
    return person


def member(group: WorkingGroup, **kwargs) -> User:
    person = UserFactory(**kwargs)
    give_role(person, group, GroupRole.MEMBER)
    return person


def standard(group: WorkingGroup | None = None, **kwargs) -> Standard:
    n = next(_numbers)
    kwargs.setdefault("title", f"Standard {n}")
    kwargs.setdefault("slug", f"standard-{n}")
    return Standard.objects.create(working_group=group or WorkingGroupFactory(), **kwargs)


def draft(
    std: Standard | None = None,
    *,
    label: str = "1.0",
    status: str = VersionStatus.DRAFTING,
    clauses=DEFAULT_CLAUSES,
    based_on: DraftVersion | None = None,
) -> DraftVersion:
    """A version with clauses given as (number, heading[, body[, level]])."""
    version = DraftVersion.objects.create(
        standard=std or standard(),
        label=label,
        status=status,
        based_on=based_on,
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
    )
    for order, spec in enumerate(clauses):
        number, heading, body, level = (*spec, None, None)[:4]
        Clause.objects.create(
            version=version,
            number=number,
            heading=heading,
            body=body or f"Text of {heading.lower()}.",
            level=number.count(".") + 1 if level is None else level,
            order=order,
        )
    return version


def period(
    version: DraftVersion | None = None,
    *,
    state: str = "open",
    audience: str = Audience.PUBLIC,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    at: datetime.datetime | None = None,
    **kwargs,
) -> Consultation:
    """A period that is `state` ("scheduled", "open", "closed") at `at` (default now),
    unless its instants are given. The version goes into consultation."""
    version = version or draft()
    at = at or timezone.now()
    window = {
        "scheduled": (at + DAY, at + 61 * DAY),
        "open": (at - DAY, at + 59 * DAY),
        "closed": (at - 61 * DAY, at - DAY),
    }[state]
    kwargs.setdefault("round_number", version.consultations.count() + 1)
    consultation = Consultation.objects.create(
        version=version,
        audience=audience,
        opens_at=opens_at or window[0],
        closes_at=closes_at or window[1],
        **kwargs,
    )
    if version.status == VersionStatus.DRAFTING:
        version.status = VersionStatus.CONSULTATION
        version.save(update_fields=["status"])
    return consultation


def comment(
    consultation: Consultation,
    *,
    author: User | None = None,
    clause: Clause | None = None,
    body: str = "Please say who checks the records.",
    comment_type: str = CommentType.TECHNICAL,
    **kwargs,
) -> Comment:
    return Comment.objects.create(
        consultation=consultation,
        author=author or UserFactory(),
        clause=clause,
        comment_type=comment_type,
        body=body,
        **kwargs,
    )


def disposition(
    comment_: Comment,
    *,
    decided_by: User,
    decision: str = DispositionDecision.NOTED,
    response: str = "Thank you; noted.",
    **kwargs,
) -> Disposition:
    return Disposition.objects.create(
        comment=comment_, decided_by=decided_by, decision=decision, response=response, **kwargs
    )


WATCHED = (
    Standard,
    DraftVersion,
    Clause,
    Consultation,
    Comment,
    CommentRevision,
    Disposition,
    ReminderSent,
    AuditEvent,
)


def snapshot() -> dict:
    return {model: list(model.objects.order_by("pk").values()) for model in WATCHED}


@contextlib.contextmanager
def refused(exception=ValidationError, match: str | None = None):
    """The block raises `exception` (message matching `match`), and afterwards every
    row of standards, drafts, periods, comments, dispositions and the audit log is as
    it was before."""
    before = snapshot()
    with pytest.raises(exception, match=match) as info:
        yield info
    after = snapshot()
    for model in WATCHED:
        assert after[model] == before[model], f"{model.__name__} changed"


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Rate-limit counters live in the cache (Redis under REDIS_URL), which outlives the
    test database: give each test its own key prefix."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-consultations-{uuid.uuid4().hex}"
    settings.CACHES = caches


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def clerk(group):
    return secretariat(group, username="clerk")


@pytest.fixture
def std(group):
    return standard(group, title="ASM Cobalt Framework", slug="asm-cobalt-framework")


@pytest.fixture
def v1(std):
    return draft(std)


@pytest.fixture
def open_period(v1):
    return period(v1)


# --- Drafting ---------------------------------------------------------------------------


def test_standard_save_creates_with_a_slug_and_refuses_a_move(clerk, group):
    created = services.standard_save(
        actor=clerk, standard=Standard(title="Tailings Standard", working_group=group)
    )
    assert created.slug == "tailings-standard"
    assert actions() == ["standard.created"]

    created.working_group = WorkingGroupFactory()
    with refused(match="cannot move to another working group"):
        services.standard_save(actor=clerk, standard=created)


def test_version_start_copies_clauses_with_the_same_keys(clerk, std, v1):
    v2 = services.version_start(actor=clerk, standard=std, label="2.0", based_on=v1)

    copied = list(v2.clauses.order_by("order").values_list("key", "number", "heading", "body"))
    assert copied == list(
        v1.clauses.order_by("order").values_list("key", "number", "heading", "body")
    )
    assert not set(v2.clauses.values_list("pk", flat=True)) & set(
        v1.clauses.values_list("pk", flat=True)
    )
    assert (v2.based_on, v2.status) == (v1, VersionStatus.DRAFTING)
    assert actions() == ["version.started"]


def test_version_start_refusals(clerk, std, v1, group):
    with refused(match="already has a version 1.0"):
        services.version_start(actor=clerk, standard=std, label="1.0")
    elsewhere = draft(label="x")
    with refused(match="same standard"):
        services.version_start(actor=clerk, standard=std, label="2.0", based_on=elsewhere)
    outsider = secretariat(WorkingGroupFactory())
    with refused(PermissionDenied, match="do not draft standards"):
        services.version_start(actor=outsider, standard=std, label="2.0", based_on=v1)
    with refused(PermissionDenied):
        services.version_start(actor=member(group), standard=std, label="2.0")


@pytest.mark.parametrize(
    "status", [VersionStatus.CONSULTATION, VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]
)
@pytest.mark.parametrize("change", ["add", "edit", "delete", "reorder", "renumber"])
def test_a_version_no_longer_drafting_cannot_change(clerk, std, status, change):
    version = draft(std, status=status)
    clause = version.clauses.order_by("order").first()
    clause.heading = "Changed"  # in memory only
    keys = list(version.clauses.order_by("-order").values_list("key", flat=True))
    calls = {
        "add": lambda: services.clause_save(
            actor=clerk, clause=Clause(version=version, number="9", heading="New")
        ),
        "edit": lambda: services.clause_save(actor=clerk, clause=clause),
        "delete": lambda: services.clause_delete(actor=clerk, clause=clause),
        "reorder": lambda: services.clauses_reorder(actor=clerk, version=version, keys=keys),
        "renumber": lambda: services.version_renumber(actor=clerk, version=version),
    }

    with refused(match="only a version being drafted can change"):
        calls[change]()


def test_clause_save_and_delete_on_a_draft(clerk, v1):
    added = services.clause_save(
        actor=clerk, clause=Clause(version=v1, number="4", heading="Grievances", body="Hear them.")
    )
    assert added.order == 3  # after the last clause (orders 0, 1, 2)
    with refused(match="already has a clause 1"):
        services.clause_save(actor=clerk, clause=Clause(version=v1, number="1", heading="Dup"))
    added.heading = "Grievance mechanism"
    services.clause_save(actor=clerk, clause=added)
    services.clause_delete(actor=clerk, clause=added)

    assert not Clause.objects.filter(pk=added.pk).exists()
    assert actions() == ["clause.created", "clause.updated", "clause.deleted"]


MARKDOWN_V2 = """Cover note for the second draft.

# Scope
What this covers, now with tailings.

# Definitions
Words used here.

# Traceability
Every bag is tagged.

# Grievances
How to complain.
"""


def test_import_markdown_keeps_the_keys_of_matching_clauses(clerk, std, v1):
    old = {c.heading: c.key for c in v1.clauses.all()}

    v2 = services.version_import(
        actor=clerk,
        standard=std,
        label="2.0",
        clauses=parse_markdown(MARKDOWN_V2),
        based_on=v1,
        source="draft-2.md",
    )

    rows = {c.heading: c for c in v2.clauses.order_by("order")}
    assert [(c.number, c.level) for c in rows.values()] == [
        ("0", 0),
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("4", 1),
    ]
    # "Traceability" keeps its key by heading, although "Definitions" now holds number 2.
    assert rows["Scope"].key == old["Scope"]
    assert rows["Traceability"].key == old["Traceability"]
    assert rows["Definitions"].key not in old.values()
    assert rows["Grievances"].key not in old.values()
    assert v2.based_on == v1
    assert actions() == ["version.started", "version.imported"]
    assert AuditEvent.objects.get(action="version.imported").payload == {
        "clauses": 5,
        "source": "draft-2.md",
    }
    # Renumbering keeps the preamble as "0".
    services.version_renumber(actor=clerk, version=v2)
    assert list(v2.clauses.order_by("order").values_list("number", flat=True)) == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]


def test_import_docx_keeps_the_keys_of_matching_clauses(clerk, std, v1):
    document = Document()
    document.add_heading("1 Scope", level=1)
    document.add_paragraph("What this covers.")
    document.add_heading("2 Traceability of bags", level=1)  # renamed: matched by number
    document.add_paragraph("Every bag is tagged.")
    document.add_heading("2.1 Records", level=2)
    document.add_paragraph("Kept five years.")
    data = io.BytesIO()
    document.save(data)
    data.seek(0)
    old = {c.number: c.key for c in v1.clauses.all()}

    v2 = services.version_import(
        actor=clerk, standard=std, label="2.0", clauses=parse_docx(data), based_on=v1
    )

    rows = list(v2.clauses.order_by("order").values_list("number", "heading", "key"))
    assert [(n, h) for n, h, _ in rows] == [
        ("1", "Scope"),
        ("2", "Traceability of bags"),
        ("2.1", "Records"),
    ]
    assert [k for _, _, k in rows[:2]] == [old["1"], old["2"]]
    assert rows[2][2] not in old.values()


def test_import_refusals_create_nothing(clerk, std, v1):
    elsewhere = draft(label="elsewhere")
    with refused(match="no clauses"):
        services.version_import(actor=clerk, standard=std, label="2.0", clauses=[])
    with refused(match="same standard"):
        services.version_import(
            actor=clerk,
            standard=std,
            label="2.0",
            clauses=parse_markdown("# Scope"),
            based_on=elsewhere,
        )
    with refused(match="already has a version 1.0"):
        services.version_import(
            actor=clerk, standard=std, label="1.0", clauses=parse_markdown("# Scope")
        )


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(lambda k: k[:2], id="one missing"),
        pytest.param(lambda k: [k[0], k[0], k[1], k[2]], id="one twice"),
        pytest.param(lambda k: [*k[:2], "not-a-key"], id="unknown key"),
        pytest.param(lambda k: [*k, "extra"], id="one too many"),
    ],
)
def test_reorder_must_list_every_clause_once(clerk, v1, keys):
    current = list(v1.clauses.order_by("order").values_list("key", flat=True))

    with refused(match="every clause of the version exactly once"):
        services.clauses_reorder(actor=clerk, version=v1, keys=keys(current))


def test_reorder(clerk, v1):
    keys = list(v1.clauses.order_by("order").values_list("key", flat=True))

    services.clauses_reorder(actor=clerk, version=v1, keys=keys[::-1])

    assert list(v1.clauses.order_by("order").values_list("key", flat=True)) == keys[::-1]
    assert actions() == ["clauses.reordered"]


def test_renumber_follows_order_and_levels(clerk, std):
    version = draft(
        std,
        clauses=[
            ("7", "Scope", "", 1),
            ("7.3", "Sites", "", 2),
            ("9", "Pits", "", 2),
            ("1", "Traceability", "", 1),
            ("1.1", "Records", "", 2),
        ],
    )

    services.version_renumber(actor=clerk, version=version)

    assert list(version.clauses.order_by("order").values_list("number", flat=True)) == [
        "1",
        "1.1",
        "1.2",
        "2",
        "2.1",
    ]
    assert actions() == ["version.renumbered"]


def test_publish_supersedes_the_previous_published_version(clerk, std):
    old = draft(std, label="1.0", status=VersionStatus.PUBLISHED)
    new = draft(std, label="2.0")
    period(new, state="closed")

    services.version_publish(actor=clerk, version=new)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
    assert new.published_at is not None
    assert actions() == ["version.published"]
    with refused(match="already published"):
        services.version_publish(actor=clerk, version=new)


@pytest.mark.parametrize("state", ["scheduled", "open"])
def test_publish_is_refused_while_a_period_is_scheduled_or_open(clerk, std, state):
    draft(std, label="1.0", status=VersionStatus.PUBLISHED)
    new = draft(std, label="2.0")
    period(new, state=state)

    with refused(match="still scheduled or open"):
        services.version_publish(actor=clerk, version=new)


def test_publish_refusals(clerk, std, group):
    empty = draft(std, label="0.1", clauses=())
    ready = draft(std, label="0.2")
    with refused(match="without clauses"):
        services.version_publish(actor=clerk, version=empty)
    with refused(PermissionDenied):
        services.version_publish(actor=member(group), version=ready)


# --- Commenting -------------------------------------------------------------------------


def post(actor, consultation, **kwargs):
    kwargs.setdefault("clause", consultation.version.clauses.order_by("order").first())
    kwargs.setdefault("comment_type", CommentType.TECHNICAL)
    kwargs.setdefault("body", "Say who keeps the records.")
    return services.comment_post(actor=actor, consultation=consultation, **kwargs)


def test_comment_text_is_sanitised(open_period):
    posted = post(
        UserFactory(),
        open_period,
        body='Keep <b>records</b><script>alert("x")</script> <a href="javascript:x">here</a>',
        proposed_change="<img src=x onerror=alert(1)>Add “five years”.",
        paragraph="<i>Table 2</i>",
    )

    assert posted.body == "Keep records here"
    assert posted.proposed_change == "Add “five years”."
    assert posted.paragraph == "Table 2"
    assert actions() == ["comment.posted"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "The comment is empty"),
        ({"body": "<script>only a script</script>"}, "The comment is empty"),
        ({"body": "x" * (MAX_COMMENT_LENGTH + 1)}, "at most 5000 characters"),
        ({"proposed_change": "y" * (MAX_COMMENT_LENGTH + 1)}, "proposed change may be at most"),
        ({"comment_type": "xx"}, "Choose the type of comment"),
    ],
)
def test_bad_comments_are_refused(open_period, fields, message):
    author = UserFactory()
    with refused(match=message):
        post(author, open_period, **fields)


def test_a_comment_at_the_length_limit_is_accepted(open_period):
    assert len(post(UserFactory(), open_period, body="x" * MAX_COMMENT_LENGTH).body) == 5000


def test_a_clause_of_another_version_is_refused(open_period, std):
    other = draft(std, label="0.9").clauses.first()
    with refused(match="not part of the draft under comment"):
        post(UserFactory(), open_period, clause=other)


def test_comments_are_rate_limited_per_person(open_period, settings):
    settings.RATE_LIMITS = {"comment": (3, 600)}
    author, neighbour = UserFactory(), UserFactory()
    for n in range(3):
        post(author, open_period, body=f"Comment {n}")

    with refused(match="many comments in a short time"):
        post(author, open_period, body="Comment 4")
    post(neighbour, open_period, body="Someone else is not limited")
    assert Comment.objects.filter(author=author).count() == 3


def test_the_same_idempotency_key_makes_one_comment(open_period):
    author = UserFactory()
    first = post(author, open_period, idempotency_key="form-7f3a")
    again = post(author, open_period, idempotency_key="form-7f3a", body="Double click")

    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    assert actions() == ["comment.posted"]
    # Another person's identical key is another comment.
    post(UserFactory(), open_period, idempotency_key="form-7f3a")
    assert Comment.objects.count() == 2


def test_editing_keeps_the_previous_text(open_period):
    author = UserFactory()
    posted = post(author, open_period, body="First thoughts")
    second = open_period.version.clauses.order_by("order")[1]

    edited = services.comment_edit(
        actor=author,
        comment=posted,
        clause=second,
        comment_type=CommentType.EDITORIAL,
        body="Second <b>thoughts</b>",
    )

    assert (edited.body, edited.clause, edited.comment_type) == ("Second thoughts", second, "ed")
    revision = CommentRevision.objects.get(comment=posted)
    assert (revision.body, revision.comment_type) == ("First thoughts", "te")
    assert actions() == ["comment.posted", "comment.edited"]


def test_only_the_author_edits_while_the_period_is_open(open_period):
    author = UserFactory()
    posted = post(author, open_period)
    edit = {"clause": None, "comment_type": "ge", "body": "Hijacked"}

    with refused(PermissionDenied, match="Only the author"):
        services.comment_edit(actor=UserFactory(), comment=posted, **edit)
    Consultation.objects.filter(pk=open_period.pk).update(closes_at=timezone.now())
    with refused(match="closed"):
        services.comment_edit(actor=author, comment=posted, **edit)
    with refused(match="closed"):
        services.comment_withdraw(actor=author, comment=posted)


def test_withdrawing_keeps_the_text_and_ends_editing(open_period):
    author = UserFactory()
    posted = post(author, open_period)

    withdrawn = services.comment_withdraw(actor=author, comment=posted)

    assert withdrawn.withdrawn_at is not None
    assert CommentRevision.objects.get(comment=posted).body == posted.body
    assert Comment.objects.active().count() == 0
    with refused(match="withdrawn"):
        services.comment_edit(
            actor=author, comment=posted, clause=None, comment_type="ge", body="Back"
        )
    assert actions() == ["comment.posted", "comment.withdrawn"]


def test_affiliation_is_recorded_as_it_was(open_period):
    miners = ChamberFactory(name="Artisanal miners")
    north = ChamberFactory(name="Miners North", parent=miners)
    cooperative = OrganisationFactory(name="Kolwezi Cooperative", chamber=north)
    author = UserFactory(organisation=cooperative)

    posted = post(author, open_period)
    author.organisation = OrganisationFactory(name="Later employer", chamber=ChamberFactory())
    author.save()
    cooperative.name = "Renamed Cooperative"
    cooperative.save()

    posted.refresh_from_db()
    assert posted.organisation_name == "Kolwezi Cooperative"
    assert posted.chamber == miners  # the top-level chamber
    assert posted.organisation_id == cooperative.pk


def test_a_seat_holder_speaks_for_the_seats_organisation(open_period, group):
    chamber = ChamberFactory(name="Industry")
    assignment = seat_person(
        SeatFactory(working_group=group, chamber=chamber),
        organisation=OrganisationFactory(name="Refinery SA"),
        person=UserFactory(organisation=OrganisationFactory(name="Own employer")),
    )

    posted = post(assignment.person, open_period)

    assert (posted.organisation_name, posted.chamber) == ("Refinery SA", chamber)


# --- Resolution -------------------------------------------------------------------------


@pytest.fixture
def closed_period(v1):
    return period(v1, state="closed")


def test_dispose_and_change_the_disposition(clerk, closed_period):
    row = comment(closed_period)

    services.comment_dispose(
        actor=clerk, comment=row, decision="not_accepted", response="Out of <b>reach</b>."
    )
    services.comment_dispose(
        actor=clerk, comment=row, decision="accepted", response="On reflection, yes."
    )

    answer = Disposition.objects.get(comment=row)
    assert (answer.decision, answer.response, answer.decided_by) == (
        "accepted",
        "On reflection, yes.",
        clerk,
    )
    assert actions() == ["comment.disposed", "comment.disposition_changed"]


def test_disposition_refusals(clerk, closed_period, group):
    row = comment(closed_period)
    withdrawn = comment(closed_period, withdrawn_at=timezone.now())

    with refused(match="withdrawn"):
        services.comment_dispose(actor=clerk, comment=withdrawn, decision="noted", response="x")
    with refused(match="Choose a decision"):
        services.comment_dispose(actor=clerk, comment=row, decision="maybe", response="x")
    with refused(match="Write the group's response"):
        services.comment_dispose(actor=clerk, comment=row, decision="noted", response=" <p></p>")
    with refused(PermissionDenied, match="do not resolve comments"):
        services.comment_dispose(
            actor=secretariat(WorkingGroupFactory()), comment=row, decision="noted", response="x"
        )
    with refused(PermissionDenied):
        services.comment_dispose(actor=member(group), comment=row, decision="noted", response="x")


def test_the_resulting_clause_is_in_a_later_version_of_the_same_standard(
    clerk, std, v1, closed_period
):
    row = comment(closed_period)
    earlier = DraftVersion.objects.create(standard=std, label="0.9")
    DraftVersion.objects.filter(pk=earlier.pk).update(created_at=v1.created_at - DAY)
    earlier_clause = Clause.objects.get(
        pk=Clause.objects.create(version=earlier, number="1", heading="Old").pk
    )
    later = draft(std, label="2.0")
    for wrong in (v1.clauses.first(), earlier_clause, draft(label="other").clauses.first()):
        with refused(match="later version of the same standard"):
            services.comment_dispose(
                actor=clerk,
                comment=row,
                decision="accepted",
                response="Yes.",
                resulting_clause=wrong,
            )

    target = later.clauses.get(number="2")
    services.comment_dispose(
        actor=clerk, comment=row, decision="accepted", response="Yes.", resulting_clause=target
    )
    assert Disposition.objects.get().resulting_clause == target


def test_bulk_disposition_is_all_or_none(clerk, closed_period):
    rows = [comment(closed_period) for _ in range(3)]
    withdrawn = comment(closed_period, withdrawn_at=timezone.now())
    elsewhere = comment(period(draft(label="other"), state="closed"))
    ids = [r.pk for r in rows]

    for bad in ([*ids, withdrawn.pk], [*ids, elsewhere.pk], [*ids, 10**9], []):
        with refused(match="not active comments of this period"):
            services.comments_dispose_bulk(
                actor=clerk,
                consultation=closed_period,
                comment_ids=bad,
                decision="noted",
                response="Noted.",
            )

    done = services.comments_dispose_bulk(
        actor=clerk,
        consultation=closed_period,
        comment_ids=ids,
        decision="noted",
        response="Noted.",
    )
    assert {d.comment_id for d in done} == set(ids)
    assert actions() == ["comment.disposed"] * 3


def test_report_publish_needs_every_comment_disposed_and_the_period_closed(clerk, v1):
    consultation = period(v1, state="open")
    rows = [comment(consultation) for _ in range(2)]
    comment(consultation, withdrawn_at=timezone.now())  # withdrawn: needs no disposition
    disposition(rows[0], decided_by=clerk)

    with refused(match="once the period has closed"):
        services.report_publish(actor=clerk, consultation=consultation)
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now())
    with refused(match="1 comment"):
        services.report_publish(actor=clerk, consultation=consultation)

    disposition(rows[1], decided_by=clerk)
    published = services.report_publish(
        actor=clerk, consultation=consultation, summary="<b>All</b> handled."
    )

    assert published.report_published_at is not None
    assert published.report_summary == "All handled."
    assert actions() == ["consultation.report_published"]


def test_after_the_report_dispositions_are_final(clerk, closed_period):
    row = comment(closed_period)
    disposition(row, decided_by=clerk)
    services.report_publish(actor=clerk, consultation=closed_period)

    with refused(match="dispositions are final"):
        services.comment_dispose(actor=clerk, comment=row, decision="accepted", response="Changed")
    with refused(match="dispositions are final"):
        services.comments_dispose_bulk(
            actor=clerk,
            consultation=closed_period,
            comment_ids=[row.pk],
            decision="noted",
            response="x",
        )
    with refused(match="published"):
        services.report_publish(actor=clerk, consultation=closed_period)


# --- Importing comments ------------------------------------------------------------------


def rows_for(version: DraftVersion) -> list[MatrixRow]:
    return [
        MatrixRow(
            commenter="Amani Kabila",
            organisation="Kolwezi Cooperative",
            clause="1",
            paragraph="a)",
            type_code="te",
            comment="Name the <b>pits</b>.",
            proposed_change="Add a list.",
            line=5,
        ),
        MatrixRow(
            commenter="Jo Smith",
            organisation="Unknown Trading Ltd",
            clause="",
            type_code="ge",
            comment="Good work overall.",
            line=6,
        ),
    ]


def test_comments_import_attributes_and_audits_every_row(clerk, open_period):
    chamber = ChamberFactory(name="Artisanal miners")
    cooperative = OrganisationFactory(name="Kolwezi Cooperative", chamber=chamber)

    imported = services.comments_import(
        actor=clerk,
        consultation=open_period,
        rows=rows_for(open_period.version),
        filename="acme.xlsx",
    )

    first, second = imported.created
    assert (first.commenter_name, first.organisation, first.chamber) == (
        "Amani Kabila",
        cooperative,
        chamber,
    )
    assert (first.clause.number, first.body, first.paragraph) == ("1", "Name the pits.", "a)")
    assert (second.organisation, second.organisation_name, second.clause) == (
        None,
        "Unknown Trading Ltd",
        None,
    )
    for row in imported.created:
        assert (row.author, row.submitted_by, row.source) == (clerk, clerk, CommentSource.IMPORT)
    events = AuditEvent.objects.filter(action="comment.imported")
    assert [e.payload["row"] for e in events] == [5, 6]
    assert {e.payload["file"] for e in events} == {"acme.xlsx"}
    assert actions() == ["comment.imported", "comment.imported"]


def test_importing_the_same_spreadsheet_twice_adds_nothing_the_second_time(clerk, open_period):
    rows = rows_for(open_period.version)
    services.comments_import(actor=clerk, consultation=open_period, rows=rows, filename="a.xlsx")

    again = services.comments_import(
        actor=clerk, consultation=open_period, rows=rows, filename="a-copy.xlsx"
    )
    assert again.created == [] and again.repeated_lines == [5, 6]
    assert open_period.comments.count() == 2
    assert actions() == ["comment.imported", "comment.imported"]

    # A row copied within one file counts once; a withdrawn comment may come back.
    Comment.objects.filter(body="Name the pits.").update(withdrawn_at=timezone.now())
    doubled = [rows[0], replace(rows[0], line=9)]
    third = services.comments_import(actor=clerk, consultation=open_period, rows=doubled)
    assert [c.body for c in third.created] == ["Name the pits."] and third.repeated_lines == [9]


def test_an_import_skips_what_was_typed_on_the_web_or_imported_by_a_colleague(
    clerk, open_period, group
):
    """A file whose rows name no commenter, sent by two secretariat members; the
    period's own matrix sent back with comments typed on the web."""
    colleague = secretariat(group, username="second-clerk")
    nameless = replace(rows_for(open_period.version)[1], commenter="")
    services.comments_import(actor=clerk, consultation=open_period, rows=[nameless])
    again = services.comments_import(actor=colleague, consultation=open_period, rows=[nameless])
    assert again.created == [] and again.repeated_lines == [nameless.line]

    pit_clause = open_period.version.clauses.get(number="2")
    typed = comment(
        open_period,
        clause=pit_clause,
        body="Shore every pit.",
        paragraph="b)",
        proposed_change="Add a shoring rule.",
        organisation_name="Kolwezi Cooperative",
    )
    sent_back = MatrixRow(
        commenter="Someone else",
        organisation=typed.organisation_name,
        clause=typed.clause.number if typed.clause else "",
        paragraph=typed.paragraph,
        type_code="te",
        comment="Shore every pit.",
        proposed_change=typed.proposed_change,
        line=4,
    )
    result = services.comments_import(actor=clerk, consultation=open_period, rows=[sent_back])
    assert result.created == [] and result.repeated_lines == [4]
    assert open_period.comments.count() == 2


def test_comments_import_refusals_import_nothing(clerk, v1, group):
    closed = period(v1, state="closed")
    with refused(match="closed"):
        services.comments_import(actor=clerk, consultation=closed, rows=rows_for(v1))

    open_ = period(draft(standard(group), label="2.0"))
    bad = [*rows_for(v1), MatrixRow(clause="99", type_code="te", comment="Where?", line=7)]
    with refused(match="Row 7: clause 99 is not in this draft"):
        services.comments_import(actor=clerk, consultation=open_, rows=bad)
    with refused(PermissionDenied, match="Only the secretariat"):
        services.comments_import(actor=member(group), consultation=open_, rows=rows_for(v1))
    with refused(match="no comments"):
        services.comments_import(actor=clerk, consultation=open_, rows=[])


def test_anonymous_people_cannot_comment(open_period):
    with refused(PermissionDenied, match="Log in"):
        post(AnonymousUser(), open_period)
