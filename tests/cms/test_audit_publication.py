"""The audit chain covers the publication of decisions, and its head is public.

- Publishing a decision page (the chair's approval in the workflow, or a platform
  admin's own publication) appends "decision.published" to the hash chain in the
  publishing transaction; a publication nobody may make is undone.
- The chain's head (last entry, its hash, when it was recorded) is on every group's
  public register page and in the API (/api/v1/audit/head, and any entry's hash at
  /api/v1/audit/entries/<n>), so whoever keeps copies can later show the history was
  not rewritten: `verify_audit_log --expect N:HASH` checks a kept head.
"""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from cms.demo import decisions as demo_decisions
from cms.demo import pages as demo_pages
from cms.models import DecisionPage
from governance import audit
from governance.models import AuditChainHead, AuditEvent
from tests.cms.test_decisions import ADOPTING, certify, edit_data, make_scene, publish
from tests.factories import UserFactory, WorkingGroupFactory

HEAD_URL = "/api/v1/audit/head"


@pytest.fixture
def register(db):
    demo_pages.load()
    return demo_decisions.register()


@pytest.fixture
def scene(register):
    return make_scene(WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt"))


@pytest.fixture
def draft(scene):
    return DecisionPage.objects.get(decision=certify(scene, ADOPTING))


def published_events(page):
    return AuditEvent.objects.filter(
        action="decision.published", object_id=str(page.decision_id)
    ).order_by("sequence")


def test_the_chairs_approval_enters_the_hash_chain(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    assert page.live
    (event,) = published_events(page)
    assert event.actor == scene.chair and event.is_public
    assert event.working_group_id == scene.group.pk
    assert event.object_type == "governance.decision"
    assert event.payload["page"] == page.pk
    assert event.payload["revision"] == page.live_revision_id
    assert event.payload["url"] == page.url
    assert event.sequence == AuditChainHead.objects.get().sequence  # the newest entry
    assert audit.verify_chain().ok
    register_page = client.get(f"/working-groups/{scene.group.slug}/register/")
    assert f"Decision published: {page.decision.title}" in register_page.content.decode()


def test_a_platform_admins_publication_enters_the_chain_too(client, draft, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
        edit_data(draft, **{"action-publish": "publish"}),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live
    assert [e.actor for e in published_events(draft)] == [superuser]


def test_a_publication_nobody_may_make_is_undone(draft, scene):
    """Past Wagtail's own checks (skipped here, as an approval skips them), the record
    itself refuses anyone but the group's chair or a platform admin: nothing goes live."""
    outsider = UserFactory()
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        draft.get_latest_revision().publish(user=outsider, skip_permission_checks=True)
    draft.refresh_from_db()
    assert not draft.live and AuditEvent.objects.count() == before


def test_the_head_is_published_in_the_api_and_on_the_register(client, draft, scene):
    head = AuditChainHead.objects.get()
    last = AuditEvent.objects.get(sequence=head.sequence)
    answer = client.get(HEAD_URL)
    assert answer.status_code == 200 and "public" in answer["Cache-Control"]
    data = answer.json()
    assert (data["sequence"], data["hash"], data["verified"]) == (head.sequence, head.hash, True)
    assert data["recorded_at"].startswith(last.created_at.isoformat()[:19])

    page = client.get(f"/working-groups/{scene.group.slug}/register/").content.decode()
    assert head.hash in page and HEAD_URL in page

    # A new entry moves the head, on both.
    publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    moved = AuditChainHead.objects.get()
    assert moved.sequence > head.sequence
    assert client.get(HEAD_URL).json()["hash"] == moved.hash
    page = client.get(f"/working-groups/{scene.group.slug}/register/").content.decode()
    assert moved.hash in page

    # What a keeper of the old head checks: the hash the log gives for that entry.
    kept = client.get(f"/api/v1/audit/entries/{head.sequence}").json()
    assert kept == {"sequence": head.sequence, "hash": head.hash, "prev_hash": last.prev_hash}
    assert client.get(f"/api/v1/audit/entries/{moved.sequence + 1}").status_code == 404
    # Numbers no entry can have are refused as bad parameters, like every id.
    for impossible in (0, 2**70):
        assert client.get(f"/api/v1/audit/entries/{impossible}").status_code == 422


def test_verify_audit_log_checks_a_kept_head(draft):
    head = AuditChainHead.objects.get()
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit_log", "--expect", f"{head.sequence}:{head.hash}", stdout=out)
    assert f"OK: entry {head.sequence} has the hash kept for it" in out.getvalue()
    with pytest.raises(SystemExit) as exit:
        call_command(
            "verify_audit_log", "--expect", f"{head.sequence}:{'0' * 64}", stdout=out, stderr=err
        )
    assert exit.value.code == 1
    assert f"REWRITTEN at sequence {head.sequence}: kept {'0' * 64}" in err.getvalue()
