"""The drafting admin: a secretariat drafts its own group's standards through the
services (one audit event per change, or a message and nothing changed), and a
secretariat of another group reaches none of it."""

import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.adminviews import forms as admin_forms
from consultations.models import Clause, Consultation, DraftVersion, Standard, VersionStatus
from governance.models import AuditEvent
from tests.consultations import test_services as builders
from tests.factories import WorkingGroupFactory


def drafts(view: str, *args) -> str:
    return reverse(f"consultations_drafts:{view}", args=args)


def standards(view: str, *args) -> str:
    return reverse(f"consultations_standard:{view}", args=args)


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def refused(response) -> bool:
    """Not found, forbidden, or Wagtail's browser form of forbidden (back to the dashboard)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def md_file(text: str, name: str = "draft.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


@pytest.fixture
def other_group(db):
    return WorkingGroupFactory(name="Refiners' group")


@pytest.fixture
def secretariat(group):
    return builders.secretariat(group, username="secretariat")


@pytest.fixture
def as_secretariat(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def standard(group):
    return builders.standard(group, title="ASM Cobalt Framework", slug="asm-cobalt-framework")


@pytest.fixture
def v1(standard):
    return builders.draft(standard, label="1.0")


# --- Standards ----------------------------------------------------------------------


def test_secretariat_lists_only_its_own_groups_standards(as_secretariat, standard, other_group):
    builders.standard(other_group, title="Foreign standard")

    for target in (standards("index"), drafts("index")):
        response = as_secretariat.get(target)
        assert response.status_code == 200
        assert "ASM Cobalt Framework" in response.text
        assert "Foreign standard" not in response.text


def test_secretariat_creates_a_standard_through_the_service(as_secretariat, group, other_group):
    form = as_secretariat.get(standards("add")).context["form"]
    assert list(form.fields["working_group"].queryset) == [group]

    forged = as_secretariat.post(
        standards("add"), {"title": "Smuggled", "working_group": other_group.pk, "summary": ""}
    )
    assert forged.status_code == 200
    assert "working_group" in forged.context["form"].errors
    assert not Standard.objects.exists()

    response = as_secretariat.post(
        standards("add"), {"title": "Tailings Standard", "working_group": group.pk, "summary": ""}
    )
    assert response.status_code == 302
    standard = Standard.objects.get()
    assert (standard.slug, standard.working_group) == ("tailings-standard", group)
    assert actions() == ["standard.created"]


# --- Versions and clauses -----------------------------------------------------------------


def test_secretariat_starts_a_version_from_the_previous_one(as_secretariat, standard, v1):
    v1.status = VersionStatus.PUBLISHED
    v1.save()
    page = as_secretariat.get(drafts("version", v1.pk))
    assert page.status_code == 200
    assert "Start a new version from this one" in page.text
    assert drafts("clause_add", v1.pk) not in page.text  # read-only

    form = as_secretariat.get(drafts("start", standard.pk) + f"?based_on={v1.pk}")
    assert form.context["form"]["based_on"].value() == v1.pk
    response = as_secretariat.post(
        drafts("start", standard.pk), {"label": "2.0", "based_on": v1.pk}
    )

    v2 = DraftVersion.objects.get(label="2.0")
    assert response.status_code == 302
    assert response.url == drafts("version", v2.pk)
    assert v2.based_on == v1
    assert list(v2.clauses.values_list("key", "number")) == list(
        v1.clauses.values_list("key", "number")
    )
    assert actions() == ["version.started"]


def test_a_taken_label_is_a_form_error_and_creates_nothing(as_secretariat, standard, v1):
    response = as_secretariat.post(drafts("start", standard.pk), {"label": "1.0"})

    assert response.status_code == 200
    assert "already has a version 1.0" in str(response.context["form"].errors["label"])
    assert DraftVersion.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_secretariat_imports_a_markdown_draft(as_secretariat, standard, v1):
    scope = v1.clauses.get(number="1")
    text = "# Scope\nWhat this covers.\n\n# Traceability\n\n## Records\nKeep them.\n"

    response = as_secretariat.post(
        drafts("import", standard.pk),
        {"label": "2.0", "based_on": v1.pk, "file": md_file(text)},
    )

    assert response.status_code == 302
    v2 = DraftVersion.objects.get(label="2.0")
    assert list(v2.clauses.order_by("order").values_list("number", "heading", "level")) == [
        ("1", "Scope", 1),
        ("2", "Traceability", 1),
        ("2.1", "Records", 2),
    ]
    assert v2.clauses.get(number="1").key == scope.key
    assert actions() == ["version.started", "version.imported"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (md_file("Just a paragraph, no headings."), "No headings were found"),
        (md_file(""), "The submitted file is empty"),
        (md_file("# Scope", name="draft.txt"), "Markdown (.md) or Word (.docx)"),
        (SimpleUploadedFile("draft.md", b"\xff\xfe\x00bad"), "not UTF-8"),
        (SimpleUploadedFile("draft.docx", b"not a zip"), "not a valid Word"),
    ],
)
def test_a_bad_draft_file_shows_the_reason_and_creates_nothing(
    as_secretariat, standard, v1, upload, message
):
    response = as_secretariat.post(
        drafts("import", standard.pk), {"label": "2.0", "based_on": v1.pk, "file": upload}
    )

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert message in response.text
    assert list(DraftVersion.objects.all()) == [v1]
    assert not AuditEvent.objects.exists()


def test_an_oversized_upload_is_refused_before_parsing(as_secretariat, standard, monkeypatch):
    monkeypatch.setattr(admin_forms, "MAX_UPLOAD_BYTES", 10)
    upload = md_file("# Scope\n" + "x" * 100)

    response = as_secretariat.post(drafts("import", standard.pk), {"label": "1.0", "file": upload})

    assert "too large" in str(response.context["form"].errors["file"])
    assert not DraftVersion.objects.exists()


def test_secretariat_reorders_and_renumbers_clauses(as_secretariat, v1):
    first, second, third = v1.clauses.order_by("order")

    response = as_secretariat.post(
        drafts("clause_move", v1.pk), {"clause": first.pk, "direction": "down"}
    )
    assert response.status_code == 302
    assert list(v1.clauses.order_by("order").values_list("heading", flat=True)) == [
        second.heading,
        first.heading,
        third.heading,
    ]
    as_secretariat.post(drafts("clause_move", v1.pk), {"clause": third.pk, "direction": "up"})
    assert list(v1.clauses.order_by("order").values_list("number", flat=True)) == ["2", "3", "1"]

    assert as_secretariat.post(drafts("renumber", v1.pk)).status_code == 302
    assert list(v1.clauses.order_by("order").values_list("number", "heading")) == [
        ("1", second.heading),
        ("2", third.heading),
        ("3", first.heading),
    ]
    assert actions() == ["clauses.reordered", "clauses.reordered", "version.renumbered"]


def test_moving_the_first_clause_up_changes_nothing(as_secretariat, v1):
    first = v1.clauses.order_by("order").first()

    response = as_secretariat.post(
        drafts("clause_move", v1.pk), {"clause": first.pk, "direction": "up"}, follow=True
    )

    assert "cannot move further" in response.text
    assert v1.clauses.order_by("order").first() == first
    assert not AuditEvent.objects.exists()


def test_secretariat_adds_edits_and_deletes_a_clause(as_secretariat, v1):
    response = as_secretariat.post(
        drafts("clause_add", v1.pk),
        {"number": "4", "heading": "Grievances", "body": "How to complain.", "level": "1"},
    )
    assert response.status_code == 302
    added = v1.clauses.get(number="4")
    assert added.order == v1.clauses.order_by("-order").first().order

    clash = as_secretariat.post(
        drafts("clause_edit", v1.pk, added.pk),
        {"number": "1", "heading": "Grievances", "body": "", "level": "1"},
    )
    assert clash.status_code == 200
    assert "already has a clause 1" in str(clash.context["form"].errors["number"])

    as_secretariat.post(
        drafts("clause_edit", v1.pk, added.pk),
        {"number": "4", "heading": "Grievance mechanism", "body": "", "level": "1"},
    )
    added.refresh_from_db()
    assert added.heading == "Grievance mechanism"

    assert as_secretariat.get(drafts("clause_delete", v1.pk, added.pk)).status_code == 200
    assert as_secretariat.post(drafts("clause_delete", v1.pk, added.pk)).status_code == 302
    assert not Clause.objects.filter(pk=added.pk).exists()
    assert actions() == ["clause.created", "clause.updated", "clause.deleted"]


def test_a_version_in_consultation_is_read_only(as_secretariat, v1):
    builders.period(v1)
    clause = v1.clauses.first()

    assert as_secretariat.get(drafts("clause_add", v1.pk)).status_code == 302
    for target, data in [
        (drafts("clause_edit", v1.pk, clause.pk), {"number": "9", "heading": "X", "level": "1"}),
        (drafts("clause_delete", v1.pk, clause.pk), {}),
        (drafts("clause_move", v1.pk), {"clause": clause.pk, "direction": "down"}),
        (drafts("renumber", v1.pk), {}),
    ]:
        response = as_secretariat.post(target, data, follow=True)
        assert "only a version being drafted can change" in response.text
    clause.refresh_from_db()
    assert (clause.number, clause.heading) == ("1", "Scope")
    assert not AuditEvent.objects.exists()


# --- Comment periods and publishing ---------------------------------------------------------


def test_secretariat_schedules_a_period_in_the_groups_time_zone(as_secretariat, group, v1):
    group.reference_time_zone = "Europe/Paris"
    group.min_public_consultation_days = 60
    group.save()

    page = as_secretariat.get(drafts("schedule", v1.pk))
    assert "at least 60 days" in page.text
    assert 'type="datetime-local"' in page.text

    response = as_secretariat.post(
        drafts("schedule", v1.pk),
        {
            "audience": "public",
            "opens_at": "2031-03-02T09:00",
            "closes_at": "2031-05-02T17:30",
            "instructions": "Comment clause by clause.",
            "short_round_justification": "",
        },
    )

    assert response.status_code == 302
    period = Consultation.objects.get()
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert period.opens_at == datetime.datetime(2031, 3, 2, 9, 0, tzinfo=paris)
    assert period.closes_at == datetime.datetime(2031, 5, 2, 17, 30, tzinfo=paris)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.CONSULTATION
    assert actions() == ["consultation.scheduled"]
    # The version page shows the period in the group's zone.
    assert "2031-03-02 09:00" in as_secretariat.get(drafts("version", v1.pk)).text


def test_a_short_public_round_needs_a_justification(as_secretariat, v1):
    data = {
        "audience": "public",
        "opens_at": "2031-03-02T09:00",
        "closes_at": "2031-03-30T09:00",
        "instructions": "",
        "short_round_justification": "",
    }

    response = as_secretariat.post(drafts("schedule", v1.pk), data)

    assert response.status_code == 200
    errors = response.context["form"].errors["short_round_justification"]
    assert "at least 60 days" in str(errors)
    assert not Consultation.objects.exists()
    assert not AuditEvent.objects.exists()

    data["short_round_justification"] = "Second round on editorial changes only."
    assert as_secretariat.post(drafts("schedule", v1.pk), data).status_code == 302
    assert Consultation.objects.get().short_round_justification.startswith("Second round")


def test_publishing_is_refused_while_a_period_is_open(as_secretariat, v1):
    builders.period(v1)

    response = as_secretariat.post(drafts("publish", v1.pk))

    assert response.status_code == 200
    assert "still scheduled or open" in response.text
    v1.refresh_from_db()
    assert v1.status == VersionStatus.CONSULTATION
    assert not AuditEvent.objects.exists()


def test_secretariat_publishes_a_version(as_secretariat, standard, v1):
    old = builders.draft(standard, label="0.9", status=VersionStatus.PUBLISHED)

    assert as_secretariat.get(drafts("publish", v1.pk)).status_code == 200
    response = as_secretariat.post(drafts("publish", v1.pk))

    assert response.status_code == 302
    v1.refresh_from_db()
    old.refresh_from_db()
    assert (v1.status, old.status) == (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
    assert actions() == ["version.published"]


# --- Another group's secretariat ----------------------------------------------------------


def test_secretariat_of_another_group_reaches_nothing(client, standard, v1, other_group):
    stranger = builders.secretariat(other_group)
    client.force_login(stranger)
    clause = v1.clauses.first()
    before = list(v1.clauses.values_list("pk", "number", "heading", "order"))

    for target in [
        standards("edit", standard.pk),
        drafts("standard", standard.pk),
        drafts("start", standard.pk),
        drafts("import", standard.pk),
        drafts("version", v1.pk),
        drafts("clause_add", v1.pk),
        drafts("clause_edit", v1.pk, clause.pk),
        drafts("clause_delete", v1.pk, clause.pk),
        drafts("schedule", v1.pk),
        drafts("publish", v1.pk),
    ]:
        assert refused(client.get(target)), target

    posts = [
        (standards("edit", standard.pk), {"title": "Hijacked", "summary": ""}),
        (drafts("start", standard.pk), {"label": "6.6", "based_on": v1.pk}),
        (
            drafts("import", standard.pk),
            {"label": "6.6", "file": io.BytesIO(b"# Hijacked\n")},
        ),
        (drafts("clause_add", v1.pk), {"number": "9", "heading": "Hijacked", "level": "1"}),
        (drafts("clause_edit", v1.pk, clause.pk), {"number": "9", "heading": "X", "level": "1"}),
        (drafts("clause_delete", v1.pk, clause.pk), {}),
        (drafts("clause_move", v1.pk), {"clause": clause.pk, "direction": "down"}),
        (drafts("renumber", v1.pk), {}),
        (
            drafts("schedule", v1.pk),
            {
                "audience": "members",
                "opens_at": "2031-03-02T09:00",
                "closes_at": "2031-03-09T09:00",
            },
        ),
        (drafts("publish", v1.pk), {}),
    ]
    for target, data in posts:
        assert refused(client.post(target, data)), target

    standard.refresh_from_db()
    assert standard.title == "ASM Cobalt Framework"
    assert list(DraftVersion.objects.all()) == [v1]
    assert list(v1.clauses.values_list("pk", "number", "heading", "order")) == before
    assert not Consultation.objects.exists()
    assert not AuditEvent.objects.exists()
    # Its menu and listings show nothing of the other group.
    assert "ASM Cobalt Framework" not in client.get(drafts("index")).text
