"""Consultation pages: commenting, one's own comments, resolution, synopsis, the ISO
matrix export and import, the standard page and the redline.

The builders at the top (standard, version, period, comment, Scene) set the scene
by creating rows directly, on purpose; what is under test then goes through the
views and services. test_selectors.py and the browser test reuse them.
"""

import datetime
import io
import itertools
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from consultations.models import (
    Audience,
    Clause,
    Comment,
    CommentRevision,
    Consultation,
    Disposition,
    DraftVersion,
    Standard,
    VersionStatus,
)
from consultations.resolution_matrix import COLUMNS
from governance.models import GroupRole
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
)

# --- builders -------------------------------------------------------------------

_numbers = itertools.count(1)

CLAUSES = [
    ("1", "Scope", "This standard applies to artisanal cobalt mining sites."),
    ("2", "Safety", "Pits are shored. Children never work on site."),
    ("3", "Traceability", "Every bag is tagged at the pit."),
]


def standard(group=None, **fields) -> Standard:
    n = next(_numbers)
    group = group or WorkingGroupFactory()
    fields.setdefault("title", f"ASM Cobalt Framework {n}")
    fields.setdefault("slug", f"asm-cobalt-framework-{n}")
    return Standard.objects.create(working_group=group, **fields)


def version(
    std: Standard,
    label: str = "1.0",
    clauses=CLAUSES,
    *,
    status: str = VersionStatus.CONSULTATION,
    based_on: DraftVersion | None = None,
    keys: list[str] | None = None,
    created_at: datetime.datetime | None = None,
) -> DraftVersion:
    """A version with clauses given as (number, heading, body); `keys` reuse clause keys
    (to make a later version of the same clauses)."""
    draft = DraftVersion.objects.create(standard=std, label=label, status=status, based_on=based_on)
    if created_at is not None:
        DraftVersion.objects.filter(pk=draft.pk).update(created_at=created_at)
        draft.refresh_from_db()
    for order, (number, heading, body) in enumerate(clauses):
        extra = {"key": keys[order]} if keys else {}
        Clause.objects.create(
            version=draft, number=number, heading=heading, body=body, order=order, **extra
        )
    return draft


def period(
    draft: DraftVersion,
    *,
    audience: str = Audience.PUBLIC,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    round_number: int | None = None,
    **fields,
) -> Consultation:
    """Open by default: opened a day ago, closes in 60 days."""
    now = timezone.now()
    opens_at = opens_at or now - datetime.timedelta(days=1)
    closes_at = closes_at or opens_at + datetime.timedelta(days=61)
    if round_number is None:
        round_number = draft.consultations.count() + 1
    return Consultation.objects.create(
        version=draft,
        audience=audience,
        opens_at=opens_at,
        closes_at=closes_at,
        round_number=round_number,
        **fields,
    )


def comment(consultation: Consultation, author, clause: Clause | None = None, **fields) -> Comment:
    fields.setdefault("comment_type", "te")
    fields.setdefault("body", "Please be more precise.")
    return Comment.objects.create(consultation=consultation, author=author, clause=clause, **fields)


def dispose(comment_row: Comment, by, decision: str = "accepted", response: str = "Done."):
    return Disposition.objects.create(
        comment=comment_row, decision=decision, response=response, decided_by=by
    )


def closed(consultation: Consultation) -> Consultation:
    """Move the period into the past: opened 70 days ago, closed yesterday."""
    now = timezone.now()
    consultation.opens_at = now - datetime.timedelta(days=70)
    consultation.closes_at = now - datetime.timedelta(days=1)
    consultation.save(update_fields=["opens_at", "closes_at"])
    return consultation


class Scene:
    """A working group with a secretariat, a member, an outsider, a standard with one
    version of three clauses, and an open public period on it."""

    def __init__(self, *, audience: str = Audience.PUBLIC):
        self.group = WorkingGroupFactory(reference_time_zone="Africa/Lubumbashi")
        self.chamber = ChamberFactory(name="Artisanal miners")
        self.organisation = OrganisationFactory(
            name="Kolwezi Miners' Cooperative", chamber=self.chamber
        )
        self.secretariat = UserFactory(display_name="Sam Secretariat")
        give_role(self.secretariat, self.group, GroupRole.SECRETARIAT)
        self.member = UserFactory(display_name="Amani Kabila", organisation=self.organisation)
        give_role(self.member, self.group, GroupRole.MEMBER)
        self.commenter = UserFactory(display_name="Jean Public", organisation=self.organisation)
        self.standard = standard(self.group)
        self.version = version(self.standard)
        self.clauses = list(self.version.clauses.order_by("order"))
        self.consultation = period(self.version, audience=audience)


# --- helpers --------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_comment_rate_limit(settings):
    # The rate limit has its own tests; here many comments come from one person.
    settings.RATE_LIMITS = {"comment": (100_000, 600)}


def url(name, *args):
    return reverse(f"consultations:{name}", args=args)


def comment_data(clause=None, **extra):
    data = {
        "clause": clause.pk if clause else "",
        "comment_type": "te",
        "body": "Shoring must be inspected every week.",
        "proposed_change": "Add: inspected weekly by the site manager.",
        "paragraph": "second paragraph",
        "idempotency_key": uuid.uuid4().hex,
    }
    return {**data, **extra}


def text(response) -> str:
    return response.content.decode()


# --- the consultation page and commenting --------------------------------------------


def test_consultation_page_shows_the_draft_times_and_forms(client):
    scene = Scene()
    scene.group.reference_time_zone = "Europe/Brussels"
    scene.group.save()
    scene.consultation.short_round_justification = "An urgent safety fix."
    scene.consultation.instructions = "Comment clause by clause."
    scene.consultation.save()
    scene.commenter.time_zone = "America/New_York"
    scene.commenter.save()
    comment(scene.consultation, scene.member, scene.clauses[1])
    client.force_login(scene.commenter)

    response = client.get(url("detail", scene.consultation.pk))

    assert response.status_code == 200
    page = text(response)
    for clause in scene.clauses:
        assert clause.heading in page
        assert f'id="comment-{clause.key}-body"' in page  # one labelled form per clause
    assert 'id="comment-general-body"' in page
    assert "An urgent safety fix." in page and "Comment clause by clause." in page
    assert "America/New_York" in page and "Europe/Brussels" in page
    assert "1 comment" in page and "0 comments" in page
    assert 'name="idempotency_key"' in page
    assert 'href="/static/css/consultations.css"' in page


def test_anonymous_and_unverified_readers_see_why_they_cannot_comment(client):
    scene = Scene()
    page = text(client.get(url("detail", scene.consultation.pk)))
    assert "to comment on this draft" in page and "comment-form" not in page
    client.force_login(UserFactory(email_verified=False))
    page = text(client.get(url("detail", scene.consultation.pk)))
    assert "Confirm your email address to comment" in page and "comment-form" not in page


def test_commenting_happy_path(client):
    scene = Scene()
    clause = scene.clauses[1]
    client.force_login(scene.commenter)

    response = client.post(url("detail", scene.consultation.pk), comment_data(clause))

    comment_row = Comment.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == f"{url('detail', scene.consultation.pk)}#comment-{comment_row.pk}"
    )
    assert (comment_row.clause, comment_row.comment_type) == (clause, "te")
    assert comment_row.organisation == scene.organisation
    assert comment_row.paragraph == "second paragraph"
    page = text(client.get(response["Location"]))
    assert "Your comment was posted." in page
    assert "Shoring must be inspected every week." in page
    assert url("comment_edit", scene.consultation.pk, comment_row.pk) in page
    assert url("comment_withdraw", scene.consultation.pk, comment_row.pk) in page


def test_general_comment(client):
    scene = Scene()
    client.force_login(scene.commenter)
    response = client.post(url("detail", scene.consultation.pk), comment_data(None))
    assert response.status_code == 302
    assert Comment.objects.get().clause is None


@pytest.mark.parametrize(
    ("moment", "allowed", "message"),
    [
        ("before", False, "This comment period has not opened yet."),
        ("opening", True, ""),
        ("during", True, ""),
        ("closing", False, "This comment period is closed."),
        ("after", False, "This comment period is closed."),
    ],
)
def test_the_window_is_enforced(client, moment, allowed, message):
    """Open from the opening instant (inclusive) to the closing instant (exclusive)."""
    scene = Scene()
    period_ = scene.consultation
    at = {
        "before": period_.opens_at - datetime.timedelta(seconds=1),
        "opening": period_.opens_at,
        "during": period_.opens_at + datetime.timedelta(days=30),
        "closing": period_.closes_at,
        "after": period_.closes_at + datetime.timedelta(days=1),
    }[moment]
    with time_machine.travel(at, tick=False):
        client.force_login(scene.commenter)
        response = client.post(url("detail", period_.pk), comment_data(scene.clauses[0]))
    if allowed:
        assert response.status_code == 302
        assert Comment.objects.get().created_at == at
    else:
        assert response.status_code == 200
        assert message in text(response)
        assert 'role="alert"' in text(response)
        assert not Comment.objects.exists()


def test_unverified_email_is_refused_with_a_message(client):
    scene = Scene()
    client.force_login(UserFactory(email_verified=False))
    response = client.post(url("detail", scene.consultation.pk), comment_data(scene.clauses[0]))
    assert response.status_code == 403
    assert "Verify your email address before you comment." in text(response)
    assert not Comment.objects.exists()


def test_anonymous_post_goes_to_login(client):
    scene = Scene()
    response = client.post(url("detail", scene.consultation.pk), comment_data(scene.clauses[0]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_members_only_round(client):
    """Outsiders get a 404 (the round is not theirs to see); an observer may read but
    not comment; a member comments."""
    scene = Scene(audience=Audience.MEMBERS)
    detail = url("detail", scene.consultation.pk)

    client.force_login(scene.commenter)  # registered and verified, not a member
    assert client.get(detail).status_code == 404
    assert client.post(detail, comment_data(scene.clauses[0])).status_code == 404
    assert client.get(url("clause_comments", scene.consultation.pk, "general")).status_code == 404
    assert client.get(url("resolution", scene.consultation.pk)).status_code == 404
    assert client.get(url("import", scene.consultation.pk)).status_code == 404
    assert client.get(url("matrix_csv", scene.consultation.pk)).status_code == 404

    observer = UserFactory()
    give_role(observer, scene.group, GroupRole.OBSERVER)
    client.force_login(observer)
    assert client.get(detail).status_code == 200
    response = client.post(detail, comment_data(scene.clauses[0]))
    assert response.status_code == 403
    assert f"Only members of {scene.group.name} may comment in this period." in text(response)
    assert not Comment.objects.exists()

    client.force_login(scene.member)
    assert client.post(detail, comment_data(scene.clauses[0])).status_code == 302
    assert Comment.objects.get().author == scene.member


def test_clause_of_another_version_is_refused(client):
    scene = Scene()
    other = version(standard(scene.group), "9.9")
    client.force_login(scene.commenter)
    response = client.post(
        url("detail", scene.consultation.pk), comment_data(other.clauses.first())
    )
    assert response.status_code == 200
    assert "That clause is not part of the draft under comment." in text(response)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment."),
        ("   ", "Write your comment."),
        ("<b></b>", "The comment is empty."),
        ("x" * 5001, "A comment may be at most 5000 characters long."),
    ],
)
def test_empty_or_oversized_comment_is_refused(client, body, message):
    scene = Scene()
    client.force_login(scene.commenter)
    response = client.post(
        url("detail", scene.consultation.pk), comment_data(scene.clauses[0], body=body)
    )
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page  # the field itself is marked
    assert f'id="comment-{scene.clauses[0].key}-errors"' in page  # next to its clause
    assert not Comment.objects.exists()


def test_markup_is_stored_as_plain_text_and_escaped(client):
    scene = Scene()
    client.force_login(scene.commenter)
    client.post(
        url("detail", scene.consultation.pk),
        comment_data(scene.clauses[0], body="Fine <script>alert(1)</script>text"),
    )
    assert Comment.objects.get().body == "Fine text"


def test_double_submit_with_the_same_key_makes_one_comment(client):
    scene = Scene()
    client.force_login(scene.commenter)
    data = comment_data(scene.clauses[0])
    first = client.post(url("detail", scene.consultation.pk), data)
    second = client.post(url("detail", scene.consultation.pk), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1


def test_each_form_render_gets_a_fresh_key(client):
    scene = Scene()
    client.force_login(scene.commenter)
    first = text(client.get(url("detail", scene.consultation.pk)))
    second = text(client.get(url("detail", scene.consultation.pk)))
    key = 'name="idempotency_key" value="'
    keys = [page.split(key)[1].split('"')[0] for page in (first, second)]
    assert keys[0] != keys[1] and len(keys[0]) == 32


# --- one's own comments: edit and withdraw ---------------------------------------


def test_author_edits_and_withdraws_with_history_kept(client):
    scene = Scene()
    mine = comment(scene.consultation, scene.commenter, scene.clauses[0], body="First words.")
    client.force_login(scene.commenter)
    edit = url("comment_edit", scene.consultation.pk, mine.pk)
    assert client.get(edit).status_code == 200

    response = client.post(
        edit,
        {"clause": scene.clauses[2].pk, "comment_type": "ed", "body": "Better words."},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.body, mine.clause, mine.comment_type) == ("Better words.", scene.clauses[2], "ed")
    assert CommentRevision.objects.get(comment=mine).body == "First words."

    withdraw = url("comment_withdraw", scene.consultation.pk, mine.pk)
    assert client.get(withdraw).status_code == 200
    assert client.post(withdraw).status_code == 302
    mine.refresh_from_db()
    assert mine.withdrawn_at is not None
    assert CommentRevision.objects.filter(comment=mine).count() == 2
    page = text(client.get(url("detail", scene.consultation.pk)))
    assert "Better words." not in page  # withdrawn: no longer listed or counted


def test_editing_a_comment_keeps_and_changes_its_paragraph(client):
    scene = Scene()
    mine = comment(
        scene.consultation, scene.commenter, scene.clauses[0], body="Words.", paragraph="Table 2"
    )
    client.force_login(scene.commenter)
    edit = url("comment_edit", scene.consultation.pk, mine.pk)
    # The form shows the paragraph the comment points at ...
    page = client.get(edit).content.decode()
    assert 'name="paragraph"' in page and 'value="Table 2"' in page
    # ... saving the form as shown (only the body changed) keeps it ...
    data = {"clause": scene.clauses[0].pk, "comment_type": "te", "paragraph": "Table 2"}
    assert client.post(edit, {**data, "body": "Better words."}).status_code == 302
    mine.refresh_from_db()
    assert (mine.body, mine.paragraph) == ("Better words.", "Table 2")
    # ... and a new paragraph alone is a change, with the earlier text kept.
    assert (
        client.post(edit, {**data, "body": "Better words.", "paragraph": "Figure 3"}).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.paragraph == "Figure 3"
    assert CommentRevision.objects.filter(comment=mine).count() == 2
    page = text(client.get(url("detail", scene.consultation.pk)))
    assert "Figure 3" in page


def test_someone_else_cannot_edit_or_withdraw(client):
    scene = Scene()
    theirs = comment(scene.consultation, scene.member, scene.clauses[0], body="Mine, not yours.")
    client.force_login(scene.commenter)
    edit = url("comment_edit", scene.consultation.pk, theirs.pk)
    withdraw = url("comment_withdraw", scene.consultation.pk, theirs.pk)

    assert client.get(edit).status_code == 404
    assert client.get(withdraw).status_code == 404
    response = client.post(edit, {"comment_type": "ed", "body": "Hijacked."})
    assert response.status_code == 403
    assert "Only the author may change a comment." in text(response)
    response = client.post(withdraw)
    assert response.status_code == 403
    assert "Only the author may change a comment." in text(response)

    theirs.refresh_from_db()
    assert (theirs.body, theirs.withdrawn_at) == ("Mine, not yours.", None)
    assert not CommentRevision.objects.exists()


def test_no_edit_once_the_period_closed(client):
    scene = Scene()
    mine = comment(scene.consultation, scene.commenter, scene.clauses[0], body="Old.")
    closed(scene.consultation)
    client.force_login(scene.commenter)
    response = client.post(
        url("comment_edit", scene.consultation.pk, mine.pk), {"comment_type": "te", "body": "New."}
    )
    assert "This comment period is closed." in text(response)
    mine.refresh_from_db()
    assert mine.body == "Old."
    page = text(client.get(url("detail", scene.consultation.pk)))
    assert url("comment_edit", scene.consultation.pk, mine.pk) not in page


# --- the clause's comments ------------------------------------------------------------


def test_clause_comments_are_public_without_emails(client):
    scene = Scene()
    comment(
        scene.consultation,
        scene.member,
        scene.clauses[1],
        body="Pits need shoring.",
        organisation=scene.organisation,
        organisation_name=scene.organisation.name,
        chamber=scene.chamber,
        comment_type="te",
    )
    comment(scene.consultation, scene.member, scene.clauses[2], body="Elsewhere.")
    response = client.get(url("clause_comments", scene.consultation.pk, scene.clauses[1].key))
    page = text(response)
    assert response.status_code == 200
    assert "Pits need shoring." in page and "Elsewhere." not in page
    assert "Amani Kabila" in page
    assert "Kolwezi Miners&#x27; Cooperative" in page
    assert "Artisanal miners" in page and "Technical" in page
    assert scene.member.email not in page
    assert client.get(url("clause_comments", scene.consultation.pk, "nope")).status_code == 404


# --- the resolution table ---------------------------------------------------------------


def test_resolution_table_is_for_the_secretariat(client):
    scene = Scene()
    table = url("resolution", scene.consultation.pk)
    assert "/accounts/login/" in client.get(table)["Location"]
    client.force_login(scene.member)
    assert client.get(table).status_code == 403
    client.force_login(scene.secretariat)
    assert client.get(table).status_code == 200


def test_resolution_table_filters_and_progress(client):
    scene = Scene()
    other_chamber = ChamberFactory(name="Refiners")
    done = comment(scene.consultation, scene.member, scene.clauses[0], body="Done one.")
    dispose(done, scene.secretariat)
    comment(
        scene.consultation, scene.member, scene.clauses[1], body="Open one.", chamber=scene.chamber
    )
    comment(
        scene.consultation,
        scene.member,
        None,
        body="General one.",
        comment_type="ge",
        chamber=other_chamber,
    )
    client.force_login(scene.secretariat)
    table = url("resolution", scene.consultation.pk)

    page = text(client.get(table))
    assert "1 of 3 resolved" in page
    assert '<progress max="3" value="1"' in page
    assert all(body in page for body in ("Done one.", "Open one.", "General one."))

    page = text(client.get(table, {"status": "undisposed"}))
    assert "Done one." not in page and "Open one." in page
    page = text(client.get(table, {"clause": "general"}))
    assert "General one." in page and "Open one." not in page
    page = text(client.get(table, {"clause": scene.clauses[1].pk}))
    assert "Open one." in page and "General one." not in page
    page = text(client.get(table, {"comment_type": "ge"}))
    assert "General one." in page and "Done one." not in page
    page = text(client.get(table, {"chamber": scene.chamber.pk}))
    assert "Open one." in page and "General one." not in page


def test_dispose_one_comment_keeps_filters(client):
    scene = Scene()
    later = version(scene.standard, "2.0", keys=[c.key for c in scene.clauses], status="drafting")
    target = later.clauses.get(number="2")
    row = comment(scene.consultation, scene.member, scene.clauses[1])
    client.force_login(scene.secretariat)

    response = client.post(
        url("dispose", scene.consultation.pk, row.pk) + "?status=undisposed",
        {"decision": "accepted", "response": "Added to 2.0.", "resulting_clause": target.pk},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?status=undisposed#row-{row.pk}")
    disposition = Disposition.objects.get()
    assert (disposition.decision, disposition.resulting_clause) == ("accepted", target)


def test_resulting_clause_must_be_of_a_later_version(client):
    scene = Scene()
    row = comment(scene.consultation, scene.member, scene.clauses[1])
    client.force_login(scene.secretariat)
    response = client.post(
        url("dispose", scene.consultation.pk, row.pk),
        {"decision": "accepted", "response": "Yes.", "resulting_clause": scene.clauses[0].pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Disposition.objects.exists()


def test_disposition_refused_without_a_response(client):
    scene = Scene()
    row = comment(scene.consultation, scene.member, scene.clauses[1])
    client.force_login(scene.secretariat)
    response = client.post(
        url("dispose", scene.consultation.pk, row.pk), {"decision": "noted", "response": " "}
    )
    assert response.status_code == 200
    assert "Write the group&#x27;s response to the comment." in text(response)
    assert f'id="dispose-{row.pk}-errors"' in text(response)
    assert not Disposition.objects.exists()


def test_secretariat_of_another_group_cannot_dispose(client):
    scene = Scene()
    row = comment(scene.consultation, scene.member, scene.clauses[0])
    group_b = WorkingGroupFactory()
    secretariat_b = UserFactory()
    give_role(secretariat_b, group_b, GroupRole.SECRETARIAT)
    client.force_login(secretariat_b)

    response = client.post(
        url("dispose", scene.consultation.pk, row.pk), {"decision": "noted", "response": "Seen."}
    )

    assert response.status_code == 403
    assert "You do not resolve comments for this working group." in text(response)
    assert not Disposition.objects.exists()
    response = client.post(
        url("dispose_bulk", scene.consultation.pk),
        {"comments": [row.pk], "decision": "noted", "response": "Seen."},
    )
    assert response.status_code == 403
    assert not Disposition.objects.exists()


def test_bulk_disposition(client):
    scene = Scene()
    rows = [comment(scene.consultation, scene.member, c) for c in scene.clauses]
    client.force_login(scene.secretariat)
    table = url("resolution", scene.consultation.pk)

    response = client.post(
        url("dispose_bulk", scene.consultation.pk),
        {"comments": [rows[0].pk, rows[2].pk], "decision": "noted", "response": "Thank you."},
    )

    assert response.status_code == 302
    assert set(Disposition.objects.values_list("comment_id", flat=True)) == {
        rows[0].pk,
        rows[2].pk,
    }
    assert "2 of 3 resolved" in text(client.get(table))


def test_bulk_disposition_refuses_foreign_comments_and_keeps_the_selection(client):
    scene = Scene()
    mine = comment(scene.consultation, scene.member, scene.clauses[0])
    elsewhere = comment(period(version(standard(scene.group), "x")), scene.member)
    client.force_login(scene.secretariat)
    response = client.post(
        url("dispose_bulk", scene.consultation.pk),
        {"comments": [mine.pk, elsewhere.pk], "decision": "noted", "response": "Thanks."},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Some of the selected comments are not active comments of this period." in page
    assert f'value="{mine.pk}" id="select-{mine.pk}" checked' in page
    assert not Disposition.objects.exists()

    response = client.post(
        url("dispose_bulk", scene.consultation.pk), {"decision": "noted", "response": "Thanks."}
    )
    assert "Select at least one comment." in text(response)


def test_publish_refused_while_undisposed_then_allowed(client):
    scene = Scene()
    first = comment(scene.consultation, scene.member, scene.clauses[0], body="Needs depth limits.")
    second = comment(scene.consultation, scene.member, None, body="Clear overall.")
    closed(scene.consultation)
    dispose(first, scene.secretariat, "accepted", "Depth limit added.")
    client.force_login(scene.secretariat)
    publish = url("report_publish", scene.consultation.pk)
    report = url("report", scene.consultation.pk)

    response = client.post(publish, {"summary": "Thanks to all."})

    assert response.status_code == 200
    assert "1 comment(s) still have no disposition" in text(response)
    scene.consultation.refresh_from_db()
    assert scene.consultation.report_published_at is None
    client.logout()
    assert client.get(report).status_code == 404

    dispose(second, scene.secretariat, "noted", "Thank you.")
    client.force_login(scene.secretariat)
    response = client.post(publish, {"summary": "Thanks to all."})
    assert response.status_code == 302 and response["Location"] == report
    client.logout()
    page = text(client.get(report))
    assert "Thanks to all." in page
    assert "Needs depth limits." in page and "Depth limit added." in page
    assert "Clear overall." in page and "Noted" in page


def test_dispositions_are_final_once_the_report_is_published(client):
    scene = Scene()
    row = comment(scene.consultation, scene.member, scene.clauses[0])
    dispose(row, scene.secretariat, "noted", "Seen.")
    closed(scene.consultation)
    Consultation.objects.filter(pk=scene.consultation.pk).update(report_published_at=timezone.now())
    client.force_login(scene.secretariat)
    response = client.post(
        url("dispose", scene.consultation.pk, row.pk),
        {"decision": "accepted", "response": "Changed my mind."},
    )
    assert "The report of this period is published; its dispositions are final." in text(response)
    assert Disposition.objects.get().decision == "noted"


def test_publish_refused_while_open(client):
    scene = Scene()
    client.force_login(scene.secretariat)
    response = client.post(url("report_publish", scene.consultation.pk), {"summary": ""})
    assert "The report can be published once the period has closed." in text(response)
    scene.consultation.refresh_from_db()
    assert scene.consultation.report_published_at is None


def test_extend_and_reopen(client):
    scene = Scene()
    closed(scene.consultation)
    client.force_login(scene.secretariat)
    extend = url("extend", scene.consultation.pk)

    response = client.post(extend, {"closes_at": "2000-01-01T10:00", "reason": "More time."})
    assert "must be later than the current one" in text(response)
    response = client.post(extend, {"closes_at": "", "reason": ""})
    assert "Give the reason for extending or reopening the period." in text(response)

    new_close = timezone.localtime() + datetime.timedelta(days=14)
    response = client.post(
        extend, {"closes_at": new_close.strftime("%Y-%m-%dT%H:%M"), "reason": "Late translation."}
    )
    assert response.status_code == 302
    scene.consultation.refresh_from_db()
    assert scene.consultation.is_open()


# --- the synopsis --------------------------------------------------------------------------


def test_synopsis_links_comment_response_and_resulting_clause(client):
    scene = Scene()
    later = version(scene.standard, "2.0", keys=[c.key for c in scene.clauses])
    target = later.clauses.get(number="2")
    row = comment(scene.consultation, scene.member, scene.clauses[1], body="Shore the pits.")
    Disposition.objects.create(
        comment=row,
        decision="accepted",
        response="Shoring is now required.",
        resulting_clause=target,
        decided_by=scene.secretariat,
    )
    report = url("report", scene.consultation.pk)
    assert client.get(report).status_code == 404
    Consultation.objects.filter(pk=scene.consultation.pk).update(report_published_at=timezone.now())

    page = text(client.get(report))

    assert "Shore the pits." in page and "Shoring is now required." in page and "Accepted" in page
    redline = url("redline", scene.standard.slug)
    assert f"{redline}?from=1.0&amp;to=2.0#clause-{target.key}" in page
    assert f'id="comment-{row.pk}"' in page and f'id="response-{row.pk}"' in page


def test_synopsis_of_a_members_only_round_stays_with_members(client):
    scene = Scene(audience=Audience.MEMBERS)
    Consultation.objects.filter(pk=scene.consultation.pk).update(report_published_at=timezone.now())
    assert client.get(url("report", scene.consultation.pk)).status_code == 404
    client.force_login(scene.member)
    assert client.get(url("report", scene.consultation.pk)).status_code == 200


# --- the ISO matrix ----------------------------------------------------------------------


def test_matrix_export_rights(client):
    scene = Scene()
    comment(scene.consultation, scene.member, scene.clauses[0])
    for name in ("matrix_xlsx", "matrix_csv"):
        assert client.get(url(name, scene.consultation.pk)).status_code == 404
    client.force_login(scene.secretariat)
    response = client.get(url("matrix_csv", scene.consultation.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('-comments.csv"')
    client.logout()
    Consultation.objects.filter(pk=scene.consultation.pk).update(report_published_at=timezone.now())
    response = client.get(url("matrix_xlsx", scene.consultation.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_formula_cells_are_neutralised_in_the_export(client):
    scene = Scene()
    comment(
        scene.consultation,
        scene.member,
        scene.clauses[0],
        body='=HYPERLINK("http://evil.example","click")',
        proposed_change="+1 more",
    )
    client.force_login(scene.secretariat)

    xlsx = client.get(url("matrix_xlsx", scene.consultation.pk)).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    headers = [cell.value for cell in sheet[1]]
    body = sheet.cell(row=2, column=headers.index(str(dict(COLUMNS)["comment"])) + 1)
    change = sheet.cell(row=2, column=headers.index(str(dict(COLUMNS)["proposed_change"])) + 1)
    assert body.value.startswith("'=HYPERLINK") and body.data_type == "s"
    assert change.value == "'+1 more"

    csv_text = client.get(url("matrix_csv", scene.consultation.pk)).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1 more" in csv_text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text


def test_export_then_import_round_trip(client):
    """Export the matrix of one period, import it into an open period of a version with
    the same clause numbers: the same comments come back, attributed and audited."""
    scene = Scene()
    source = scene.consultation
    comment(
        source,
        scene.member,
        scene.clauses[1],
        body="Shore every pit.",
        proposed_change="Add a shoring rule.",
        paragraph="Para 2",
        comment_type="te",
        organisation=scene.organisation,
        organisation_name=scene.organisation.name,
    )
    comment(
        source, scene.commenter, None, body="=SUM(A1) is not a formula here.", comment_type="ge"
    )
    comment(source, scene.member, scene.clauses[2], body="Typo.", comment_type="ed")
    closed(source)
    second = version(scene.standard, "2.0", keys=[c.key for c in scene.clauses])
    target = period(second)
    client.force_login(scene.secretariat)

    exported = client.get(url("matrix_xlsx", source.pk)).content
    upload = io.BytesIO(exported)
    upload.name = "comments.xlsx"
    response = client.post(url("import", target.pk), {"file": upload})

    assert response.status_code == 302, text(response)
    assert response["Location"] == url("resolution", target.pk)
    imported = list(Comment.objects.filter(consultation=target).order_by("id"))

    def shape(rows):
        return sorted(
            (
                c.clause.number if c.clause else "",
                c.comment_type,
                c.body,
                c.proposed_change,
                c.paragraph,
                c.commenter,
                c.organisation_name,
            )
            for c in rows
        )

    assert shape(imported) == shape(Comment.objects.filter(consultation=source))
    assert all(c.source == "import" and c.submitted_by == scene.secretariat for c in imported)
    assert {c.clause.version_id for c in imported if c.clause} == {second.pk}
    assert imported[0].organisation == scene.organisation or any(
        c.organisation == scene.organisation for c in imported
    )
    from governance.models import AuditEvent

    assert AuditEvent.objects.filter(action="comment.imported").count() == 3

    # The same file sent again adds nothing, and the secretariat is told why.
    upload.seek(0)
    again = client.post(url("import", target.pk), {"file": upload}, follow=True)
    page = text(again)
    assert "0 comment(s) imported from comments.xlsx." in page
    assert "repeat comments already in this comment period; they were skipped." in page
    assert Comment.objects.filter(consultation=target).count() == 3


def _workbook(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([str(header) for _, header in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "from-a-member.xlsx"
    return out


def test_import_with_bad_rows_reports_each_row_and_imports_nothing(client):
    scene = Scene()
    client.force_login(scene.secretariat)
    upload = _workbook(
        [
            ["Ada / Refiner Co", "1", "", "te", "Fine comment.", "", ""],
            ["Bo", "9.9", "", "xx", "Bad type and clause.", "", ""],
            ["Cy", "2", "", "ge", "", "", ""],
        ]
    )
    response = client.post(url("import", scene.consultation.pk), {"file": upload})
    page = text(response)
    assert response.status_code == 200
    assert "Row 3" in page and "There is no clause 9.9 in this draft." in page
    assert "“xx” is not a type of comment" in page
    assert "Row 4" in page and "The comment is empty." in page
    assert "Nothing was imported." in page and 'role="alert"' in page
    assert not Comment.objects.exists()


def test_import_refuses_big_or_wrong_files(client):
    scene = Scene()
    client.force_login(scene.secretariat)
    big = io.BytesIO(b"0" * (5 * 1024 * 1024 + 1))
    big.name = "big.xlsx"
    response = client.post(url("import", scene.consultation.pk), {"file": big})
    assert "the limit is 5 MB" in text(response)
    notes = io.BytesIO(b"hello")
    notes.name = "notes.txt"
    response = client.post(url("import", scene.consultation.pk), {"file": notes})
    assert "Upload an Excel workbook (.xlsx) or a CSV file (.csv)." in text(response)
    fake = io.BytesIO(b"not a zip")
    fake.name = "fake.xlsx"
    response = client.post(url("import", scene.consultation.pk), {"file": fake})
    assert "The file is not a valid Excel (.xlsx) workbook." in text(response)
    assert not Comment.objects.exists()


def test_import_into_a_closed_period_is_refused(client):
    scene = Scene()
    closed(scene.consultation)
    client.force_login(scene.secretariat)
    upload = _workbook([["Ada", "1", "", "te", "Fine comment.", "", ""]])
    response = client.post(url("import", scene.consultation.pk), {"file": upload})
    assert "This comment period is closed." in text(response)
    assert not Comment.objects.exists()


def test_import_is_for_the_secretariat(client):
    scene = Scene()
    client.force_login(scene.member)
    response = client.post(url("import", scene.consultation.pk), {"file": _workbook([])})
    assert response.status_code == 403
    assert "Only the secretariat imports comments." in text(response)


# --- the standard page and the redline ----------------------------------------------------


def _two_versions():
    std = standard()
    old = version(
        std,
        "1.0",
        [
            ("1", "Scope", "Applies to cobalt sites."),
            ("2", "Safety", "Pits are shored."),
            ("3", "Traceability", "Every bag is tagged."),
            ("4", "Grievances", "A grievance box on site."),
        ],
        status=VersionStatus.SUPERSEDED,
    )
    keys = dict(old.clauses.values_list("number", "key"))
    new = version(
        std,
        "2.0",
        [
            ("1", "Traceability", "Every bag is tagged."),  # moved to the front
            ("2", "Scope", "Applies to cobalt sites."),
            ("3", "Safety", "Pits are shored and inspected weekly."),  # changed
            ("4", "Wages", "Fair pay."),  # added; Grievances removed
        ],
        keys=[keys["3"], keys["1"], keys["2"], "newclausekey"],
    )
    # Both are public (consultations.visibility): 1.0 was in force, 2.0 is out for
    # public comment.
    DraftVersion.objects.filter(pk=old.pk).update(published_at=timezone.now())
    period(new)
    return std, old, new


def test_redline_page_with_moved_and_changed_clauses(client):
    std, old, new = _two_versions()
    response = client.get(url("redline", std.slug), {"from": "1.0", "to": "2.0"})
    page = text(response)
    assert response.status_code == 200
    assert "Moved" in page and "Changed" in page and "Added" in page and "Removed" in page
    assert "<ins> and inspected weekly</ins>" in page
    assert "1 clause moved" in page and "1 clause changed" in page
    assert "1 clause added" in page and "1 clause removed" in page
    assert "1 clause unchanged" in page
    assert "<del>Grievances</del>" in page


def test_redline_defaults_to_the_last_two_versions_and_rejects_unknown_labels(client):
    std, old, new = _two_versions()
    page = text(client.get(url("redline", std.slug)))
    assert "From version 1.0 to version 2.0" in page
    response = client.get(url("redline", std.slug), {"from": "7.0", "to": "2.0"})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)


def test_drafting_versions_are_not_public(client):
    scene = Scene()
    version(scene.standard, "2.0-draft", status=VersionStatus.DRAFTING)
    page = text(client.get(url("standard", scene.standard.slug)))
    assert "1.0" in page and "2.0-draft" not in page
    client.force_login(scene.member)
    assert "2.0-draft" in text(client.get(url("standard", scene.standard.slug)))


def test_standard_page_lists_versions_and_periods(client):
    scene = Scene()
    members = period(version(scene.standard, "1.1"), audience=Audience.MEMBERS)
    page = text(client.get(url("standard", scene.standard.slug)))
    assert scene.standard.title in page
    assert url("detail", scene.consultation.pk) in page
    assert url("detail", members.pk) not in page
    client.force_login(scene.member)
    assert url("detail", members.pk) in text(client.get(url("standard", scene.standard.slug)))
    assert client.get(url("standard", "no-such-standard")).status_code == 404


# --- queries that do not grow ---------------------------------------------------------------


def _many_comments(scene, n, author, start=0):
    """`n` comments spread over the clauses and chambers, every third one disposed."""
    chambers = [scene.chamber, ChamberFactory(name="Refiners"), None]
    rows = Comment.objects.bulk_create(
        Comment(
            consultation=scene.consultation,
            clause=scene.clauses[i % len(scene.clauses)] if i % 4 else None,
            author=author,
            organisation=scene.organisation,
            organisation_name=scene.organisation.name,
            chamber=chambers[i % 3],
            comment_type=("ge", "te", "ed")[i % 3],
            body=f"Comment number {i}.",
        )
        for i in range(start, start + n)
    )
    Disposition.objects.bulk_create(
        Disposition(comment=row, decision="noted", response="Thanks.", decided_by=scene.secretariat)
        for row in rows[::3]
    )


def _count(client, path) -> tuple[int, int]:
    """(all queries, queries of the page itself): the second leaves out the shared
    layout's (Wagtail's site and menu pages, the user bar, the header's unread count),
    which other pages share."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    layout = [q for q in sql if '"wagtail' in q.split(" FROM ", 1)[-1][:40]]
    layout += [
        q for q in sql if "governance_user_user_permissions" in q or "auth_group_permissions" in q
    ]
    layout += [q for q in sql if '"dashboard_notification"' in q]  # the header's unread count
    return len(sql), len(sql) - len(layout)


def test_consultation_page_queries_do_not_grow(client):
    """The consultation page, for a commenter whose own comments are all of them,
    takes 16 queries with 10 comments and with 500. Its own 9: the session, the
    user, the second factor's device (django-otp), the period with its version,
    standard and group, the clauses annotated
    with their comment counts, the count of general comments, the reader's own
    comments with their clauses, and two guardian reads (user and group object
    permissions) for the secretariat link. The shared layout adds 7: Wagtail's
    site and menu pages (5) and the user bar's permission checks (2)."""
    scene = Scene()
    client.force_login(scene.commenter)
    _many_comments(scene, 10, scene.commenter)
    path = url("detail", scene.consultation.pk)
    client.get(path)  # warm caches (content types, site root) shared by every page
    few = _count(client, path)
    _many_comments(scene, 490, scene.commenter, start=10)
    many = _count(client, path)
    assert Comment.objects.count() == 500
    assert few == many  # flat, layout included
    assert few[1] == 9, few


def test_resolution_table_queries_do_not_grow(client):
    """The resolution table, for the secretariat, takes 21 queries with 10 comments
    and with 500. Its own 12: the session, the user, the second factor's device
    (django-otp), the period with its version,
    standard and group, two guardian reads (user and group object permissions), the
    version's clauses (filter), the chambers that commented (filter), the count for
    the paginator, the clauses of later versions (resulting-clause chooser), one
    page of comments with clause, author, chamber and disposition, and the progress
    (resolved and total in one aggregate). The shared layout adds 7 for a person
    with admin access: Wagtail's site and menu page (3), and the user bar's
    permission reads (2) and user-profile reads (2)."""
    scene = Scene()
    client.force_login(scene.secretariat)
    _many_comments(scene, 10, scene.member)
    path = url("resolution", scene.consultation.pk)
    client.get(path)
    few = _count(client, path)
    _many_comments(scene, 490, scene.member, start=10)
    many = _count(client, path)
    assert Comment.objects.count() == 500
    assert few == many  # flat, layout included
    assert few[1] == 12, few


# --- The draft in each language ------------------------------------------------------


def test_a_round_says_plainly_which_clauses_each_language_still_lacks(client):
    draft = version(standard(), clauses=[(str(n), f"Clause {n}", f"Text {n}.") for n in (1, 2, 3)])
    consultation = period(draft)
    clauses = list(draft.clauses.order_by("order"))
    for clause in clauses[:2]:
        Clause.objects.filter(pk=clause.pk).update(
            heading_sw=f"Kifungu {clause.number}", body_sw=f"Maandishi {clause.number}."
        )
    # the third has a Swahili heading but its text is still English: not translated
    Clause.objects.filter(pk=clauses[2].pk).update(heading_sw="Kifungu 3")
    url = reverse("consultations:detail", args=[consultation.pk])
    page = client.get(f"/sw{url}")
    html = page.content.decode()
    section = html[html.index('class="draft-languages"') :]
    assert "Kiswahili: vifungu 2 kati ya 3 vimetafsiriwa." in section
    assert "Bado kwa Kiingereza: 3." in section
    assert "Kifaransa: vifungu 0 kati ya 3 vimetafsiriwa." in section
    # the Swahili reader's own language is the one flagged
    assert '<li class="notice notice-warning">' in section
    english = client.get(url).content.decode()
    assert "Swahili: 2 of 3 clauses translated." in english
    assert "French: 0 of 3 clauses translated." in english
    assert "notice-warning" not in english[english.index('class="draft-languages"') :]
